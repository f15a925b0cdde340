"""033: Exact GELU crashed on 0-d tensors.

**Symptom:** ``impl.gelu(impl.tensor(0.5))`` (and ``F.gelu``, ``nn.GELU`` on a scalar loss term) raised
``AttributeError: 'float' object has no attribute 'astype'``; tensors of any other rank worked.

**Root cause:** Exact GELU needs ``erf``, which numpy lacks; impl builds it with
``np.frompyfunc(math.erf)``. Arithmetic on a 0-d array returns a numpy *scalar*, and ``frompyfunc`` applied
to a scalar returns a plain Python float, which has no ``.astype``.

**Fix:** ``impl.ops._special.erf`` wraps the ``frompyfunc`` result in ``np.asarray(..., dtype=object)``
before casting back to the input's dtype.

**How this test catches it:** exact and tanh-approximate GELU on 0-d, 1-element and 2-D inputs (float32 and
float64) against torch, values and gradients, plus a float64 finite-difference check at a 0-d point.

**Seen in:** found while developing (notes/bugs_found.md), by the ``F.gelu`` spec's 0-d shapes in
``property_tests/test_ops.py::test_forward_and_vjp``.

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_models.py::test_mlp_twin fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import _special
from regression._util import check_vs_torch, gradcheck, rng, swap_function

FAILS_WITH = r"raised AttributeError"


@contextlib.contextmanager
def reintroduce(variant=None):
    def erf_without_asarray(x):
        return _special._erf_scalar(x).astype(x.dtype)

    with swap_function(_special.erf, erf_without_asarray):
        yield


def guard():
    r = rng(33)
    for dt in (np.float32, np.float64):
        for shape in ((), (1,), (3, 4)):
            x = r.standard_normal(shape).astype(dt)
            tag = f"{np.dtype(dt).name}, shape {shape}"
            check_vs_torch(lambda lib, x: lib.nn.functional.gelu(x), x, what=f"gelu ({tag})")
            check_vs_torch(lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"), x, what=f"gelu tanh ({tag})")
    gradcheck(lambda lib, x: lib.nn.GELU()(x), np.array(0.37), what="GELU at a 0-d point, float64")


def test_guard():
    guard()
