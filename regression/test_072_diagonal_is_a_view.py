"""072: ``diagonal`` returned a copy: an in-place op on the diagonal left the input unchanged.

**Symptom:** ``x.diagonal().mul_(2)`` (or ``x.diagonal().zero_()``, ``x.diagonal()[0] = 5``) changed the diagonal
tensor only; torch's diagonal is a view, so the input's diagonal changes too, its gradient flows through the
CopySlices the in-place op makes, and on a leaf that requires grad the in-place op is refused. Recorded until then
as a known divergence of the shape specs.

**Root cause:** ``impl.ops.shape.diagonal`` copied numpy's diagonal (numpy hands it out read-only) and recorded
it with ``apply``, not as a view.

**Fix:** ``impl.ops.shape.diagonal`` keeps numpy's diagonal view, makes it writable when its input is, and records it
with ``_view`` (shared version counter, ``_base``, CopySlices on in-place).

**How this test catches it:** the input after ``diagonal(...).mul_(2)`` (two offsets and a batch of matrices), its
``_base``, the gradient of the leaf upstream after a backward through the in-place op, and the refusal on a leaf
that requires grad, all compared with torch.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_view_inplace.py::test_view_x_inplace_matches_torch`` (2026-12-01).

**Generic tests catch it too:** yes -- `property_tests/test_view_inplace.py::test_view_x_inplace_matches_torch` fails
with it reintroduced (every variant; `-p regression._reintroduce_plugin`).
"""
import contextlib

import numpy as np

from impl.ops import shape
from regression._util import assert_close, assert_raises_like_torch, rewrite_source, swap_function

FAILS_WITH = r"the input after|_base|did not raise"

CASES = {
    "diagonal()": ((3, 3), lambda x: x.diagonal()),
    "diagonal(1)": ((3, 4), lambda x: x.diagonal(1)),
    "diagonal(0, 1, 2)": ((2, 3, 3), lambda x: x.diagonal(0, 1, 2)),
}


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(shape.diagonal, ("np.diagonal(x, offset, a, b)", "np.diagonal(x, offset, a, b).copy()"))
    with swap_function(shape.diagonal, broken):
        yield


def guard():
    import torch

    import impl

    for what, (shp, f) in CASES.items():
        a = np.arange(float(np.prod(shp))).reshape(shp) / 7
        c = np.cos(a)
        wi, wt = impl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        xi, xt = wi * 1, wt * 1
        di, dt = f(xi), f(xt)
        if (di._base is xi) != (dt._base is xt):
            raise AssertionError(f"[{what}] _base is the input: impl {di._base is xi}, torch {dt._base is xt}")
        di.mul_(2)
        dt.mul_(2)
        assert_close(xi.detach().numpy(), xt.detach().numpy(), f"{what}.mul_(2): the input after")
        (xi * impl.tensor(c)).sum().backward()
        (xt * torch.tensor(c)).sum().backward()
        assert_close(wi.grad, wt.grad, f"{what}.mul_(2): gradient of the leaf through the input")
        li, lt = impl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        assert_raises_like_torch(lambda f=f, li=li: f(li).zero_(), lambda f=f, lt=lt: f(lt).zero_(),
                                 f"{what}.zero_() on a leaf that requires grad")


def test_guard():
    guard()
