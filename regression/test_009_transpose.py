"""009: Transpose dropped requires_grad / had no backward; its shape was inferred wrongly.

**Symptom:** Attention's ``Q @ K.transpose(-2, -1)`` gave the key projection no gradient (the
transposed tensor came back with ``requires_grad=False``), and on batched operands the transposed shape
was wrong: swapping two axes of a ``(B, T, D)`` tensor produced ``(D, T, B)``.

**Root cause:** ``transpose()`` built a new tensor from ``np.transpose(x.data)`` without copying
``requires_grad`` or attaching a ``TransposeBackward``; and it reversed *all* axes (the 2-D ``.T``
rule), which is only right for matrices.

**Fix:** ``impl.ops.shape.transpose(input, dim0, dim1)`` is a view primitive that swaps exactly the two
given axes with ``np.swapaxes`` and whose backward swaps the same two axes of the gradient back.

**How this test catches it:** compares shape, values and the input gradient (random cotangent) with torch
for ``transpose(1, 2)`` and ``transpose(0, 1)`` on 3-D, ``transpose(-2, -1)`` on 4-D (attention's keys),
``.mT`` and the 2-D ``.t()``, each multiplied by a weight so the loss stays attached, and a float64
finite-difference check of ``Q @ K.transpose(-2, -1)``. Variant ``no_backward`` leaves the input's
gradient ``None``; variant ``wrong_axes`` gives torch a different shape.

**Seen in:** TinyTorch's gradient-flow fix summary for transformer training (``transpose()`` dropped
``requires_grad``; ``TransposeBackward`` was missing) and the remote-tensor library's 'MLP Training Issues' notes
(transpose swapped its dimensions wrongly).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_diagnostics.py::test_healthy_model_has_full_gradient_flow, property_tests/test_functional.py::test_sdpa_dropout_applies_dropout_to_the_attention_weights fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import shape
from regression._util import check_vs_torch, gradcheck, rewrap, rng, stack, swap_function

VARIANTS = ("no_backward", "wrong_axes")
FAILS_WITH = {
    None: r"grad of input 0|: shape\]|raised",
    "no_backward": r"impl gave None|received no gradient",
    "wrong_axes": r": shape\]|raised",
}


def _no_backward(orig):
    def transpose(input, dim0, dim1):
        return rewrap(orig(input, dim0, dim1))  # values right, requires_grad and history dropped

    return transpose


def _wrong_axes(orig):
    from impl._autograd import apply

    def transpose(input, dim0, dim1):
        # The 2-D rule applied to every rank: reverse all axes.
        return apply("TransposeBackward0", np.transpose(input._data).copy(), (input,), lambda g: (np.transpose(g),))

    return transpose


@contextlib.contextmanager
def reintroduce(variant=None):
    orig = shape.transpose
    if variant == "no_backward":
        new = _no_backward(orig)
    elif variant == "wrong_axes":
        new = _wrong_axes(orig)
    else:
        inner = _wrong_axes(orig)

        def new(input, dim0, dim1):
            return rewrap(inner(input, dim0, dim1))

    with stack(swap_function(orig, new)):
        yield


def guard():
    r = rng(9)
    x3 = r.standard_normal((2, 3, 4)).astype(np.float32)
    x4 = r.standard_normal((2, 2, 3, 4)).astype(np.float32)
    m = r.standard_normal((3, 5)).astype(np.float32)
    w = lambda shp: r.standard_normal(shp).astype(np.float32)  # noqa: E731
    check_vs_torch(lambda lib, x, w: x.transpose(1, 2) * w, x3, w((2, 4, 3)), what="(2,3,4).transpose(1, 2)")
    check_vs_torch(lambda lib, x, w: x.transpose(0, 1) * w, x3, w((3, 2, 4)), what="(2,3,4).transpose(0, 1)")
    check_vs_torch(lambda lib, x, w: x.transpose(-2, -1) * w, x4, w((2, 2, 4, 3)), what="(2,2,3,4).transpose(-2, -1)")
    check_vs_torch(lambda lib, x, w: x.mT * w, x3, w((2, 4, 3)), what="(2,3,4).mT")
    check_vs_torch(lambda lib, x, w: x.t() * w, m, w((5, 3)), what="(3,5).t()")
    q, k = r.standard_normal((2, 3, 4)), r.standard_normal((2, 5, 4))
    gradcheck(lambda lib, q, k: q @ k.transpose(-2, -1), q, k, what="Q @ K.transpose(-2, -1) float64")


def test_guard():
    guard()
