"""Elementwise primitives (each derivative right under its forward) and their compositions."""
import math

import numpy as np

from .._autograd import OUTPUT, apply, apply_fused
from .._tensor import Tensor
from . import _special
from ._common import binary_operands, broadcast_error, ensure_tensor, float_array
from ._registry import op


def _binary(np_fn, a, b, op):
    ta, tb, x, y, dt = binary_operands(a, b, op)
    try:
        out = np_fn(x, y)
    except ValueError:
        raise broadcast_error(op, x, y) from None
    return ta, tb, x, y, out


# ---- arithmetic -------------------------------------------------------------------------------
def _operand(t, arr):
    """What a derivative multiplies by: the operand's Tensor, or its Python scalar (which carries no gradient)."""
    return t if t is not None else arr.item()


@op(operators=("__add__",), reflected=("__radd__",))
def add(input, other, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    a, b, x, y, out = _binary(np.add, input, other, "add")
    return apply("AddBackward0", out, (a, b), lambda g: (g, g))


@op(aliases=("subtract",), operators=("__sub__",), reflected=("__rsub__",))
def sub(input, other, alpha=1):
    # A primitive rather than add(neg): saves one full-size temporary on a very common op.
    if alpha != 1:
        other = mul(other, alpha)
    a, b, x, y, out = _binary(np.subtract, input, other, "sub")
    return apply("SubBackward0", out, (a, b), lambda g: (g, -g))


def rsub(input, other, alpha=1):
    return sub(other, input, alpha=alpha)


@op(aliases=("multiply",), operators=("__mul__",), reflected=("__rmul__",))
def mul(input, other):
    a, b, x, y, out = _binary(np.multiply, input, other, "mul")
    return apply("MulBackward0", out, (a, b), lambda g: (g * _operand(b, y), g * _operand(a, x)), saved=(a, b))


def div(input, other, rounding_mode=None):
    if rounding_mode is not None:
        return _div_rounded(input, other, rounding_mode)
    a, b, x, y, _ = binary_operands(input, other, "div")
    if x.dtype.kind != "f":  # true division of integers gives the default float dtype
        x, y = x.astype(np.float32), y.astype(np.float32)
    try:
        out = x / y
    except ValueError:
        raise broadcast_error("div", x, y) from None
    # d/dy from the inputs, not from ``out``: torch lets the quotient be modified in place (regression 049)
    return apply_fused("DivBackward0", out, (a, b), lambda g: (g / y, -g * x / (y * y)), saved=(a, b))


def _div_rounded(input, other, mode):
    if mode not in ("floor", "trunc"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{mode}'")
    a, b, x, y, dt = binary_operands(input, other, "div")
    fn = np.floor_divide if mode == "floor" else (lambda p, q: np.trunc(p / q).astype(dt) if dt.kind == "f" else _int_trunc_div(p, q))
    try:
        out = fn(x, y)
    except ValueError:
        raise broadcast_error("div", x, y) from None
    # Piecewise constant: torch's gradient is zero almost everywhere.
    return apply_fused("DivBackward1", out, (a, b), lambda g: (np.zeros_like(g), np.zeros_like(g)))


def _int_trunc_div(p, q):
    return (np.sign(p) * np.sign(q) * (np.abs(p) // np.abs(q))).astype(p.dtype)


def floor_divide(input, other):
    return div(input, other, rounding_mode="floor")


def remainder(input, other):
    a, b, x, y, out = _binary(np.remainder, input, other, "remainder")
    return apply_fused("RemainderBackward0", out, (a, b), lambda g: (g, -g * np.floor_divide(x, y)), saved=(a, b))


def fmod(input, other):
    a, b, x, y, out = _binary(np.fmod, input, other, "fmod")
    return apply_fused("FmodBackward0", out, (a, b), lambda g: (g, -g * np.trunc(x / y)), saved=(a, b))


def hypot(input, other):
    # A primitive rather than sqrt(x*x + y*y): np.hypot does not overflow/underflow where the squares would.
    a, b, x, y, out = _binary(np.hypot, input, other, "hypot")

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 = nan at the origin, as torch
            return g * x / out, g * y / out

    return apply_fused("HypotBackward0", out, (a, b), backward, saved=(a, b, OUTPUT))


@op(aliases=("negative",), operators=("__neg__",))
def neg(input):
    ensure_tensor(input, "neg")
    if input._data.dtype == np.bool_:
        raise RuntimeError("neg: Negation, the `-` operator, on a bool tensor is not supported. Use `~` or logical_not() instead.")
    return apply("NegBackward0", -input._data, (input,), lambda g: (-g,))


def pow(input, exponent):
    if isinstance(exponent, Tensor) and exponent._data.ndim == 0 and not exponent.requires_grad and isinstance(input, Tensor) and input._data.ndim > 0:
        pass  # falls through to the tensor-tensor case; dtype rules handle 0-d exponents
    if not isinstance(exponent, Tensor):
        return _pow_scalar(input, exponent)
    if not isinstance(input, Tensor):
        return _rpow_scalar(input, exponent)
    a, b, x, y, dt = binary_operands(input, exponent, "pow")
    if dt.kind != "f" and np.any(y < 0):
        raise RuntimeError("pow: Integers to negative integer powers are not allowed.")
    try:
        out = np.power(x, y)
    except ValueError:
        raise broadcast_error("pow", x, y) from None

    def backward(g):
        ga = g * y * np.power(x, y - 1)
        ga = np.where(y == 0, 0.0, ga).astype(ga.dtype, copy=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            # d/dy x^y = x^y log x; torch defines it as 0 where x == 0 and y >= 0.
            gb = np.where((x == 0) & (y >= 0), 0.0, g * out * np.log(x)).astype(out.dtype, copy=False)
        return ga, gb

    return apply_fused("PowBackward1", out, (a, b), backward, saved=(a, b, OUTPUT))


def _pow_scalar(input, e):
    ensure_tensor(input, "pow")
    x = input._data
    if isinstance(e, bool):
        e = int(e)
    if x.dtype.kind != "f" and isinstance(e, float):
        x = x.astype(np.float32)
    elif x.dtype.kind != "f" and e < 0:
        raise RuntimeError("pow: Integers to negative integer powers are not allowed.")
    if x.dtype.kind == "f":
        e_arr = x.dtype.type(e)
    else:
        e_arr = e
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.power(x, e_arr)

    def backward(g):
        if e == 0:
            return (np.zeros_like(g),)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g * (e_arr * np.power(x, e_arr - 1)),)

    return apply_fused("PowBackward0", out, (input,), backward, saved=(input,))


def _rpow_scalar(base, exponent):
    ta, tb, x, y, dt = binary_operands(base, exponent, "pow")
    if dt.kind != "f":
        if np.any(y < 0):
            raise RuntimeError("pow: Integers to negative integer powers are not allowed.")
    out = np.power(x, y)
    logb = math.log(base) if base > 0 else (-math.inf if base == 0 else math.nan)

    def backward(g):
        if base == 0:
            return None, np.where(y >= 0, 0.0, g * out * logb).astype(out.dtype)
        return None, g * out * out.dtype.type(logb)

    return apply_fused("PowBackward2", out, (None, exponent), backward, saved=(exponent, OUTPUT))


def rpow(input, other):
    return pow(other, input)


# ---- unary ------------------------------------------------------------------------------------
def _unary(name, fn, dfn, input, save_input=True):
    """Primitive f(x) with derivative ``dfn(g, x, out)``."""
    ensure_tensor(input, name)
    x = float_array(input)
    out = fn(x)
    # save_input=False: the derivative is written in terms of the result (torch saves the result too)
    return apply_fused(name, out, (input,), lambda g: (dfn(g, x, out),), saved=(input,) if save_input else (OUTPUT,))


@op
def exp(input):
    ensure_tensor(input, "exp")
    return apply("ExpBackward0", np.exp(float_array(input)), (input,), lambda g, out: (g * out,), saved=(OUTPUT,))


def log(input):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _unary("LogBackward0", np.log, lambda g, x, o: g / x, input)


def log2(input):
    return _unary("Log2Backward0", np.log2, lambda g, x, o: g / (x * x.dtype.type(math.log(2))), input)


def log10(input):
    return _unary("Log10Backward0", np.log10, lambda g, x, o: g / (x * x.dtype.type(math.log(10))), input)


def log1p(input):
    return _unary("Log1PBackward0", np.log1p, lambda g, x, o: g / (1 + x), input)


def expm1(input):
    return _unary("Expm1Backward0", np.expm1, lambda g, x, o: g * (o + 1), input, save_input=False)


def sqrt(input):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _unary("SqrtBackward0", np.sqrt, lambda g, x, o: g / (2 * o), input, save_input=False)


@op
def sin(input):
    ensure_tensor(input, "sin")
    return apply("SinBackward0", np.sin(float_array(input)), (input,), lambda g: (g * cos(input),), saved=(input,))


@op
def cos(input):
    ensure_tensor(input, "cos")
    return apply("CosBackward0", np.cos(float_array(input)), (input,), lambda g: (-g * sin(input),), saved=(input,))


def tan(input):
    return _unary("TanBackward0", np.tan, lambda g, x, o: g * (1 + o * o), input, save_input=False)


@op
def tanh(input):
    ensure_tensor(input, "tanh")
    return apply("TanhBackward0", np.tanh(float_array(input)), (input,), lambda g, out: (g * (1 - out * out),),
                 saved=(OUTPUT,))


def _sigmoid_np(x):
    # exp(-|x|) never overflows; both branches are accurate in the tails.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def sigmoid(input):
    return _unary("SigmoidBackward0", _sigmoid_np, lambda g, x, o: g * o * (1 - o), input, save_input=False)


def logsigmoid(input):
    # log sigmoid(x) = -softplus(-x); derivative 1 - sigmoid(x) = sigmoid(-x).
    return _unary(
        "LogSigmoidBackward0", lambda x: -np.logaddexp(0, -x), lambda g, x, o: g * _sigmoid_np(-x), input
    )


def relu(input):
    ensure_tensor(input, "relu")
    x = input._data
    # torch's relu is clamp_min(x, 0): -0.0 and nan pass through; the gradient is cut where result <= 0.
    out = np.where(x < 0, x.dtype.type(0), x)
    return apply_fused("ReluBackward0", out, (input,), lambda g: (g * ~(out <= 0),), saved=(OUTPUT,))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    s = negative_slope
    return _unary(
        "LeakyReluBackward0",
        lambda x: np.where(x > 0, x, x * x.dtype.type(s)),
        lambda g, x, o: np.where(x > 0, g, g * g.dtype.type(s)),
        input,
    )


def elu(input, alpha=1.0, inplace=False):
    # Branch on x <= 0 (not x > 0) as torch does: -0.0 stays -0.0 and nan takes the identity branch.
    return _unary(
        "EluBackward0",
        lambda x: np.where(x <= 0, x.dtype.type(alpha) * np.expm1(np.where(x <= 0, x, 0)), x),
        # alpha * exp(x) from the input, not o + alpha: torch lets elu's result be modified in place (regression 049)
        lambda g, x, o: np.where(x <= 0, g * x.dtype.type(alpha) * np.exp(np.where(x <= 0, x, 0)), g),
        input,
    )


def gelu(input, approximate="none"):
    if approximate == "none":
        def fwd(x):
            return 0.5 * x * (1 + _special.erf(x * x.dtype.type(1 / math.sqrt(2))))

        def dfn(g, x, o):
            cdf = 0.5 * (1 + _special.erf(x * x.dtype.type(1 / math.sqrt(2))))
            pdf = np.exp(-0.5 * x * x) * x.dtype.type(1 / math.sqrt(2 * math.pi))
            return g * (cdf + x * pdf)

        return _unary("GeluBackward0", fwd, dfn, input)
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)

        def fwd(x):
            return 0.5 * x * (1 + np.tanh(x.dtype.type(k) * (x + x.dtype.type(0.044715) * x**3)))

        def dfn(g, x, o):
            inner = x.dtype.type(k) * (x + x.dtype.type(0.044715) * x**3)
            t = np.tanh(inner)
            dinner = x.dtype.type(k) * (1 + x.dtype.type(3 * 0.044715) * x * x)
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dinner)

        return _unary("GeluBackward0", fwd, dfn, input)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input, inplace=False):
    def dfn(g, x, o):
        s = _sigmoid_np(x)
        return g * s * (1 + x * (1 - s))

    return _unary("SiluBackward0", lambda x: x * _sigmoid_np(x), dfn, input)


def softplus(input, beta=1.0, threshold=20.0):
    def fwd(x):
        bx = x * x.dtype.type(beta)
        return np.where(bx > threshold, x, np.logaddexp(0, bx) / x.dtype.type(beta)).astype(x.dtype, copy=False)

    def dfn(g, x, o):
        bx = x * x.dtype.type(beta)
        return np.where(bx > threshold, g, g * _sigmoid_np(bx))

    return _unary("SoftplusBackward0", fwd, dfn, input)


def abs(input):
    ensure_tensor(input, "abs")
    x = input._data
    return apply_fused("AbsBackward0", np.abs(x), (input,), lambda g: (g * _sgn(x),), saved=(input,))


def _sgn(x):
    """torch's sgn: 0 at nan (numpy's np.sign gives nan there)."""
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype) if x.dtype.kind == "f" else np.sign(x)


def _zero_grad_unary(name, fn, input):
    """Piecewise-constant ops: the output requires grad (as torch) but the gradient is zero."""
    ensure_tensor(input, name)
    return apply_fused(name, fn(input._data), (input,), lambda g: (np.zeros_like(g),))


def sign(input):
    if input._data.dtype == np.bool_:
        return _zero_grad_unary("SignBackward0", lambda x: x.copy(), input)
    return _zero_grad_unary("SignBackward0", _sgn, input)


def floor(input):
    return _zero_grad_unary("FloorBackward0", np.floor, input)


def ceil(input):
    return _zero_grad_unary("CeilBackward0", np.ceil, input)


def trunc(input):
    return _zero_grad_unary("TruncBackward0", np.trunc, input)


def round(input, decimals=0):
    return _zero_grad_unary("RoundBackward0", lambda x: np.round(x, decimals), input)


def clamp(input, min=None, max=None):
    ensure_tensor(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min) if isinstance(min, Tensor) else clamp(out, min=min)
        if max is not None:
            out = minimum(out, max) if isinstance(max, Tensor) else clamp(out, max=max)
        return out
    x = input._data
    out = np.clip(x, min, max)
    if out.dtype != x.dtype:  # an int tensor clamped by a float bound promotes, as torch
        pass

    def backward(g):
        mask = np.ones(x.shape, dtype=bool)
        if min is not None:
            mask &= x >= min
        if max is not None:
            mask &= x <= max
        return (g * mask,)

    return apply_fused("ClampBackward1", out, (input,), backward, saved=(input,))


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def reciprocal(input):
    # Primitives (not div(1, x) / 1/sqrt(x)), as torch: their derivatives read the result, so modifying the
    # result in place makes backward raise (regression 048), and grad_fn names match torch's.
    with np.errstate(divide="ignore"):
        return _unary("ReciprocalBackward0", lambda x: 1 / x, lambda g, x, o: -g * o * o, input, save_input=False)


def rsqrt(input):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _unary("RsqrtBackward0", lambda x: 1 / np.sqrt(x), lambda g, x, o: g * x.dtype.type(-0.5) * o * o * o,
                      input, save_input=False)


def square(input):
    return mul(input, input)


def lerp(input, end, weight):
    return add(input, mul(sub(end, input), weight))


# ---- binary selections ------------------------------------------------------------------------
def maximum(input, other):
    a, b, x, y, out = _binary(np.maximum, input, other, "maximum")

    def backward(g):
        # torch's formula: ties split the gradient in half; a nan operand gets the full gradient.
        half = np.where(x == y, g / 2, g)
        zero = g.dtype.type(0)
        return np.where(x < y, zero, half), np.where(x > y, zero, half)

    return apply_fused("MaximumBackward0", out, (a, b), backward, saved=(a, b))


def minimum(input, other):
    a, b, x, y, out = _binary(np.minimum, input, other, "minimum")

    def backward(g):
        half = np.where(x == y, g / 2, g)
        zero = g.dtype.type(0)
        return np.where(x > y, zero, half), np.where(x < y, zero, half)

    return apply_fused("MinimumBackward0", out, (a, b), backward, saved=(a, b))


def where(condition, input=None, other=None):
    if input is None and other is None:
        from .shape import nonzero

        return nonzero(condition, as_tuple=True)
    c = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if c.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype {c.dtype}")
    a, b, x, y, out = _binary(lambda p, q: np.where(c, p, q), input, other, "where")
    zero = np.zeros((), dtype=out.dtype)
    return apply_fused("WhereBackward0", out, (a, b), lambda g: (np.where(c, g, zero), np.where(c, zero, g)))


# ---- comparisons and logic (no gradient) ------------------------------------------------------
def _compare(np_fn, op):
    def f(input, other):
        _, _, x, y, _ = binary_operands(input, other, op)
        try:
            return Tensor._wrap(np_fn(x, y))
        except ValueError:
            raise broadcast_error(op, x, y) from None

    f.__name__ = op
    return f


eq = _compare(np.equal, "eq")
ne = _compare(np.not_equal, "ne")
lt = _compare(np.less, "lt")
le = _compare(np.less_equal, "le")
gt = _compare(np.greater, "gt")
ge = _compare(np.greater_equal, "ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(np_fn, op):
    def f(input, other):
        x = input._data if isinstance(input, Tensor) else np.asarray(input)
        y = other._data if isinstance(other, Tensor) else np.asarray(other)
        try:
            return Tensor._wrap(np_fn(x.astype(bool), y.astype(bool)))
        except ValueError:
            raise broadcast_error(op, x, y) from None

    f.__name__ = op
    return f


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input):
    return Tensor._wrap(np.logical_not(input._data))


def _bitwise(np_fn, op):
    def f(input, other):
        _, _, x, y, dt = binary_operands(input, other, op)
        if dt.kind == "f":
            raise TypeError(f"{op}: bitwise operations are only defined on integer and bool tensors (got {dt})")
        return Tensor._wrap(np_fn(x, y))

    f.__name__ = op
    return f


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def bitwise_not(input):
    if input._data.dtype.kind == "f":
        raise TypeError(f"bitwise_not: only defined on integer and bool tensors (got {input.dtype})")
    return Tensor._wrap(np.invert(input._data))


def isnan(input):
    return Tensor._wrap(np.isnan(input._data))


def isinf(input):
    return Tensor._wrap(np.isinf(input._data))


def isfinite(input):
    return Tensor._wrap(np.isfinite(input._data))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return Tensor._wrap(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other):
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


# ---- dtype casts ------------------------------------------------------------------------------
def _cast(input, np_dtype, force_copy=False):
    x = input._data
    out = x.astype(np_dtype, copy=force_copy or x.dtype != np_dtype)
    if np.dtype(np_dtype).kind != "f":
        return Tensor._wrap(out)  # integer/bool results never require grad, as torch
    return apply_fused("ToCopyBackward0", out, (input,), lambda g: (g,))
