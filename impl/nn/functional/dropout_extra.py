"""dropout1d/2d/3d (whole channels), alpha_dropout and feature_alpha_dropout (SELU-preserving).

All are composites ``input * noise (+ b)`` with constant noise, so the backward is masked and scaled exactly as
the forward (mul's backward); the masks come from impl's global generator (impl.manual_seed). As torch's
``_dropout_impl``: identity when not training, at p == 0 or on an empty input; zeros at p == 1.
"""
import math
import warnings

from ... import _dtype
from ... import random as _random
from ..._tensor import Tensor
from ...ops import elementwise as ew
from ...ops import inplace as ip
from ._utils import check_dropout_p, check_float

# SELU's alpha * scale: the value a dropped unit takes before alpha dropout's affine correction.
_SELU_ALPHA_SCALE = 1.7580993408473766


def _dropout_impl(input, p, training, inplace, feature, alpha, batched=True):
    if not training or p == 0 or input._data.size == 0:
        return input
    check_float(input, "feature_dropout" if feature else "alpha_dropout")
    x = input._data
    if feature and x.ndim < (2 if batched else 1):
        raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input (got input of shape {list(x.shape)})")
    if p == 1:
        zero = Tensor._wrap(_dtype.full_array((), 0, input.dtype))
        return ip.mul_(input, zero) if inplace else ew.mul(input, zero)
    lead = 2 if batched else 1  # (N, C) or, unbatched, (C,): one draw per channel
    noise_shape = x.shape[:lead] + (1,) * (x.ndim - lead) if feature else x.shape
    keep = (_random.generator().random(noise_shape) >= p).astype(x.dtype)
    if alpha:
        a = 1.0 / math.sqrt((_SELU_ALPHA_SCALE ** 2 * p + 1) * (1 - p))
        b = Tensor._wrap(_dtype.cast_array((keep - 1) * (_SELU_ALPHA_SCALE * a) + _SELU_ALPHA_SCALE * a * p, input.dtype))
        noise = Tensor._wrap(_dtype.cast_array(keep * a, input.dtype))
        if inplace:
            return ip.add_(ip.mul_(input, noise), b)
        return ew.add(ew.mul(input, noise), b)
    noise = Tensor._wrap(_dtype.cast_array(keep / x.dtype.type(1.0 - p), input.dtype))  # bfloat16 too
    return ip.mul_(input, noise) if inplace else ew.mul(input, noise)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) inputs with probability p; survivors scaled by 1/(1-p)."""
    check_dropout_p(p)
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that dropout1d exists to provide "
            "channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch "
            "dimension (i.e. 2D or 3D inputs).")
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=False, batched=nd == 3)


def _warn_rank(spatial, nd):
    """torch's deprecation warning for a dropout{spatial}d input of another rank (it runs as channel-wise dropout)."""
    name = f"dropout{spatial}d"
    warnings.warn(
        f"{name}: Received a {nd}-D input to {name}, which is deprecated and will result in an error in a future "
        f"release. To retain the behavior and silence this warning, please use dropout instead. Note that {name} "
        f"exists to provide channel-wise dropout on inputs with {spatial} spatial dimensions, a channel dimension, "
        f"and an optional batch dimension (i.e. {spatial + 1}D or {spatial + 2}D inputs).", stacklevel=3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Channel-wise dropout of (N, C, H, W) inputs; a 3-D input is read as (N, C, L), as torch does today."""
    check_dropout_p(p)
    nd = input.dim()
    if nd not in (3, 4):
        _warn_rank(2, nd)
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Channel-wise dropout of (N, C, D, H, W) or (C, D, H, W) inputs."""
    check_dropout_p(p)
    nd = input.dim()
    if nd not in (4, 5):
        _warn_rank(3, nd)
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=False, batched=nd == 5)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropped units are set to SELU's negative saturation and everything is mapped by a * x + b so the mean
    and variance of a unit-normal input are kept (a = ((alpha'^2 p + 1)(1 - p))^-1/2)."""
    check_dropout_p(p)
    return _dropout_impl(input, p, training, inplace, feature=False, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout with one draw per (sample, channel)."""
    check_dropout_p(p)
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=True)
