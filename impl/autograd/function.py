"""torch.autograd.Function: user-defined ops with a forward and a backward of their own.

``forward(ctx, *args)`` (or ``forward(*args)`` plus ``setup_context(ctx, inputs, output)``) runs without recording;
``backward(ctx, *grad_outputs)`` returns one gradient (or None) per forward argument. The backward is called with
impl Tensors, so a backward written with impl ops is itself differentiable (``create_graph``), unless it is wrapped
in ``once_differentiable``.

A Function with several differentiable outputs is recorded as one node over a packed copy of the outputs (their
flattened concatenation), from which each output is a slice: the engine's nodes have one output each, and the
user's backward still sees all output gradients at once.
"""
from __future__ import annotations

import functools

import numpy as np

from .._autograd import _GradMode, apply, no_grad
from .._tensor import Tensor


class FunctionCtx:
    """What ``forward`` stores for ``backward`` (torch's ctx)."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.materialize_grads = True
        self._saved = ()
        self._dirty = ()
        self._non_differentiable = ()

    def save_for_backward(self, *tensors):
        self._saved = tuple((t, None if t is None else t._version[0]) for t in tensors)

    @property
    def saved_tensors(self):
        out = []
        for t, version in self._saved:
            if t is not None and t._version[0] != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{type(t).__name__} of shape {list(t.shape)}] is at version {t._version[0]}; "
                    f"expected version {version} instead."
                )
            out.append(t)
        return tuple(out)

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


class Function:
    """Subclass with static ``forward`` and ``backward``; call ``YourFunction.apply(*args)``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        tensor_pos = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        with no_grad():
            if cls.setup_context is not Function.setup_context:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        if not (_GradMode.enabled and any(needs)):
            return output
        return _record(cls, ctx, args, tensor_pos, output)


def _record(cls, ctx, args, tensor_pos, output):
    single = not isinstance(output, tuple)
    outs = (output,) if single else output
    non_diff = {id(t) for t in ctx._non_differentiable}
    diff_k = [k for k, o in enumerate(outs)
              if isinstance(o, Tensor) and o._data.dtype.kind == "f" and id(o) not in non_diff]
    inputs = tuple(args[i] for i in tensor_pos)
    name = f"{cls.__name__}Backward"
    received = [False] * len(outs)

    def user_backward(grads):
        res = cls.backward(ctx, *grads)
        res = res if isinstance(res, tuple) else (res,)
        if len(res) != len(args):
            raise RuntimeError(f"function {name} returned an incorrect number of gradients (expected {len(args)}, "
                               f"got {len(res)})")
        for i, r in enumerate(res):
            if r is not None and not isinstance(args[i], Tensor):
                raise RuntimeError(f"function {name} returned a gradient different than None at position {i + 1}, "
                                   "but the corresponding forward input was not a Variable")
        return tuple(res[i] for i in tensor_pos)

    def zeros(o):
        return Tensor._wrap(np.zeros_like(o._data))

    if len(diff_k) == 1 and single:
        out = outs[0]
        result = apply(name, out._data, inputs, lambda g: user_backward((g,)))
        return _adopt(ctx, out, result)

    sizes = [outs[k]._data.size for k in diff_k]
    dtype = np.result_type(*[outs[k]._data.dtype for k in diff_k]) if diff_k else np.float32
    packed_data = np.concatenate([outs[k]._data.ravel().astype(dtype) for k in diff_k]) if diff_k else np.zeros(0)
    bounds = np.cumsum([0] + sizes)

    def packed_backward(g):
        grads = []
        for k, o in enumerate(outs):
            if k in diff_k:
                j = diff_k.index(k)
                if received[k] or ctx.materialize_grads:
                    grads.append(g[int(bounds[j]):int(bounds[j + 1])].reshape(o.shape).to(o.dtype))
                else:
                    grads.append(None)
            else:
                grads.append(zeros(o) if ctx.materialize_grads and isinstance(o, Tensor) else None)
        received[:] = [False] * len(outs)
        return user_backward(tuple(grads))

    packed = apply(name, packed_data, inputs, packed_backward)
    results = list(outs)
    for j, k in enumerate(diff_k):
        o = outs[k]
        lo, hi, n = int(bounds[j]), int(bounds[j + 1]), packed_data.size

        def slice_backward(g, k=k, lo=lo, hi=hi, n=n):
            from .. import cat
            from .. import zeros as _zeros

            received[k] = True
            flat = g.reshape(-1).to(packed.dtype)
            return (cat([_zeros(lo, dtype=packed.dtype), flat, _zeros(n - hi, dtype=packed.dtype)]),)

        results[k] = _adopt(ctx, o, apply(f"{name}Output{k}", o._data, (packed,), slice_backward))
    return tuple(results)


def _adopt(ctx, out, result):
    """The returned tensor: ``result`` (the recorded one, sharing ``out``'s version counter so that saving the
    output and modifying it later is caught), or the dirty input itself, which takes over the new history."""
    result._version = out._version
    if any(out is d for d in ctx._dirty):
        if out.requires_grad and out.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
        out.grad_fn, out.requires_grad = result.grad_fn, True
        return out
    return result


def once_differentiable(fn):
    """Mark a backward as differentiable once: it runs without recording, and differentiating its result raises."""

    @functools.wraps(fn)
    def wrapper(ctx, *grads):
        with no_grad():
            res = fn(ctx, *grads)
        if not (_GradMode.enabled and any(isinstance(g, Tensor) and g.requires_grad for g in grads)):
            return res
        tensor_grads = tuple(g for g in grads if isinstance(g, Tensor) and g.requires_grad)

        def refuse(g):
            raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")

        def wrap(r):
            return r if not isinstance(r, Tensor) else apply("DelayedError", r._data, tensor_grads, refuse)

        return tuple(wrap(r) for r in res) if isinstance(res, tuple) else wrap(res)

    return wrapper


__all__ = ["Function", "FunctionCtx", "once_differentiable"]
