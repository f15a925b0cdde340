"""039: autograd.grad dropped gradients when the same leaf appeared twice among the outputs.

**Symptom:** ``impl.autograd.grad([x, x], [x], [g1, g2])`` returned ``g2`` (torch: ``g1 + g2``). Ops that return
their input itself (``x.double()`` on float64, ``x.cpu()``, ``x.to(x.dtype)``, ``+x``, ``flatten`` of one dim)
hit it as soon as two of their results are differentiated together, e.g. a multi-head loss whose heads
happen to be the same tensor.

**Root cause:** ``run_backward`` seeded ``captured[id(out)] = g`` for leaf outputs, overwriting an earlier
seed for the same leaf instead of adding to it.

**Fix:** leaf-output seeds accumulate (``captured[key] + g``), like the seeds of non-leaf outputs already did
(impl/_autograd.py:run_backward).

**How this test catches it:** ``autograd.grad`` against torch for ``[x, x]``, ``[x, x.double()]`` (float64: the
cast returns ``x``), ``[+x, x * 2]`` and ``[x.cpu(), x]`` with distinct cotangents, and ``backward`` on the sum
of the same outputs for comparison.

**Seen in:** found while developing (notes/bugs_found.md), by the float64 gradcheck of the ``casts`` spec,
``property_tests/test_ops.py::test_gradcheck``.

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_ops.py::test_gradcheck fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import impl
from impl import _autograd
from regression._util import assert_close, no_crash, rewrite_source, rng, swap_function

FAILS_WITH = r"autograd.grad"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(_autograd._run_backward,
                            ("captured[key] = captured[key] + g if key in captured else g", "captured[key] = g"))
    with swap_function(_autograd._run_backward, broken):
        yield


def guard():
    import torch

    r = rng(39)
    x0 = r.standard_normal(4)  # float64: x.double() returns x itself
    g1, g2 = r.standard_normal(4), r.standard_normal(4)
    cases = {
        "[x, x]": lambda lib, x: [x, x],
        "[x, x.double()]": lambda lib, x: [x, x.double()],
        "[+x, x * 2]": lambda lib, x: [+x, x * 2],
        "[x.cpu(), x]": lambda lib, x: [x.cpu(), x],
    }
    for name, outs in cases.items():
        xt = torch.tensor(x0, requires_grad=True)
        (want,) = torch.autograd.grad(outs(torch, xt), [xt], [torch.tensor(g1), torch.tensor(g2)])
        xi = impl.tensor(x0, requires_grad=True)
        with no_crash(f"autograd.grad {name}"):
            (got,) = impl.autograd.grad(outs(impl, xi), [xi], [impl.tensor(g1), impl.tensor(g2)])
        assert_close(got, want, f"autograd.grad of {name} w.r.t. x", 1e-7, 1e-7)


def test_guard():
    guard()
