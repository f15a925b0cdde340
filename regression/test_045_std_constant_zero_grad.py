"""045: std of a constant slice backpropagated nan (torch: 0).

**Symptom:** ``impl.tensor([1., 1., 1.], requires_grad=True).std().backward()`` gave ``nan`` gradients; torch gives
zeros. Any normalisation by ``std`` over a constant row or channel (a padded sequence, a dead feature map, a
0-d value with ``correction=0``) poisoned every upstream gradient with ``nan``.

**Root cause:** std was the composite ``sqrt(var)``; sqrt's backward at 0 is ``g / (2 * 0) = inf``, and var's
backward multiplies it by ``x - mean = 0``: ``0 * inf = nan``. torch's std backward masks the zero-std entries.

**Fix:** ``impl.ops.reduce.std`` keeps var as a composite but applies its own square-root step
(``StdBackward0``, torch's node name) whose gradient is 0 where the result is 0.

**How this test catches it:** std values and gradients against torch (random cotangent) on a tensor whose
rows include a constant one, for ``dim=1`` with and without keepdim, ``correction`` 0 and 1, the full std of a
constant tensor and a 0-d ``std(dim=0, correction=0)``; plus a float64 finite-difference check away from 0.

**Seen in:** found while developing (notes/bugs_found.md), by the guard of entry 038,
``regression/test_038_zero_dim_reduction_dim.py::test_guard``.

**Generic tests catch it too:** yes -- caught by `property_tests/test_special_values.py::test_constant_input[std-1.5]` (`python -m
regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import elementwise as ew
from impl.ops import reduce
from regression._util import check_vs_torch, gradcheck, rng, swap_function

FAILS_WITH = r"grad of input 0"


@contextlib.contextmanager
def reintroduce(variant=None):
    def std_as_sqrt_of_var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return ew.sqrt(reduce.var(input, dim, unbiased, keepdim, correction=correction))

    with np.errstate(divide="ignore", invalid="ignore"), swap_function(reduce.std, std_as_sqrt_of_var):
        yield


def guard():
    r = rng(45)
    x = r.standard_normal((3, 4)).astype(np.float32)
    x[1] = 0.25  # a constant row
    for correction in (0, 1):
        for keepdim in (False, True):
            check_vs_torch(lambda lib, x, k=keepdim, c=correction: x.std(dim=1, keepdim=k, correction=c), x,
                           what=f"std(dim=1, keepdim={keepdim}, correction={correction}) with a constant row")
    check_vs_torch(lambda lib, x: x.std(), np.full((2, 3), 1.5, np.float32), what="std() of a constant tensor")
    check_vs_torch(lambda lib, x: x.std(dim=0, correction=0), np.array(2.0, np.float32), what="0-d std(dim=0, correction=0)")
    gradcheck(lambda lib, x: x.std(dim=0), r.standard_normal((4, 2)), what="std float64")


def test_guard():
    guard()
