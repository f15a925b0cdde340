"""torch's in-place tensor ops as the optimizers use them, for float16/bfloat16 parameters.

torch's CPU kernels compute float16/bfloat16 in float32 ("opmath", Python-float scalars kept in float32) and round
each op's result once. numpy computes ``a += alpha * b`` on float16 arrays as two roundings, with ``alpha`` rounded
to float16 first (1e-8 becomes 0). Each helper here is one torch op: on float16/bfloat16 arrays it computes in
float32 and writes the result rounded once; on float32/float64 it runs the expression the optimizers always used
(same operations, same order, hence the same results).
"""
import numpy as np

from .. import _dtype
from ..ops._common import is_low_precision, opmath


def _f(a):
    return opmath(a) if isinstance(a, np.ndarray) else a


def _in_dtype_of(a, s):
    """Python float ``s`` rounded to ``a``'s dtype, as a float32 (torch's add/sub convert ``alpha`` so)."""
    return np.float32(_dtype.cast_array(np.asarray(s, dtype=np.float32), _dtype.of_array(a)))


def add_(a, b, alpha):
    """``a.add_(b, alpha=alpha)``: in float32, ``alpha`` first rounded to a's dtype (torch's kernel takes it as a
    scalar of the tensor's type; the other ops below keep Python floats in float32)."""
    if is_low_precision(a):
        with np.errstate(all="ignore"):  # inf/nan results without warnings, as torch's
            a[...] = _f(a) + _in_dtype_of(a, alpha) * _f(b)
    else:
        a += alpha * b


def added(a, b, alpha):
    """``a.add(b, alpha=alpha)`` (a new array)."""
    if is_low_precision(a):
        out = a.copy()
        add_(out, b, alpha)
        return out
    return a + alpha * b


def mul_(a, s):
    """``a.mul_(s)`` for a Python-float ``s``."""
    if is_low_precision(a):
        with np.errstate(all="ignore"):  # inf/nan results without warnings, as torch's
            a[...] = _f(a) * np.float32(s)
    else:
        a *= s


def div_(a, s):
    """``a.div_(s)`` for a Python-float ``s``."""
    if is_low_precision(a):
        with np.errstate(all="ignore"):  # inf/nan results without warnings, as torch's
            a[...] = _f(a) / np.float32(s)
    else:
        a /= s


def divided(a, s):
    """``a.div(s)`` for a Python-float ``s`` (a new array)."""
    out = np.array(a, copy=True, subok=True)
    div_(out, s)
    return out


def lerp_(a, b, weight, exact_lerp_):
    """``a.lerp_(b, weight)``: :func:`lerp_low_` on float16/bfloat16, ``exact_lerp_`` (the optimizers' float32/float64
    formula) otherwise."""
    if is_low_precision(a):
        lerp_low_(a, b, weight)
    else:
        exact_lerp_(a, b, weight)


def add_scalar_(a, s):
    """``a.add_(s)`` for a Python-float ``s``."""
    if is_low_precision(a):
        with np.errstate(all="ignore"):  # inf/nan results without warnings, as torch's
            a[...] = _f(a) + np.float32(s)
    else:
        a += s


def added_scalar(a, s):
    """``a.add(s)`` for a Python-float ``s`` (a new array)."""
    if is_low_precision(a):
        out = np.array(a, copy=True, subok=True)
        add_scalar_(out, s)
        return out
    return a + s


def addcmul_(a, b, c, value):
    """``a.addcmul_(b, c, value=value)``; float32/float64 as ``a += (value * b) * c``."""
    if is_low_precision(a):
        with np.errstate(all="ignore"):  # inf/nan results without warnings, as torch's
            a[...] = _f(a) + np.float32(value) * _f(b) * _f(c)
    else:
        t = value * b
        t *= c
        a += t


def addcmul(a, b, c, value):
    """``a.addcmul(b, c, value=value)`` (a new array); float32/float64 as ``a + (value * b) * c``."""
    out = np.array(a, copy=True, subok=True)
    addcmul_(out, b, c, value)
    return out


def addcdiv_(a, b, c, value):
    """``a.addcdiv_(b, c, value=value)``; float32/float64 as ``a += (value * b) / c``."""
    if is_low_precision(a):
        with np.errstate(all="ignore"):  # inf/nan results without warnings, as torch's
            a[...] = _f(a) + np.float32(value) * _f(b) / _f(c)
    else:
        t = value * b
        t /= c
        a += t


def lerp_low_(a, b, weight):
    """``a.lerp_(b, weight)`` on float16/bfloat16 ``a``: torch's two-sided formula in float32, rounded once."""
    w = np.float32(weight)
    fa, fb = _f(a), _f(b)
    with np.errstate(all="ignore"):  # inf/nan results without warnings, as torch's
        a[...] = fa + w * (fb - fa) if abs(w) < 0.5 else fb - (fb - fa) * (np.float32(1) - w)
