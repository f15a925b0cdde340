"""020: A reused tensor overwrote instead of accumulating its gradient (``x*x``, diamond graphs).

**Symptom:** ``(x * x).sum()`` gave ``x.grad == x`` instead of ``2x``; in a diamond (``h`` feeding both a
residual branch and an MLP branch) the earlier layers saw only one branch's gradient. Nothing crashed and
the numbers looked plausible.

**Root cause:** Gradient contributions were *assigned* (``node.grad = g``) rather than *added*: for a leaf
used twice, and for an intermediate node reached along two paths, the last contribution won.

**Fix:** ``impl._autograd.run_backward`` sums every contribution into one buffer per node before the node's
backward runs (iterative topological order, so all contributions arrive first), and ``_accumulate_leaf``
adds into an existing ``.grad`` (which is also torch's accumulation across backward calls).

**How this test catches it:** gradients against torch (random cotangent) for ``x * x``, ``x`` used by two
ops, a non-leaf diamond ``y = 2x; exp(y) + sin(y)``, ``y * y`` on a non-leaf, a node reused three times, and
two backward calls accumulating into the same ``.grad``; plus a float64 finite-difference check of the
diamond. Variant ``leaf_overwrite`` breaks leaves, ``node_overwrite`` breaks intermediate nodes.

**Seen in:** MicroGrad+'s troubleshooting guide (gradients accumulate by design: its answer to why they
accumulate).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_engine.py::test_accumulates_across_backward_calls, property_tests/test_engine.py::test_diamond_graph fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl import _autograd
from regression._util import assert_close, check_vs_torch, gradcheck, rewrite_source, rng, stack, swap_function

VARIANTS = ("leaf_overwrite", "node_overwrite")
FAILS_WITH = r"grad of input|finite differences|accumulat"


def _leaf_overwrite():
    def accumulate_leaf_by_assignment(t, g):
        t.grad = impl.Tensor._wrap(np.array(g, dtype=t._data.dtype, copy=True))

    return swap_function(_autograd._accumulate_leaf, accumulate_leaf_by_assignment)


def _node_overwrite():
    broken = rewrite_source(
        _autograd._run_backward, ("grads[key] = grads[key] + gi if key in grads else gi", "grads[key] = gi")
    )
    return swap_function(_autograd._run_backward, broken)


@contextlib.contextmanager
def reintroduce(variant=None):
    parts = {"leaf_overwrite": _leaf_overwrite, "node_overwrite": _node_overwrite}
    chosen = [parts[variant]()] if variant else [p() for p in parts.values()]
    with stack(*chosen):
        yield


def guard():
    r = rng(20)
    x = r.standard_normal((3, 4)).astype(np.float32)
    check_vs_torch(lambda lib, x: x * x, x, what="x * x")
    check_vs_torch(lambda lib, x: x.exp() + x.sin(), x, what="x used by two ops")
    check_vs_torch(lambda lib, x: (x * 2).exp() + (x * 2).sin(), x, what="two separate paths")

    def diamond(lib, x):
        y = x * 2
        return y.exp() + y.sin()

    def square_nonleaf(lib, x):
        y = x.tanh()
        return y * y

    def three_uses(lib, x):
        y = x * 0.5
        return y * y + y.sigmoid() - y.relu()

    check_vs_torch(diamond, x, what="non-leaf diamond")
    check_vs_torch(square_nonleaf, x, what="non-leaf y * y")
    check_vs_torch(three_uses, x, what="non-leaf used three times")
    gradcheck(diamond, x.astype(np.float64), what="diamond float64")

    # Across backward calls, gradients accumulate into .grad (torch semantics).
    w = impl.tensor(x, requires_grad=True)
    (w * 3).sum().backward()
    (w * w).sum().backward()
    assert_close(w.grad, 3 + 2 * x, "two backward calls accumulate into .grad")


def test_guard():
    guard()
