"""017: Sum backward ignored its axis (silently wrong, and unnoticed on square matrices).

**Symptom:** ``x.sum(dim=1)`` produced correct values but its gradient was laid out along the wrong
axis: on an ``(n, m)`` input with ``n != m`` backward crashed, on a square matrix it ran and was wrong --
and every test that ended in ``.sum().backward()`` still passed, because an all-ones cotangent looks the
same along either axis.

**Root cause:** The backward broadcast the reduced gradient ``g`` (shape ``(n,)``) straight to the input
shape. Numpy broadcasting aligns trailing axes, so ``g`` was spread as if it indexed the *last* axis,
which is only right for ``dim=0`` (or for ``keepdim=True``). The reduced axis has to be re-inserted first.

**Fix:** ``impl.ops.reduce.sum``'s backward first reshapes ``g`` to the input shape with the reduced axes kept
as size 1 (``_kept_shape``) and only then expands it to the input shape. ``mean``/``var``/``std`` are built on
it.

**How this test catches it:** gradients against torch with a *random* cotangent for ``sum(dim=1)`` and
``mean(dim=1)`` on a square matrix (the silent case), ``sum(dim=0)``, ``sum(dim=-1)`` on a rectangular
matrix, ``sum(dim=1)`` on a cube, and ``var(dim=1)`` (which reduces through sum twice); plus a float64
finite-difference check.

**Seen in:** a classic pitfall of hand-written autograd engines, catalogued 2026-11-23 (none of the public notes
cited in this catalogue records it).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_diagnostics.py::test_healthy_model_has_full_gradient_flow fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import reduce
from regression._util import check_vs_torch, gradcheck, rewrite_source, rng, swap_function

FAILS_WITH = r"grad of input|raised|finite differences"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(
        reduce.sum, ("lambda g: (_spread(g, kept, shape),)", "lambda g: (g.expand(shape),)")
    )
    with swap_function(reduce.sum, broken):
        yield


def guard():
    r = rng(17)
    sq = r.standard_normal((4, 4)).astype(np.float32)
    rect = r.standard_normal((3, 5)).astype(np.float32)
    cube = r.standard_normal((3, 3, 3)).astype(np.float32)
    check_vs_torch(lambda lib, x: x.sum(dim=1), sq, what="square sum(dim=1)")
    check_vs_torch(lambda lib, x: x.mean(dim=1), sq, what="square mean(dim=1)")
    check_vs_torch(lambda lib, x: x.sum(dim=0), rect, what="sum(dim=0)")
    check_vs_torch(lambda lib, x: x.sum(dim=-1), rect, what="rectangular sum(dim=-1)")
    check_vs_torch(lambda lib, x: x.sum(dim=1), cube, what="cube sum(dim=1)")
    check_vs_torch(lambda lib, x: x.var(dim=1), sq, what="square var(dim=1)")
    gradcheck(lambda lib, x: x.sum(dim=1) * x.sum(dim=0), r.standard_normal((3, 3)), what="sum(1) * sum(0) float64")


def test_guard():
    guard()
