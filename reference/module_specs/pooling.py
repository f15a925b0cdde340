"""Max/average pooling (1d, 2d), adaptive pooling and MaxUnpool2d. Max pools get distinct values: no ties."""
import numpy as np

from reference.module_specs._common import ModuleSample, distinct, randn, rng_of, st
from reference.modulespec import ModuleSpec


def _tied_free(rng, shape):
    return rng.permutation(int(np.prod(shape))).reshape(shape) / 7.0


@st.composite
def _pool2d(draw, kind):
    rng = rng_of(draw)
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    pad = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if kind == "max" else (1, 1)
    eff = [d * (kk - 1) + 1 for d, kk in zip(dil, k)]
    shape = (*draw(st.sampled_from([(2,), (1,), ()])), draw(st.integers(1, 3)),
             *(draw(st.integers(e, e + 4)) for e in eff))
    kw = dict(kernel_size=k, stride=stride, padding=pad, ceil_mode=draw(st.booleans()))
    if kind == "max":
        return ModuleSample(dict(kw, dilation=dil), (_tied_free(rng, shape),))
    kw.update(count_include_pad=draw(st.booleans()), divisor_override=draw(st.sampled_from([None, None, 1, 3])))
    return ModuleSample(kw, (randn(rng, shape),))


@st.composite
def _pool1d(draw, kind):
    rng = rng_of(draw)
    k, length = draw(st.integers(1, 3)), draw(st.integers(3, 7))
    kw = dict(kernel_size=k, stride=draw(st.one_of(st.none(), st.integers(1, 3))), padding=k // 2,
              ceil_mode=draw(st.booleans()))
    if kind == "max":
        return ModuleSample(kw, (_tied_free(rng, (2, 2, length)),))
    return ModuleSample(dict(kw, count_include_pad=draw(st.booleans())), (randn(rng, (2, 3, length)),))


@st.composite
def _adaptive2d(draw, kind):
    rng = rng_of(draw)
    out = draw(st.one_of(st.integers(1, 4), st.tuples(st.one_of(st.none(), st.integers(1, 4)), st.integers(1, 5))))
    shape = (*draw(st.sampled_from([(2, 3), (1, 2), (2,)])), draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    if kind == "max":
        return ModuleSample(dict(output_size=out, return_indices=draw(st.booleans())), (_tied_free(rng, shape),))
    return ModuleSample(dict(output_size=out), (randn(rng, shape),))


@st.composite
def _adaptive1d(draw, kind):
    rng = rng_of(draw)
    o = draw(st.integers(1, 7))
    size = (o,) if draw(st.booleans()) else o
    x = distinct(rng, (*draw(st.sampled_from([(), (1,), (2,)])), draw(st.integers(1, 3)), draw(st.integers(1, 6))))
    kw = dict(output_size=size, return_indices=draw(st.booleans())) if kind == "max" else dict(output_size=size)
    return ModuleSample(kw, (x,))


@st.composite
def _unpool(draw):
    rng = rng_of(draw)
    k = draw(st.integers(1, 3))
    kw = dict(kernel_size=k, stride=draw(st.one_of(st.none(), st.integers(1, 3))), padding=min(draw(st.integers(0, 1)), k // 2))
    x = _tied_free(rng, (2, 2, draw(st.integers(3, 7)), draw(st.integers(3, 7))))
    return ModuleSample(kw, (x,), dict(give_size=draw(st.booleans())))


def _build_unpool(lib, **kw):
    return lib.nn.ModuleList([lib.nn.MaxPool2d(**kw, return_indices=True), lib.nn.MaxUnpool2d(**kw)])


def _call_unpool(m, xs, lib, give_size):
    """MaxPool2d(return_indices=True) then MaxUnpool2d, with and without the output_size argument."""
    out, idx = m[0](xs[0])
    k, pad = m[1].kernel_size[0], m[1].padding[0]
    default = [(o - 1) * s + k - 2 * pad for o, s in zip(out.shape[-2:], m[1].stride)]
    # without output_size the plane is the default size; where that is smaller than the input, a winner's flat
    # index can fall outside it (an error in both libraries): give the input's size there
    small = any(d < n for d, n in zip(default, xs[0].shape[-2:]))
    size = tuple(xs[0].shape[-2:]) if (give_size or small) else None
    return m[1](out, idx, output_size=size), idx


SPECS = [
    ModuleSpec("MaxPool1d", _pool1d("max"), max_examples=5),
    ModuleSpec("MaxPool2d", _pool2d("max"), max_examples=12),
    ModuleSpec("AvgPool1d", _pool1d("avg"), max_examples=5),
    ModuleSpec("AvgPool2d", _pool2d("avg"), max_examples=12),
    ModuleSpec("AdaptiveAvgPool1d", _adaptive1d("avg"), max_examples=4),
    ModuleSpec("AdaptiveAvgPool2d", _adaptive2d("avg"), max_examples=8),
    ModuleSpec("AdaptiveMaxPool1d", _adaptive1d("max"), max_examples=4),
    ModuleSpec("AdaptiveMaxPool2d", _adaptive2d("max"), max_examples=8),
    ModuleSpec("MaxPool2d-MaxUnpool2d", _unpool(), cls="MaxUnpool2d", also_covers=("MaxPool2d", "ModuleList"),
               build=_build_unpool, call=_call_unpool, max_examples=8),
]
