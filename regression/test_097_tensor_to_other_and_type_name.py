"""097: ``Tensor.to(other)`` raised and ``Tensor.type("...HalfTensor")`` returned the tensor unchanged.

**Symptom:** ``x.to(y)`` with a tensor ``y`` (torch: ``x`` in ``y``'s dtype) raised "eq(): unsupported operand types
Tensor and type"; ``x.type("torch.HalfTensor")`` gave ``x`` back in float32 without a word, and ``x.type()`` named the
dtype (``impl.float32``) where torch names the tensor type (``torch.FloatTensor``).

**Root cause:** ``Tensor.to`` tested ``a in (float, int, bool)`` before ``isinstance(a, Tensor)``: ``in`` compares
with ``==``, elementwise for a tensor. ``Tensor.type`` handed a type name on to ``to``, which reads any string as a
device.

**Fix:** ``impl._tensor.Tensor.to`` tests for a tensor first and compares the Python types by identity;
``Tensor.type`` maps legacy type names (``impl.HalfTensor``, ``torch.HalfTensor``; ``impl._dtype.TENSOR_TYPE_NAMES``)
to dtypes, raises torch's ValueError for others, and returns ``impl.FloatTensor``-style names without an argument.

**How this test catches it:** ``x.to(half_tensor)``, ``x.type("torch.HalfTensor")`` and ``x.type()``, compared with
torch's.

**Seen in:** found while developing (notes/bugs_found.md), by ``property_tests/test_module_dtype.py::test_tensor_to_and_type_arguments``.

**Generic tests catch it too:** no -- property_tests/test_module_dtype.py::test_tensor_to_and_type_arguments only.
"""
import contextlib

from impl._tensor import Tensor
from regression._util import rewrite_source, swap_attr

FAILS_WITH = r"x\.to\(half tensor\)"


@contextlib.contextmanager
def reintroduce(variant=None):
    # the membership test back in front of the tensor branch: ``in`` compares a tensor with ==
    broken = rewrite_source(Tensor.to, ("if isinstance(a, Tensor):",
                                        "if a in (builtins.float, builtins.int, builtins.bool) or isinstance(a, Tensor):"))
    with swap_attr(Tensor, "to", broken):
        yield


def _run(lib):
    x = lib.tensor([1.5, -2.0])
    try:
        to_other = str(x.to(lib.zeros(1, dtype=lib.float16)).dtype)
    except Exception as e:  # noqa: BLE001 - the broken parse raises TypeError
        to_other = f"raised {type(e).__name__}"
    return to_other, str(x.type("torch.HalfTensor").dtype), x.type(), x.half().type()


def guard():
    import torch

    import impl

    got, want = _run(impl), _run(torch)
    names = ("x.to(half tensor)", 'x.type("torch.HalfTensor")', "x.type()", "x.half().type()")
    for name, g, w in zip(names, got, want):
        assert g.replace("impl.", "torch.") == w, f"{name}: impl {g!r}, torch {w!r}"


def test_guard():
    guard()
