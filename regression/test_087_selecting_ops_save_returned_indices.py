"""087: sort, topk, kthvalue, median(dim) and mode refused an in-place edit of their input; their indices went unchecked.

**Symptom:** ``v, i = h.sort(); h.mul_(2); v.sum().backward()`` raised "one of the variables needed for gradient
computation has been modified by an inplace operation" in impl, where torch runs (the same for ``topk``,
``kthvalue``, ``median(dim)``, ``nanmedian(dim)`` and ``mode``); and an in-place edit of the returned indices
(``i.add_(0)``) was allowed by impl before backward, where torch raises (also for ``max(dim)`` / ``min(dim)``).

**Root cause:** the values were taken with ``gather``, whose node saves its input (torch's gather_backward does),
with a private copy of the indices; torch's derivative of these ops (value_selecting_reduction_backward) reads
only the *returned* indices and the input's shape. ``max(dim)``/``min(dim)`` declared their indices ``HIDDEN``
(nothing a user holds).

**Fix:** ``impl.ops.sorting._selected`` takes the values at the indices in one node that saves the returned
indices tensor and not the input; ``impl.ops.reduce._max_min`` saves its returned indices.

**How this test catches it:** each op on a non-leaf, the input (or the returned indices) modified in place
without changing its values, then backward, in impl and torch: impl must raise iff torch does, and otherwise
give torch's gradient.

**Seen in:** found while developing (notes/bugs_found.md), by
property_tests/test_saved_tensors.py::test_saved_inputs on the sort, topk, kthvalue, median_dim and mode specs.

**Generic tests catch it too:** yes -- property_tests/test_saved_tensors.py::test_saved_inputs modifies each input
(not the integer outputs) after the forward.
"""
import contextlib

import numpy as np

from impl.ops import reduce, sorting
from regression._saved import edit_after_forward_like_torch
from regression._util import rewrite_source, stack, swap_function

FAILS_WITH = r"torch (ran|raised at backward); impl (raised at backward|ran)"

X = np.array([[0.3, -1.2, 2.5, 0.7], [1.1, 0.4, -0.6, 0.9], [-2.0, 0.5, 0.1, 1.3]])

OPS = {
    "sort": lambda lib, x: x.sort(dim=1),
    "sort descending": lambda lib, x: lib.sort(x, 0, descending=True),
    "topk": lambda lib, x: x.topk(2, dim=1),
    "kthvalue": lambda lib, x: x.kthvalue(2, 1),
    "median(dim)": lambda lib, x: x.median(0, keepdim=True),
    "nanmedian(dim)": lambda lib, x: x.nanmedian(1),
    "mode": lambda lib, x: x.mode(1),
    "max(dim)": lambda lib, x: x.max(1),
    "min(dim)": lambda lib, x: x.min(0),
}


@contextlib.contextmanager
def reintroduce(variant=None):
    # the old forms: the values' node saves the input, the max/min indices are not checked
    selected = rewrite_source(sorting._selected, ("saved=(indices,)", "saved=(input,)"))
    max_min = rewrite_source(reduce._max_min, ("saved=(indices,))", "saved=())"))
    with stack(swap_function(sorting._selected, selected), swap_function(reduce._max_min, max_min)):
        yield


def guard():
    for name, fn in OPS.items():
        if "max" not in name and "min(" not in name:
            edit_after_forward_like_torch(fn, [X], 0, f"{name}: input modified in place")
        edit_after_forward_like_torch(fn, [X], lambda ins, out: out[1], f"{name}: returned indices modified in place")


def test_guard():
    guard()
