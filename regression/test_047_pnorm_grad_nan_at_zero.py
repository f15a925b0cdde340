"""047: the p-norm's gradient was NaN at a zero vector (p > 1) and at zero entries (p < 1).

**Symptom:** ``x.norm(p=3)`` of an all-zero ``x`` backpropagated NaN (torch: 0), and so did
``F.normalize(x, p=3)`` on a zero row, which is meant to take the eps clamp and give ``g / eps``. For p < 1
(``p=0.5``, ``p=-1``) a single zero entry made that entry's gradient NaN. p in {1, 2, inf} were right.

**Root cause:** the general p-norm was the composition ``pow(sum(pow(abs(x), p)), 1/p)``. At a zero vector the
outer pow's derivative ``s**(1/p - 1)/p`` is inf and the inner one ``p*|x|**(p-1)`` is 0: the chain rule gives
``inf * 0 = nan``. For p < 1 the inner derivative itself is inf at ``x == 0``. torch's norm is one primitive
whose backward masks both cases (FunctionsManual ``norm_backward``): the scale ``g / norm**(p-1)`` is 0 where
the norm is 0, and ``|x|**(p-1)`` is 0 where x is 0 for p < 1.

**Fix:** ``impl/ops/reduce.py:_pnorm`` is a primitive with torch's masked derivative.

**How this test catches it:** norms with p in {0.5, 1.5, 3, 4, -1} of a batch holding a zero row and a row with
a zero entry, and F.normalize(p=3) of a zero row, compared with torch (forward and gradient, float64 defaults);
then float64 finite differences on a zero-free input (the masking must not change the smooth case).

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_functional.py::test_normalize_and_cosine_similarity_on_zero_vectors_clamp_like_torch``,
written to pin the eps-clamp path of ``F.normalize`` after the thorough hypothesis profile's finding moved the
normalize strategy off zero.

**Generic tests catch it too:** yes -- caught by
`property_tests/test_functional.py::test_normalize_and_cosine_similarity_on_zero_vectors_clamp_like_torch[3.0-float32]`
(`python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import reduce
from regression._util import check_vs_torch, gradcheck, rewrite_source, rng, swap_function

FAILS_WITH = r"grad of input 0"


@contextlib.contextmanager
def reintroduce(variant=None):
    composite = rewrite_source(reduce.norm, ("return _pnorm(input, p, axes, keepdim)",
                                             "return ew.pow(sum(ew.pow(ew.abs(input), p), dim=dim, keepdim=keepdim), 1.0 / p)"))
    with swap_function(reduce.norm, composite):
        yield


def guard():
    x = rng(47).standard_normal((3, 4))
    x[0] = 0.0  # a zero vector
    x[1, 2] = 0.0  # a zero entry in a nonzero vector
    for p in (0.5, 1.5, 3.0, 4.0, -1.0):
        check_vs_torch(lambda lib, x, p=p: x.norm(p=p, dim=1), x, what=f"norm p={p} with a zero row and a zero entry")
    check_vs_torch(lambda lib, x: x.norm(p=3.0), np.zeros((2, 3)), what="norm p=3 of an all-zero tensor")
    check_vs_torch(lambda lib, x: lib.nn.functional.normalize(x, p=3.0, dim=1), x,
                   what="F.normalize p=3 of a zero row (the eps clamp)")
    smooth = rng(470).uniform(0.2, 2.0, (2, 3)) * rng(471).choice([-1.0, 1.0], (2, 3))
    for p in (0.5, 3.0):
        gradcheck(lambda lib, x, p=p: x.norm(p=p, dim=1), smooth, what=f"norm p={p} away from zero")


def test_guard():
    guard()
