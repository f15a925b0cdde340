"""030: Softmax/log-softmax without the max shift overflowed to NaN on large logits.

**Symptom:** Training ran for a while and then the loss became ``nan`` for good: once any logit grew past
~88 (float32) ``exp`` overflowed to ``inf`` and ``inf / inf`` gave ``nan``; very negative logits
underflowed to ``0 / 0`` and ``log(0) = -inf`` in log-softmax and cross-entropy.

**Root cause:** ``softmax(x) = exp(x) / sum(exp(x))`` evaluated literally. The function is invariant to
subtracting a constant per row, and subtracting the row max keeps every ``exp`` argument ``<= 0``.

**Fix:** ``impl.ops.reduce.softmax``/``log_softmax`` and the fused cross-entropy primitive
(``impl.nn.functional.loss._soft_ce``) subtract the row max first (log-sum-exp form for the logs; rows whose
max is infinite are shifted by 0 so ``-inf`` rows stay ``-inf`` as in torch).

**How this test catches it:** values and gradients against torch (random cotangent) for softmax and
log_softmax on logits near +1000 and -1000 (float32 and float64), cross-entropy on logits near 1000, and a
float32 softmax on logits around 100 (past float32's ``exp`` overflow). The unshifted versions give
``nan``/``inf`` where torch gives finite numbers.

**Seen in:** MicroGrad+'s troubleshooting guide (numerical instability in softmax: subtract the max first).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_numerical_extremes.py::test_activation_extremes fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.nn.functional import loss as F_loss
from impl.ops import reduce
from regression._util import check_vs_torch, rewrite_source, rng, stack, swap_function

FAILS_WITH = r": values\]|raised"


@contextlib.contextmanager
def reintroduce(variant=None):
    softmax = rewrite_source(reduce.softmax, ("np.exp(xo - np.max(xo, axis=axis, keepdims=True))", "np.exp(xo)"))
    log_softmax = rewrite_source(reduce.log_softmax, ("shifted = xo - m", "shifted = xo"))
    soft_ce = rewrite_source(F_loss._soft_ce, ("shifted = x - m", "shifted = x"))
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"), stack(
        swap_function(reduce.softmax, softmax),
        swap_function(reduce.log_softmax, log_softmax),
        swap_function(F_loss._soft_ce, soft_ce),
    ):
        yield


def guard():
    r = rng(30)
    for dt in (np.float32, np.float64):
        base = r.standard_normal((3, 5)).astype(dt)
        for offset in (1000.0, -1000.0):
            x = (base + dt(offset)).astype(dt)
            tag = f"{np.dtype(dt).name}, logits near {offset:+.0f}"
            check_vs_torch(lambda lib, x: x.softmax(dim=-1), x, what=f"softmax ({tag})")
            check_vs_torch(lambda lib, x: x.log_softmax(dim=-1), x, what=f"log_softmax ({tag})")
    x = (r.standard_normal((4, 6)) * 3 + 100).astype(np.float32)
    check_vs_torch(lambda lib, x: lib.nn.functional.softmax(x, dim=1), x, what="F.softmax float32 around 100")
    logits = (r.standard_normal((4, 6)) + 1000).astype(np.float32)
    target = np.array([0, 5, 2, 3])
    check_vs_torch(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), logits, target,
                   requires_grad=[True, False], what="cross_entropy on logits near 1000")


def test_guard():
    guard()
