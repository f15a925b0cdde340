"""019: Broadcast gradients were not reduced to the operand's shape (bias of mean/add).

**Symptom:** ``x @ W + b`` gave ``b.grad`` the shape of the *output* ``(N, out)`` instead of ``(out,)``;
the optimizer then broadcast the update into the bias (turning it into a matrix) or failed with a shape
error, and per-channel scales ``(1, C, 1, 1)`` got per-pixel gradients. The remote-tensor library of the
'MLP Training Issues' notes logged a linear model whose loss *rose* (0.39 -> 1.52 over 3 epochs) while this
bug was among the open ones.

**Root cause:** When numpy broadcasts an operand in the forward pass, the backward must sum the incoming
gradient over every broadcast axis (leading axes that were added, and axes of size 1 that were
stretched). The add/mul/mean backward returned the full-size gradient unchanged.

**Fix:** ``impl._autograd.unbroadcast`` is the single place that sums a gradient down to its input's shape;
``run_backward`` applies it to every gradient an op returns, so no op un-broadcasts by itself.

**How this test catches it:** gradients of *every* operand against torch, shape and values (random
cotangent), for ``x @ W + b``, a ``(1, C, 1, 1)`` scale times an image batch, a 0-d tensor times a matrix,
``(3, 1) - (4,)`` (both operands broadcast), ``where`` with a broadcast branch, and a bias through ``mean``.

**Seen in:** the remote-tensor library's 'MLP Training Issues' notes (mean and add gradients fixed to handle
broadcasting) and MicroGrad+'s troubleshooting guide (wrong gradient shape under broadcasting, and its
``_unbroadcast``).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_determinism.py::test_whole_training_run_is_bit_identical fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl import _autograd
from regression._util import check_vs_torch, rng, swap_function

FAILS_WITH = r": shape\]|raised"


@contextlib.contextmanager
def reintroduce(variant=None):
    def unbroadcast_nothing(g, shape):
        return g

    with swap_function(_autograd.unbroadcast, unbroadcast_nothing):
        yield


def guard():
    r = rng(19)
    f = lambda *s: r.standard_normal(s).astype(np.float32)  # noqa: E731
    check_vs_torch(lambda lib, x, w, b: x @ w + b, f(5, 3), f(3, 4), f(4), what="x @ W + b")
    check_vs_torch(lambda lib, x, s: x * s, f(2, 3, 4, 4), f(1, 3, 1, 1), what="image * (1,C,1,1) scale")
    check_vs_torch(lambda lib, x, s: x * s, f(3, 4), f(), what="matrix * 0-d tensor")
    check_vs_torch(lambda lib, a, b: a - b, f(3, 1), f(4), what="(3,1) - (4,)")
    check_vs_torch(lambda lib, x, y: lib.where(x > 0, x, y), f(3, 4), f(4), what="where(x > 0, x, row)")
    check_vs_torch(lambda lib, x, b: (x + b).mean(dim=0), f(6, 4), f(4), what="mean(x + b)")


def test_guard():
    guard()
