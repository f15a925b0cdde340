"""OpSpecs for impl/ops/math.py, its in-place Tensor variants (impl/ops/math_inplace.py) and the Tensor methods of
impl/ops/tensor_methods.py: inverse/hyperbolic trig, erf family, gamma family, copysign/xlogy/logit/nan_to_num,
fused multiply-adds, cdist/dist, fmax/fmin, gcd/lcm, the new_* factories and the layout queries.

Domains keep the inputs where the op is smooth (asin/atanh/erfinv inside (-1, 1), acosh above 1, lgamma/digamma
away from the poles at the non-positive integers, cdist/dist away from zero distance); the conventions at the
singular points (xlogy at x = 0, cdist at zero distance, fmax/fmin at nan) have specs of their own.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from reference.opspec import Divergence, ErrorInput, OpSpec
from reference.specs.core_elementwise import NOT_FLOAT_GRAD, U, _bcast_errors, _int_pair, _scalar_other_error
from reference.strategies import (
    away_from,
    binary,
    broadcast_shapes,
    dims_of,
    distinct,
    nonzero_sizes,
    one_sided_pair,
    quotient_pair,
    rare_zero,
    rng_of,
    sample,
    shapes,
    unary,
    values,
)


# ---- strategies ---------------------------------------------------------------------------------
@st.composite
def _special_values(draw):
    """Finite values with nan, +inf, -inf and -0.0 mixed in."""
    r = rng_of(draw)
    shape = draw(shapes())
    x = values(r, shape)
    pick = r.random(shape)
    x = np.where(pick < 0.12, np.nan, np.where(pick < 0.24, np.inf, np.where(pick < 0.36, -np.inf, x)))
    x = np.where((pick >= 0.36) & (pick < 0.44), -0.0, x)
    return sample(x)


@st.composite
def _nan_to_num(draw):
    s = draw(_special_values())
    kw = draw(st.sampled_from([{}, {"nan": 1.5}, {"nan": -2.0, "posinf": 3.0}, {"neginf": -7.0, "posinf": 8.0}]))
    return sample(*s.arrays, **kw)


@st.composite
def _prob(draw, eps=False):
    """Values in (0.05, 0.95); with ``eps`` an option eps in {None, 0.1, 0.3}, values kept off eps and 1 - eps."""
    r = rng_of(draw)
    x = r.uniform(0.05, 0.95, draw(shapes()))
    if not eps:
        return sample(x)
    e = draw(st.sampled_from([None, 0.1, 0.3]))
    if e is not None:
        x = away_from(x, [e, 1 - e], gap=0.03)
    return sample(x, eps=e)


@st.composite
def _poles_away(draw, n=False):
    """Values off the poles of lgamma/digamma/polygamma: near the origin (not_int: >= 0.1 from the integers) or
    positive and large (up to 30, the asymptotic branch)."""
    r = rng_of(draw)
    shape = draw(shapes())
    x = values(r, shape, "not_int") if draw(st.booleans()) else r.uniform(0.3, 30.0, shape)
    if n:
        return sample(x, n=draw(st.sampled_from([1, 2, 3])))
    return sample(x)


@st.composite
def _xlogy(draw, zeros=False):
    """x (with exact zeros if ``zeros``) and y > 0, broadcastable."""
    r = rng_of(draw)
    sx, sy = draw(broadcast_shapes(2))
    x = values(r, sx, "nonzero")
    if zeros:
        x = np.where(r.random(sx) < 0.4, 0.0, x)
    return sample(x, values(r, sy, "positive"))


@st.composite
def _matmul_add(draw, kind):
    """(input, a, b) for addmm / addmv / addbmm / baddbmm, input broadcastable to the result; beta and alpha."""
    r = rng_of(draw)
    n, k, m = nonzero_sizes(draw, 3)
    b = draw(st.integers(1, 3))
    if kind == "addmv":
        n = max(n, 1)  # torch's addmv returns input's shape for a 0-row matrix (see DIVERGENCES)
    if kind == "addmm":
        a_shape, b_shape, out = (n, k), (k, m), (n, m)
    elif kind == "addmv":
        a_shape, b_shape, out = (n, k), (k,), (n,)
    elif kind == "addbmm":
        a_shape, b_shape, out = (b, n, k), (b, k, m), (n, m)
    else:
        a_shape, b_shape, out = (b, n, k), (b, k, m), (b, n, m)
    # input: the full result shape, or one that broadcasts to it (a row, a column, a scalar)
    drop = draw(st.integers(0, len(out)))
    in_shape = tuple(1 if draw(st.booleans()) else s for s in out[drop:])
    beta = draw(st.sampled_from([1, 0.5, 0, -2]))
    alpha = draw(st.sampled_from([1, 2.0, -0.5]))
    return sample(values(r, in_shape), values(r, a_shape), values(r, b_shape), beta=beta, alpha=alpha)


@st.composite
def _addc(draw, div=False):
    r = rng_of(draw)
    s0, s1, s2 = draw(broadcast_shapes(3))
    third = values(r, s2, "nonzero") if div else values(r, s2)
    return sample(values(r, s0), values(r, s1), third, value=draw(st.sampled_from([1, 0.5, -2.0])))


@st.composite
def _cdist(draw, zero_distance=False):
    """x1 (..., P, M), x2 (..., R, M) with broadcastable batch dims, all coordinates distinct (no zero differences,
    no ties for p = inf); with ``zero_distance`` some rows of x2 repeat rows of x1 (distance exactly 0)."""
    r = rng_of(draw)
    b1, b2 = draw(broadcast_shapes(2, max_dims=2, min_side=1, max_side=2))
    p_rows, r_rows, m = nonzero_sizes(draw, 3)
    if zero_distance:
        p_rows, r_rows, m = max(p_rows, 1), max(r_rows, 1), max(m, 1)
        b2 = b1
    s1, s2 = (*b1, p_rows, m), (*b2, r_rows, m)
    x1, x2 = distinct(r, s1, s2)
    if zero_distance:
        k = min(p_rows, r_rows)
        x2[..., :k, :] = x1[..., :k, :]
        p = draw(st.sampled_from([2.0, 1.0, 3.0]))
    else:
        p = draw(st.sampled_from([2.0, 1.0, 0.0, 3.0, 1.5, 0.5, math.inf]))
    return sample(x1, x2, p=p)


@st.composite
def _dist(draw, p=True):
    r = rng_of(draw)
    sx, sy = draw(broadcast_shapes(2, min_side=1))  # torch's inf norms have no value on an empty difference
    x, y = distinct(r, sx, sy)
    if not p:
        return sample(x, y)
    return sample(x, y, p=draw(st.sampled_from([2, 1, 3.0, 0.5, math.inf, -math.inf])))


@st.composite
def _fmax_nan(draw):
    r = rng_of(draw)
    sx, sy = draw(broadcast_shapes(2))
    x, y = distinct(r, sx, sy)
    x = np.where(r.random(sx) < 0.3, np.nan, x)
    y = np.where(r.random(sy) < 0.3, np.nan, y)
    return sample(x, y)


@st.composite
def _float_power(draw):
    r = rng_of(draw)
    sx, sy = draw(broadcast_shapes(2))
    return sample(values(r, sx, "positive"), values(r, sy))


@st.composite
def _inplace_pair(draw, domains=("real", "real")):
    """(x, y) where y broadcasts to x (what an in-place binary op needs)."""
    r = rng_of(draw)
    big, small = draw(one_sided_pair())
    return sample(values(r, big, domains[0]), values(r, small, domains[1]))


@st.composite
def _inplace_quotient(draw):
    r = rng_of(draw)
    big, small = draw(one_sided_pair())
    x, y = quotient_pair(r, big, small)
    return sample(x, y)


@st.composite
def _inplace_fused(draw):
    """Operands for addmm_/addmv_/addbmm_/baddbmm_ (self has the result's shape) and addcmul_/addcdiv_."""
    r = rng_of(draw)
    n, k, m = nonzero_sizes(draw, 3)
    b = draw(st.integers(1, 3))
    big, small = draw(one_sided_pair())
    return sample(values(r, (n, m)), values(r, (n,)), values(r, (b, n, m)), values(r, (n, k)), values(r, (k, m)),
                  values(r, (k,)), values(r, (b, n, k)), values(r, (b, k, m)), values(r, big), values(r, small),
                  values(r, small, "nonzero"))


@st.composite
def _matrix(draw, tall=False, lead=True):
    r = rng_of(draw)
    n = draw(st.integers(1, 4))
    m = draw(st.integers(1, 4))
    if tall:
        n = m + draw(st.integers(2, 4))
    lead = tuple(draw(st.lists(st.integers(1, 2), max_size=1))) if lead and not tall else ()
    return sample(values(r, (*lead, n, m)), diagonal=draw(st.integers(-2, 2)))


@st.composite
def _layout(draw):
    r = rng_of(draw)
    shape = tuple(draw(st.lists(st.integers(2, 4), min_size=2, max_size=3)))
    return sample(values(r, shape))


@st.composite
def _type_as(draw, to=np.float64):
    r = rng_of(draw)
    return sample(values(r, draw(shapes())), values(r, rare_zero(draw, [2])).astype(to))


@st.composite
def _fmax_distinct(draw):
    r = rng_of(draw)
    sx, sy = draw(broadcast_shapes(2))
    x, y = distinct(r, sx, sy)
    return sample(x, y)


@st.composite
def _int_inplace(draw):
    r = rng_of(draw)
    big, small = draw(one_sided_pair())
    return sample(r.integers(-9, 10, big), r.integers(-5, 6, small))


@st.composite
def _cube(draw):
    r = rng_of(draw)
    n = draw(st.integers(1, 3))
    return sample(values(r, (n,) * draw(st.integers(3, 4))))


@st.composite
def _with_nans(draw, all_nan_slices=True):
    """Values with nan in about a quarter of the places (whole slices of nan now and then, unless
    ``all_nan_slices`` is False) and a reduction dim."""
    r = rng_of(draw)
    shape = draw(shapes(min_dims=1))
    x0 = values(r, shape)
    x = np.where(r.random(shape) < 0.25, np.nan, x0)
    kw = {"dim": dims_of(draw, len(shape)), "keepdim": draw(st.booleans())}
    if kw["dim"] is None:
        kw.pop("keepdim")
    if not all_nan_slices and x.size:
        axes = tuple(range(x.ndim)) if kw["dim"] is None else tuple(np.atleast_1d(kw["dim"]) % x.ndim)
        x = np.where(np.isnan(x).all(axis=axes, keepdims=True), x0, x)
    return sample(x, **kw)


def _ts(*pairs):
    """ErrorInputs from (make, exc, match) triples."""
    return tuple(ErrorInput(make, exc, match) for make, exc, match in pairs)


_CDIST_TORCH_ONCE = ("torch differentiates cdist once only: its _cdist_backward has no derivative and _cdist_forward no "
                     "forward-mode rule (NotImplementedError); impl's composite has both, checked against torch's "
                     "first derivative in property_tests/test_math_extra.py::test_cdist_second_order_matches_dist")

# torch evaluates polygamma in float32 for float32 inputs; impl in float64, rounded once.
_TORCH_F32_POLYGAMMA = {"float32": dict(rtol=1e-5, reason=(
    "torch's float32 trigamma/polygamma near the poles (the reflection pi^2 / sin^2(pi x) in float32) is off by up to "
    "~2e-6 relative: at x = -2.1478002 torch gives 48.840542, float64 48.840620, impl 48.840622 (impl evaluates in "
    "float64 and rounds once)"))}

# ---- specs ------------------------------------------------------------------------------------------
SPECS = [
    # inverse and hyperbolic trigonometry
    U("asin", lambda lib, x: (lib.asin(x), x.asin(), lib.arcsin(x), x.arcsin()), domain="unit",
      error_inputs=(NOT_FLOAT_GRAD,)),
    U("acos", lambda lib, x: (lib.acos(x), x.acos(), lib.arccos(x), x.arccos()), domain="unit"),
    U("atan", lambda lib, x: (lib.atan(x), x.atan(), lib.arctan(x), x.arctan()), scale=2.0),
    U("sinh", lambda lib, x: (lib.sinh(x), x.sinh()), scale=2.0),
    U("cosh", lambda lib, x: (lib.cosh(x), x.cosh()), scale=2.0),
    U("asinh", lambda lib, x: (lib.asinh(x), x.asinh(), lib.arcsinh(x), x.arcsinh()), scale=2.0),
    U("acosh", lambda lib, x: (lib.acosh(x + 1), (x + 1).acosh(), lib.arccosh(x + 1), (x + 1).arccosh()),
      domain="positive", notes="x + 1 in (1.2, 4): acosh's derivative 1/sqrt(x^2 - 1) is singular at 1"),
    U("atanh", lambda lib, x: (lib.atanh(x), x.atanh(), lib.arctanh(x), x.arctanh()), domain="unit"),
    U("inverse_trig_int", lambda lib, x: (lib.asin(x), x.atan(), lib.sinh(x), lib.erf(x), x.lgamma(), lib.erfinv(x)),
      domain="ties", dtypes=("int64",), differentiable=(), gradcheck=False,
      notes="integer inputs give the default float dtype (float32), as torch"),
    # error function family
    U("erf", lambda lib, x: (lib.erf(x), x.erf()), scale=2.0),
    U("erfc", lambda lib, x: (lib.erfc(x), x.erfc()), scale=2.0),
    U("erfinv", lambda lib, x: (lib.erfinv(x), x.erfinv()), domain="unit"),
    U("erfinv_edges", lambda lib, x: lib.erfinv(x), domain="ties", differentiable=(), gradcheck=False,
      notes="-2..2: inf at +-1, nan outside [-1, 1], 0 at 0"),
    # gamma family
    OpSpec("lgamma", lambda lib, x: (lib.lgamma(x), x.lgamma()), _poles_away(),
           notes="negative non-integers take the reflection formula, values up to 30 the asymptotic series"),
    OpSpec("digamma", lambda lib, x: (lib.digamma(x), x.digamma()), _poles_away(), bwd_tol=_TORCH_F32_POLYGAMMA),
    OpSpec("polygamma", lambda lib, x, n: (lib.polygamma(n, x), x.polygamma(n)), _poles_away(n=True),
           fwd_tol=_TORCH_F32_POLYGAMMA, bwd_tol=_TORCH_F32_POLYGAMMA,
           error_inputs=_ts((lambda lib: ((lib.ones(2),), {"n": -1}), RuntimeError,
                             r"polygamma\(n, x\) does not support negative n"))),
    U("gamma_poles", lambda lib, x: (lib.lgamma(x), lib.digamma(x * 1)), domain="ties", differentiable=(),
      gradcheck=False, notes="integers -2..2: lgamma = inf at the poles; digamma -inf at 0 and nan at the "
                             "negative integers, as torch"),
    # binary elementwise
    OpSpec("copysign", lambda lib, x, y: (lib.copysign(x, y), x.copysign(y), lib.copysign(x, -1.5)),
           binary(("nonzero", "real")), differentiable=(0, 1),
           error_inputs=_bcast_errors("copysign") + _ts(
               (lambda lib: ((2.0, lib.ones(2)), {}), TypeError, r"copysign\(\): argument 'input' must be Tensor"))),
    OpSpec("copysign_broadcast", lambda lib, x, y: lib.copysign(x, y), _xlogy(), differentiable=(0, 1),
           notes="other broadcast against input; gradient of other is zero, as torch"),
    OpSpec("xlogy", lambda lib, x, y: (lib.xlogy(x, y), x.xlogy(y), lib.xlogy(x, 2.5), lib.xlogy(2.0, y)),
           _xlogy(), differentiable=(0, 1), error_inputs=_bcast_errors("xlogy")),
    OpSpec("xlogy_zero", lambda lib, x, y: lib.xlogy(x, y), _xlogy(zeros=True), differentiable=(0, 1),
           gradcheck=False, notes="x == 0 on purpose: torch's xlogy(0, y) = 0 with gradient 0 in x (a convention, "
                                  "finite differences see log(y)), and no nan from the log in y's gradient"),
    OpSpec("fmax", lambda lib, x, y: (lib.fmax(x, y), x.fmax(y)), _fmax_distinct(), differentiable=(0, 1),
           error_inputs=_bcast_errors("fmax") + _scalar_other_error("fmax")),
    OpSpec("fmin", lambda lib, x, y: (lib.fmin(x, y), x.fmin(y)), _fmax_distinct(),
           differentiable=(0, 1), error_inputs=_scalar_other_error("fmin")),
    OpSpec("fmax_fmin_nan", lambda lib, x, y: (lib.fmax(x, y), lib.fmin(x, y)), _fmax_nan(), differentiable=(0, 1),
           gradcheck=False, notes="nan on either side: the other operand wins and gets the gradient, as torch; "
                                  "finite differences of nan are nan"),
    OpSpec("gcd_lcm", lambda lib, a, b: (lib.gcd(a, b), a.gcd(b), lib.lcm(a, b), a.lcm(b)), _int_pair(),
           differentiable=(), dtypes=("int64",), gradcheck=False,
           error_inputs=_ts((lambda lib: ((lib.ones(2), lib.ones(2)), {}), NotImplementedError, "gcd_cpu"),
                            (lambda lib: ((lib.tensor([4]), 2), {}), TypeError, r"gcd\(\): argument 'other'"),
                            (lambda lib: ((lib.ones(2, 3, dtype=lib.int64), lib.ones(4, dtype=lib.int64)), {}),
                             RuntimeError, r"gcd.*size of tensor a \(3\) must match the size of tensor b \(4\)"))),
    OpSpec("float_power", lambda lib, x, y: (lib.float_power(x, y), x.float_power(y), lib.float_power(x, 2),
                                             lib.float_power(2.0, y)),
           _float_power(), differentiable=(0, 1), notes="always float64, as torch; gradients in the inputs' dtypes"),
    # unary helpers
    OpSpec("logit", lambda lib, x: (lib.logit(x), x.logit()), _prob()),
    OpSpec("logit_eps", lambda lib, x, eps: lib.logit(x, eps=eps), _prob(eps=True),
           notes="values kept 0.03 away from eps and 1 - eps, where the clamp cuts the gradient"),
    OpSpec("nan_to_num", lambda lib, x, **kw: (lib.nan_to_num(x, **kw), x.nan_to_num(**kw)), _nan_to_num(),
           notes="nan, +-inf and -0.0 mixed in; the replaced elements get gradient 0, as torch's"),
    OpSpec("signbit_isposinf_isneginf", lambda lib, x: (lib.signbit(x), x.signbit(), lib.isposinf(x), x.isposinf(),
                                                       lib.isneginf(x), x.isneginf()),
           _special_values(), differentiable=(), gradcheck=False),
    U("frac_fix", lambda lib, x: (lib.frac(x), x.frac(), lib.fix(x), x.fix()), domain="not_int",
      error_inputs=_ts((lambda lib: ((lib.tensor([1, 2]),), {}), NotImplementedError, "frac_cpu"))),
    U("sinc", lambda lib, x: (lib.sinc(x), x.sinc()), scale=2.0),
    U("sinc_at_zero", lambda lib, x: lib.sinc(x * 0), domain="real", notes="sinc(0) = 1 with gradient 0, as torch",
      no_gradgrad="at 0 torch's second derivative of sinc is nan (its backward formula is 0/0 there, masked only in "
                  "the first derivative) and impl's 0; the true value is -pi^2/3 (see the divergence)",
      divergences=(Divergence("second derivative of sinc at 0", "torch: nan; impl: 0 (its sinc is a where() of the "
                              "constant 1 there); both differ from -pi^2/3"),)),
    U("deg2rad_rad2deg", lambda lib, x: (lib.deg2rad(x), x.deg2rad(), lib.rad2deg(x), x.rad2deg()), scale=3.0),
    U("deg2rad_int", lambda lib, x: (lib.deg2rad(x), lib.rad2deg(x)), domain="ties", dtypes=("int64",),
      differentiable=(), gradcheck=False),
    # fused multiply-adds
    OpSpec("addmm", lambda lib, i, a, b, **kw: (lib.addmm(i, a, b, **kw), i.addmm(a, b, **kw)), _matmul_add("addmm"),
           differentiable=(0, 1, 2), notes="beta = 0 ignores input (no nan from it) and gives it a zero gradient",
           error_inputs=_ts(
               (lambda lib: ((lib.ones(3), lib.ones(2, 3), lib.ones(4, 5)), {}), RuntimeError,
                r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"),
               (lambda lib: ((lib.ones(3), lib.ones(3), lib.ones(3, 5)), {}), RuntimeError, "mat1 must be a matrix"),
               (lambda lib: ((lib.ones(4), lib.ones(2, 3), lib.ones(3, 5)), {}), RuntimeError, "expanded size"))),
    OpSpec("addmm_beta_zero_nan", lambda lib, i, a, b, **kw: lib.addmm(i * float("nan"), a, b, beta=0),
           _matmul_add("addmm"), differentiable=(1, 2),
           notes="input made nan: with beta = 0 torch ignores it entirely"),
    OpSpec("addmv", lambda lib, i, a, b, **kw: (lib.addmv(i, a, b, **kw), i.addmv(a, b, **kw)), _matmul_add("addmv"),
           differentiable=(0, 1, 2),
           error_inputs=_ts((lambda lib: ((lib.ones(2), lib.ones(2, 3), lib.ones(4)), {}), RuntimeError,
                             "size mismatch"))),
    OpSpec("addbmm", lambda lib, i, a, b, **kw: (lib.addbmm(i, a, b, **kw), i.addbmm(a, b, **kw)),
           _matmul_add("addbmm"), differentiable=(0, 1, 2),
           error_inputs=_ts((lambda lib: ((lib.ones(2, 5), lib.ones(2, 2, 3), lib.ones(3, 3, 5)), {}), RuntimeError,
                             "batch1 and batch2 must have same number of batches"))),
    OpSpec("baddbmm", lambda lib, i, a, b, **kw: (lib.baddbmm(i, a, b, **kw), i.baddbmm(a, b, **kw)),
           _matmul_add("baddbmm"), differentiable=(0, 1, 2),
           error_inputs=_ts((lambda lib: ((lib.ones(2, 5), lib.ones(2, 2, 3), lib.ones(2, 4, 5)), {}), RuntimeError,
                             r"Expected size for first two dimensions of batch2 tensor to be: \[2, 3\]"))),
    OpSpec("addcmul", lambda lib, i, a, b, **kw: (lib.addcmul(i, a, b, **kw), i.addcmul(a, b, **kw)), _addc(),
           differentiable=(0, 1, 2), error_inputs=_ts(
               (lambda lib: ((lib.ones(2), lib.ones(3), lib.ones(2)), {}), RuntimeError, "size of tensor"))),
    OpSpec("addcdiv", lambda lib, i, a, b, **kw: (lib.addcdiv(i, a, b, **kw), i.addcdiv(a, b, **kw)), _addc(div=True),
           differentiable=(0, 1, 2), error_inputs=_ts(
               (lambda lib: ((lib.ones(2), lib.tensor([1, 2]), lib.tensor([3, 4])), {}), RuntimeError,
                "Integer division with addcdiv is no longer supported"))),
    # distances
    OpSpec("cdist", lambda lib, x1, x2, p: lib.cdist(x1, x2, p=p), _cdist(), differentiable=(0, 1),
           no_gradgrad=_CDIST_TORCH_ONCE, no_forward_ad=_CDIST_TORCH_ONCE,
           notes="p in {0, 0.5, 1, 1.5, 2, 3, inf}, batch dims broadcast; always the direct difference (torch switches "
                 "to a matmul form for more than 25 rows in float, which rounds differently)",
           error_inputs=_ts(
               (lambda lib: ((lib.ones(3), lib.ones(2, 3)), {"p": 2.0}), RuntimeError,
                "cdist only supports at least 2D tensors, X1 got: 1D"),
               (lambda lib: ((lib.ones(2, 3), lib.ones(2, 4)), {"p": 2.0}), RuntimeError,
                "X1 and X2 must have the same number of columns. X1: 3 X2: 4"),
               (lambda lib: ((lib.ones(2, 3), lib.ones(2, 3)), {"p": -1.0}), RuntimeError,
                "cdist only supports non-negative p values"))),
    OpSpec("cdist_zero_distance", lambda lib, x1, x2, p: lib.cdist(x1, x2, p=p), _cdist(zero_distance=True),
           differentiable=(0, 1), no_gradgrad=_CDIST_TORCH_ONCE, no_forward_ad=_CDIST_TORCH_ONCE,
           notes="rows of x2 repeat rows of x1: torch's gradient is 0 at zero distance (p = 1, 2, 3); the norm is "
                 "even there, so central differences agree"),
    OpSpec("dist", lambda lib, x, y, p=2: (lib.dist(x, y, p), x.dist(y, p=p)), _dist(), differentiable=(0, 1),
           error_inputs=_bcast_errors("sub")),
    OpSpec("dist_p0", lambda lib, x, y: (lib.dist(x, y, 0), x.dist(y, p=0)), _dist(p=False), differentiable=(),
           gradcheck=False, notes="p = 0 counts the non-zero differences; torch's backward of it fails with an "
                                  "undefined tensor, so only the forward is compared"),
    # reductions that skip nan
    OpSpec("nansum", lambda lib, x, **kw: (lib.nansum(x, **kw), x.nansum(**kw)), _with_nans(),
           notes="nan counts as 0 with gradient 0, as torch's"),
    OpSpec("nanmean", lambda lib, x, **kw: (lib.nanmean(x, **kw), x.nanmean(**kw)), _with_nans(all_nan_slices=False),
           notes="the mean of the non-nan elements; all-nan slices: spec nanmean_all_nan",
           error_inputs=_ts((lambda lib: ((lib.tensor([1, 2]),), {}), RuntimeError,
                             "nanmean.*expected input to have floating point"))),
    OpSpec("nanmean_all_nan", lambda lib, x, **kw: lib.nanmean(x, **kw), _with_nans(), gradcheck=False,
           notes="all-nan slices give nan (0/0) and a nan gradient (torch's grad * ~isnan is inf * 0 there); "
                 "finite differences of nan are nan"),
    # in-place variants (on a non-leaf copy)
    U("inplace_without_derivative", lambda lib, x: (
        (x * 1).asinh_(), (x * 1).arcsinh_(), (x * 1).atanh_(), (x * 1).arctanh_(), (x + 2).acosh_(),
        (x + 2).arccosh_()), domain="unit", differentiable=(),
      notes="torch has no derivative for these in-place forms (its backward raises NotImplementedError, as impl's: "
            "property_tests/test_math_extra.py::test_inplace_without_derivative_raises_at_backward)"),
    U("math_inplace_unit", lambda lib, x: (
        (x * 1).asin_(), (x * 1).arcsin_(), (x * 1).acos_(), (x * 1).arccos_(), (x * 1).atan_(), (x * 1).arctan_(),
        (x * 1).sinh_(), (x * 1).cosh_(),
        (x * 1).erf_(), (x * 1).erfc_(), (x * 1).erfinv_(), (x * 1).sinc_(), (x * 1).deg2rad_(), (x * 1).rad2deg_(),
        (x * 1).sin_(), (x * 1).cos_(), (x * 1).tan_(), (x * 1).tanh_(), (x * 1).sigmoid_(), (x * 1).expm1_(),
        (x * 1).exp2_(), (x * 1).square_(), (x * 1).nan_to_num_(), (x * 1).frac_(), (x * 1).negative_(),
        (x * 1).log1p_(), (x * 1).trunc_(), (x * 1).fix_()),
      domain="unit", notes="trunc_/fix_/frac_ on (-0.9, 0.9): piecewise smooth there"),
    U("math_inplace_positive", lambda lib, x: (
        (x * 1).log_(), (x * 1).log2_(), (x * 1).log10_(), (x * 1).reciprocal_(), (x * 1).rsqrt_(),
        (x * 1).lgamma_(), (x * 1).digamma_(), (x * 1).polygamma_(1), (x * 1).sign_(), (x * 1).abs_(), (x * 1).absolute_(), (x / 4).logit_(), (x / 4).logit_(0.2),
        (x * 1).clamp_min_(1.0), (x * 1).clamp_max_(1.0)),
      domain="positive", kinks=(0.8, 1.0, 4.0),
      notes="logit_ of x / 4 in (0.05, 0.75) with eps 0.2 kept off its bounds"),
    U("math_inplace_not_int", lambda lib, x: ((x * 1).round_(), (x * 1).floor_(), (x * 1).ceil_()), domain="not_int"),
    OpSpec("math_inplace_binary", lambda lib, x, y: (
        (x * 1).copysign_(y), (x * 1).hypot_(y), (x * 1).atan2_(y), (x * 1).arctan2_(y), (x * 1).lerp_(y, 0.3),
        (x * 1).lerp_(y, y * 0.5), (x.abs() + 0.5).xlogy_(y.abs() + 0.5)),
           _inplace_pair(("nonzero", "nonzero")), differentiable=(0, 1)),
    OpSpec("float_power_", lambda lib, x, y: (x.abs() + 0.5).float_power_(y), _inplace_pair(), differentiable=(0, 1),
           dtypes=("float64",), notes="float_power_ computes in float64 and writes only into float64 tensors",
           error_inputs=_ts((lambda lib: ((lib.ones(2), lib.ones(2)), {}), RuntimeError,
                             "the base given to float_power_ has dtype"))),
    OpSpec("math_inplace_quotient", lambda lib, x, y: ((x * 1).fmod_(y), (x * 1).remainder_(y)), _inplace_quotient(),
           differentiable=(0, 1)),
    OpSpec("math_inplace_fused", lambda lib, s2, s1, s3, m1, m2, v, b1, b2, big, small, nz: (
        (s2 * 1).addmm_(m1, m2), (s2 * 1).addmm_(m1, m2, beta=0.5, alpha=2.0), (s1 * 1).addmv_(m1, v, alpha=-1.0),
        (s2 * 1).addbmm_(b1, b2), (s3 * 1).baddbmm_(b1, b2, beta=0), (big * 1).addcmul_(small, big, value=0.5),
        (big * 1).addcdiv_(big, nz, value=2.0)),
           _inplace_fused(), differentiable=tuple(range(11))),
    OpSpec("math_inplace_int", lambda lib, a, b: (a.clone().gcd_(b), a.clone().lcm_(b)),
           _int_inplace(), differentiable=(), dtypes=("int64",), gradcheck=False),
    OpSpec("tril_triu_", lambda lib, x, diagonal: ((x * 1).tril_(diagonal), (x * 1).triu_(diagonal)), _matrix(),
           error_inputs=_ts((lambda lib: ((lib.ones(3) * 1,), {"diagonal": 0}), RuntimeError, "tril"))),
    # Tensor methods
    OpSpec("new_factories", lambda lib, x: (
        x.new_zeros(2, 3), x.new_zeros((0, 2)), x.new_ones((2,)), x.new_ones(3, dtype=lib.float64),
        x.new_full((2, 2), 1.5), x.new_full([3], 7, dtype=lib.int64), x.new_tensor([1.0, 2.5]),
        x.new_tensor([[1, 2]]), x.new_empty((2, 3)).shape, x.new_empty(4, dtype=lib.int64).dtype == lib.int64,
        x.new_zeros(2, requires_grad=True).requires_grad),
           unary(), differentiable=(),
           notes="new_empty's values are uninitialised: its shape and dtype are compared"),
    OpSpec("new_full", lambda lib, x, size: x.new_full(size, 2.5), unary(size=st.sampled_from([(2, 3), (3,), (), (1, 2, 2)])),
           differentiable=(),
           error_inputs=_ts((lambda lib: ((lib.ones(2),), {"size": 2}), TypeError, "new_full.*tuple of ints"),)),
    OpSpec("type_as", lambda lib, x, y: x.type_as(y), _type_as(), differentiable=(0,),
           notes="y is float64 (so in the float32 run the cast is real); y int64: spec type_as_int"),
    OpSpec("type_as_int", lambda lib, x, y: x.type_as(y), _type_as(np.int64), differentiable=(), gradcheck=False),
    OpSpec("sizes_in_bytes", lambda lib, x: (x.nbytes, x.itemsize, x.element_size(), x.double().nbytes,
                                             x.long().itemsize, x.bool().nbytes),
           unary(), differentiable=(), gradcheck=False),
    OpSpec("layout_queries", lambda lib, x: (
        (c := x.contiguous()).stride(), c.stride(0), c.stride(-1), c.is_contiguous(), c.storage_offset(),
        (v := c.transpose(0, 1)).stride(), v.is_contiguous(), v.storage_offset(), (s := c[1:]).storage_offset(),
        s.stride(), c[:, 1:].storage_offset(), c[:, 1:].is_contiguous(), c[..., ::2].stride(),
        c[1:].contiguous().storage_offset(), c.expand(2, *c.shape).stride()),
           _layout(), differentiable=(), gradcheck=False,
           notes="on contiguous() copies: the layout of a tensor impl makes itself is numpy's, of the same strides as "
                 "torch's for contiguous tensors, transposes, slices and expands"),
    OpSpec("fill_diagonal_", lambda lib, x, diagonal: ((x * 1).fill_diagonal_(2.5),), _matrix(lead=False),
           error_inputs=_ts((lambda lib: ((lib.ones(2),), {"diagonal": 0}), RuntimeError, "dimensions must larger than 1"),
                            (lambda lib: ((lib.ones(2, 3, 2),), {"diagonal": 0}), RuntimeError,
                             "all dimensions of input must be of equal length"))),
    OpSpec("fill_diagonal_wrap", lambda lib, x, diagonal: ((x * 1).fill_diagonal_(-1.0, wrap=True),
                                                           (x * 1).fill_diagonal_(3.0, wrap=False)),
           _matrix(tall=True)),
    OpSpec("fill_diagonal_cube", lambda lib, x: (x * 1).fill_diagonal_(0.5),
           _cube()),
]


DIVERGENCES = (
    Divergence("addmv with a 0-row matrix", "torch returns a tensor of input's shape (its empty-matrix shortcut copies "
               "input), impl the (0,)-shaped result that the shapes imply; the addmv spec draws at least one row"),
)
