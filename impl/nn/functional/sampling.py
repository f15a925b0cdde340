"""interpolate, pixel_shuffle, pixel_unshuffle, avg_pool1d, adaptive_max_pool2d, max_unpool2d.

Resampling is linear in the input and separable, so interpolate is a composite: one constant (out, in) weight
matrix per spatial axis (linear, bilinear, trilinear, bicubic, area), or one index_select per axis (nearest),
built with torch's source-index rules (``area_pixel_compute_source_index``, ``nearest_idx``) in the input's
float type. pixel_(un)shuffle are reshape/permute composites. adaptive_max_pool2d gathers each window's
winner; max_unpool2d scatters into zeros and its derivative is the gather back.
"""
import math

import numpy as np

from ... import _dtype
from ..._autograd import also_saves, apply
from ..._tensor import Tensor
from ...ops import linalg, shape
from ...ops._common import ensure_tensor
from ._utils import check_float, ntuple, size_str, torch_type_name
from .conv_extra import float_only
from .pooling import _adaptive_matrix, avg_pool2d

# ---- interpolate -----------------------------------------------------------------------------------
_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_LINEAR_MODES = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}
_NEEDS = {3: "linear", 4: "bilinear", 5: "trilinear"}


def _source_scale(Lin, Lout, align_corners, scale, ft):
    """torch's area_pixel_compute_scale, in the float type ``ft`` of the computation."""
    if align_corners:
        return ft(Lin - 1) / ft(Lout - 1) if Lout > 1 else ft(0)
    if scale is not None and scale > 0:
        return ft(1.0 / scale)
    return ft(Lin) / ft(Lout)


def _linear_matrix(Lin, Lout, align_corners, scale, dt):
    """(Lout, Lin) weights of 1-D linear interpolation (torch's compute_indices_weights_linear)."""
    ft = dt.type
    s = _source_scale(Lin, Lout, align_corners, scale, ft)
    dst = np.arange(Lout, dtype=dt)
    src = s * dst if align_corners else np.maximum(s * (dst + ft(0.5)) - ft(0.5), ft(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), Lin - 1)
    lam = np.clip(src - i0, 0, 1).astype(dt)
    i1 = i0 + (i0 < Lin - 1)
    A = np.zeros((Lout, Lin), dtype=dt)
    rows = np.arange(Lout)
    np.add.at(A, (rows, i0), ft(1) - lam)
    np.add.at(A, (rows, i1), lam)
    return A


def _cubic_matrix(Lin, Lout, align_corners, scale, dt):
    """(Lout, Lin) weights of 1-D cubic convolution (A = -0.75), border taps clamped, as torch's bicubic."""
    ft = dt.type
    s = _source_scale(Lin, Lout, align_corners, scale, ft)
    dst = np.arange(Lout, dtype=dt)
    src = s * dst if align_corners else s * (dst + ft(0.5)) - ft(0.5)
    i0 = np.minimum(np.floor(src).astype(np.int64), Lin - 1)
    t = np.clip(src - i0, 0, 1).astype(dt)
    a = ft(-0.75)

    def conv1(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def conv2(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    coeffs = (conv2(t + 1), conv1(t), conv1(1 - t), conv2(2 - t))
    A = np.zeros((Lout, Lin), dtype=dt)
    rows = np.arange(Lout)
    for k, c in enumerate(coeffs):
        np.add.at(A, (rows, np.clip(i0 - 1 + k, 0, Lin - 1)), c.astype(dt))
    return A


def _nearest_index(Lin, Lout, scale, exact):
    """torch's nearest_idx / nearest_exact_idx: the scale and the products are float32 whatever the dtype."""
    f32 = np.float32
    dst = np.arange(Lout)
    if not exact and Lout == Lin:
        return dst
    if not exact and Lout == 2 * Lin:
        return dst >> 1
    s = f32(1.0 / scale) if (scale is not None and scale > 0) else f32(Lin) / f32(Lout)
    pos = (dst.astype(f32) + f32(0.5)) * s if exact else dst.astype(f32) * s
    return np.minimum(np.floor(pos).astype(np.int64), Lin - 1)


def _along(x, axis, A):
    """Apply the (out, in) matrix ``A`` along ``axis`` of ``x`` (a constant: no gradient to A)."""
    At = Tensor._wrap(_dtype.cast_array(np.ascontiguousarray(A.T), x.dtype))  # x's dtype: bfloat16 too
    if axis == x.ndim - 1:
        return linalg.matmul(x, At)
    moved = shape.transpose(x, axis, -1)
    return shape.transpose(linalg.matmul(moved, At), axis, -1)


def _sizes_error(spatial, out):
    names = "DHW"[3 - len(spatial):]
    a = ", ".join(f"{n}: {v}" for n, v in zip(names, spatial))
    b = ", ".join(f"{n}: {v}" for n, v in zip(names, out))
    return RuntimeError(f"Input and output sizes should be greater than 0, but got input ({a}) output ({b})")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
                antialias=False):
    float_only(input, "interpolate", "upsample")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    x = input._data
    dim = x.ndim - 2
    spatial = list(x.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = [None] * max(dim, 0)
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {spatial} and output size of {size}. Please provide input tensor in (N, C, d1, d2, "
                    "...,dK) format and output size in (o1, o2, ...,oK) format.")
            if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int], "
                                f"but got size with types {[type(v) for v in size]}")
            out_size = [int(v) for v in size]
        else:
            out_size = [int(size)] * max(dim, 0)
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {spatial} and scale_factor of shape {scale_factor}. Please provide input tensor in "
                    "(N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scales = [float(v) for v in scale_factor]
        else:
            scales = [float(scale_factor)] * max(dim, 0)
        if not all(math.isfinite(s) for s in scales):
            bad = next(s for s in scales if not math.isfinite(s))
            if recompute_scale_factor or mode == "area":  # torch computes these sizes in Python: math.floor's errors
                raise (ValueError if math.isnan(bad) else OverflowError)(
                    f"interpolate(): cannot convert float {bad} to integer (scale_factor {scale_factor}, mode {mode})")
            raise RuntimeError(f"interpolate(): scale_factor {scale_factor} gives an output size that cannot be converted "
                               "to type int64_t without overflow")
        out_size = [math.floor(L * s) for L, s in zip(spatial, scales)]
        if recompute_scale_factor or mode == "area":  # sizes from the scale; the coordinates from the sizes
            scales = [None] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not implemented in impl")
    if mode in _LINEAR_MODES and x.ndim in _NEEDS and x.ndim != _LINEAR_MODES[mode] and mode != "bicubic":
        raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs {_LINEAR_MODES[mode]}D input")
    supported = mode in ("nearest", "nearest-exact", "area") and x.ndim in (3, 4, 5) or \
        mode in _LINEAR_MODES and x.ndim == _LINEAR_MODES[mode]
    if not supported:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for the modes: "
                                  f"{_MODES} (got {mode})")
    if any(v <= 0 for v in spatial + out_size):
        raise _sizes_error(spatial, out_size)
    out = input
    for k, (Lin, Lout, s) in enumerate(zip(spatial, out_size, scales)):
        axis = 2 + k
        if mode in ("nearest", "nearest-exact"):
            if Lin != Lout or mode == "nearest-exact":
                out = shape.index_select(out, axis, _nearest_index(Lin, Lout, s, mode == "nearest-exact"))
            continue
        if mode == "area":
            A = _adaptive_matrix(Lin, Lout, x.dtype)
        elif mode == "bicubic":
            A = _cubic_matrix(Lin, Lout, align_corners, s, x.dtype)
        else:
            A = _linear_matrix(Lin, Lout, align_corners, s, x.dtype)
        out = _along(out, axis, A)
    if out is input:  # same size everywhere: still a new tensor, as torch's
        out = shape.clone(input)
    if mode == "area" and any(n != 1 for n in out_size):
        # torch's area mode is adaptive_avg_pool, whose node saves the input (a 1x1 output is a mean: nothing)
        out = also_saves(out, input)
    return out


# ---- pixel shuffle ---------------------------------------------------------------------------------
def _factor(op, name, factor, x):
    if x.ndim < 3:
        raise RuntimeError(f"{op} expects input to have at least 3 dimensions, but got input with {x.ndim} dimension(s)")
    r = int(factor)
    if r <= 0:
        raise RuntimeError(f"{op} expects a positive {name}, but got {r}")
    return r


def _fresh(t):
    """torch's pixel_(un)shuffle return a new tensor, never a view of the input (which reshape/permute give
    when nothing moves, e.g. a factor of 1): an in-place op on the result must not touch the input."""
    return shape.clone(t) if t._base is not None else t


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r): reshape, permute, reshape."""
    op = "pixel_shuffle"
    x = input._data
    r = _factor(op, "upscale_factor", upscale_factor, x)
    *lead, C, H, W = x.shape
    if C % (r * r):
        raise RuntimeError(f"{op} expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
                           f"but input.size(-3)={C} is not divisible by {r * r}")
    n = len(lead)
    t = shape.reshape(input, (*lead, C // (r * r), r, r, H, W))
    t = shape.permute(t, (*range(n), n, n + 3, n + 1, n + 4, n + 2))
    return _fresh(shape.reshape(t, (*lead, C // (r * r), H * r, W * r)))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W): the inverse of pixel_shuffle."""
    op = "pixel_unshuffle"
    x = input._data
    r = _factor(op, "downscale_factor", downscale_factor, x)
    *lead, C, H, W = x.shape
    if H % r:
        raise RuntimeError(f"{op} expects height to be divisible by downscale_factor, but input.size(-2)={H} is not "
                           f"divisible by {r}")
    if W % r:
        raise RuntimeError(f"{op} expects width to be divisible by downscale_factor, but input.size(-1)={W} is not "
                           f"divisible by {r}")
    n = len(lead)
    t = shape.reshape(input, (*lead, C, H // r, r, W // r, r))
    t = shape.permute(t, (*range(n), n, n + 2, n + 4, n + 1, n + 3))
    return _fresh(shape.reshape(t, (*lead, C * r * r, H // r, W // r)))


# ---- pooling: 1-d average, adaptive max, max unpooling ---------------------------------------------
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """avg_pool2d on a height-1 image (as torch's)."""
    op = "avg_pool1d"
    check_float(input, op)
    x = input._data
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 'self' "
                           f"(while checking arguments for {op})")
    (k,) = ntuple(kernel_size, 1, "kernel_size", op)
    no_stride = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    (s,) = (k,) if no_stride else ntuple(stride, 1, "stride", op)
    (p,) = ntuple(padding, 1, "padding", op)
    out = avg_pool2d(shape.unsqueeze(input, -2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad)
    return shape.squeeze(out, -2)


def _window_bounds(L, o):
    i = np.arange(o)
    return (i * L) // o, -((-(i + 1) * L) // o)  # torch's start_index / end_index


def _window_taps(L, o):
    """(o, kmax) input positions of each adaptive window, the short windows padded with their last position."""
    start, end = _window_bounds(L, o)
    kmax = int((end - start).max()) if o else 0
    return np.minimum(start[:, None] + np.arange(kmax)[None, :], end[:, None] - 1)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Composite: each window's winner (torch's first maximum; a nan wins, the last one) found in numpy, then a
    gather of those input elements, whose derivative routes each gradient to its winner."""
    op = "adaptive_max_pool2d"
    float_only(input, op, op)
    x = input._data
    if x.ndim not in (3, 4):
        raise RuntimeError(f"{op}(): Expected 3D or 4D tensor, but got: {size_str(x.shape)}")
    for i in range(1, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch dimensions, but input has "
                               f"sizes {size_str(x.shape)} with dimension {i} being empty")
    osz = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(osz) != 2:
        raise ValueError(f"{op}(): output_size must have 2 elements, but got output_size={list(osz)}")
    H, W = x.shape[-2:]
    Ho = H if osz[0] is None else int(osz[0])
    Wo = W if osz[1] is None else int(osz[1])
    if Ho < 0 or Wo < 0:
        raise RuntimeError(f"{op}(): output_size must be non-negative, got {[Ho, Wo]}")
    lead = x.shape[:-2]
    M = int(np.prod(lead))
    if Ho * Wo == 0:
        idx = np.zeros((M, Ho, Wo), dtype=np.int64)
    else:
        rows, cols = _window_taps(H, Ho), _window_taps(W, Wo)  # (Ho, kh), (Wo, kw)
        flat = (rows[:, None, :, None] * W + cols[None, :, None, :]).reshape(Ho, Wo, -1)  # (Ho, Wo, kh*kw)
        win = x.reshape(M, H * W)[:, flat]  # (M, Ho, Wo, kh*kw)
        arg = np.argmax(win, axis=-1)
        nan = np.isnan(win)
        if nan.any():
            last_nan = nan.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
            arg = np.where(nan.any(axis=-1), last_nan, arg)
        idx = np.take_along_axis(np.broadcast_to(flat, win.shape), arg[..., None], axis=-1)[..., 0]
    out = shape.gather(shape.reshape(input, (M, H * W)), 1, Tensor._wrap(idx.reshape(M, Ho * Wo)))
    out = shape.reshape(out, lead + (Ho, Wo))
    return (out, Tensor._wrap(idx.reshape(lead + (Ho, Wo)))) if return_indices else out


def _unpool_output_size(x, kernel, stride, padding, output_size):
    """torch's F._unpool_output_size: the default size, or a given one within a stride of it."""
    default = [(x.shape[-2 + d] - 1) * stride[d] + kernel[d] - 2 * padding[d] for d in range(2)]
    if output_size is None:
        return default
    output_size = list(output_size)
    if len(output_size) == 4:
        output_size = output_size[2:]
    if len(output_size) != 2:
        raise ValueError(f"output_size should be a sequence containing 2 or 4 elements, but it has a length of "
                         f"'{len(output_size)}'")
    for d in range(2):
        lo, hi = default[d] - stride[d], default[d] + stride[d]
        if not lo < output_size[d] < hi:
            raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {d} must be between {lo} and {hi})')
    return [int(v) for v in output_size]


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Each input value written at its flat index into zeros of the output plane; the derivative gathers back."""
    op = "max_unpool2d"
    ensure_tensor(input, op, "input", 1)  # torch parses both arguments before anything else
    ensure_tensor(indices, op, "indices", 2)
    float_only(input, op, op)
    k = ntuple(kernel_size, 2, "kernel_size", op)
    s = k if stride is None else ntuple(stride, 2, "stride", op)
    p = ntuple(padding, 2, "padding", op)
    x = input._data
    Ho, Wo = _unpool_output_size(x, k, s, p, output_size)
    idx = indices._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {torch_type_name(idx)}")
    if x.ndim not in (3, 4):
        raise RuntimeError(f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with {x.ndim} dimensions.")
    if idx.shape != x.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({size_str(x.shape)}) but got "
                           f"indices tensor with shape: {size_str(idx.shape)}")
    if Ho < 0 or Wo < 0:  # torch checks the size in Python: a ValueError
        raise ValueError(f"{op}: output_size must contain non-negative spatial dimensions, but got {[Ho, Wo]}")
    lead = x.shape[:-2]
    M = int(np.prod(lead))
    flat = idx.reshape(M, -1)
    if flat.size and (flat.min() < 0 or flat.max() >= Ho * Wo):
        bad = int(flat.max()) if flat.max() >= Ho * Wo else int(flat.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size {Ho}x{Wo}")
    out = np.zeros((M, Ho * Wo), dtype=x.dtype)
    # (a repeated index keeps one of its values: the last here; torch leaves which one unspecified)
    np.put_along_axis(out, flat, x.reshape(M, -1), axis=1)
    gidx = Tensor._wrap(flat)

    def backward(g):
        return (shape.reshape(shape.gather(shape.reshape(g, (M, Ho * Wo)), 1, gidx), x.shape),)

    # torch's max_pool_double_backward reads the indices: saved (an in-place edit of them makes backward raise)
    saved = (indices,) if isinstance(indices, Tensor) else ()
    return apply("MaxUnpool2DBackward0", out.reshape(lead + (Ho, Wo)), (input,), backward, saved=saved)
