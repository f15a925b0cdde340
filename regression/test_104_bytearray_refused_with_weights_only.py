"""104: ``impl.load`` with ``weights_only=True`` refused a bytearray, which torch's allow-list loads.

**Symptom:** ``impl.save({"a": bytearray(b"x")}, f); impl.load(f)`` raised ``pickle.UnpicklingError`` ("an object of
type builtins.bytearray, which weights_only=True does not allow"), while ``torch.load`` of the same object written by
``torch.save`` returns it: a checkpoint torch loads by default was one impl refused.

**Root cause:** impl's allow-list, described as torch's ``weights_only=True`` list, had ``bytes`` but not
``bytearray``; torch's (2.13) has both, so impl saved a bytearray as a pickled entry and refused it by default.

**Fix:** ``impl.serialization`` encodes a bytearray as a data node of its own (``"bytearray"``, base64, as bytes) and
decodes it as a bytearray, whatever ``weights_only`` says.

**How this test catches it:** a bytearray (empty and not) saved by each library comes back from its own ``load``
with the default ``weights_only`` as a bytearray with the same bytes.

**Seen in:** found while developing (notes/bugs_found.md), by the empty-bytes test of
``property_tests/test_serialization.py`` written for torch's refusal of ``b''``: its bytearray half failed for impl.

**Generic tests catch it too:** yes -- property_tests/test_serialization.py::test_empty_bytes_roundtrip.
"""
import contextlib
import io

from impl import serialization
from regression._util import swap_attr

FAILS_WITH = r"bytearray: impl.load refused it"


@contextlib.contextmanager
def reintroduce(variant=None):
    # bytearray no longer a data node: it falls through to the pickled entries that weights_only=True refuses
    original = serialization._Encoder.encode

    def encode(self, obj):
        return self._pickled(obj) if type(obj) is bytearray else original(self, obj)

    with swap_attr(serialization._Encoder, "encode", encode):
        yield


def guard():
    import pickle

    import torch

    import impl

    for lib in (torch, impl):
        for value in (bytearray(b"x\x00y"), bytearray()):
            buf = io.BytesIO()
            lib.save({"a": value}, buf)
            buf.seek(0)
            try:
                out = lib.load(buf)["a"]
            except pickle.UnpicklingError as e:
                raise AssertionError(f"bytearray: {lib.__name__}.load refused it: {str(e)[:120]}") from None
            assert type(out) is bytearray and out == value, f"{lib.__name__}: {out!r} != {value!r}"


def test_guard():
    guard()
