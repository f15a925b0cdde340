"""Containers: Sequential (plain and OrderedDict), ModuleList, ModuleDict, ParameterList, ParameterDict.

The composite network (containers holding convolution, batch norm, pooling, group norm, linear and dropout) trains
for three steps in training mode: gradients, the parameters' values and batch norm's running statistics must keep
matching torch's. The parameter containers have no forward: the call uses their parameters."""
from collections import OrderedDict

from reference.module_specs._common import ModuleSample, randn, rng_of, st
from reference.modulespec import ModuleSpec


@st.composite
def _cnn(draw):
    rng = rng_of(draw)
    return ModuleSample({}, (randn(rng, (draw(st.integers(1, 3)), 2, 4, 4)),))


def _build_cnn(lib):
    nn = lib.nn
    return nn.Sequential(OrderedDict([
        ("conv", nn.Conv2d(2, 4, 3, padding=1)),
        ("bn", nn.BatchNorm2d(4)),
        ("act", nn.ReLU()),
        ("pool", nn.MaxPool2d(2)),
        ("blocks", nn.ModuleList([nn.Conv2d(4, 4, 1), nn.GroupNorm(2, 4)])),
        ("flat", nn.Flatten()),
        ("head", nn.ModuleDict({"fc": nn.Linear(16, 3), "drop": nn.Dropout(0.0)})),
    ]))


def _call_cnn(m, xs, lib):
    h = m.pool(m.act(m.bn(m.conv(xs[0]))))
    for blk in m.blocks:
        h = blk(h)
    return m.head["drop"](m.head["fc"](m.flat(h)))


@st.composite
def _sequential(draw):
    rng = rng_of(draw)
    return ModuleSample(dict(named=draw(st.booleans()), depth=draw(st.integers(1, 3))),
                        (randn(rng, (draw(st.integers(1, 3)), 2)),))


def _build_sequential(lib, named, depth):
    nn = lib.nn
    inner = nn.Sequential(*[m for _ in range(depth) for m in (nn.Linear(3, 3), nn.Tanh())])
    if named:
        return nn.Sequential(OrderedDict(fc=nn.Linear(2, 3), act=nn.GELU(approximate="tanh"), inner=inner))
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), inner)


@st.composite
def _params(draw):
    rng = rng_of(draw)
    n = draw(st.integers(1, 3))
    return ModuleSample(dict(n=n, width=(w := draw(st.integers(1, 4)))), (randn(rng, (2, w)),))


def _build_parameter_list(lib, n, width):
    return lib.nn.ParameterList([lib.nn.Parameter(lib.top.randn(width)) for _ in range(n)])


def _build_parameter_dict(lib, n, width):
    return lib.nn.ParameterDict({f"p{k}": lib.nn.Parameter(lib.top.randn(width)) for k in range(n)})


def _call_parameter_list(m, xs, lib):
    return tuple(xs[0] * p for p in m)


def _call_parameter_dict(m, xs, lib):
    return tuple(xs[0] * m[k] for k in m)


SPECS = [
    ModuleSpec("Sequential-cnn", _cnn(), cls="Sequential", build=_build_cnn, call=_call_cnn, has_buffers=True, modes=("train",),
               also_covers=("ModuleList", "ModuleDict", "Conv2d", "BatchNorm2d", "GroupNorm", "Linear", "Dropout"),
               steps=3, max_examples=3, notes="several training steps through every container"),
    ModuleSpec("Sequential", _sequential(), build=_build_sequential, max_examples=4),
    ModuleSpec("ParameterList", _params(), build=_build_parameter_list, call=_call_parameter_list, max_examples=3),
    ModuleSpec("ParameterDict", _params(), build=_build_parameter_dict, call=_call_parameter_dict, max_examples=3),
]
