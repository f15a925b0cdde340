"""073: writes that torch lets through an expanded tensor were refused, and a partial write through one sent
gradient to values it had overwritten.

**Symptom:** on ``e = b.expand(3, 2)`` of a ``(1, 2)`` tensor, ``e.fill_(1)``, ``e.zero_()``,
``e.masked_fill_(mask, v)``, ``e[0] = v`` and ``e[mask] = v`` raised RuntimeError (numpy's broadcast view is
read-only); torch writes them into ``b`` (only ops whose written part repeats an element -- ``add_``, ``copy_``,
``e[0:2] = v`` -- are refused). With autograd, ``base.expand(2)[0] = o`` then a backward from ``base`` gave the leaf
under ``base`` the gradient of the element ``o`` had overwritten (torch: zero).

**Root cause:** ``impl.ops.inplace`` wrote into the tensor's own numpy array, read-only for an expanded tensor, and
checked overlap on the whole tensor instead of the part written; ``_views.inplace_on_view``'s CopySlices treated every
element of the view as written, and passed the gradient of an aliased, unwritten element on to the old value.

**Fix:** ``impl.ops.inplace._writable`` (a writable alias of the memory, from the array that owns it),
``_check_writable(self, op, region)`` (overlap checked on the indexed part; ``fill_``, ``masked_fill_`` and
advanced-index writes allowed, as torch), ``_store(..., where=...)`` (through an expanded tensor only the written
positions are written); ``impl.ops._views.inplace_on_view`` masks the result's gradient to the written elements.

**How this test catches it:** each write on an expanded tensor: the base afterwards, or the same exception class
as torch; then the gradients of a partial write through an expanded non-leaf, against torch.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_view_inplace.py::test_view_x_inplace_matches_torch`` (2026-12-01).

**Generic tests catch it too:** yes -- `property_tests/test_view_inplace.py::test_view_x_inplace_matches_torch` fails
with it reintroduced (every variant; `-p regression._reintroduce_plugin`).
"""
import contextlib

import numpy as np

from impl.ops import _views, inplace
from regression._util import (
    assert_close,
    assert_raises_like_torch,
    no_crash,
    rewrite_source,
    stack,
    swap_function,
)

VARIANTS = ("write", "grad")
FAILS_WITH = {
    None: r"raised RuntimeError",
    "write": r"raised RuntimeError",
    "grad": r"gradient of",
}

ALLOWED = {
    "fill_(1)": lambda lib, e: e.fill_(1.0),
    "zero_()": lambda lib, e: e.zero_(),
    "masked_fill_": lambda lib, e: e.masked_fill_(lib.tensor([[True, False], [False, False], [False, True]]), 2.0),
    "e[0] = tensor": lambda lib, e: e.__setitem__(0, lib.tensor([3.0, 4.0])),
    "e[1] = scalar": lambda lib, e: e.__setitem__(1, 5.0),
    "e[mask] = scalar": lambda lib, e: e.__setitem__(lib.tensor([[False, True], [False, False], [False, False]]), 6.0),
}
REFUSED = {
    "add_(1)": lambda lib, e: e.add_(1.0),
    "copy_": lambda lib, e: e.copy_(lib.ones(3, 2)),
    "e[0:2] = scalar": lambda lib, e: e.__setitem__(slice(0, 2), 2.0),
}


@contextlib.contextmanager
def reintroduce(variant=None):
    patches = []
    if variant in (None, "write"):
        patches.append(swap_function(inplace._writable, lambda d: d))
    if variant in (None, "grad"):
        patches.append(swap_function(_views.inplace_on_view, rewrite_source(
            _views.inplace_on_view, ("if where is not None and flat.size", "if False and where is not None"))))
    with stack(*patches):
        yield


def _partial_write_through_expand(lib):
    x = lib.tensor(np.array([0.5, -1.5], dtype=np.float32), requires_grad=True)
    o = lib.tensor(np.array([2.0, 3.0], dtype=np.float32), requires_grad=True)
    base = x * 1
    base.expand(3, 2)[1] = o
    (base * lib.tensor(np.array([1.5, -2.0], dtype=np.float32))).sum().backward()
    return {"x": x.grad, "o": o.grad, "base": base.detach()}


def guard():
    import warnings

    import torch

    import impl

    for what, f in ALLOWED.items():
        bi, bt = impl.zeros(1, 2), torch.zeros(1, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch deprecates masked writes through expanded tensors
            f(torch, bt.expand(3, 2))
        with no_crash(f"expand(3, 2).{what}"):
            f(impl, bi.expand(3, 2))
        assert_close(bi.numpy(), bt.numpy(), f"expand(3, 2).{what}: the base after")
    for what, f in REFUSED.items():
        assert_raises_like_torch(lambda f=f: f(impl, impl.zeros(1, 2).expand(3, 2)),
                                 lambda f=f: f(torch, torch.zeros(1, 2).expand(3, 2)), f"expand(3, 2).{what}")
    got, want = _partial_write_through_expand(impl), _partial_write_through_expand(torch)
    assert_close(got["base"], want["base"], "expand(3, 2)[1] = o under autograd: the base after")
    assert_close(got["x"], want["x"], "expand(3, 2)[1] = o: gradient of the leaf under the base")
    assert_close(got["o"], want["o"], "expand(3, 2)[1] = o: gradient of o")


def test_guard():
    guard()
