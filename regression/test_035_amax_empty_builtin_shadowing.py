"""035: amax/amin on an empty tensor crashed with AttributeError (module-level ``any`` shadowed the builtin).

**Symptom:** ``impl.zeros(0).amax()`` raised ``AttributeError: 'generator' object has no attribute '_data'``
instead of torch's ``RuntimeError`` ("Expected reduction dim to be specified for input.numel() == 0"), so
code that handles torch's error (e.g. a metric over a possibly-empty batch) crashed differently.

**Root cause:** ``impl/ops/reduce.py`` defines ``any``, ``all``, ``sum``, ``max``, ``min`` under torch's
names; the emptiness check called ``any(<generator>)``, which resolved to impl's reduction, not Python's
builtin.

**Fix:** the check builds a list and uses no builtin whose name the module shadows (the module reaches
builtins as ``builtins.*``); the errors are torch's classes: RuntimeError without ``dim``, IndexError for
an empty reduced dim.

**How this test catches it:** torch's exception class and message for ``amax()``/``amin()`` of an empty
tensor and for ``amax(dim=0)`` over an empty dim, and torch's result (shape and gradient) for
``amax(dim=1)`` of a ``(0, 3)`` tensor and ``amin(dim=1)`` of a ``(2, 3)`` one.

**Seen in:** found while developing (notes/bugs_found.md), by the empty-tensor checks of the special-values suite,
``property_tests/test_special_values.py::test_empty_reduction_without_identity_raises_like_torch``.

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_ops.py::test_forward_and_vjp, property_tests/test_ops.py::test_gradcheck fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.ops import reduce
from regression._util import check_vs_torch, must_raise, rewrite_source, swap_function

FAILS_WITH = r"raised AttributeError|does not match"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(
        reduce._amax_amin,
        ("if x.size == 0 and (dim is None or dim == () or dim == []):",
         # only reached for empty tensors (short-circuit), as the original check
         "if x.size == 0 and any(x.shape[a] == 0 for a in axes) and (dim is None or dim == () or dim == []):"),
    )
    with swap_function(reduce._amax_amin, broken):
        yield


def guard():
    for name in ("amax", "amin"):
        with must_raise(RuntimeError, r"Expected reduction dim to be specified for input.numel\(\) == 0",
                        f"impl.zeros(0).{name}()"):
            getattr(impl.zeros(0), name)()
        with must_raise(IndexError, r"Expected reduction dim 0 to have non-zero size", f"zeros(0, 3).{name}(dim=0)"):
            getattr(impl.zeros(0, 3), name)(dim=0)
    check_vs_torch(lambda lib, x: x.amax(dim=1), np.zeros((0, 3), np.float32), what="amax(dim=1) of (0, 3)")
    check_vs_torch(lambda lib, x: x.amin(dim=1), np.arange(6, dtype=np.float32).reshape(2, 3), what="amin(dim=1)")


def test_guard():
    guard()
