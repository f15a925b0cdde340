"""071: After an in-place op on a tensor that retains its grad, ``.grad`` stayed None.

**Symptom:** ``a = w + w; a.retain_grad(); a.mul_(2); a.backward(g)`` left ``a.grad`` None and ``a.retains_grad``
False in impl; torch's ``a.grad`` is ``g`` -- the gradient of ``a``'s current value -- and ``a.retains_grad`` stays
True. The same after ``add_``, ``copy_``, ``a[0] = ...`` and in-place ops on a view of ``a``.

**Root cause:** the retain mark lived on ``a``'s node; the in-place op gave ``a`` a new node and left the mark on
the old one, which no longer corresponds to ``a``'s value.

**Fix:** ``impl._autograd.retain_follows`` moves the mark to the new node (torch re-registers its retain-grad hook
on the tensor's new history), called by ``impl.ops.inplace.inplace`` for the tensor and for a view's base.

**How this test catches it:** ``retain_grad`` then ``mul_`` on the tensor, and ``mul_`` on a view of it, then two
backward passes; ``.grad`` and ``retains_grad`` vs torch.

**Seen in:** found while developing (notes/bugs_found.md), by the stateful autograd fuzzer
``property_tests/test_stateful_autograd.py::TestAutogradMachine`` (its open finding on ``.grad`` of ``add(x, x)``
after in-place ops and backward passes, 2026-12-01).

**Generic tests catch it too:** no -- only the stateful fuzzer, on the examples that draw this sequence.
"""
import contextlib

import numpy as np

from impl import _autograd
from regression._util import assert_close, swap_function

FAILS_WITH = r"retain_grad then an in-place op"


@contextlib.contextmanager
def reintroduce(variant=None):
    with swap_function(_autograd.retain_follows, lambda t, old: None):
        yield


def _run(lib, on_view):
    w = lib.tensor(np.arange(6.0).reshape(2, 3) / 5, requires_grad=True)
    a = lib.add(w, w)
    a.retain_grad()
    if on_view:
        a[0].mul_(3)
    else:
        a.mul_(2)
    g = lib.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3))
    a.backward(g, retain_graph=True)
    a.backward(g)
    return a.retains_grad, None if a.grad is None else a.grad.detach().numpy(), w.grad.detach().numpy()


def guard():
    import torch

    import impl

    for on_view in (False, True):
        what = f"retain_grad then an in-place op on {'a view of it' if on_view else 'the tensor'}"
        (ri, gi, wi), (rt, gt, wt) = _run(impl, on_view), _run(torch, on_view)
        assert ri == rt, f"{what}: retains_grad impl {ri}, torch {rt}"
        assert (gi is None) == (gt is None), f"{what}: .grad impl {gi}, torch {gt}"
        if gt is not None:
            assert_close(gi, gt, what)
        assert_close(wi, wt, f"{what}: the leaf's .grad")


def test_guard():
    guard()
