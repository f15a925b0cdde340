"""Margin, embedding and likelihood losses, each a composite of existing ops (torch's formulas, step by step,
so that gradients at every point -- kinks included -- follow torch's choice of branch)."""
import math

import numpy as np

from ... import _dtype
from ..._autograd import also_saves
from ..._tensor import Tensor
from ...ops import elementwise as ew
from ...ops import reduce as red
from ...ops import shape
from ._utils import check_float, legacy_reduction, reduce_loss, size_str


def _const(arr, like):
    return Tensor._wrap(_dtype.cast_array(np.asarray(arr), like.dtype))  # bfloat16 too (float32 storage)


def _check_reduction(reduction, suffix="is not a valid value for reduction"):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} {suffix}")


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {size_str(input1.shape)}, input2: {size_str(input2.shape)}, target: {size_str(target.shape)} "
        )
    _check_reduction(reduction)
    loss = ew.clamp_min(ew.add(ew.mul(ew.neg(target), ew.sub(input1, input2)), margin), 0)
    return reduce_loss(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """input where target != -1, plus max(0, margin - input) where target != 1 (torch's two masks)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    zero = _const(0.0, input)
    margin_clamp = ew.clamp_min(ew.rsub(input, margin), 0)
    output_margin = ew.where(ew.ne(target, 1), margin_clamp, zero)
    output_self = ew.where(ew.ne(target, -1), input, zero)
    return reduce_loss(ew.add(output_margin, output_self), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)), as torch's kernel writes it (log1p of exp)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    loss = reduce_loss(ew.log1p(ew.exp(ew.mul(ew.neg(input), target))), reduction)
    return also_saves(loss, input, target)  # torch's one node reads both (soft_margin_loss_backward)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(t * logsigmoid(x) + (1 - t) * logsigmoid(-x)), weighted, averaged over the class (last) dim."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    loss = ew.neg(ew.add(ew.mul(target, ew.logsigmoid(input)), ew.mul(ew.rsub(target, 1), ew.logsigmoid(ew.neg(input)))))
    if weight is not None:
        loss = ew.mul(loss, weight)
    class_dim = input.dim() - 1
    C = input.shape[class_dim]
    loss = ew.div(red.sum(loss, class_dim), C)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    return reduce_loss(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(x1, x2) where target == 1, max(0, cos - margin) where target == -1; |x|^2 gets + 1e-12 (torch's)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    td = target.dim()
    if td not in (0, 1):
        raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported (target of size {size_str(target.shape)})")
    if td == 1 and (input1.dim() != 2 or input2.dim() != 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{size_str(input1.shape)} and {size_str(input2.shape)}.")
    if td == 0 and (input1.dim() != 1 or input2.dim() != 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{size_str(input1.shape)} and {size_str(input2.shape)}.")
    _check_reduction(reduction)
    eps = 1e-12
    prod_sum = red.sum(ew.mul(input1, input2), td)
    mag1 = ew.add(red.sum(ew.mul(input1, input1), td), eps)
    mag2 = ew.add(red.sum(ew.mul(input2, input2), td), eps)
    cos = ew.div(prod_sum, ew.sqrt(ew.mul(mag1, mag2)))
    zero = _const(0.0, cos)
    pos = ew.rsub(cos, 1)
    neg = ew.clamp_min(ew.sub(cos, margin), 0)
    out = ew.add(ew.where(ew.eq(target, 1), pos, zero), ew.where(ew.eq(target, -1), neg, zero))
    return reduce_loss(out, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-08, reduce=None,
                     reduction="mean"):
    """exp(x) - t x (log_input) or x - t log(x + eps); ``full`` adds Stirling's t log t - t + log(2 pi t) / 2
    where t > 1."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if log_input:
        loss = ew.sub(ew.exp(input), ew.mul(target, input))
    else:
        loss = ew.sub(input, ew.mul(target, ew.log(ew.add(input, eps))))
    if full:
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = ew.add(ew.sub(ew.mul(target, ew.log(target)), target),
                              ew.mul(ew.log(ew.mul(target, 2 * math.pi)), 0.5))
        small = Tensor._wrap(np.asarray(target._data <= 1))
        loss = ew.add(loss, ew.where(small, _const(0.0, stirling), stirling))
    return reduce_loss(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-06, reduction="mean"):
    """(log(max(var, eps)) + (input - target)^2 / max(var, eps)) / 2 (+ log(2 pi) / 2 if full).

    var may be a float, have input's shape, lack input's last dim, or differ from it in exactly one dim of
    size 1 (torch's homoscedastic cases); the clamp at eps is value-only, as torch's in-place no-grad clamp."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = _const(np.full(input.shape, var), input)
    elif var._data.size and np.any(var._data < 0):
        raise ValueError("var has negative entry/entries")
    vs, xs = tuple(var.shape), tuple(input.shape)
    if vs != xs:
        if xs[:-1] == vs:
            var = shape.unsqueeze(var, -1)
        elif len(xs) == len(vs) and sum(y for x, y in zip(xs, vs) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    v = var._data
    fix = Tensor._wrap(np.maximum(v, v.dtype.type(eps)) - v)  # a constant: the clamp moves the value only
    var = ew.add(var, fix)
    d = ew.sub(input, target)
    loss = ew.mul(ew.add(ew.log(var), ew.div(ew.mul(d, d), var)), 0.5)
    if full:
        loss = ew.add(loss, 0.5 * math.log(2 * math.pi))
    return reduce_loss(loss, reduction)


def _pairwise_distance(x1, x2, p, eps):
    """||x1 - x2 + eps||_p over the last dim (torch's pairwise_distance, keepdim=False)."""
    nd = max(x1.dim(), x2.dim())
    diff = ew.add(ew.sub(x1, x2), eps)
    if nd == 0:
        return red.norm(diff, p)
    return red.norm(diff, p, nd - 1)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, margin + d(a, p) - d(a, n)), d = pairwise_distance; ``swap`` uses min(d(a, n), d(p, n))."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, pp, n = anchor.dim(), positive.dim(), negative.dim()
    if not (a == pp == n):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: "
            f"anchor {a}D, positive {pp}D, and negative {n}D inputs")
    dist_pos = _pairwise_distance(anchor, positive, p, eps)
    dist_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = ew.minimum(dist_neg, _pairwise_distance(positive, negative, p, eps))
    return reduce_loss(ew.clamp_min(ew.sub(ew.add(dist_pos, margin), dist_neg), 0), reduction)


def _class_targets(input, target, op):
    """(input as (N, C), target as (N,) int64 array, unbatched?) with torch's shape and range checks."""
    x = input._data
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected scalar type Long but found {target.dtype} (target)")
    if x.ndim > 2 or x.ndim == 0:
        raise RuntimeError(f"{op}: Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{size_str(x.shape)}")
    unbatched = x.ndim == 1
    N = 1 if unbatched else x.shape[0]
    if t.size != N or (unbatched and t.ndim > 1) or (not unbatched and t.ndim != 1):
        raise RuntimeError(f"{op}: inconsistent target size: {size_str(t.shape)} for input of size: {size_str(x.shape)}")
    return (shape.unsqueeze(input, 0) if unbatched else input), t.reshape(-1).astype(np.int64), unbatched


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
    """sum over i != y of w[y] * max(0, margin - x[y] + x[i])^p / C, per sample."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    op = "multi_margin_loss"
    check_float(input, op)
    _check_reduction(reduction)
    x2, t, unbatched = _class_targets(input, target, op)
    N, C = x2.shape
    if t.size and (t.min() < 0 or t.max() >= C):
        raise RuntimeError(f"{op}: target out of range (target values {t.tolist()} with {C} classes)")
    xy = red.sum(ew.mul(x2, _const(t[:, None] == np.arange(C), x2)), 1, keepdim=True)  # x[n, y_n]
    z = ew.clamp_min(ew.add(ew.sub(x2, xy), margin), 0)
    if p == 2:
        z = ew.mul(z, z)
    scale = (t[:, None] != np.arange(C)).astype(x2._data.dtype)  # i == y contributes nothing
    z = ew.mul(z, _const(scale, x2))
    if weight is not None:
        if weight._data.size != C:
            raise RuntimeError(f"{op}: inconsistent weight size, expected {C} but got {size_str(weight.shape)}")
        z = ew.mul(z, shape.unsqueeze(shape.index_select(weight, 0, t), 1))
    loss = ew.div(red.sum(z, 1), C)
    if unbatched:
        loss = shape.squeeze(loss, 0)
    # torch's one node reads the input, the target and the weight (multi_margin_loss_backward)
    return also_saves(reduce_loss(loss, reduction), input, target, weight)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """sum over target classes j and non-target classes i of max(0, 1 - (x[j] - x[i])) / C, per sample; the
    target list of a sample ends at its first -1."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    op = "multilabel_margin_loss"
    check_float(input, op)
    _check_reduction(reduction)
    x = input._data
    t = target._data
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected scalar type Long but found {target.dtype} (target)")
    if x.ndim > 2 or t.shape != x.shape:
        raise RuntimeError(f"{op}: inconsistent target size: {size_str(t.shape)} for input of size: {size_str(x.shape)}")
    unbatched = x.ndim <= 1
    x2 = shape.reshape(input, (1, -1)) if unbatched else input
    t2 = t.reshape(1, -1) if unbatched else t
    N, C = x2.shape
    if t2.size and (t2.min() < -1 or t2.max() >= C):
        raise RuntimeError(f"{op}: target out of range (values must be in [-1, {C - 1}])")
    # slots before the first -1 of each row are targets
    valid = np.cumprod(t2 >= 0, axis=1).astype(bool)
    idx = np.where(valid, t2, 0)
    is_target = np.zeros((N, C), dtype=bool)
    rows = np.broadcast_to(np.arange(N)[:, None], (N, C))
    is_target[rows[valid], idx[valid]] = True
    xj = shape.take_along_dim(x2, Tensor._wrap(idx.astype(np.int64)), 1)  # (N, K): the target slots' scores
    hinge = ew.clamp_min(ew.add(ew.sub(shape.unsqueeze(x2, 1), shape.unsqueeze(xj, 2)), 1.0), 0)  # (N, K, C)
    mask = valid[:, :, None] & ~is_target[:, None, :]
    loss = ew.div(red.sum(ew.mul(hinge, _const(mask, x2)), (1, 2)), C)
    if unbatched:
        loss = shape.reshape(loss, ())
    # torch's one node reads the input and the target (multilabel_margin_loss_backward)
    return also_saves(reduce_loss(loss, reduction), input, target)
