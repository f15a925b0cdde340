"""063: ``take_along_dim`` did not broadcast its indices and had no ``dim=None`` form.

**Symptom:** ``impl.take_along_dim(x, idx, dim=1)`` with ``x`` of shape ``(3, 4)`` and ``idx`` of shape ``(1, 2)``
returned shape ``(1, 2)`` (torch broadcasts: ``(3, 2)``, every row gathered); ``impl.take_along_dim(x, idx)``
raised TypeError (torch: gather along the flattened input); a negative index raised where torch counts it from
the end.

**Root cause:** take_along_dim was an alias of ``gather``, whose index may be smaller than the input (it takes a
sub-block) rather than broadcast against it, and ``dim`` had no default.

**Fix:** ``impl.ops.shape.take_along_dim`` broadcasts input and indices on every dim but ``dim`` (an expand of the
input, so the gradient sums back), wraps negative indices, and with ``dim=None`` gathers from the flattened input.

**How this test catches it:** broadcast indices, a broadcast input, ``dim=None`` and a negative index, each compared
with torch (values and gradients).

**Seen in:** found while developing (notes/bugs_found.md), by comparing indexing edge cases with torch while converting their derivatives; now also caught by ``property_tests/test_ops.py::test_forward_and_vjp`` (2026-12-01).

**Generic tests catch it too:** yes -- with the bug reintroduced, property_tests/test_ops.py::test_forward_and_vjp,
test_gradcheck, test_noncontiguous_and_grad_mode and test_inplace_on_output of [take_along_dim] and
[take_along_dim_flat] fail.
"""
import contextlib

import numpy as np

from impl.ops import shape
from regression._util import check_vs_torch, rng, swap_function

FAILS_WITH = r"shape|raised TypeError|raised RuntimeError"


def _take_along_dim_as_gather(input, indices, dim):
    return shape.gather(input, dim, indices)


@contextlib.contextmanager
def reintroduce(variant=None):
    with swap_function(shape.take_along_dim, _take_along_dim_as_gather):
        yield


def guard():
    r = rng(86)
    x = r.standard_normal((3, 4))
    cols = np.array([[0, 2]])
    check_vs_torch(lambda lib, x: lib.take_along_dim(x, lib.tensor(cols), dim=1), x,
                   what="(3, 4) with indices (1, 2) along dim 1")
    check_vs_torch(lambda lib, x: x.take_along_dim(lib.tensor([[1], [3], [0]]), 1).expand(3, 2) *
                   lib.take_along_dim(x[:1], lib.tensor([[1], [2], [3]]), dim=1), x,
                   what="an input row broadcast against (3, 1) indices")
    check_vs_torch(lambda lib, x: lib.take_along_dim(x, lib.tensor([5, 0, 11, 5])), x, what="dim=None")
    check_vs_torch(lambda lib, x: lib.take_along_dim(x, lib.tensor([[-1], [0], [-4]]), dim=1), x,
                   what="negative indices along dim 1")


def test_guard():
    guard()
