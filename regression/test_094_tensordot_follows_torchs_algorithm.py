"""094: tensordot refused contracted dims of size 1 against longer ones, and saved its inputs where torch saves
reduced copies.

**Symptom:** ``torch.tensordot(a, b, dims=([1], [0]))`` with ``a`` of shape (3, 2) and ``b`` of shape (1, 4) runs
(a contracted dim of size 1 broadcasts); impl raised "contracted dimensions need to match". And with ``a`` (3, 1),
``b`` (1, 3, 1), ``dims=1``, both non-leaves requiring grad: after ``a.mul_(1)`` torch's backward runs, impl's
raised "modified by an inplace operation".

**Root cause:** impl wrote tensordot as one einsum over the original operands. torch's tensordot first sums a
contracted dim of size 1 out of the *other* operand (``t1 = t1.sum(d, keepdim=True)``: a new tensor, so the product
saves that, not the input), then multiplies ``permute``d and ``reshape``d operands with one ``mm``.

**Fix:** ``impl.ops.combine.tensordot`` follows torch's steps: the size-1 sums, the permutes and reshapes, one
``mm``, the final reshape; the shapes it accepts and the tensors its product saves are torch's.

**How this test catches it:** the broadcasting contraction against torch's values, and the in-place edit after the
forward in impl and torch: impl must run iff torch does, with torch's gradients.

**Seen in:** found while developing (notes/bugs_found.md), by
property_tests/test_saved_tensors.py::test_saved_inputs on the tensordot spec once its samples were spread over the
whole draw.

**Generic tests catch it too:** yes (the saved set) -- property_tests/test_saved_tensors.py::test_saved_inputs.
"""
import contextlib
import importlib

import numpy as np

import impl
from regression._saved import edit_after_forward_like_torch
from regression._util import _torch, assert_close, no_crash, swap_function

FAILS_WITH = r"contracted dimensions need to match|torch ran; impl raised at backward"


def _tensordot_by_einsum(a, b, dims=2, out=None):
    """The old form: one einsum over the original operands, equal contracted sizes required."""
    if isinstance(dims, int):
        da, db = list(range(a.dim() - dims, a.dim())), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[i]} in dim {i} and "
                               f"second has size {b.shape[j]} in dim {j}")
    la = [chr(97 + k) for k in range(a.dim())]
    lb = [chr(97 + a.dim() + k) for k in range(b.dim())]
    for i, j in zip(da, db):
        lb[j] = la[i]
    out_l = [c for k, c in enumerate(la) if k not in da] + [c for k, c in enumerate(lb) if k not in db]
    return impl.einsum(f"{''.join(la)},{''.join(lb)}->{''.join(out_l)}", a, b)


@contextlib.contextmanager
def reintroduce(variant=None):
    combine = importlib.import_module("impl.ops.combine")
    with swap_function(combine.tensordot, _tensordot_by_einsum):
        yield


def guard():
    torch = _torch()
    a = np.linspace(-1.0, 1.5, 6).reshape(3, 2)
    b = np.linspace(0.5, 2.0, 4).reshape(1, 4)
    want = torch.tensordot(torch.from_numpy(a), torch.from_numpy(b), dims=([1], [0]))
    with no_crash("tensordot with a contracted dim of size 1 on one side"):
        got = impl.tensordot(impl.tensor(a), impl.tensor(b), dims=([1], [0]))
    assert_close(got, want, "tensordot with a contracted dim of size 1 on one side", rtol=1e-12, atol=1e-12)
    edit_after_forward_like_torch(lambda lib, x, y: lib.tensordot(x, y, dims=1),
                                  [np.array([[-0.36], [1.95], [-0.11]]), np.array([[[-1.10], [1.22], [-0.66]]])], 0,
                                  "tensordot: input modified after the forward", grad=(0, 1))


def test_guard():
    guard()
