"""Convolutions (1-3d, transposed), Fold/Unfold, PixelShuffle/Unshuffle, upsampling and the padding layers."""
from reference.module_specs._common import ModuleSample, randn, rng_of, st
from reference.modulespec import ModuleSpec


@st.composite
def _conv(draw, nd):
    rng = rng_of(draw)
    groups = draw(st.integers(1, 3))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    mode = draw(st.sampled_from(["zeros", "zeros", "reflect", "replicate", "circular"]))
    kind = draw(st.sampled_from(["int", "int", "same", "valid"]))
    if kind == "same":
        stride, padding = (1,) * nd, "same"
    else:
        stride = tuple(draw(st.integers(1, 2)) for _ in range(nd))
        padding = "valid" if kind == "valid" else tuple(draw(st.integers(0, 2)) for _ in range(nd))
    eff = [d * (kk - 1) + 1 for d, kk in zip(dil, k)]
    # spatial sizes: big enough for the effective kernel, and > padding for reflect (torch's requirement)
    hi = 3 if nd == 3 else 6
    spatial = tuple(draw(st.integers(max(e, 3), max(e, hi))) for e in eff)
    batch = draw(st.sampled_from([(1,), (2,), ()]))
    unwrap = (lambda t: t[0]) if nd == 1 else (lambda t: t)
    pad = padding if isinstance(padding, str) else unwrap(padding)
    kw = dict(in_channels=cin, out_channels=cout, kernel_size=unwrap(k), stride=unwrap(stride), padding=pad,
              dilation=unwrap(dil), groups=groups, bias=draw(st.booleans()), padding_mode=mode)
    return ModuleSample(kw, (randn(rng, (*batch, cin, *spatial)),))


@st.composite
def _conv_transpose(draw, nd):
    rng = rng_of(draw)
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    spatial = tuple(draw(st.integers(2, 4)) for _ in range(nd))
    out_pad = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dil))
    pad = tuple(draw(st.integers(0, min(1, ((n - 1) * s + d * (kk - 1)) // 2)))
                for n, s, d, kk in zip(spatial, stride, dil, k))
    batch = draw(st.sampled_from([(1,), (2,), ()]))
    # forward's output_size: any size from the smallest output up to stride - 1 more (torch's valid range)
    base = [(n - 1) * s - 2 * p + d * (kk - 1) + 1 for n, s, p, d, kk in zip(spatial, stride, pad, dil, k)]
    out_size = [b + draw(st.integers(0, s - 1)) for b, s in zip(base, stride)] if draw(st.booleans()) else None
    unwrap = (lambda t: t[0]) if nd == 1 else (lambda t: t)
    kw = dict(in_channels=cin, out_channels=cout, kernel_size=unwrap(k), stride=unwrap(stride), padding=unwrap(pad),
              dilation=unwrap(dil), groups=groups, bias=draw(st.booleans()))
    if out_size is None:
        kw["output_padding"] = unwrap(out_pad)
    return ModuleSample(kw, (randn(rng, (*batch, cin, *spatial)),), dict(output_size=out_size))


@st.composite
def _unfold_fold(draw):
    rng = rng_of(draw)
    kw = dict(kernel_size=draw(st.integers(1, 3)), dilation=draw(st.integers(1, 2)), padding=draw(st.integers(0, 1)),
              stride=draw(st.integers(1, 2)))
    reach = kw["dilation"] * (kw["kernel_size"] - 1) + 1  # at least one block: torch's requirement
    size = draw(st.integers(max(3, reach), max(3, reach) + 3))
    shape = (2, 3, size, size + 1) if draw(st.booleans()) else (3, size, size + 1)
    return ModuleSample(dict(kw, output_size=(size, size + 1)), (randn(rng, shape),))


def _build_unfold_fold(lib, output_size, **kw):
    """Unfold's blocks folded back: every pixel times the number of blocks covering it (torch's identity)."""
    return lib.nn.Sequential(lib.nn.Unfold(**kw), lib.nn.Fold(output_size, **kw))


@st.composite
def _pixel(draw, shuffle):
    rng = rng_of(draw)
    r, c, hw = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    lead = draw(st.sampled_from([(), (2,), (2, 1)]))
    shape = (*lead, c * r * r, hw, hw + 1) if shuffle else (*lead, c, hw * r, (hw + 1) * r)
    return ModuleSample({"upscale_factor" if shuffle else "downscale_factor": r}, (randn(rng, shape),))


def _build_pixel_round_trip(lib, upscale_factor):
    """PixelUnshuffle(PixelShuffle(x)) is the identity in both libraries."""
    return lib.nn.Sequential(lib.nn.PixelShuffle(upscale_factor), lib.nn.PixelUnshuffle(upscale_factor))


UPSAMPLE_MODES = {3: ["nearest", "nearest-exact", "linear", "area"], 4: ["nearest", "bilinear", "bicubic", "area"],
                  5: ["nearest", "trilinear"]}


@st.composite
def _upsample(draw):
    rng = rng_of(draw)
    ndim = draw(st.sampled_from([3, 4, 5]))
    mode, nd = draw(st.sampled_from(UPSAMPLE_MODES[ndim])), ndim - 2
    spatial = tuple(draw(st.integers(1, 5 if nd < 3 else 3)) for _ in range(nd))
    kw = dict(mode=mode)
    if mode in ("linear", "bilinear", "bicubic", "trilinear"):
        kw["align_corners"] = draw(st.sampled_from([None, False, True]))
    if draw(st.booleans()):
        kw["size"] = tuple(draw(st.integers(1, 6)) for _ in range(nd))
    else:
        kw["scale_factor"] = draw(st.sampled_from([1.5, 2.0, 3.0]))
    return ModuleSample(kw, (randn(rng, (2, 2, *spatial)),))


@st.composite
def _upsampling_2d(draw):
    rng = rng_of(draw)
    kw = draw(st.sampled_from([dict(scale_factor=2), dict(size=(7, 3)), dict(scale_factor=(2, 3)), dict(size=5)]))
    return ModuleSample(kw, (randn(rng, (2, 3, 4, 5)),))


@st.composite
def _pad(draw, nd, constant):
    rng = rng_of(draw)
    pads = tuple(draw(st.integers(0, 2)) for _ in range(2 * nd))
    padding = pads[0] if draw(st.booleans()) else pads
    shape = ((2,) if draw(st.booleans()) else ()) + (3,) + (4, 3)[2 - nd:]  # sides > every pad: reflect's rule
    kw = dict(padding=padding, value=draw(st.sampled_from([1.5, -0.5]))) if constant else dict(padding=padding)
    return ModuleSample(kw, (randn(rng, shape),))


_SAME = ("Using padding='same'",)  # torch's warning for even kernels with padding='same'

SPECS = [
    ModuleSpec("Conv1d", _conv(1), max_examples=10, ignore_warnings=_SAME),
    ModuleSpec("Conv2d", _conv(2), max_examples=14, ignore_warnings=_SAME),
    ModuleSpec("Conv3d", _conv(3), max_examples=6, ignore_warnings=_SAME),
    ModuleSpec("ConvTranspose1d", _conv_transpose(1), max_examples=8),
    ModuleSpec("ConvTranspose2d", _conv_transpose(2), max_examples=10),
    ModuleSpec("Unfold-Fold", _unfold_fold(), cls="Unfold", also_covers=("Fold", "Sequential"),
               build=_build_unfold_fold, max_examples=8),
    ModuleSpec("PixelShuffle", _pixel(True), max_examples=4),
    ModuleSpec("PixelUnshuffle", _pixel(False), max_examples=4),
    ModuleSpec("PixelShuffle-round-trip", _pixel(True), build=_build_pixel_round_trip, also_covers=("PixelUnshuffle",),
               max_examples=2),
    ModuleSpec("Upsample", _upsample(), max_examples=12),
    ModuleSpec("UpsamplingNearest2d", _upsampling_2d(), max_examples=3),
    ModuleSpec("UpsamplingBilinear2d", _upsampling_2d(), max_examples=3),
    *[ModuleSpec(f"{kind}Pad{nd}d", _pad(nd, kind == "Constant"), max_examples=3)
      for kind in ("Zero", "Constant", "Reflection", "Replication", "Circular") for nd in (1, 2)],
]
