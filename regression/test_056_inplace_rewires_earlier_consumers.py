"""056: An in-place op on a tensor rewired the history of ops that had consumed it before: silently wrong gradients.

**Symptom:** ``y = x * 1; z = y + 2; y.mul_(3); z.sum().backward()`` gave ``x.grad == 3`` in impl; torch gives 1:
``z`` was computed from the old ``y``, so the later ``mul_`` is not on its path. No error was raised (``add``
saves nothing, so no version check fired). The same for a view taken before an in-place op on its base
(``v = y[0]; y.mul_(3)``).

**Root cause:** a graph node kept its input *tensors* and looked up each input's ``grad_fn`` when backward ran. An
in-place op gives the tensor a new ``grad_fn``, so every earlier consumer followed the new history instead of the
one its inputs had when it ran.

**Fix:** ``impl._autograd.Node`` fixes each node's edges when the node is made (``Node.edges``: the input's
``grad_fn`` then, the leaf itself, or None when it did not require grad), and the backward walk
(``_run_backward``, ``_topological_order``) follows those edges, as torch's nodes point to nodes.

**How this test catches it:** ops that save nothing (add, sub, neg, a slice) consume a tensor which is then
modified in place (mul_, add_ of a tensor that requires grad); the gradients must equal torch's.

**Seen in:** found while developing (notes/bugs_found.md), by reading the engine while adding in-place ops on
views, then checked by ``regression/test_056_inplace_rewires_earlier_consumers.py::test_guard`` (2026-12-01).

**Generic tests catch it too:** yes -- the stateful fuzzer ``property_tests/test_stateful_autograd.py`` draws
in-place ops after the ops that consumed a tensor.
"""
import contextlib

import numpy as np

from impl import _autograd
from regression._util import check_vs_torch, rewrite_source, swap_function

FAILS_WITH = r"values"


def _consumed_then_modified(op, inplace):
    def fn(lib, x, w):
        y = x * 1
        z = op(y)
        inplace(y, w)
        return z * w + y

    return fn


CASES = {
    "y + 2, then y.mul_(3)": (lambda y: y + 2, lambda y, w: y.mul_(3.0)),
    "-y, then y.add_(w)": (lambda y: -y, lambda y, w: y.add_(w)),
    "y - 1, then y.mul_(w)": (lambda y: y - 1, lambda y, w: y.mul_(w)),
}


@contextlib.contextmanager
def reintroduce(variant=None):
    """The walk follows each input tensor's current grad_fn instead of the edge fixed when the node was made."""
    walk = rewrite_source(_autograd._run_backward, ("edge = edges[k]", "edge = (inp.grad_fn or inp) if inp is not None and inp.requires_grad else None"))
    with swap_function(_autograd._run_backward, walk):
        yield


def guard():
    rng = np.random.default_rng(56)
    x, w = rng.standard_normal(4), rng.standard_normal(4)
    for what, (op, inplace) in CASES.items():
        check_vs_torch(_consumed_then_modified(op, inplace), x, w, what=what)


def test_guard():
    guard()
