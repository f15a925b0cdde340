"""031: NaN and signed-zero handling diverged from torch in abs/sign/relu/maximum/amax gradients.

**Symptom:** At the edges of the float domain impl's gradients disagreed with torch: ``abs`` and ``sign``
at ``nan`` gave a ``nan`` gradient (torch: 0); ``relu(nan)`` gave gradient 0 (torch: 1) and ``relu(-0.0)``
returned ``+0.0`` (torch: ``-0.0``); ``maximum(nan, 0)`` gave the ``nan`` operand no gradient (torch: the
full gradient to both); ``amax`` of a tensor holding ``nan`` routed no gradient anywhere. One ``nan`` in a
batch then poisoned or silently zeroed parameter updates differently than in torch.

**Root cause:** numpy's conventions leaked through: ``np.sign(nan) == nan``, ``np.maximum(-0.0, 0) == 0.0``,
and masks built from ``x == out`` / ``x >= y`` are all False at ``nan``.

**Fix:** ``_sgn`` is ``(x > 0) - (x < 0)``; relu is ``where(x < 0, 0, x)`` with the gradient cut where
``out <= 0``; maximum/minimum use torch's formula (ties split ``g/2``, masks from the *strict* comparisons);
amax/amin select the ``nan`` entries when the result is ``nan`` (impl/ops/elementwise.py, impl/ops/reduce.py).

**How this test catches it:** values (including the sign bit of zeros) and gradients against torch, under a
random cotangent, for ``abs``, ``sign``, ``relu``, ``maximum`` (with ties and ``nan``) and ``max``/``amax`` on inputs
holding ``nan``, ``-0.0``, ``0.0`` and ordinary values, in float32 and float64. Variants re-create each of
the four numpy-convention slips on its own.

**Seen in:** found while developing (notes/bugs_found.md), by the special-values table,
``property_tests/test_special_values.py::test_special_value`` (0, -0.0, ±inf and nan through every op).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_meta.py::test_tie_conventions_are_torchs, property_tests/test_special_values.py::test_special_value fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.ops import elementwise as ew
from impl.ops import reduce
from regression._util import assert_close, check_vs_torch, rewrite_source, stack, swap_function, to_np

VARIANTS = ("sign", "relu", "maximum", "amax")
FAILS_WITH = r"grad of input|forward|sign bit"


def _parts():
    return {
        "sign": lambda: swap_function(ew._sgn, np.sign),
        "relu": lambda: swap_function(ew.relu, rewrite_source(
            ew.relu,
            ("_select(x < 0, np.zeros((), x.dtype), x) if x.dtype.kind == \"f\" else np.where(x < 0, x.dtype.type(0), x)",
             "np.maximum(x, x.dtype.type(0))"),
            ("_gate(o._data <= 0, 0.0, g)", "where(x > 0, g, 0.0)"),
        )),
        "maximum": lambda: swap_function(ew._select_backward, rewrite_source(
            ew._select_backward, ("where(a_loses(x, y), 0.0, half)", "g * _const(b_loses(x, y) | (x == y))"),
            ("where(b_loses(x, y), 0.0, half)", "g * _const(a_loses(x, y))"),
        )),
        "amax": lambda: swap_function(reduce._amax_amin, rewrite_source(
            reduce._amax_amin, ("mask = (x == outk) | (np.isnan(x) & np.isnan(outk))", "mask = x == outk"),
        )),
    }


@contextlib.contextmanager
def reintroduce(variant=None):
    parts = _parts()
    chosen = [parts[variant]()] if variant else [p() for p in parts.values()]
    with np.errstate(invalid="ignore", divide="ignore"), stack(*chosen):
        yield


def guard():
    import torch

    nan = float("nan")
    for dt in (np.float32, np.float64):
        x = np.array([nan, -0.0, 0.0, 1.5, -2.0, 0.7], dtype=dt)
        y = np.array([0.0, 0.0, 0.0, 1.5, nan, -1.0], dtype=dt)  # ties at 0 and 1.5, nan on both sides
        tag = np.dtype(dt).name
        check_vs_torch(lambda lib, x: x.abs(), x, what=f"abs ({tag})")
        check_vs_torch(lambda lib, x: x.sign() + x, x, what=f"sign ({tag})")
        check_vs_torch(lambda lib, x: x.relu(), x, what=f"relu ({tag})")
        check_vs_torch(lambda lib, x, y: lib.maximum(x, y), x, y, what=f"maximum ({tag})")
        check_vs_torch(lambda lib, x: x.max(), x, what=f"max() with nan ({tag})")
        check_vs_torch(lambda lib, x: x.reshape(2, 3).max(dim=1).values, x, what=f"max(dim=1) with nan ({tag})")
        # amax: torch's own backward gives nan everywhere here (documented divergence in
        # property_tests/test_special_values.py); impl routes the gradient to the nan entries as torch's max() does.
        check_vs_torch(lambda lib, x: x.amax() if lib is impl else x.max(), x, what=f"amax with nan = max() ({tag})")
        got, want = to_np(impl.tensor(x).relu()), torch.tensor(x).relu().numpy()
        if not np.array_equal(np.signbit(got), np.signbit(want)):
            raise AssertionError(f"relu ({tag}): sign bit of zeros differs from torch: impl {got} vs torch {want}")
        assert_close(got, want, f"relu values ({tag})")


def test_guard():
    guard()
