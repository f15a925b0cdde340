"""022: The tape/graph was never cleared after backward: memory grew every step.

**Symptom:** Memory grew by one full set of activations per training step until the process was killed.
Keeping the loss for logging (``history.append(loss)``) was enough to pin every intermediate tensor of
every step; a second ``backward()`` through the same graph silently "worked" and doubled the gradients.

**Root cause:** The engine recorded ops on a tape/graph and never released it: after backward each node
still referenced its input tensors and the arrays its backward closure had saved.

**Fix:** after a node's backward has run, ``impl._autograd.run_backward`` drops its inputs, closure and
saved tensors (unless ``retain_graph=True``), so activations die with the last user reference; a second
backward through a freed node raises torch's "Trying to backward through the graph a second time" error.

**How this test catches it:** (1) a weak reference to an intermediate activation must be dead after
``backward()`` even though the loss tensor is still alive; (2) a 5-step training loop that keeps every loss
in a list must leave none of the per-step hidden activations alive (weak references taken by a forward
hook); (3) a second ``backward()`` must raise ``RuntimeError`` as torch does, while ``retain_graph=True``
must allow it and accumulate exactly twice torch's gradient.

**Seen in:** the remote-tensor library's 'MLP Training Issues' notes (the autograd tape was never cleared after
``backward()``: a memory leak).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_engine.py::test_second_backward_through_freed_graph_raises fail (measured by `python -m regression.crosscheck`).
"""
import contextlib
import gc
import weakref

import numpy as np

import impl
from impl import _autograd
from regression._util import assert_close, must_raise, rewrite_source, rng, swap_function

FAILS_WITH = r"alive|did not raise"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(_autograd._run_backward, ("        if not retain_graph:\n", "        if False:\n"))
    with swap_function(_autograd._run_backward, broken):
        yield


def guard():
    r = rng(22)
    x0 = r.standard_normal((3, 4)).astype(np.float32)

    # (1) one graph
    x = impl.tensor(x0, requires_grad=True)
    y = x.exp()
    ref = weakref.ref(y)
    loss = (y * y).sum()
    del y
    loss.backward()
    gc.collect()
    if ref() is not None:
        raise AssertionError("an intermediate activation is still alive after backward (the graph was not freed)")

    # (2) a training loop that keeps its losses
    model = impl.nn.Sequential(impl.nn.Linear(4, 8), impl.nn.Tanh(), impl.nn.Linear(8, 1))
    refs = []
    model[1].register_forward_hook(lambda m, inp, out: refs.append(weakref.ref(out)))
    opt = impl.optim.SGD(model.parameters(), lr=0.1)
    history = []
    for _ in range(5):
        opt.zero_grad()
        loss = model(impl.tensor(x0)).pow(2).mean()
        loss.backward()
        opt.step()
        history.append(loss)
    gc.collect()
    alive = sum(ref() is not None for ref in refs)
    if alive:
        raise AssertionError(f"{alive}/5 hidden activations still alive after their steps (graph kept by the stored losses)")

    # (3) torch's semantics for a second backward
    import torch

    def f(lib, x):
        return (x.sin() * x).sum()

    x = impl.tensor(x0, requires_grad=True)
    out = f(impl, x)
    out.backward()
    with must_raise(RuntimeError, "second time", "second backward through a freed graph"):
        out.backward()
    x = impl.tensor(x0, requires_grad=True)
    out = f(impl, x)
    out.backward(retain_graph=True)
    out.backward()
    xt = torch.tensor(x0, requires_grad=True)
    f(torch, xt).backward()
    assert_close(x.grad, 2 * xt.grad, "retain_graph=True: two backward calls accumulate twice the gradient")


def test_guard():
    guard()
