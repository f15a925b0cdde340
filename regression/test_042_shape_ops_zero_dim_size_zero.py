"""042: Shape ops on 0-d and size-0 edge cases (hstack, masked_select, nonzero, unflatten, chunk, ``x[[]]``).

**Symptom:** A family of edge-case crashes and wrong shapes: ``hstack`` of 0-d tensors raised; ``masked_select``
with a lower-rank mask (a 0-d mask, ``x`` of shape ``(1, 1)``) returned shape ``(1, 1, 1)`` instead of ``(1,)``
and its backward failed; ``nonzero`` of a 0-d tensor raised numpy's ValueError; ``unflatten(0, (-1,))`` of an
empty tensor raised; ``chunk(2)`` of a size-0 dim returned one chunk (torch: ``chunks`` empty chunks);
``x[[]]`` raised "tensors used as indices must be long". Each one bites a training loop on the batch where the
mask is empty or the sequence has length 0.

**Root cause:** numpy's conventions at the edges differ from torch's: a 0-d array has no axis to stack or to
report coordinates for, a boolean index of lower rank is not broadcast, ``-1`` cannot be inferred with no
elements, and ``np.asarray([])`` is float64.

**Fix:** hstack applies atleast_1d; masked_select broadcasts the mask too; nonzero special-cases 0-d;
unflatten infers ``-1`` itself; chunk returns ``chunks`` empty narrows for a size-0 dim; an empty list index
is int64 (impl/ops/shape.py).

**How this test catches it:** values, shapes and (where differentiable) input gradients against torch under a
random cotangent for each edge case. Variants re-create the hstack, masked_select, nonzero, unflatten, chunk
and empty-index slips one at a time.

**Seen in:** found while developing (notes/bugs_found.md), by the generated shape specs, which draw 0-d and size-0
shapes, in ``property_tests/test_ops.py::test_forward_and_vjp``.

**Generic tests catch it too:** yes -- caught by `property_tests/test_ops.py::test_forward_and_vjp[chunk]`,
`property_tests/test_ops.py::test_forward_and_vjp[getitem_list]`,
`property_tests/test_ops.py::test_forward_and_vjp[hstack_vstack]`,
`property_tests/test_ops.py::test_forward_and_vjp[masked_select]`,
`property_tests/test_ops.py::test_forward_and_vjp[nonzero]`,
`property_tests/test_ops.py::test_forward_and_vjp[unflatten]` (each variant checked separately) (`python -m
regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.ops import shape
from regression._util import assert_close, check_vs_torch, no_crash, rewrite_source, rng, stack, swap_function

VARIANTS = ("hstack", "masked_select", "nonzero", "unflatten", "chunk", "empty_index")
FAILS_WITH = r"raised|: shape\]|chunks"


def _parts():
    def rw(fn, *reps):
        return lambda: swap_function(fn, rewrite_source(fn, *reps))

    return {
        "hstack": rw(shape.hstack, ("tensors = [t if t._data.ndim else reshape(t, (1,)) for t in tensors]", "tensors = list(tensors)")),
        "masked_select": rw(shape.masked_select, ("index = (np.broadcast_to(mask._data, shape),)", "index = (mask._data,)")),
        "nonzero": rw(shape.nonzero, ("if x.ndim == 0:", "if False:")),
        "unflatten": rw(shape.unflatten, ("if sizes.count(-1) == 1:", "if False:")),
        "chunk": rw(shape.chunk, ("if n == 0:", "if False:")),
        "empty_index": rw(shape._convert_index, ("if isinstance(i, list) and a.size == 0:", "if False:")),
    }


@contextlib.contextmanager
def reintroduce(variant=None):
    parts = _parts()
    chosen = [parts[variant]()] if variant else [p() for p in parts.values()]
    with stack(*chosen):
        yield


def guard():
    import torch

    r = rng(42)
    a, b = np.array(1.5, np.float32), np.array(-2.0, np.float32)
    check_vs_torch(lambda lib, a, b: lib.hstack([a, b]), a, b, what="hstack of 0-d tensors")
    x11 = r.standard_normal((1, 1)).astype(np.float32)
    check_vs_torch(lambda lib, x: x.masked_select(lib.tensor(True)), x11, what="masked_select with a 0-d mask")
    x23 = r.standard_normal((2, 3)).astype(np.float32)
    check_vs_torch(lambda lib, x: x.masked_select(lib.tensor([True, False, True])), x23, what="masked_select, 1-D mask")
    for v in (3.0, 0.0):
        with no_crash(f"nonzero of 0-d {v}"):
            got = impl.tensor(v).nonzero()
        assert_close(got, torch.tensor(v).nonzero(), f"nonzero of 0-d {v}")
    check_vs_torch(lambda lib, x: x.unflatten(0, (-1,)), np.zeros((1, 0), np.float32), what="unflatten(0, (-1,)) of (1, 0)")
    with no_crash("chunk(2) of a size-0 dim"):
        got = impl.zeros(0, 2).chunk(2)
    want = torch.zeros(0, 2).chunk(2)
    if len(got) != len(want):
        raise AssertionError(f"chunk(2) of a size-0 dim: {len(got)} chunks, torch gives {len(want)} chunks")
    for gi, wi in zip(got, want):
        assert_close(gi, wi, "chunk(2) of a size-0 dim: piece")
    check_vs_torch(lambda lib, x: x[[]], r.standard_normal(3).astype(np.float32), what="x[[]]")


def test_guard():
    guard()
