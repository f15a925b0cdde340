"""086: ``torch.diag`` of a matrix returned a view of it once ``diagonal`` became a view.

**Symptom:** ``d = impl.diag(x)`` for a 2-D ``x`` shared memory with ``x``: ``d.mul_(2)`` on the diagonal of a leaf
that requires grad raised "a view of a leaf Variable that requires grad is being used in an in-place operation"
(torch: a fresh tensor, the in-place op runs), ``d`` made under no_grad required grad, and a write into ``d``
changed ``x``.

**Root cause:** ``impl.ops.combine.diag`` returned ``diagonal(input, offset)`` for a matrix; written when
``diagonal`` was a copy, it followed ``diagonal`` when that became a view as torch's. torch's ``diag`` is not a view
op: it copies.

**Fix:** ``diag`` of a matrix clones the diagonal.

**How this test catches it:** ``diag(x).mul_(2)`` on a leaf that requires grad, then the gradient, and a write into
``diag`` of a plain tensor, compared with torch.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_ops.py::test_inplace_on_output`` (2026-12-01).

**Generic tests catch it too:** yes -- `property_tests/test_ops.py::test_inplace_on_output` and
`test_noncontiguous_and_grad_mode` fail on the `diag` spec with it reintroduced.
"""
import contextlib

import numpy as np

from impl.ops import combine
from regression._util import assert_close, rewrite_source, swap_function

FAILS_WITH = r"raised|diag"


@contextlib.contextmanager
def reintroduce(variant=None):
    with swap_function(combine.diag, rewrite_source(combine.diag, ("_diagonal_of(input, diagonal).clone()",
                                                                   "_diagonal_of(input, diagonal)"))):
        yield


def _run(lib):
    a = np.arange(9.0).reshape(3, 3)
    x = lib.tensor(a, requires_grad=True)
    try:
        d = lib.diag(x)
        d.mul_(2)
        d.sum().backward()
    except RuntimeError as e:
        return f"raised: {e}", None, None
    plain = lib.tensor(a)
    lib.diag(plain)[0] = -1.0
    return "ran", x.grad.numpy(), plain.numpy()


def guard():
    import torch

    import impl

    (ri, gi, pi), (rt, gt, pt) = _run(impl), _run(torch)
    assert ri == rt, f"diag(x).mul_(2): impl {ri!r}, torch {rt!r}"
    assert_close(gi, gt, "diag(x).mul_(2): x.grad")
    assert_close(pi, pt, "diag(plain)[0] = -1: plain afterwards (diag is a copy)")


def test_guard():
    guard()
