"""070: A backward through a graph made before ``x.requires_grad_(False)`` still accumulated into ``x.grad``.

**Symptom:** ``m = x.mean(1, keepdim=True); m.backward(g, retain_graph=True); x.requires_grad_(False);
m.backward(g)`` doubled ``x.grad`` in impl; torch leaves it as the first backward set it (its AccumulateGrad node
accumulates nothing into a tensor that no longer requires grad). The retained ``.grad`` of non-leaves on the way
was right in both.

**Root cause:** the walk handed every gradient that reached a leaf edge to ``.grad`` without asking whether the
leaf still required grad; the edge was fixed when the graph was made.

**Fix:** ``impl._autograd._run_backward`` (``to_leaf``) skips a leaf whose ``requires_grad`` is now False, as
torch's AccumulateGrad.

**How this test catches it:** the sequence above, and the same with the second backward from a later op on ``m``,
compared with torch (``x.grad`` and the retained ``m.grad``).

**Seen in:** found while developing (notes/bugs_found.md), by the stateful autograd fuzzer
``property_tests/test_stateful_autograd.py::TestAutogradMachine`` (2026-12-01).

**Generic tests catch it too:** no -- only the stateful fuzzer, on the examples that draw this sequence.
"""
import contextlib

import numpy as np

from impl import _autograd
from regression._util import assert_close, rewrite_source, swap_function

FAILS_WITH = r"x.grad after requires_grad_\(False\)"


@contextlib.contextmanager
def reintroduce(variant=None):
    walk = rewrite_source(_autograd._run_backward, ("        if not t.requires_grad:\n            return  #",
                                                    "        if False:\n            return  #"))
    with swap_function(_autograd._run_backward, walk):
        yield


def _run(lib, second):
    x = lib.tensor(np.arange(6.0).reshape(2, 3) / 7, requires_grad=True)
    m = x.mean(dim=1, keepdim=True)
    m.retain_grad()
    m.backward(lib.ones_like(m), retain_graph=True)
    x.requires_grad_(False)
    if second == "m":
        m.backward(lib.full_like(m, 2.0))
    else:
        (x - m).backward(lib.full_like(x, 0.5))
    return x.grad.detach().numpy(), m.grad.detach().numpy()


def guard():
    import torch

    import impl

    for second in ("m", "x - m"):
        (xi, mi), (xt, mt) = _run(impl, second), _run(torch, second)
        assert_close(xi, xt, f"x.grad after requires_grad_(False), second backward from {second}")
        assert_close(mi, mt, f"retained m.grad, second backward from {second}")


def test_guard():
    guard()
