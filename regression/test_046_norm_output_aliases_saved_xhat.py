"""046: layer_norm/group_norm without affine parameters returned the array their backward reads.

**Symptom:** ``y = F.layer_norm(x, (5,))`` (no weight, no bias), then an in-place op on ``y`` (``y.mul_(2)``)
and a backward through it gave a wrong input gradient (max abs error 6.7 on a (3, 5) float64 example; torch is
exact). The same for ``group_norm(..., weight=None, bias=None)`` and ``LayerNorm(elementwise_affine=False)``.

**Root cause:** the fused normalisation primitive returned ``out = xhat`` when there was no affine map, and its
backward closure reads ``xhat``. The engine version-checks the *inputs* a node saved, not arrays shared with
its output, so an in-place op on the output silently changed the values the gradient formula uses.

**Fix:** ``impl/nn/functional/normalization.py:_norm_affine`` never returns ``xhat`` itself (a copy when there is
no weight and no bias; ``xhat * w`` and ``xhat + b`` are fresh arrays).

**How this test catches it:** F.layer_norm and nn.LayerNorm without affine parameters, output modified in place
(``mul_``), then the input gradient under a random cotangent is compared with torch's (float64 defaults).

**Seen in:** found while developing (notes/bugs_found.md), by reading the fused normalisation code during the
performance work of 2026-11-23 (no test caught it then); since 2026-12-01
``property_tests/test_ops.py::test_inplace_on_output`` catches it (the ``F.layer_norm_no_affine`` spec).

**Generic tests catch it too:** yes -- caught by `property_tests/test_ops.py::test_inplace_on_output[F.layer_norm_no_affine]` (`python -m
regression.crosscheck`).
"""
import contextlib

from impl.nn.functional import normalization
from regression._util import check_vs_torch, rewrite_source, rng, swap_function

FAILS_WITH = r"grad of input 0"


@contextlib.contextmanager
def reintroduce(variant=None):
    aliased = rewrite_source(normalization._norm_affine, ("(xhat + b if b is not None else xhat.copy())", "(xhat + b if b is not None else xhat)"))
    with swap_function(normalization._norm_affine, aliased):
        yield


def _then_inplace(norm):
    def fn(lib, x):
        y = norm(lib, x)
        y.mul_(2.0)  # allowed by torch: the output is not saved by its backward
        return y

    return fn


def guard():
    x = rng(46).standard_normal((3, 4, 5))
    check_vs_torch(_then_inplace(lambda lib, x: lib.nn.functional.layer_norm(x, (5,))), x,
                   what="layer_norm without affine, output modified in place")
    # LayerNorm(elementwise_affine=False) goes through the same primitive. (group_norm's output is a reshape
    # view, and impl refuses in-place autograd on views, so it cannot be exercised this way.)
    check_vs_torch(_then_inplace(lambda lib, x: lib.nn.LayerNorm(5, elementwise_affine=False)(x)), x,
                   what="LayerNorm(elementwise_affine=False), output modified in place")


def test_guard():
    guard()
