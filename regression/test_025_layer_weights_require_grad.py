"""025: Layer weights were created without ``requires_grad``.

**Symptom:** Conv layers' weights never changed: backward completed, the optimizer stepped, but the conv
parameters had ``.grad is None``; the model learned only through the layers whose weights had been created
correctly.

**Root cause:** The layer constructors built their weights as plain tensors
(``Tensor(np.random.normal(...))``), which default to ``requires_grad=False``, so autograd never recorded
anything for them.

**Fix:** every impl layer creates its parameters through ``impl.nn.modules._utils.new_param``, which returns
an ``impl.nn.Parameter`` (``requires_grad=True`` by default, registered by ``Module.__setattr__``), as torch.

**How this test catches it:** for Linear, Bilinear, Conv1d, Conv2d, Embedding, LayerNorm, BatchNorm1d,
GroupNorm and MultiheadAttention: every parameter's ``requires_grad`` must equal torch's, and after a backward
through a random projection of the output every parameter's gradient must equal torch's (copied weights).

**Seen in:** TinyTorch's milestone-fixes analysis (CNN milestone: Conv2d weights created without
``requires_grad``).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_determinism.py::test_whole_training_run_is_bit_identical fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.nn.modules import _utils as modules_utils
from regression import _models as M
from regression._util import rng, swap_function

FAILS_WITH = r"requires_grad|received no gradient"


@contextlib.contextmanager
def reintroduce(variant=None):
    def new_param_without_grad(shape, dtype=None, requires_grad=True):
        return modules_utils.Parameter(modules_utils.empty(shape, dtype), requires_grad=False)

    with swap_function(modules_utils.new_param, new_param_without_grad):
        yield


_LAYERS = {
    "Linear(4, 3)": (lambda lib: lib.nn.Linear(4, 3), (2, 4)),
    "Conv1d(2, 3, 3)": (lambda lib: lib.nn.Conv1d(2, 3, 3), (2, 2, 6)),
    "Conv2d(2, 3, 3)": (lambda lib: lib.nn.Conv2d(2, 3, 3), (2, 2, 5, 5)),
    "LayerNorm(4)": (lambda lib: lib.nn.LayerNorm(4), (3, 4)),
    "BatchNorm1d(4)": (lambda lib: lib.nn.BatchNorm1d(4), (5, 4)),
    "GroupNorm(2, 4)": (lambda lib: lib.nn.GroupNorm(2, 4), (2, 4, 3)),
}


def guard():
    import torch

    r = rng(25)
    cases = [(name, build, [r.standard_normal(shp).astype(np.float32)], lambda lib, m, x, v: (m(x) * v).sum())
             for name, (build, shp) in _LAYERS.items()]
    cases.append(("Embedding(6, 3)", lambda lib: lib.nn.Embedding(6, 3), [np.array([[0, 5], [2, 2]])],
                  lambda lib, m, i, v: (m(i) * v).sum()))
    cases.append(("Bilinear(3, 2, 4)", lambda lib: lib.nn.Bilinear(3, 2, 4),
                  [r.standard_normal((2, 3)).astype(np.float32), r.standard_normal((2, 2)).astype(np.float32)],
                  lambda lib, m, a, b, v: (m(a, b) * v).sum()))
    cases.append(("MultiheadAttention(4, 2)", lambda lib: lib.nn.MultiheadAttention(4, 2, batch_first=True),
                  [r.standard_normal((2, 3, 4)).astype(np.float32)],
                  lambda lib, m, x, v: (m(x, x, x)[0] * v).sum()))
    for name, build, inputs, loss in cases:
        torch.manual_seed(25)
        tm, im = build(torch), build(impl)
        t_flags = [(n, p.requires_grad) for n, p in tm.named_parameters()]
        i_flags = [(n, p.requires_grad) for n, p in im.named_parameters()]
        if t_flags != i_flags:
            raise AssertionError(f"{name}: parameters' requires_grad differ from torch's: impl {i_flags} vs torch {t_flags}")
        with torch.no_grad():
            t_inputs = [torch.tensor(a) for a in inputs]
            out = tm(*t_inputs * 3)[0] if "Attention" in name else tm(*t_inputs)
        v = r.standard_normal(tuple(out.shape)).astype(np.float32)  # a random projection of the output
        M.check_twins(build, loss, [*inputs, v], name, seed=25)


def test_guard():
    guard()
