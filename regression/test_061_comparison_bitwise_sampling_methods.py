"""061: Tensor lacked torch's comparison-alias, bitwise and sampling methods (x.greater(y), x.bitwise_and(y), p.multinomial(n)).

**Symptom:** ``x.greater(y)``, ``x.greater_equal(y)``, ``x.less(y)``, ``x.less_equal(y)``, ``x.not_equal(y)``,
``m.bitwise_and(k)`` (``_or``, ``_xor``, ``bitwise_not()``), ``probs.multinomial(1)`` and ``p.bernoulli()`` raised
``AttributeError: 'Tensor' object has no attribute ...``; the functions ``impl.greater`` etc. existed, so code
ported from torch failed only where it used the method form.

**Root cause:** methods were bound from a hand-kept table in ``impl/_methods.py`` that listed ``gt``/``lt``/...
but not their aliases, and none of the bitwise or sampling functions; the function exports were another list.

**Fix:** each op is declared once with ``@op`` (``impl/ops/_registry.py``) in ``impl.ops.elementwise`` and
``impl._creation``: its aliases, operators and method form follow from the one declaration.

**How this test catches it:** each method is called on impl tensors and compared with torch's (values and dtype
for the comparisons and bitwise ops; shape, dtype and range for the two sampling methods, whose values come from
impl's own generator).

**Seen in:** found while developing (notes/bugs_found.md), by comparing impl's public Tensor methods with torch's while declaring the ops; guarded by ``regression/test_061_comparison_bitwise_sampling_methods.py::test_guard`` (2026-12-01).

**Generic tests catch it too:** no — the op specs call the function forms (``impl.greater``, ``impl.bitwise_and``), and random creation is covered by shape/dtype checks of the functions only.
"""
import contextlib

import numpy as np

import impl
from regression._util import DELETE, assert_close, stack, swap_attr

FAILS_WITH = r"has no attribute"
METHODS = ("greater", "greater_equal", "less", "less_equal", "not_equal", "bitwise_and", "bitwise_or", "bitwise_xor",
           "bitwise_not", "multinomial", "bernoulli")


@contextlib.contextmanager
def reintroduce(variant=None):
    with stack(*[swap_attr(impl.Tensor, name, DELETE) for name in METHODS]):
        yield


def _method(t, name):
    try:
        return getattr(t, name)
    except AttributeError as e:
        raise AssertionError(f"Tensor.{name}: {e}") from None


def guard():
    import torch

    a = np.array([[1.0, -2.0, 3.0], [0.5, 0.5, -1.0]], dtype=np.float32)
    b = np.array([0.5, -2.0, 4.0], dtype=np.float32)
    for name in ("greater", "greater_equal", "less", "less_equal", "not_equal"):
        got = _method(impl.tensor(a), name)(impl.tensor(b))
        want = getattr(torch.tensor(a), name)(torch.tensor(b))
        assert_close(got, want.numpy(), f"Tensor.{name}")
    m = np.array([[5, 3, -8], [0, 12, 7]], dtype=np.int64)
    k = np.array([1, 6, 3], dtype=np.int64)
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
        got = _method(impl.tensor(m), name)(impl.tensor(k))
        assert_close(got, getattr(torch.tensor(m), name)(torch.tensor(k)).numpy(), f"Tensor.{name}")
    assert_close(_method(impl.tensor(m), "bitwise_not")(), torch.tensor(m).bitwise_not().numpy(), "Tensor.bitwise_not")
    probs = impl.tensor([[0.1, 0.0, 0.9], [0.5, 0.5, 0.0]])
    draws = _method(probs, "multinomial")(2, replacement=True)
    if draws.shape != (2, 2) or draws.dtype != impl.int64:
        raise AssertionError(f"Tensor.multinomial: shape {tuple(draws.shape)} dtype {draws.dtype} (torch: (2, 2) int64)")
    if (draws.numpy()[0] == 1).any() or (draws.numpy()[1] == 2).any():
        raise AssertionError(f"Tensor.multinomial drew a zero-probability class: {draws.numpy()}")
    coins = _method(impl.tensor([0.0, 1.0, 0.3]), "bernoulli")()
    if coins.dtype != impl.float32 or coins.numpy()[0] != 0 or coins.numpy()[1] != 1:
        raise AssertionError(f"Tensor.bernoulli: {coins.numpy()} ({coins.dtype}); p=0 must give 0, p=1 must give 1")


def test_guard():
    guard()
