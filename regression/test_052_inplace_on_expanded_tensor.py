"""052: an in-place op on an expanded tensor raised numpy's ValueError instead of torch's RuntimeError.

**Symptom:** ``impl.ones(3).expand(2, 3).mul_(2)`` raised ``ValueError: assignment destination is read-only``:
the wrong exception class (torch raises RuntimeError: "unsupported operation: more than one element of the
written-to tensor refers to a single memory location"), and a message that names neither the op nor the shape.
An empty expanded tensor (``impl.ones(0, 3).expand(2, 0, 3).mul_(2)``), which torch modifies without complaint
(there is nothing to write), raised the same ValueError.

**Root cause:** expand is numpy's ``broadcast_to``, a read-only view; ``impl.ops.inplace._store`` wrote the result
with ``np.copyto`` and let numpy's error escape.

**Fix:** ``_store`` raises torch's RuntimeError (naming the op and the shape) when the destination has a
broadcast (stride-0) dimension, and writes nothing -- only bumps the version -- into an empty tensor.

**How this test catches it:** ``mul_``/``add_``/``sub_`` on expanded tensors must raise RuntimeError with torch's
message and impl's op name, and the empty case must succeed as in torch.

**Seen in:** found while developing (notes/bugs_found.md), by the generic in-place-on-output check
``property_tests/test_ops.py::test_inplace_on_output`` (2026-12-01).

**Generic tests catch it too:** yes -- caught by `property_tests/test_ops.py::test_inplace_on_output[expand]` (`python -m
regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import inplace
from regression._util import assert_raises_like_torch, rewrite_source, swap_function

FAILS_WITH = r"raised ValueError"


@contextlib.contextmanager
def reintroduce(variant=None):
    with swap_function(inplace._store, rewrite_source(inplace._store, ("    _check_writable(self, op, region)\n", ""),
                                                      ("d = _writable(self._data)", "d = self._data"))):
        yield


def guard():
    import torch

    import impl

    for op, args in (("mul_", (2.0,)), ("add_", (1.0,)), ("sub_", (0.5,))):
        assert_raises_like_torch(lambda op=op, args=args: getattr(impl.ones(3).expand(2, 3), op)(*args),
                                 lambda op=op, args=args: getattr(torch.ones(3).expand(2, 3), op)(*args),
                                 what=f"expand(2, 3).{op}", match=rf"{op}.*more than one element of the written-to tensor")
    try:
        y = impl.ones(0, 3).expand(2, 0, 3).mul_(2.0)
    except Exception as e:  # noqa: BLE001
        raise AssertionError(f"[empty expand then mul_] raised {type(e).__name__}: {e} (torch modifies it)") from e
    if tuple(y.shape) != (2, 0, 3) or np.asarray(y.numpy()).size != 0:
        raise AssertionError(f"[empty expand then mul_] shape {tuple(y.shape)} (torch: (2, 0, 3))")


def test_guard():
    guard()
