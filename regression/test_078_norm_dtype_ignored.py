"""078: ``norm(dtype=...)`` ignored its dtype.

**Symptom:** ``x.norm(dtype=impl.float64)`` and ``impl.norm(x, 2, dtype=impl.float64)`` on a float32 tensor
returned a float32 result computed in float32; torch computes in float64 and returns float64 (the usual way to
get an accurate norm of a large float32 tensor).

**Root cause:** ``norm`` accepted ``dtype`` and never read it.

**Fix:** ``impl.ops.reduce.norm`` casts the input to ``dtype`` first (``input.to(dtype)``, differentiable), so the
result has that dtype and the gradient comes back in the input's.

**How this test catches it:** float32 input, ``dtype=float64``, p in (2, 1, 3, inf), function and method forms:
output dtype and values, and the input gradient (float32) against torch.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_surface.py::test_signatures_match_torch_where_torch_exposes_one``: its report of norm's
parameter list led to reading how each parameter is used (2026-12-01).

**Generic tests catch it too:** no -- no spec passed ``dtype`` to norm.
"""
import contextlib

import numpy as np

from impl.ops import reduce as red
from regression._util import check_vs_torch, rewrite_source, rng, swap_function

FAILS_WITH = r"dtype|float64"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(red.norm, ("        input = input.to(dtype)", "        pass"))
    with swap_function(red.norm, broken):
        yield


def guard():
    x = rng(78).standard_normal((3, 4)).astype(np.float32)
    for p in (2, 1, 3, float("inf")):
        check_vs_torch(lambda lib, x, p=p: x.norm(p=p, dim=1, dtype=lib.float64), x, what=f"x.norm(p={p}, dtype=float64)")
        check_vs_torch(lambda lib, x, p=p: lib.norm(x, p, dtype=lib.float64), x, what=f"norm(x, {p}, dtype=float64)")


def test_guard():
    guard()
