"""008: Division had no backward (the divisor's gradient was missing).

**Symptom:** In ``(x - mean) / std`` only the numerator learned: the standard deviation's path back to
the input was missing, so LayerNorm-style code got a wrong input gradient and a learnable temperature
``logits / t`` never moved.

**Root cause:** Division had no backward node at first; the first version of ``DivBackward`` then
returned ``g / b`` for the numerator and nothing for the divisor, forgetting ``d(a/b)/db = -a / b**2``.

**Fix:** ``impl.ops.elementwise.div`` returns ``(g / b, -g * (a / b) / b)``; the engine un-broadcasts each to
its operand's shape (a per-row divisor, a scalar temperature tensor).

**How this test catches it:** value and both gradients against torch with a random cotangent, for
same-shape, broadcast-divisor (per row), 0-d divisor and reflected (``2 / x``) cases, plus a float64
finite-difference check of ``a / b``. The divisor's gradient is ``None`` (or wrong) under the bug.

**Seen in:** TinyTorch's gradient-flow fix summary for transformer training (division had no backward until
``DivBackward`` was added).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_ops.py::test_forward_and_vjp fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import elementwise as ew
from regression._util import check_vs_torch, gradcheck, rewrite_source, rng, swap_function

FAILS_WITH = r"grad of input 1|input 1|received no gradient"


@contextlib.contextmanager
def reintroduce(variant=None):
    """DivBackward returns nothing for the divisor."""
    broken = rewrite_source(ew.div, ("(g / y, -g * x / (y * y))", "(g / y, None)"))
    with swap_function(ew.div, broken):
        yield


def guard():
    r = rng(8)
    a = r.standard_normal((3, 4)).astype(np.float32)
    b = (r.uniform(0.5, 2.0, (3, 4)) * r.choice([-1, 1], (3, 4))).astype(np.float32)
    col = r.uniform(0.5, 2.0, (3, 1)).astype(np.float32)
    t = np.array(1.7, dtype=np.float32)
    check_vs_torch(lambda lib, a, b: a / b, a, b, what="a / b")
    check_vs_torch(lambda lib, a, c: a / c, a, col, what="a / per-row divisor")
    check_vs_torch(lambda lib, a, t: (a / t).softmax(-1), a, t, what="softmax(a / temperature)")
    check_vs_torch(lambda lib, b: 2.0 / b, b, what="2 / b (reflected)")
    gradcheck(lambda lib, a, b: a / b, a, b, what="a / b float64")


def test_guard():
    guard()
