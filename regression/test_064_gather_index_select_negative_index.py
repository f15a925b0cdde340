"""064: ``gather`` and ``index_select`` accepted negative indices where torch raises.

**Symptom:** ``x.gather(1, impl.tensor([[-1]]))`` and ``x.index_select(1, impl.tensor([-1]))`` returned the last
column; torch raises RuntimeError ("index -1 is out of bounds for dimension 1 with size 4", "INDICES element is out
of DATA bounds"). Code that works in impl then fails under torch.

**Root cause:** gather checked ``index >= -size`` (numpy indexing wraps negatives) and index_select relied on
``np.take``, which wraps them too.

**Fix:** ``impl.ops.shape.gather`` and ``impl.ops.shape.index_select`` refuse any index outside ``[0, size)`` with
a RuntimeError naming the index, the dim and its size.

**How this test catches it:** each op with a negative index must raise RuntimeError; variants re-create each
op's slip on its own.

**Seen in:** found while developing (notes/bugs_found.md), by comparing indexing edge cases with torch while converting their derivatives; now also caught by ``property_tests/test_ops.py::test_error_input`` (2026-12-01).

**Generic tests catch it too:** yes -- with the bug reintroduced, property_tests/test_ops.py::test_error_input[gather-1]
and test_error_input[index_select-1] fail.
"""
import contextlib

import impl
from impl.ops import shape
from regression._util import must_raise, rewrite_source, stack, swap_function

VARIANTS = ("gather", "index_select")
FAILS_WITH = r"did not raise"


def _parts():
    return {
        "gather": lambda: swap_function(shape.gather, rewrite_source(
            shape.gather, ("if idx.size and (idx.min() < 0 or", "if idx.size and (idx.min() < -x.shape[d] or"))),
        "index_select": lambda: swap_function(shape.index_select, rewrite_source(
            shape.index_select, ("if idx.size and (idx.min() < 0 or", "if idx.size and (idx.min() < -n or"))),
    }


@contextlib.contextmanager
def reintroduce(variant=None):
    parts = _parts()
    chosen = [parts[variant]()] if variant else [p() for p in parts.values()]
    with stack(*chosen):
        yield


def guard():
    x = impl.ones(3, 4)
    with must_raise(RuntimeError, "index -1 is out of bounds", "gather(1, [[-1]]) of (3, 4)"):
        x.gather(1, impl.tensor([[-1]]))
    with must_raise(RuntimeError, "index out of range: -1 ", "index_select(1, [-1]) of (3, 4)"):
        x.index_select(1, impl.tensor([-1]))


def test_guard():
    guard()
