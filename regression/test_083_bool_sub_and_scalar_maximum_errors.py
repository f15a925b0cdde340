"""083: Subtraction with bool operands and maximum/minimum of a Python scalar did not raise torch's errors.

**Symptom:** ``impl.tensor([True]) - impl.tensor([False])`` raised numpy's TypeError (torch: RuntimeError, "use
the ``^`` or ``logical_xor()`` operator instead"); ``x - True`` for a float tensor ``x`` returned a result where
torch raises RuntimeError ("with a bool tensor is not supported"); ``impl.maximum(x, 2.0)`` and
``impl.minimum(x, 2)`` returned results where torch raises TypeError (they take two Tensors). Code written
against torch (``except RuntimeError``, or relying on the refusal) behaved differently.

**Root cause:** ``sub`` handed bool arrays to ``np.subtract`` (numpy's own TypeError, or a silent bool-to-number
promotion for a bool scalar), and ``maximum``/``minimum`` went through the generic binary promotion, which accepts
Python scalars.

**Fix:** ``impl.ops.elementwise.sub`` refuses bool operands before computing, with torch's two messages;
``maximum``/``minimum`` check both arguments with ``ensure_tensor``.

**How this test catches it:** each call is made in torch and in impl; impl must raise the same exception class.
Variants re-create each slip on its own.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_dtype_promotion.py::test_binary_promotion_all_pairs``.

**Generic tests catch it too:** yes -- property_tests/test_dtype_promotion.py::test_binary_promotion_all_pairs
runs every dtype pair through sub and maximum against torch.
"""
import contextlib

import impl
from impl.ops import elementwise as ew
from regression._util import assert_raises_like_torch, rewrite_source, stack, swap_function

VARIANTS = ("sub_bool", "maximum_scalar")
FAILS_WITH = r"raised TypeError|did not raise"


def _parts():
    return {
        "sub_bool": lambda: swap_function(ew.sub, rewrite_source(ew.sub, ("if all(is_bool):", "if False:"),
                                                                 ("if any(is_bool):", "if False:"))),
        "maximum_scalar": lambda: stack(
            swap_function(ew.maximum, rewrite_source(
                ew.maximum, ('ensure_tensor(input, "maximum"), ensure_tensor(other, "maximum", "other")', "pass"))),
            swap_function(ew.minimum, rewrite_source(
                ew.minimum, ('ensure_tensor(input, "minimum"), ensure_tensor(other, "minimum", "other")', "pass")))),
    }


@contextlib.contextmanager
def reintroduce(variant=None):
    parts = _parts()
    chosen = [parts[variant]()] if variant else [p() for p in parts.values()]
    with stack(*chosen):
        yield


def guard():
    import torch

    for lib_b in (lambda lib: lib.tensor([False, True]), lambda lib: True):
        assert_raises_like_torch(lambda f=lib_b: impl.tensor([True, False]) - f(impl),
                                 lambda f=lib_b: torch.tensor([True, False]) - f(torch), "bool - bool")
    assert_raises_like_torch(lambda: impl.tensor([1.5, 2.0]) - True, lambda: torch.tensor([1.5, 2.0]) - True,
                             "float tensor - True")
    assert_raises_like_torch(lambda: impl.tensor([1, 2]).sub(impl.tensor([True, False])),
                             lambda: torch.tensor([1, 2]).sub(torch.tensor([True, False])), "int tensor - bool tensor")
    assert_raises_like_torch(lambda: impl.maximum(impl.tensor([1.5, 2.0]), 2.0),
                             lambda: torch.maximum(torch.tensor([1.5, 2.0]), 2.0), "maximum(x, 2.0)")
    assert_raises_like_torch(lambda: impl.minimum(impl.tensor([1, 3]), 2),
                             lambda: torch.minimum(torch.tensor([1, 3]), 2), "minimum(x, 2)")


def test_guard():
    guard()
