"""096: bfloat16 tensors reported float32's byte sizes and limits.

**Symptom:** a bfloat16 tensor's ``nbytes`` and ``itemsize`` were those of float32 (4 bytes an element; torch: 2),
and ``nan_to_num`` of a bfloat16 ``inf`` gave ``inf`` where torch gives bfloat16's largest finite value.

**Root cause:** bfloat16 is stored as a float32 array (``impl._dtype.BFloat16Array``); ``nbytes``/``itemsize`` read
the storage array's, and ``nan_to_num`` took its default replacement of inf from ``np.finfo`` of the storage dtype:
float32's max rounds up to inf in bfloat16.

**Fix:** ``impl.ops.tensor_methods`` computes ``nbytes``/``itemsize`` from the tensor's dtype (as
``element_size`` did); ``impl.ops.math.nan_to_num`` takes the limits from ``impl.finfo`` of the tensor's dtype.

**How this test catches it:** ``nbytes``, ``itemsize`` and ``nan_to_num`` of a bfloat16 tensor holding nan and
+-inf, compared with torch's.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_low_precision.py::test_low_precision_forward``.

**Generic tests catch it too:** yes -- property_tests/test_low_precision.py::test_low_precision_forward.
"""
import contextlib

import numpy as np

from impl.ops import math as impl_math
from regression._util import rewrite_source, swap_function

FAILS_WITH = r"nan_to_num"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(impl_math.nan_to_num, ("_dtype.finfo(input.dtype)", "np.finfo(x.dtype)"))
    with swap_function(impl_math.nan_to_num, broken):
        yield


def _run(lib):
    x = lib.tensor([np.nan, np.inf, -np.inf, 1.5]).to(lib.bfloat16)
    return x.nbytes, x.itemsize, x.nan_to_num().double().numpy()


def guard():
    import torch

    import impl

    (ni, si, vi), (nt, st, vt) = _run(impl), _run(torch)
    assert (ni, si) == (nt, st), f"bfloat16 nbytes, itemsize: impl {(ni, si)}, torch {(nt, st)}"
    assert np.array_equal(vi, vt), f"nan_to_num of bfloat16 nan, inf, -inf, 1.5: impl {vi}, torch {vt}"


def test_guard():
    guard()
