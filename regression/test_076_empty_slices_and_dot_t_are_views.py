"""076: an empty slice was not a view of its tensor, and ``.T`` of a 0-d or 1-d tensor was the tensor itself.

**Symptom:** ``v = b.narrow(0, 1, 0)`` (or ``b[2:2]``, any empty slice) had ``v._base is None`` and its own version
counter; after ``v.mul_(o)`` with ``o`` requiring grad, torch's base ``b`` requires grad (its history is a
CopySlices) while impl's did not. ``v = b.T`` of a 1-d ``b`` was ``b`` itself (torch: a view of ``b``, another
object whose ``_base`` is ``b``).

**Root cause:** ``impl.ops.shape._view`` decided "is a view" with ``np.may_share_memory``, which is False for an
empty array; ``impl.ops.shape.T`` returned its input below two dimensions.

**Fix:** ``impl.ops.shape._aliases`` (an empty result is a view when it comes from the same owner of memory);
``impl.ops.shape.T`` is ``permute`` of the reversed dims at every rank.

**How this test catches it:** ``_base`` identity and object identity of empty slices and of ``.T``, and the base's
``requires_grad``/``is_leaf`` after an in-place op with an operand that requires grad, against torch.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_view_inplace.py::test_view_x_inplace_matches_torch`` (2026-12-01).

**Generic tests catch it too:** yes -- `property_tests/test_view_inplace.py::test_view_x_inplace_matches_torch` fails
with it reintroduced (every variant; `-p regression._reintroduce_plugin`).
"""
import contextlib

import numpy as np

from impl.ops import shape
from regression._util import rewrite_source, stack, swap_function

VARIANTS = ("empty", "T")
FAILS_WITH = {None: r"differ", "empty": r"differ", "T": r"differ"}

VIEWS = {
    "narrow(0, 1, 0)": lambda b: b.narrow(0, 1, 0),
    "[2:2]": lambda b: b[2:2],
    "[:, 3:]": lambda b: b.reshape(2, 2)[:, 3:],
    "T of 1-d": lambda b: b.T,
    "T of 0-d": lambda b: b[0].T,
}


@contextlib.contextmanager
def reintroduce(variant=None):
    patches = []
    if variant in (None, "empty"):
        patches.append(swap_function(shape._aliases, rewrite_source(shape._aliases, ("if out.size and x.size:",
                                                                                      "if True:"))))
    if variant in (None, "T"):
        patches.append(swap_function(shape.T, rewrite_source(shape.T, (
            "return permute(input, tuple(range(input._data.ndim - 1, -1, -1)))",
            "return permute(input, tuple(range(input._data.ndim - 1, -1, -1))) if input._data.ndim > 1 else input"))))
    with stack(*patches):
        yield


def _run(lib, f):
    b = lib.tensor(np.arange(4.0))
    v = f(b)
    base = v._base
    ident = ("b" if base is b else "b[0]" if base is not None and base.shape == () else None, v is b)
    v.mul_(lib.tensor(np.full(tuple(v.shape), 2.0), requires_grad=True))
    return ident + (b.requires_grad, b.is_leaf, b.tolist())


def guard():
    import warnings

    import torch

    import impl

    for what, f in VIEWS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch deprecates .T below two dims
            want = _run(torch, f)
        got = _run(impl, f)
        if got != want:
            raise AssertionError(f"[{what}] (_base, is the input, base requires_grad, base is_leaf, base values) "
                                 f"differ: impl {got}, torch {want}")


def test_guard():
    guard()
