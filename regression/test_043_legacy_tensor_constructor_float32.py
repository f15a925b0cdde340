"""043: ``impl.Tensor(data)`` inferred the dtype from the data (torch's legacy constructor is always float32).

**Symptom:** ``impl.Tensor([1, 2])`` was int64 where ``torch.Tensor([1, 2])`` is float32 (bool lists too). Ported
code that builds inputs with ``Tensor([...])`` then failed at the first float op (``requires_grad_`` on an
integer tensor, integer matmul with float weights) or silently computed in integers.

**Root cause:** ``Tensor.__init__`` delegated to ``impl.tensor(data)``, which infers the dtype (correctly, for
``impl.tensor``), whereas the legacy ``torch.Tensor`` constructor always makes the default dtype.

**Fix:** ``Tensor.__init__`` passes the default dtype, float32 unless ``impl.set_default_dtype`` changed it (impl/_tensor.py).

**How this test catches it:** ``impl.Tensor`` of int lists, bool lists, int arrays and float64 arrays must give
torch's dtype and values, and ``impl.Tensor([[1, 2], [3, 4]], requires_grad=True) @ w`` must give torch's
gradient.

**Seen in:** found while developing (notes/bugs_found.md), by the ``Tensor_constructor`` creation spec in
``property_tests/test_ops.py::test_forward_and_vjp``.

**Generic tests catch it too:** yes -- caught by `property_tests/test_ops.py::test_forward_and_vjp[Tensor_constructor]` (`python -m
regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl import _tensor
from regression._util import assert_close, no_crash, rewrite_source, swap_attr

FAILS_WITH = r": dtype\]|raised"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(_tensor.Tensor.__init__, ("tensor(data, dtype=_dtype.get_default_dtype(), requires_grad=requires_grad)",
                                                      "tensor(data, requires_grad=requires_grad)"))
    with swap_attr(_tensor.Tensor, "__init__", broken):
        yield


def guard():
    import torch

    for data in ([1, 2], [True, False], np.array([3, 4]), np.array([0.5, 1.5])):
        with no_crash(f"impl.Tensor({data!r})"):
            got = impl.Tensor(data)
        assert_close(got, torch.Tensor(data), f"impl.Tensor({data!r})")
    w = np.array([[0.5], [-1.0]], np.float32)
    xi = impl.Tensor([[1, 2], [3, 4]])
    xt = torch.Tensor([[1, 2], [3, 4]])
    with no_crash("Tensor(int list).requires_grad_() @ w"):
        xi.requires_grad_()
        (xi @ impl.tensor(w)).sum().backward()
    xt.requires_grad_()
    (xt @ torch.tensor(w)).sum().backward()
    assert_close(xi.grad, xt.grad, "gradient through a Tensor(...) built from ints")


def test_guard():
    guard()
