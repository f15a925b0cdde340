"""040: Torch's exception classes: div rounding_mode, index_select out of range, arange with an inconsistent step.

**Symptom:** ``impl.div(x, y, rounding_mode="round")`` raised ValueError (torch: RuntimeError);
``index_select`` with an out-of-range index along dim 1 raised IndexError (torch 2.13: RuntimeError; along
the other dims torch raises IndexError, regression 112); ``impl.arange(-2)`` /
``impl.arange(3, 0)`` returned an empty tensor where torch raises RuntimeError ("upper bound and lower bound
inconsistent with step sign"). Code written against torch's exceptions (``except RuntimeError``) behaved
differently, and a wrong-signed ``arange`` silently produced an empty batch of positions.

**Root cause:** impl let numpy's or Python's natural exception through (or, for arange, numpy's silent empty
range) instead of torch's.

**Fix:** raise RuntimeError with the op named (impl/ops/elementwise.py:_div_rounded,
impl/ops/shape.py:index_select); ``arange`` checks ``(end - start) * step >= 0`` (impl/_creation.py).

**How this test catches it:** each call is made in torch and in impl; impl must raise the same exception class
as torch. Variants re-create each of the three slips on its own.

**Seen in:** found while developing (notes/bugs_found.md), by the specs' error inputs and creation specs,
``property_tests/test_ops.py::test_error_input`` and ``property_tests/test_ops.py::test_forward_and_vjp``.

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_ops.py::test_error_input fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import impl
from impl import _creation
from impl.ops import elementwise as ew
from impl.ops import shape
from regression._util import assert_raises_like_torch, rewrite_source, stack, swap_function

VARIANTS = ("div", "index_select", "arange")
FAILS_WITH = r"raised (ValueError|IndexError)|did not raise"


def _parts():
    return {
        "div": lambda: swap_function(ew._div_rounded, rewrite_source(
            ew._div_rounded, ('raise RuntimeError(f"div expected rounding_mode', 'raise ValueError(f"div expected rounding_mode'))),
        "index_select": lambda: swap_function(shape.index_select, rewrite_source(
            shape.index_select, ('raise RuntimeError(f"index_select(): index out of range',
                                 'raise IndexError(f"index_select(): index out of range'))),
        "arange": lambda: swap_function(_creation.arange, rewrite_source(
            _creation.arange, ("if (end - start) * step < 0:", "if False:"))),
    }


@contextlib.contextmanager
def reintroduce(variant=None):
    parts = _parts()
    chosen = [parts[variant]()] if variant else [p() for p in parts.values()]
    with stack(*chosen):
        yield


def guard():
    import torch

    for mode in ("round", "banker"):
        assert_raises_like_torch(lambda mode=mode: impl.div(impl.ones(3), impl.ones(3), rounding_mode=mode),
                                 lambda mode=mode: torch.div(torch.ones(3), torch.ones(3), rounding_mode=mode),
                                 f"div(rounding_mode={mode!r})")
    assert_raises_like_torch(lambda: impl.ones(2, 3).index_select(1, impl.tensor([0, 5])),
                             lambda: torch.ones(2, 3).index_select(1, torch.tensor([0, 5])), "index_select out of range")
    assert_raises_like_torch(lambda: impl.arange(-2), lambda: torch.arange(-2), "arange(-2)")
    assert_raises_like_torch(lambda: impl.arange(3, 0), lambda: torch.arange(3, 0), "arange(3, 0)")
    assert_raises_like_torch(lambda: impl.arange(0, 3, -1), lambda: torch.arange(0, 3, -1), "arange(0, 3, -1)")


def test_guard():
    guard()
