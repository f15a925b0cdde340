"""embedding_bag: sums, means or maxima of embedding rows over bags given by offsets, without forming the
(bag, index, dim) tensor.

The rows are looked up with index_select; bags are contiguous runs of positions, so their sums are one
``np.add.reduceat`` (``_segment_sum``, a primitive whose backward gathers the bag gradient back to every
position with index_select: differentiable to any order). Maxima pick one position per (bag, dim) with
take_along_dim, so their gradient goes to the maximal row as torch's does.
"""
import numpy as np

from ... import _dtype
from ..._autograd import also_saves, apply, needed
from ..._tensor import Tensor
from ...ops import elementwise as ew
from ...ops import shape
from ...ops._common import from_opmath, opmath
from ._utils import grad_scaled, size_str, torch_type_name
from .sparse import _embedding_renorm_


def _segment_sum(rows, starts, ends, bag_of):
    """(B, D): row sums over positions [starts[b], ends[b]) of ``rows`` (M, D); bag_of[m] is the bag of position
    m or -1 (positions no bag covers)."""
    x = rows._data
    B, D = len(starts), x.shape[1]
    xs = opmath(x)  # float16/bfloat16 summed in float32 and rounded once, as torch's kernel
    out = np.zeros((B, D), dtype=xs.dtype)
    nonempty = ends > starts
    if nonempty.any():
        # Contiguous bags: reduceat over the non-empty starts sums up to the next start (the last one to its end).
        last = int(ends[nonempty][-1])
        out[nonempty] = np.add.reduceat(xs[:last], starts[nonempty], axis=0)
    out = from_opmath(out, x)
    inside = bag_of >= 0
    gather = np.where(inside, bag_of, 0)
    mask = Tensor._wrap(_dtype.cast_array(inside[:, None], rows.dtype))

    def backward(g):
        if not B:  # no bags: nothing reaches the rows
            return (Tensor._wrap(_dtype.full_array(x.shape, 0, g.dtype)),)
        return (ew.mul(shape.index_select(g, 0, gather), mask),)

    return apply("EmbeddingBagBackward0", out, (rows,), backward)


def _bags(idx, offsets, include_last_offset, op):
    """(starts, ends, bag_of) of contiguous bags over the M positions of the flat ``idx``."""
    M = idx.shape[0]
    o = offsets.astype(np.int64)
    if o.size and o[0] != 0:
        raise RuntimeError(f"{op}: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
                           f"from position 0. However, got {int(o[0])}")
    if o.size and (o[-1] > M or np.any(np.diff(o) < 0)):
        raise RuntimeError(f"{op}: offsets must be non-decreasing and at most the input size {M}, got {o.tolist()}")
    if include_last_offset:
        if o.size < 1:
            raise RuntimeError(f"{op}: include_last_offset: number of offsets should be at least 1")
        starts, ends = o[:-1], o[1:]
    else:
        starts, ends = o, np.append(o[1:], M)
    bag_of = np.full(M, -1, dtype=np.int64)
    if len(starts):
        pos = np.arange(M)
        b = np.searchsorted(starts, pos, side="right") - 1  # the last bag starting at or before pos
        ok = (b >= 0) & (pos < ends[np.clip(b, 0, None)])
        bag_of[ok] = b[ok]
    return starts, ends, bag_of


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    op = "embedding_bag"
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    W = weight._data
    if per_sample_weights is not None and idx.shape != per_sample_weights._data.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({size_str(per_sample_weights.shape)}) is not None, "
                         f"then it must have the same shape as the input ({size_str(idx.shape)})")
    if W.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {W.ndim}")
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed "
                             f"length sequences. However, found offsets of type {type(offsets)}")
        if idx.shape[1] == 0:  # torch builds the offsets with arange(0, numel, 0)
            raise RuntimeError(f"{op}: step must be nonzero (2-D input of size {size_str(idx.shape)} has empty bags)")
        off = np.arange(0, idx.size, idx.shape[1])
        include_last_offset = False
        psw = None if per_sample_weights is None else shape.reshape(per_sample_weights, (-1,))
        idx = idx.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        off = offsets._data if isinstance(offsets, Tensor) else np.asarray(offsets)
        if off.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        psw = per_sample_weights
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    for name, arr in (("indices", idx), ("offsets", off)):
        if arr.dtype.kind not in "iu":
            raise RuntimeError(f"{op}: Expected tensor for argument '{name}' to have one of the following scalar types: "
                               f"Long, Int; but got {torch_type_name(arr)} tensor instead")
    num, D = W.shape
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        pos = int(np.flatnonzero((idx < 0) | (idx >= num))[0])
        raise RuntimeError(f"{op}: Index {pos} of input takes value {int(idx.reshape(-1)[pos])} which is not in the "
                           f"valid range [0, {num})")
    if max_norm is not None:
        _embedding_renorm_(weight, idx, max_norm, norm_type)
    if psw is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}'). Please open a feature request on GitHub.")
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise RuntimeError(f"{op}: padding_idx must be within the number of embeddings, -{num} through {num - 1}, "
                               f"but got {padding_idx}")
        padding_idx %= num
    idx = idx.astype(np.int64)
    starts, ends, bag_of = _bags(idx, off, include_last_offset, op)
    keep = np.ones(idx.shape, dtype=bool) if padding_idx is None else idx != padding_idx
    rows = shape.index_select(weight, 0, idx)  # (M, D)
    if scale_grad_by_freq:
        rows = grad_scaled(rows, 1.0 / np.bincount(idx, minlength=num)[idx][:, None])
    if psw is not None:
        rows = ew.mul(rows, shape.unsqueeze(psw, 1))
    if padding_idx is not None:
        rows = ew.mul(rows, Tensor._wrap(_dtype.cast_array(keep[:, None], weight.dtype)))
    # torch's _embedding_bag node saves the indices and offsets (read by both gradients), the per-sample weights
    # (always: an optional tensor) and the weight for the per-sample weights' gradient only
    saved = [t for t in (input, offsets, per_sample_weights) if isinstance(t, Tensor)]
    saved.append(needed(weight, per_sample_weights) if per_sample_weights is not None else None)
    if mode == "max" and idx.size:
        return also_saves(_segment_max(rows, starts, ends, bag_of, keep), *saved)
    out = _segment_sum(rows, starts, ends, bag_of)
    if mode == "mean":
        counts = np.bincount(bag_of[keep & (bag_of >= 0)], minlength=len(starts))[:, None]
        out = ew.div(out, Tensor._wrap(_dtype.cast_array(np.maximum(counts, 1), weight.dtype)))
    return also_saves(out, *saved)


def _segment_max(rows, starts, ends, bag_of, keep):
    """(B, D) maxima over each bag's kept positions (0 for a bag with none); the gradient goes to the first
    maximal position of each (bag, dim)."""
    x = rows._data
    B, D = len(starts), x.shape[1]
    valid = keep & (bag_of >= 0)
    has = np.bincount(bag_of[valid], minlength=B) > 0
    vals = np.where(valid[:, None], x, -np.inf)
    nonempty = ends > starts
    seg_max = _dtype.full_array((B, D), -np.inf, rows.dtype)
    if nonempty.any():
        last = int(ends[nonempty][-1])
        seg_max[nonempty] = np.maximum.reduceat(vals[:last], starts[nonempty], axis=0)
    M = x.shape[0]
    pos = np.broadcast_to(np.arange(M)[:, None], (M, D))
    hit = valid[:, None] & (vals == seg_max[np.where(bag_of >= 0, bag_of, 0)])
    cand = np.where(hit, pos, M)
    arg = np.full((B, D), M, dtype=np.int64)
    if nonempty.any():
        arg[nonempty] = np.minimum.reduceat(cand[:last], starts[nonempty], axis=0)
    arg = np.where(has[:, None], arg, 0)
    picked = shape.take_along_dim(rows, Tensor._wrap(arg), 0)
    return ew.mul(picked, Tensor._wrap(_dtype.cast_array(has[:, None], rows.dtype)))
