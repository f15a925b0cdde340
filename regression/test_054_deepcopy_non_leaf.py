"""054: ``copy.deepcopy`` of a non-leaf tensor silently copied it, and a deepcopied leaf lost its ``.grad``.

**Symptom:** ``copy.deepcopy(x * 2)`` returned a tensor in impl, where torch raises RuntimeError ("Only Tensors
created explicitly by the user (graph leaves) support the deepcopy protocol"); and ``copy.deepcopy(w)`` of a leaf
with a gradient gave a copy whose ``.grad`` was None, where torch's copy carries a copy of the gradient.

**Root cause:** Tensor had no ``__deepcopy__``: Python's default copied the slots one by one, history included
(the copy shared the original's ``grad_fn`` and version counter).

**Fix:** ``impl._tensor.Tensor.__deepcopy__``: refuses non-leaves as torch does; for a leaf copies the values,
``requires_grad`` and a deep copy of ``.grad``, with a version counter of its own.

**How this test catches it:** deepcopies a non-leaf (must raise torch's exception class) and a leaf with a gradient
(values, requires_grad and .grad equal torch's copy's; modifying the copy leaves the original alone).

**Seen in:** found while developing (notes/bugs_found.md), by the stateful autograd fuzzer
``property_tests/test_stateful_autograd.py::TestAutogradMachine`` (2026-12-01).

**Generic tests catch it too:** yes -- the stateful fuzzer compares deepcopy outcomes with torch.
"""
import contextlib
import copy

import numpy as np

import impl
from regression._util import DELETE, assert_close, assert_raises_like_torch, swap_attr

FAILS_WITH = r"does not raise|did not raise|grad of the copy|version"


@contextlib.contextmanager
def reintroduce(variant=None):
    with swap_attr(impl.Tensor, "__deepcopy__", DELETE):
        yield


def guard():
    import torch

    a = np.array([0.5, -1.5, 2.0])
    xi, xt = impl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    assert_raises_like_torch(lambda: copy.deepcopy(xi * 2), lambda: copy.deepcopy(xt * 2), "deepcopy of a non-leaf")
    (xi * xi).sum().backward()
    (xt * xt).sum().backward()
    ci, ct = copy.deepcopy(xi), copy.deepcopy(xt)
    assert ci.requires_grad == ct.requires_grad and ci.is_leaf
    assert ci.grad is not None, "grad of the copy is None (torch copies the gradient)"
    assert_close(ci.grad.numpy(), ct.grad.numpy(), "grad of the copy")
    with impl.no_grad():
        ci.add_(1.0)
    assert xi._version[0] == 0, "the copy shares the original's version counter"
    assert_close(xi.detach().numpy(), a, "original after modifying the copy")


def test_guard():
    guard()
