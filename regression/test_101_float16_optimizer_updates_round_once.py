"""101: optimizer updates of float16/bfloat16 parameters rounded every product and sum.

**Symptom:** after one SGD step on float16 parameters about a fifth of them differed from torch's by one ulp (more
after a few steps); Adam, RMSprop and the others likewise.

**Root cause:** the updates ran numpy expressions on the parameter's own arrays: ``d += (-lr) * g`` on float16 is two
roundings, with ``lr`` rounded to float16 first, and Adam's ``eps`` (1e-8) became 0 before the add. torch's kernels
compute each in-place op of the update in float32 and round its result once (``add_`` taking ``alpha`` in the
tensor's dtype first).

**Fix:** ``impl/optim/_opmath.py`` has one helper per torch op (``add_``, ``mul_``, ``div_``, ``addcmul_``,
``addcdiv_``, lerp, ...): on float16/bfloat16 arrays it computes in float32 and writes the result rounded once; on
float32/float64 it runs the expression the optimizers always used. Every optimizer but L-BFGS updates through them.

**How this test catches it:** two steps of SGD, SGD with momentum and Adam on 64 float16 parameters with fixed
gradients must leave exactly torch's parameters; the reintroduction makes the helpers take the float32/float64
expression for float16 too.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_optim_low_precision.py::test_low_precision_update_as_torch``.

**Generic tests catch it too:** yes -- property_tests/test_optim_low_precision.py::test_low_precision_update_as_torch.
"""
import contextlib

import numpy as np

from impl.optim import _opmath
from regression._util import swap_attr

FAILS_WITH = r"float16 parameters after 2 steps: \d+ of 64 differ from torch's"


def _never_low_precision(a):
    return False


@contextlib.contextmanager
def reintroduce(variant=None):
    # every helper back on the in-dtype numpy expression, which rounds each product and sum to float16
    with swap_attr(_opmath, "is_low_precision", _never_low_precision):
        yield


_CASES = {"SGD": ("SGD", {"lr": 0.1}), "SGD with momentum": ("SGD", {"lr": 0.1, "momentum": 0.9}),
          "Adam": ("Adam", {"lr": 0.1})}


def _trained(lib, name, kw, w0, grads):
    p = lib.nn.Parameter(lib.tensor(w0).to(lib.float16))
    opt = getattr(lib.optim, name)([p], **kw)
    for g in grads:
        p.grad = lib.tensor(g).to(lib.float16)
        opt.step()
    return p.detach().double().numpy()


def guard():
    import torch

    import impl

    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(64)
    grads = [rng.standard_normal(64) for _ in range(2)]
    for case, (name, kw) in _CASES.items():
        got, want = _trained(impl, name, kw, w0, grads), _trained(torch, name, kw, w0, grads)
        differing = int(np.sum(got != want))
        assert differing == 0, f"{case}, float16 parameters after 2 steps: {differing} of 64 differ from torch's"


def test_guard():
    guard()
