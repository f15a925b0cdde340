"""An opt-in op tape for debugging: records every op executed while active.

Off by default; the engine checks one module global per op, so recording costs nothing when off, and a
tape keeps nothing but shapes and timings (no arrays) after its context exits.
"""
import time
from collections import namedtuple

active = None  # the Tape currently recording, or None

TapeRecord = namedtuple("TapeRecord", "phase op inputs output seconds")


class Tape:
    """Context manager recording every op: phase ('forward'/'backward'), the graph node's name (torch's
    names, e.g. ``MmBackward0``), input shapes, output shape, and seconds since the previous record.
    Backward records take the incoming gradient's shape as input and the node's input shapes as output."""

    def __init__(self):
        self.records = []

    def __enter__(self):
        global active
        self._prev = active
        active = self
        self._last = time.perf_counter()
        return self

    def __exit__(self, *exc):
        global active
        active = self._prev
        return False

    def _add(self, phase, name, ins, out):
        now = time.perf_counter()
        self.records.append(TapeRecord(phase, name, ins, out, now - self._last))
        self._last = now

    def record(self, name, inputs, out):
        self._add("forward", name, tuple(None if i is None else tuple(i._data.shape) for i in inputs), tuple(out._data.shape))

    def record_backward(self, node, grad):
        shapes = tuple(None if i is None else tuple(i._data.shape) for i in node.inputs)
        self._add("backward", node.name, (tuple(grad.shape),), shapes)

    def names(self, phase=None):
        return [r.op for r in self.records if phase is None or r.phase == phase]

    def format(self):
        lines = [f"{'phase':<9} {'op':<22} {'inputs':<36} {'output':<24} {'ms':>8}"]
        for r in self.records:
            lines.append(f"{r.phase:<9} {r.op:<22} {str(r.inputs):<36} {str(r.output):<24} {r.seconds * 1e3:8.3f}")
        return "\n".join(lines)

    def print(self):
        print(self.format())
