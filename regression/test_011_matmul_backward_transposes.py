"""011: Matmul backward transposed batched tensors with ``.T``, or omitted the transposes.

**Symptom:** Attention's backward crashed or produced garbage on batched ``(B, n, k)`` operands, and on
square matrices a later version ran and was silently wrong. Two historical ``MatmulBackward``s: one used
``grad @ B.T`` / ``A.T @ grad`` -- right for matrices, but ``.T`` reverses *every* axis of a batched
operand; the other dropped the transposes (``grad @ B``, ``A @ grad``), which only runs when the shapes
happen to line up -- square matrices -- and there gives wrong numbers.

**Root cause:** ``dL/dA = dL/dC @ B^T`` and ``dL/dB = A^T @ dL/dC`` with ``^T`` meaning "swap the last
two axes"; numpy's ``.T`` is a full axis reversal.

**Fix:** ``impl.ops.linalg.matmul``'s backward uses ``np.swapaxes(·, -1, -2)`` (after promoting 1-D operands
to matrices) and leaves broadcast batch dims to the engine's single un-broadcast.

**How this test catches it:** gradients of both operands against torch with a *random* cotangent (an
all-ones cotangent hides some of these) for square 2-D (where the missing transposes still run), rectangular
2-D, 3-D batched, broadcast-batched 4-D @ 3-D, and matrix-vector operands; plus a float64
finite-difference check on square matrices.

**Seen in:** TinyTorch's gradient-flow fix summary for transformer training (``MatmulBackward`` used ``np.dot`` and
``.T`` on batched operands) and the remote-tensor library's 'MLP Training Issues' notes (the transposes in matmul's
gradient were the first suspect).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_determinism.py::test_whole_training_run_is_bit_identical, property_tests/test_functional.py::test_sdpa_fully_masked_rows_are_zero_with_zero_grad fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import linalg
from regression._util import check_vs_torch, gradcheck, rewrite_source, rng, swap_function

VARIANTS = ("dot_T", "no_transpose")
FAILS_WITH = r"grad of input|raised|finite differences"

_ORIG_LINES = (
    "ga = np.matmul(g2, np.swapaxes(y2, -1, -2))",
    "gb = np.matmul(np.swapaxes(x2, -1, -2), g2)",
)


@contextlib.contextmanager
def reintroduce(variant=None):
    if variant in (None, "no_transpose"):
        broken = rewrite_source(
            linalg.matmul, (_ORIG_LINES[0], "ga = np.matmul(g2, y2)"), (_ORIG_LINES[1], "gb = np.matmul(x2, g2)")
        )
    else:
        broken = rewrite_source(
            linalg.matmul, (_ORIG_LINES[0], "ga = np.matmul(g2, y2.T)"), (_ORIG_LINES[1], "gb = np.matmul(x2.T, g2)")
        )
    with swap_function(linalg.matmul, broken):
        yield


def guard():
    r = rng(11)
    f = lambda *s: r.standard_normal(s).astype(np.float32)  # noqa: E731
    mm = lambda lib, a, b: a @ b  # noqa: E731
    check_vs_torch(mm, f(4, 4), f(4, 4), what="square (4,4) @ (4,4)")
    check_vs_torch(mm, f(3, 4), f(4, 5), what="(3,4) @ (4,5)")
    check_vs_torch(mm, f(2, 3, 4), f(2, 4, 5), what="batched (2,3,4) @ (2,4,5)")
    check_vs_torch(mm, f(2, 3, 4, 4), f(3, 4, 4), what="broadcast (2,3,4,4) @ (3,4,4)")
    check_vs_torch(mm, f(3, 4), f(4), what="matrix @ vector")
    a, b = r.standard_normal((3, 3)), r.standard_normal((3, 3))
    gradcheck(mm, a, b, what="square float64")


def test_guard():
    guard()
