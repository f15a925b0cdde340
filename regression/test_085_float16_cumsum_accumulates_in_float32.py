"""085: cumsum of a float16 tensor accumulated in float16 (errors ~300x torch's on long rows).

**Symptom:** ``x.half().cumsum(0)`` on 4000 positive values was off the float64 result by 8.6% (normwise) where
torch's float16 cumsum is off by 0.03%: every partial sum was rounded to float16, so once the running total grew
large its increments were rounded away.

**Root cause:** numpy's ``cumsum`` of a float16 array keeps its running total in float16; torch's CPU kernel
accumulates float16 and bfloat16 in float32 and rounds each output once. (numpy's ``sum`` of float16 already
accumulates in float32, so ``sum`` and ``mean`` did not show it.)

**Fix:** ``impl.ops.reduce.cumsum`` computes on ``opmath(x)`` (float32 for float16/bfloat16, impl/ops/_common.py) and
rounds with ``from_opmath``; softmax, log_softmax, mean, var/std and the 2-norm do the same, as torch's kernels.

**How this test catches it:** the float16 cumsum of 4000 positive values, compared with float64: impl's normwise
error must not exceed 1.5x torch's own float16 error.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_low_precision.py::test_long_reductions_as_accurate_as_torch``.

**Generic tests catch it too:** yes -- property_tests/test_low_precision.py::test_long_reductions_as_accurate_as_torch.
"""
import contextlib

import numpy as np

import impl
from impl.ops import reduce
from regression._util import rewrite_source, swap_function

FAILS_WITH = r"cumsum float16: impl error"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(reduce.cumsum, ("from_opmath(np.cumsum(opmath(x), axis=axis), x)", "np.cumsum(x, axis=axis)"))
    with swap_function(reduce.cumsum, broken):
        yield


def guard():
    import torch

    a = np.abs(np.random.default_rng(0).standard_normal(4000))
    t = torch.from_numpy(a).half()
    twin = t.double().cumsum(0).numpy()
    err_t = np.abs(t.cumsum(0).double().numpy() - twin).max() / np.abs(twin).max()
    got = impl.tensor(t.double().numpy()).half().cumsum(0)
    assert got.dtype is impl.float16
    err_i = np.abs(got.numpy().astype(np.float64) - twin).max() / np.abs(twin).max()
    assert err_i <= 1.5 * err_t, f"cumsum float16: impl error {err_i:.3g} vs torch's {err_t:.3g} (normwise)"


def test_guard():
    guard()
