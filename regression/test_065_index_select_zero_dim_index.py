"""065: ``index_select`` with a 0-d index dropped the selected dim.

**Symptom:** ``x.index_select(0, impl.tensor(2))`` on a ``(3, 4)`` tensor returned shape ``(4,)``; torch returns
``(1, 4)`` (a 0-d index selects one entry and keeps the dim), so code that indexes the result further broke.

**Root cause:** ``np.take`` with a 0-d index removes the axis, as numpy's integer indexing does.

**Fix:** ``impl.ops.shape.index_select`` flattens the index to 1-d first.

**How this test catches it:** 0-d indices along each dim compared with torch (values and gradients).

**Seen in:** found while developing (notes/bugs_found.md), by comparing indexing edge cases with torch while converting their derivatives; now also caught by ``property_tests/test_ops.py::test_forward_and_vjp`` (2026-12-01).

**Generic tests catch it too:** yes -- with the bug reintroduced, property_tests/test_ops.py::test_forward_and_vjp[index_select]
and test_inplace_on_output[index_select] fail.
"""
import contextlib

from impl.ops import shape
from regression._util import check_vs_torch, rewrite_source, rng, swap_function

FAILS_WITH = r"shape"


@contextlib.contextmanager
def reintroduce(variant=None):
    with swap_function(shape.index_select, rewrite_source(shape.index_select, ("idx = idx.reshape(-1)", "pass"))):
        yield


def guard():
    x = rng(88).standard_normal((3, 4))
    check_vs_torch(lambda lib, x: x.index_select(0, lib.tensor(2)), x, what="index_select(0, tensor(2)) of (3, 4)")
    check_vs_torch(lambda lib, x: lib.index_select(x, 1, lib.tensor(0)), x, what="index_select(1, tensor(0)) of (3, 4)")


def test_guard():
    guard()
