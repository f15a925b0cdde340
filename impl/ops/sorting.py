"""Sorting, selection and cumulative ops: sort/argsort/msort/topk, kthvalue/median/nanmedian/mode, unique,
searchsorted/bucketize, cumprod/cummax/cummin/logcumsumexp.

The selecting ops find their indices with numpy (piecewise constant) and take their values at them; their derivative
is a scatter of the gradient to the selected entries (torch's ``value_selecting_reduction_backward``, which reads the
returned indices and saves nothing of the input) and is differentiable again. Tie conventions follow torch's where torch
defines one: sorts are stable (equal elements keep their order, descending too), NaN sorts as the largest value,
cummax/cummin report the latest index of the running extreme, mode the smallest most frequent value at its last
occurrence, and the global median()/nanmedian() split the gradient evenly among the entries equal to the result.
"""
import collections

import numpy as np

from .._autograd import OUTPUT, apply, is_grad_enabled
from .._tensor import Tensor
from . import elementwise as ew
from . import reduce as red
from . import shape as sh
from ._common import ensure_tensor, norm_dim
from ._registry import op


def _return_type(name):
    return collections.namedtuple(name, ["values", "indices"])


return_types_sort = _return_type("sort")
return_types_topk = _return_type("topk")
return_types_kthvalue = _return_type("kthvalue")
return_types_median = _return_type("median")
return_types_nanmedian = _return_type("nanmedian")
return_types_mode = _return_type("mode")
return_types_cummax = _return_type("cummax")
return_types_cummin = _return_type("cummin")


def _along(input, dim, name):
    """(array viewed as at least 1-d, axis, whether the input was 0-d) for an op along ``dim``."""
    ensure_tensor(input, name)
    x = input._data
    axis = norm_dim(dim, x.ndim, name)
    return (x if x.ndim else x.reshape(1)), axis, x.ndim == 0


def _wrap_index(idx, zero_d):
    idx = np.asarray(idx, dtype=np.int64)
    return Tensor._wrap(idx.reshape(()) if zero_d else idx)


def _take(input, idx, axis, zero_d):
    """``input``'s entries at ``idx`` along ``axis`` (a differentiable gather; 0-d inputs as 1-element rows)."""
    src = input.reshape(1) if zero_d else input
    vals = sh.gather(src, axis, Tensor._wrap(np.ascontiguousarray(idx, dtype=np.int64)))
    return vals.reshape(()) if zero_d else vals


def _selected(name, input, idx, axis, out_shape, indices):
    """``input``'s entries at ``idx`` along ``axis`` (0-d inputs as 1-element rows), shaped ``out_shape``: the values
    of a selecting op whose ``indices`` output is the tensor returned with them. torch's derivative
    (value_selecting_reduction_backward) reads those indices and only the input's shape, so the node saves the
    returned indices and not the input: an in-place edit of the input after the forward is allowed, one of the
    indices makes backward raise."""
    x = input._data.reshape(1) if input._data.ndim == 0 else input._data
    grid = list(np.indices(idx.shape, sparse=True))
    grid[axis] = idx
    grid, shape, in_shape = tuple(grid), x.shape, input._data.shape

    def backward(g):
        gx = sh._index_add(g if g._data.shape == idx.shape else g.reshape(idx.shape), shape, grid)
        return (gx if shape == in_shape else gx.reshape(in_shape),)

    return apply(name, x[grid].reshape(out_shape), (input,), backward, saved=(indices,))


def _stable_argsort(x, axis, descending=False):
    """A stable argsort; descending keeps equal elements in their original order and puts NaN first (torch's
    order), by sorting the reversed array ascending and reversing the result."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    idx = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return np.flip(n - 1 - idx, axis)


def _select(name, input, idx_keep, axis, zero_d, keepdim, ret):
    """(values, indices) for a reduction along ``axis`` that selected ``idx_keep`` (size 1 along ``axis``)."""
    idx_out = idx_keep if keepdim or zero_d else np.squeeze(idx_keep, axis)
    indices = _wrap_index(idx_out, zero_d)
    return ret(_selected(name, input, idx_keep, axis, indices._data.shape, indices), indices)


# ---- sort family --------------------------------------------------------------------------------------------
@op
def sort(input, dim=-1, descending=False, *, stable=False):
    # stable=False allows any order of equal elements; a stable sort is one of them (torch's CPU sort is stable too).
    x, axis, zero_d = _along(input, dim, "sort")
    idx = _stable_argsort(x, axis, descending)
    indices = _wrap_index(idx, zero_d)
    return return_types_sort(_selected("SortBackward0", input, idx, axis, indices._data.shape, indices), indices)


@op
def argsort(input, dim=-1, descending=False, *, stable=False):
    x, axis, zero_d = _along(input, dim, "argsort")
    return _wrap_index(_stable_argsort(x, axis, descending), zero_d)


@op
def msort(input):
    return sort(input, dim=0).values


@op
def topk(input, k, dim=-1, largest=True, sorted=True):
    # sorted=False allows any order of the k results; impl returns them sorted.
    x, axis, zero_d = _along(input, dim, "topk")
    n = x.shape[axis]
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"topk(): argument 'k' must be int, not {type(k).__name__}")
    if not 0 <= k <= n:
        raise RuntimeError(f"topk(): selected index k out of range (k={k}, size {n} of dimension {dim}, "
                           f"input shape {tuple(input.shape)})")
    # A 0-d input gives itself back for k = 0 too (torch's 0-d result has no dimension to be empty along).
    idx = np.take(_stable_argsort(x, axis, descending=largest), np.arange(1 if zero_d else k), axis=axis)
    indices = _wrap_index(idx, zero_d)
    return return_types_topk(_selected("TopkBackward0", input, idx, axis, indices._data.shape, indices), indices)


# ---- order statistics -----------------------------------------------------------------------------------------
def _check_nonempty(x, axis, name, dim, shape):
    if x.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size (input shape {tuple(shape)})")


@op
def kthvalue(input, k, dim=-1, keepdim=False):
    x, axis, zero_d = _along(input, dim, "kthvalue")
    _check_nonempty(x, axis, "kthvalue", dim, input.shape)
    n = x.shape[axis]
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"kthvalue(): argument 'k' must be int, not {type(k).__name__}")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim} (k={k}, size {n}, "
                           f"input shape {tuple(input.shape)})")
    idx = np.take(_stable_argsort(x, axis), [k - 1], axis=axis)
    return _select("KthvalueBackward0", input, idx, axis, zero_d, keepdim, return_types_kthvalue)


def _median_dim(input, dim, keepdim, ignore_nan, name, ret):
    x, axis, zero_d = _along(input, dim, name)
    _check_nonempty(x, axis, name, dim, input.shape)
    order = _stable_argsort(x, axis)  # NaN last, in their original order
    isnan = np.isnan(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
    nans = isnan.sum(axis=axis, keepdims=True)
    n = x.shape[axis]
    if ignore_nan:  # the lower median of the non-NaN entries; an all-NaN row gives its first NaN
        pos = np.maximum((n - nans - 1) // 2, 0)
    else:  # torch's median propagates NaN: a row with one gives its first NaN
        pos = np.where(nans > 0, n - nans, (n - 1) // 2)
    idx = np.take_along_axis(order, pos, axis=axis)
    return _select(("Nanmedian" if ignore_nan else "Median") + "Backward1", input, idx, axis, zero_d, keepdim, ret)


def _median_all(input, ignore_nan, name):
    """The global median (a 0-d tensor); its gradient is split evenly among the entries equal to it, as torch's
    evenly_distribute_backward (among the NaN entries when it is NaN)."""
    ensure_tensor(input, name)
    x = input._data.reshape(-1)
    isnan = np.isnan(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
    finite = x[~isnan] if ignore_nan else x
    if x.size == 0 or (isnan.any() and not ignore_nan) or finite.size == 0:
        out = np.asarray(np.nan if x.dtype.kind == "f" else 0, dtype=x.dtype)
        if x.size and not isnan.any():
            out = np.sort(x)[(x.size - 1) // 2]
    else:
        out = np.sort(finite)[(finite.size - 1) // 2]
    out = np.asarray(out, dtype=x.dtype)

    def backward(g, result):
        r = result._data
        mask = (input._data == r) | (np.isnan(input._data) & np.isnan(r)) if x.dtype.kind == "f" else input._data == r
        weights = mask / max(int(mask.sum()), 1)
        return (g * Tensor._wrap(weights.astype(g._data.dtype)),)

    return apply(("Nanmedian" if ignore_nan else "Median") + "Backward0", out, (input,), backward,
                 saved=(input, OUTPUT))


@op
def median(input, dim=None, keepdim=False):
    if dim is None:
        return _median_all(input, False, "median")
    return _median_dim(input, dim, keepdim, False, "median", return_types_median)


@op
def nanmedian(input, dim=None, keepdim=False):
    if dim is None:
        return _median_all(input, True, "nanmedian")
    return _median_dim(input, dim, keepdim, True, "nanmedian", return_types_nanmedian)


@op
def mode(input, dim=-1, keepdim=False):
    x, axis, zero_d = _along(input, dim, "mode")
    _check_nonempty(x, axis, "mode", dim, input.shape)
    rows = np.moveaxis(x, axis, -1)
    lead, n = rows.shape[:-1], rows.shape[-1]
    flat = rows.reshape(-1, n)
    order = np.argsort(flat, axis=1, kind="stable")
    s = np.take_along_axis(flat, order, axis=1)
    # Runs of equal values in each sorted row (NaN != NaN: each NaN is a run of its own, as torch counts them).
    new_run = np.concatenate([np.ones((flat.shape[0], 1), bool), s[:, 1:] != s[:, :-1]], axis=1)
    run_id = np.cumsum(new_run, axis=1) - 1
    counts = np.zeros(flat.shape, np.int64)
    np.add.at(counts, (np.arange(flat.shape[0])[:, None], run_id), 1)
    best = np.argmax(counts, axis=1)  # the first most frequent run: the smallest value among equally frequent ones
    last = n - 1 - np.argmax((run_id == best[:, None])[:, ::-1], axis=1)  # its last sorted position
    idx = np.take_along_axis(order, last[:, None], axis=1).reshape(lead + (1,))  # the last occurrence (stable sort)
    idx = np.moveaxis(idx, -1, axis)
    return _select("ModeBackward0", input, idx, axis, zero_d, keepdim, return_types_mode)


# ---- unique, searchsorted, bucketize --------------------------------------------------------------------------
@op
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    # sorted=False allows any order; impl returns the sorted result. No derivative (torch defines none either).
    ensure_tensor(input, "unique")
    x = input._data
    if dim is None:
        vals, inverse, counts = np.unique(x.reshape(-1), return_inverse=True, return_counts=True)
        inverse = inverse.reshape(x.shape)
    else:
        axis = norm_dim(dim, x.ndim, "unique")
        if x.ndim == 0:
            raise IndexError("unique(): a 0-d tensor has no dimension to take unique slices along")
        if x.size == 0 and x.shape[axis] != 0:
            raise RuntimeError("unique(): There are 0 sized dimensions, and they aren't selected, so unique cannot "
                               "be applied")
        if x.shape[axis] == 0:
            vals, inverse, counts = x, np.zeros(0, np.int64), np.zeros(0, np.int64)
        else:
            vals, inverse, counts = np.unique(x, axis=axis, return_inverse=True, return_counts=True)
            inverse = inverse.reshape(-1)
    out = Tensor._wrap(np.ascontiguousarray(vals))
    extra = ([Tensor._wrap(np.asarray(inverse, np.int64))] if return_inverse else []) + (
        [Tensor._wrap(np.asarray(counts, np.int64))] if return_counts else [])
    return (out, *extra) if extra else out


@op
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """The first element (slice along ``dim``) of every run of equal consecutive ones; no derivative, as unique."""
    ensure_tensor(input, "unique_consecutive")
    x = input._data
    if dim is None:
        rows, axis, shape = x.reshape(-1, 1), 0, (x.size,)
    else:
        axis = norm_dim(dim, x.ndim, "unique_consecutive")
        if x.ndim == 0:
            raise IndexError("unique_consecutive(): a 0-d tensor has no dimension to take slices along")
        rows, shape = np.moveaxis(x, axis, 0).reshape(x.shape[axis], -1), (x.shape[axis],)
    n = rows.shape[0]
    starts = np.ones(n, bool)
    starts[1:] = (rows[1:] != rows[:-1]).any(axis=1) if rows.shape[1] else False
    first = np.flatnonzero(starts)
    vals = x.reshape(-1)[first] if dim is None else np.take(x, first, axis=axis)
    inverse = (np.cumsum(starts) - 1).astype(np.int64)
    out = Tensor._wrap(np.ascontiguousarray(vals))
    extra = ([Tensor._wrap(inverse.reshape(x.shape if dim is None else shape))] if return_inverse else []) + (
        [Tensor._wrap(np.diff(np.append(first, n)).astype(np.int64))] if return_counts else [])
    return (out, *extra) if extra else out


def _index_dtype(out_int32, name):
    if not out_int32:
        return np.int64
    from .. import _dtype

    if not hasattr(_dtype, "int32"):
        raise NotImplementedError(f"{name}(): out_int32=True needs the int32 dtype, which impl does not have yet")
    return np.int32


def _values_array(values, name):
    if isinstance(values, Tensor):
        return values._data
    if isinstance(values, (int, float)) and not isinstance(values, bool):
        return np.asarray(values)
    raise TypeError(f"{name}(): argument 'input' must be Tensor or Number, not {type(values).__name__}")


@op(method=False)
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    ensure_tensor(sorted_sequence, "searchsorted", "sorted_sequence")
    seq = sorted_sequence._data
    v = _values_array(input, "searchsorted")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"searchsorted(): side can only be 'left' or 'right' but got {side!r}")
        if right and side == "left":
            raise RuntimeError("searchsorted(): side and right can't be set to opposites, got side of left while "
                               "right was True")
        right = side == "right"
    if seq.ndim == 0:
        raise RuntimeError("searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension")
    if sorter is not None:
        order = sorter._data if isinstance(sorter, Tensor) else np.asarray(sorter)
        if order.shape != seq.shape:
            raise RuntimeError(f"searchsorted(): boundary and sorter must have the same size, but got boundary "
                               f"{tuple(seq.shape)} and sorter {tuple(order.shape)}")
        seq = np.take_along_axis(seq, order.astype(np.int64), axis=-1)
    dtype = _index_dtype(out_int32, "searchsorted")
    if seq.ndim == 1:
        return Tensor._wrap(np.asarray(np.searchsorted(seq, v, side="right" if right else "left"), dtype=dtype))
    if v.ndim == 0:
        raise RuntimeError(f"searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, "
                           f"but we got boundaries tensor dim({seq.ndim})")
    if v.shape[:-1] != seq.shape[:-1]:
        raise RuntimeError(f"searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
                           f"boundaries tensor and input value tensor must match, but we got boundaries tensor "
                           f"{tuple(seq.shape)} and input value tensor {tuple(v.shape)}")
    # Batched rows: count the boundaries below each value (<= for right), all rows at once.
    below = (seq[..., None, :] <= v[..., :, None]) if right else (seq[..., None, :] < v[..., :, None])
    return Tensor._wrap(below.sum(axis=-1).astype(dtype))


@op(method=False)
def bucketize(input, boundaries, *, out_int32=False, right=False):
    ensure_tensor(boundaries, "bucketize", "boundaries")
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"bucketize(): boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


# ---- cumulative ops ---------------------------------------------------------------------------------------------
def _cum_extreme(input, dim, is_max):
    name = "cummax" if is_max else "cummin"
    x, axis, zero_d = _along(input, dim, name)
    ret = return_types_cummax if is_max else return_types_cummin
    if x.shape[axis] == 0:
        return ret(_take(input, np.zeros(x.shape, np.int64), axis, zero_d), _wrap_index(np.zeros(x.shape), zero_d))
    acc = (np.maximum if is_max else np.minimum).accumulate(x, axis=axis)
    # The latest position where the entry equals the running extreme (NaN counts as equal to a NaN extreme).
    hit = x == acc
    if x.dtype.kind == "f":
        hit |= np.isnan(x) & np.isnan(acc)
    pos = np.arange(x.shape[axis]).reshape((-1,) + (1,) * (x.ndim - axis - 1))
    idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=axis)
    return ret(_take(input, idx, axis, zero_d), _wrap_index(idx, zero_d))


@op
def cummax(input, dim):
    return _cum_extreme(input, dim, True)


@op
def cummin(input, dim):
    return _cum_extreme(input, dim, False)


def _rev_cumsum(t, axis):
    return t.flip((axis,)).cumsum(axis).flip((axis,))


def _positions(n, axis, ndim):
    return np.arange(n).reshape((-1,) + (1,) * (ndim - axis - 1))


@op
def cumprod(input, dim, *, dtype=None):
    ensure_tensor(input, "cumprod")
    x = input._data if dtype is None else input._data.astype(red._np_dtype(dtype))
    if x.dtype.kind in "biu":
        x = x.astype(np.int64)
    axis = norm_dim(dim, x.ndim, "cumprod")
    if x.ndim == 0:  # the output is the input; saved as torch saves it (an in-place change makes backward raise)
        return apply("CumprodBackward0", x.copy(), (input,), lambda g, out: (g,), saved=(input, OUTPUT))
    out = np.cumprod(x, axis=axis)

    def backward(g, out):
        xs = input if input._data.dtype == g._data.dtype else input.to(g._data.dtype)
        zero = xs._data == 0
        if not zero.any():  # d out_k / d x_i = out_k / x_i for k >= i
            return (_rev_cumsum(g * out, axis) / xs,)
        if is_grad_enabled():  # building a graph (create_graph): a form that stays differentiable at the zeros
            return (_cumprod_grad_pairwise(xs, g, axis),)
        return (_cumprod_grad_with_zeros(xs, g, out, zero, axis),)

    return apply("CumprodBackward0", out, (input,), backward, saved=(input, OUTPUT))


def _cumprod_grad_with_zeros(x, g, out, zero, axis):
    """First-order gradient when some entries are 0 (torch's case analysis): with z the first zero of a row,
    entries before z get sum_{k>=i} g_k out_k / x_i as usual, entry z gets prod_{j<z} x_j * sum_{k>=z} g_k
    prod_{z<j<=k} x_j, and entries after z get 0 (every product through them contains x_z = 0)."""
    n = x._data.shape[axis]
    pos = _positions(n, axis, x._data.ndim)
    first = np.where(zero.any(axis=axis, keepdims=True), np.argmax(zero, axis=axis).reshape(
        zero.shape[:axis] + (1,) + zero.shape[axis + 1:]), n)
    before, at = pos < first, pos == first
    dt = x._data.dtype
    x_safe = ew.where(Tensor._wrap(before), x, 1.0)
    g_before = _rev_cumsum(g * out, axis) / x_safe
    prefix = ew.where(Tensor._wrap(before), x, 1.0).prod(axis, keepdim=True)
    tail = cumprod(ew.where(Tensor._wrap(pos <= first), 1.0, x), axis)
    s = ew.where(Tensor._wrap(pos >= first), g * tail, 0.0).sum(axis, keepdim=True)
    return ew.where(Tensor._wrap(before), g_before, 0.0) + Tensor._wrap(at.astype(dt)) * (prefix * s)


def _cumprod_grad_pairwise(x, g, axis):
    """grad_i = sum_{k>=i} g_k prod_{j<=k, j!=i} x_j, from the cumprod of x with x_i replaced by 1 (an n x n
    table per row): polynomial in x, so it differentiates correctly at zeros too. Used only under create_graph."""
    n = x._data.shape[axis]
    xm = x.movedim(axis, -1)  # (..., n)
    eye = Tensor._wrap(np.eye(n, dtype=bool))
    table = ew.where(eye, 1.0, xm.unsqueeze(-2).expand(*xm.shape[:-1], n, n))  # row i: x with x_i -> 1
    partial = cumprod(table, -1)  # [..., i, k] = prod_{j<=k, j!=i} x_j
    upper = Tensor._wrap(np.triu(np.ones((n, n), dtype=bool)))  # k >= i
    grad = ew.where(upper, partial * g.movedim(axis, -1).unsqueeze(-2), 0.0).sum(-1)
    return grad.movedim(-1, axis)


@op
def logcumsumexp(input, dim):
    ensure_tensor(input, "logcumsumexp")
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f"logcumsumexp(): not implemented for integer or bool input ({input.dtype})")
    axis = norm_dim(dim, x.ndim, "logcumsumexp")
    if x.ndim == 0:  # the output is the input; saved as torch saves it (an in-place change makes backward raise)
        return apply("LogcumsumexpBackward0", x.copy(), (input,), lambda g, out: (g,), saved=(input, OUTPUT))
    with np.errstate(invalid="ignore"):
        out = np.logaddexp.accumulate(x, axis=axis)

    def backward(g, out):
        if is_grad_enabled():  # building a graph: a form linear in g (forward mode differentiates it at g = 0)
            return (_logcumsumexp_grad_pairwise(input, g, out, axis),)
        # torch's formula: grad_i = sum_{k>=i} g_k exp(x_i - out_k), summed separately over the positive and the
        # negative g_k in log space (a reversed logcumsumexp), so that nothing overflows.
        lowest = float(np.finfo(g._data.dtype).min)
        pos, neg = Tensor._wrap(g._data > 0), Tensor._wrap(g._data < 0)
        log_pos = ew.where(pos, ew.where(pos, g, 1.0).log(), lowest)
        log_neg = ew.where(neg, ew.where(neg, -g, 1.0).log(), lowest)

        def rev_lcse(t):
            return logcumsumexp(t.flip((axis,)), axis).flip((axis,))

        return ((rev_lcse(log_pos - out) + input).exp() - (rev_lcse(log_neg - out) + input).exp(),)

    return apply("LogcumsumexpBackward0", out, (input,), backward, saved=(input, OUTPUT))


def _logcumsumexp_grad_pairwise(x, g, out, axis):
    """grad_i = sum_{k>=i} g_k exp(x_i - out_k) from the n x n table of exp(x_i - out_k) (<= 1 where k >= i, so
    it cannot overflow): linear in g, which forward mode needs, at n^2 memory per row (only under create_graph)."""
    n = x._data.shape[axis]
    xm, om, gm = x.movedim(axis, -1), out.movedim(axis, -1), g.movedim(axis, -1)
    upper = Tensor._wrap(np.triu(np.ones((n, n), dtype=bool)))  # k >= i
    diff = ew.where(upper, xm.unsqueeze(-1) - om.unsqueeze(-2), 0.0)  # the masked entries would be > 0: kept at 0
    grad = ew.where(upper, diff.exp() * gm.unsqueeze(-2), 0.0).sum(-1)
    return grad.movedim(-1, axis)
