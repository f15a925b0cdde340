"""Traced memory across repeated steps: the one measurement behind the suite's "memory stays flat" tests."""
import gc
import tracemalloc
from contextlib import contextmanager


@contextmanager
def frozen_heap():
    """Within the block, a full ``gc.collect()`` walks only the objects allocated inside it. The heap that existed
    before (torch, hypothesis, every spec's drawn samples: millions of objects late in a test run) is collected once,
    then moved to gc's permanent generation (``gc.freeze``) until the block ends. Leak checks collect often, and each
    collection of a whole worker's heap cost tens of milliseconds; what they look for is allocated inside the block,
    and a cycle among new objects is still found and freed. Nested blocks only collect (``gc.unfreeze`` would
    thaw the outer block's heap too)."""
    gc.collect()
    outermost = not _FROZEN
    if outermost:
        gc.freeze()
    _FROZEN.append(True)
    try:
        yield
    finally:
        _FROZEN.pop()
        if outermost:
            gc.unfreeze()


_FROZEN: list = []  # open frozen_heap blocks


def traced_growth(step, warmup, steps, every=25):
    """Run ``step`` ``warmup`` times, then ``steps`` times under tracemalloc, sampling the traced bytes (after a
    collection) every ``every`` steps. Returns (growth from the first sample to the last, the samples)."""
    for _ in range(warmup):
        step()
    with frozen_heap():
        return _traced(step, steps, every)


def _traced(step, steps, every):
    tracemalloc.start()
    try:
        samples = []
        for i in range(steps):
            step()
            if i % every == every - 1:
                gc.collect()
                samples.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    return samples[-1] - samples[0], samples
