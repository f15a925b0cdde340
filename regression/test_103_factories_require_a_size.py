"""103: ``zeros()``, ``ones()``, ``empty()``, ``rand()``, ``randn()`` and ``new_*()`` without a size made a 0-d tensor.

**Symptom:** ``impl.zeros(dtype=impl.float32)`` returned a 0-d tensor where ``torch.zeros(dtype=torch.float32)``
raises ``TypeError: zeros() missing 1 required positional arguments: "size"``; code that forgot the size (or spread
an empty shape, ``zeros(*shape)``) ran in impl and failed in torch. ``x.new_zeros()`` likewise.

**Root cause:** the factories take ``*size`` and turned an empty one into the shape ``()``; torch's ``size`` is a
required argument (``zeros(())`` is how torch spells 0-d).

**Fix:** ``impl._creation._required_size`` refuses an empty ``*size`` with torch's class and message for ``zeros``,
``ones``, ``empty``, ``rand`` and ``randn``; ``impl.ops.tensor_methods._size_args`` does the same for ``new_zeros``,
``new_ones`` and ``new_empty``; ``randn_like``/``rand_like`` pass their shape as one tuple.

**How this test catches it:** each factory called without a size must raise TypeError in impl as in torch, and with
``()`` make a 0-d tensor in both.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_nn_init_and_utils.py::test_clip_grad_norm_matches_torch`` run with torch as the target (its
0-d parameters were built as ``zeros(*shape)``).

**Generic tests catch it too:** no
"""
import contextlib

from impl import _creation
from impl.ops import tensor_methods
from regression._util import stack, swap_attr

FAILS_WITH = r"without a size: impl made a tensor, torch raises TypeError"


@contextlib.contextmanager
def reintroduce(variant=None):
    # an empty *size taken as the shape ()
    def lenient(size, name):
        return _creation._size(size)

    def lenient_args(size, op_name):
        return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size

    with stack(swap_attr(_creation, "_required_size", lenient), swap_attr(tensor_methods, "_size_args", lenient_args)):
        yield


def guard():
    import torch

    import impl

    calls = {name: (lambda lib, *size, name=name, **kw: getattr(lib, name)(*size, **kw))
             for name in ("zeros", "ones", "empty", "rand", "randn")}
    calls.update({name: (lambda lib, *size, name=name, **kw: getattr(lib.ones(2), name)(*size, **kw))
                  for name in ("new_zeros", "new_ones", "new_empty")})
    for name, call in calls.items():
        for lib in (torch, impl):
            try:
                call(lib, dtype=lib.float32)
            except TypeError as e:
                assert 'missing 1 required positional arguments: "size"' in str(e), f"{name}: {lib.__name__}: {e}"
            else:
                raise AssertionError(f"{name}() without a size: {lib.__name__} made a tensor, torch raises TypeError")
        assert tuple(call(impl, ()).shape) == tuple(call(torch, ()).shape) == (), f"{name}(())"


def test_guard():
    guard()
