"""075: ``Tensor.view`` copied a tensor whose strides cannot express the new shape instead of refusing.

**Symptom:** ``x.t().view(6)`` (or ``x.transpose(0, 2).view(-1)``, ``x.mT.view_as(y)``) returned a reshaped copy
in impl; torch raises RuntimeError "view size is not compatible with input tensor's size and stride ... Use
.reshape(...) instead". Code relying on ``view`` sharing memory (an in-place op through it) silently wrote into a
copy.

**Root cause:** ``view`` was declared as a method alias of ``reshape``, which copies when numpy has to.

**Fix:** ``impl.ops.shape.view`` (and ``view_as``, which calls it) is an op of its own: ``reshape``, then refuse when
the result is not a view of a non-empty input.

**How this test catches it:** non-viewable ``view``/``view_as`` calls must raise torch's exception class; viewable
ones must return a view (``_base``) whose in-place modification reaches the input, as torch's.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_view_inplace.py::test_view_x_inplace_matches_torch`` (2026-12-01).

**Generic tests catch it too:** yes -- `property_tests/test_view_inplace.py::test_view_x_inplace_matches_torch` fails
with it reintroduced (every variant; `-p regression._reintroduce_plugin`).
"""
import contextlib

import numpy as np

from impl.ops import shape
from regression._util import assert_close, assert_raises_like_torch, rewrite_source, swap_function

FAILS_WITH = r"did not raise"

REFUSED = {
    "t().view(6)": lambda x: x.t().view(6),
    "transpose(0, 1).view(-1)": lambda x: x.transpose(0, 1).view(-1),
    "mT.view_as(flat)": lambda x: x.mT.view_as(x.reshape(6)),
    "[:, ::2].view(4)": lambda x: x[:, ::2].view(4),
}
VIEWS = {
    "view(3, 2)": lambda x: x.view(3, 2),
    "[0].view(1, 3)": lambda x: x[0].view(1, 3),
    "t().t().view(-1)": lambda x: x.t().t().view(-1),
}


@contextlib.contextmanager
def reintroduce(variant=None):
    with swap_function(shape.view, rewrite_source(shape.view, ("if out._base is None and input._data.size:",
                                                               "if False:"))):
        yield


def guard():
    import torch

    import impl

    a = np.arange(6.0).reshape(2, 3)
    for what, f in REFUSED.items():
        assert_raises_like_torch(lambda f=f: f(impl.tensor(a)), lambda f=f: f(torch.tensor(a)), what)
    for what, f in VIEWS.items():
        xi, xt = impl.tensor(a), torch.tensor(a)
        f(xi).mul_(2)
        f(xt).mul_(2)
        assert_close(xi.numpy(), xt.numpy(), f"{what}.mul_(2): the input after")


def test_guard():
    guard()
