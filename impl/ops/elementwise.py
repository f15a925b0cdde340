"""Elementwise primitives (each derivative right under its forward) and their compositions.

Derivatives are closures written with impl ops on the op's input and output Tensors, so that a ``create_graph``
backward records them and they can be differentiated again; masks, signs and rounded quotients are piecewise
constant and computed with numpy. Each op saves what torch's derivatives.yaml saves (exp/tanh/sigmoid/sqrt the
result, log/sin the input, div both inputs and not the quotient), so in-place edits raise or not as torch's do.
"""
import math

import numpy as np

from .. import _dtype
from .._autograd import HIDDEN, OUTPUT, _GradMode, apply, needed
from .._tensor import Tensor
from . import _special
from ._common import binary_operands, broadcast_error, ensure_tensor, float_array
from ._registry import op


def _binary(np_fn, a, b, op):
    ta, tb, x, y, dt = binary_operands(a, b, op)
    try:
        if dt.kind == "f" and dt.itemsize > 2:
            out = np_fn(x, y)
        elif dt == np.float16 and (ta is None or tb is None):
            # float16 with a Python scalar: computed in float32 with the scalar unrounded, then rounded once (torch's
            # CPU "opmath"; the scalar rounded to float16 first would be off by up to half an ulp of its own)
            f32 = np.float32
            p = np.asarray(a, f32) if ta is None else x.astype(f32)
            q = np.asarray(b, f32) if tb is None else y.astype(f32)
            with np.errstate(over="ignore"):
                out = np_fn(p, q).astype(dt)
        else:
            with np.errstate(over="ignore"):  # integers wrap and float16 overflows to inf silently, as torch's
                out = np_fn(x, y)
    except ValueError:
        raise broadcast_error(op, x, y) from None
    return ta, tb, x, y, out


def _const(arr):
    """A piecewise-constant array (a mask, a sign, a rounded quotient) as a Tensor: its derivative is zero."""
    return Tensor._wrap(arr)


def _zeros(g):
    return Tensor._wrap(np.zeros_like(g._data))


def _wants(t):
    """Whether a closure must compute the gradient of operand ``t`` (a Python scalar or a constant needs none)."""
    return t is not None and t.requires_grad


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
    is_bool = [isinstance(v, bool) or isinstance(v, Tensor) and v._data.dtype == np.bool_ for v in (input, other)]
    if all(is_bool):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if any(is_bool):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    a, b, x, y, out = _binary(np.subtract, input, other, "sub")
    return apply("SubBackward0", out, (a, b), lambda g: (g, -g))


@op(method=False)
def rsub(input, other, alpha=1):
    return sub(other, input, alpha=alpha)


@op(aliases=("multiply",), operators=("__mul__",), reflected=("__rmul__",))
def mul(input, other):
    a, b, x, y, out = _binary(np.multiply, input, other, "mul")

    def backward(g):
        return (g * _operand(b, y) if _wants(a) else None, g * _operand(a, x) if _wants(b) else None)

    # a's gradient reads b and b's reads a. A Python-scalar factor is torch's wrapped 0-d tensor: saved, but no user
    # holds it, so the tensor operand may be modified in place (HIDDEN)
    saved = (needed(HIDDEN if b is None else b, a), needed(HIDDEN if a is None else a, b))
    return apply("MulBackward0", out, (a, b), backward, saved=saved)


@op(aliases=("divide", "true_divide"), operators=("__truediv__",), reflected=("__rtruediv__",))
def div(input, other, rounding_mode=None):
    if rounding_mode is not None:
        return _div_rounded(input, other, rounding_mode)
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        # torch's scalar / tensor is reciprocal(tensor) * scalar: it saves the reciprocal, not the tensor
        return mul(reciprocal(other), input)
    a, b, x, y, _ = binary_operands(input, other, "div")
    if x.dtype.kind != "f":  # true division of integers: each operand converted to the default float dtype directly
        f = _dtype.default_np()  # (not through their common integer dtype, where a 0-d operand could wrap)
        x, y = (np.asarray(v._data if isinstance(v, Tensor) else v).astype(f) for v in (input, other))
    try:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # inf/nan without warnings, as torch's
            out = x / y
    except ValueError:
        raise broadcast_error("div", x, y) from None
    p, q = _operand(a, x), _operand(b, y)

    def backward(g):
        # d/dq from the inputs, not from ``out``: torch lets the quotient be modified in place (regression 049)
        return (g / q if _wants(a) else None, -g * p / (q * q) if _wants(b) else None)

    # the divisor is read by both gradients: always saved (a Python scalar as torch's wrapped tensor, HIDDEN)
    return apply("DivBackward0", out, (a, b), backward, saved=(needed(a, b), HIDDEN if b is None else b))


def _div_rounded(input, other, mode):
    if mode not in ("floor", "trunc"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{mode}'")
    a, b, x, y, dt = binary_operands(input, other, "div")
    fn = np.floor_divide if mode == "floor" else (lambda p, q: np.trunc(p / q).astype(dt) if dt.kind == "f" else _int_trunc_div(p, q))
    try:
        out = fn(x, y)
    except ValueError:
        raise broadcast_error("div", x, y) from None
    # Piecewise constant: torch's gradient is zero almost everywhere. torch still saves what the true division's
    # derivative would read (its formula is selected at backward), so an in-place edit raises as there.
    return apply("DivBackward1", out, (a, b), lambda g: (_zeros(g), _zeros(g)),
                 saved=(needed(a, b), HIDDEN if b is None else b))


def _int_trunc_div(p, q):
    return (np.sign(p) * np.sign(q) * (np.abs(p) // np.abs(q))).astype(p.dtype)


@op(operators=("__floordiv__",), reflected=("__rfloordiv__",))
def floor_divide(input, other):
    return div(input, other, rounding_mode="floor")


@op(operators=("__mod__",), reflected=("__rmod__",))
def remainder(input, other):
    a, b, x, y, out = _binary(np.remainder, input, other, "remainder")
    return apply("RemainderBackward0", out, (a, b),
                 lambda g: (g, -g * _const(np.floor_divide(x, y)) if _wants(b) else None), saved=(needed(a, b), needed(b, b)))


@op
def fmod(input, other):
    a, b, x, y, out = _binary(np.fmod, input, other, "fmod")
    return apply("FmodBackward0", out, (a, b),
                 lambda g: (g, -g * _const(np.trunc(x / y)) if _wants(b) else None), saved=(needed(a, b), needed(b, b)))


@op
def hypot(input, other):
    # A primitive rather than sqrt(x*x + y*y): np.hypot does not overflow/underflow where the squares would.
    a, b, x, y, out = _binary(np.hypot, input, other, "hypot")

    def backward(g, out):
        with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 = nan at the origin, as torch
            return (g * a / out if _wants(a) else None, g * b / out if _wants(b) else None)

    return apply("HypotBackward0", out, (a, b), backward, saved=(needed(a, a), needed(b, b), OUTPUT))


@op
def logaddexp(input, other):
    # A primitive rather than log(exp(x) + exp(y)): the composite overflows to inf where exp(x) does (x > 88 in float32).
    ensure_tensor(input, "logaddexp")
    ensure_tensor(other, "logaddexp", "other")  # torch takes no Python scalar here
    a, b, x, y, _ = binary_operands(input, other, "logaddexp")
    if x.dtype.kind != "f":
        raise NotImplementedError(f'logaddexp: not implemented for {x.dtype} inputs (as torch\'s "logaddexp_cpu")')
    out = _binary(np.logaddexp, a, b, "logaddexp")[-1]

    def backward(g):
        # exp(x - out) = sigmoid(x - y): from the inputs (torch saves them, not the result), and sigmoid never overflows
        return (g * sigmoid(a - b) if a.requires_grad else None, g * sigmoid(b - a) if b.requires_grad else None)

    return apply("LogaddexpBackward0", out, (a, b), backward, saved=(a, b))


@op(aliases=("arctan2",))
def atan2(input, other):
    # A primitive: no impl op gives the quadrant of (x, y) (there is no atan), so it cannot be a composite.
    ensure_tensor(input, "atan2")
    ensure_tensor(other, "atan2", "other")  # torch takes no Python scalar here
    a, b, x, y, out = _binary(np.arctan2, input, other, "atan2")
    if x.dtype.kind != "f":  # integer inputs give the default float dtype, as torch
        out = out.astype(np.float32)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 = nan at the origin, as torch
            r = a * a + b * b
            return (g * b / r if a.requires_grad else None, -g * a / r if b.requires_grad else None)

    return apply("Atan2Backward0", out, (a, b), backward, saved=(a, b))


@op(aliases=("negative",), operators=("__neg__",))
def neg(input):
    ensure_tensor(input, "neg")
    if input._data.dtype == np.bool_:
        raise RuntimeError("neg: Negation, the `-` operator, on a bool tensor is not supported. Use `~` or logical_not() instead.")
    return apply("NegBackward0", -input._data, (input,), lambda g: (-g,))


@op(operators=("__pow__",), reflected=("__rpow__",))
def pow(input, exponent):
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

    def backward(g, out=None):
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if a.requires_grad:  # torch: 0 where the exponent is 0 (0 ** -1 would make it nan)
                ga = where(y == 0, 0.0, g * b * pow(a, b - 1))
            if b.requires_grad:  # d/dy x^y = x^y log x; torch defines it as 0 where x == 0 and y >= 0.
                # out is None when the exponent did not require grad at the forward (torch then saves no result) and
                # forward mode asks for its gradient anyway: recompute it
                o = out if out is not None else pow(a, b)
                gb = where((x == 0) & (y >= 0), 0.0, g * o * log(a))
        return ga, gb

    return apply("PowBackward1", out, (a, b), backward, saved=(a, b, needed(OUTPUT, b)))


def _pow_scalar(input, e):
    ensure_tensor(input, "pow")
    x = input._data
    if isinstance(e, bool):
        e = int(e)
    if x.dtype.kind != "f" and isinstance(e, float):
        x = x.astype(np.float32)
    elif x.dtype.kind != "f" and e < 0:
        raise RuntimeError("pow: Integers to negative integer powers are not allowed.")
    e_arr = x.dtype.type(e) if x.dtype.kind == "f" else e
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.power(x, e_arr)

    def backward(g):
        if e == 0:
            return (_zeros(g),)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g * (pow(input, e - 1) * e),)

    return apply("PowBackward0", out, (input,), backward, saved=(input,))


def _rpow_scalar(base, exponent):
    ta, tb, x, y, dt = binary_operands(base, exponent, "pow")
    if dt.kind != "f":
        if np.any(y < 0):
            raise RuntimeError("pow: Integers to negative integer powers are not allowed.")
    out = np.power(x, y)
    logb = math.log(base) if base > 0 else (-math.inf if base == 0 else math.nan)

    def backward(g, out):
        if base == 0:  # torch: 0 ** y has derivative 0 in y where y >= 0
            return None, where(y >= 0, 0.0, g * out * logb)
        return None, g * out * logb

    return apply("PowBackward2", out, (None, exponent), backward, saved=(exponent, OUTPUT))


# ---- unary ------------------------------------------------------------------------------------
def _unary(name, fn, dfn, input, save="input"):
    """Primitive f(x) = ``fn(array)``; its derivative is ``dfn(g, input)`` (save="input") or ``dfn(g, out)``
    (save="output", where torch saves the result), written with impl ops on those Tensors."""
    ensure_tensor(input, name)
    out = fn(float_array(input))
    if save == "output":
        return apply(name, out, (input,), lambda g, o: (dfn(g, o),), saved=(OUTPUT,))
    return apply(name, out, (input,), lambda g: (dfn(g, input),), saved=(input,))


@op
def exp(input):
    ensure_tensor(input, "exp")
    return apply("ExpBackward0", np.exp(float_array(input)), (input,), lambda g, out: (g * out,), saved=(OUTPUT,))


@op
def exp2(input):
    # A primitive rather than pow(2.0, x): torch's exp2 saves only its result (pow's exponent gradient reads x too)
    return _unary("Exp2Backward0", np.exp2, lambda g, o: g * o * math.log(2), input, save="output")


@op
def log(input):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _unary("LogBackward0", np.log, lambda g, x: g / x, input)


@op
def log2(input):
    return _unary("Log2Backward0", np.log2, lambda g, x: g / (x * math.log(2)), input)


@op
def log10(input):
    return _unary("Log10Backward0", np.log10, lambda g, x: g / (x * math.log(10)), input)


@op
def log1p(input):
    return _unary("Log1PBackward0", np.log1p, lambda g, x: g / (x + 1), input)


@op
def expm1(input):
    return _unary("Expm1Backward0", np.expm1, lambda g, o: g * (o + 1), input, save="output")


@op
def sqrt(input):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _unary("SqrtBackward0", np.sqrt, lambda g, o: g / (o * 2), input, save="output")


@op
def sin(input):
    ensure_tensor(input, "sin")
    return apply("SinBackward0", np.sin(float_array(input)), (input,), lambda g: (g * cos(input),), saved=(input,))


@op
def cos(input):
    ensure_tensor(input, "cos")
    return apply("CosBackward0", np.cos(float_array(input)), (input,), lambda g: (-g * sin(input),), saved=(input,))


@op
def tan(input):
    return _unary("TanBackward0", np.tan, lambda g, o: g * (o * o + 1), input, save="output")


@op
def tanh(input):
    ensure_tensor(input, "tanh")
    return apply("TanhBackward0", np.tanh(float_array(input)), (input,), lambda g, out: (g * (1 - out * out),),
                 saved=(OUTPUT,))


def _sigmoid_np(x):
    # exp(-|x|) never overflows; both branches are accurate in the tails.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


@op
def sigmoid(input):
    return _unary("SigmoidBackward0", _sigmoid_np, lambda g, o: g * o * (1 - o), input, save="output")


@op(method=False)
def logsigmoid(input):
    # log sigmoid(x) = -softplus(-x); derivative 1 - sigmoid(x) = sigmoid(-x).
    return _unary("LogSigmoidBackward0", lambda x: -np.logaddexp(0, -x), lambda g, x: g * sigmoid(-x), input)


@op
def relu(input):
    ensure_tensor(input, "relu")
    x = input._data
    # torch's relu is clamp_min(x, 0): -0.0 and nan pass through; the gradient is cut where result <= 0.
    out = _select(x < 0, np.zeros((), x.dtype), x) if x.dtype.kind == "f" else np.where(x < 0, x.dtype.type(0), x)
    return apply("ReluBackward0", out, (input,), lambda g, o: (_gate(o._data <= 0, 0.0, g),), saved=(OUTPUT,))


@op(method=False)
def leaky_relu(input, negative_slope=0.01, inplace=False):
    s = negative_slope
    return _unary(
        "LeakyReluBackward0",
        lambda x: np.where(x > 0, x, x * x.dtype.type(s)),
        lambda g, x: where(x._data > 0, g, g * s),
        input,
    )


@op(method=False)
def elu(input, alpha=1.0, inplace=False):
    ensure_tensor(input, "elu")
    x = float_array(input)
    # Branch on x <= 0 (not x > 0) as torch does: -0.0 stays -0.0 and nan takes the identity branch.
    neg = x <= 0
    out = np.where(neg, x.dtype.type(alpha) * np.expm1(np.where(neg, x, 0)), x)

    def backward(g):
        # alpha * exp(x) from the input, not out + alpha: torch lets elu's result be modified in place (regression
        # 049); exp of the clamped input, so that the unused branch cannot overflow (inf * 0 = nan in a 2nd derivative)
        return (where(neg, g * alpha * exp(where(neg, input, 0.0)), g),)

    return apply("EluBackward0", out, (input,), backward, saved=(input,))


_SQRT_HALF = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_GELU_K = math.sqrt(2 / math.pi)  # the tanh approximation: gelu(x) ~ x/2 (1 + tanh(k (x + c x^3)))
_GELU_C = 0.044715


@op(method=False)
def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    ensure_tensor(input, "gelu")
    x = float_array(input)
    if approximate == "none":
        out = 0.5 * x * (1 + _special.erf(x * x.dtype.type(_SQRT_HALF)))
    else:
        out = 0.5 * x * (1 + np.tanh(x.dtype.type(_GELU_K) * (x + x.dtype.type(_GELU_C) * x**3)))
    return apply("GeluBackward0", out, (input,), lambda g: (g * _gelu_slope(input, approximate),), saved=(input,))


def _gelu_slope(input, approximate):
    """gelu'(x) as a primitive of its own (torch's gelu_backward): one fused numpy pass in a first-order
    backward, while its derivative, written with impl ops, serves gradients of gradients."""
    x = float_array(input)
    if approximate == "none":
        cdf = 0.5 * (1 + _special.erf(x * x.dtype.type(_SQRT_HALF)))
        pdf = np.exp(-0.5 * x * x) * x.dtype.type(_INV_SQRT_2PI)
        slope = cdf + x * pdf

        def backward(g):  # (cdf + x pdf)' = pdf (2 - x^2)
            xx = input * input
            return (g * (exp(xx * -0.5) * _INV_SQRT_2PI * (2 - xx)),)
    else:
        inner = x.dtype.type(_GELU_K) * (x + x.dtype.type(_GELU_C) * x**3)
        t = np.tanh(inner)
        dinner = x.dtype.type(_GELU_K) * (1 + x.dtype.type(3 * _GELU_C) * x * x)
        slope = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dinner

        def backward(g):  # with u = k (x + c x^3), t = tanh u: (1 - t^2) (u' - x t u'^2 + 3 k c x^2)
            xx = input * input
            th = tanh((input + input * xx * _GELU_C) * _GELU_K)
            du = xx * (3 * _GELU_C * _GELU_K) + _GELU_K
            return (g * ((1 - th * th) * (du - input * th * du * du + xx * (3 * _GELU_C * _GELU_K))),)

    return apply("GeluBackwardBackward0", slope, (input,), backward, saved=(input,))


@op(method=False)
def silu(input, inplace=False):
    return _unary("SiluBackward0", lambda x: x * _sigmoid_np(x), lambda g, x: g * _silu_slope(x), input)


def _silu_slope(input):
    """silu'(x) = s (1 + x (1 - s)), s = sigmoid(x), as a primitive of its own (see _gelu_slope)."""
    x = float_array(input)
    s = _sigmoid_np(x)

    def backward(g):  # silu''(x) = s (1 - s) (2 + x (1 - 2 s))
        s = sigmoid(input)
        return (g * (s * (1 - s) * (input * (1 - s * 2) + 2)),)

    return apply("SiluBackwardBackward0", s * (1 + x * (1 - s)), (input,), backward, saved=(input,))


@op(method=False)
def softplus(input, beta=1.0, threshold=20.0):
    def fwd(x):
        bx = x * x.dtype.type(beta)
        return np.where(bx > threshold, x, np.logaddexp(0, bx) / x.dtype.type(beta)).astype(x.dtype, copy=False)

    def dfn(g, x):
        bx = x * beta
        return where(bx._data > threshold, g, g * sigmoid(bx))

    return _unary("SoftplusBackward0", fwd, dfn, input)


@op(aliases=("absolute",), operators=("__abs__",))
def abs(input):
    ensure_tensor(input, "abs")
    x = input._data
    return apply("AbsBackward0", np.abs(x), (input,), lambda g: (g * _const(_sgn(x)),), saved=(input,))


def _sgn(x):
    """torch's sgn: 0 at nan (numpy's np.sign gives nan there)."""
    if x.dtype.kind != "f":
        return np.sign(x)
    return _dtype.cast_array((x > 0).astype(x.dtype) - (x < 0).astype(x.dtype), _dtype.of_array(x))  # bfloat16 too


def _zero_grad_unary(name, fn, input):
    """Piecewise-constant ops: the output requires grad (as torch) but the gradient is zero."""
    ensure_tensor(input, name)
    return apply(name, fn(input._data), (input,), lambda g: (_zeros(g),))


@op
def sign(input):
    if input._data.dtype == np.bool_:
        return _zero_grad_unary("SignBackward0", lambda x: x.copy(), input)
    return _zero_grad_unary("SignBackward0", _sgn, input)


@op
def floor(input):
    return _zero_grad_unary("FloorBackward0", np.floor, input)


@op
def ceil(input):
    return _zero_grad_unary("CeilBackward0", np.ceil, input)


@op
def trunc(input):
    return _zero_grad_unary("TruncBackward0", np.trunc, input)


@op
def round(input, decimals=0):
    return _zero_grad_unary("RoundBackward0", lambda x: np.round(x, decimals), input)


@op(aliases=("clip",))
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
    out = np.clip(x, min, max)  # an int tensor clamped by a float bound promotes, as torch

    def backward(g):
        if min is None:
            inside = x <= max
        elif max is None:
            inside = x >= min
        else:
            inside = (x >= min) & (x <= max)
        return (_gate(inside, g, 0.0),)

    return apply("ClampBackward1", out, (input,), backward, saved=(input,))


def _hardtanh(input, min_val, max_val):
    """F.hardtanh / relu6: clamp's values, but torch's gradient is cut at the bounds themselves too (x == min_val
    or max_val gets 0, where clamp passes it: regression 060)."""
    ensure_tensor(input, "hardtanh")
    x = input._data
    out = np.clip(x, min_val, max_val)
    # torch's hardtanh_backward: 0 where x <= min_val or x >= max_val, so nan passes its gradient through
    return apply("HardtanhBackward0", out, (input,), lambda g: (_gate((x <= min_val) | (x >= max_val), 0.0, g),),
                 saved=(input,))


@op
def clamp_min(input, min):
    return clamp(input, min=min)


@op
def clamp_max(input, max):
    return clamp(input, max=max)


@op
def reciprocal(input):
    # Primitives (not div(1, x) / 1/sqrt(x)), as torch: their derivatives read the result, so modifying the
    # result in place makes backward raise (regression 048), and grad_fn names match torch's.
    with np.errstate(divide="ignore"):
        return _unary("ReciprocalBackward0", lambda x: 1 / x, lambda g, o: -g * (o * o), input, save="output")


@op
def rsqrt(input):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _unary("RsqrtBackward0", lambda x: 1 / np.sqrt(x), lambda g, o: g * -0.5 * o * o * o,
                      input, save="output")


@op
def square(input):
    return mul(input, input)


@op
def lerp(input, end, weight):
    if not isinstance(weight, Tensor):  # torch saves nothing for a scalar weight: so does the composite
        return add(input, mul(sub(end, input), weight))
    # A primitive for a tensor weight: torch saves the weight (read by two gradients, so unconditionally) and the
    # input and end for the weight's gradient, which a composite (saving end - input) cannot do.
    ensure_tensor(input, "lerp")
    _, _, x, y, _ = binary_operands(input, end, "lerp")
    w = weight._data
    try:
        out = x + w * (y - x)
    except ValueError:
        raise broadcast_error("lerp", x, w) from None

    def backward(g):
        return (g * (1 - weight) if _wants(input) else None, g * weight if _wants(end) else None,
                g * (end - input) if _wants(weight) else None)

    return apply("LerpBackward1", out.astype(np.result_type(x, y), copy=False), (input, end, weight), backward,
                 saved=(weight, needed(input, weight), needed(end, weight)))


# ---- binary selections ------------------------------------------------------------------------
def _select_backward(a, b, x, y, a_loses, b_loses):
    """torch's maximum/minimum formula: ties split the gradient in half; a nan operand gets the full gradient."""

    def backward(g):
        tie = x == y
        half = where(tie, g * 0.5, g) if tie.any() else g
        return (where(a_loses(x, y), 0.0, half) if _wants(a) else None,
                where(b_loses(x, y), 0.0, half) if _wants(b) else None)

    return backward


@op
def maximum(input, other):
    ensure_tensor(input, "maximum"), ensure_tensor(other, "maximum", "other")
    a, b, x, y, out = _binary(np.maximum, input, other, "maximum")
    return apply("MaximumBackward0", out, (a, b), _select_backward(a, b, x, y, np.less, np.greater), saved=(a, b))


@op
def minimum(input, other):
    ensure_tensor(input, "minimum"), ensure_tensor(other, "minimum", "other")
    a, b, x, y, out = _binary(np.minimum, input, other, "minimum")
    return apply("MinimumBackward0", out, (a, b), _select_backward(a, b, x, y, np.greater, np.less), saved=(a, b))


_UINT = {4: np.uint32, 8: np.uint64}
_INT = {4: np.int32, 8: np.int64}


def _gate(c, p, q):
    """``where(c, p, q)`` in a derivative: a numpy mask ``c`` gating the gradient Tensor (one of ``p``, ``q``; the other
    is 0.0), exactly +0.0 where it is cut whatever the gradient holds there (inf, nan: regression 059). A first-order
    backward records no graph, so there the select runs on the arrays directly: the where op's dispatch cost more than
    the select itself on a relu node."""
    if _GradMode.enabled:
        return where(c, p, q)
    g = (p if isinstance(p, Tensor) else q)._data
    zero = np.zeros((), g.dtype)
    return _select(c, g, zero) if isinstance(p, Tensor) else _select(c, zero, g)


def _select(c, p, q):
    """np.where(c, p, q) for floats without branches: on an unpredictable mask (relu's, clamp's, maximum's in their
    derivatives) np.where runs ~5-10x slower than a multiply. Selecting bit patterns is exact for every value (nan,
    inf, -0.0), which a multiply by the mask is not (inf * 0 = nan: regression 059). One buffer, updated in place:
    fresh allocations are what costs here."""
    dt = p.dtype
    if dt.kind != "f" or dt.itemsize not in _UINT or q.dtype != dt or max(c.size, p.size, q.size) < 4096:
        return np.where(c, p, q)  # small arrays: np.where's lower call overhead wins
    if type(p) is not np.ndarray or type(q) is not np.ndarray:
        return np.where(c, p, q)  # bfloat16 (a float32 subclass): np.where gives a bfloat16 result
    u, i = _UINT[dt.itemsize], _INT[dt.itemsize]
    flags = c.view(np.int8)
    # The bit mask is made at the condition's own shape (a broadcast mask, as attention's causal one, stays small)
    # and is the result's buffer when it has the result's shape.
    full = (p.shape == c.shape or p.ndim == 0) and (q.shape == c.shape or q.ndim == 0)
    if q.ndim == 0 and q.view(u) == 0:  # c ? p : +0.0
        m = np.negative(flags, dtype=i).view(u)  # all ones where c (-1 sign-extended), else 0
        return np.bitwise_and(m, p.view(u), out=m if full else None).view(dt)
    m = np.subtract(flags, 1, dtype=i).view(u)  # all ones where not c
    if p.ndim == 0 and p.view(u) == 0:  # c ? +0.0 : q
        return np.bitwise_and(m, q.view(u), out=m if full else None).view(dt)
    from_p = np.bitwise_and(np.invert(m), p.view(u))
    from_q = np.bitwise_and(m, q.view(u), out=m if full else None)
    return np.bitwise_or(from_q, from_p, out=from_q if full else None).view(dt)


@op(method=lambda self, condition, other: where(condition, self, other))
def where(condition, input=None, other=None):
    if input is None and other is None:
        from .shape import nonzero

        return nonzero(condition, as_tuple=True)
    c = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if c.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype {c.dtype}")
    _check_scalar_fits(input, other, "where")
    a, b, x, y, out = _binary(lambda p, q: _select(c, p, q), input, other, "where")
    saved = (condition,) if isinstance(condition, Tensor) else ()  # torch saves the condition (not the operands)
    return apply("WhereBackward0", out, (a, b),
                 lambda g: (_gate(c, g, 0.0) if _wants(a) else None, _gate(c, 0.0, g) if _wants(b) else None),
                 saved=saved)


def _check_scalar_fits(a, b, op):
    """torch's where converts a Python int into the integer result dtype with an overflow check (arithmetic wraps)."""
    for s in (a, b):
        if type(s) is int:
            d = _dtype.result_type(a, b)
            if d.np.kind in "iu" and not np.iinfo(d.np).min <= s <= np.iinfo(d.np).max:
                raise RuntimeError(f"{op}: value cannot be converted to type {d.name} without overflow")


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


eq = op(operators=("__eq__",))(_compare(np.equal, "eq"))
ne = op(aliases=("not_equal",), operators=("__ne__",))(_compare(np.not_equal, "ne"))
lt = op(aliases=("less",), operators=("__lt__",))(_compare(np.less, "lt"))
le = op(aliases=("less_equal",), operators=("__le__",))(_compare(np.less_equal, "le"))
gt = op(aliases=("greater",), operators=("__gt__",))(_compare(np.greater, "gt"))
ge = op(aliases=("greater_equal",), operators=("__ge__",))(_compare(np.greater_equal, "ge"))


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


logical_and = op(_logical(np.logical_and, "logical_and"))
logical_or = op(_logical(np.logical_or, "logical_or"))
logical_xor = op(_logical(np.logical_xor, "logical_xor"))


@op
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


bitwise_and = op(_bitwise(np.bitwise_and, "bitwise_and"))
bitwise_or = op(_bitwise(np.bitwise_or, "bitwise_or"))
bitwise_xor = op(_bitwise(np.bitwise_xor, "bitwise_xor"))


@op
def bitwise_not(input):
    if input._data.dtype.kind == "f":
        raise TypeError(f"bitwise_not: only defined on integer and bool tensors (got {input.dtype})")
    return Tensor._wrap(np.invert(input._data))


def _bool_or_bitwise(logical, bitwise, name):
    """``&``, ``|``, ``^`` as torch: logical on two bool operands, bitwise otherwise."""

    def f(self, other):
        o = other._data.dtype if isinstance(other, Tensor) else None
        if self._data.dtype.kind == "b" and (o is None or o.kind == "b"):
            return logical(self, other)
        return bitwise(self, other)

    f.__name__ = name
    return f


# Operators only (torch has no torch.__and__); each is symmetric, so the reflected form is the same function.
op(function=False, method=False, operators=("__and__", "__rand__"))(_bool_or_bitwise(logical_and, bitwise_and, "__and__"))
op(function=False, method=False, operators=("__or__", "__ror__"))(_bool_or_bitwise(logical_or, bitwise_or, "__or__"))
op(function=False, method=False, operators=("__xor__", "__rxor__"))(_bool_or_bitwise(logical_xor, bitwise_xor, "__xor__"))


@op(function=False, method=False, operators=("__invert__",))
def __invert__(self):
    return logical_not(self) if self._data.dtype.kind == "b" else bitwise_not(self)


@op
def isnan(input):
    return Tensor._wrap(np.isnan(input._data))


@op
def isinf(input):
    return Tensor._wrap(np.isinf(input._data))


@op
def isfinite(input):
    return Tensor._wrap(np.isfinite(input._data))


@op
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return Tensor._wrap(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


@op
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


@op
def equal(input, other):
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


# ---- dtype casts ------------------------------------------------------------------------------
def _cast(input, dtype, force_copy=False):
    """``input`` as impl dtype ``dtype`` (or anything ``_dtype.to_impl`` accepts; a new array unless it already has
    it and no copy is forced)."""
    dtype = _dtype.to_impl(dtype)
    x = input._data
    out = _dtype.cast_array(x, dtype)
    if force_copy and out is x:
        out = x.copy()
    if not dtype.is_floating_point:
        return Tensor._wrap(out)  # integer/bool results never require grad, as torch
    return apply("ToCopyBackward0", out, (input,), lambda g: (g,))  # the engine casts g to the input's dtype
