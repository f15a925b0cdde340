"""batch_norm, layer_norm, group_norm, normalize, cosine_similarity.

The three statistics-based norms share one fused primitive, ``_norm_affine``: standardise over some axes
then scale/shift per feature. Fused because the composite (mean, sub, var, sqrt, div, mul, add) builds
~10 graph nodes and as many full-size temporaries, and the closed-form backward
``dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))`` is both cheaper and more accurate.
"""
import numpy as np

from ..._autograd import also_saves, apply_fused, no_grad
from ..._tensor import Tensor
from ...ops import elementwise as ew
from ...ops import reduce, shape
from ...ops._common import from_opmath, opmath
from ...ops._lowprec import rounded_once
from ._utils import check_float, size_str


def _sum_prod(a, b, axes, keepdims=False):
    """sum(a * b) over ``axes`` (a, b of one shape) by einsum: ~3x faster than forming the full-size product."""
    if a.size == 0:
        return np.sum(a * b, axis=axes, keepdims=keepdims)
    idx = "abcdefghijklmnopqrstuvwxyz"[: a.ndim]
    r = np.einsum(f"{idx},{idx}->{''.join(c for i, c in enumerate(idx) if i not in axes)}", a, b)
    return r.reshape(tuple(1 if i in axes else d for i, d in enumerate(a.shape))) if keepdims else r


def _mean_prod(a, b, axes, n):
    if a.size == 0:
        return np.mean(a * b, axis=axes, keepdims=True)
    return _sum_prod(a, b, axes, keepdims=True) / n


def _norm_affine(name, x_t, w_t, b_t, axes, param_shape, eps, saves_bias=False):
    """y = (x - mean) / sqrt(var + eps) * w + b, statistics over ``axes``; w, b reshaped to ``param_shape``.

    Returns (y Tensor, batch mean ndarray, biased batch var ndarray) -- the stats feed running averages.
    ``saves_bias``: the bias is saved (version-checked) too, as torch's layer norm saves it (group and batch norm
    do not). Full-size temporaries are updated in place where the expression allows it (same operations, same order,
    hence the same rounding): each one avoided is a pass over memory and a fresh allocation.
    """
    x_low = x_t._data
    # float16/bfloat16: statistics, standardisation and the affine map in float32 (as torch's CPU kernels), one
    # rounding at the end; the backward too (the engine rounds each gradient to its input's dtype)
    x = opmath(x_low)
    n = int(np.prod([x.shape[a] for a in axes]))
    mean = x.mean(axis=axes, keepdims=True)
    xhat = x - mean
    var = _mean_prod(xhat, xhat, axes, n)
    rstd = 1.0 / np.sqrt(var + x.dtype.type(eps))
    xhat *= rstd  # (x - mean) * rstd
    w = None if w_t is None else opmath(w_t._data).reshape(param_shape)
    b = None if b_t is None else opmath(b_t._data).reshape(param_shape)
    # Never return xhat itself: the backward reads it, and an in-place op on the output must not change it.
    out = xhat * w if w is not None else (xhat + b if b is not None else xhat.copy())
    if w is not None and b is not None:
        if out.dtype == np.result_type(out, b):
            out += b
        else:
            out = out + b
    out = from_opmath(out, x_low)
    param_axes = tuple(i for i, s in enumerate(param_shape) if s == 1) if w_t is not None or b_t is not None else ()

    def backward(g):
        g = opmath(g)
        gx = gw = gb = None
        if w_t is not None and w_t.requires_grad:
            gw = _sum_prod(g, xhat, param_axes).reshape(w_t._data.shape)
        if b_t is not None and b_t.requires_grad:
            gb = np.sum(g, axis=param_axes).reshape(b_t._data.shape)
        if x_t.requires_grad:
            gh = g * w if w is not None else g
            m1 = gh.mean(axis=axes, keepdims=True)
            m2 = _mean_prod(gh, xhat, axes, n)
            # rstd * (gh - m1 - xhat * m2), evaluated in that order into one buffer (gh's own when it is fresh)
            dt = np.result_type(gh, m1)
            gx = np.subtract(gh, m1, out=gh) if w is not None and gh.dtype == dt else np.subtract(gh, m1, dtype=dt)
            gx -= xhat * m2
            gx *= rstd
        return gx, gw, gb

    def composite(x_t, w_t, b_t):
        """The same standardisation in impl ops: mean, biased variance, rsqrt, then the affine map."""
        xc = ew.sub(x_t, reduce.mean(x_t, axes, keepdim=True))
        y = ew.mul(xc, ew.rsqrt(ew.add(reduce.mean(ew.mul(xc, xc), axes, keepdim=True), eps)))
        if w_t is not None:
            y = ew.mul(y, shape.reshape(w_t, param_shape))
        if b_t is not None:
            y = ew.add(y, shape.reshape(b_t, param_shape))
        return y

    y = apply_fused(name, out, (x_t, w_t, b_t), backward, saved=(x_t, w_t, b_t if saves_bias else None),
                    composite=composite)
    return y, mean, var, n


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    op = "layer_norm"
    check_float(input, op)
    ns = (int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer)) else tuple(int(s) for s in normalized_shape)
    x = input._data
    k = len(ns)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != ns:
        raise RuntimeError(
            f"{op}: Given normalized_shape={list(ns)}, expected input with shape [*, {', '.join(map(str, ns))}], "
            f"but got input of size{size_str(x.shape)}"
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p._data.shape) != ns:
            raise RuntimeError(f"{op}: Expected {name} to be of same shape as normalized_shape, but got {name} of shape {size_str(p._data.shape)} and normalized_shape = {list(ns)}")
    axes = tuple(range(x.ndim - k, x.ndim))
    pshape = (1,) * (x.ndim - k) + ns
    return _norm_affine("NativeLayerNormBackward0", input, weight, bias, axes, pshape, eps, saves_bias=True)[0]


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    op = "group_norm"
    check_float(input, op)
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"{op}: Expected at least 2 dimensions for input tensor but received {x.ndim} (shape {size_str(x.shape)})")
    N, C = x.shape[:2]
    G = int(num_groups)
    if G == 0:  # torch's functional divides by num_groups in Python before any check
        raise ZeroDivisionError(f"{op}: num_groups is 0 (integer division or modulo by zero); input shape {size_str(x.shape)}")
    if G < 0:
        raise RuntimeError(f"{op}: Expected num groups to be greater than 0, got {G}")
    if C % G:
        raise RuntimeError(
            f"{op}: Expected number of channels in input to be divisible by num_groups, but got input of shape "
            f"{size_str(x.shape)} and num_groups={G}"
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and (p._data.ndim != 1 or p._data.shape[0] != C):
            raise RuntimeError(f"{op}: Expected {name} to be a vector of size equal to the number of channels in input, but got {name} of shape {size_str(p._data.shape)} and input of shape {size_str(x.shape)}")
    spatial = x.shape[2:]
    grouped = shape.reshape(input, (N, G, C // G, *spatial))
    axes = tuple(range(2, grouped.ndim))
    pshape = (1, G, C // G) + (1,) * len(spatial)
    y = _norm_affine("NativeGroupNormBackward0", grouped, weight, bias, axes, pshape, eps)[0]
    return shape.reshape(y, x.shape)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05):
    op = "batch_norm"
    check_float(input, op)
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"{op}: Expected input to have at least 2 dimensions (N, C, ...), but got input of size {size_str(x.shape)}")
    C = x.shape[1]
    for name, p in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if p is not None and p._data.size != C:
            raise RuntimeError(f"{op}: {name} should contain {C} elements not {p._data.size} (input of size {size_str(x.shape)})")
    pshape = (1, C) + (1,) * (x.ndim - 2)
    if training and not eps > 0:
        raise ValueError(f"{op} eps must be positive during training, but got {eps}")
    if not eps >= 0:
        raise ValueError(f"{op} eps must be non-negative, but got {eps}")
    if training:
        n = x.size // C if C else 0
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {size_str(x.shape)}")
        axes = (0,) + tuple(range(2, x.ndim))
        y, mean, var, n = _norm_affine("NativeBatchNormBackward0", input, weight, bias, axes, pshape, eps)
        m = momentum
        # The running statistics are updated inside the kernel, as torch's: their version counters do not move (so a
        # second forward does not invalidate the first one's saved statistics; an in-place edit by the user does)
        with no_grad():
            if running_mean is not None:
                rm = running_mean._data
                rm[...] = (m * mean.reshape(rm.shape) + (1 - m) * rm).astype(rm.dtype, copy=False)
            if running_var is not None:
                rv = running_var._data
                unbiased = var.reshape(rv.shape) * (n / (n - 1))  # torch keeps the UNBIASED variance
                rv[...] = (m * unbiased + (1 - m) * rv).astype(rv.dtype, copy=False)
        return also_saves(y, running_mean, running_var)  # torch saves the updated running statistics too
    if running_mean is None or running_var is None:
        raise RuntimeError(f"{op}: running_mean must be defined in evaluation mode")
    # Eval: a per-channel affine map (composite, so weight/bias gradients come for free; float16/bfloat16 rounded
    # once, as torch's kernel).
    def affine(input, running_mean, running_var, weight, bias):
        rm = shape.reshape(running_mean, pshape)
        rv = shape.reshape(running_var, pshape)
        inv = ew.rsqrt(ew.add(rv, eps))
        out = ew.mul(ew.sub(input, rm), inv)
        if weight is not None:
            out = ew.mul(out, shape.reshape(weight, pshape))
        if bias is not None:
            out = ew.add(out, shape.reshape(bias, pshape))
        return out

    out = rounded_once(affine, input, running_mean, running_var, weight, bias)
    # torch's batch norm is one node that saves the input, the weight and the running statistics
    return also_saves(out, input, weight, running_mean, running_var)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(||x||_p, eps) along ``dim`` (composite)."""
    check_float(input, "normalize")
    denom = ew.clamp_min(reduce.norm(input, p, dim, keepdim=True), eps)
    res = ew.div(input, shape.expand_as(denom, input))
    if out is not None:
        out._data[...] = res._data
        return out
    return res


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1/|x1| * x2/|x2|) along ``dim``, norms clamped at eps -- as torch, the clamp is applied to the
    value without a gradient of its own (the gradient flows through the unclamped norm)."""
    check_float(x1, "cosine_similarity", "x1")
    check_float(x2, "cosine_similarity", "x2")
    try:
        a, b = shape.broadcast_tensors(x1, x2)
    except Exception:
        raise RuntimeError(
            f"cosine_similarity: The size of tensor a ({x1._data.shape}) must match the size of tensor b "
            f"({x2._data.shape})"
        ) from None

    def clamped_norm(t):
        n = reduce.norm(t, 2, dim, keepdim=True)
        nd = n._data
        fix = Tensor._wrap(np.maximum(nd, nd.dtype.type(eps)) - nd)  # a constant: value-only clamp
        return ew.add(n, fix)

    return reduce.sum(ew.mul(ew.div(a, clamped_norm(a)), ew.div(b, clamped_norm(b))), dim)
