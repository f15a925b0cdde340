"""062: ``narrow`` with a negative start returned an empty or truncated slice, and a range past the end passed.

**Symptom:** ``x.narrow(1, -1, 1)`` on a ``(3, 4)`` tensor returned shape ``(3, 0)`` (torch: the last column,
``(3, 1)``); ``x.narrow(1, 3, 2)`` returned one column where torch raises RuntimeError "start (3) + length (2)
exceeds dimension size (4)"; ``x.narrow(1, -5, 2)`` returned a column where torch raises IndexError "start out of
range".

**Root cause:** narrow was the slice ``start:start + length`` as it is: a negative start is counted from the end but
the stop ``start + length`` is then still negative (or zero), and a slice silently clips at the end.

**Fix:** ``impl.ops.shape.narrow`` checks ``-size <= start <= size`` (IndexError), adds the size to a negative
start, and refuses ``start + length > size`` (RuntimeError), as torch.

**How this test catches it:** negative starts compared with torch (values and gradients), and the two error cases
must raise torch's exception classes.

**Seen in:** found while developing (notes/bugs_found.md), by comparing indexing edge cases with torch while converting their derivatives; now also caught by ``property_tests/test_ops.py::test_forward_and_vjp`` (2026-12-01).

**Generic tests catch it too:** yes -- with the bug reintroduced, property_tests/test_ops.py::test_forward_and_vjp[narrow],
test_inplace_on_output[narrow] and test_error_input[narrow-0], [narrow-1] fail.
"""
import contextlib

import numpy as np

import impl
from impl.ops import shape
from impl.ops._common import norm_dim
from regression._util import check_vs_torch, must_raise, rng, swap_function

FAILS_WITH = r"shape|did not raise"


def _narrow_as_plain_slice(input, dim, start, length):
    d = norm_dim(dim, input._data.ndim, "narrow")
    return shape.getitem(input, (slice(None),) * d + (slice(start, start + length),))


@contextlib.contextmanager
def reintroduce(variant=None):
    with swap_function(shape.narrow, _narrow_as_plain_slice):
        yield


def guard():
    x = rng(85).standard_normal((3, 4))
    check_vs_torch(lambda lib, x: x.narrow(1, -1, 1), x, what="narrow(1, -1, 1) of (3, 4)")
    check_vs_torch(lambda lib, x: lib.narrow(x, 0, -3, 2), x, what="narrow(0, -3, 2) of (3, 4)")
    t = impl.tensor(x)
    with must_raise(RuntimeError, "exceeds", "narrow(1, 3, 2) of (3, 4)"):
        t.narrow(1, 3, 2)
    with must_raise(IndexError, "start out of range", "narrow(1, -5, 2) of (3, 4)"):
        t.narrow(1, -5, 2)
    if not np.array_equal(t.narrow(1, -4, 4).numpy(), x):
        raise AssertionError("[narrow(1, -4, 4) of (3, 4)] is not the whole tensor")


def test_guard():
    guard()
