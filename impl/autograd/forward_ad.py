"""Forward-mode AD as torch.autograd.forward_ad: ``dual_level``, ``make_dual``, ``unpack_dual``.

No op has a tangent rule of its own. A tangent is derived from the op's differentiable VJP (the double-VJP trick):
the VJP ``u -> J^T u`` is linear in ``u``, so ``J t`` is the gradient with respect to ``u`` of ``<J^T u, t>``. A
fused op differentiates its composite instead. While no level is active the engine pays one global check per op.
"""
from __future__ import annotations

import weakref
from collections import namedtuple

import numpy as np

from .. import _autograd
from .._autograd import OUTPUT, _GradMode, run_backward, unbroadcast
from .._tensor import Tensor

UnpackedDualTensor = namedtuple("UnpackedDualTensor", "primal tangent")


class _Level:
    """The tangents of the tensors made while one dual level is active (keyed by identity, dropped with the
    tensor)."""

    def __init__(self):
        self.tangents = {}

    def get(self, t):
        entry = self.tangents.get(id(t))
        if entry is None or entry[0]() is not t:
            return None
        return entry[1]

    def set(self, t, tangent):
        key = id(t)

        def drop(ref, key=key, tangents=self.tangents):
            if key in tangents and tangents[key][0] is ref:
                del tangents[key]

        self.tangents[key] = (weakref.ref(t, drop), tangent)

    def propagate(self, out, name, inputs, backward, saved, fused, composite):
        """Called by the engine for every recorded op while this level is active: give ``out`` its tangent."""
        tangents = [None if i is None else self.get(i) for i in inputs]
        if all(t is None for t in tangents) or out._data.dtype.kind != "f":
            return
        if fused:
            if composite is None:
                raise NotImplementedError(f"{name}: forward-mode AD is not supported through this op in impl")
            prev = _GradMode.enabled
            _GradMode.enabled = False  # the composite only has to carry tangents, not record a graph
            try:
                tangent = self.get(composite(*inputs))
            finally:
                _GradMode.enabled = prev
        else:
            tangent = _jvp_by_double_vjp(out, inputs, backward, saved, tangents)
        if tangent is not None:
            self.set(out, tangent)


def _jvp_by_double_vjp(out, inputs, backward, saved, tangents):
    level = _autograd._forward_ad_level
    _autograd._forward_ad_level = None  # the ops below compute this tangent; they must not propagate tangents
    prev = _GradMode.enabled
    _GradMode.enabled = True
    # A closure computes gradients only for inputs that require grad (torch's needs_input_grad): for the duration,
    # the inputs that carry a tangent do.
    flipped = [t for t, tan in zip(inputs, tangents) if tan is not None and not t.requires_grad]
    for t in flipped:
        t.requires_grad = True
    try:
        u = Tensor._wrap(np.zeros_like(out._data), requires_grad=True)
        res = backward(u, Tensor._wrap(out._data)) if any(s is OUTPUT for s in saved) else backward(u)
        total = None
        for r, inp, tan in zip(res, inputs, tangents):
            if tan is None or not isinstance(r, Tensor) or not r.requires_grad:
                continue  # no tangent, or a VJP that does not depend on u: no contribution
            term = (unbroadcast(r, inp._data.shape) * tan).sum()
            total = term if total is None else total + term
        if total is None:
            return Tensor._wrap(np.zeros_like(out._data))
        (jvp,) = run_backward((total,), (np.ones((), total._data.dtype),), inputs=(u,))
        return Tensor._wrap(np.zeros_like(out._data)) if jvp is None else jvp
    finally:
        for t in flipped:
            t.requires_grad = False
        _GradMode.enabled = prev
        _autograd._forward_ad_level = level


class dual_level:
    """Context manager (and decorator) within which dual tensors exist; their tangents are dropped on exit."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with dual_level():
                return fn(*args, **kwargs)

        return wrapper


def enter_dual_level():
    if _autograd._forward_ad_level is not None:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _autograd._forward_ad_level = _Level()
    return 0


def exit_dual_level(*, level=None):
    _autograd._forward_ad_level = None


def _active(op):
    lvl = _autograd._forward_ad_level
    if lvl is None:
        raise RuntimeError(f"{op}: no forward AD level is active; enter one with `with forward_ad.dual_level():`")
    return lvl


def make_dual(tensor, tangent, *, level=None):
    """A view of ``tensor`` carrying ``tangent`` (same shape) as its forward gradient."""
    lvl = _active("make_dual")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(
            "make_dual: Trying to set a forward gradient that has a different size than that of the original "
            f"Tensor, this is not supported. Tensor is of size {list(tensor.shape)} while the given forward "
            f"gradient is of size {list(tangent.shape)}."
        )
    if tensor._data.dtype.kind != "f":
        raise ValueError(f"make_dual: expected primal to be floating point, but got: {tensor.dtype}")
    dual = _alias(tensor)
    lvl.set(dual, tangent if tangent.dtype == tensor.dtype else tangent.to(tensor.dtype))
    return dual


def unpack_dual(tensor, *, level=None):
    """``(primal, tangent)``: a view of ``tensor`` without its tangent, and the tangent (None if it has none)."""
    lvl = _autograd._forward_ad_level
    if lvl is None:
        return UnpackedDualTensor(tensor, None)
    tangent = lvl.get(tensor)
    _autograd._forward_ad_level = None  # the primal view must not inherit the tangent
    try:
        primal = _alias(tensor)
    finally:
        _autograd._forward_ad_level = lvl
    return UnpackedDualTensor(primal, tangent)


def _alias(t):
    from ..ops.shape import _view

    return _view("AliasBackward0", t._data, t, lambda g: (g,))
