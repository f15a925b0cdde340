"""036: ELU lost the sign of -0.0 and gave a nan gradient at nan.

**Symptom:** ``elu(-0.0)`` returned ``+0.0`` (torch: ``-0.0``) and the gradient of ELU at ``nan`` was ``nan``
(torch: 1, the identity branch), so a single ``nan`` activation spread ``nan`` into the weights' gradients
where torch's would not.

**Root cause:** The branches were selected with ``x > 0`` and the negative branch was evaluated at
``minimum(x, 0)``; ``np.minimum(-0.0, 0) == +0.0``, and ``nan > 0`` is False so ``nan`` took the
exponential branch. torch selects with ``x <= 0``, so ``nan`` takes the identity branch.

**Fix:** ``impl.ops.elementwise.elu`` selects with ``x <= 0`` in forward and backward and evaluates the
exponential branch at ``where(x <= 0, x, 0)``.

**How this test catches it:** ELU values (including the sign bit of zeros) and gradients against torch
(random cotangent) on inputs holding ``nan``, ``-0.0``, ``0.0`` and ordinary values, for ``alpha`` 1 and 0.5,
float32 and float64.

**Seen in:** found while developing (notes/bugs_found.md), by the special-values table,
``property_tests/test_special_values.py::test_special_value`` (-0.0 and nan through ``elu``).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_special_values.py::test_special_value fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.ops import elementwise as ew
from regression._util import check_vs_torch, rewrite_source, swap_function, to_np

FAILS_WITH = r"sign bit|grad of input"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(
        ew.elu,
        ("lambda x: np.where(x <= 0, x.dtype.type(alpha) * np.expm1(np.where(x <= 0, x, 0)), x)",
         "lambda x: np.where(x > 0, x, x.dtype.type(alpha) * np.expm1(np.minimum(x, 0)))"),
        ("lambda g, x, o: np.where(x <= 0, g * x.dtype.type(alpha) * np.exp(np.where(x <= 0, x, 0)), g)",
         "lambda g, x, o: np.where(x > 0, g, g * x.dtype.type(alpha) * np.exp(np.minimum(x, 0)))"),
    )
    with swap_function(ew.elu, broken):
        yield


def guard():
    import torch

    for dt in (np.float32, np.float64):
        x = np.array([-0.0, 0.0, float("nan"), 1.3, -0.4, -3.0], dtype=dt)
        for alpha in (1.0, 0.5):
            tag = f"{np.dtype(dt).name}, alpha={alpha}"
            got = to_np(impl.nn.functional.elu(impl.tensor(x), alpha=alpha))
            want = torch.nn.functional.elu(torch.tensor(x), alpha=alpha).numpy()
            zeros = want == 0
            if not np.array_equal(np.signbit(got[zeros]), np.signbit(want[zeros])):
                raise AssertionError(f"elu ({tag}): sign bit of zeros differs from torch: impl {got} vs torch {want}")
            check_vs_torch(lambda lib, x, alpha=alpha: lib.nn.functional.elu(x, alpha=alpha), x, what=f"elu ({tag})")


def test_guard():
    guard()
