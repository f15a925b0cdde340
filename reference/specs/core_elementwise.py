"""OpSpecs for impl's elementwise ops: unary math, binary arithmetic with broadcasting, Python-scalar and
reflected operators, selections (maximum/minimum/where/clamp), comparisons, logic, casts and promotion.

Kinks are kept away by the value domains (abs/relu/sign away from 0, clamp away from its bounds, floor/round
away from the integers, floor division and remainder away from integer quotients); the ties of
maximum/minimum live in core_reduce.py with the other tie specs.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from reference.opspec import Divergence, ErrorInput, OpSpec
from reference.strategies import (
    away_from,
    binary,
    broadcast_shapes,
    one_sided_pair,
    quotient_pair,
    rng_of,
    sample,
    shapes,
    unary,
    values,
)


def U(name, fn, domain="real", kinks=(), scale=1.0, options=None, **kw):
    """A unary spec: one array in ``domain``; ``options``: {kwarg: strategy}."""
    return OpSpec(name, fn, unary(domain=domain, scale=scale, kinks=kinks, **(options or {})), **kw)


def _bcast_errors(op_call):
    return (ErrorInput(lambda lib: ((lib.ones(2, 3), lib.ones(4)), {}), RuntimeError,
                       rf"{op_call}.*size of tensor a \(3\) must match the size of tensor b \(4\)",
                       "shapes (2, 3) and (4,) do not broadcast"),)


def _scalar_other_error(op_call):
    return (ErrorInput(lambda lib: ((lib.ones(2), 2.0), {}), TypeError,
                       rf"{op_call}\(\): argument 'other' must be Tensor, not float", "a Python float as other"),)


NOT_FLOAT_GRAD = ErrorInput(lambda lib: ((lib.tensor([1, 2], requires_grad=True),), {}), RuntimeError,
                            "only Tensors of floating point dtype can require gradients",
                            "requires_grad on an int64 tensor")


# ---- composite strategies ---------------------------------------------------------------------
@st.composite
def _quotient(draw, **options):
    r = rng_of(draw)
    big, small = draw(one_sided_pair())
    sx, sy = (big, small) if draw(st.booleans()) else (small, big)
    x, y = quotient_pair(r, sx, sy)
    return sample(x, y, **{k: draw(v) for k, v in options.items()})


@st.composite
def _scalar_quotient(draw):
    """x and a Python scalar s with x/s and s/x both >= 0.1 away from every integer (|x/s| in [1.15, 1.85] or
    [2.15, 2.85], so |s/x| is in [0.54, 0.87] or [0.35, 0.47])."""
    r = rng_of(draw)
    shape = draw(shapes())
    s = draw(st.sampled_from([2.5, -1.5, 3, 0.75]))
    q = r.uniform(1.15, 1.85, shape) + r.integers(0, 2, shape)
    return sample(q * r.choice([-1.0, 1.0], shape) * s, s=s)


@st.composite
def _clamp(draw, both=False):
    r = rng_of(draw)
    shape = draw(shapes())
    lo, hi = draw(st.sampled_from([-1.0, -0.5, 0.0, None])), draw(st.sampled_from([0.5, 1.0, None]))
    if both or (lo is None and hi is None):
        lo, hi = (-0.5 if lo is None else lo), (0.5 if hi is None else hi)
    x = away_from(values(r, shape, "real"), [b for b in (lo, hi) if b is not None])
    return sample(x, min=lo, max=hi)


@st.composite
def _clamp_tensor(draw):
    r = rng_of(draw)
    sx, slo = draw(one_sided_pair())  # torch's clamp backward needs the bounds to broadcast to x
    shi = tuple(1 if draw(st.booleans()) else s for s in slo)
    lo, hi = r.uniform(-1.5, -0.5, slo), r.uniform(0.5, 1.5, shi)
    # |x| < 0.4 or |x| > 1.6: at least 0.1 away from every bound (no kinks)
    mag = np.where(r.random(sx) < 0.5, r.uniform(0.0, 0.4, sx), r.uniform(1.6, 2.5, sx))
    return sample(mag * r.choice([-1.0, 1.0], sx), lo, hi)


@st.composite
def _pow_scalar(draw):
    r = rng_of(draw)
    e = draw(st.sampled_from([2, 3, 0, 1, -1, -2, 0.5, -1.5, 2.5, 1.0]))
    # non-integer exponents need a positive base; integer ones take any non-zero base
    dom = "positive" if isinstance(e, float) and not float(e).is_integer() else "nonzero"
    return sample(values(r, draw(shapes()), dom), exponent=e)


@st.composite
def _large_pair(draw):
    """Two broadcastable arrays around a common offset of magnitude 100 or 1000, where exp overflows in float32
    (and at 1000 in float64), 1 apart on average: log(exp(x) + exp(y)) would be inf, logaddexp is finite."""
    r = rng_of(draw)
    sx, sy = draw(broadcast_shapes(2))
    c = draw(st.sampled_from([100.0, -100.0, 1000.0, -1000.0]))
    return sample(c + values(r, sx), c + values(r, sy))


@st.composite
def _where(draw, scalar_other=False):
    r = rng_of(draw)
    sc, sx, sy = draw(broadcast_shapes(3))
    arrays = [r.random(sc) < 0.5, values(r, sx)]
    if not scalar_other:
        arrays.append(values(r, sy))
    return sample(*arrays)


@st.composite
def _lerp(draw, tensor_weight=False):
    r = rng_of(draw)
    if tensor_weight:
        sa, sb, sw = draw(broadcast_shapes(3))
        return sample(values(r, sa), values(r, sb), r.uniform(-0.5, 1.5, sw))
    sa, sb = draw(broadcast_shapes(2))
    return sample(values(r, sa), values(r, sb), weight=draw(st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.5])))


@st.composite
def _ties_pair(draw, dtype=np.float64):
    r = rng_of(draw)
    sx, sy = draw(broadcast_shapes(2))
    return sample(r.integers(-2, 3, sx).astype(dtype), r.integers(-2, 3, sy).astype(dtype))


@st.composite
def _bool_pair(draw):
    r = rng_of(draw)
    sx, sy = draw(broadcast_shapes(2))
    return sample(r.random(sx) < 0.5, r.random(sy) < 0.5)


@st.composite
def _int_pair(draw, nonzero_rhs=False):
    r = rng_of(draw)
    sx, sy = draw(broadcast_shapes(2))
    y = r.integers(-5, 6, sy)
    if nonzero_rhs:
        y = np.where(y == 0, 3, y)
    return sample(r.integers(-9, 10, sx), y)


@st.composite
def _special(draw):
    r = rng_of(draw)
    shape = draw(shapes())
    x = values(r, shape, "real")
    pick = r.random(shape)
    x = np.where(pick < 0.15, np.nan, np.where(pick < 0.3, np.inf, np.where(pick < 0.4, -np.inf, x)))
    return sample(x)


@st.composite
def _closeness(draw):
    r = rng_of(draw)
    shape = draw(shapes())
    x = values(r, shape)
    pick = r.random(shape)
    # equal, within default tolerance, just outside, far away
    y = x + np.where(pick < 0.3, 0.0, np.where(pick < 0.6, 1e-9, np.where(pick < 0.8, 1e-3, 1.0)))
    if draw(st.booleans()):
        y = x.copy()
    return sample(x, y)


@st.composite
def _promotion(draw):
    r = rng_of(draw)
    sx, si, sb = draw(broadcast_shapes(3))
    return sample(values(r, sx), r.integers(-4, 5, si), r.random(sb) < 0.5)


# ---- specs ------------------------------------------------------------------------------------
SPECS = [
    # unary math
    U("neg", lambda lib, x: lib.neg(x), error_inputs=(NOT_FLOAT_GRAD,)),
    U("neg_operator", lambda lib, x: -x),
    U("abs", lambda lib, x: lib.abs(x), domain="nonzero"),
    U("exp", lambda lib, x: x.exp(), scale=2.0),
    U("exp2", lambda lib, x: (lib.exp2(x), x.exp2()), scale=2.0),
    U("log", lambda lib, x: lib.log(x), domain="positive"),
    U("log2", lambda lib, x: x.log2(), domain="positive"),
    U("log10", lambda lib, x: lib.log10(x), domain="positive"),
    U("log1p", lambda lib, x: x.log1p(), domain="gt_minus1"),
    U("expm1", lambda lib, x: lib.expm1(x)),
    U("sqrt", lambda lib, x: x.sqrt(), domain="positive"),
    U("rsqrt", lambda lib, x: lib.rsqrt(x), domain="positive"),
    U("sin", lambda lib, x: lib.sin(x), scale=2.0),
    U("cos", lambda lib, x: x.cos(), scale=2.0),
    U("tan", lambda lib, x: x.tan(), domain="unit"),
    U("tanh", lambda lib, x: lib.tanh(x), scale=2.0),
    U("sigmoid", lambda lib, x: x.sigmoid(), scale=3.0),
    U("relu", lambda lib, x: x.relu(), domain="nonzero"),
    U("relu_function", lambda lib, x: lib.relu(x), domain="nonzero"),
    U("reciprocal", lambda lib, x: x.reciprocal(), domain="nonzero"),
    U("square", lambda lib, x: lib.square(x)),
    U("sign", lambda lib, x: x.sign(), domain="nonzero", notes="piecewise constant: zero gradient, as torch"),
    U("floor", lambda lib, x: x.floor(), domain="not_int", notes="piecewise constant: zero gradient"),
    U("ceil", lambda lib, x: lib.ceil(x), domain="not_int"),
    U("round", lambda lib, x: x.round(), domain="not_int"),
    U("round_decimals", lambda lib, x, **kw: lib.round(x, **kw), domain="not_int", scale=0.1,
      options={"decimals": st.just(1)},
      notes="values kept 0.01 away from the x.x5 rounding boundaries (scale 0.1 of the not_int domain)"),
    U("trunc", lambda lib, x: lib.trunc(x), domain="not_int"),
    OpSpec("pow_scalar", lambda lib, x, exponent: x.pow(exponent), _pow_scalar()),
    OpSpec("pow_operator_scalar", lambda lib, x, exponent: x ** exponent, _pow_scalar()),
    OpSpec("pow_tensor", lambda lib, x, y: lib.pow(x, y), binary(("positive", "real")), differentiable=(0, 1),
           error_inputs=_bcast_errors("pow")),
    U("rpow_scalar_base", lambda lib, x, base: base ** x, options={"base": st.sampled_from([2.0, 0.5, 3, 2])}),
    # binary arithmetic (broadcasting both ways, 0-d and size-0 operands)
    OpSpec("add", lambda lib, x, y, **kw: lib.add(x, y, **kw), binary(alpha=st.sampled_from([1, 2.5, -1])),
           differentiable=(0, 1), error_inputs=_bcast_errors("add") + (NOT_FLOAT_GRAD,)),
    OpSpec("sub", lambda lib, x, y, **kw: x.sub(y, **kw), binary(alpha=st.sampled_from([1, 0.5])),
           differentiable=(0, 1), error_inputs=_bcast_errors("sub")),
    OpSpec("rsub", lambda lib, x, y: lib.rsub(x, y), binary(), differentiable=(0, 1)),
    OpSpec("mul", lambda lib, x, y: x.mul(y), binary(), differentiable=(0, 1), error_inputs=_bcast_errors("mul")),
    OpSpec("div", lambda lib, x, y: lib.div(x, y), binary(("real", "nonzero")), differentiable=(0, 1),
           error_inputs=_bcast_errors("div")),
    OpSpec("div_rounding_mode", lambda lib, x, y, rounding_mode: lib.div(x, y, rounding_mode=rounding_mode),
           _quotient(rounding_mode=st.sampled_from(["floor", "trunc"])), differentiable=(0, 1),
           notes="piecewise constant: zero gradients, as torch; quotients kept away from the integers",
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2), lib.ones(2)), {"rounding_mode": "round"}), RuntimeError,
                                    "div expected rounding_mode to be one of None, 'trunc', or 'floor'"),)),
    OpSpec("div_trunc_method", lambda lib, x, y: x.div(y, rounding_mode="trunc"), _quotient(), differentiable=(0, 1)),
    OpSpec("floor_divide", lambda lib, x, y: (x // y, lib.floor_divide(x, y)), _quotient(), differentiable=(),
           divergences=(Divergence("floor_divide backward", "torch raises 'derivative for aten::floor_divide is not "
                                   "implemented'; impl gives the zero gradient of div(rounding_mode='floor')"),)),
    OpSpec("remainder", lambda lib, x, y: x % y, _quotient(), differentiable=(0, 1)),
    OpSpec("fmod", lambda lib, x, y: lib.fmod(x, y), _quotient(), differentiable=(0, 1)),
    OpSpec("hypot", lambda lib, x, y: (lib.hypot(x, y), x.hypot(y)), binary(("nonzero", "nonzero")),
           differentiable=(0, 1), error_inputs=_bcast_errors("hypot"),
           notes="inputs kept away from 0: the gradient x / hypot(x, y) is 0/0 at the origin"),
    OpSpec("logaddexp", lambda lib, x, y: (lib.logaddexp(x, y), x.logaddexp(y)), binary(), differentiable=(0, 1),
           error_inputs=_bcast_errors("logaddexp") + _scalar_other_error("logaddexp") + (
               ErrorInput(lambda lib: ((lib.tensor([1, 2]), lib.tensor([3, 4])), {}), NotImplementedError,
                          "logaddexp: not implemented for int64", "int64 inputs"),)),
    OpSpec("logaddexp_large", lambda lib, x, y: lib.logaddexp(x, y), _large_pair(), differentiable=(0, 1),
           notes="inputs near +-100 and +-1000: exp overflows there, logaddexp and its gradient stay finite"),
    OpSpec("atan2", lambda lib, x, y: (lib.atan2(x, y), x.atan2(y), lib.arctan2(x, y), x.arctan2(y)),
           binary(("nonzero", "real")), differentiable=(0, 1),
           error_inputs=_bcast_errors("atan2") + _scalar_other_error("atan2"),
           notes="input (y) kept away from 0: atan2 jumps by 2 pi across y = 0 for x < 0 and its gradient is 0/0 "
                 "at the origin"),
    OpSpec("operators", lambda lib, x, y: (x + y, x - y, x * y, x / y, -x, +x, abs(x)),
           binary(("nonzero", "nonzero")), differentiable=(0, 1)),
    OpSpec("scalar_operators",
           lambda lib, x, s: (x + s, s + x, x - s, s - x, x * s, s * x, x / s, s / x, x ** s, (s * s) ** x),
           unary(domain="positive", s=st.sampled_from([2.5, 3, -0.75, 1, -2])),
           notes="reflected operators with Python int/float scalars: float32 stays float32 (scalars don't promote)"),
    OpSpec("scalar_floor_divide", lambda lib, x, s: (x // s, s // x), _scalar_quotient(), differentiable=(),
           notes="not differentiable in torch (see floor_divide)"),
    OpSpec("scalar_remainder", lambda lib, x, s: (x % s, s % x), _scalar_quotient(), differentiable=(),
           divergences=(Divergence("s % x backward", "torch has no derivative for remainder(Scalar, Tensor) (it "
                                   "raises); impl returns -g * floor(s / x). Tensor % tensor gradients: spec remainder"),)),
    OpSpec("maximum", lambda lib, x, y: lib.maximum(x, y), binary(("distinct", "distinct")), differentiable=(0, 1),
           error_inputs=_bcast_errors("maximum")),
    OpSpec("minimum", lambda lib, x, y: x.minimum(y), binary(("distinct", "distinct")), differentiable=(0, 1)),
    OpSpec("where", lambda lib, c, x, y: lib.where(c, x, y), _where(), differentiable=(1, 2),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2), lib.ones(2), lib.ones(2)), {}), RuntimeError,
                                    "where expected condition to be a boolean tensor"),)),
    OpSpec("where_method", lambda lib, c, x, y: x.where(c, y), _where(), differentiable=(1, 2)),
    OpSpec("where_scalar", lambda lib, c, x: lib.where(c, x, 0.5), _where(scalar_other=True), differentiable=(1,)),
    OpSpec("lerp", lambda lib, x, y, weight: lib.lerp(x, y, weight), _lerp(), differentiable=(0, 1)),
    OpSpec("lerp_tensor_weight", lambda lib, x, y, w: x.lerp(y, w), _lerp(tensor_weight=True), differentiable=(0, 1, 2)),
    OpSpec("clamp", lambda lib, x, **kw: x.clamp(**kw), _clamp(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2),), {}), RuntimeError,
                                    "clamp.*At least one of 'min' or 'max' must not be None"),)),
    OpSpec("clip", lambda lib, x, **kw: lib.clip(x, **kw), _clamp()),
    OpSpec("clamp_min_max", lambda lib, x, min, max: (x.clamp_min(min), lib.clamp_max(x, max), lib.clamp_min(x, min)),
           _clamp(both=True)),
    OpSpec("clamp_tensor_bounds", lambda lib, x, lo, hi: x.clamp(lo, hi), _clamp_tensor(), differentiable=(0, 1, 2)),
    # comparisons and logic (ties on purpose: equality matters here)
    OpSpec("comparisons", lambda lib, x, y: (x == y, x != y, x < y, x <= y, x > y, x >= y,
                                             lib.eq(x, y), x.ne(y), lib.lt(x, y), x.le(y), lib.gt(x, y), x.ge(y)),
           _ties_pair(), differentiable=(), gradcheck=False, error_inputs=_bcast_errors("eq")),
    OpSpec("comparisons_scalar", lambda lib, x: (x == 1, x != 0, x < 0.5, x <= 1, x > -1, x >= 0, 1 < x),
           unary(domain="ties"), differentiable=(), gradcheck=False),
    OpSpec("logical_bool", lambda lib, a, b: (a & b, a | b, a ^ b, ~a, lib.logical_and(a, b), lib.logical_or(a, b),
                                              a.logical_xor(b), lib.logical_not(a)),
           _bool_pair(), differentiable=(), dtypes=("bool",), gradcheck=False),
    OpSpec("logical_float", lambda lib, x, y: (lib.logical_and(x, y), x.logical_or(y), lib.logical_xor(x, y), x.logical_not()),
           _ties_pair(), differentiable=(), gradcheck=False),
    OpSpec("bitwise_int", lambda lib, a, b: (a & b, a | b, a ^ b, ~a, lib.bitwise_and(a, b), lib.bitwise_or(a, b),
                                             lib.bitwise_xor(a, b), lib.bitwise_not(a)),
           _int_pair(), differentiable=(), dtypes=("int64",), gradcheck=False),
    OpSpec("int_arithmetic", lambda lib, a, b: (a + b, a - b, a * b, a // b, a % b, -a, a.abs(), a * 2, 3 - a, a ** 2,
                                                lib.div(a, b, rounding_mode="trunc"), a.sign(), a.clamp(-2, 3)),
           _int_pair(nonzero_rhs=True), differentiable=(), dtypes=("int64",), gradcheck=False),
    OpSpec("int_true_division", lambda lib, a, b: (a / b, a.div(b), a * 0.5, a.sqrt(), lib.atan2(a, b), a.exp2()),
           _int_pair(nonzero_rhs=True), differentiable=(), dtypes=("int64",), gradcheck=False,
           notes="true division and float ops on int64 give the default dtype (float32), as torch"),
    OpSpec("isnan_isinf_isfinite", lambda lib, x: (x.isnan(), lib.isinf(x), x.isfinite(), lib.isnan(x)), _special(),
           differentiable=(), gradcheck=False),
    OpSpec("isclose_allclose_equal", lambda lib, x, y: (lib.isclose(x, y), x.isclose(y, rtol=1e-3, atol=0.0),
                                                        lib.allclose(x, y), x.allclose(y, atol=1e-2), lib.equal(x, y), x.equal(y)),
           _closeness(), differentiable=(), gradcheck=False),
    # dtype conversions and promotion
    U("casts", lambda lib, x: (x.double(), x.float(), x.to(lib.float64), x.to(dtype=lib.float32), x.type(lib.float64),
                               x.long(), x.bool(), x.to(lib.int64), x.cpu(), x.clone(), x.half(), x.int(), x.short(),
                               x.char(), x.abs().byte(), x.to(lib.int32)),
      domain="not_int", notes="bfloat16 has no numpy dtype to compare through: its casts are checked in "
                              "property_tests/test_dtype_promotion.py"),
    OpSpec("dtype_promotion", lambda lib, x, i, b: (x + i, i * 2.5, i + 1, i + True, b + b, b & True, x * 2, 2.0 * x,
                                                    x * lib.tensor(2.0, dtype=lib.float64), x + b, i + b, i / 2, b * 1.5),
           _promotion(), differentiable=(0,),
           notes="torch's result_type: category wins (bool < int < float); within a category dimensioned tensors beat "
                 "0-d tensors beat Python scalars, so float32 * 2.0 and float32 * float64-0-d stay float32"),
]

DIVERGENCES = ()
