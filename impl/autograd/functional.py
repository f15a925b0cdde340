"""torch.autograd.functional: ``vjp``, ``jvp``, ``jacobian``, ``hessian``, ``vhp``, ``hvp`` with torch's signatures.

Everything is built on ``impl.autograd.grad``; ``jvp`` and ``hvp`` use the double-backward trick, as torch's do (the
VJP is linear in its cotangent, so differentiating it with respect to that cotangent gives the JVP).
Inputs and outputs may be a Tensor or a tuple of Tensors; results mirror that structure as torch's.
"""
from __future__ import annotations

import numpy as np

from .._autograd import enable_grad, grad
from .._tensor import Tensor

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _as_tuple(x, arg, fn):
    if isinstance(x, Tensor):
        return False, (x,)
    if not isinstance(x, (tuple, list)) or not all(isinstance(t, Tensor) for t in x):
        raise TypeError(f"The {arg} given to {fn} must be either a Tensor or a tuple of Tensors but got {type(x).__name__}.")
    return True, tuple(x)


def _prepare(inputs, create_graph):
    """Inputs the user function runs on: connected to the caller's graph when create_graph, else fresh leaves."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(True))
    return tuple(out)


def _finish(ts, create_graph):
    return tuple(t.detach() if (t is not None and not create_graph) else t for t in ts)


def _fill(grads, refs, strict, create_graph, what):
    """None gradients (an input the outputs do not depend on) become zeros, or raise under ``strict``."""
    out = []
    for i, (g, r) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is not "
                                   "allowed in strict mode.")
            g = Tensor._wrap(np.zeros_like(r._data))
        elif strict and create_graph and not g.requires_grad:
            raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This is not "
                               "allowed in strict mode when create_graph=True.")
        out.append(g)
    return tuple(out)


def _check_v(v, refs, fn, arg="v"):
    if len(v) != len(refs):
        raise RuntimeError(f"{fn}: {arg} is a tuple of invalid length: should be {len(refs)} but got {len(v)}.")
    for i, (a, b) in enumerate(zip(v, refs)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(f"{fn}: Entry {i} in {arg} has invalid size: should be {list(b.shape)} but got "
                               f"{list(a.shape)}.")


def _default_v(outputs, fn):
    if len(outputs) != 1 or outputs[0]._data.size != 1:
        raise RuntimeError(f"{fn}: The vector v can only be None if the user-provided function returns a single "
                           "Tensor with a single element.")
    return (Tensor._wrap(np.ones_like(outputs[0]._data)),)


def _differentiable(outputs, grads_out):
    pairs = [(o, g) for o, g in zip(outputs, grads_out) if o.requires_grad]
    return [o for o, _ in pairs], [g for _, g in pairs]


def _grad_or_zeros(outputs, inputs, grads_out, create_graph, retain_graph=None):
    outs, gos = _differentiable(outputs, grads_out)
    if not outs:
        return (None,) * len(inputs)
    return grad(outs, inputs, gos, retain_graph=retain_graph if retain_graph is not None else True,
                create_graph=create_graph, allow_unused=True)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T J)``."""
    with enable_grad():
        is_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "vjp")
        if v is None:
            v = _default_v(outputs, "vjp")
        else:
            v = _as_tuple(v, "v", "vjp")[1]
            _check_v(v, outputs, "vjp")
        grads = _grad_or_zeros(outputs, inputs, v, create_graph)
        result = _fill(grads, inputs, strict, create_graph, "vjp")
    outputs = _finish(outputs, create_graph)
    result = _finish(result, create_graph)
    return (outputs if out_tuple else outputs[0]), (result if is_tuple else result[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), J v)`` by the double-backward trick."""
    with enable_grad():
        is_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph)
        if v is None:
            if len(inputs) != 1 or inputs[0]._data.size != 1:
                raise RuntimeError("jvp: The vector v can only be None if the input to the user-provided function is a "
                                   "single Tensor with a single element.")
            v = (Tensor._wrap(np.ones_like(inputs[0]._data)),)
        else:
            v = _as_tuple(v, "v", "jvp")[1]
            _check_v(v, inputs, "jvp")
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jvp")
        dummies = tuple(Tensor._wrap(np.zeros_like(o._data), requires_grad=True) for o in outputs)
        grads = _grad_or_zeros(outputs, inputs, dummies, create_graph=True)
        pairs = [(g, t) for g, t in zip(grads, v) if g is not None and g.requires_grad]
        if pairs:
            jv = grad([g for g, _ in pairs], dummies, [t for _, t in pairs], create_graph=create_graph,
                      allow_unused=True)
        else:
            jv = (None,) * len(outputs)
        if strict and any(g is None for g in grads):
            i = next(i for i, g in enumerate(grads) if g is None)
            raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is not "
                               "allowed in strict mode.")
        result = _fill(jv, outputs, False, create_graph, "jvp")
    outputs = _finish(outputs, create_graph)
    result = _finish(result, create_graph)
    return (outputs if out_tuple else outputs[0]), (result if out_tuple else result[0])


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian, one VJP per output element (``vectorize`` is accepted for compatibility and does not batch).

    Shapes as torch's: for one input and one output, ``output.shape + input.shape``; with tuples, a tuple (per
    output) of tuples (per input)."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    if strategy == "forward-mode" and not vectorize:
        raise ValueError("torch.autograd.functional.jacobian: `strategy=\"forward-mode\"` requires `vectorize=True`.")
    with enable_grad():
        is_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jacobian")
        rows = []
        for i, out in enumerate(outputs):
            flat = out.reshape(-1)
            per_input = [[] for _ in inputs]
            for j in range(flat.shape[0]):  # one VJP per output element, as torch's non-vectorized jacobian
                gs = (None,) * len(inputs)
                if flat.requires_grad:
                    gs = grad(flat[j], inputs, retain_graph=True, create_graph=create_graph, allow_unused=True)
                for k, (g, x) in enumerate(zip(gs, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of input {k}. "
                                               "This is not allowed in strict mode.")
                        g = Tensor._wrap(np.zeros_like(x._data))
                    per_input[k].append(g)
            from .. import stack

            blocks = []
            for k, x in enumerate(inputs):
                if per_input[k]:
                    block = stack(per_input[k]).reshape(tuple(out.shape) + tuple(x.shape))
                else:
                    block = Tensor._wrap(np.zeros(tuple(out.shape) + tuple(x.shape), dtype=x._data.dtype))
                blocks.append(block if create_graph else block.detach())
            rows.append(tuple(blocks))
    if not out_tuple and not is_tuple:
        return rows[0][0]
    if not out_tuple:
        return rows[0]
    if not is_tuple:
        return tuple(r[0] for r in rows)
    return tuple(rows)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a function returning one single-element Tensor: the Jacobian of its gradient."""
    is_tuple, tup = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*xs):
        out = func(*xs)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        if out_tuple or outs[0]._data.size != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor with a single element")
        g = jacobian(lambda *a: func(*a).reshape(()), xs, create_graph=True, strict=strict)
        return g

    res = jacobian(gradient, tup, create_graph=create_graph, strict=strict, strategy=outer_jacobian_strategy)
    return res if is_tuple else res[0][0]  # one input: the block itself, as torch's


def _scalar_output(func, inputs, fn):
    out = func(*inputs)
    out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", fn)
    if out_tuple or outs[0]._data.size != 1:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor with a single element")
    return outs[0]


def _hessian_products(func, inputs, v, create_graph, strict, fn, product):
    """Shared by vhp and hvp: the scalar output and its gradient (with a graph), then ``product(jac, inputs, v)``."""
    with enable_grad():
        is_tuple, inputs = _as_tuple(inputs, "inputs", fn)
        inputs = _prepare(inputs, create_graph)
        v = _vector(v, inputs, fn)
        out = _scalar_output(func, inputs, fn)
        jac = _fill(_grad_or_zeros((out,), inputs, (None,), create_graph=True), inputs, strict, True, "jacobian")
        res = _finish(_fill(product(jac, inputs, v), inputs, strict, create_graph, fn), create_graph)
    return _finish((out,), create_graph)[0], (res if is_tuple else res[0])


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T H)``."""
    return _hessian_products(func, inputs, v, create_graph, strict, "vhp",
                             lambda jac, xs, v: _grad_or_zeros(jac, xs, v, create_graph))


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), H v)`` by the double-backward trick."""

    def h_times_v(jac, xs, v):
        dummies = tuple(Tensor._wrap(np.zeros_like(x._data), requires_grad=True) for x in xs)
        back = _grad_or_zeros(jac, xs, dummies, create_graph=True)
        pairs = [(b, t) for b, t in zip(back, v) if b is not None and b.requires_grad]
        if not pairs:
            return (None,) * len(xs)
        return grad([b for b, _ in pairs], dummies, [t for _, t in pairs], create_graph=create_graph,
                    allow_unused=True)

    return _hessian_products(func, inputs, v, create_graph, strict, "hvp", h_times_v)


def _vector(v, inputs, fn):
    if v is None:
        if len(inputs) != 1 or inputs[0]._data.size != 1:
            raise RuntimeError(f"{fn}: The vector v can only be None if the input to the user-provided function is a "
                               "single Tensor with a single element.")
        return (Tensor._wrap(np.ones_like(inputs[0]._data)),)
    v = _as_tuple(v, "v", fn)[1]
    _check_v(v, inputs, fn)
    return v
