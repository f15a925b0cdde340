"""Reductions, scans and softmax: primitives with their derivatives, and compositions."""
import builtins
import collections

import numpy as np

from .._autograd import OUTPUT, _GradMode, apply, apply_fused
from .._tensor import Tensor
from . import elementwise as ew
from ._common import ensure_tensor, float_array, from_opmath, is_low_precision, norm_dim, norm_dims, opmath
from ._registry import op

return_types_max = collections.namedtuple("max", ["values", "indices"])
return_types_min = collections.namedtuple("min", ["values", "indices"])


def _axes(input, dim, op):
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None  # torch: an empty dim list reduces over every dimension
    axes = norm_dims(dim, input._data.ndim, op)
    # A 0-d tensor accepts dim 0 / -1 (as torch) but has no numpy axis to reduce: reduce over none.
    return axes if input._data.ndim else ()


def _kept_shape(shape, axes):
    """``shape`` with the reduced ``axes`` kept as size 1: what a reduced gradient is reshaped to, so that it
    broadcasts back over the input."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _unreduce(t, kept, keepdim):
    """A reduced Tensor (gradient or output) reshaped to ``kept``, as an impl op (recorded under create_graph)."""
    return t if keepdim else t.reshape(kept)


def _spread(g, kept, shape):
    """A reduced gradient spread back over the input: reshaped to ``kept`` and expanded to ``shape``. A first-order
    backward records no graph, so there it is the array itself (two view ops' dispatch saved on every sum node)."""
    if _GradMode.enabled:
        return g.reshape(kept).expand(shape)
    a = g._data.reshape(kept)
    # nothing repeated (only unit dims): a writable reshape, as expand gives
    return a.reshape(shape) if a.size == g._data.size and a.size == _numel(shape) else np.broadcast_to(a, shape)


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _constant(arr, dtype):
    """A piecewise-constant factor (mask, weights) as a Tensor that carries no gradient."""
    return Tensor._wrap(arr.astype(dtype, copy=False))


def _masked_div(num, den, zero, power=1):
    """``num / den**power`` where ``den`` is nonzero and 0 where ``zero`` (a numpy mask of ``den == 0``) holds,
    written so that its derivatives stay finite there too: the divisor is shifted to 1 on the masked entries (den
    is 0 there, so the shift is exact) before the where() that zeroes them (+0.0, as torch's masked_fill); a
    where() over the plain quotient would route 0 * inf = nan into the second derivative."""
    if not zero.any():
        return num / (den if power == 1 else den**power)
    d = den + _constant(zero, den._data.dtype)
    return ew.where(Tensor._wrap(zero), 0.0, num / (d if power == 1 else d**power))


@op
def sum(input, dim=None, keepdim=False, dtype=None):
    ensure_tensor(input, "sum")
    axes = _axes(input, dim, "sum")
    if dtype is not None:  # converted first (a recorded cast), so the sum is computed in dtype, as torch
        input = input.to(dtype)
    x = input._data
    if dtype is None and x.dtype.kind in "biu":
        x = x.astype(np.int64)  # as torch: integral sums accumulate in int64
    out = np.sum(x, axis=axes, keepdims=keepdim)
    shape = x.shape
    kept = _kept_shape(shape, axes)
    return apply("SumBackward1", np.asanyarray(out), (input,), lambda g: (_spread(g, kept, shape),))


@op
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
    x = input._data
    if is_low_precision(x):  # torch: accumulate in float32, divide, round once (sum-then-scale would round twice)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = from_opmath(np.sum(opmath(x), axis=axes, keepdims=keepdim) / np.float32(n), x)
        kept, shape = _kept_shape(x.shape, axes), x.shape
        return apply("MeanBackward1", out, (input,), lambda g: (ew.div(g.reshape(kept).expand(shape), n),))
    # sum then scale (n == 0 gives nan, as torch); the scale saves nothing, as torch's mean (not a mul by a wrapped
    # scalar, which torch's node would save)
    return _scale(sum(input, dim=axes, keepdim=keepdim), (1.0 / n) if n else float("nan"))


def _scale(t, c):
    """``t * c`` for a Python float ``c``, recorded as a node that saves nothing (its gradient is ``g * c``)."""
    with np.errstate(invalid="ignore", over="ignore"):
        out = np.asanyarray(t._data * t._data.dtype.type(c))
    return apply("MeanBackward1", out, (t,), lambda g: (g * c,))


@op
def prod(input, dim=None, keepdim=False, dtype=None):
    ensure_tensor(input, "prod")
    if dtype is not None:
        input = input.to(dtype)
    x = input._data
    if x.dtype.kind in "biu":
        x = x.astype(np.int64)
    if dim is None:
        out = np.asanyarray(np.prod(x.reshape(-1)))
        if keepdim:
            out = out.reshape((1,) * x.ndim)
        axes = tuple(range(x.ndim))
        backward = _prod_backward(input, axes, _kept_shape(x.shape, axes), keepdim)
        return apply("ProdBackward0", out, (input,), backward, saved=(input, OUTPUT))  # OUTPUT: as torch
    axis = norm_dim(dim, x.ndim, "prod")
    if x.ndim == 0:  # dim 0 of a 0-d tensor: the product of one element
        return apply("ProdBackward1", x.copy(), (input,), lambda g, out: (g,), saved=(input, OUTPUT))  # as torch
    out = np.prod(x, axis=axis, keepdims=keepdim)
    backward = _prod_backward(input, (axis,), _kept_shape(x.shape, (axis,)), keepdim)
    return apply("ProdBackward1", np.asanyarray(out), (input,), backward, saved=(input, OUTPUT))


def _np_dtype(d):
    from .._dtype import to_np

    return to_np(d)


def _prod_backward(input, axes, kept, keepdim):
    def backward(g, out):
        gk, ok = _unreduce(g, kept, keepdim), _unreduce(out, kept, keepdim)
        x = input._data
        special = (x == 0) | ~np.isfinite(x)
        if not special.any():
            return (gk * (ok / input),)  # torch's grad * (result / input)
        return (gk * _prod_of_others(input, ok, special, axes),)

    return backward


def _prod_over(t, axes):
    """The product of ``t`` over ``axes`` (all of them, or one), shape kept."""
    if len(axes) == 1:
        return prod(t, axes[0], keepdim=True)
    return prod(t).reshape(_kept_shape(t.shape, axes))


def _prod_of_others(input, out_k, special, axes):
    """d prod / d x_i = the product of the other entries of x_i's slice, exact where result / x is not (zero, inf
    or nan entries: torch's inf / inf = nan, float64 finite differences give the product of the others), written
    with impl ops so that its own derivative (d2 prod / dx_i dx_j = the product of all but x_i, x_j) is right:

    - an ordinary entry: out / x (0 when its slice holds a zero, and its derivative is the right one);
    - a special entry (zero, inf, nan): the product of the slice's ordinary entries times that of its other
      special entries -- the latter a constant (1 for the only one; 0 beside a zero, inf beside an inf);
    - one of a slice's two zeros (and no other special entry): that constant is 0, but its derivative w.r.t. the
      other zero is not: the term ``ordinary product * (sum of the slice's zeros - x_i)`` adds it (value 0).
    """
    x = input._data
    dt = x.dtype
    s = Tensor._wrap(special)
    safe = ew.where(s, 1.0, input)  # the special entries replaced by a constant 1
    ordinary_prod = _prod_over(safe, axes)
    rest = np.where(special, _exclusive_prod(np.where(special, x, 1).astype(dt), axes), 0).astype(dt)
    others = ew.where(s, ordinary_prod * _constant(rest, dt), out_k / safe)
    zero = x == 0
    pair = zero & (special.sum(axis=axes, keepdims=True) == 2) & (zero.sum(axis=axes, keepdims=True) == 2)
    if pair.any():
        z = Tensor._wrap(zero)
        other_zero = ew.where(z, input, 0.0).sum(dim=axes, keepdim=True) - input
        others = others + ew.where(Tensor._wrap(pair), ordinary_prod * other_zero, 0.0)
    return others


def _exclusive_prod(x, axes):
    """numpy: for each entry, the product of the other entries of its slice over ``axes`` (one axis, or all),
    by prefix and suffix products (exact with zeros, no division)."""
    if len(axes) != 1:
        return _exclusive_prod(x.reshape(-1), (0,)).reshape(x.shape)
    axis = axes[0]
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
    kept = outk.shape

    def backward(g, out):  # out: saved as torch's (version-checked); the mask reads the same values as outk
        # Ties share the gradient evenly, as torch's amax/amin (grad * mask / count; the mask is constant).
        # A nan result selects the nan entries (torch's evenly_distribute_backward does the same for max()).
        mask = (x == outk) | (np.isnan(x) & np.isnan(outk))
        weights = mask / mask.sum(axis=axes, keepdims=True)
        return (_unreduce(g, kept, keepdim) * _constant(weights, g._data.dtype),)

    return apply(name + "Backward0", np.asanyarray(out), (input,), backward, saved=(input, OUTPUT))  # out is a view of outk


@op
def amax(input, dim=(), keepdim=False):
    return _amax_amin(input, dim, keepdim, np.max, "Amax")


@op
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
        # The whole gradient goes to the selected index, as torch's max(dim) (a scatter: where, not a product,
        # so that an inf gradient leaves the other entries 0).
        selected = np.zeros(xa.shape, dtype=bool)
        np.put_along_axis(selected, idx, True, axis=axis)
        gx = ew.where(Tensor._wrap(selected), g.reshape(idx.shape), 0.0)
        return (gx if x.ndim else gx.reshape(()),)

    # torch's node saves the returned indices (not the input): an in-place edit of them makes backward raise
    indices = Tensor._wrap(idx_out.astype(np.int64))
    values = apply(("Max" if is_max else "Min") + "Backward0", vals_out, (input,), backward, saved=(indices,))
    ret = return_types_max if is_max else return_types_min
    return ret(values, indices)


@op
def max(input, dim=None, keepdim=False, *, other=None):
    return _max_min(input, dim, keepdim, other, True)


@op
def min(input, dim=None, keepdim=False, *, other=None):
    return _max_min(input, dim, keepdim, other, False)


def _arg(np_fn, name):
    def f(input, dim=None, keepdim=False):
        x = input._data
        if dim is None:
            if x.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            out = np.asanyarray(np_fn(x.reshape(-1)))
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
    return op(f)


argmax = _arg(np.argmax, "argmax")
argmin = _arg(np.argmin, "argmin")


def _bool_reduce(np_fn, name):
    def f(input, dim=None, keepdim=False):
        axes = _axes(input, dim, name)
        return Tensor._wrap(np.asanyarray(np_fn(input._data, axis=axes, keepdims=keepdim)))

    f.__name__ = name
    return op(f)


all = _bool_reduce(np.all, "all")
any = _bool_reduce(np.any, "any")


@op
def count_nonzero(input, dim=None):
    axes = _axes(input, dim, "count_nonzero")
    return Tensor._wrap(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64))


@op
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
    denom = n - correction
    if is_low_precision(input._data):
        return _var_low_precision(input, axes, keepdim, denom)
    factor = (1.0 / denom) if denom > 0 else float("inf")  # denom <= 0 gives inf/nan, as torch (which also warns)
    # A primitive over the composite's values: torch's var saves its input (a composite would save input - mean,
    # and an in-place edit of the input would not make the backward raise as torch's does).
    prev, _GradMode.enabled = _GradMode.enabled, False
    try:
        centered = ew.sub(input, mean(input, dim=axes, keepdim=True))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = ew.mul(sum(ew.mul(centered, centered), dim=axes, keepdim=keepdim), factor)._data
    finally:
        _GradMode.enabled = prev
    kept = _kept_shape(input._data.shape, axes)

    def backward(g):  # torch's var_backward: 2 / (n - correction) * grad * (input - mean)
        with np.errstate(invalid="ignore"):
            return (_unreduce(g, kept, keepdim) * (input - mean(input, dim=axes, keepdim=True)) * (2 * factor),)

    return apply("VarBackward0", out, (input,), backward, saved=(input,))


def _var_opmath(x, axes, keepdim, denom):
    xo = opmath(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = xo - np.mean(xo, axis=axes, keepdims=True) if xo.size else xo
        return np.sum(c * c, axis=axes, keepdims=keepdim) * np.float32(1.0 / denom if denom > 0 else np.inf)


def _var_low_precision(input, axes, keepdim, denom):
    """float16/bfloat16: mean, squares and sum in float32, one rounding at the end (torch's CPU kernel); the
    composite above would round the mean, the deviations and the squares to the low precision first."""
    x = input._data
    out = from_opmath(_var_opmath(x, axes, keepdim, denom), x)
    kept = _kept_shape(x.shape, axes)

    def backward(g):  # torch's var_backward: g * 2 (x - mean) / denom
        centered = ew.sub(input, mean(input, dim=axes, keepdim=True))
        return (ew.mul(ew.mul(_unreduce(g, kept, keepdim), centered), 2.0 / denom if denom > 0 else float("inf")),)

    return apply("VarBackward0", out, (input,), backward, saved=(input,))


@op
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    v = var(input, dim, unbiased, keepdim, correction=correction)
    if is_low_precision(v._data):  # the square root of the float32 variance, rounded once (torch's)
        if isinstance(dim, bool):
            unbiased, dim = dim, None
        correction = (1 if unbiased is None or unbiased else 0) if correction is None else correction
        axes = _axes(input, dim, "std")
        n = int(np.prod([input._data.shape[a] for a in axes]))
        out = from_opmath(np.sqrt(_var_opmath(input._data, axes, keepdim, n - correction)), v._data)
    else:
        out = np.sqrt(v._data)

    def backward(g, out):
        # Not ew.sqrt: torch's std backward is 0 where std == 0 (sqrt's g / (2 * 0) = inf would make 0 * inf = nan).
        return (_masked_div(g, out * 2, out._data == 0),)

    return apply("StdBackward0", out, (v,), backward, saved=(OUTPUT,))


@op(method=False)
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


@op(method=False)
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


@op
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
    kept = outk.shape

    def backward(g, out):  # torch's grad * exp(input - result)
        return (_unreduce(g, kept, keepdim) * (input - _unreduce(out, kept, keepdim)).exp(),)

    return apply("LogsumexpBackward0", np.asanyarray(out), (input,), backward, saved=(input, OUTPUT))


def _norm_method(self, p="fro", dim=None, keepdim=False, dtype=None):  # Tensor.norm has no out= (torch.norm has)
    return norm(self, p, dim, keepdim, dtype=dtype)


@op(method=_norm_method)
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    ensure_tensor(input, "norm")
    if out is not None:
        raise NotImplementedError("norm(): out= is not supported (impl ops return new tensors)")
    if dtype is not None:  # computed in dtype, as torch; the gradient comes back in the input's dtype
        input = input.to(dtype)
    if p == "fro" or p == 2 or p is None:
        axes = _axes(input, dim, "norm")
        x = float_array(input)
        xo = opmath(x)  # float16/bfloat16: accumulate in float32, round once (torch's)
        outk = from_opmath(np.sqrt(np.sum(xo * xo, axis=axes, keepdims=True)), x)
        out = outk if keepdim else np.squeeze(outk, axis=axes)
        kept = outk.shape

        def backward(g, out):
            # torch's grad * (input / norm), 0 where norm == 0 (not the nan of sqrt's chain rule).
            ok = _unreduce(out, kept, keepdim)
            return (_unreduce(g, kept, keepdim) * _masked_div(input, ok, ok._data == 0),)

        return apply("NormBackward1", np.asanyarray(out), (input,), backward, saved=(input, OUTPUT))
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
    kept = outk.shape

    def backward(g, out):
        gk, ok = _unreduce(g, kept, keepdim), _unreduce(out, kept, keepdim)
        if p == 1:
            return (input.sign() * gk,)  # torch's sgn(x) * grad (|x|^0 would put 0 * inf into the second derivative)
        # d||x||_p/dx = sign(x) |x|^(p-1) / ||x||^(p-1); for p >= 2 written x |x|^(p-2), as torch (keeps -0.0)
        ax = input.abs()
        if p < 1:
            # |x|^(p-1) is inf at x == 0: that entry contributes nothing (torch masks it the same way). |x| is
            # shifted to 1 there (sign(0) = 0 zeroes the entry) so that the second derivative stays finite.
            x_scaled = input.sign() * (ax + _constant(x == 0, x.dtype)) ** (p - 1)
            return (x_scaled * gk * ok ** (1 - p),)
        x_scaled = input.sign() * ax ** (p - 1) if p < 2 else input * ax ** (p - 2)
        return (x_scaled * _masked_div(gk, ok, ok._data == 0, p - 1),)  # 0 at a zero vector, as torch

    return apply("NormBackward1", np.asanyarray(out), (input,), backward, saved=(input, OUTPUT))


@op
def cumsum(input, dim, dtype=None):
    ensure_tensor(input, "cumsum")
    if dtype is not None:
        input = input.to(dtype)
    x = input._data
    if x.dtype.kind in "biu":
        x = x.astype(np.int64)
    axis = norm_dim(dim, x.ndim, "cumsum")
    if x.ndim == 0:
        return apply("CumsumBackward0", x.copy(), (input,), lambda g: (g,))
    out = from_opmath(np.cumsum(opmath(x), axis=axis), x)
    # d/dx_j of sum_{i>=j} ... : a reversed cumulative sum of the gradient.
    return apply("CumsumBackward0", out, (input,), lambda g: (g.flip((axis,)).cumsum(axis).flip((axis,)),))


def _legacy_softmax_dim(ndim):
    return 0 if ndim in (0, 1, 3) else 1


def _zero_grad(g, out):
    return (Tensor._wrap(np.zeros_like(g._data)),)


@op
def softmax(input, dim=None, dtype=None, _stacklevel=3):
    ensure_tensor(input, "softmax")
    if dtype is not None:
        input = input.to(dtype)
    x = float_array(input)
    axis = norm_dim(_legacy_softmax_dim(x.ndim) if dim is None else dim, x.ndim, "softmax")
    if x.ndim == 0:
        return apply("SoftmaxBackward0", np.ones_like(x), (input,), _zero_grad, saved=(OUTPUT,))
    # Shift by the max: exp never overflows (the historical NaN on large logits).
    xo = opmath(x)
    e = np.exp(xo - np.max(xo, axis=axis, keepdims=True)) if x.size else xo.copy()
    out = from_opmath(e / np.sum(e, axis=axis, keepdims=True), x)
    # First order runs the numpy derivative (the Tensor-op closure measured ~2x slower on small rows);
    # create_graph differentiates the same output recorded with its derivative in impl ops.
    return apply_fused(
        "SoftmaxBackward0", out, (input,), lambda g: (out * (g - np.sum(g * out, axis=axis, keepdims=True)),),
        saved=(OUTPUT,), composite=lambda t: apply("SoftmaxBackward0", out, (t,), _softmax_backward(axis), saved=(OUTPUT,)),
    )


def _softmax_backward(axis):
    return lambda g, out: (out * (g - (g * out).sum(axis, keepdim=True)),)  # torch's out * (g - sum(g * out))


@op
def log_softmax(input, dim=None, dtype=None, _stacklevel=3):
    ensure_tensor(input, "log_softmax")
    if dtype is not None:
        input = input.to(dtype)
    x = float_array(input)
    axis = norm_dim(_legacy_softmax_dim(x.ndim) if dim is None else dim, x.ndim, "log_softmax")
    if x.ndim == 0:
        return apply("LogSoftmaxBackward0", np.zeros_like(x), (input,), _zero_grad, saved=(OUTPUT,))
    if x.size == 0:
        return apply("LogSoftmaxBackward0", x.copy(), (input,), lambda g, out: (g,), saved=(OUTPUT,))
    xo = opmath(x)
    m = np.max(xo, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0).astype(xo.dtype, copy=False)
    shifted = xo - m
    with np.errstate(divide="ignore"):
        out = from_opmath(shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True)), x)
    # numpy for first order, impl ops for create_graph: as softmax.
    return apply_fused(
        "LogSoftmaxBackward0", out, (input,), lambda g: (g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),),
        saved=(OUTPUT,), composite=lambda t: apply("LogSoftmaxBackward0", out, (t,), _log_softmax_backward(axis), saved=(OUTPUT,)),
    )


def _log_softmax_backward(axis):
    return lambda g, out: (g - out.exp() * g.sum(axis, keepdim=True),)  # torch's g - exp(out) * sum(g)
