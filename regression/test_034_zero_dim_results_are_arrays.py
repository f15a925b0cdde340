"""034: 0-d op results were numpy scalars, so in-place ops on them crashed.

**Symptom:** ``y = impl.tensor(0.5) * 2; y.add_(1)`` raised ``TypeError: copyto() argument 1 must be a
numpy.ndarray, not numpy.float32``; the same for any 0-d result of exp/tanh/sigmoid/mul/... -- typically a
reduced loss that a training loop then scaled in place (``loss.mul_(weight)``, ``loss /= accum_steps``).

**Root cause:** numpy returns a numpy scalar, not a 0-d array, from arithmetic on 0-d arrays, and
``apply`` stored it as ``Tensor._data`` unchanged, breaking every consumer that needs an ndarray
(``np.copyto``, item assignment, ``out=`` arguments).

**Fix:** ``impl._autograd.apply`` wraps a non-ndarray forward result with ``np.asarray`` (one type check per
op), so ``Tensor._data`` is always an ndarray.

**How this test catches it:** in-place ops on 0-d results (``add_``, ``mul_``, ``/=``, ``clamp_``) with
values and -- for the recorded ones on a graph -- the gradient of the 0-d leaf against torch; plus a check
that every such result's ``_data`` is an ``np.ndarray``.

**Seen in:** found while developing (notes/bugs_found.md); which test found it is not recorded.
``property_tests/test_ops.py::test_forward_and_vjp`` catches it now.

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_meta.py::test_parity_job_exits_1_on_a_planted_bug, property_tests/test_ops.py::test_forward_and_vjp fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl import _autograd
from regression._util import assert_close, check_vs_torch, no_crash, rewrite_source, swap_function

FAILS_WITH = r"raised TypeError|not an ndarray|is read-only"  # the last: in-place ops refuse a numpy scalar (regression 052)


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(
        _autograd._record, ("t._data = out if isinstance(out, np.ndarray) else np.asarray(out)", "t._data = out")
    )
    with swap_function(_autograd._record, broken):
        yield


def guard():
    with no_crash("0-d in-place add_"):
        y = impl.tensor(0.5) * 2
        y.add_(1)
    assert_close(y, np.array(2.0, dtype=np.float32), "(0.5 * 2).add_(1)")
    x0 = np.array(0.5, dtype=np.float32)
    for name, fn in (("x * 2", lambda t: t * 2), ("exp", lambda t: t.exp()), ("tanh", lambda t: t.tanh()),
                     ("sigmoid", lambda t: t.sigmoid()), ("sum of a vector", lambda t: (t * impl.ones(3)).sum())):
        y = fn(impl.tensor(x0))
        if type(y._data) is not np.ndarray:
            raise AssertionError(f"{name}: a 0-d result's _data is {type(y._data).__name__}, not an ndarray")

    def scaled_loss(lib, x):
        loss = x * x * 3 + 0.25
        loss.mul_(2.0)
        loss /= 4.0
        return loss.clamp_(-0.5, 0.5)

    check_vs_torch(scaled_loss, x0, what="0-d loss scaled in place")
    check_vs_torch(scaled_loss, np.array(0.05, dtype=np.float64), what="0-d float64 loss scaled in place")


def test_guard():
    guard()
