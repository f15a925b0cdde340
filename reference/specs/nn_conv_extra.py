"""OpSpecs for the transposed and 3-D convolutions, unfold/fold, upsampling and the extra pooling ops of
impl.nn.functional (conv_transpose1d/2d, conv3d, unfold, fold, interpolate, pixel_shuffle, pixel_unshuffle,
avg_pool1d, adaptive_max_pool2d, max_unpool2d).

Strategies draw the hyperparameters with hypothesis and keep the sizes small (every conv-like spec runs its
gradcheck on the full Jacobian); every input they produce is one torch accepts, and the rejected ones are the
``error_inputs``.
"""
from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import strategies as st

from reference.opspec import Divergence, ErrorInput, OpSpec
from reference.specs.nn_functional import F, _int_or_tuple, normal
from reference.strategies import distinct, rarely, rng_of, sample


def _batch(draw):
    """() = unbatched; (0,) = an empty batch, rare (it checks no values)."""
    return (0,) if draw(rarely()) else draw(st.sampled_from([(1,), (2,), ()]))


# ---- transposed convolution -------------------------------------------------------------------------
@st.composite
def _conv_transpose(draw, nd, bias=True):
    r = rng_of(draw)
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    Cin, Cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    spatial = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    # output padding must be below the stride or the dilation; the output size must stay >= 1
    out_pad = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    padding = []
    for L, k, s, d, op in zip(spatial, kernel, stride, dilation, out_pad):
        top = ((L - 1) * s + d * (k - 1) + op) // 2  # the largest padding that leaves an output of size >= 1
        padding.append(draw(st.integers(0, min(2, top))))
    kw = dict(stride=_int_or_tuple(draw, stride), padding=_int_or_tuple(draw, tuple(padding)),
              output_padding=_int_or_tuple(draw, out_pad), groups=groups, dilation=_int_or_tuple(draw, dilation))
    arrays = [normal(r, *_batch(draw), Cin, *spatial), normal(r, Cin, Cout // groups, *kernel)]
    if bias:
        arrays.append(normal(r, Cout))
    return sample(*arrays, **kw)


def _conv_transpose_errors(op):
    nd = 2 if op == "conv_transpose2d" else 1
    sp, k = (4,) * nd, (3,) * nd
    return (
        ErrorInput(lambda lib: ((lib.randn(1, 5, *sp), lib.randn(4, 3, *k), None), {}), RuntimeError,
                   r"weight of size \[4, 3.*expected input\[1, 5.* to have 4 channels, but got 5 channels"),
        ErrorInput(lambda lib: ((lib.randn(1, 4, *sp), lib.randn(4, 3, *k), None), {"stride": 2, "output_padding": 2}),
                   RuntimeError, "output padding must be smaller than either stride or dilation"),
        ErrorInput(lambda lib: ((lib.randn(1, 4, *(1,) * nd), lib.randn(4, 3, *k), None), {"padding": 3}), RuntimeError,
                   r"Calculated output size per channel: \(-3.*Output size is too small"),
        ErrorInput(lambda lib: ((lib.randn(1, 4, *sp), lib.randn(4, 3, *k), None), {"groups": 3}), RuntimeError,
                   "expected weight to be divisible by 3 at dimension 0"),
        ErrorInput(lambda lib: ((lib.randn(*sp), lib.randn(4, 3, *k), None), {}), RuntimeError,
                   f"Expected {nd + 1}D \\(unbatched\\) or {nd + 2}D \\(batched\\) input to {op}"),
        ErrorInput(lambda lib: ((lib.randn(1, 4, *sp), lib.randn(4, 3, *k), lib.randn(4)), {}), RuntimeError,
                   "expected bias to be 1-dimensional with 3 elements, but got bias of size \\[4\\]"),
        ErrorInput(lambda lib: ((lib.randn(1, 4, *sp), lib.randn(4, 3, *k), None), {"stride": 0}), RuntimeError,
                   "non-positive stride is not supported"),
        ErrorInput(lambda lib: ((lib.randn(1, 4, *sp), lib.randn(4, 3, *k), None), {"padding": -1}), RuntimeError,
                   "negative padding is not supported"),
        ErrorInput(lambda lib: ((lib.randn(1, 4, *sp), lib.randn(4, 3, *k), None), {"dilation": 0}), RuntimeError,
                   "dilation should be greater than zero"),
        ErrorInput(lambda lib: ((lib.randn(1, 4, *sp), lib.randn(4, 3, *k), None), {"padding": "same"}), TypeError,
                   f"{op}\\(\\): argument 'padding' must be tuple of ints, not str"),
        ErrorInput(lambda lib: ((lib.randn(1, 4, *sp), lib.randn(4, 3, *k).double(), None), {}), RuntimeError,
                   "expected scalar type Float but found Double", "mixed dtypes"),
        ErrorInput(lambda lib: ((lib.randn(1, 4, 0, *sp[1:]), lib.randn(4, 3, *k), None), {}), RuntimeError,
                   "Only zero batch or zero channel inputs are supported, but got input shape: \\[1, 4, 0"),
    )


# ---- conv3d -----------------------------------------------------------------------------------------
@st.composite
def _conv3d(draw):
    r = rng_of(draw)
    groups = draw(st.sampled_from([1, 1, 2]))
    C, O = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 2)) for _ in range(3))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(3))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(3))
    choices = ["int", "tuple", "valid"] + (["same"] if all(s == 1 for s in stride) else [])
    pmode = draw(st.sampled_from(choices))
    if pmode == "int":
        padding = draw(st.integers(0, 1))
        pads = (padding,) * 3
    elif pmode == "tuple":
        pads = tuple(draw(st.integers(0, 1)) for _ in range(3))
        padding = pads
    else:
        padding, pads = pmode, (0,) * 3
    spatial = [draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), d * (k - 1) + 2)) for k, d, p in zip(kernel, dilation, pads)]
    kw = dict(padding=padding, dilation=_int_or_tuple(draw, dilation), stride=_int_or_tuple(draw, stride), groups=groups)
    return sample(normal(r, *_batch(draw), C, *spatial), normal(r, O, C // groups, *kernel), normal(r, O), **kw)


_CONV3D_ERRORS = (
    ErrorInput(lambda lib: ((lib.randn(1, 5, 3, 3, 3), lib.randn(2, 3, 2, 2, 2), None), {}), RuntimeError,
               r"expected input\[1, 5, 3, 3, 3\] to have 3 channels, but got 5 channels"),
    ErrorInput(lambda lib: ((lib.randn(3, 3, 3), lib.randn(2, 3, 2, 2, 2), None), {}), RuntimeError,
               r"Expected 4D \(unbatched\) or 5D \(batched\) input to conv3d"),
    ErrorInput(lambda lib: ((lib.randn(1, 3, 1, 3, 3), lib.randn(2, 3, 2, 2, 2), None), {}), RuntimeError,
               "Kernel size can't be greater than actual input size"),
    ErrorInput(lambda lib: ((lib.randn(1, 3, 3, 3, 3), lib.randn(2, 3, 2, 2, 2), None), {"padding": "same", "stride": 2}),
               RuntimeError, "padding='same' is not supported for strided convolutions"),
    ErrorInput(lambda lib: ((lib.randn(1, 4, 3, 3, 3), lib.randn(3, 2, 2, 2, 2), None), {"groups": 2}), RuntimeError,
               "expected weight to be divisible by 2"),
)


# ---- unfold / fold ----------------------------------------------------------------------------------
@st.composite
def _sliding(draw):
    """kernel, dilation, padding, stride, and an input size with at least one block per axis."""
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2))
    padding = tuple(draw(st.integers(0, 1)) for _ in range(2))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(2))
    size = tuple(draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), d * (k - 1) + 3))
                 for k, d, p in zip(kernel, dilation, padding))
    kw = dict(kernel_size=_int_or_tuple(draw, kernel), dilation=_int_or_tuple(draw, dilation),
              padding=_int_or_tuple(draw, padding), stride=_int_or_tuple(draw, stride))
    blocks = [(L + 2 * p - d * (k - 1) - 1) // s + 1 for L, k, d, p, s in zip(size, kernel, dilation, padding, stride)]
    return kernel, size, blocks, kw


@st.composite
def _unfold(draw):
    r = rng_of(draw)
    _, size, _, kw = draw(_sliding())
    batch = draw(st.sampled_from([(1,), (2,), ()]))
    return sample(normal(r, *batch, draw(st.integers(1, 3)), *size), **kw)


@st.composite
def _fold(draw):
    r = rng_of(draw)
    kernel, size, blocks, kw = draw(_sliding())
    batch = draw(st.sampled_from([(1,), (2,), ()]))
    C = draw(st.integers(1, 2))
    return sample(normal(r, *batch, C * kernel[0] * kernel[1], blocks[0] * blocks[1]),
                  output_size=_int_or_tuple(draw, size), **kw)


def _long_input(*shape, **kw):
    """An int64 input: torch has no integer kernel for these ops (NotImplementedError, "not implemented for 'Long'")."""
    return ErrorInput(lambda lib: ((lib.arange(int(np.prod(shape))).reshape(*shape),), kw), NotImplementedError,
                      "not implemented for 'Long'")


_UNFOLD_ERRORS = (
    _long_input(1, 1, 3, 3, kernel_size=2),
    ErrorInput(lambda lib: ((lib.randn(1, 1, 3, 3),), {"kernel_size": 4}), RuntimeError,
               "calculated shape of the array of sliding blocks as \\(0, 0\\), but its components must be at least one"),
    ErrorInput(lambda lib: ((lib.randn(1, 2, 3, 3, 3),), {"kernel_size": 2}), RuntimeError,
               "Expected 3D or 4D \\(batch mode\\) tensor"),
    ErrorInput(lambda lib: ((lib.randn(3, 3),), {"kernel_size": 2}), IndexError, "Dimension out of range"),
)
_FOLD_ERRORS = (
    _long_input(1, 4, 4, output_size=(3, 3), kernel_size=2),
    ErrorInput(lambda lib: ((lib.randn(1, 4, 5),), {"output_size": (3, 3), "kernel_size": 2}), RuntimeError,
               "calculated number of sliding blocks 2 \\* 2 = 4, but got input.size\\(2\\)=5"),
    ErrorInput(lambda lib: ((lib.randn(1, 5, 4),), {"output_size": (3, 3), "kernel_size": 2}), RuntimeError,
               "dimension 1 to be divisible by the product of kernel_size, but got input.size\\(1\\)=5"),
    ErrorInput(lambda lib: ((lib.randn(1, 4, 4, 1),), {"output_size": (3, 3), "kernel_size": 2}), RuntimeError,
               "Expected 2D or 3D \\(batch mode\\) tensor"),
)


# ---- interpolate ------------------------------------------------------------------------------------
_SPATIAL = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


@st.composite
def _interpolate(draw, modes):
    r = rng_of(draw)
    mode = draw(st.sampled_from(modes))
    nd = _SPATIAL.get(mode) or draw(st.integers(1, 3))
    spatial = tuple(draw(st.integers(1, 5 if nd < 3 else 3)) for _ in range(nd))
    kw = dict(mode=mode)
    if mode in _SPATIAL:
        kw["align_corners"] = draw(st.sampled_from([False, True, None]))
    if draw(st.booleans()):
        sizes = tuple(draw(st.integers(1, 7 if nd < 3 else 4)) for _ in range(nd))
        kw["size"] = sizes[0] if len(set(sizes)) == 1 and draw(st.booleans()) else sizes
    else:
        factors = [draw(st.sampled_from([0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0])) for _ in range(nd)]
        for i, (L, f) in enumerate(zip(spatial, factors)):
            if int(L * f) < 1:  # torch refuses an empty output (error_inputs)
                factors[i] = 2.0
        kw["scale_factor"] = factors[0] if len(set(factors)) == 1 and draw(st.booleans()) else tuple(factors)
        if draw(st.booleans()):
            kw["recompute_scale_factor"] = draw(st.booleans())
    lead = (0, 2) if draw(rarely()) else draw(st.sampled_from([(1, 2), (2, 1)]))  # empty batch: rare
    return sample(normal(r, *lead, *spatial), **kw)


_INTERPOLATE_ERRORS = (
    _long_input(1, 2, 4, 4, scale_factor=2.0, mode="bilinear"),
    ErrorInput(lambda lib: ((lib.randn(1, 2, 4, 4),), {"size": 3, "scale_factor": 2.0}), ValueError,
               "only one of size or scale_factor should be defined"),
    ErrorInput(lambda lib: ((lib.randn(1, 2, 4, 4),), {}), ValueError, "either size or scale_factor should be defined"),
    ErrorInput(lambda lib: ((lib.randn(1, 2, 4, 4),), {"size": (3,)}), ValueError,
               "Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of \\[4, 4\\]"),
    ErrorInput(lambda lib: ((lib.randn(1, 2, 4, 4),), {"scale_factor": (2.0, 2.0, 2.0)}), ValueError,
               "Input and scale_factor must have the same number of spatial dimensions"),
    ErrorInput(lambda lib: ((lib.randn(1, 2, 4, 4),), {"size": 3, "align_corners": True}), ValueError,
               "align_corners option can only be set with the interpolating modes"),
    ErrorInput(lambda lib: ((lib.randn(1, 2, 4, 4),), {"size": 3, "mode": "linear"}), NotImplementedError,
               "Got 4D input, but linear mode needs 3D input"),
    ErrorInput(lambda lib: ((lib.randn(1, 2, 4),), {"size": 3, "mode": "bilinear"}), NotImplementedError,
               "Got 3D input, but bilinear mode needs 4D input"),
    ErrorInput(lambda lib: ((lib.randn(1, 2, 4, 4),), {"size": 3, "mode": "cubic"}), NotImplementedError,
               "Only 3D, 4D and 5D input Tensors supported \\(got 4D\\) for the modes.*\\(got cubic\\)"),
    ErrorInput(lambda lib: ((lib.randn(4, 4),), {"size": 3}), NotImplementedError,
               "Only 3D, 4D and 5D input Tensors supported \\(got 2D\\)"),
    ErrorInput(lambda lib: ((lib.randn(1, 2, 4, 4),), {"scale_factor": 0.1}), RuntimeError,
               "Input and output sizes should be greater than 0, but got input \\(H: 4, W: 4\\) output \\(H: 0, W: 0\\)"),
    ErrorInput(lambda lib: ((lib.randn(1, 2, 4, 4),), {"size": 3, "recompute_scale_factor": True}), ValueError,
               "recompute_scale_factor is not meaningful with an explicit size"),
)


# ---- pixel shuffle ----------------------------------------------------------------------------------
@st.composite
def _pixel_shuffle(draw, unshuffle):
    r = rng_of(draw)
    f = draw(st.integers(1, 3))
    # no empty batch: torch 2.13's own PixelShuffleBackward0 raises on one (it returns a gradient of the wrong
    # shape, [0, 1, 2, 2] for an input [0, 4, 1, 1])
    lead = draw(st.sampled_from([(), (2,), (1, 2)]))
    C, H, W = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    if unshuffle:
        return sample(normal(r, *lead, C, H * f, W * f), downscale_factor=f)
    return sample(normal(r, *lead, C * f * f, H, W), upscale_factor=f)


# ---- pooling ----------------------------------------------------------------------------------------
@st.composite
def _avg_pool1d(draw):
    r = rng_of(draw)
    k, s = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    p = draw(st.integers(0, k // 2))
    L = draw(st.integers(max(1, k - 2 * p), k + 5))
    lead = (0, 2) if draw(rarely()) else draw(st.sampled_from([(2, 3), (1, 2), (3,)]))
    kw = dict(kernel_size=k, padding=p, ceil_mode=draw(st.booleans()), count_include_pad=draw(st.booleans()))
    if draw(st.booleans()):
        kw["stride"] = s
    return sample(normal(r, *lead, L), **kw)


@st.composite
def _adaptive_max(draw):
    r = rng_of(draw)
    H, W = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    lead = draw(st.sampled_from([(2, 3), (1, 2), (3,)]))
    size = draw(st.one_of(st.integers(1, 7), st.tuples(st.integers(1, 7), st.integers(1, 7)),
                          st.tuples(st.none(), st.integers(1, 4)), st.tuples(st.integers(1, 4), st.none())))
    # distinct values: no ties for the max, so finite differences see one winner per window
    return sample(distinct(r, (*lead, H, W)), output_size=size)


@st.composite
def _max_unpool(draw):
    r = rng_of(draw)
    k = tuple(draw(st.integers(1, 3)) for _ in range(2))
    p = tuple(draw(st.integers(0, (kk - 1) // 2)) for kk in k)  # k - 2p >= 1: the default output is >= the input
    hw = tuple(draw(st.integers(1, 3)) for _ in range(2))
    kw = dict(kernel_size=_int_or_tuple(draw, k), padding=_int_or_tuple(draw, p))
    s = k
    if draw(st.booleans()):
        s = tuple(draw(st.integers(1, 3)) for _ in range(2))
        kw["stride"] = _int_or_tuple(draw, s)
    out = [(L - 1) * ss + kk - 2 * pp for L, ss, kk, pp in zip(hw, s, k, p)]
    if draw(st.booleans()):  # torch accepts any size strictly within a stride of the default
        out = [draw(st.integers(max(L, d - ss + 1), d + ss - 1)) for L, d, ss in zip(hw, out, s)]
        kw["output_size"] = tuple(out)
    lead = draw(st.sampled_from([(2, 3), (1, 2), (3,)]))
    # every input lands on its own output position (as max_pool2d's indices do): with a repeated index one value
    # is kept, and finite differences would see the others' gradients as wrong
    M, n = int(np.prod(lead)), hw[0] * hw[1]
    idx = np.argsort(r.random((M, out[0] * out[1])), axis=1)[:, :n].reshape(*lead, *hw).astype(np.int64)
    return sample(normal(r, *lead, *hw), idx, **kw)


_POOL_ERRORS = {
    "avg_pool1d": (
        ErrorInput(lambda lib: ((lib.randn(2, 3, 4, 5),), {"kernel_size": 2}), RuntimeError,
                   "Expected 2 to 3 dimensions, but got 4-dimensional tensor"),
        ErrorInput(lambda lib: ((lib.randn(2, 3, 5),), {"kernel_size": 2, "padding": 2}), RuntimeError,
                   "pad should be at most half of effective kernel size"),
        ErrorInput(lambda lib: ((lib.randn(2, 3, 1),), {"kernel_size": 3}), RuntimeError, "Output size is too small"),
    ),
    "adaptive_max_pool2d": (
        _long_input(1, 4, 4, output_size=2),
        ErrorInput(lambda lib: ((lib.randn(2, 3),), {"output_size": 2}), RuntimeError,
                   r"adaptive_max_pool2d\(\): Expected 3D or 4D tensor, but got: \[2, 3\]"),
        ErrorInput(lambda lib: ((lib.randn(2, 3, 0),), {"output_size": 2}), RuntimeError,
                   "Expected input to have non-zero size for non-batch dimensions"),
    ),
    "max_unpool2d": (
        ErrorInput(lambda lib: ((lib.arange(4).reshape(1, 1, 2, 2), lib.zeros(1, 1, 2, 2, dtype=lib.int64)),
                                {"kernel_size": 2}), NotImplementedError, "not implemented for 'Long'"),
        ErrorInput(lambda lib: ((lib.randn(1, 1, 2, 2), lib.tensor([[[[0, 1], [20, 3]]]])), {"kernel_size": 2}),
                   RuntimeError, r"Found an invalid max index: 20 \(output volumes are of size 4x4"),
        ErrorInput(lambda lib: ((lib.randn(1, 1, 2, 2), lib.zeros(1, 1, 2, 2, dtype=lib.int64)),
                                {"kernel_size": 2, "output_size": (7, 7)}),
                   ValueError, r'invalid output_size "\(7, 7\)" \(dim 0 must be between 2 and 6\)'),
        ErrorInput(lambda lib: ((lib.randn(1, 1, 2, 2), lib.zeros(1, 1, 2, 3, dtype=lib.int64)), {"kernel_size": 2}),
                   RuntimeError, r"Expected shape of indices to be same as that of the input tensor \(\[1, 1, 2, 2\]\)"),
        ErrorInput(lambda lib: ((lib.randn(1, 1, 2, 2), lib.zeros(1, 1, 2, 2)), {"kernel_size": 2}), RuntimeError,
                   "elements in indices should be type int64 but got: Float"),
        ErrorInput(lambda lib: ((lib.randn(1, 1, 2, 2), lib.zeros(1, 1, 2, 2, requires_grad=True)), {"kernel_size": 2}),
                   RuntimeError, "elements in indices should be type int64 but got: Float",
                   "float indices that require grad: their dtype is checked, their values never read"),
        ErrorInput(lambda lib: ((lib.randn(2, 2), lib.zeros(2, 2, dtype=lib.int64)), {"kernel_size": 2}), RuntimeError,
                   "Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with 2 dimensions"),
    ),
}

_PIXEL_ERRORS = {
    "pixel_shuffle": (
        ErrorInput(lambda lib: ((lib.randn(1, 3, 2, 2),), {"upscale_factor": 2}), RuntimeError,
                   r"divisible by the square of upscale_factor, but input.size\(-3\)=3 is not divisible by 4"),
        ErrorInput(lambda lib: ((lib.randn(4, 2),), {"upscale_factor": 2}), RuntimeError,
                   "pixel_shuffle expects input to have at least 3 dimensions, but got input with 2 dimension"),
        ErrorInput(lambda lib: ((lib.randn(1, 4, 2, 2),), {"upscale_factor": 0}), RuntimeError,
                   "pixel_shuffle expects a positive upscale_factor, but got 0"),
    ),
    "pixel_unshuffle": (
        ErrorInput(lambda lib: ((lib.randn(1, 3, 3, 4),), {"downscale_factor": 2}), RuntimeError,
                   r"expects height to be divisible by downscale_factor, but input.size\(-2\)=3"),
        ErrorInput(lambda lib: ((lib.randn(1, 3, 4, 3),), {"downscale_factor": 2}), RuntimeError,
                   r"expects width to be divisible by downscale_factor, but input.size\(-1\)=3"),
        ErrorInput(lambda lib: ((lib.randn(3, 3),), {"downscale_factor": 1}), RuntimeError,
                   "pixel_unshuffle expects input to have at least 3 dimensions"),
    ),
}

_ANTIALIAS = Divergence("F.interpolate antialias=True", "not implemented: impl raises NotImplementedError where torch "
                        "filters before resampling (bilinear/bicubic)")


SPECS = [
    OpSpec("F.conv_transpose1d", lambda lib, x, w, b, **kw: F(lib).conv_transpose1d(x, w, b, **kw), _conv_transpose(1),
           differentiable=(0, 1, 2), error_inputs=_conv_transpose_errors("conv_transpose1d")),
    OpSpec("F.conv_transpose2d", lambda lib, x, w, b, **kw: F(lib).conv_transpose2d(x, w, b, **kw), _conv_transpose(2),
           differentiable=(0, 1, 2), error_inputs=_conv_transpose_errors("conv_transpose2d")),
    OpSpec("F.conv_transpose2d_nobias", lambda lib, x, w, **kw: F(lib).conv_transpose2d(x, w, **kw),
           _conv_transpose(2, bias=False), differentiable=(0, 1)),
    OpSpec("F.conv3d", lambda lib, x, w, b, **kw: F(lib).conv3d(x, w, b, **kw), _conv3d(), differentiable=(0, 1, 2),
           error_inputs=_CONV3D_ERRORS),
    OpSpec("F.unfold", lambda lib, x, **kw: F(lib).unfold(x, **kw), _unfold(), error_inputs=_UNFOLD_ERRORS),
    OpSpec("F.fold", lambda lib, x, **kw: F(lib).fold(x, **kw), _fold(), error_inputs=_FOLD_ERRORS),
    OpSpec("F.interpolate_nearest", lambda lib, x, **kw: F(lib).interpolate(x, **kw),
           _interpolate(["nearest", "nearest-exact"]), error_inputs=_INTERPOLATE_ERRORS, divergences=(_ANTIALIAS,)),
    OpSpec("F.interpolate_linear", lambda lib, x, **kw: F(lib).interpolate(x, **kw),
           _interpolate(["linear", "bilinear", "trilinear"])),
    OpSpec("F.interpolate_bicubic", lambda lib, x, **kw: F(lib).interpolate(x, **kw), _interpolate(["bicubic"])),
    OpSpec("F.interpolate_area", lambda lib, x, **kw: F(lib).interpolate(x, **kw), _interpolate(["area"])),
    OpSpec("F.pixel_shuffle", lambda lib, x, **kw: F(lib).pixel_shuffle(x, **kw), _pixel_shuffle(False),
           error_inputs=_PIXEL_ERRORS["pixel_shuffle"]),
    OpSpec("F.pixel_unshuffle", lambda lib, x, **kw: F(lib).pixel_unshuffle(x, **kw), _pixel_shuffle(True),
           error_inputs=_PIXEL_ERRORS["pixel_unshuffle"]),
    OpSpec("F.avg_pool1d", lambda lib, x, **kw: F(lib).avg_pool1d(x, **kw), _avg_pool1d(),
           error_inputs=_POOL_ERRORS["avg_pool1d"]),
    OpSpec("F.adaptive_max_pool2d", lambda lib, x, **kw: F(lib).adaptive_max_pool2d(x, **kw, return_indices=True),
           _adaptive_max(), error_inputs=_POOL_ERRORS["adaptive_max_pool2d"],
           notes="returns (values, indices): the int64 indices are compared exactly"),
    OpSpec("F.adaptive_max_pool2d_values", lambda lib, x, **kw: F(lib).adaptive_max_pool2d(x, **kw), _adaptive_max()),
    OpSpec("F.max_unpool2d", lambda lib, x, idx, **kw: F(lib).max_unpool2d(x, idx, **kw), _max_unpool(),
           error_inputs=_POOL_ERRORS["max_unpool2d"],
           notes="indices are distinct within each plane, as max_pool2d's are"),
]
DIVERGENCES = (
    Divergence("integer inputs of F.conv_transpose1d/2d, F.conv3d, F.avg_pool1d, and uint8 images in "
               "F.interpolate(mode='nearest')", "impl computes these on floating point tensors only (RuntimeError, "
               "or NotImplementedError where torch's other integer types raise it); torch also runs its integer "
               "kernels"),
    Divergence("F.max_unpool2d with a repeated index", "which input value lands there is unspecified in torch (its CPU "
               "kernel keeps an earlier one) and is the last one in impl; the gradient reaches every input at that "
               "index in both. The spec draws distinct indices, as max_pool2d makes them"),
    Divergence("bool inputs of F.unfold/F.fold", "torch moves bool blocks; impl's unfold/fold refuse non-float inputs "
               "(NotImplementedError, torch's class for integer types)"),
)

# The same family as the rest of impl.nn.functional: the parity table groups them, and
# property_tests/test_composites.py checks their fused kernels against their composites.
SPECS = [dataclasses.replace(s, family="nn.functional") for s in SPECS]
