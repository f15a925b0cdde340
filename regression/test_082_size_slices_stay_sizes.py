"""082: A slice of ``Tensor.shape`` was a plain tuple, not a Size.

**Symptom:** ``x.shape[1:].numel()`` raised ``AttributeError: 'tuple' object has no attribute 'numel'`` where torch
returns the product, and messages that print a slice of a shape (``ConvTranspose2d(...)(x, output_size=...)``'s
"for an input of Size([3, 3])") printed ``(3, 3)``; ``shape + (1,)`` and ``shape * 2`` were plain tuples too.

**Root cause:** ``impl._tensor.Size`` subclassed ``tuple`` and only changed ``__repr__``; ``tuple``'s slicing,
``+`` and ``*`` build plain tuples, where torch.Size's return a torch.Size.

**Fix:** ``impl._tensor.Size`` defines ``__getitem__`` (a slice gives a Size, an index an int), ``__add__``,
``__radd__``, ``__mul__`` and ``__rmul__`` returning Sizes.

**How this test catches it:** ``numel()`` and the type of a slice, a concatenation and a repetition of a shape,
compared with torch's.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_module_api.py::test_layer_argument_errors_like_torch`` (ConvTranspose2d's
output_size error message).

**Generic tests catch it too:** yes -- ``property_tests/test_module_api.py::test_layer_argument_errors_like_torch``
fails (ConvTranspose2d's output_size message prints a slice of the input's shape); the op-by-op tests compare
values, not the type of a shape (checked by hand with ``regression._reintroduce_plugin``; the full
``regression.crosscheck`` run was not made).
"""
import contextlib

from impl._tensor import Size
from regression._util import DELETE, stack, swap_attr

FAILS_WITH = r"Size"


@contextlib.contextmanager
def reintroduce(variant=None):
    # Size back to tuple's own slicing and arithmetic
    with stack(*(swap_attr(Size, name, DELETE) for name in ("__getitem__", "__add__", "__radd__", "__mul__", "__rmul__"))):
        yield


def guard():
    import torch

    import impl

    t, i = torch.zeros(2, 3, 4).shape, impl.zeros(2, 3, 4).shape
    for what, f in (("slice", lambda s: s[1:]), ("reversed slice", lambda s: s[::-1]), ("shape + tuple", lambda s: s + (5,)),
                    ("tuple + shape", lambda s: (1,) + s), ("shape * 2", lambda s: s * 2)):
        got, want = f(i), f(t)
        assert isinstance(got, Size), f"{what}: impl gave {type(got).__name__} {got!r}, torch a Size {want!r}"
        assert tuple(got) == tuple(want), f"{what}: Size values {tuple(got)} vs torch {tuple(want)}"
    assert type(i[0]) is int, f"an index of a Size is an int, got {type(i[0]).__name__}"
    try:
        n = i[1:].numel()
    except AttributeError as e:
        raise AssertionError(f"shape[1:].numel() raised {e!r} (torch Size gives {t[1:].numel()})") from e
    assert n == t[1:].numel(), f"shape[1:].numel() = {n}, torch {t[1:].numel()}"


def test_guard():
    guard()
