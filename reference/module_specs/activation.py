"""Activation modules. Inputs keep 0.1 away from each activation's kinks. Where the module takes ``inplace``,
some examples put it after a Linear (a non-leaf) with inplace=True: same values and gradients as torch, the
intermediate modified in place. RReLU runs in eval mode only (its training slopes come from impl's own generator:
property_tests/test_module_special.py tests their distribution)."""
from reference.module_specs._common import ModuleSample, away_from, randn, rng_of, st
from reference.modulespec import ModuleSpec

_S = st.sampled_from
# name -> (kwargs strategy, kinks, takes inplace)
ELEMENTWISE = {
    "ReLU": (st.just({}), (0.0,), True),
    "ReLU6": (st.just({}), (0.0, 6.0), True),
    "Hardtanh": (st.just(dict(min_val=-0.7, max_val=1.3)), (-0.7, 1.3), True),
    "GELU": (st.fixed_dictionaries(dict(approximate=_S(["none", "tanh"]))), (), False),
    "SiLU": (st.just({}), (), True),
    "Mish": (st.just({}), (), True),
    "Tanh": (st.just({}), (), False),
    "Sigmoid": (st.just({}), (), False),
    "LogSigmoid": (st.just({}), (), False),
    "LeakyReLU": (st.fixed_dictionaries(dict(negative_slope=_S([0.01, 0.2, 1.5]))), (0.0,), True),
    "ELU": (st.fixed_dictionaries(dict(alpha=_S([1.0, 0.5, 2.0]))), (0.0,), True),
    "Softplus": (st.fixed_dictionaries(dict(beta=_S([1.0, 2.0, 0.5]), threshold=_S([20.0, 1.0]))), (), False),
    "Softsign": (st.just({}), (), False),
    "Hardsigmoid": (st.just({}), (-3.0, 3.0), True),
    "Hardswish": (st.just({}), (-3.0, 3.0), True),
    "SELU": (st.just({}), (0.0,), True),
    "CELU": (st.fixed_dictionaries(dict(alpha=_S([1.0, 0.5, 2.0]))), (0.0,), True),
    "Softshrink": (st.fixed_dictionaries(dict(lambd=_S([0.5, 1.0]))), (-1.0, -0.5, 0.5, 1.0), False),
    "Hardshrink": (st.fixed_dictionaries(dict(lambd=_S([0.5, 1.0]))), (-1.0, -0.5, 0.5, 1.0), False),
    "Tanhshrink": (st.just({}), (), False),
    "Threshold": (st.fixed_dictionaries(dict(threshold=_S([0.0, 0.5]), value=_S([0.0, -2.0]))), (0.0, 0.5), True),
    "RReLU": (st.fixed_dictionaries(dict(lower=_S([0.1, 0.125]), upper=_S([0.3, 0.5]))), (0.0,), True),
}


@st.composite
def _elementwise(draw, name):
    rng = rng_of(draw)
    kw_strategy, kinks, has_inplace = ELEMENTWISE[name]
    kw = dict(draw(kw_strategy))
    shape = draw(st.lists(st.integers(1, 4), max_size=3))
    if has_inplace and draw(st.integers(0, 3)) == 0:
        n = draw(st.integers(1, 4))
        return ModuleSample(dict(kw, after_linear=n), (randn(rng, (*shape, n)),))
    return ModuleSample(kw, (away_from(randn(rng, shape, 2.5), kinks),))


def _elementwise_build(name):
    def build(lib, after_linear=None, **kw):
        if after_linear is None:
            return getattr(lib.nn, name)(**kw)
        return lib.nn.Sequential(lib.nn.Linear(after_linear, after_linear), getattr(lib.nn, name)(inplace=True, **kw))
    return build


@st.composite
def _dim_taking(draw, name):
    rng = rng_of(draw)
    shape = draw(st.lists(st.integers(1, 4), max_size=3))
    if name == "GLU":
        shape = [*shape, 2 * draw(st.integers(1, 2))]
        dim = draw(st.sampled_from([-1, len(shape) - 1]))
    else:
        shape = shape or [3]
        dim = draw(st.integers(-len(shape), len(shape) - 1))
    return ModuleSample(dict(dim=dim), (randn(rng, shape, 2.0),))


@st.composite
def _softmax2d(draw):
    rng = rng_of(draw)
    return ModuleSample({}, (randn(rng, draw(st.sampled_from([(2, 3, 4), (1, 3, 2, 2), (2, 1, 2, 3)])), 2.0),))


@st.composite
def _prelu(draw):
    """PReLU's weight (num_parameters,) broadcast along dim 1: one weight or one per channel."""
    rng = rng_of(draw)
    channels = draw(st.integers(0, 3))
    shape = [2, channels, *draw(st.lists(st.integers(1, 3), max_size=2))] if channels else [3]
    n = channels if (draw(st.booleans()) and channels) else 1
    kw = dict(num_parameters=n, init=draw(st.sampled_from([0.25, -0.1, 1.5])))
    return ModuleSample(kw, (away_from(randn(rng, shape), (0.0,)),))


SPECS = [
    *[ModuleSpec(name, _elementwise(name), build=_elementwise_build(name),
                 modes=("eval",) if name == "RReLU" else ("train", "eval"), max_examples=4)
      for name in ELEMENTWISE],
    *[ModuleSpec(name, _dim_taking(name), max_examples=4) for name in ("GLU", "Softmax", "Softmin", "LogSoftmax")],
    ModuleSpec("Softmax2d", _softmax2d(), max_examples=3),
    ModuleSpec("PReLU", _prelu(), max_examples=6),
]
