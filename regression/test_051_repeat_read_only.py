"""051: ``repeat`` returned a read-only array: any in-place op on its result crashed with a numpy ValueError.

**Symptom:** ``y = impl.tensor([1., 2., 3.]).repeat(1); y.mul_(2)`` raised ``ValueError: assignment destination is
read-only`` (not even a RuntimeError naming the op); torch's repeat returns a fresh tensor that can be written.
The same for every repeat whose reshape could be done without a copy (a repeat of 1 along every dim, or a
size-0 result). With an input that requires grad the result was a *view* of it, so impl refused the in-place
op ("in-place autograd on a view") where torch allows it.

**Root cause:** repeat is the composition reshape(expand(reshape(x))); ``expand`` is numpy's ``broadcast_to``,
a read-only view, and when the final reshape needs no copy the result stays that read-only view.

**Fix:** the composition ends with a copy (``.clone()``), as torch's repeat always allocates.

**How this test catches it:** repeats of 1, repeats with a zero, and an ordinary repeat, each modified in place
and then backpropagated, compared with torch; and the input must be unchanged.

**Seen in:** found while developing (notes/bugs_found.md), by the generic in-place-on-output check
``property_tests/test_ops.py::test_inplace_on_output`` (2026-12-01).

**Generic tests catch it too:** yes -- caught by `property_tests/test_ops.py::test_inplace_on_output[repeat]` (`python -m
regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import shape
from regression._util import check_vs_torch, rewrite_source, swap_function

FAILS_WITH = r"raised (ValueError|RuntimeError)"


@contextlib.contextmanager
def reintroduce(variant=None):
    with swap_function(shape.repeat, rewrite_source(shape.repeat, (".clone()\n", "\n"))):
        yield


def guard():
    import impl

    x = np.arange(1.0, 4.0)
    for sizes in ((1,), (1, 1), (2, 0), (2, 2)):
        def fn(lib, x, s=sizes):
            y = x.repeat(*s)
            y.mul_(2.0)
            return y

        check_vs_torch(fn, x, what=f"repeat{sizes} then mul_")
    t = impl.tensor(x)
    y = t.repeat(1)
    y.mul_(2.0)
    if not np.array_equal(t.numpy(), x):
        raise AssertionError(f"[repeat(1) then mul_] the input changed too: {t.numpy()} (torch: unchanged)")


def test_guard():
    guard()
