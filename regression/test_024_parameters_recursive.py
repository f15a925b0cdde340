"""024: ``Module.parameters()`` was not recursive: nested layers never updated.

**Symptom:** A model built from nested modules did not train (in the remote-tensor library of the 'MLP Training
Issues' notes the MLP's loss stayed perfectly constant): the optimizer received only the outer module's own
parameters (none, or a stray scale), so the weights of every nested layer stayed at their initial values although
their gradients were computed.

**Root cause:** ``parameters()`` returned the module's directly registered parameters only; it did not
walk registered submodules (and their submodules).

**Fix:** ``impl.nn.Module.named_parameters`` walks ``named_modules()`` (depth-first, registration order,
duplicates removed, dotted prefixes) exactly as torch's, and ``parameters()`` is built on it.

**How this test catches it:** a three-level model (own Parameter, a ``ModuleList`` of ``Sequential`` blocks, a
shared layer registered twice) must list torch's parameter names and shapes in torch's order, and after
three SGD steps on ``model.parameters()`` every parameter must equal torch's twin.

**Seen in:** the remote-tensor library's 'MLP Training Issues' notes (``Module.parameters()`` made recursive for
nested modules; the MLP's loss stayed constant).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_determinism.py::test_whole_training_run_is_bit_identical fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.nn.modules import module as module_mod
from regression._util import assert_close, copy_weights, rng, swap_attr

FAILS_WITH = r"parameter names|parameter"


@contextlib.contextmanager
def reintroduce(variant=None):
    def named_parameters_flat(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members(lambda m: m._parameters.items(), prefix, False, remove_duplicate)

    with swap_attr(module_mod.Module, "named_parameters", named_parameters_flat):
        yield


def _model(lib):
    nn = lib.nn

    class Deep(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(lib.ones(3))
            shared = nn.Linear(3, 3)
            self.blocks = nn.ModuleList([nn.Sequential(nn.Linear(3, 3), nn.Tanh(), shared) for _ in range(2)])
            self.head = nn.Sequential(nn.Sequential(nn.Linear(3, 2)))

        def forward(self, x):
            x = x * self.scale
            for b in self.blocks:
                x = x + b(x)
            return self.head(x)

    return Deep()


def guard():
    import torch

    torch.manual_seed(24)
    tm, im = _model(torch), _model(impl)
    copy_weights(tm, im)
    t_names = [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    i_names = [(n, tuple(p.shape)) for n, p in im.named_parameters()]
    if i_names != t_names:
        raise AssertionError(f"parameter names/shapes differ from torch's:\n impl  {i_names}\n torch {t_names}")
    r = rng(24)
    topt = torch.optim.SGD(tm.parameters(), lr=0.2)
    iopt = impl.optim.SGD(im.parameters(), lr=0.2)
    for _ in range(3):
        x = r.standard_normal((4, 3)).astype(np.float32)
        topt.zero_grad()
        tm(torch.tensor(x)).pow(2).mean().backward()
        topt.step()
        iopt.zero_grad()
        im(impl.tensor(x)).pow(2).mean().backward()
        iopt.step()
    for (n, pi), pt in zip(im.named_parameters(), tm.parameters()):
        assert_close(pi, pt, f"parameter {n} after 3 SGD steps on model.parameters()", 1e-5, 1e-6)


def test_guard():
    guard()
