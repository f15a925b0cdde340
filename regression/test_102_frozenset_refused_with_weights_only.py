"""102: ``impl.load`` with ``weights_only=True`` loaded a frozenset, which torch's allow-list refuses.

**Symptom:** ``impl.save({"s": frozenset({2})}, f); impl.load(f)`` returned the frozenset; ``torch.load`` of the same
checkpoint written by ``torch.save`` raises ``pickle.UnpicklingError`` ("Unsupported global: GLOBAL frozenset was not
an allowed global by default"), so a file impl loaded by default was one torch refuses.

**Root cause:** impl's allow-list, described as torch's ``weights_only=True`` list, included ``frozenset``; torch's
(2.13) allows ``set`` but not ``frozenset``.

**Fix:** ``impl.serialization`` no longer encodes a frozenset as a data node (``_SEQUENCES``): it is saved pickled,
as any object outside the allow-list, and refused unless ``weights_only=False``; ``_Decoder._decode_frozenset``
refuses the data nodes of earlier files with ``weights_only=True`` too.

**How this test catches it:** a frozenset saved by each library must be refused by its own ``load`` with
``pickle.UnpicklingError`` by default, and come back equal with ``weights_only=False``.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_serialization.py::test_nested_python_values_roundtrip_with_their_types`` run with torch as the
target.

**Generic tests catch it too:** yes -- property_tests/test_serialization.py::test_near_miss_types_are_refused.
"""
import contextlib
import io
import pickle

from impl import serialization
from regression._util import stack, swap_attr

FAILS_WITH = r"frozenset: impl.load did not refuse it"


def _decode_frozenset(self, node):
    return frozenset(self._key(v) for v in self._items(node))


@contextlib.contextmanager
def reintroduce(variant=None):
    # frozenset back among the data nodes, and their decoder loading them whatever weights_only says
    sequences = {**serialization._SEQUENCES, frozenset: "frozenset"}
    with stack(swap_attr(serialization, "_SEQUENCES", sequences),
               swap_attr(serialization._Decoder, "_decode_frozenset", _decode_frozenset)):
        yield


def guard():
    import torch

    import impl

    for lib in (torch, impl):
        buf = io.BytesIO()
        lib.save({"s": frozenset({2})}, buf)
        buf.seek(0)
        try:
            lib.load(buf)
        except pickle.UnpicklingError:
            pass
        else:
            raise AssertionError(f"frozenset: {lib.__name__}.load did not refuse it with weights_only=True")
        buf.seek(0)
        assert lib.load(buf, weights_only=False) == {"s": frozenset({2})}, f"{lib.__name__}: weights_only=False"


def test_guard():
    guard()
