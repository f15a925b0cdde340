"""Assertions and what they report: one ``assert_close`` (shape, then dtype, then values, nan-aware), the ``Checked``
record of what a check really compared (and ``assert_mostly_checked`` over a test's examples), the worst error
(``Err``), and the failure messages with a copy-paste reproducer (the inputs as numpy literals, or an ``.npz`` file
for large ones).
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections import Counter

import numpy as np

from reference.conversion import _is_size, _under_test, is_target, is_tensor, to_numpy

LITERAL_LIMIT = 120  # arrays up to this many elements are printed as literals; larger ones go to an .npz


def _literal(a):
    a = np.asarray(a)
    body = repr(a.tolist()) if a.ndim else repr(a.item())
    shape = f".reshape({tuple(a.shape)})" if a.size == 0 and a.ndim > 1 else ""
    return f"np.array({body}, dtype=np.{a.dtype.name}){shape}"


def _py(obj):
    """repr() that is valid Python for what kwargs hold (inf/nan floats included)."""
    if isinstance(obj, float) and not np.isfinite(obj):
        return f"float({repr(obj)!r})"
    if isinstance(obj, dict):
        return "{" + ", ".join(f"{k!r}: {_py(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, tuple):
        return "(" + "".join(f"{_py(v)}, " for v in obj).rstrip(" ") + ")" if len(obj) == 1 else "(" + ", ".join(map(_py, obj)) + ")"
    if isinstance(obj, list):
        return "[" + ", ".join(map(_py, obj)) + "]"
    return repr(obj)


def reproducer(spec, arrays, kwargs, dtype) -> str:
    """Copy-paste Python that reruns this case: ``reproduce(...)`` with the inputs as literals (or an .npz)."""
    arrays = [np.asarray(a) for a in arrays]
    if sum(a.size for a in arrays) <= LITERAL_LIMIT:
        arr_src = "[" + ", ".join(_literal(a) for a in arrays) + "]"
        head = ""
    else:
        digest = hashlib.sha1(b"".join(a.tobytes() for a in arrays)).hexdigest()[:12]
        path = os.path.join(tempfile.gettempdir(), "gradparity_repro", f"{re.sub(r'[^A-Za-z0-9_.-]', '_', spec.name)}-{digest}.npz")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        np.savez(path, *arrays)
        head = f"_z = np.load({path!r}); "
        arr_src = f"[_z[f'arr_{{i}}'] for i in range({len(arrays)})]  # shapes {[a.shape for a in arrays]}"
    return (
        "Reproducer (run from the project root):\n"
        f"  import numpy as np; from reference.compare import reproduce\n"
        f"  {head}arrays = {arr_src}\n"
        f"  reproduce({spec.name!r}, arrays, {_py(kwargs)}, {dtype!r})"
    )


def _describe_inputs(arrays):
    return "inputs " + ", ".join(f"{a.dtype.name}{list(a.shape)}" for a in map(np.asarray, arrays))


class Context:
    """What a failure message says about the case: check name, op, inputs, reproducer."""

    def __init__(self, spec, arrays, kwargs, dtype):
        self.spec, self.arrays, self.kwargs, self.dtype = spec, arrays, kwargs, dtype

    def fail(self, check, detail):
        raise AssertionError(
            f"[{check}] op {self.spec.name!r} ({self.dtype}): {detail}\n"
            f"  {_describe_inputs(self.arrays)}; kwargs {self.kwargs!r}\n" + reproducer(self.spec, self.arrays, self.kwargs, self.dtype)
        )


class Err(float):
    """A max absolute error that also carries ``ratio``: the max of |err| / (atol + rtol |expected|) (1 = at tolerance),
    and ``rel``: the max of |err| / |expected| over the elements with |expected| > atol (smaller ones are judged
    by the absolute error alone; a relative error against a value near 0 means nothing)."""

    ratio = 0.0
    rel = 0.0

    @classmethod
    def of(cls, abs_err, ratio, rel=0.0):
        e = cls(abs_err)
        e.ratio = float(ratio)
        e.rel = float(rel)
        return e

    @classmethod
    def worst(cls, *errs):
        """The elementwise maximum of several errors (abs, ratio and rel each maximised on its own)."""
        return cls.of(max(map(float, errs), default=0.0), max((getattr(e, "ratio", 0.0) for e in errs), default=0.0),
                      max((getattr(e, "rel", 0.0) for e in errs), default=0.0))


class Checked:
    """What one generic check really compared on one sample.

    ``n``: the values compared (forward: output elements; backward: gradient elements; gradcheck: Jacobian entries
    or random projections; noncontiguous: output and gradient elements over the layouts; grad mode: flags; in-place
    on output: values and refusals). ``skipped``: why nothing was compared ("" when ``n`` > 0). ``err``: the worst
    absolute error (an ``Err``: also ``.ratio`` and ``.rel``). ``outcome``: a short word on how it went (in-place)."""

    __slots__ = ("check", "n", "skipped", "err", "outcome")

    def __init__(self, check, n=0, err=0.0, skipped="", outcome=""):
        self.check, self.n, self.err, self.outcome = check, int(n), err, outcome
        self.skipped = skipped if skipped or self.n else "nothing to compare"

    @classmethod
    def skip(cls, check, reason):
        return cls(check, 0, 0.0, reason, outcome=reason)

    @property
    def checked(self) -> bool:
        return self.n > 0

    @property
    def event(self) -> str:
        """A short label for hypothesis' ``event()`` statistics: "<check>: checked" or "<check>: skipped (<reason>)"."""
        if self.checked:
            return f"{self.check}: checked" + (f" ({self.outcome})" if self.outcome else "")
        return f"{self.check}: skipped ({self.skipped})"

    def __repr__(self):
        if self.checked:
            return f"Checked({self.check!r}, n={self.n}, err={float(self.err):.3g}" + (
                f", outcome={self.outcome!r})" if self.outcome else ")")
        return f"Checked({self.check!r}, skipped={self.skipped!r})"


MIN_CHECKED = 0.8  # the share of a generic test's examples that must really compare something


def assert_mostly_checked(results, what, min_fraction=MIN_CHECKED):
    """At least ``min_fraction`` of ``results`` (the ``Checked`` of one check over a test's examples) compared
    something. A strategy whose draws are mostly empty (size-0 inputs or outputs) makes a generic test pass while
    checking nothing; this turns that into a failure that names the skip reasons and their counts."""
    n, k = len(results), sum(r.checked for r in results)
    if not n or k < min_fraction * n:
        why = Counter(r.skipped for r in results if not r.checked)
        raise AssertionError(
            f"[{what}] only {k}/{n} examples checked anything (at least {min_fraction:.0%} must); skipped: "
            + ", ".join(f"{c}x {reason}" for reason, c in why.most_common())
            + " -- make the spec's strategy draw non-empty cases most of the time (size-0 ones rarely)")
    return k, n


def over_examples(strategy, body, max_examples=None) -> list:
    """``body(example)`` on every hypothesis example of ``strategy`` under the active profile's settings
    (derandomized in ``ci``), or ``max_examples`` of them; returns what ``body`` returned, in order (e.g.
    ``Checked`` results, to count)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    results = []

    @given(data=st.data())
    def run(data):
        results.append(body(data.draw(strategy, label="sample")))

    if max_examples is not None:
        run = settings(max_examples=max_examples)(run)
    run()
    return results


def assert_close(actual, expected, rtol, atol, check="values", ctx: Context | None = None, what=""):
    """Shape, then dtype, then values (nan-aware: nan == nan, inf == inf of the same sign).

    ``actual``/``expected``: impl tensors, torch tensors, arrays or Python scalars. Returns the max abs error (an
    ``Err``, which also carries the worst error-to-tolerance ratio)."""
    fail = ctx.fail if ctx is not None else (lambda c, d: (_ for _ in ()).throw(AssertionError(f"[{c}] {d}")))
    label = f"{check} {what}".strip()
    a, e = to_numpy(actual), to_numpy(expected)
    if a.shape != e.shape:
        fail(f"{label}: shape", f"{_under_test()} shape {a.shape} vs torch {e.shape}")
    if a.dtype != e.dtype:
        fail(f"{label}: dtype", f"{_under_test()} dtype {a.dtype} vs torch {e.dtype} (shape {a.shape})")
    if a.dtype.kind in "biu":
        bad = a != e
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0]) if a.ndim else ()
            fail(f"{label}: values", f"{int(bad.sum())}/{bad.size} elements differ (exact comparison of {a.dtype}); "
                 f"first at index {idx}: {_under_test()} {a[idx]!r} vs torch {e[idx]!r}")
        return 0.0
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(a64 - e64)
    if np.isfinite(diff).all():  # both finite everywhere (no nan, no inf): the common case, in a few array ops
        abs_e = np.abs(e64)
        bound = atol + rtol * abs_e
        if (diff <= bound).all():
            worst = diff.max() if diff.size else 0.0
            if worst == 0:
                return Err.of(0.0, 0.0)
            nz = diff != 0  # bound >= diff > 0 there
            big = nz & (abs_e > atol)  # below atol, abs decides
            return Err.of(worst, (diff[nz] / bound[nz]).max(), (diff[big] / abs_e[big]).max() if big.any() else 0.0)
    both_nan = np.isnan(a64) & np.isnan(e64)
    same_inf = np.isinf(a64) & (a64 == e64)
    with np.errstate(invalid="ignore", over="ignore"):
        ok = both_nan | same_inf | (diff <= atol + rtol * np.abs(e64))
    diff = np.where(both_nan | same_inf, 0.0, np.nan_to_num(diff, nan=np.inf))
    if not ok.all():
        bad = ~ok
        idx = np.unravel_index(np.argmax(np.where(bad, diff, -1)), diff.shape) if diff.ndim else ()
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(bad, diff / np.abs(e64), 0)
        ridx = np.unravel_index(np.argmax(np.nan_to_num(rel, nan=np.inf)), rel.shape) if rel.ndim else ()
        fail(f"{label}: values",
             f"{int(bad.sum())}/{bad.size} elements out of tolerance (rtol={rtol}, atol={atol}), shape {a.shape}, "
             f"dtype {a.dtype}; max abs err {diff[idx]:.3g} at index {tuple(int(i) for i in idx)} "
             f"({_under_test()} {a64[idx]!r}, torch {e64[idx]!r}); max rel err {rel[ridx]:.3g} at index {tuple(int(i) for i in ridx)}")
    if not diff.size:
        return Err.of(0.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where((diff == 0) | ~(np.abs(e64) > atol), 0.0, diff / np.abs(e64))  # below atol, abs decides
        ratio = np.where(diff == 0, 0.0, diff / (atol + rtol * np.abs(np.nan_to_num(e64, nan=0.0, posinf=0.0, neginf=0.0))))
    return Err.of(diff.max(), ratio.max(), np.nan_to_num(rel, nan=np.inf).max())


def assert_same_log(a, b, what, name="target", rtol=1e-12, atol=1e-12):
    """Two nested logs (lists/tuples of arrays, None, flags, names), the target's ``a`` and torch's ``b``: the same
    structure, None where the other has None, scalars and strings equal, arrays close (float64 precision by
    default). For tests that record what hooks or callbacks saw in both libraries."""
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), f"{what}: {name} {a!r} vs torch {b!r}"
        for k, (x, y) in enumerate(zip(a, b)):
            assert_same_log(x, y, f"{what}[{k}]", name, rtol, atol)
    elif a is None or b is None:
        assert a is None and b is None, f"{what}: {name} {a!r} vs torch {b!r}"
    elif isinstance(a, (bool, int, float, str)):
        assert a == b, f"{what}: {name} {a!r} vs torch {b!r}"
    else:
        assert_close(a, b, rtol, atol, check=what)


def _compare_outputs(fi, ft, tol, check, ctx):
    me = _under_test()
    if len(fi) != len(ft):
        ctx.fail(f"{check}: structure", f"{me} returned {len(fi)} outputs, torch {len(ft)}")
    worst, n = 0.0, 0  # n: the values compared (elements of tensors and arrays, one per Python value)
    for k, (a, b) in enumerate(zip(fi, ft)):
        what = f"output {k}" if len(fi) > 1 else ""
        n += 1 if not is_tensor(b) and not isinstance(b, np.ndarray) else int(np.prod(tuple(b.shape)))
        if is_tensor(b):
            if not is_target(a):
                ctx.fail(f"{check} {what}: type", f"{me} returned {type(a).__name__}, torch a Tensor")
            worst = Err.worst(worst, assert_close(a, b, tol["rtol"], tol["atol"], check, ctx, what))
        elif isinstance(b, np.ndarray):
            if not isinstance(a, np.ndarray):
                ctx.fail(f"{check} {what}: type", f"{me} returned {type(a).__name__}, torch a numpy array")
            worst = Err.worst(worst, assert_close(a, b, tol["rtol"], tol["atol"], check, ctx, what))
        elif isinstance(b, str):
            if a != b:
                ctx.fail(f"{check} {what}: value", f"{me} {a!r} vs torch {b!r}")
        elif isinstance(b, float) and not isinstance(a, bool):
            worst = Err.worst(worst, assert_close(a, b, tol["rtol"], tol["atol"], check, ctx, what))
        elif _is_size(b) or isinstance(b, (bool, int)):
            if _is_size(b):
                same = _is_size(a) and tuple(a) == tuple(b)
            elif isinstance(b, bool):
                same = isinstance(a, bool) and a == b
            else:
                same = isinstance(a, int) and not isinstance(a, bool) and a == b
            if not same:
                ctx.fail(f"{check} {what}: value", f"{me} {a!r} ({type(a).__name__}) vs torch {b!r} ({type(b).__name__})")
        else:
            ctx.fail(f"{check} {what}: type", f"don't know how to compare torch's {type(b).__name__}")
    return worst, n
