"""084: ``dtype=float`` made float32 tensors; torch's is float64.

**Symptom:** ``impl.zeros(3, dtype=float)``, ``impl.tensor(data, dtype=float)`` and ``x.to(float)`` gave float32
where torch gives float64 (Python's ``float`` is a double, and torch maps it to ``torch.float64``); values that
needed double precision were silently rounded to single. ``x.to(float)`` did not convert at all.

**Root cause:** the dtype conversion mapped Python's ``float`` to the default dtype (float32) instead of float64,
and ``Tensor.to`` only recognised impl dtype objects.

**Fix:** ``impl._dtype.to_impl`` maps ``float`` to float64 (``int`` to int64, ``bool`` to bool), and ``Tensor.to``
accepts Python types.

**How this test catches it:** creates tensors with ``dtype=float``/``int``/``bool`` in both libraries and compares the
dtypes and the values of a number float32 cannot hold.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_dtype_promotion.py::test_dtype_objects_and_limits``.

**Generic tests catch it too:** yes -- property_tests/test_dtype_promotion.py::test_dtype_objects_and_limits.
"""
import contextlib

import impl
from impl import _dtype
from regression._util import rewrite_source, swap_function

FAILS_WITH = r"dtype=float"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(_dtype.to_impl, ("return float64  # torch: dtype=float is torch.float64", "return float32"))
    with swap_function(_dtype.to_impl, broken):
        yield


def guard():
    import torch

    v = 0.1  # not a float32 number
    for py in (float, int, bool):
        for what, make in ((f"zeros(dtype={py.__name__})", lambda lib, py=py: lib.zeros(2, dtype=py)),
                           (f"tensor(dtype={py.__name__})", lambda lib, py=py: lib.tensor([v, 1.0], dtype=py)),
                           (f"to({py.__name__})", lambda lib, py=py: lib.tensor([v, 1.0], dtype=lib.float64).to(py))):
            a, t = make(impl), make(torch)
            assert str(a.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], (
                f"[dtype={py.__name__}] {what}: impl {a.dtype} vs torch {t.dtype}")
            assert a.tolist() == t.tolist(), f"[dtype={py.__name__}] {what}: impl {a.tolist()} vs torch {t.tolist()}"


def test_guard():
    guard()
