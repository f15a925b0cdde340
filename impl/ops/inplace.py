"""In-place ops. Each bumps the version counter; with autograd on, the op is recorded as its
out-of-place twin applied to a snapshot of the old value, and the tensor takes over the result's history.
They are Tensor methods only (``function=False``), as torch documents them."""
import numpy as np

from .. import _autograd, _dtype
from .._autograd import _GradMode, _SavedOutput
from .._tensor import Tensor
from . import _views
from . import elementwise as ew
from ._registry import op
from .shape import index_put


def _needs_graph(self, others):
    if not _GradMode.enabled:
        return False
    if self.requires_grad:
        return True
    return any(isinstance(o, Tensor) and o.requires_grad for o in others)


def _check_leaf(self, op):
    if _GradMode.enabled and self.requires_grad and self.grad_fn is None and self._base is None:
        raise RuntimeError(
            f"{op}: a leaf Variable that requires grad is being used in an in-place operation "
            f"(shape {tuple(self._data.shape)}); wrap the update in impl.no_grad()."
        )


def _overlaps(d):
    """More than one element refers to one memory location (an expanded, stride-0 dimension)."""
    return any(st == 0 and n > 1 for st, n in zip(d.strides, d.shape))


def _writable(d):
    """``d`` itself, or for an expanded tensor (numpy's ``broadcast_to`` is a read-only view) a writable alias of
    the same memory, made from the array that owns it: torch writes through such tensors where the op allows it
    (fill_, masked_fill_, an index that repeats no element)."""
    if d.flags.writeable or not d.size:
        return d
    root = d
    while root.base is not None:
        root = root.base
    if not (isinstance(root, np.ndarray) and root.flags.writeable and root.flags.c_contiguous):
        return d
    offset = d.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return np.ndarray(d.shape, d.dtype, buffer=root, offset=offset, strides=d.strides)


def _check_writable(self, op, region=None):
    """``region``: the basic index written (torch checks that part only), or ``False`` for a write torch lets
    through an expanded tensor (fill_, masked_fill_, advanced-index assignment)."""
    d = self._data
    if not d.size:
        return
    if region is not False and _overlaps(d if region is None else d[region]):
        raise RuntimeError(
            f"{op}: unsupported operation: more than one element of the written-to tensor refers to a single "
            f"memory location (an expanded tensor of shape {tuple(d.shape)}). Please clone() the tensor before "
            "performing the operation."
        )
    if not _writable(d).flags.writeable:
        raise RuntimeError(f"{op}: the tensor (shape {tuple(d.shape)}) is read-only (its numpy array is not writeable, "
                           "e.g. impl.from_numpy of a read-only array); clone() it first")


def _store(self, result, op, region=None, where=None):
    """Write ``result`` into ``self``. ``where`` (an index or a boolean mask): the only positions the op writes --
    through an expanded tensor, writing the others back would undo the write at the positions they alias."""
    _check_writable(self, op, region)
    r = result._data
    if r.shape != self._data.shape:
        try:
            r = np.broadcast_to(r, self._data.shape)
        except ValueError:
            raise RuntimeError(
                f"{op}: output with shape {tuple(self._data.shape)} doesn't match the broadcast shape {tuple(r.shape)}"
            ) from None
    if r.dtype != self._data.dtype and not _dtype.can_cast(result.dtype, self.dtype):
        raise RuntimeError(f"{op}: result type {result.dtype.name} can't be cast to the desired output type {self.dtype.name}")
    if self._data.size:  # an empty tensor has nothing to write (and may be a read-only view)
        d = _writable(self._data)
        if where is not None and _overlaps(d):
            d[where] = r[where]
        else:
            np.copyto(d, r, casting="unsafe")
    self._version[0] += 1


def inplace(self, op, fn, *args, _write=(None, None), **kwargs):
    """Run ``fn(self, *args)`` out of place and write the result into ``self``. ``_write``: ``_store``'s ``region``
    and ``where`` for an op that writes part of ``self`` only."""
    _check_leaf(self, op)

    def store(t, result, op):
        _store(t, result, op, *_write)

    if not _needs_graph(self, args):
        if self._base is not None and _autograd._forward_ad_level is not None:
            _views.refresh_if_stale(self)  # forward mode: the tangent of a view whose base changed is read again
        with _NoGrad():
            result = fn(self, *args, **kwargs)
        store(self, result, op)
        _move_tangent(result, self)
        if self._base is not None:
            _views.write_tangent_into_base(self)
        return self
    old = self.grad_fn, (self._base.grad_fn if self._base is not None else None)
    if self._base is not None:
        result = _views.inplace_on_view(self, op, fn, args, kwargs, store, _write[1])
        _autograd.retain_follows(self._base, old[1])
    else:
        # The old value becomes its own node-less snapshot carrying self's history.
        prev = Tensor._wrap(self._data.copy(), self.requires_grad)
        prev.grad_fn = self.grad_fn
        _move_tangent(self, prev)
        result = fn(prev, *args, **kwargs)
        store(self, result, op)
        self.grad_fn = result.grad_fn
        self.requires_grad = result.requires_grad
    _move_tangent(result, self)
    _autograd.retain_follows(self, old[0])
    node = result.grad_fn
    if node is not None and node.saved:
        # The node's output is now ``self``: a saved output (``OUTPUT``) follows self's version, so a later
        # in-place op on self makes backward raise, as torch's (e.g. ``y.relu_().mul_(2)``).
        node.saved = tuple((_SavedOutput(self), self._version[0]) if isinstance(s, _SavedOutput) else (s, v)
                           for s, v in node.saved)
    return self


def _carries_tangent(*ts):
    level = _autograd._forward_ad_level
    return level is not None and any(isinstance(t, Tensor) and level.get(t) is not None for t in ts)


def _move_tangent(src, dst):
    """Forward mode: the tensor written in place carries the tangent of the value written into it."""
    level = _autograd._forward_ad_level
    if level is not None:
        tangent = level.get(src)
        if tangent is not None:
            level.set(dst, tangent)
        elif level.get(dst) is not None:
            level.tangents.pop(id(dst), None)


class _NoGrad:
    def __enter__(self):
        self._prev = _GradMode.enabled
        _GradMode.enabled = False

    def __exit__(self, *exc):
        _GradMode.enabled = self._prev


@op(function=False, operators=("__iadd__",))
def add_(self, other, alpha=1):
    return inplace(self, "add_", ew.add, other, alpha=alpha)


@op(function=False, operators=("__isub__",))
def sub_(self, other, alpha=1):
    return inplace(self, "sub_", ew.sub, other, alpha=alpha)


@op(function=False, operators=("__imul__",))
def mul_(self, other):
    return inplace(self, "mul_", ew.mul, other)


@op(function=False, operators=("__itruediv__",))
def div_(self, other, rounding_mode=None):
    return inplace(self, "div_", ew.div, other, rounding_mode=rounding_mode)


@op(function=False, operators=("__ipow__",))
def pow_(self, exponent):
    return inplace(self, "pow_", ew.pow, exponent)


@op(function=False, aliases=("clip_",))
def clamp_(self, min=None, max=None):
    return inplace(self, "clamp_", ew.clamp, min, max)


@op(function=False)
def relu_(self):
    return inplace(self, "relu_", ew.relu)


@op(function=False)
def neg_(self):
    return inplace(self, "neg_", ew.neg)


@op(function=False)
def exp_(self):
    return inplace(self, "exp_", ew.exp)


@op(function=False)
def sqrt_(self):
    return inplace(self, "sqrt_", ew.sqrt)


@op(function=False)
def masked_fill_(self, mask, value):
    from .shape import masked_fill

    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    try:
        where = np.broadcast_to(m, self._data.shape) if m.dtype == np.bool_ else None
    except ValueError:
        where = None  # masked_fill raises its own error
    return inplace(self, "masked_fill_", masked_fill, mask, value, _write=(False, where))


@op(function=False)
def zero_(self):
    return fill_(self, 0)


@op(function=False)
def fill_(self, value):
    return _setitem(self, Ellipsis, value, "fill_")


@op(function=False)
def copy_(self, src, non_blocking=False):
    return _setitem(self, Ellipsis, src, "copy_")


@op(function=False, method=False, operators=("__setitem__",))
def setitem(self, key, value, /):
    return _setitem(self, key, value, "__setitem__")


def _setitem(self, idx, value, op):
    """``self[idx] = value`` for __setitem__, fill_ and copy_ (``op`` names the caller in errors)."""
    from .shape import _convert_index

    _check_leaf(self, op)
    index, basic = _convert_index(idx, self._data.shape)
    # torch refuses a write through an expanded tensor only where the indexed part repeats an element (fill_ and
    # advanced indexing write through anyway).
    region = index if basic and op != "fill_" else False
    if not _needs_graph(self, (value,)) and not _carries_tangent(self, value):
        v = value._data if isinstance(value, Tensor) else value
        try:
            _check_writable(self, op, region)
            _writable(self._data)[index] = v
        except (ValueError, IndexError) as e:  # an index out of range stays an IndexError, as torch's
            raise (IndexError if isinstance(e, IndexError) else RuntimeError)(
                f"{op}: {e} (tensor shape {tuple(self._data.shape)}, value shape {tuple(np.shape(v))})") from None
        self._version[0] += 1
        return self
    return inplace(self, op, index_put, idx, value, _write=(region, index))


def _uniform_(self, low, high):
    from .. import random as _random

    with _NoGrad():
        self._data[...] = _random.generator().uniform(low, high, self._data.shape)
    self._version[0] += 1
    return self


@op(function=False)
def uniform_(self, a=0.0, b=1.0):
    _check_leaf(self, "uniform_")
    return _uniform_(self, a, b)


@op(function=False)
def normal_(self, mean=0.0, std=1.0):
    _check_leaf(self, "normal_")
    from .. import random as _random

    self._data[...] = _random.generator().normal(mean, std, self._data.shape)
    self._version[0] += 1
    return self
