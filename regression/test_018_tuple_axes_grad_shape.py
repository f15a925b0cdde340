"""018: A reduction over a tuple of axes restored the wrong gradient shape.

**Symptom:** ``x.sum(dim=(1, 2))`` (a per-sample loss over an image, LayerNorm-style statistics over the
last two dims) either crashed in backward with a broadcast error or -- when the sizes happened to agree,
as on a cube -- returned a gradient spread along the wrong axis.

**Root cause:** The backward re-inserted only one of the reduced axes (``expand_dims(g, axes[0])``) before
broadcasting back to the input shape, so for two or more reduced axes the kept axes were misaligned.
Negative and unsorted axis tuples made it worse.

**Fix:** axes are normalised once (``norm_dims``: non-negative, sorted, duplicates rejected) and the
backward re-inserts *all* of them at once (``g.reshape`` to the input shape with every reduced axis kept as
size 1) before expanding.

**How this test catches it:** gradients against torch (random cotangent) for ``sum(dim=(1, 2))`` on a
cube (the silent case), ``sum(dim=(0, 2))``, ``mean(dim=(-1, 0))`` (negative, unsorted),
``var(dim=(0, 1))``, ``sum(dim=(1, 2), keepdim=True)`` and ``std`` over three axes of a 4-D tensor;
plus a float64 finite-difference check.

**Seen in:** a classic pitfall of hand-written autograd engines, catalogued 2026-11-23 (none of the public notes
cited in this catalogue records it).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_functional.py::test_cross_entropy_matches_torch_over_drawn_options fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import reduce
from regression._util import check_vs_torch, gradcheck, rewrite_source, rng, swap_function

FAILS_WITH = r"grad of input|raised|finite differences"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(
        reduce.sum,
        ("lambda g: (_spread(g, kept, shape),)",
         "lambda g: ((g if keepdim else g.unsqueeze(axes[0])).expand(shape),)"),
    )
    with swap_function(reduce.sum, broken):
        yield


def guard():
    r = rng(18)
    cube = r.standard_normal((3, 3, 3)).astype(np.float32)
    x = r.standard_normal((2, 3, 4)).astype(np.float32)
    x4 = r.standard_normal((2, 3, 2, 4)).astype(np.float32)
    check_vs_torch(lambda lib, x: x.sum(dim=(1, 2)), cube, what="cube sum(dim=(1, 2))")
    check_vs_torch(lambda lib, x: x.sum(dim=(0, 2)), x, what="sum(dim=(0, 2))")
    check_vs_torch(lambda lib, x: x.mean(dim=(-1, 0)), x, what="mean(dim=(-1, 0))")
    check_vs_torch(lambda lib, x: x.var(dim=(0, 1)), x, what="var(dim=(0, 1))")
    check_vs_torch(lambda lib, x: x.sum(dim=(1, 2), keepdim=True), x, what="sum(dim=(1, 2), keepdim=True)")
    check_vs_torch(lambda lib, x: x.std(dim=(0, 2, 3)), x4, what="std(dim=(0, 2, 3))")
    gradcheck(lambda lib, x: x.sum(dim=(1, 2)) * x.mean(dim=(0, 2)), r.standard_normal((3, 3, 3)), what="cube float64")


def test_guard():
    guard()
