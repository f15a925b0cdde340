"""Transposed and 3-D convolutions, upsampling, pixel shuffle, fold/unfold, the extra pooling layers and the
padding layers of impl.nn against torch.nn, twin by twin.

Each differential test builds the torch layer, perturbs its parameters, copies its state_dict into the impl
twin and compares forward outputs, input gradients under a random cotangent and every parameter gradient with
``run_twins`` from property_tests/test_modules.py (same tolerances and float64 judge). Beyond the numbers:
state_dict keys and shapes, repr, default initialisation distributions, and the layers' argument errors.
"""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from test_modules import IMPL, TORCH, _ks_critical, _ks_two_sample, dtypes, examples, randn, run_twins

import impl
import impl.nn as inn
from reference.twins import compare_state_dict_signatures, copy_state_dict, to_numpy

pytestmark = [pytest.mark.modules,
              pytest.mark.impl_only(reason="not yet routed through reference.targets: runs impl and torch side by side")]


# =====================================================================================================
# Transposed convolutions (with forward's output_size argument), Conv3d
# =====================================================================================================
@st.composite
def conv_transpose_case(draw, nd):
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    spatial = tuple(draw(st.integers(2, 4)) for _ in range(nd))
    out_pad = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dil))
    pad = tuple(draw(st.integers(0, min(1, ((L - 1) * s + d * (kk - 1)) // 2)))
                for L, s, d, kk in zip(spatial, stride, dil, k))
    batch = draw(st.sampled_from([(1,), (2,), ()]))
    # output_size in forward: any size from the smallest output up to stride - 1 more (torch's valid range)
    base = [(L - 1) * s - 2 * p + d * (kk - 1) + 1 for L, s, p, d, kk in zip(spatial, stride, pad, dil, k)]
    out_size = [b + draw(st.integers(0, s - 1)) for b, s in zip(base, stride)] if draw(st.booleans()) else None
    return dict(cin=cin, cout=cout, k=k, stride=stride, pad=pad, out_pad=out_pad, dil=dil, groups=groups,
                bias=draw(st.booleans()), shape=(*batch, cin, *spatial), out_size=out_size)


def _run_conv_transpose(c, nd, dtype, seed):
    rng = np.random.default_rng(seed)
    unwrap = (lambda t: t[0]) if nd == 1 else (lambda t: t)
    kw = dict(stride=unwrap(c["stride"]), padding=unwrap(c["pad"]), dilation=unwrap(c["dil"]), groups=c["groups"],
              bias=c["bias"])
    if c["out_size"] is None:
        kw["output_padding"] = unwrap(c["out_pad"])
    cls = f"ConvTranspose{nd}d"
    run_twins(lambda L: getattr(L.nn, cls)(c["cin"], c["cout"], unwrap(c["k"]), **kw), [randn(rng, c["shape"])], dtype,
              call=lambda m, xs, lib: m(xs[0], output_size=c["out_size"]), what=f"{cls} {kw} output_size={c['out_size']}",
              seed=seed)


@settings(max_examples=examples(10))
@given(conv_transpose_case(1), dtypes, st.integers(0, 2**16))
def test_conv_transpose1d(c, dtype, seed):
    _run_conv_transpose(c, 1, dtype, seed)


@settings(max_examples=examples(15))
@given(conv_transpose_case(2), dtypes, st.integers(0, 2**16))
def test_conv_transpose2d(c, dtype, seed):
    _run_conv_transpose(c, 2, dtype, seed)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=examples(8))
@given(st.integers(1, 2), st.sampled_from(["zeros", "zeros", "reflect", "replicate", "circular"]),
       st.sampled_from([0, 1, "same", "valid"]), st.integers(1, 2), st.booleans(), dtypes, st.integers(0, 2**16))
def test_conv3d(groups, mode, padding, stride, bias, dtype, seed):
    rng = np.random.default_rng(seed)
    stride = 1 if padding == "same" else stride
    kw = dict(kernel_size=(2, 1, 2), stride=stride, padding=padding, groups=groups, bias=bias, padding_mode=mode)
    x = randn(rng, (2, 2 * groups, 3, 4, 3))
    run_twins(lambda L: L.nn.Conv3d(2 * groups, 2 * groups, **kw), [x], dtype, what=f"Conv3d {kw}", seed=seed)


# =====================================================================================================
# Pooling extras: AvgPool1d, AdaptiveMaxPool2d, MaxUnpool2d (fed by MaxPool2d's indices)
# =====================================================================================================
@settings(max_examples=examples(8))
@given(st.integers(1, 3), st.one_of(st.none(), st.integers(1, 3)), st.booleans(), st.booleans(), st.integers(3, 7),
       dtypes, st.integers(0, 2**16))
def test_avgpool1d(k, stride, ceil, count_include_pad, length, dtype, seed):
    rng = np.random.default_rng(seed)
    run_twins(lambda L: L.nn.AvgPool1d(k, stride, k // 2, ceil, count_include_pad), [randn(rng, (2, 3, length))], dtype,
              what=f"AvgPool1d({k}, {stride}, ceil={ceil}, cip={count_include_pad})", seed=seed)


@settings(max_examples=examples(10))
@given(st.one_of(st.integers(1, 5), st.tuples(st.one_of(st.none(), st.integers(1, 5)), st.integers(1, 6))),
       st.integers(1, 7), st.integers(1, 7), st.sampled_from([(2, 3), (1, 2), (2,)]), st.booleans(), dtypes,
       st.integers(0, 2**16))
def test_adaptive_maxpool2d(out, h, w, lead, return_indices, dtype, seed):
    rng = np.random.default_rng(seed)
    shape = (*lead, h, w)
    x = rng.permutation(int(np.prod(shape))).reshape(shape) / 7.0  # distinct values: no ties for the max
    run_twins(lambda L: L.nn.AdaptiveMaxPool2d(out, return_indices=return_indices), [x], dtype,
              what=f"AdaptiveMaxPool2d({out}, return_indices={return_indices})", seed=seed)


@settings(max_examples=examples(10))
@given(st.integers(1, 3), st.one_of(st.none(), st.integers(1, 3)), st.integers(0, 1), st.integers(3, 7),
       st.integers(3, 7), st.booleans(), dtypes, st.integers(0, 2**16))
def test_maxunpool2d_inverts_maxpool2d(k, stride, pad, h, w, give_size, dtype, seed):
    """MaxPool2d(return_indices=True) then MaxUnpool2d, with and without the output_size argument."""
    rng = np.random.default_rng(seed)
    pad = min(pad, k // 2)
    shape = (2, 2, h, w)
    x = rng.permutation(int(np.prod(shape))).reshape(shape) / 5.0

    def build(L):
        return L.nn.ModuleList([L.nn.MaxPool2d(k, stride, pad, return_indices=True), L.nn.MaxUnpool2d(k, stride, pad)])

    def call(m, xs, lib):
        out, idx = m[0](xs[0])
        default = [(o - 1) * s + k - 2 * pad for o, s in zip(out.shape[-2:], m[1].stride)]
        # without output_size the plane is the default size; where that is smaller than the input, a winner's
        # flat index can fall outside it (an error in both libraries): give the input's size there
        small = any(d < n for d, n in zip(default, xs[0].shape[-2:]))
        size = tuple(xs[0].shape[-2:]) if (give_size or small) else None
        return m[1](out, idx, output_size=size), idx

    run_twins(build, [x], dtype, call=call, what=f"MaxPool2d+MaxUnpool2d({k}, {stride}, {pad}) size={give_size}",
              seed=seed)


# =====================================================================================================
# Upsampling, pixel shuffle, fold/unfold
# =====================================================================================================
UPSAMPLE_MODES = {3: ["nearest", "nearest-exact", "linear", "area"], 4: ["nearest", "bilinear", "bicubic", "area"],
                  5: ["nearest", "trilinear"]}


@settings(max_examples=examples(15))
@given(st.data(), st.sampled_from([3, 4, 5]), dtypes, st.integers(0, 2**16))
def test_upsample(data, ndim, dtype, seed):
    rng = np.random.default_rng(seed)
    mode = data.draw(st.sampled_from(UPSAMPLE_MODES[ndim]), label="mode")
    nd = ndim - 2
    spatial = tuple(data.draw(st.integers(1, 5 if nd < 3 else 3)) for _ in range(nd))
    kw = dict(mode=mode)
    if mode in ("linear", "bilinear", "bicubic", "trilinear"):
        kw["align_corners"] = data.draw(st.sampled_from([None, False, True]), label="align_corners")
    if data.draw(st.booleans(), label="by size"):
        kw["size"] = tuple(data.draw(st.integers(1, 6)) for _ in range(nd))
    else:
        kw["scale_factor"] = data.draw(st.sampled_from([1.5, 2.0, 3.0]), label="scale_factor")
    run_twins(lambda L: L.nn.Upsample(**kw), [randn(rng, (2, 2, *spatial))], dtype, what=f"Upsample({kw})", seed=seed)


@pytest.mark.parametrize("cls", ["UpsamplingNearest2d", "UpsamplingBilinear2d"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_upsampling_2d_layers(cls, dtype):
    rng = np.random.default_rng(3)
    x = randn(rng, (2, 3, 4, 5))
    run_twins(lambda L: getattr(L.nn, cls)(scale_factor=2), [x], dtype, what=f"{cls}(scale_factor=2)")
    run_twins(lambda L: getattr(L.nn, cls)(size=(7, 3)), [x], dtype, what=f"{cls}(size=(7, 3))")


@settings(max_examples=examples(8))
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.sampled_from([(), (2,), (2, 1)]), dtypes,
       st.integers(0, 2**16))
def test_pixel_shuffle_and_unshuffle(r, c, hw, lead, dtype, seed):
    rng = np.random.default_rng(seed)
    run_twins(lambda L: L.nn.PixelShuffle(r), [randn(rng, (*lead, c * r * r, hw, hw + 1))], dtype, what=f"PixelShuffle({r})")
    run_twins(lambda L: L.nn.PixelUnshuffle(r), [randn(rng, (*lead, c, hw * r, (hw + 1) * r))], dtype,
              what=f"PixelUnshuffle({r})")
    # the round trip is the identity in both libraries
    x = impl.tensor(randn(rng, (*lead, c * r * r, hw, hw)))
    np.testing.assert_array_equal(inn.PixelUnshuffle(r)(inn.PixelShuffle(r)(x)).numpy(), x.numpy())


@settings(max_examples=examples(10))
@given(st.integers(1, 3), st.integers(1, 2), st.integers(0, 1), st.integers(1, 2), st.integers(3, 6), st.booleans(),
       dtypes, st.integers(0, 2**16))
def test_unfold_then_fold(k, dil, pad, stride, size, batched, dtype, seed):
    """Unfold's blocks folded back: every pixel times the number of blocks covering it (torch's identity)."""
    rng = np.random.default_rng(seed)
    shape = (2, 3, size, size + 1) if batched else (3, size, size + 1)
    kw = dict(kernel_size=k, dilation=dil, padding=pad, stride=stride)

    def build(L):
        return L.nn.Sequential(L.nn.Unfold(**kw), L.nn.Fold((size, size + 1), **kw))

    run_twins(build, [randn(rng, shape)], dtype, what=f"Unfold/Fold {kw}", seed=seed)


# =====================================================================================================
# Padding layers
# =====================================================================================================
PADS = {
    "ZeroPad1d": (1, lambda p: p[:2]), "ZeroPad2d": (2, lambda p: p),
    "ConstantPad1d": (1, lambda p: p[:2]), "ConstantPad2d": (2, lambda p: p),
    "ReflectionPad1d": (1, lambda p: p[:2]), "ReflectionPad2d": (2, lambda p: p),
    "ReplicationPad1d": (1, lambda p: p[:2]), "ReplicationPad2d": (2, lambda p: p),
    "CircularPad1d": (1, lambda p: p[:2]), "CircularPad2d": (2, lambda p: p),
}


@pytest.mark.parametrize("name", list(PADS))
@settings(max_examples=examples(4))
@given(st.tuples(*[st.integers(0, 2)] * 4), st.booleans(), st.booleans(), dtypes, st.integers(0, 2**16))
def test_padding_layers(name, pads, as_int, batched, dtype, seed):
    rng = np.random.default_rng(seed)
    nd, pick = PADS[name]
    padding = pads[0] if as_int else pick(pads)
    args = (padding, 1.5) if name.startswith("Constant") else (padding,)
    shape = ((2,) if batched else ()) + (3,) + (4, 3)[2 - nd:]  # sides > every pad: reflect's requirement
    run_twins(lambda L: getattr(L.nn, name)(*args), [randn(rng, shape)], dtype, what=f"{name}{args}", seed=seed)


# =====================================================================================================
# Structure (state_dict, repr), initialisation, argument errors
# =====================================================================================================
ZOO = {
    "ConvTranspose1d": lambda L: L.nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
    "ConvTranspose2d": lambda L: L.nn.ConvTranspose2d(2, 4, (3, 2), stride=(2, 1), dilation=2, bias=False),
    "Conv3d": lambda L: L.nn.Conv3d(2, 4, 3, padding="same", padding_mode="reflect"),
    "Conv3d-strided": lambda L: L.nn.Conv3d(4, 4, (1, 2, 3), stride=2, groups=4),
    "AvgPool1d": lambda L: L.nn.AvgPool1d(3, padding=1, count_include_pad=False),
    "AdaptiveMaxPool2d": lambda L: L.nn.AdaptiveMaxPool2d((None, 3), return_indices=True),
    "MaxUnpool2d": lambda L: L.nn.MaxUnpool2d(2, padding=1),
    "Upsample-scale": lambda L: L.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True),
    "Upsample-size": lambda L: L.nn.Upsample(size=(3, 4)),
    "UpsamplingNearest2d": lambda L: L.nn.UpsamplingNearest2d(scale_factor=(2, 3)),
    "UpsamplingBilinear2d": lambda L: L.nn.UpsamplingBilinear2d(size=5),
    "PixelShuffle": lambda L: L.nn.PixelShuffle(3),
    "PixelUnshuffle": lambda L: L.nn.PixelUnshuffle(2),
    "Fold": lambda L: L.nn.Fold((4, 5), 2, stride=(1, 2)),
    "Unfold": lambda L: L.nn.Unfold((2, 3), dilation=2, padding=1),
    **{name: (lambda n: lambda L: getattr(L.nn, n)(*((2, 0.5) if n.startswith("Constant") else (2,))))(name)
       for name in PADS},
}


@pytest.mark.parametrize("name", list(ZOO))
def test_structure_matches_torch(name):
    """state_dict keys/shapes/dtypes, parameter names, repr, and .double() converting what torch converts."""
    torch.manual_seed(0)
    t, i = ZOO[name](TORCH), ZOO[name](IMPL)
    assert not compare_state_dict_signatures(t, i), name
    assert [n for n, _ in i.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert repr(i) == repr(t)
    copy_state_dict(t, i)
    t.double()
    i.double()
    copy_state_dict(t, i)


INIT_ZOO = {
    "ConvTranspose2d": lambda L: L.nn.ConvTranspose2d(150, 8, (3, 2), groups=2),
    "ConvTranspose1d": lambda L: L.nn.ConvTranspose1d(200, 6, 5),
    "Conv3d": lambda L: L.nn.Conv3d(4, 120, (3, 2, 2)),
}


@pytest.mark.parametrize("name", list(INIT_ZOO))
def test_default_init_matches_torch_distribution(name):
    """Transposed weights (in, out/groups, k...) take their fan_in from dimension 1 as torch's: the bounds and the
    distributions (two-sample Kolmogorov-Smirnov against torch's sample) agree."""
    torch.manual_seed(0)
    impl.manual_seed(0)
    t, i = INIT_ZOO[name](TORCH), INIT_ZOO[name](IMPL)
    for key, tv in t.state_dict().items():
        a, b = to_numpy(i.state_dict()[key]).astype(np.float64), to_numpy(tv).astype(np.float64)
        assert a.shape == b.shape
        d = _ks_two_sample(a, b)
        assert d < _ks_critical(a.size, b.size), f"{name}.{key}: KS distance {d:.4f} vs torch's sample"
        bound = np.abs(b).max()
        assert np.abs(a).max() <= bound * 1.02, f"{name}.{key}: |w| max {np.abs(a).max()} > torch's {bound}"


def _same_error(make, *call):
    """Both libraries raise the same exception class with the same message (torch.Size printed as impl.Size)."""
    with pytest.raises(Exception) as te:
        make(TORCH)(*[torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in call])
    with pytest.raises(Exception) as ie:
        make(IMPL)(*[impl.tensor(a) if isinstance(a, np.ndarray) else a for a in call])
    assert type(ie.value) is type(te.value), (type(ie.value), type(te.value))
    assert str(ie.value).replace("impl.", "") == str(te.value).replace("torch.", "")
    return str(ie.value)


def test_layer_argument_errors_like_torch():
    x = np.zeros((1, 2, 3, 3), dtype=np.float32)
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        inn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        torch.nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")
    msg = _same_error(lambda L: lambda a: L.nn.ConvTranspose2d(2, 2, 3, stride=2)(a, output_size=(9, 9)), x)
    assert "requested an output size of (9, 9), but valid sizes range from [7, 7] to [8, 8]" in msg
    msg = _same_error(lambda L: lambda a: L.nn.ConvTranspose2d(2, 2, 3)(a, output_size=(5,)), x)
    assert "output_size must have 2 or 4 elements (got 1)" in msg
    msg = _same_error(lambda L: lambda a: L.nn.CircularPad2d(1)(a), np.zeros((2, 3), dtype=np.float32))
    assert msg == "expected 3D or 4D input (got 2D input)"
    msg = _same_error(lambda L: lambda a: L.nn.CircularPad1d(1)(a), x)
    assert msg == "expected 2D or 3D input (got 4D input)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither library warns when align_corners is left to its default
        for lib in (TORCH, IMPL):
            lib.nn.Upsample(scale_factor=2, mode="bilinear")(to_lib(lib, x))


def to_lib(lib, a):
    return torch.from_numpy(a) if lib is TORCH else impl.tensor(a)
