"""instance_norm, rms_norm, local_response_norm.

instance_norm standardises each (sample, channel) over its spatial positions with the fused ``_norm_affine``
of normalization.py (the same kernel as batch/layer/group norm); rms_norm and local_response_norm are
composites: their derivatives come from the ops they are built from.
"""
import numpy as np

from ..._autograd import no_grad
from ...ops import elementwise as ew
from ...ops import reduce, shape
from ...ops._lowprec import rounded_once
from ._utils import check_float, size_str
from .normalization import _norm_affine, batch_norm
from .sparse import pad

# eps=None: the machine epsilon of the dtype torch's kernel computes in (float32 for float16/bfloat16, its opmath)
_FLOAT_EPS = {np.dtype(np.float32): float(np.finfo(np.float32).eps), np.dtype(np.float64): float(np.finfo(np.float64).eps)}


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05):
    """Per-(sample, channel) statistics over the spatial dims; running stats (when given) move towards the
    batch average of the per-instance mean and unbiased variance, as torch's (which runs batch_norm on the
    (1, N*C, ...) view and averages the repeated running stats back over N)."""
    op = "instance_norm"
    check_float(input, op)
    x = input._data
    if x.ndim < 2:
        raise ValueError(f"{op}: expected input of at least 2 dimensions (N, C, ...), got input of size {size_str(x.shape)}")
    C = x.shape[1]
    if use_input_stats and int(np.prod(x.shape[2:])) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {list(x.shape)}")
    for name, p in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if p is not None and p._data.size != C:
            raise RuntimeError(f"{op}: {name} should contain {C} elements not {p._data.size} (input of size {size_str(x.shape)})")
    # torch's instance_norm runs batch norm on the (1, N*C, ...) view with weight.repeat(N) (and, in eval, the running
    # statistics repeated): its node saves those copies, not the user's tensors, so an in-place edit of the weight
    # or the statistics after the forward does not make backward raise. impl passes a copy of each (C elements).
    if weight is not None:
        weight = shape.clone(weight)
    if not use_input_stats:
        return batch_norm(input, _copy(running_mean), _copy(running_var), weight, bias, training=False,
                          momentum=momentum, eps=eps)
    axes = tuple(range(2, x.ndim))
    pshape = (1, C) + (1,) * (x.ndim - 2)
    y, mean, var, n = _norm_affine("NativeBatchNormBackward0", input, weight, bias, axes, pshape, eps)
    m = momentum
    with no_grad():
        if running_mean is not None:
            rm = running_mean._data
            rm[...] = (m * mean.reshape(x.shape[:2]).mean(axis=0) + (1 - m) * rm).astype(rm.dtype, copy=False)
            running_mean._version[0] += 1
        if running_var is not None:
            rv = running_var._data
            unbiased = var.reshape(x.shape[:2]) * (n / (n - 1))  # torch keeps the UNBIASED variance
            rv[...] = (m * unbiased.mean(axis=0) + (1 - m) * rv).astype(rv.dtype, copy=False)
            running_var._version[0] += 1
    return y


def _copy(t):
    return None if t is None else shape.clone(t)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2 over the normalized dims) + eps) * weight; eps=None is the dtype's machine epsilon."""
    op = "rms_norm"
    check_float(input, op)
    if isinstance(normalized_shape, (int, np.integer)):  # the module accepts an int, the function does not
        raise TypeError(f"{op}(): argument 'normalized_shape' must be tuple of ints, not int")
    ns = tuple(int(s) for s in normalized_shape)
    x = input._data
    k = len(ns)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != ns:
        raise RuntimeError(
            f"{op}: Given normalized_shape={list(ns)}, expected input with shape [*, {', '.join(map(str, ns))}], "
            f"but got input of size{size_str(x.shape)}"
        )
    if weight is not None and tuple(weight._data.shape) != ns:
        raise RuntimeError(f"{op}: Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{size_str(weight._data.shape)} and normalized_shape = {list(ns)}")
    if eps is None:
        eps = _FLOAT_EPS.get(x.dtype, float(np.finfo(np.float32).eps))
    axes = tuple(range(x.ndim - k, x.ndim))

    def normed(input, weight):
        y = ew.mul(input, ew.rsqrt(ew.add(reduce.mean(ew.mul(input, input), axes, keepdim=True), eps)))
        return y if weight is None else ew.mul(y, weight)

    return rounded_once(normed, input, weight)  # float16/bfloat16: in float32, rounded once (torch's kernel)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha * mean of x^2 over a window of ``size`` channels)^beta; the window is zero-padded by
    size // 2 before and (size - 1) // 2 after (torch's avg-pool formulation, count_include_pad)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if size <= 0:
        raise RuntimeError(f"local_response_norm(): kernel size should be greater than zero, but got size {size}")
    if input._data.size == 0:
        return input
    sq = shape.movedim(ew.mul(input, input), 1, -1)  # channels last: pad and slide along the last dim
    C = input._data.shape[1]
    padded = pad(sq, (size // 2, (size - 1) // 2))
    # One slice per window tap (size of them, never a loop over positions or channels).
    window = padded[..., 0:C]
    for i in range(1, size):
        window = ew.add(window, padded[..., i:i + C])
    div = ew.pow(ew.add(ew.mul(ew.div(shape.movedim(window, -1, 1), size), alpha), k), beta)
    return ew.div(input, div)
