"""027: An in-place parameter update (``w -= lr*g``) was recorded into the graph or broke the parameter's identity.

**Symptom:** Three faces of one mistake. (1) The update was recorded: after the first step the weight was
no longer a leaf, its ``.grad`` stopped being populated and every step's graph hung off the previous one.
(2) ``w -= lr * w.grad`` silently rebound ``w`` to a *new* tensor (no ``__isub__``, so Python fell back to
``w = w - ...``): the model kept the old weight and the new one did not even require grad. (3) The optimizer
replaced parameters by new objects, so the model and the optimizer held different tensors after step 1.

**Root cause:** In-place updates must mutate the parameter's storage under ``no_grad`` and keep the same
Python object, which stays a leaf that requires grad. The remote-tensor library of the 'MLP Training
Issues' notes emulated ``-=`` by building a new tensor and swapping IDs; getting any part of that wrong breaks
identity or records the update.

**Fix:** ``Tensor.__isub__``/``sub_``/... (``impl/ops/inplace.py``) write into ``self._data`` and bump the
version counter, recording nothing when grad mode is off (and refusing an in-place op on a leaf that
requires grad when it is on, as torch); optimizers update ``p._data`` in place under ``no_grad``.

**How this test catches it:** a Linear-Tanh-Linear twin trained three steps with a hand-written
``with no_grad(): p -= lr * p.grad`` loop, and three steps of ``SGD(momentum=0.9)``: after every step each
parameter must be the same object (and ndarray) as before, a leaf with ``grad_fn is None`` that requires
grad, still the object the optimizer holds, and equal to torch's twin. Variants: ``recorded``,
``identity`` (no ``__isub__``), ``optimizer_rebinds``.

**Seen in:** the remote-tensor library's 'MLP Training Issues' notes (in-place ``-=`` emulated by creating a new
tensor and swapping tensor IDs).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_diagnostics.py::test_update_ratios_after_a_step, property_tests/test_engine.py::test_inplace_on_leaf_that_requires_grad_raises, property_tests/test_ops.py::test_forward_and_vjp fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.ops import inplace
from impl.optim import sgd as sgd_mod
from regression._util import DELETE, assert_close, copy_weights, rewrite_source, rng, stack, swap_attr, swap_function

VARIANTS = ("recorded", "identity", "optimizer_rebinds")
FAILS_WITH = r"leaf|same object|after step|: values\]|grad_fn"


def _recorded():
    def inplace_always_recorded(self, op, fn, *args, **kwargs):
        # The update is recorded as an op even under no_grad; the parameter takes over its history.
        prev = impl.Tensor._wrap(self._data.copy(), self.requires_grad)
        prev.grad_fn = self.grad_fn
        with impl.enable_grad():
            result = fn(prev, *args, **kwargs)
        inplace._store(self, result, op)
        self.grad_fn, self.requires_grad = result.grad_fn, result.requires_grad
        return self

    return swap_function(inplace.inplace, inplace_always_recorded)


def _identity():
    return stack(*(swap_attr(impl.Tensor, n, DELETE) for n in ("__isub__", "__iadd__", "__imul__", "__itruediv__")))


def _rebind(opt, group, p, new_value):
    """The historical 'functional' update: a new parameter object replaces the old one in the optimizer."""
    new = type(p)(impl.Tensor._wrap(new_value))
    group["params"][[id(q) for q in group["params"]].index(id(p))] = new
    opt.state[new] = opt.state.pop(p, {})


def _optimizer_rebinds():
    broken = rewrite_source(sgd_mod.SGD._step_group, ("_op.add_(d, g, -lr)",
                                                                "_rebind(self, group, p, _op.added(d, g, -lr))"),
                            extra_globals={"_rebind": _rebind})
    return swap_attr(sgd_mod.SGD, "_step_group", broken)


@contextlib.contextmanager
def reintroduce(variant=None):
    parts = {"recorded": _recorded, "identity": _identity, "optimizer_rebinds": _optimizer_rebinds}
    chosen = [parts[variant]()] if variant else [p() for p in parts.values()]
    with stack(*chosen):
        yield


def _model(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2))


def _check_identity(im, before, step, opt=None):
    held = [p for g in opt.param_groups for p in g["params"]] if opt is not None else None
    for k, (n, p) in enumerate(im.named_parameters()):
        obj, arr = before[n]
        if p is not obj or p._data is not arr:
            raise AssertionError(f"after step {step}: {n} is no longer the same object/array (identity broken)")
        if not (p.is_leaf and p.grad_fn is None and p.requires_grad):
            raise AssertionError(
                f"after step {step}: {n} is not a leaf that requires grad (is_leaf={p.is_leaf}, "
                f"grad_fn={p.grad_fn}, requires_grad={p.requires_grad}): the update was recorded into the graph"
            )
        if held is not None and held[k] is not p:
            raise AssertionError(f"after step {step}: the optimizer no longer holds the same object as the model's {n}")


def guard():
    import torch

    r = rng(27)
    data = [(r.standard_normal((4, 3)).astype(np.float32), r.standard_normal((4, 2)).astype(np.float32)) for _ in range(3)]
    lr = 0.1
    for mode in ("manual", "sgd"):
        torch.manual_seed(27)
        tm, im = _model(torch), _model(impl)
        copy_weights(tm, im)
        before = {n: (p, p._data) for n, p in im.named_parameters()}
        topt = torch.optim.SGD(tm.parameters(), lr=lr, momentum=0.9) if mode == "sgd" else None
        iopt = impl.optim.SGD(im.parameters(), lr=lr, momentum=0.9) if mode == "sgd" else None
        for step, (x, y) in enumerate(data, 1):
            tm.zero_grad()
            im.zero_grad()
            ((tm(torch.tensor(x)) - torch.tensor(y)) ** 2).mean().backward()
            ((im(impl.tensor(x)) - impl.tensor(y)) ** 2).mean().backward()
            if mode == "sgd":
                topt.step()
                iopt.step()
            else:
                with torch.no_grad():
                    for p in tm.parameters():
                        p -= lr * p.grad
                with impl.no_grad():
                    for p in im.parameters():
                        p -= lr * p.grad
            _check_identity(im, before, step, iopt)
            for (n, pi), pt in zip(im.named_parameters(), tm.parameters()):
                assert_close(pi, pt, f"{mode} update, after step {step}: {n}", 1e-5, 1e-6)


def test_guard():
    guard()
