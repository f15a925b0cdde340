"""038: Reductions with a ``dim`` on a 0-d tensor crashed with numpy's AxisError.

**Symptom:** ``impl.tensor(2.).sum(dim=0)`` (also ``dim=(0,)``, ``-1``; mean, amax, amin, logsumexp, norm,
var, std, all, any, count_nonzero) raised ``numpy.exceptions.AxisError: axis 0 is out of bounds for array of
dimension 0``; torch accepts dim 0 / -1 on a 0-d tensor and reduces over nothing. ``prod(dim=0)`` of a 0-d
tensor computed the forward but its backward raised ``IndexError``. Generic code that reduces "the last dim"
of whatever it gets (a per-sample loss that is already a scalar) broke.

**Root cause:** ``norm_dims`` wraps dims with ``max(ndim, 1)`` (as torch) and returned axis 0, which numpy
refuses on a 0-d array; ``_prod_grad`` indexed ``x.shape[axis]``.

**Fix:** ``impl.ops.reduce._axes`` validates the dims and then returns ``()`` for a 0-d input; ``prod(dim)``
of a 0-d tensor is the identity with gradient ``g``.

**How this test catches it:** values and gradients against torch for ``sum``/``mean``/``amax``/``logsumexp``/
``norm``/``std(correction=0)`` with ``dim=0``, ``dim=-1`` and ``dim=(0,)`` (keepdim both ways) and ``prod(dim=0)``
on a 0-d tensor.

**Seen in:** found while developing (notes/bugs_found.md), by the generated op tests on 0-d shapes,
``property_tests/test_ops.py::test_forward_and_vjp`` (specs ``sum_dim``, ``mean_dim``, ``amax``, ...).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_meta.py::test_planted_backward_ignoring_its_gradient_is_caught, property_tests/test_ops.py::test_forward_and_vjp fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import reduce
from regression._util import check_vs_torch, rewrite_source, swap_function

FAILS_WITH = r"raised (AxisError|IndexError)"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(reduce._axes, ("return axes if input._data.ndim else ()", "return axes"))
    with swap_function(reduce._axes, broken):
        yield


def guard():
    x = np.array(1.7, dtype=np.float32)
    for dim in (0, -1, (0,)):
        for keepdim in (False, True):
            tag = f"dim={dim}, keepdim={keepdim}"
            check_vs_torch(lambda lib, x, dim=dim, keepdim=keepdim: x.sum(dim=dim, keepdim=keepdim), x, what=f"0-d sum({tag})")
            check_vs_torch(lambda lib, x, dim=dim, keepdim=keepdim: x.mean(dim=dim, keepdim=keepdim), x, what=f"0-d mean({tag})")
            check_vs_torch(lambda lib, x, dim=dim, keepdim=keepdim: x.amax(dim=dim, keepdim=keepdim), x, what=f"0-d amax({tag})")
            check_vs_torch(lambda lib, x, dim=dim, keepdim=keepdim: x.logsumexp(dim=dim, keepdim=keepdim), x, what=f"0-d logsumexp({tag})")
            check_vs_torch(lambda lib, x, dim=dim, keepdim=keepdim: x.norm(dim=dim, keepdim=keepdim), x, what=f"0-d norm({tag})")
            check_vs_torch(lambda lib, x, dim=dim, keepdim=keepdim: x.std(dim=dim, keepdim=keepdim, correction=0), x, what=f"0-d std({tag})")
    check_vs_torch(lambda lib, x: x.prod(dim=0), x, what="0-d prod(dim=0)")


def test_guard():
    guard()
