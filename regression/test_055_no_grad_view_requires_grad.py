"""055: A view made under ``no_grad`` of a tensor that requires grad did not require grad.

**Symptom:** ``with no_grad(): v = x.t()`` (or ``x.view(...)``, ``x[0]``, any view) gave ``v.requires_grad ==
False`` in impl; torch's view of a tensor that requires grad requires grad even when made under no_grad (it is a
leaf, with no grad_fn). Code that checks ``requires_grad`` (or backpropagates from such a view) behaved differently.

**Root cause:** views were recorded like any op: under no_grad the output never requires grad.

**Fix:** ``impl.ops.shape._view`` marks a view made under no_grad as requiring grad when its input does (a leaf
with no history, as torch's).

**How this test catches it:** under no_grad, views (t, view, select, transpose, unsqueeze) of a leaf that requires
grad: requires_grad, is_leaf and grad_fn as torch's; such a view is a dead end for gradients, as torch's: a backward
from it raises, an op on it sends no gradient to it or its base, and ``requires_grad_(False)`` leaves it requiring
grad (its flag is its base's).

**Seen in:** found while developing (notes/bugs_found.md), by the stateful autograd fuzzer
``property_tests/test_stateful_autograd.py::TestAutogradMachine`` (2026-12-01).

**Generic tests catch it too:** yes -- the stateful fuzzer's invariant compares requires_grad after every step.
"""
import contextlib

import numpy as np

import impl
from impl.ops import shape
from regression._util import assert_graph_like_torch, assert_raises_like_torch, rewrite_source, swap_function

FAILS_WITH = r"graph metadata"

VIEWS = {
    "t()": lambda x: x.t(),
    "view(6)": lambda x: x.view(6),
    "x[0]": lambda x: x[0],
    "transpose(0, 1)": lambda x: x.transpose(0, 1),
    "unsqueeze(0)": lambda x: x.unsqueeze(0),
}


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(shape._view, ("requires_grad = True  # torch: a view of a tensor that requires grad",
                                          "requires_grad = False  # the bug"))
    with swap_function(shape._view, broken):
        yield


def guard():
    import torch

    a = np.arange(6.0).reshape(2, 3)
    xi, xt = impl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for what, f in VIEWS.items():
        with impl.no_grad(), torch.no_grad():
            vi, vt = f(xi), f(xt)
        assert_graph_like_torch(vi, vt, xi, xt, f"{what} under no_grad")
        assert_raises_like_torch(lambda v=vi: v.backward(impl.ones_like(v)), lambda v=vt: v.backward(torch.ones_like(v)),
                                 f"backward from {what} made under no_grad")
        (vi * 2).sum().backward()
        (vt * 2).sum().backward()
        assert xi.grad is None and vi.grad is None, f"{what} made under no_grad passed a gradient on (torch: none)"
        vi.requires_grad_(False)
        vt.requires_grad_(False)
        assert vi.requires_grad == vt.requires_grad, f"{what}.requires_grad_(False): impl {vi.requires_grad}"


def test_guard():
    guard()
