"""Traced memory across repeated steps: the one measurement behind the suite's "memory stays flat" tests."""
import gc
import tracemalloc


def traced_growth(step, warmup, steps, every=25):
    """Run ``step`` ``warmup`` times, then ``steps`` times under tracemalloc, sampling the traced bytes (after a
    collection) every ``every`` steps. Returns (growth from the first sample to the last, the samples)."""
    for _ in range(warmup):
        step()
    gc.collect()
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
