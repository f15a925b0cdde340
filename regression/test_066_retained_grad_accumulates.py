"""066: ``retain_grad`` overwrote a non-leaf's ``.grad`` on every backward instead of accumulating it.

**Symptom:** ``y = x * x; y.retain_grad(); y.backward(g, retain_graph=True); y.backward(g)`` left ``y.grad == g``
in impl; torch accumulates, as for leaves: ``y.grad == 2 g``. And a backward from ``y`` through a graph that was
already freed raised in both libraries, but torch had first added the seed to ``y.grad``; impl had not.

**Root cause:** the backward walk assigned the node's gradient to the retained tensor (``t.grad = g``), and the
freed-graph check ran before anything reached a retained root.

**Fix:** ``impl._autograd._run_backward`` accumulates into a retained ``.grad`` (a fresh copy the first time), and
a retained root is given its seed before the walk checks that the graph still exists, as torch's retain-grad hook
runs before the node.

**How this test catches it:** two backward passes from a retained non-leaf (values vs torch), and a third one
through the freed graph (both raise; ``.grad`` vs torch after it).

**Seen in:** found while developing (notes/bugs_found.md), by the stateful autograd fuzzer
``property_tests/test_stateful_autograd.py::TestAutogradMachine`` (2026-12-01).

**Generic tests catch it too:** yes -- the stateful fuzzer compares every ``.grad`` after every step.
"""
import contextlib

import numpy as np

from impl import _autograd
from regression._util import assert_close, rewrite_source, swap_function

FAILS_WITH = r"retained grad"


@contextlib.contextmanager
def reintroduce(variant=None):
    # the old assignment: the last gradient replaces .grad
    walk = rewrite_source(_autograd._run_backward, ("_retain(t, g, create_graph)",
                                                    "t.grad = g if create_graph else Tensor._wrap(np.array(g))"))
    with swap_function(_autograd._run_backward, walk):
        yield


def guard():
    import torch

    import impl

    x0, g0 = np.array([0.5, -1.5, 2.0]), np.array([1.0, 2.0, -0.5])
    grads = {}
    for lib in (impl, torch):
        x = lib.tensor(x0, requires_grad=True)
        y = x * x
        y.retain_grad()
        y.backward(lib.tensor(g0), retain_graph=True)
        y.backward(lib.tensor(g0))
        second = y.grad.detach().clone()
        try:
            y.backward(lib.tensor(g0))
            raised = False
        except RuntimeError:
            raised = True
        grads[lib.__name__] = (second, y.grad.detach().clone(), raised)
    assert_close(grads["impl"][0].numpy(), grads["torch"][0].numpy(), "retained grad after two backward passes")
    assert grads["impl"][2] and grads["torch"][2], "a backward through a freed graph must raise"
    assert_close(grads["impl"][1].numpy(), grads["torch"][1].numpy(), "retained grad after the refused backward")


def test_guard():
    guard()
