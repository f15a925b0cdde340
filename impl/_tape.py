"""An opt-in op tape for debugging: records every op executed while active.

Off by default; the engine checks one module global per op, so recording costs nothing when off.
"""
import time

active = None  # the Tape currently recording, or None


class Tape:
    """Context manager recording (op name, input shapes, output shape, seconds since the previous record)."""

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

    def record(self, name, inputs, out):
        now = time.perf_counter()
        self.records.append(
            (name, tuple(tuple(i._data.shape) if i is not None else None for i in inputs), tuple(out._data.shape), now - self._last)
        )
        self._last = now

    def names(self):
        return [r[0] for r in self.records]

    def format(self):
        lines = [f"{'op':<24} {'inputs':<40} {'output':<20} {'ms':>8}"]
        for name, ins, out, dt in self.records:
            lines.append(f"{name:<24} {str(ins):<40} {str(out):<20} {dt * 1e3:8.3f}")
        return "\n".join(lines)

    def print(self):
        print(self.format())
