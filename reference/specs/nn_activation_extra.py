"""OpSpecs for impl/nn/functional/activation_extra.py: hardsigmoid, hardswish, selu, celu, prelu, softshrink,
hardshrink, tanhshrink, threshold and rrelu (eval mode; training mode draws random slopes, tested for its
distribution in property_tests/test_module_special.py).

The kinks (+-3 for hardsigmoid/hardswish, +-lambd for the shrinks, the threshold, 0 for prelu/selu/celu/rrelu) are
kept 0.1 away by the strategies; the inplace=True forms run on a non-leaf copy.
"""
from __future__ import annotations

from hypothesis import strategies as st

from reference.opspec import ErrorInput, OpSpec
from reference.specs.nn_functional import F
from reference.strategies import away_from, rare_zero, rng_of, sample, values


@st.composite
def _act(draw, scale=1.0, kinks=(0.0,), **choices):
    """One array (normal * scale) kept 0.1 off ``kinks`` (a callable of the drawn options, or a tuple)."""
    r = rng_of(draw)
    shape = rare_zero(draw, draw(st.lists(st.integers(1, 4), min_size=0, max_size=3)))
    kw = {k: draw(st.sampled_from(v)) for k, v in choices.items()}
    points = kinks(kw) if callable(kinks) else kinks
    return sample(away_from(values(r, shape, scale=scale), points), **kw)


@st.composite
def _prelu(draw):
    r = rng_of(draw)
    ndim = draw(st.integers(0, 4))
    shape = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    channels = shape[1] if ndim >= 2 else 1
    n = draw(st.sampled_from([1, channels]))
    weight = r.uniform(-0.5, 1.5, () if (n == 1 and draw(st.booleans()) and ndim < 2) else (n,))
    return sample(away_from(values(r, shape), [0.0]), weight)


def _spec(name, strategy, fn=None, **extra):
    return OpSpec(f"F.{name}", fn or (lambda lib, x, **kw: getattr(F(lib), name)(x, **kw)), strategy, **extra)


def _inplace(name, strategy, **extra):
    return OpSpec(f"F.{name}_inplace", lambda lib, x, **kw: getattr(F(lib), name)(x * 1, inplace=True, **kw),
                  strategy, **extra)


_HARDSIGMOID_ONCE = ("torch has no derivative for hardsigmoid_backward (RuntimeError), so no second derivative to "
                     "compare; impl's composite (hardtanh / 6) has one, zero inside (-3, 3) as the function is linear there")
_RRELU_INPLACE_NO_JVP = ("torch has no forward-mode rule for rrelu_with_noise_, the in-place rrelu (NotImplementedError); "
                         "the out-of-place F.rrelu spec runs the JVP test")
_NEG_LAMBDA = ErrorInput(lambda lib: ((lib.ones(2),), {"lambd": -1.0}), RuntimeError, "lambda must be in range")

SPECS = [
    _spec("hardsigmoid", _act(scale=4.0, kinks=(-3.0, 3.0)), no_gradgrad=_HARDSIGMOID_ONCE),
    _inplace("hardsigmoid", _act(scale=4.0, kinks=(-3.0, 3.0)), no_gradgrad=_HARDSIGMOID_ONCE),
    _spec("hardswish", _act(scale=4.0, kinks=(-3.0, 3.0))),
    _inplace("hardswish", _act(scale=4.0, kinks=(-3.0, 3.0))),
    _spec("selu", _act(scale=2.0)),
    _inplace("selu", _act(scale=2.0)),
    _spec("celu", _act(scale=2.0, alpha=[1.0, 0.5, 2.0]),
          error_inputs=(ErrorInput(lambda lib: ((lib.ones(2),), {"alpha": 0.0}), RuntimeError,
                                   "alpha cannot be 0 for CELU"),)),
    _inplace("celu", _act(scale=2.0, alpha=[1.0, 0.5])),
    _spec("prelu", _prelu(), fn=lambda lib, x, w: F(lib).prelu(x, w), differentiable=(0, 1),
          error_inputs=(
              ErrorInput(lambda lib: ((lib.ones(2, 3), lib.ones(2)), {}), RuntimeError,
                         "Mismatch of parameter numbers and input channel size"),
              ErrorInput(lambda lib: ((lib.ones(2, 3), lib.ones(1, 3)), {}), RuntimeError,
                         "Expected `weight` to be a scalar or 1D tensor"))),
    _spec("softshrink", _act(scale=2.0, kinks=lambda kw: (kw["lambd"], -kw["lambd"]), lambd=[0.5, 0.0, 1.2]),
          error_inputs=(_NEG_LAMBDA,)),
    _spec("hardshrink", _act(scale=2.0, kinks=lambda kw: (kw["lambd"], -kw["lambd"]), lambd=[0.5, 0.0, 1.2])),
    _spec("tanhshrink", _act(scale=2.0, kinks=())),
    _spec("threshold", _act(scale=2.0, kinks=lambda kw: (kw["threshold"],), threshold=[0.0, 0.5, -1.0],
                            value=[0.0, 2.0, -1.5])),
    _inplace("threshold", _act(scale=2.0, kinks=lambda kw: (kw["threshold"],), threshold=[0.0, 0.5], value=[2.0])),
    OpSpec("F.threshold_", lambda lib, x, **kw: F(lib).threshold_(x * 1, **kw),
           _act(scale=2.0, kinks=lambda kw: (kw["threshold"],), threshold=[0.25], value=[-3.0])),
    _spec("rrelu", _act(scale=2.0, lower=[0.125, 0.2], upper=[1.0 / 3, 0.5]),
          notes="eval mode (training=False): the slope is (lower + upper) / 2",
          error_inputs=(ErrorInput(lambda lib: ((lib.ones(2),), {"lower": 0.5, "upper": 0.2}), RuntimeError,
                                   "Lower bound should be less than or equal to the upper bound"),)),
    _inplace("rrelu", _act(scale=2.0, lower=[0.125], upper=[0.5]), no_forward_ad=_RRELU_INPLACE_NO_JVP),
    OpSpec("F.rrelu_", lambda lib, x, **kw: F(lib).rrelu_(x * 1, **kw), _act(scale=2.0, lower=[0.1], upper=[0.3]),
           no_forward_ad=_RRELU_INPLACE_NO_JVP),
]
