"""007: Subtraction had no backward.

**Symptom:** Everything built on ``a - b`` stopped learning: LayerNorm's ``x - mean``, MSE's
``pred - target``, the max shift inside softmax. The result of a subtraction was a fresh tensor with no
history, so neither operand received a gradient and the loss still printed a value.

**Root cause:** The autograd engine only knew addition and multiplication; ``__sub__`` computed
``a.data - b.data`` and wrapped it without attaching a backward node (there was no ``SubBackward``).

**Fix:** ``impl.ops.elementwise.sub`` is a primitive with its derivative beside it:
``d(a-b)/da = g`` and ``d(a-b)/db = -g`` (the engine un-broadcasts both), bound to ``Tensor.sub``,
``__sub__``, ``__rsub__``, ``sub_``/``-=``.

**How this test catches it:** compares the value and the gradient of *both* operands with torch under a
random cotangent, for a same-shape pair, a broadcast pair, a reflected scalar (``1 - x``) and the
method form, and runs a float64 finite-difference check of ``(a - b) * c``. A missing backward leaves the
operands' ``.grad`` at ``None`` and the comparison fails.

**Seen in:** TinyTorch's gradient-flow fix summary for transformer training (subtraction had no backward;
LayerNorm's ``(x - mean) / std`` needed one).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_models.py::test_cnn_twin fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import elementwise as ew
from regression._util import check_vs_torch, gradcheck, rewrap, rng, swap_function

FAILS_WITH = r"grad of input|received no gradient|does not require grad"


@contextlib.contextmanager
def reintroduce(variant=None):
    """sub computes the difference and returns it with no history (the historical missing SubBackward)."""
    orig = ew.sub

    def sub_without_backward(input, other, alpha=1):
        out = orig(input, other, alpha=alpha)
        return rewrap(out)

    with swap_function(orig, sub_without_backward):
        yield


def guard():
    r = rng(7)
    a = r.standard_normal((3, 4)).astype(np.float32)
    b = r.standard_normal((3, 4)).astype(np.float32)
    row = r.standard_normal((4,)).astype(np.float32)
    c = r.standard_normal((3, 4)).astype(np.float32)
    # The product keeps the loss attached to the graph through c even when sub cuts it.
    check_vs_torch(lambda lib, a, b, c: (a - b) * c, a, b, c, what="(a - b) * c")
    check_vs_torch(lambda lib, a, r, c: (a - r) * c, a, row, c, what="(a - row) broadcast")
    check_vs_torch(lambda lib, a, c: (1 - a) * c, a, c, what="1 - a (reflected)")
    check_vs_torch(lambda lib, a, b, c: a.sub(b, alpha=2) * c, a, b, c, what="a.sub(b, alpha=2)")
    gradcheck(lambda lib, a, b, c: (a - b) * c, a, b, c, what="(a - b) * c float64")


def test_guard():
    guard()
