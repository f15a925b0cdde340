"""Gamma-family special functions numpy lacks (no scipy at runtime): lgamma, digamma, polygamma, and erfinv.

All are evaluated in float64 and vectorised: the loops below run over recurrence steps or series terms, never
over elements. Accuracy (measured against torch float64 in property_tests/test_special_math.py): a few ulp.

- lgamma: Stirling's series on z >= 10, reached by the recurrence lgamma(x) = lgamma(x + n) - log(x (x+1) ...
  (x+n-1)); for x < 0.5 the reflection lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x), with sin(pi x) taken
  of x - round(x) so that large |x| loses nothing to the reduction.
- digamma: the asymptotic series on z >= 10 after psi(x) = psi(x + n) - sum 1/(x + k); reflection
  psi(x) = psi(1 - x) - pi / tan(pi x) for x < 0.5. torch's conventions: -inf at +0, +inf at -0, nan at the
  negative integers.
- polygamma(n, x), n >= 1: the asymptotic series on z >= 20 after the recurrence
  psi_n(x) = psi_n(x + 1) - (-1)^n n! / x^(n+1), which holds for negative non-integer x as well.
- erfinv: Giles' single-precision approximation ("Approximating the erfinv function", GPU Computing Gems, 2011)
  as the start, then Newton steps on erf (|x| <= 0.5) or on log erfc with the exact 1 - |x| (|x| > 0.5), where
  erf would cancel.
"""
import math

import numpy as np

from . import _special

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
# Stirling: lgamma(z) ~ (z - 1/2) log z - z + log(2 pi)/2 + sum_k B_2k / (2k (2k-1) z^(2k-1))
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)
# digamma: psi(z) ~ log z - 1/(2z) - sum_k B_2k / (2k z^2k)
_DIGAMMA = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)
# Bernoulli numbers B_2, B_4, ..., B_20
_B2K = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330)


def _prepare(x):
    x = np.asarray(x)
    out_dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    return np.asarray(x, dtype=np.float64), out_dtype


def _shift_up(z, target, term):
    """Apply ``acc += term(z); z += 1`` to the elements below ``target`` until none is (loops over steps)."""
    z = z.copy()
    acc = np.zeros_like(z)
    m = z < target
    while m.any():
        acc[m] += term(z[m])
        z[m] += 1.0
        m = z < target
    return z, acc


def _sin_pi(x):
    return np.sin(np.pi * (x - np.round(x)))


def lgamma(x):
    v, out_dtype = _prepare(x)
    out = np.empty_like(v)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        finite = np.isfinite(v)
        refl = finite & (v < 0.5)
        w = np.where(refl, 1.0 - v, v)  # lgamma is taken of w >= 0.5; reflected elements are corrected below
        w = np.where(finite, w, 10.0)
        z, logs = _shift_up(w, 10.0, np.log)
        series = np.zeros_like(z)
        zz = 1.0 / (z * z)
        for c in _STIRLING[::-1]:
            series = series * zz + c
        out = (z - 0.5) * np.log(z) - z + _HALF_LOG_2PI + series / z - logs
        out = np.where(refl, np.log(np.pi / np.abs(_sin_pi(v))) - out, out)
        out = np.where(finite, out, np.where(np.isnan(v), np.nan, np.inf))  # lgamma(+-inf) = inf, as torch
    return out.astype(out_dtype, copy=False)


def digamma(x):
    v, out_dtype = _prepare(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        finite = np.isfinite(v)
        refl = finite & (v < 0.5)
        w = np.where(refl, 1.0 - v, v)
        w = np.where(finite, w, 10.0)
        z, inv = _shift_up(w, 10.0, lambda t: 1.0 / t)
        zz = 1.0 / (z * z)
        series = np.zeros_like(z)
        for c in _DIGAMMA[::-1]:
            series = series * zz + c
        out = np.log(z) - 0.5 / z - series * zz - inv
        r = v - np.round(v)
        out = np.where(refl, out - np.pi / np.tan(np.pi * r), out)
        out = np.where(refl & (r == 0), np.nan, out)  # negative integers: poles, nan as torch
        out = np.where(v == 0, np.copysign(np.inf, -v), out)  # torch: -inf at +0, +inf at -0
        out = np.where(finite, out, np.where(v == np.inf, np.inf, np.nan))
    return out.astype(out_dtype, copy=False)


def polygamma(n, x):
    if n == 0:
        return digamma(x)
    v, out_dtype = _prepare(x)
    sign = -1.0 if n % 2 == 0 else 1.0  # (-1)^(n+1)
    fact = math.factorial(n)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        finite = np.isfinite(v)
        w = np.where(finite, v, 20.0)
        z, acc = _shift_up(w, 20.0, lambda t: 1.0 / t ** (n + 1))
        # psi_n(z) ~ (-1)^(n+1) [ (n-1)!/z^n + n!/(2 z^(n+1)) + sum_k B_2k (2k+n-1)! / ((2k)! z^(2k+n)) ]
        total = math.factorial(n - 1) / z ** n + fact / (2 * z ** (n + 1))
        zk = z ** -(n + 2)
        zz = 1.0 / (z * z)
        for k, b in enumerate(_B2K, start=1):
            total = total + b * (math.factorial(2 * k + n - 1) / math.factorial(2 * k)) * zk
            zk = zk * zz
        out = sign * (total + fact * acc)
        out = np.where(finite, out, np.where(v == np.inf, 0.0, np.nan))
    return out.astype(out_dtype, copy=False)


# Giles' single-precision erfinv: central region (w < 5) and tail, in w = -log((1 - x)(1 + x)).
_GILES_CENTRAL = (1.50140941, 0.246640727, -0.00417768164, -0.00125372503, 0.00021858087, -4.39150654e-06,
                  -3.5233877e-06, 3.43273939e-07, 2.81022636e-08)
_GILES_TAIL = (2.83297682, 1.00167406, 0.00943887047, -0.0076224613, 0.00573950773, -0.00367342844,
               0.00134934322, 0.000100950558, -0.000200214257)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _horner(w, coeffs):
    acc = np.full_like(w, coeffs[-1])
    for c in coeffs[-2::-1]:
        acc = acc * w + c
    return acc


def erfinv(x):
    v, out_dtype = _prepare(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        a = np.abs(v)
        inside = a < 1
        ai = np.where(inside, a, 0.0)
        w = -np.log((1.0 - ai) * (1.0 + ai))
        y = np.where(w < 5, _horner(w - 2.5, _GILES_CENTRAL), _horner(np.sqrt(w) - 3.0, _GILES_TAIL)) * ai
        small = ai <= 0.5
        # Tail: Newton on log erfc(y) = log(1 - |x|), nearly quadratic in y, so it converges from Giles' start even
        # where that start is poor (1 - |x| below float32's range); 1 - |x| is exact for |x| >= 0.5 (Sterbenz).
        log_c = np.log(np.where(small, 1.0, 1.0 - ai))
        for _ in range(4):
            slope = _TWO_OVER_SQRT_PI * np.exp(-y * y)
            ec = _special.erfc(np.where(small, 1.0, y))
            step_tail = (np.log(ec) - log_c) * ec / -slope
            y = y - np.where(small, (_special.erf(y) - ai) / slope, step_tail)
        out = np.copysign(y, v)
        out = np.where(a == 1, np.copysign(np.inf, v), np.where(inside, out, np.nan))
    return out.astype(out_dtype, copy=False)
