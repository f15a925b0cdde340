"""028: Reflected and scalar operators were missing (``2*x``, ``1-x``, ``-x``, ``x**2`` raised).

**Symptom:** Everyday expressions raised ``TypeError: unsupported operand type(s)``: ``0.1 * w.grad`` in a
hand-written SGD step, ``1 - p`` in a BCE loss, ``-x``, ``x ** 2`` in an MSE; users rewrote them as
``x * 0.1`` or wrapped scalars in tensors, and some wrappers silently promoted float64 to float32.

**Root cause:** ``Tensor`` defined only the forward dunders with a Tensor operand: no ``__radd__``,
``__rsub__``, ``__rmul__``, ``__rtruediv__``, ``__rpow__``, ``__neg__``, and ``__pow__`` accepted only a
tensor exponent, so Python had nothing to fall back on when the left operand was a number.

**Fix:** ``impl/_methods.py`` binds every operator and its reflection (``_swap(fn)`` for the reflected
ones) to the same primitives; Python scalars are weak operands that never promote the tensor's dtype
(``impl/_dtype.py:result_type``, torch's rule).

**How this test catches it:** values, dtypes and gradients against torch (random cotangent) for ``2 * x``,
``1 + x``, ``1 - x``, ``2 / x``, ``2 ** x``, ``-x``, ``x ** 2``, ``0.1 * x`` on float32 and float64 (the
scalar must not change the dtype), and an int tensor times a float (promotes to float32 as torch).

**Seen in:** the remote-tensor library's 'MLP Training Issues' notes (scalar-tensor operations such as ``0.1 *
tensor``).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_engine.py::test_dtype_promotion fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from regression._util import DELETE, assert_close, check_vs_torch, no_crash, rng, stack, swap_attr

FAILS_WITH = r"raised TypeError|unsupported operand"

_REFLECTED = ("__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__rpow__", "__neg__")


@contextlib.contextmanager
def reintroduce(variant=None):
    pow_ = impl.Tensor.__pow__

    def pow_tensor_only(self, exponent):
        if not isinstance(exponent, impl.Tensor):
            return NotImplemented
        return pow_(self, exponent)

    with stack(*(swap_attr(impl.Tensor, n, DELETE) for n in _REFLECTED), swap_attr(impl.Tensor, "__pow__", pow_tensor_only)):
        yield


def guard():
    r = rng(28)
    for dt in (np.float32, np.float64):
        x = r.uniform(0.5, 2.0, (3, 4)).astype(dt)
        name = np.dtype(dt).name
        check_vs_torch(lambda lib, x: 2 * x, x, what=f"2 * x ({name})")
        check_vs_torch(lambda lib, x: 1 + x, x, what=f"1 + x ({name})")
        check_vs_torch(lambda lib, x: 1 - x, x, what=f"1 - x ({name})")
        check_vs_torch(lambda lib, x: 2 / x, x, what=f"2 / x ({name})")
        check_vs_torch(lambda lib, x: 2 ** x, x, what=f"2 ** x ({name})")
        check_vs_torch(lambda lib, x: -x, x, what=f"-x ({name})")
        check_vs_torch(lambda lib, x: x ** 2, x, what=f"x ** 2 ({name})")
        check_vs_torch(lambda lib, x: 0.1 * x - x * 0.5, x, what=f"0.1 * x - x * 0.5 ({name})")
    with no_crash("int tensor * 2.5"):
        y = 2.5 * impl.tensor([1, 2, 3])
    assert_close(y, np.array([2.5, 5.0, 7.5], dtype=np.float32), "2.5 * int64 tensor promotes to float32")


def test_guard():
    guard()
