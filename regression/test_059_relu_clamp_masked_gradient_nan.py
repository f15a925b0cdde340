"""059: relu and clamp let an infinite gradient through their cut-off region as nan (torch: 0).

**Symptom:** ``x.relu().sqrt()`` (and ``x.relu().log()``, ``x.clamp(min=0).sqrt()``, relu6/hardtanh, which were
built on clamp, followed by ``sqrt``/``log``/``rsqrt``) gave ``x.grad`` = ``nan`` wherever ``x < 0``; torch gives 0 there. One such element poisons every weight
gradient upstream through a matmul, so a model with a ``sqrt``/``log`` after a ReLU trained in torch and diverged
to ``nan`` in impl.

**Root cause:** the backward multiplied the incoming gradient by the 0/1 mask (``g * mask``): where the
activation is cut off its output is 0, ``sqrt``/``log`` send back ``inf`` there, and ``inf * 0 = nan``. torch's
``threshold_backward`` and clamp's backward *select* (``where(mask, g, 0)``), which gives 0 whatever ``g`` is.

**Fix:** ``impl.ops.elementwise.relu`` and ``impl.ops.elementwise.clamp`` select with ``where`` as torch does
(clamp_min/clamp_max are built on clamp; hardtanh and relu6 are now ``_hardtanh``, which selects too).

**How this test catches it:** forward and gradient against torch (random cotangent) of ``relu``/``clamp``
followed by ``sqrt``, ``log`` and ``rsqrt`` on inputs with negative, zero and positive elements, float32 and
float64; a variant per op.

**Seen in:** found while developing (notes/bugs_found.md), by a hand comparison of second derivatives with torch while the elementwise derivatives were rewritten in impl ops; guarded by ``regression/test_059_relu_clamp_masked_gradient_nan.py::test_guard`` (2026-12-01).

**Generic tests catch it too:** no — with the bug reintroduced, the relu/clamp/clip specs of property_tests/test_ops.py and test_functional.py, test_special_values.py and test_numerical_extremes.py all pass: their cotangents are finite, and no spec composes a cut-off op with one whose derivative is infinite at 0.
"""
import contextlib

import numpy as np

from impl.ops import elementwise as ew
from regression._util import check_vs_torch, rewrite_source, rng, stack, swap_function

VARIANTS = ("relu", "clamp")
FAILS_WITH = r"grad of input"


@contextlib.contextmanager
def reintroduce(variant=None):
    patches = []
    if variant in (None, "relu"):
        patches.append(swap_function(ew.relu, rewrite_source(
            ew.relu, ("_gate(o._data <= 0, 0.0, g)", "g * _const(~(o._data <= 0))"))))
    if variant in (None, "clamp"):
        patches.append(swap_function(ew.clamp, rewrite_source(ew.clamp, ("_gate(inside, g, 0.0)", "g * _const(inside)"))))
    with np.errstate(invalid="ignore", divide="ignore"), stack(*patches):
        yield


def guard():
    r = rng(75)
    for dt in (np.float32, np.float64):
        x = np.concatenate([[-1.5, -0.0, 0.0, 2.0], r.standard_normal(8)]).astype(dt)
        tag = np.dtype(dt).name
        with np.errstate(invalid="ignore", divide="ignore"):
            check_vs_torch(lambda lib, x: x.relu().sqrt(), x, what=f"relu then sqrt ({tag})")
            check_vs_torch(lambda lib, x: lib.nn.functional.relu(x).log(), x, what=f"F.relu then log ({tag})")
            check_vs_torch(lambda lib, x: x.clamp(min=0).sqrt(), x, what=f"clamp(min=0) then sqrt ({tag})")
            check_vs_torch(lambda lib, x: x.clamp(0.5, 1.0).sub(0.5).sqrt(), x, what=f"clamp(0.5, 1) - 0.5 then sqrt ({tag})")
            check_vs_torch(lambda lib, x: x.clamp(max=-0.5).neg().sub(0.5).rsqrt(), x,
                           what=f"clamp(max=-0.5) then rsqrt of its distance to the bound ({tag})")


def test_guard():
    guard()
