"""010: Batched matmul used a 2-D dot: wrong shapes on 3-D/4-D operands.

**Symptom:** Attention's ``Q @ K^T`` on ``(batch, heads, seq, dim)`` tensors either crashed with "shapes
not aligned" or silently returned a tensor of the wrong rank, e.g. ``(B, T, B, T)`` instead of ``(B, T, T)``.

**Root cause:** ``matmul`` called ``np.dot``, whose rule for N-D operands is a sum over the last axis of
the first and the *second-to-last* of the second with all other axes kept (an outer product over the batch
axes), not a batched matrix product with broadcast batch dimensions.

**Fix:** ``impl.ops.linalg.matmul`` calls ``np.matmul`` (broadcast batch dims, 1-D promotion rules as torch),
and its backward uses ``np.matmul`` with the last two axes swapped; the engine sums broadcast batch dims away.

**How this test catches it:** forward values, shapes and both operands' gradients against torch with a
random cotangent for 3-D @ 3-D, 4-D @ 4-D (attention shapes), broadcast batch dims ``(2,1,3,4) @ (5,4,2)``,
N-D @ 2-D (a Linear layer on a sequence) and 1-D @ 3-D.

**Seen in:** TinyTorch's gradient-flow fix summary for transformer training (``np.dot`` instead of ``np.matmul``
for 3-D and 4-D attention operands).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_functional.py::test_sdpa_fully_masked_rows_are_zero_with_zero_grad fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl._autograd import apply
from impl.ops import linalg
from regression._util import check_vs_torch, rng, swap_function

FAILS_WITH = r": shape\]|raised|forward"


@contextlib.contextmanager
def reintroduce(variant=None):
    """matmul as np.dot (forward and backward), the pre-fix implementation."""
    orig = linalg.matmul

    def matmul_with_dot(input, other):
        a, b = input, other
        x, y = a._data, b._data
        out = np.asarray(np.dot(x, y))

        def backward(g):
            ga = np.dot(g, np.swapaxes(y, -1, -2)) if y.ndim > 1 else np.multiply.outer(g, y)
            gb = np.dot(np.swapaxes(x, -1, -2), g) if x.ndim > 1 else np.multiply.outer(x, g)
            return ga, gb

        return apply("MmBackward0", out, (a, b), backward)

    with swap_function(orig, matmul_with_dot):
        yield


def guard():
    r = rng(10)
    f = lambda *s: r.standard_normal(s).astype(np.float32)  # noqa: E731
    mm = lambda lib, a, b: a @ b  # noqa: E731
    check_vs_torch(mm, f(2, 3, 4), f(2, 4, 5), what="(2,3,4) @ (2,4,5)")
    check_vs_torch(mm, f(2, 2, 3, 4), f(2, 2, 4, 3), what="(2,2,3,4) @ (2,2,4,3) attention scores")
    check_vs_torch(mm, f(2, 1, 3, 4), f(5, 4, 2), what="(2,1,3,4) @ (5,4,2) broadcast batch")
    check_vs_torch(mm, f(2, 3, 4), f(4, 6), what="(2,3,4) @ (4,6) sequence x weight")
    check_vs_torch(mm, f(4), f(2, 4, 3), what="(4,) @ (2,4,3)")


def test_guard():
    guard()
