"""023: ``zero_grad`` did not actually reset gradients: they accumulated across steps.

**Symptom:** Gradients grew step after step and the loss went *up* over epochs, which looks like a
learning-rate problem (the remote-tensor library of the 'MLP Training Issues' notes logged gradient norms
6.8 -> 5.7 -> 84 while this bug was open).

**Root cause:** ``zero_grad`` did not touch the parameters' gradients: it dropped a handle to the gradient
buffer (a finalizer) but left ``param.grad`` holding last step's values, and ``backward`` correctly
*accumulates* into an existing ``.grad``. Each step therefore applied the sum of all gradients so far.

**Fix:** ``Optimizer.zero_grad`` and ``Module.zero_grad`` iterate over every parameter and, as torch 2.x,
set ``.grad = None`` by default, or zero the buffer in place (detached) with ``set_to_none=False``.

**How this test catches it:** a Linear-Tanh-Linear twin trained for four SGD-with-momentum steps
(``optimizer.zero_grad()`` each step) must end with torch's parameters; after ``model.zero_grad()`` one
backward must give torch's single-step gradients; ``zero_grad()`` leaves ``None`` and
``zero_grad(set_to_none=False)`` leaves zeros, as torch.

**Seen in:** the remote-tensor library's 'MLP Training Issues' notes (``zero_()`` only detached a finalizer;
gradient norms 6.8 -> 5.7 -> 84) and MicroGrad+'s troubleshooting guide (gradient accumulation: forgetting to
zero).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_models.py::test_mlp_twin fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.nn.modules import module as module_mod
from impl.optim import optimizer as optimizer_mod
from regression._util import assert_close, assert_param_grads_match, copy_weights, rng, stack, swap_attr

FAILS_WITH = r"grad of|step|None after zero_grad|zeros after"


def _zero_grad_that_forgets(self, set_to_none=True):
    params = self.parameters() if hasattr(self, "named_parameters") else [p for g in self.param_groups for p in g["params"]]
    for p in params:
        grad = p.grad  # the historical version released a handle and left p.grad untouched
        grad = None  # noqa: F841


@contextlib.contextmanager
def reintroduce(variant=None):
    with stack(
        swap_attr(module_mod.Module, "zero_grad", _zero_grad_that_forgets),
        swap_attr(optimizer_mod.Optimizer, "zero_grad", _zero_grad_that_forgets),
    ):
        yield


def _model(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.Tanh(), lib.nn.Linear(6, 2))


def _loss(lib, m, x, y):
    return ((m(x) - y) ** 2).mean()


def guard():
    import torch

    r = rng(23)
    xs = [r.standard_normal((5, 4)).astype(np.float32) for _ in range(4)]
    ys = [r.standard_normal((5, 2)).astype(np.float32) for _ in range(4)]
    torch.manual_seed(23)
    tm, im = _model(torch), _model(impl)
    copy_weights(tm, im)
    topt = torch.optim.SGD(tm.parameters(), lr=0.1, momentum=0.9)
    iopt = impl.optim.SGD(im.parameters(), lr=0.1, momentum=0.9)
    for step, (x, y) in enumerate(zip(xs, ys)):
        topt.zero_grad()
        _loss(torch, tm, torch.tensor(x), torch.tensor(y)).backward()
        topt.step()
        iopt.zero_grad()
        _loss(impl, im, impl.tensor(x), impl.tensor(y)).backward()
        iopt.step()
        for (n, pi), pt in zip(im.named_parameters(), tm.parameters()):
            assert_close(pi, pt, f"step {step + 1}: parameter {n} after optimizer.zero_grad/backward/step", 1e-5, 1e-6)

    tm.zero_grad()
    im.zero_grad()
    for n, p in im.named_parameters():
        if p.grad is not None:
            raise AssertionError(f"{n}.grad is not None after zero_grad() (torch sets it to None)")
    _loss(torch, tm, torch.tensor(xs[0]), torch.tensor(ys[0])).backward()
    _loss(impl, im, impl.tensor(xs[0]), impl.tensor(ys[0])).backward()
    assert_param_grads_match(im, tm, "one backward after model.zero_grad()")
    im.zero_grad(set_to_none=False)
    for n, p in im.named_parameters():
        if p.grad is None or np.any(p.grad.numpy()):
            raise AssertionError(f"{n}.grad is not all zeros after zero_grad(set_to_none=False)")


def test_guard():
    guard()
