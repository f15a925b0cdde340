"""More torch.nn.functional activations: hardsigmoid, hardswish, selu, celu, prelu, softshrink, hardshrink,
tanhshrink, threshold and rrelu -- composites of impl ops (no derivative of their own), with F's signatures and
``inplace=True`` forms through impl/ops/inplace.py."""
import numpy as np

from ... import _dtype
from ... import random as _random
from ..._autograd import also_saves
from ..._tensor import Tensor
from ...ops import elementwise as ew
from ...ops._common import ensure_tensor
from .activation import _maybe_inplace, _result_saved

# SELU's constants (Klambauer et al. 2017), as torch's
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _const(arr):
    return Tensor._wrap(arr)


def _input_saved(fn):
    """``fn`` whose result's node also saves ``fn``'s input: torch's derivative of the out-of-place form reads the
    input (hardsigmoid_backward, elu_backward, softshrink_backward, threshold_backward, ...), where the composite's
    nodes read intermediates or masks only, so an in-place edit of the input after the forward makes backward raise
    as in torch."""
    def run(x, *args, **kwargs):
        return also_saves(fn(x, *args, **kwargs), x)

    return run


def _hardsigmoid(x):
    # relu6(x + 3) / 6 with torch's gradient: 1/6 strictly inside (-3, 3), 0 at and beyond the bounds
    return ew.div(ew._hardtanh(ew.add(x, 3.0), 0.0, 6.0), 6.0)


def hardsigmoid(input, inplace=False):
    ensure_tensor(input, "hardsigmoid")
    return _maybe_inplace(input, inplace, "hardsigmoid_", _hardsigmoid if inplace else _input_saved(_hardsigmoid))


def _hardswish(x):
    return ew.mul(x, _hardsigmoid(x))


def hardswish(input, inplace=False):
    ensure_tensor(input, "hardswish")
    return _maybe_inplace(input, inplace, "hardswish_", _hardswish)


def _selu(x):
    return ew.mul(ew.elu(x, _SELU_ALPHA), _SELU_SCALE)


def selu(input, inplace=False):
    ensure_tensor(input, "selu")
    return _maybe_inplace(input, inplace, "selu_", _result_saved(_selu, "EluBackward1") if inplace else _selu)


def celu(input, alpha=1.0, inplace=False):
    ensure_tensor(input, "celu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    # celu(x) = max(0, x) + min(0, alpha (exp(x / alpha) - 1)) = alpha * elu(x / alpha)
    fn = lambda x: ew.mul(ew.elu(ew.div(x, alpha)), alpha)  # noqa: E731
    return _maybe_inplace(input, inplace, "celu_", _result_saved(fn, "CeluBackward1") if inplace else _input_saved(fn))


def prelu(input, weight):
    ensure_tensor(input, "prelu")
    ensure_tensor(weight, "prelu", "weight")
    w = weight._data
    if w.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {w.ndim}")
    x = input._data
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.size != 1 and w.size != channels:
        raise RuntimeError(f"prelu: Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{w.size} and channel size = {channels}.")
    # the weight broadcast along dim 1 (the channels), as torch's layout
    wb = weight.reshape((-1,) + (1,) * (x.ndim - 2)) if (x.ndim >= 2 and w.size != 1) else weight.reshape(())
    # torch's one node reads both for both gradients (_prelu_kernel_backward)
    return also_saves(ew.where(_const(x > 0), input, ew.mul(input, wb)), input, weight)


def softshrink(input, lambd=0.5):
    ensure_tensor(input, "softshrink")
    _check_lambda(input, lambd)
    x = input._data
    out = ew.where(_const(x > lambd), ew.sub(input, lambd), ew.where(_const(x < -lambd), ew.add(input, lambd), 0.0))
    return also_saves(out, input)  # torch's softshrink_backward reads the input


def _check_lambda(input, lambd):
    if not 0 <= lambd <= np.finfo(np.float64).max:  # nan and inf too
        fmax = np.finfo(input._data.dtype).max if input._data.dtype.kind == "f" else np.finfo(np.float32).max
        raise RuntimeError(f"softshrink: lambda must be in range [0, {fmax:g}] for input dtype {input.dtype}, but "
                           f"found to be {lambd}")


def hardshrink(input, lambd=0.5):
    ensure_tensor(input, "hardshrink")
    x = input._data
    return also_saves(ew.where(_const((x >= -lambd) & (x <= lambd)), 0.0, input), input)  # hardshrink_backward reads it


def tanhshrink(input):
    ensure_tensor(input, "tanhshrink")
    return ew.sub(input, ew.tanh(input))


def threshold(input, threshold, value, inplace=False):
    ensure_tensor(input, "threshold")
    fn = lambda x: ew.where(_const(x._data > threshold), x, value)  # noqa: E731
    return _maybe_inplace(input, inplace, "threshold_", fn if inplace else _input_saved(fn))


def threshold_(input, threshold, value):
    return globals()["threshold"](input, threshold, value, inplace=True)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    ensure_tensor(input, "rrelu")
    for name, bound in (("lower", lower), ("upper", upper)) if not training else ():  # torch's eval path checks
        if not np.isfinite(bound):
            raise RuntimeError(f"rrelu: {name} bound must be finite, got {bound}")
    if not lower <= upper:  # nan too
        raise RuntimeError(f"rrelu: Lower bound should be less than or equal to the upper bound (lower={lower}, "
                           f"upper={upper})")
    if not training:  # eval: the mean slope, deterministic (torch's leaky_relu with (lower + upper) / 2)
        fn = _result_saved(ew.leaky_relu, "RreluWithNoiseBackward1") if inplace else ew.leaky_relu
        return _maybe_inplace(input, inplace, "rrelu_", fn, (lower + upper) / 2)

    def sample_slopes(x):
        # training: one slope per element, drawn from U(lower, upper) for the negative elements, 1 elsewhere
        u = _random.generator().uniform(lower, upper, x._data.shape).astype(x._data.dtype)
        slopes = np.where(x._data > 0, x._data.dtype.type(1), u)  # torch: a random slope where x <= 0
        return ew.mul(x, _const(_dtype.cast_array(slopes, x.dtype)))  # bfloat16 too (float32 storage)

    if inplace:
        return _maybe_inplace(input, inplace, "rrelu_", _result_saved(sample_slopes, "RreluWithNoiseBackward1"))
    return sample_slopes(input)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)

