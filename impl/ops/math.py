"""More of torch's math: inverse and hyperbolic trig, erf/erfc/erfinv, lgamma/digamma/polygamma, copysign, logit,
xlogy, nan_to_num, the fused multiply-adds (addmm, addmv, addbmm, baddbmm, addcmul, addcdiv), cdist and dist,
fmax/fmin, gcd/lcm and small unary helpers, plus the in-place Tensor variants torch has for them.

Primitives compute their forward with numpy and write their derivative with impl ops (so it can be
differentiated again); the rest are composites. Each primitive saves what torch's derivatives.yaml reads
(asin/erf/lgamma the input, none of them the result), so in-place edits of the result raise or not as torch's.
"""
import math

import numpy as np

from .. import _dtype
from .._autograd import OUTPUT, also_saves, apply, needed
from .._tensor import Tensor
from . import _gamma, _special, linalg, reduce, shape
from . import elementwise as ew
from ._common import binary_operands, broadcast_error, ensure_tensor, float_array
from ._lowprec import rounded_once
from ._registry import op

_FALSE = Tensor._wrap(np.zeros((), dtype=bool))


def _unary(name, np_fn, dfn, input):
    """Primitive with ``dfn(g, input)`` as its derivative; numpy's domain/overflow warnings are silenced, since
    torch returns nan/inf there without a warning."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return ew._unary(name, np_fn, dfn, input)


def _quiet(fn):
    """Run a derivative with numpy's warnings off: 1/0 and 0/0 give inf/nan there, as in torch."""
    def run(*args):
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            return fn(*args)

    return run


# ---- inverse and hyperbolic trigonometry ------------------------------------------------------
@op(aliases=("arcsin",))
def asin(input):
    return _unary("AsinBackward0", np.arcsin, _quiet(lambda g, x: g * ew.rsqrt(1 - x * x)), input)


@op(aliases=("arccos",))
def acos(input):
    return _unary("AcosBackward0", np.arccos, _quiet(lambda g, x: -g * ew.rsqrt(1 - x * x)), input)


@op(aliases=("arctan",))
def atan(input):
    return _unary("AtanBackward0", np.arctan, lambda g, x: g / (x * x + 1), input)


@op
def sinh(input):
    return _unary("SinhBackward0", np.sinh, lambda g, x: g * cosh(x), input)


@op
def cosh(input):
    return _unary("CoshBackward0", np.cosh, lambda g, x: g * sinh(x), input)


@op(aliases=("arcsinh",))
def asinh(input):
    return _unary("AsinhBackward0", np.arcsinh, lambda g, x: g * ew.rsqrt(x * x + 1), input)


@op(aliases=("arccosh",))
def acosh(input):
    return _unary("AcoshBackward0", np.arccosh, _quiet(lambda g, x: g * ew.rsqrt(x * x - 1)), input)


@op(aliases=("arctanh",))
def atanh(input):
    return _unary("AtanhBackward0", np.arctanh, _quiet(lambda g, x: g / (1 - x * x)), input)


# ---- error function family --------------------------------------------------------------------
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


@op
def erf(input):
    return _unary("ErfBackward0", _special.erf, lambda g, x: g * ew.exp(-(x * x)) * _TWO_OVER_SQRT_PI, input)


@op
def erfc(input):
    return _unary("ErfcBackward0", _special.erfc, lambda g, x: g * ew.exp(-(x * x)) * -_TWO_OVER_SQRT_PI, input)


@op
def erfinv(input):
    # torch saves the input and recomputes erfinv in the derivative (the result may be modified in place).
    return _unary("ErfinvBackward0", _gamma.erfinv,
                  _quiet(lambda g, x: g * ew.exp(ew.square(erfinv(x))) * (math.sqrt(math.pi) / 2)), input)


# ---- gamma family -------------------------------------------------------------------------------
@op
def lgamma(input):
    return _unary("LgammaBackward0", _gamma.lgamma, lambda g, x: g * digamma(x), input)


@op
def digamma(input):
    return _unary("DigammaBackward0", _gamma.digamma, lambda g, x: g * polygamma(1, x), input)


@op(method=lambda self, n: polygamma(n, self))
def polygamma(n, input):
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n (got n = {n}).")
    return _unary("PolygammaBackward0", lambda x: _gamma.polygamma(int(n), x),
                  lambda g, x: g * polygamma(n + 1, x), input)


# ---- binary elementwise -------------------------------------------------------------------------
@op
def copysign(input, other):
    ensure_tensor(input, "copysign")
    a, b, x, y, _ = binary_operands(input, other, "copysign")
    xf = x if x.dtype.kind == "f" else x.astype(y.dtype if y.dtype.kind == "f" else np.float32)
    try:
        out = np.copysign(xf, y.astype(xf.dtype, copy=False))
    except ValueError:
        raise broadcast_error("copysign", x, y) from None
    # d/dx |x| s(y) = sgn(x) s(y): 0 at x == 0, as torch's result / self masked at self == 0; other gets zeros
    factor = ew._sgn(xf) * np.where(np.signbit(y), -1, 1).astype(xf.dtype)

    def backward(g, out=None):
        return (g * ew._const(factor) if ew._wants(a) else None, ew._zeros(g) if ew._wants(b) else None)

    # torch's derivative of self reads self and the result (result / self), so it saves both when self requires grad
    # (an in-place edit of either makes backward raise); other's gradient is zeros and reads nothing
    return apply("CopysignBackward0", out, (a, b), backward, saved=(needed(a, a), needed(OUTPUT, a)))


@op
def xlogy(input, other):
    a, b, x, y, dt = binary_operands(input, other, "xlogy")
    fdt = dt if dt.kind == "f" else np.dtype(np.float32)
    x, y = x.astype(fdt, copy=False), y.astype(fdt, copy=False)
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where((x == 0) & ~np.isnan(y), fdt.type(0), x * np.log(y))  # torch: 0 log(y) = 0 unless y is nan
    except ValueError:
        raise broadcast_error("xlogy", x, y) from None
    p, q = ew._operand(a, x), ew._operand(b, y)

    @_quiet
    def backward(g):
        # torch's formulas: d/dx = xlogy(g, y), cut to 0 where x == 0 and y <= 0; d/dy = g x / y
        gx = ew.where((x == 0) & (y <= 0), 0.0, xlogy(g, q)) if ew._wants(a) else None
        return gx, (g * p / q if ew._wants(b) else None)

    return apply("XlogyBackward0", out, (a, b), backward, saved=(a, b))


@op
def fmax(input, other):
    return _fmax_fmin(input, other, "fmax", np.fmax, np.greater_equal)


@op
def fmin(input, other):
    return _fmax_fmin(input, other, "fmin", np.fmin, np.less_equal)


def _fmax_fmin(input, other, name, np_fn, wins):
    ensure_tensor(input, name)
    ensure_tensor(other, name, "other")  # torch takes no Python scalar here
    a, b, x, y, out = ew._binary(np_fn, input, other, name)
    # torch: self gets the whole gradient where it wins or ties or other is nan, other gets it everywhere else
    with np.errstate(invalid="ignore"):
        self_wins = wins(x, y) | np.isnan(y)

    def backward(g):
        return (ew.where(self_wins, g, 0.0) if ew._wants(a) else None,
                ew.where(self_wins, 0.0, g) if ew._wants(b) else None)

    return apply(name.capitalize() + "Backward0", out, (a, b), backward, saved=(a, b))


def _integer_binary(name, np_fn):
    def f(input, other):
        ensure_tensor(input, name)
        ensure_tensor(other, name, "other")
        _, _, x, y, dt = binary_operands(input, other, name)
        if dt.kind not in "iub":
            raise NotImplementedError(f'"{name}_cpu" not implemented for {input.dtype} (integer tensors only)')
        try:
            return Tensor._wrap(np_fn(x, y))
        except ValueError:
            raise broadcast_error(name, x, y) from None

    f.__name__ = name
    return f


gcd = op(_integer_binary("gcd", np.gcd))
lcm = op(_integer_binary("lcm", np.lcm))


@op
def float_power(input, exponent):
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected at least one Tensor argument")

    def f64(v):
        if isinstance(v, Tensor):
            return v if v._data.dtype == np.float64 else ew._cast(v, np.float64)
        return float(v)

    return ew.pow(f64(input), f64(exponent))


# ---- unary helpers ----------------------------------------------------------------------------
@op
def logit(input, eps=None):
    ensure_tensor(input, "logit")
    x = float_array(input)
    z = x if eps is None else np.clip(x, x.dtype.type(eps), x.dtype.type(1 - eps))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(z / (1 - z))

    @_quiet
    def backward(g):
        slope = g / (input * (1 - input))
        if eps is None:  # torch: nan outside [0, 1]
            return (ew.where((x < 0) | (x > 1), math.nan, slope),)
        return (ew.where((x < eps) | (x > 1 - eps), 0.0, slope),)  # clamped: zero gradient, bounds included

    return apply("LogitBackward0", out, (input,), backward, saved=(input,))


@op
def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    ensure_tensor(input, "nan_to_num")
    x = input._data
    if x.dtype.kind != "f":
        return Tensor._wrap(x.copy())  # integers have no nan or inf (as torch: a copy)
    fi = _dtype.finfo(input.dtype)  # bfloat16's limits, not those of its float32 storage
    out = np.nan_to_num(x, nan=nan, posinf=fi.max if posinf is None else posinf,
                        neginf=fi.min if neginf is None else neginf)
    finite = np.isfinite(x)
    # torch's derivative (grad * isfinite(self)) reads the input, so it saves it: an in-place edit raises at backward
    return apply("NanToNumBackward0", out, (input,), lambda g: (ew.where(finite, g, 0.0),), saved=(input,))


@op
def signbit(input):
    ensure_tensor(input, "signbit")
    return Tensor._wrap(np.signbit(input._data))


@op
def isposinf(input):
    return Tensor._wrap(np.isposinf(ensure_tensor(input, "isposinf")._data))


@op
def isneginf(input):
    return Tensor._wrap(np.isneginf(ensure_tensor(input, "isneginf")._data))


@op
def frac(input):
    ensure_tensor(input, "frac")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"frac_cpu" not implemented for {input.dtype} (floating point tensors only)')
    return ew.sub(input, ew.trunc(input))


@op
def fix(input):
    return ew.trunc(input)


@op
def sinc(input):
    ensure_tensor(input, "sinc")
    x = input if input._data.dtype.kind == "f" else ew._cast(input, np.float32)
    zero = ew._const(x._data == 0)
    # sin(pi x) / (pi x), 1 at 0; pi x is taken of 1 there so that the unused branch puts no 0/0 in a gradient.
    px = ew.where(zero, 1.0, x) * math.pi
    return also_saves(ew.where(zero, 1.0, ew.sin(px) / px), input)  # torch's sinc_backward reads the input


@op
def deg2rad(input):
    return ew.mul(ensure_tensor(input, "deg2rad"), math.pi / 180)


@op
def rad2deg(input):
    return ew.mul(ensure_tensor(input, "rad2deg"), 180 / math.pi)


# ---- fused multiply-adds --------------------------------------------------------------------------
def _check_matrix(name, t, arg, nd=2):
    ensure_tensor(t, name, arg)
    if t._data.ndim != nd:
        what = {1: "vector", 2: "matrix", 3: "3D tensor"}[nd]
        raise RuntimeError(f"{name}: {arg} must be a {what}, got {t._data.ndim}-D tensor (shape {tuple(t.shape)})")


def _plus_scaled(name, input, product_fn, operands, beta, alpha):
    """beta * input + alpha * product_fn(*operands), as torch: input must broadcast to the product's shape, and with
    beta == 0 the input is ignored (its nan and inf do not propagate) but still gets a zero gradient. float16/bfloat16:
    the whole expression in float32, rounded once (``rounded_once``), as torch's kernels."""
    ensure_tensor(input, name)

    def scaled_sum(input, *operands):
        product = product_fn(*operands)
        target = product._data.shape
        try:
            ok = np.broadcast_shapes(input._data.shape, target) == target
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"{name}: The expanded size of the tensor must match: input of shape "
                               f"{tuple(input._data.shape)} cannot be broadcast to the result's shape {tuple(target)}")
        if alpha != 1:
            product = ew.mul(product, alpha)
        if beta == 0:
            base = ew.where(_FALSE, input, 0.0)
        else:
            base = input if beta == 1 else ew.mul(input, beta)
        return ew.add(base, product)

    return rounded_once(scaled_sum, input, *operands)


@op
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    _check_matrix("addmm", mat1, "mat1")
    _check_matrix("addmm", mat2, "mat2")
    (n, k), (k2, m) = mat1._data.shape, mat2._data.shape
    if k != k2:
        raise RuntimeError(f"addmm: mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    return _plus_scaled("addmm", input, linalg.matmul, (mat1, mat2), beta, alpha)


@op
def addmv(input, mat, vec, *, beta=1, alpha=1):
    _check_matrix("addmv", mat, "mat")
    _check_matrix("addmv", vec, "vec", nd=1)
    if mat._data.shape[1] != vec._data.shape[0]:
        raise RuntimeError(f"addmv: size mismatch, got input {tuple(input.shape)}, mat {tuple(mat.shape)}, "
                           f"vec {tuple(vec.shape)}")
    return _plus_scaled("addmv", input, linalg.matmul, (mat, vec), beta, alpha)


def _batches(name, batch1, batch2):
    _check_matrix(name, batch1, "batch1", nd=3)
    _check_matrix(name, batch2, "batch2", nd=3)
    (b, _, k), (b2, k2, _) = batch1._data.shape, batch2._data.shape
    if b != b2:
        raise RuntimeError(f"{name}: batch1 and batch2 must have same number of batches, got {b} and {b2}")
    if k != k2:
        raise RuntimeError(f"{name}: Expected size for first two dimensions of batch2 tensor to be: [{b}, {k}] "
                           f"but got: [{b2}, {k2}].")
    return linalg.matmul(batch1, batch2)


@op
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    return _plus_scaled("addbmm", input, lambda b1, b2: reduce.sum(_batches("addbmm", b1, b2), dim=0), (batch1, batch2),
                        beta, alpha)


@op
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    return _plus_scaled("baddbmm", input, lambda b1, b2: _batches("baddbmm", b1, b2), (batch1, batch2), beta, alpha)


@op
def addcmul(input, tensor1, tensor2, *, value=1):
    ensure_tensor(input, "addcmul")
    t1 = tensor1 if value == 1 else ew.mul(tensor1, value)  # torch's kernel: input + (value * t1) * t2
    # torch saves tensor2 for tensor1's gradient and tensor1 for tensor2's (the product above reads value * tensor1)
    return also_saves(ew.add(input, ew.mul(t1, tensor2)), needed(tensor1, tensor2), needed(tensor2, tensor1))


@op
def addcdiv(input, tensor1, tensor2, *, value=1):
    ensure_tensor(input, "addcdiv")
    ensure_tensor(tensor1, "addcdiv", "tensor1")
    ensure_tensor(tensor2, "addcdiv", "tensor2")
    if tensor1._data.dtype.kind in "iub" and tensor2._data.dtype.kind in "iub":
        raise RuntimeError("addcdiv: Integer division with addcdiv is no longer supported (tensor1 and tensor2 are "
                           f"{tensor1.dtype} and {tensor2.dtype}); use addcdiv on floating point tensors")
    t1 = tensor1 if value == 1 else ew.mul(tensor1, value)  # torch's kernel: input + (value * t1) / t2
    # torch saves tensor1 for tensor2's gradient, and tensor2 for both (the quotient above reads value * tensor1)
    return also_saves(ew.add(input, ew.div(t1, tensor2)), needed(tensor1, tensor2), tensor2)


# ---- distances ----------------------------------------------------------------------------------
def _masked_where(mask, value, t):
    return ew.where(ew._const(mask), value, t)


def _saving_result(name, t, *inputs):
    """``t`` through an identity node that saves its output and ``inputs``: torch's cdist and dist backward read
    their result and both inputs (for both gradients), so an in-place edit of any of them makes backward raise; the
    composite below it reads the inputs' difference, an intermediate."""
    return apply(name, t._data, (t,), lambda g, out: (g,), saved=(OUTPUT,) + inputs)


def _pnorm_last(d, p):
    """The p-norm of ``d`` over its last dim. Where the norm is 0 the gradient is 0 (torch's cdist and norm
    backward); the root and the power are taken of 1 there, so no 0/0 or 0 * inf reaches a gradient."""
    if p == 0:
        count = reduce.sum(ew._cast(ew.ne(d, 0), d.dtype), dim=-1)
        return ew.add(count, reduce.sum(ew.mul(d, 0.0), dim=-1))  # zero gradient, as torch's
    if p == 1:
        return reduce.sum(ew.abs(d), dim=-1)
    if p == math.inf:
        return reduce.amax(ew.abs(d), dim=-1) if d._data.shape[-1] else reduce.sum(ew.abs(d), dim=-1)
    if p == 2:
        s = reduce.sum(d * d, dim=-1)
        zero = s._data == 0
        return _masked_where(zero, 0.0, ew.sqrt(_masked_where(zero, 1.0, s)))
    a = ew.abs(d)
    az = a._data == 0
    s = reduce.sum(_masked_where(az, 0.0, ew.pow(_masked_where(az, 1.0, a), p)), dim=-1)
    zero = s._data == 0
    return _masked_where(zero, 0.0, ew.pow(_masked_where(zero, 1.0, s), 1.0 / p))


@op(method=False)
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    ensure_tensor(x1, "cdist", "x1")
    ensure_tensor(x2, "cdist", "x2")
    for t, label in ((x1, "X1"), (x2, "X2")):
        if t._data.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {label} got: {t._data.ndim}D")
    if x1._data.shape[-1] != x2._data.shape[-1]:
        raise RuntimeError(f"cdist: X1 and X2 must have the same number of columns. X1: {x1._data.shape[-1]} "
                           f"X2: {x2._data.shape[-1]}")
    if not p >= 0:  # nan too
        raise RuntimeError(f"cdist only supports non-negative p values (got p = {p})")
    if compute_mode not in ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                            "donot_use_mm_for_euclid_dist"):
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    # Always the direct difference (torch's donot_use_mm path): exact at zero distance, where the
    # |x|^2 + |y|^2 - 2 x.y form torch uses for larger inputs cancels.
    d = ew.sub(shape.unsqueeze(x1, -2), shape.unsqueeze(x2, -3))
    return _saving_result("CdistBackward0", _pnorm_last(d, float(p)), x1, x2)


@op
def dist(input, other, p=2):
    ensure_tensor(input, "dist")
    ensure_tensor(other, "dist", "other")
    d = ew.sub(input, other)
    flat = shape.reshape(d, (-1,))
    p = float(p)
    if p == -math.inf:
        return _saving_result("DistBackward0", reduce.amin(ew.abs(flat)), input, other)
    return _saving_result("DistBackward0", _pnorm_last(flat, p), input, other)


# ---- reductions that skip nan ---------------------------------------------------------------------
def _nan_as_zero(input, name):
    ensure_tensor(input, name)
    x = input._data
    if x.dtype.kind != "f":
        return input, None
    nan = np.isnan(x)
    keep = ew._const(_dtype.cast_array(~nan, input.dtype))
    # torch's nansum backward is grad * ~isnan(input), a product: an infinite gradient (nanmean of an all-nan
    # slice divides by a count of 0) gives nan there, where a where() would give 0
    # saved: torch's nansum_backward reads the input (an in-place edit of it makes backward raise)
    return apply("NansumBackward0", np.where(nan, x.dtype.type(0), x), (input,), _quiet(lambda g: (g * keep,)),
                 saved=(input,)), nan


@op
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    # nan elements count as 0 and get gradient 0, as torch's (grad * ~isnan(input))
    return reduce.sum(_nan_as_zero(input, "nansum")[0], dim=dim, keepdim=keepdim, dtype=dtype)


@op
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    ensure_tensor(input, "nanmean")
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got {input.dtype}")
    zeroed, nan = _nan_as_zero(input, "nanmean")
    total = reduce.sum(zeroed, dim=dim, keepdim=keepdim, dtype=dtype)
    count = np.sum(~nan, axis=reduce._axes(input, dim, "nanmean"), keepdims=keepdim)
    # torch's nansum / count, the count a constant in the sum's dtype: an all-nan slice gives 0 / 0 = nan and an
    # infinite gradient
    return ew.div(total, ew._const(_dtype.cast_array(count, total.dtype)))
