"""074: views made under no_grad or returned together by unbind/split/chunk were used after an in-place
modification where torch refuses, and views of them lost the refusal.

**Symptom:** with ``b = x * 1`` (``x`` a leaf that requires grad): ``with no_grad(): v = b[:2]``, then
``b.add_(1)`` and ``v * 2`` ran silently in impl (``v`` passed no gradient on); torch raises RuntimeError ("A view
was created in no_grad mode and its base or another view of its base has been modified inplace..."). The same for
``v = b.split(2)[0]`` ("Output 0 of SplitBackward0 is a view and its base ... has been modified inplace"). A view of
such a view (``b.split(1)[0].t()``, or ``v[:1]`` of a no_grad view taken with grad on) could be modified in place,
and so could a no_grad view of a base without grad when the operand required grad; torch refuses all of these.

**Root cause:** ``impl.ops._views.regenerate`` silently skipped no_grad views and regenerated multi-output views;
a view's creation mode (``ViewMeta``) was not passed on to views made from it; ``check_inplace_allowed`` asked
for the base to require grad before refusing a no_grad view.

**Fix:** ``impl.ops._views.refresh_if_stale`` raises torch's errors for a stale no_grad or multi-output view of a base
that requires grad (``Tensor.is_leaf`` refreshes a view first, as torch's ``grad_fn`` getter); ``ViewMeta`` inherits
its parent's ``no_grad`` and ``multi``; ``check_inplace_allowed`` refuses a no_grad view whenever the op is recorded.

**How this test catches it:** each case must raise torch's exception class at the same step.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_view_inplace.py::test_view_x_inplace_matches_torch`` (2026-12-01).

**Generic tests catch it too:** yes -- `property_tests/test_view_inplace.py::test_view_x_inplace_matches_torch` fails
with it reintroduced (every variant; `-p regression._reintroduce_plugin`).
"""
import contextlib

import numpy as np

from impl import _autograd
from impl.ops import _views
from regression._util import assert_raises_like_torch, rewrite_source, stack, swap_function

VARIANTS = ("stale", "inherit", "plain_base")
FAILS_WITH = {None: r"did not raise", "stale": r"did not raise", "inherit": r"did not raise",
              "plain_base": r"did not raise"}


@contextlib.contextmanager
def reintroduce(variant=None):
    patches = []
    if variant in (None, "stale"):
        patches.append(swap_function(_views.refresh_if_stale, rewrite_source(
            _views.refresh_if_stale, ("            _refuse_stale(meta)", "            return"))))
        # the engine refuses a stale view too (entry 068): the bug is back only with both taken away
        patches.append(swap_function(_autograd._refresh_view, rewrite_source(
            _autograd._refresh_view, ("if (meta is not None and meta.multi", "if (False and meta.multi"),
            ("if meta is not None and meta.no_grad and", "if False and"))))
    if variant in (None, "inherit"):
        patches.append(swap_function(_views.ViewMeta.__init__, rewrite_source(
            _views.ViewMeta.__init__, ("if parent is not None:", "if False:"))))
    if variant in (None, "plain_base"):
        patches.append(swap_function(_views.check_inplace_allowed, rewrite_source(
            _views.check_inplace_allowed, ("if meta is not None and meta.no_grad:",
                                           "if meta is not None and meta.no_grad and base.requires_grad:"))))
    with stack(*patches):
        yield


def _stale_no_grad_view(lib):
    b = lib.tensor(np.arange(4.0), requires_grad=True) * 1
    with lib.no_grad():
        v = b[:2]
    b.add_(1)
    return v * 2


def _stale_split_view(lib):
    b = lib.tensor(np.arange(4.0), requires_grad=True) * 1
    v = b.split(2)[0]
    b.mul_(2)
    return v * 2


def _view_of_split_view(lib):
    b = lib.tensor(np.arange(4.0).reshape(2, 2), requires_grad=True) * 1
    return b.split(1)[0].t().add_(1)


def _view_of_no_grad_view(lib):
    b = lib.tensor(np.arange(4.0), requires_grad=True) * 1
    with lib.no_grad():
        v = b[:3]
    return v[:2].add_(1)


def _no_grad_view_of_plain_base(lib):
    b = lib.tensor(np.arange(4.0))
    with lib.no_grad():
        v = b[:2]
    return v.add_(lib.tensor(np.ones(2), requires_grad=True))


def guard():
    import torch

    import impl

    for f in (_stale_no_grad_view, _stale_split_view, _view_of_split_view, _view_of_no_grad_view,
              _no_grad_view_of_plain_base):
        assert_raises_like_torch(lambda f=f: f(impl), lambda f=f: f(torch), f.__name__.strip("_").replace("_", " "))


def test_guard():
    guard()
