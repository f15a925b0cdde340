"""053: ``expand`` that repeats nothing returned a read-only array: an in-place op on it failed instead of writing
through to the input.

**Symptom:** ``x = impl.ones(3); y = x.expand(1, 3); y.mul_(2)`` raised RuntimeError ("is read-only"; before
regression 052, numpy's ValueError); torch doubles ``y`` and, since ``y`` is a view, ``x`` too. The same for
``broadcast_to``/``expand_as`` to a shape that only adds unit dims, and for ``broadcast_tensors`` operands that
already had the broadcast shape up to unit dims.

**Root cause:** expand always used numpy's ``broadcast_to``, whose result is read-only even when no element is
repeated.

**Fix:** when the expanded tensor has as many elements as the input, ``expand`` returns ``x.reshape(target)``, an
ordinary writable view (impl/ops/shape.py:expand).

**How this test catches it:** expand/broadcast_to/expand_as that add only unit dims, modified in place without
autograd: the result and the input must equal torch's (both doubled).

**Seen in:** found while developing (notes/bugs_found.md), by the no-autograd half of the generic
in-place-on-output check ``property_tests/test_ops.py::test_inplace_on_output`` (2026-12-01).

**Generic tests catch it too:** yes -- caught by `property_tests/test_ops.py::test_inplace_on_output[expand]` (`python -m
regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import inplace, shape
from regression._util import assert_close, no_crash, rewrite_source, swap_function

FAILS_WITH = r"is read-only|raised ValueError"

CASES = {
    "expand(1, 3)": lambda lib, x: x.expand(1, 3),
    "expand(-1)": lambda lib, x: x.expand(-1),
    "broadcast_to((1, 1, 3))": lambda lib, x: lib.broadcast_to(x, (1, 1, 3)),
    "expand_as(zeros(1, 3))": lambda lib, x: x.expand_as(lib.zeros(1, 3, dtype=lib.float64)),
}


@contextlib.contextmanager
def reintroduce(variant=None):
    # Writes through a read-only expanded array now go to a writable alias (inplace._writable, regression 073):
    # the bug is the read-only array reaching the in-place op, so that alias is taken away too.
    with swap_function(shape.expand, rewrite_source(shape.expand, ("        out = x.reshape(target)\n", "        pass\n"))), \
            swap_function(inplace._writable, lambda d: d):
        yield


def guard():
    import torch

    import impl

    for what, fn in CASES.items():
        ti = impl.tensor(np.array([1.0, -2.0, 3.0]))
        tt = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64)
        yt = fn(torch, tt).mul_(2.0)
        with no_crash(f"{what}.mul_(2)"):
            yi = fn(impl, ti).mul_(2.0)
        assert_close(yi.numpy(), yt.numpy(), f"{what}.mul_(2): result")
        assert_close(ti.numpy(), tt.numpy(), f"{what}.mul_(2): the input (a view writes through)")


def test_guard():
    guard()
