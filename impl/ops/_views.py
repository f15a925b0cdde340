"""In-place ops on views, as torch's CopySlices: a view shares memory and the version counter with its base, so an
in-place op on the view rewrites the base's history, and a view whose base changed gets its history regenerated
from the base before it is used again.

A view's elements are located in its base by their memory addresses (``positions``), whatever chain of view ops
made it, so one mechanism serves reshape, transpose, slicing, select, diagonal, narrow, expand of unit dims, ...:

- in-place on a view ``v`` of base ``b``: ``r = op(v_old)``; ``b`` becomes ``CopySlices(b_old, r)``, whose
  derivative is ``g`` with the view's positions zeroed for ``b_old`` and ``g`` gathered at those positions for ``r``;
  then ``v``'s history is regenerated from the new ``b``;
- a view used after its base (or a sibling view) was modified in place gets ``v = b.flatten()[positions]``
  as its history (torch's AsStridedBackward0), so gradients flow through what was done to the base.

Views made under no_grad keep no history (they stay leaves, as torch's), and torch's refusals are reproduced:
in-place on a view of a leaf that requires grad, on a view made under no_grad while grad mode is on, and on one of
several views returned together (unbind, split, chunk).
"""
from __future__ import annotations

import numpy as np

from .. import _autograd
from .._autograd import _GradMode, apply
from .._tensor import Tensor


class ViewMeta:
    """What a view remembers: made under no_grad, the multi-view op that made it (or None), and the version of the
    shared counter when its history was last made from its base. A view of such a view inherits both, as torch's
    creation meta."""

    __slots__ = ("no_grad", "multi", "version")

    def __init__(self, no_grad, version, parent=None):
        self.no_grad, self.multi, self.version = no_grad, None, version
        if parent is not None:
            self.no_grad = self.no_grad or parent.no_grad
            self.multi = parent.multi


def positions(view, base):
    """Flat C-order indices into ``base`` of each element of ``view`` (an array sharing its memory), shaped like
    ``view``: matched by byte address, so any strides work."""
    def offsets(a):
        off = np.zeros(a.shape, dtype=np.int64)
        for k, (n, s) in enumerate(zip(a.shape, a.strides)):  # a loop over dimensions, not data
            shape = [1] * a.ndim
            shape[k] = n
            off = off + (np.arange(n, dtype=np.int64) * s).reshape(shape)
        return off

    shift = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    ob = offsets(base).ravel()
    ov = offsets(view) + shift
    order = np.argsort(ob, kind="stable")
    found = np.clip(np.searchsorted(ob[order], ov), 0, max(ob.size - 1, 0))
    flat = order[found] if ob.size else np.zeros(view.shape, dtype=np.int64)
    if view.size and not np.array_equal(ob[flat], ov):
        raise RuntimeError("view: the view's elements are not elements of its base")
    return flat


def _gather(base, flat):
    """``base.flatten()[flat]`` recorded (differentiable, to any order)."""
    from .shape import getitem, reshape

    return getitem(reshape(base, -1), Tensor._wrap(flat))


def regenerate(view):
    """Give ``view`` the history ``base.flatten()[positions]`` from its base's current history (and, in forward
    mode, the tangent at those positions of its base's tangent)."""
    base = view._base
    meta = view._view_meta
    meta.version = view._version[0]
    _refresh_tangent(view, base)
    if meta.no_grad or not base.requires_grad:
        return
    prev = _GradMode.enabled
    _GradMode.enabled = True
    try:
        fresh = _gather(base, positions(view._data, base._data))
    finally:
        _GradMode.enabled = prev
    view.grad_fn, view.requires_grad = fresh.grad_fn, True
    fresh.grad_fn.name = "AsStridedBackward0"


def _refresh_tangent(view, base):
    """Forward mode: a view's tangent is a view of its base's tangent in torch, so after an in-place op on the base
    (or on a sibling view) the view's tangent is read again from the base's."""
    level = _autograd._forward_ad_level
    if level is None:
        return
    tangent = level.get(base)
    if tangent is None:
        level.tangents.pop(id(view), None)
        return
    level.set(view, _gather(tangent, positions(view._data, base._data)))


def write_tangent_into_base(view):
    """Forward mode, after an in-place op on ``view`` recorded without a graph: the base's tangent takes the view's
    tangent at the view's positions (zeros elsewhere if the base had none)."""
    from .shape import _index_put, expand, reshape

    level = _autograd._forward_ad_level
    base = view._base
    if level is None or base is None:
        return
    vt, bt = level.get(view), level.get(base)
    if vt is None and bt is None:
        return
    if bt is None:
        bt = Tensor._wrap(np.zeros_like(base._data))
    if vt is None:
        vt = Tensor._wrap(np.zeros_like(view._data))
    elif vt._data.shape != view._data.shape:
        vt = expand(vt, view._data.shape)
    flat = positions(view._data, base._data).ravel()
    new = _index_put(reshape(bt, (-1,)), (flat,), False, reshape(vt, (-1,)))
    level.set(base, reshape(new, base._data.shape))
    if getattr(view, "_view_meta", None) is not None:
        view._view_meta.version = view._version[0]  # the view's own tangent is current


def refresh_if_stale(t):
    """Called by the engine for an op input that is a view (and by ``is_leaf``): a view whose base or a sibling was
    modified in place since its history was made gets it made again from the base, or, for a view torch would not
    regenerate (made under no_grad, or returned with others by unbind/split/chunk), the refusal torch raises."""
    meta = getattr(t, "_view_meta", None)
    if meta is not None and meta.version != t._version[0]:
        if (meta.no_grad or meta.multi is not None) and t._base.requires_grad:
            _refuse_stale(meta)
        regenerate(t)


def _refuse_stale(meta):
    if meta.no_grad:
        raise RuntimeError(
            "A view was created in no_grad mode and its base or another view of its base has been modified inplace "
            "with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can "
            "clarify your code by moving both the view and the inplace either both inside the no_grad block (if you "
            "don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."
        )
    raise RuntimeError(
        f"Output 0 of {meta.multi} is a view and its base or another view of its base has been modified inplace. "
        "This view is the output of a function that returns multiple views. Such functions do not allow the output "
        "views to be modified inplace. You should replace the inplace operation by an out-of-place one."
    )


def check_inplace_allowed(view, op):
    meta = getattr(view, "_view_meta", None)
    base = view._base
    if meta is not None and meta.multi is not None:
        raise RuntimeError(
            f"{op}: Output 0 of {meta.multi} is a view and is being modified inplace. This view is the output of a "
            "function that returns multiple views. Such functions do not allow the output views to be modified "
            "inplace. You should replace the inplace operation by an out-of-place one."
        )
    if meta is not None and meta.no_grad:  # (the op is recorded: the view or the operand requires grad)
        raise RuntimeError(
            f"{op}: A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given "
            "that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving "
            "both the view and the inplace either both inside the no_grad block (if you don't want the inplace to "
            "be tracked) or both outside (if you want the inplace to be tracked)."
        )
    if base.requires_grad and base.grad_fn is None:
        raise RuntimeError(
            f"{op}: a view of a leaf Variable that requires grad is being used in an in-place operation "
            f"(view shape {tuple(view._data.shape)}, leaf shape {tuple(base._data.shape)})."
        )


def inplace_on_view(view, op, fn, args, kwargs, store, where=None):
    """The autograd path of an in-place op on a view: the base's history becomes CopySlices. ``where``: the
    positions the op writes when it writes part of the view only (see ``inplace._store``)."""
    check_inplace_allowed(view, op)
    base = view._base
    if getattr(view, "_view_meta", None) is None:
        view._view_meta = ViewMeta(False, view._version[0])
    refresh_if_stale(view)
    prev = Tensor._wrap(view._data.copy(), view.requires_grad)
    prev.grad_fn = view.grad_fn
    level = _autograd._forward_ad_level
    if level is not None and level.get(view) is not None:
        level.set(prev, level.get(view))
    result = fn(prev, *args, **kwargs)
    store(view, result, op)
    flat = positions(view._data, base._data)
    old_base = Tensor._wrap(base._data, base.requires_grad)
    old_base.grad_fn = base.grad_fn
    if level is not None and level.get(base) is not None:
        level.set(old_base, level.get(base))  # CopySlices then carries the base's new tangent (forward mode)
    keep = np.ones(base._data.size, dtype=base._data.dtype)
    written = None
    if where is not None and flat.size and np.unique(flat).size < flat.size:
        # An expanded view written in part: the memory holds the written elements only, so the result's other
        # elements (which may alias written positions) pass no gradient; the positions nobody wrote keep the base's.
        mask = np.zeros(flat.shape, dtype=bool)
        mask[where] = True
        keep[flat[mask]] = 0
        written = Tensor._wrap(mask.astype(base._data.dtype))
    else:
        keep[flat.ravel()] = 0
    keep = Tensor._wrap(keep.reshape(base._data.shape))

    def copy_slices_backward(g):
        r = _gather(g, flat)  # the gathered positions have the view's shape
        return g * keep, (r if written is None else r * written)

    recorded = apply("CopySlices", base._data, (old_base, result), copy_slices_backward)
    base.grad_fn, base.requires_grad = recorded.grad_fn, recorded.requires_grad
    if level is not None:
        tangent = level.get(recorded)
        if tangent is not None:
            level.set(base, tangent)
    view._view_meta.version = -1  # stale: regenerate from the new base history now
    regenerate(view)
    return result


_autograd._Views.refresh = refresh_if_stale
