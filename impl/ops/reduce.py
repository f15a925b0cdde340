"""Reductions, scans and softmax: primitives with their derivatives, and compositions."""
import builtins
import collections

import numpy as np

from .._autograd import OUTPUT, apply, apply_fused
from .._tensor import Tensor
from . import elementwise as ew
from ._common import ensure_tensor, float_array, norm_dim, norm_dims

return_types_max = collections.namedtuple("max", ["values", "indices"])
return_types_min = collections.namedtuple("min", ["values", "indices"])


def _axes(input, dim, op):
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None  # torch: an empty dim list reduces over every dimension
    axes = norm_dims(dim, input._data.ndim, op)
    # A 0-d tensor accepts dim 0 / -1 (as torch) but has no numpy axis to reduce: reduce over none.
    return axes if input._data.ndim else ()


def _expand_back(g, x_shape, axes, keepdim):
    """Broadcast a reduced gradient back over the reduced ``axes``."""
    if not keepdim:
        g = np.expand_dims(g, axes)
    return np.broadcast_to(g, x_shape)


def sum(input, dim=None, keepdim=False, dtype=None):
    ensure_tensor(input, "sum")
    axes = _axes(input, dim, "sum")
    x = input._data
    if dtype is not None:
        from .._dtype import to_np

        x = x.astype(to_np(dtype))
    elif x.dtype.kind in "biu":
        x = x.astype(np.int64)  # as torch: integral sums accumulate in int64
    out = np.sum(x, axis=axes, keepdims=keepdim)
    shape = x.shape
    kept = tuple(1 if i in axes else n for i, n in enumerate(shape))
    return apply("SumBackward1", np.asarray(out), (input,), lambda g: (g.reshape(kept).expand(shape),))


def mean(input, dim=None, keepdim=False, dtype=None):
    ensure_tensor(input, "mean")
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {input.dtype}"
        )
    axes = _axes(input, dim, "mean")
    n = 1
    for a in axes:
        n *= input._data.shape[a]
    # sum then scale: no backward of its own. n == 0 gives nan, as torch.
    with np.errstate(divide="ignore", invalid="ignore"):
        return ew.mul(sum(input, dim=axes, keepdim=keepdim), (1.0 / n) if n else float("nan"))


def prod(input, dim=None, keepdim=False, dtype=None):
    ensure_tensor(input, "prod")
    x = input._data if dtype is None else input._data.astype(_np_dtype(dtype))
    if x.dtype.kind in "biu":
        x = x.astype(np.int64)
    if dim is None:
        flat = x.reshape(-1)
        out = np.asarray(np.prod(flat))
        if keepdim:
            out = out.reshape((1,) * x.ndim)

        def backward(g):
            return (_prod_grad(flat, 0).reshape(x.shape) * g.reshape(()),)

        return apply_fused("ProdBackward0", out, (input,), backward, saved=(input, OUTPUT))  # OUTPUT: as torch
    axis = norm_dim(dim, x.ndim, "prod")
    if x.ndim == 0:  # dim 0 of a 0-d tensor: the product of one element
        return apply_fused("ProdBackward1", x.copy(), (input,), lambda g: (g,), saved=(OUTPUT,))
    out = np.prod(x, axis=axis, keepdims=keepdim)

    def backward(g):
        return (_prod_grad(x, axis) * (g if keepdim else np.expand_dims(g, axis)),)

    return apply_fused("ProdBackward1", np.asarray(out), (input,), backward, saved=(input, OUTPUT))


def _np_dtype(d):
    from .._dtype import to_np

    return to_np(d)


def _prod_grad(x, axis):
    """d prod / d x_i = product of all other elements along ``axis``, exact even with zeros."""
    if x.shape[axis] == 0:
        return np.zeros_like(x)
    xm = np.moveaxis(x, axis, -1)
    ones = np.ones(xm.shape[:-1] + (1,), dtype=x.dtype)
    left = np.cumprod(np.concatenate([ones, xm[..., :-1]], axis=-1), axis=-1)
    right = np.flip(np.cumprod(np.flip(np.concatenate([xm[..., 1:], ones], axis=-1), -1), axis=-1), -1)
    return np.moveaxis(left * right, -1, axis)


def _amax_amin(input, dim, keepdim, np_fn, name):
    ensure_tensor(input, name.lower())
    axes = _axes(input, dim, name.lower())
    x = input._data
    # This module defines sum/any/max...: the Python builtins are reached as builtins.*.
    empty_axes = [a for a in axes if x.shape[a] == 0]
    if x.size == 0 and (dim is None or dim == () or dim == []):
        raise RuntimeError(
            f"{name.lower()}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )
    if empty_axes:
        raise IndexError(
            f"{name.lower()}(): Expected reduction dim {empty_axes[0] if empty_axes else 0} to have non-zero size "
            f"(input shape {tuple(x.shape)})"
        )
    outk = np_fn(x, axis=axes, keepdims=True)
    out = outk if keepdim else np.squeeze(outk, axis=axes)

    def backward(g):
        # Ties share the gradient evenly, as torch's amax/amin.
        # A nan result selects the nan entries (torch's evenly_distribute_backward does the same for max()).
        mask = (x == outk) | (np.isnan(x) & np.isnan(outk))
        count = mask.sum(axis=axes, keepdims=True)
        gk = g if keepdim else np.expand_dims(g, axes)
        return (np.where(mask, gk / count, 0).astype(g.dtype, copy=False),)

    return apply_fused(name + "Backward0", np.asarray(out), (input,), backward, saved=(input, OUTPUT))  # out is a view of outk


def amax(input, dim=(), keepdim=False):
    return _amax_amin(input, dim, keepdim, np.max, "Amax")


def amin(input, dim=(), keepdim=False):
    return _amax_amin(input, dim, keepdim, np.min, "Amin")


def _max_min(input, dim, keepdim, other, is_max):
    name = "max" if is_max else "min"
    if isinstance(dim, Tensor):
        other, dim = dim, None
    if other is not None:
        return ew.maximum(input, other) if is_max else ew.minimum(input, other)
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        return (amax if is_max else amin)(input)
    ensure_tensor(input, name)
    x = input._data
    axis = norm_dim(dim, x.ndim, name)
    if x.ndim and x.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size (shape {tuple(x.shape)})")
    xa = x if x.ndim else x.reshape(1)
    idx = (np.argmax if is_max else np.argmin)(xa, axis=axis, keepdims=True)
    vals = np.take_along_axis(xa, idx, axis=axis)
    if not keepdim or x.ndim == 0:
        idx_out, vals_out = np.squeeze(idx, axis), np.squeeze(vals, axis)
        if x.ndim == 0:
            idx_out, vals_out = idx_out.reshape(()), vals_out.reshape(())
    else:
        idx_out, vals_out = idx, vals

    def backward(g):
        # The whole gradient goes to the selected index, as torch's max(dim).
        z = np.zeros(xa.shape, dtype=g.dtype)
        gk = g.reshape(idx.shape)
        np.put_along_axis(z, idx, gk, axis=axis)
        return (z.reshape(x.shape),)

    values = apply_fused(("Max" if is_max else "Min") + "Backward0", vals_out, (input,), backward)
    ret = return_types_max if is_max else return_types_min
    return ret(values, Tensor._wrap(idx_out.astype(np.int64)))


def max(input, dim=None, keepdim=False, *, other=None):
    return _max_min(input, dim, keepdim, other, True)


def min(input, dim=None, keepdim=False, *, other=None):
    return _max_min(input, dim, keepdim, other, False)


def _arg(np_fn, name):
    def f(input, dim=None, keepdim=False):
        x = input._data
        if dim is None:
            if x.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            out = np.asarray(np_fn(x.reshape(-1)))
            if keepdim:
                out = out.reshape((1,) * x.ndim)
        else:
            axis = norm_dim(dim, x.ndim, name)
            xa = x if x.ndim else x.reshape(1)
            out = np_fn(xa, axis=axis, keepdims=keepdim)
            if x.ndim == 0:
                out = out.reshape(())
        return Tensor._wrap(np.asarray(out, dtype=np.int64))

    f.__name__ = name
    return f


argmax = _arg(np.argmax, "argmax")
argmin = _arg(np.argmin, "argmin")


def _bool_reduce(np_fn, name):
    def f(input, dim=None, keepdim=False):
        axes = _axes(input, dim, name)
        return Tensor._wrap(np.asarray(np_fn(input._data, axis=axes, keepdims=keepdim)))

    f.__name__ = name
    return f


all = _bool_reduce(np.all, "all")
any = _bool_reduce(np.any, "any")


def count_nonzero(input, dim=None):
    axes = _axes(input, dim, "count_nonzero")
    return Tensor._wrap(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, bool):  # var(x, False): the legacy positional `unbiased`
        unbiased, dim = dim, None
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    ensure_tensor(input, "var")
    axes = _axes(input, dim, "var")
    n = 1
    for a in axes:
        n *= input._data.shape[a]
    centered = ew.sub(input, mean(input, dim=axes, keepdim=True))
    ss = sum(ew.mul(centered, centered), dim=axes, keepdim=keepdim)
    denom = n - correction
    # denom <= 0 gives inf/nan, as torch (which also warns)
    with np.errstate(divide="ignore", invalid="ignore"):
        return ew.mul(ss, (1.0 / denom) if denom > 0 else float("inf"))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    v = var(input, dim, unbiased, keepdim, correction=correction)
    out = np.sqrt(v._data)

    def backward(g):
        # Not ew.sqrt: torch's std backward is 0 where std == 0 (sqrt's g / (2 * 0) = inf would make 0 * inf = nan).
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.where(out == 0, 0, g / (2 * out)).astype(g.dtype, copy=False),)

    return apply_fused("StdBackward0", out, (v,), backward, saved=(OUTPUT,))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def logsumexp(input, dim, keepdim=False):
    ensure_tensor(input, "logsumexp")
    axes = _axes(input, dim, "logsumexp")
    x = float_array(input)
    if x.size == 0:
        m = np.zeros(tuple(1 if i in axes else s for i, s in enumerate(x.shape)), dtype=x.dtype)
    else:
        m = np.max(x, axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)  # all -inf rows stay -inf
    with np.errstate(divide="ignore"):
        outk = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
    out = outk if keepdim else np.squeeze(outk, axis=axes)

    def backward(g):
        gk = g if keepdim else np.expand_dims(g, axes)
        return (gk * np.exp(x - outk),)

    return apply_fused("LogsumexpBackward0", np.asarray(out), (input,), backward, saved=(input, OUTPUT))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    ensure_tensor(input, "norm")
    if p == "fro" or p == 2 or p is None:
        axes = _axes(input, dim, "norm")
        x = float_array(input)
        outk = np.sqrt(np.sum(x * x, axis=axes, keepdims=True))
        out = outk if keepdim else np.squeeze(outk, axis=axes)

        def backward(g):
            gk = g if keepdim else np.expand_dims(g, axes)
            with np.errstate(divide="ignore", invalid="ignore"):
                # The subgradient at 0 is 0, as torch (not the nan of sqrt's chain rule).
                return (np.where(outk == 0, 0, gk * x / outk).astype(x.dtype, copy=False),)

        return apply_fused("NormBackward1", np.asarray(out), (input,), backward, saved=(input, OUTPUT))
    if p in (float("inf"), -float("inf")):
        axes = _axes(input, dim, "norm")
        if input._data.size == 0 and (not axes or builtins.any(input._data.shape[a] == 0 for a in axes)):
            raise RuntimeError(
                f"norm: linalg.vector_norm cannot compute the {p} norm on an empty tensor because the operation "
                f"does not have an identity (input shape {tuple(input._data.shape)}, dim {dim})"
            )
    if p == float("inf"):
        return amax(ew.abs(input), dim=dim if dim is not None else (), keepdim=keepdim)
    if p == -float("inf"):
        return amin(ew.abs(input), dim=dim if dim is not None else (), keepdim=keepdim)
    if p == 0:
        return sum(ew.ne(input, 0).float(), dim=dim, keepdim=keepdim)
    axes = _axes(input, dim, "norm")
    return _pnorm(input, p, axes, keepdim)


def _pnorm(input, p, axes, keepdim):
    """(sum |x|^p)^(1/p) as one primitive: the composition's chain rule is inf*0 = nan at a zero vector
    (regression 047). The derivative masks as torch's norm_backward does."""
    x = float_array(input)
    ax = np.abs(x)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        outk = np.sum(ax**p, axis=axes, keepdims=True) ** (1.0 / p)
    out = outk if keepdim else np.squeeze(outk, axis=axes)

    def backward(g):
        gk = g if keepdim else np.expand_dims(g, axes)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            # d||x||_p/dx = sign(x) |x|^(p-1) / ||x||^(p-1); for p >= 2 written x |x|^(p-2), as torch (keeps -0.0)
            x_scaled = np.sign(x) * ax ** (p - 1) if p < 2 else x * ax ** (p - 2)
            if p < 1:
                # |x|^(p-1) is inf at x == 0: that entry contributes nothing (torch masks it the same way)
                return (np.where(x == 0, 0, x_scaled) * gk * outk ** (1 - p)).astype(x.dtype, copy=False),
            scale = np.where(outk == 0, 0, gk / outk ** (p - 1))  # 0 at a zero vector, as torch
            return (x_scaled * scale).astype(x.dtype, copy=False),

    return apply_fused("NormBackward1", np.asarray(out), (input,), backward, saved=(input, OUTPUT))


def cumsum(input, dim, dtype=None):
    ensure_tensor(input, "cumsum")
    x = input._data if dtype is None else input._data.astype(_np_dtype(dtype))
    if x.dtype.kind in "biu":
        x = x.astype(np.int64)
    axis = norm_dim(dim, x.ndim, "cumsum")
    if x.ndim == 0:
        return apply_fused("CumsumBackward0", x.copy(), (input,), lambda g: (g,))
    out = np.cumsum(x, axis=axis)
    # d/dx_j of sum_{i>=j} ... : a reversed cumulative sum of the gradient.
    return apply_fused(
        "CumsumBackward0", out, (input,), lambda g: (np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis),)
    )


def _legacy_softmax_dim(ndim):
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, dtype=None, _stacklevel=3):
    ensure_tensor(input, "softmax")
    if dtype is not None:
        input = input.to(dtype)
    x = float_array(input)
    axis = norm_dim(_legacy_softmax_dim(x.ndim) if dim is None else dim, x.ndim, "softmax")
    if x.ndim == 0:
        return apply_fused("SoftmaxBackward0", np.ones_like(x), (input,), lambda g: (np.zeros_like(g),), saved=(OUTPUT,))
    # Shift by the max: exp never overflows (the historical NaN on large logits).
    e = np.exp(x - np.max(x, axis=axis, keepdims=True)) if x.size else x.copy()
    out = e / np.sum(e, axis=axis, keepdims=True)
    return apply_fused(
        "SoftmaxBackward0", out, (input,), lambda g: (out * (g - np.sum(g * out, axis=axis, keepdims=True)),),
        saved=(OUTPUT,),
    )


def log_softmax(input, dim=None, dtype=None, _stacklevel=3):
    ensure_tensor(input, "log_softmax")
    if dtype is not None:
        input = input.to(dtype)
    x = float_array(input)
    axis = norm_dim(_legacy_softmax_dim(x.ndim) if dim is None else dim, x.ndim, "log_softmax")
    if x.ndim == 0:
        return apply_fused("LogSoftmaxBackward0", np.zeros_like(x), (input,), lambda g: (np.zeros_like(g),), saved=(OUTPUT,))
    if x.size == 0:
        return apply_fused("LogSoftmaxBackward0", x.copy(), (input,), lambda g: (g,), saved=(OUTPUT,))
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)
    shifted = x - m
    with np.errstate(divide="ignore"):
        out = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return apply_fused(
        "LogSoftmaxBackward0",
        out,
        (input,),
        lambda g: (g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),),
        saved=(OUTPUT,),
    )
