"""029: Class indices were cast to float32.

**Symptom:** Targets built from Python ints or int arrays (``Tensor([3, 0, 2])``) became float32:
cross-entropy then either rejected them or read them as class *probabilities*, embedding lookups needed
``.astype(int)`` sprinkled through model code, and indices above 2**24 were silently rounded to a
neighbouring class (float32 has a 24-bit mantissa).

**Root cause:** The tensor constructor applied "the default dtype is float32" to *all* data, not only to
floating-point data.

**Fix:** ``impl._tensor._to_array`` infers dtypes as torch does: Python/NumPy integers become int64, bools
bool, Python floats float32 and float64 arrays keep float64; only an explicit ``dtype=`` overrides.

**How this test catches it:** checks ``impl.tensor([3, 0, 2])`` and ``impl.tensor(np.array([...]))`` are
int64 like torch's, that ``2**24 + 1`` survives exactly, and that cross-entropy with list-built targets
and an ``Embedding`` fed list-built ids give torch's values and gradients (copied weights).

**Seen in:** a classic pitfall of hand-written autograd engines, catalogued 2026-11-23; TinyTorch's gradient-flow
fix summary for transformer training shows its trace (embedding ids cast back with ``indices.data.astype(int)``).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_data.py::test_epoch_covers_dataset_once_with_right_batches fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl import _tensor
from regression._util import assert_close, assert_param_grads_match, copy_weights, no_crash, rng, swap_function

FAILS_WITH = r": dtype\]|raised"


@contextlib.contextmanager
def reintroduce(variant=None):
    orig = _tensor._to_array

    def to_array_float_default(data, dtype=None):
        arr = orig(data, dtype)
        if dtype is None and arr.dtype.kind in "iu":
            arr = arr.astype(np.float32)  # "the default dtype" applied to integer data too
        return arr

    with swap_function(orig, to_array_float_default):
        yield


def guard():
    import torch

    for data in ([3, 0, 2], np.array([3, 0, 2]), [[1, 2], [0, 4]]):
        with no_crash(f"impl.tensor({data!r})"):
            t = impl.tensor(data)
        assert_close(t, torch.tensor(data), f"impl.tensor({data!r}) dtype and values")
    big = 2**24 + 1
    assert_close(impl.tensor([big]), torch.tensor([big]), "an index above 2**24 stays exact")

    r = rng(29)
    logits = r.standard_normal((3, 5)).astype(np.float32)
    xi, xt = impl.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    with no_crash("cross_entropy with list-built targets"):
        li = impl.nn.functional.cross_entropy(xi, impl.tensor([4, 0, 2]))
        li.backward()
    lt = torch.nn.functional.cross_entropy(xt, torch.tensor([4, 0, 2]))
    lt.backward()
    assert_close(li, lt, "cross_entropy value")
    assert_close(xi.grad, xt.grad, "cross_entropy grad of logits")

    torch.manual_seed(0)
    et, ei = torch.nn.Embedding(6, 3), impl.nn.Embedding(6, 3)
    copy_weights(et, ei)
    v = r.standard_normal((2, 2, 3)).astype(np.float32)
    (et(torch.tensor([[1, 5], [0, 1]])) * torch.tensor(v)).sum().backward()
    with no_crash("Embedding with list-built ids"):
        (ei(impl.tensor([[1, 5], [0, 1]])) * impl.tensor(v)).sum().backward()
    assert_param_grads_match(ei, et, "Embedding fed list-built ids")


def test_guard():
    guard()
