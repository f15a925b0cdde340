"""057: default_collate stacked tensors that require grad on raw arrays: the batch lost its graph.

**Symptom:** A dataset whose samples are produced by a learnable transform (``x * scale`` with ``scale`` a
Parameter) fed a DataLoader whose batches came back with ``requires_grad=False``: the loss computed on them
gave ``scale`` no gradient. torch's ``default_collate`` stacks with ``torch.stack`` in the main process, so
its batch carries ``StackBackward0`` and ``scale`` learns.

**Root cause:** ``default_collate`` built every tensor batch as ``Tensor._wrap(np.stack([b._data ...]))``, a
fresh leaf with no history, whatever the samples were.

**Fix:** ``impl.utils.data.collate._stack_tensors`` stacks with ``impl.stack`` when any sample requires grad
(the graph is kept, as torch's) and keeps the raw numpy stack for the common case of plain data.

**How this test catches it:** compares the collated batch and the VJP of the samples with torch's
``default_collate`` under a random cotangent, for samples that require grad directly and for samples
computed from a shared leaf; without the graph the inputs receive no gradient and the comparison fails.

**Seen in:** found while developing (notes/bugs_found.md), by ``property_tests/test_data.py::test_default_collate_keeps_the_graph_as_torch`` (2026-12-01).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_data.py::test_default_collate_keeps_the_graph_as_torch fails (measured by `python -m regression.crosscheck --only 057 --suites property_tests/test_data.py`).
"""
import contextlib

import numpy as np

from impl.utils.data import collate
from regression._util import check_vs_torch, rewrap, rng, swap_function

FAILS_WITH = r"grad of input|received no gradient|does not require grad"


def _default_collate(lib):
    if lib.__name__ == "torch":
        import torch.utils.data

        return torch.utils.data.default_collate
    return lib.utils.data.default_collate


@contextlib.contextmanager
def reintroduce(variant=None):
    """Tensor samples are stacked on their raw arrays and wrapped as a fresh leaf (the historical version)."""
    orig = collate._stack_tensors

    def stack_without_graph(batch):
        return rewrap(orig(batch))

    with swap_function(orig, stack_without_graph):
        yield


def guard():
    r = rng(65)
    a, b = r.standard_normal((2, 3)).astype(np.float32), r.standard_normal((2, 3)).astype(np.float32)
    check_vs_torch(lambda lib, a, b: _default_collate(lib)([a, b]), a, b, what="default_collate([a, b])")
    scale = r.standard_normal((3,)).astype(np.float32)
    check_vs_torch(lambda lib, s, a, b: _default_collate(lib)([a * s, b * s, a]), scale, a, b,
                   what="default_collate of samples computed from a shared scale")


def test_guard():
    guard()
