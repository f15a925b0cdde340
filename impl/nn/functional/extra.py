"""adaptive_avg_pool1d, adaptive_max_pool1d, max_unpool1d, gumbel_softmax, pairwise_distance and upsample.

The 1-d poolings are their 2-d forms on a height-1 (or width-1) image, as torch's; gumbel_softmax and
pairwise_distance are torch's own composites; upsample is interpolate behind torch's deprecation warning.
"""
import warnings

import numpy as np

from ... import _dtype, random
from ..._tensor import Tensor
from ...ops import elementwise as ew
from ...ops import reduce, shape
from ._utils import ntuple, size_str, torch_type_name
from .activation import softmax
from .pooling import adaptive_avg_pool2d
from .sampling import adaptive_max_pool2d, interpolate, max_unpool2d


def _check_1d(op, input, output_size):
    x = input._data
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 'self' "
                           f"(while checking arguments for {op})")
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 1:
            raise RuntimeError(f"{op}() argument 'output_size' should contain one int (got {len(output_size)})")
        output_size = output_size[0]
    return int(output_size)


def adaptive_avg_pool1d(input, output_size):
    o = _check_1d("adaptive_avg_pool1d", input, output_size)
    if input._data.dtype.kind != "f":  # torch's 2-d kernel refuses it by name
        raise NotImplementedError(f'"adaptive_avg_pool2d" not implemented for \'{torch_type_name(input._data)}\'')
    return shape.squeeze(adaptive_avg_pool2d(shape.unsqueeze(input, -2), (1, o)), -2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    op = "adaptive_max_pool1d"
    o = _check_1d(op, input, output_size)
    x = input._data
    for i in range(1, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch dimensions, but input has "
                               f"sizes {size_str(x.shape)} with dimension {i} being empty")
    out, idx = adaptive_max_pool2d(shape.unsqueeze(input, -2), (1, o), return_indices=True)
    out = shape.squeeze(out, -2)
    return (out, Tensor._wrap(idx._data.reshape(out._data.shape))) if return_indices else out


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """max_unpool2d on a width-1 image, with torch's checks of a 1-d output_size."""
    op = "max_unpool1d"
    (k,) = ntuple(kernel_size, 1, "kernel_size", op)
    (s,) = (k,) if stride is None else ntuple(stride, 1, "stride", op)
    (p,) = ntuple(padding, 1, "padding", op)
    default = (input._data.shape[-1] - 1) * s + k - 2 * p
    if output_size is None:
        size = default
    else:
        sizes = list(output_size)
        if len(sizes) == 3:
            sizes = sizes[2:]
        if len(sizes) != 1:
            raise ValueError(f"output_size should be a sequence containing 1 or 3 elements, but it has a length of "
                             f"'{len(sizes)}'")
        if not default - s < sizes[0] < default + s:
            raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim 0 must be between {default - s} and '
                             f"{default + s})")
        size = int(sizes[0])
    # the size checked here is passed on only when given: max_unpool2d's own check of a given size would refuse
    # the default one under a negative stride, which torch computes without a check
    out = max_unpool2d(shape.unsqueeze(input, -1), shape.unsqueeze(indices, -1), (k, 1), (s, 1), (p, 0),
                       output_size=None if output_size is None else (size, 1))
    return shape.squeeze(out, -1)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + g) / tau) with g ~ Gumbel(0, 1) = -log(Exp(1)); ``hard``: the one-hot of its argmax in
    value, the soft sample's gradient (straight-through: y_hard - y_soft.detach() + y_soft)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    x = logits._data
    gumbels = Tensor._wrap(_dtype.cast_array(-np.log(random.generator().exponential(size=x.shape)), logits.dtype))
    y_soft = softmax(ew.div(ew.add(logits, gumbels), tau), dim)
    if not hard:
        return y_soft
    axis = dim % max(x.ndim, 1) if x.ndim else 0
    soft = y_soft._data if x.ndim else y_soft._data.reshape(1)
    one_hot = np.zeros_like(soft)
    np.put_along_axis(one_hot, np.argmax(soft, axis=axis, keepdims=True), 1.0, axis=axis)
    y_hard = Tensor._wrap(one_hot.reshape(x.shape))
    return ew.add(ew.sub(y_hard, y_soft.detach()), y_soft)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dim of the broadcast inputs, as torch's composite."""
    ndim = max(x1._data.ndim, x2._data.ndim)
    return reduce.norm(ew.add(ew.sub(x1, x2), eps), p, ndim - 1 if ndim else -1, keepdim)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)
