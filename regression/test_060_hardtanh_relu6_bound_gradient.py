"""060: hardtanh and relu6 passed the gradient at their bounds (torch: 0 at x == min_val and x == max_val).

**Symptom:** ``F.relu6(x)`` gave ``x.grad`` = 1 where ``x`` is exactly 0 or 6, and ``F.hardtanh(x)`` (and
``nn.Hardtanh``, ``nn.ReLU6``) where ``x`` is exactly -1 or 1; torch gives 0 there, and 1 at ``nan``, where impl
gave 0. Exact bounds are common, not a measure-zero curiosity: a ReLU6 after a ReLU sees many exact zeros, and
quantised or clipped inputs sit on the bounds.

**Root cause:** hardtanh was written as ``clamp(x, min_val, max_val)``, whose gradient passes on the closed
interval ``min <= x <= max``; torch's hardtanh is an op of its own whose ``hardtanh_backward`` zeroes
``x <= min_val or x >= max_val`` (the open interval, nan passing through).

**Fix:** ``impl.nn.functional.hardtanh`` (and relu6, built on it) calls ``impl.ops.elementwise._hardtanh``, a
primitive with torch's ``HardtanhBackward0``.

**How this test catches it:** values and gradients against torch (random cotangent) of ``F.hardtanh`` with
default and custom bounds, ``F.relu6`` and the in-place forms on inputs holding both bounds exactly, values
between and outside them, and ``nan``, float32 and float64.

**Seen in:** found while developing (notes/bugs_found.md), by the guard of 059 (a relu6 boundary point disagreed with torch): ``regression/test_059_relu_clamp_masked_gradient_nan.py::test_guard`` (2026-12-01).

**Generic tests catch it too:** no — with the bug reintroduced, the hardtanh/relu6 specs and modules of property_tests/test_functional.py and test_module_template.py, test_special_values.py and test_numerical_extremes.py all pass: their samples keep away from the kinks, where the two gradients agree.
"""
import contextlib

import numpy as np

from impl.ops import elementwise as ew
from regression._util import check_vs_torch, swap_function

FAILS_WITH = r"grad of input"


@contextlib.contextmanager
def reintroduce(variant=None):
    with swap_function(ew._hardtanh, ew.clamp):
        yield


def _with_inplace(fn):
    def run(lib, x):
        y = x * 1  # in place on a non-leaf, as a model would
        return fn(lib, y)

    return run


def guard():
    nan = float("nan")
    for dt in (np.float32, np.float64):
        x = np.array([-2.0, -1.0, -0.5, 0.0, -0.0, 0.25, 1.0, 3.0, 6.0, 7.5, nan], dtype=dt)
        tag = np.dtype(dt).name
        check_vs_torch(lambda lib, x: lib.nn.functional.hardtanh(x), x, what=f"hardtanh ({tag})")
        check_vs_torch(lambda lib, x: lib.nn.functional.hardtanh(x, -0.5, 3.0), x, what=f"hardtanh(-0.5, 3) ({tag})")
        check_vs_torch(lambda lib, x: lib.nn.functional.relu6(x), x, what=f"relu6 ({tag})")
        check_vs_torch(_with_inplace(lambda lib, y: lib.nn.functional.relu6(y, inplace=True)), x,
                       what=f"relu6 in place ({tag})")
        check_vs_torch(lambda lib, x: lib.nn.ReLU6()(x), x, what=f"nn.ReLU6 ({tag})")


def test_guard():
    guard()
