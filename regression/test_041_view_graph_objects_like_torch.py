"""041: flatten / t / broadcast_tensors returned different graph objects than torch.

**Symptom:** ``x.flatten(1)`` on a ``(2, 1)`` tensor (start_dim == end_dim) returned a new ``ViewBackward`` node
where torch returns ``x`` itself, so ``is_leaf`` and ``grad_fn`` differed (code that checks
``out.is_leaf`` or calls ``retain_grad`` behaved differently); ``x.t()`` on a 0-d/1-d tensor returned ``x``
itself where torch returns a ``TBackward0`` view; ``broadcast_tensors(a, b)`` expanded a tensor already of the
broadcast shape where torch returns it as it is.

**Root cause:** Each op took the uniform path (always reshape / always return the input / always expand)
instead of mirroring torch's special cases.

**Fix:** ``flatten`` returns the input when ``start_dim == end_dim`` (after the 0-d case); ``t()`` of a <2-d
tensor is a ``TBackward0`` view; ``broadcast_tensors`` only expands tensors whose shape differs
(impl/ops/shape.py).

**How this test catches it:** for each op, impl's output must match torch's graph metadata -- requires_grad,
is_leaf, the grad_fn's name, whether the output *is* the input object -- and the input gradient through the
op under a random cotangent. Variants re-create each slip on its own.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_ops.py::test_noncontiguous_and_grad_mode``, which compares ``requires_grad``, ``grad_fn`` and
``is_leaf`` of every output with torch's.

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_ops.py::test_noncontiguous_and_grad_mode fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.ops import shape
from regression._util import assert_graph_like_torch, check_vs_torch, rewrite_source, rng, stack, swap_function

VARIANTS = ("flatten", "t", "broadcast_tensors")
FAILS_WITH = r"graph metadata"


def _parts():
    return {
        "flatten": lambda: swap_function(shape.flatten, rewrite_source(shape.flatten, ("if s == e:", "if False:"))),
        "t": lambda: swap_function(shape.t, rewrite_source(
            shape.t, ('return _view("TBackward0", input._data, input, lambda g: (g,))', "return input"))),
        "broadcast_tensors": lambda: swap_function(shape.broadcast_tensors, rewrite_source(
            shape.broadcast_tensors, ("t if t._data.shape == shape else expand(t, shape)", "expand(t, shape)"))),
    }


@contextlib.contextmanager
def reintroduce(variant=None):
    parts = _parts()
    chosen = [parts[variant]()] if variant else [p() for p in parts.values()]
    with stack(*chosen):
        yield


def guard():
    import torch

    r = rng(41)
    a21 = r.standard_normal((2, 1)).astype(np.float32)
    v3 = r.standard_normal(3).astype(np.float32)
    a23 = r.standard_normal((2, 3)).astype(np.float32)
    cases = (
        ("flatten(1) of (2, 1)", lambda lib, x: x.flatten(1), [a21]),
        ("t() of (3,)", lambda lib, x: x.t(), [v3]),
        ("t() of 0-d", lambda lib, x: x.t(), [np.array(1.5, np.float32)]),
        ("broadcast_tensors(a, b)[0] with a of the full shape", lambda lib, a, b: lib.broadcast_tensors(a, b)[0], [a23, v3]),
        ("broadcast_tensors(a, b)[1]", lambda lib, a, b: lib.broadcast_tensors(a, b)[1], [a23, v3]),
    )
    for name, fn, arrays in cases:
        ti = [impl.tensor(a, requires_grad=True) for a in arrays]
        tt = [torch.tensor(a, requires_grad=True) for a in arrays]
        oi, ot = fn(impl, *ti), fn(torch, *tt)
        src = 0 if "[1]" not in name else 1
        assert_graph_like_torch(oi, ot, ti[src], tt[src], name)
        check_vs_torch(lambda lib, *xs, fn=fn: fn(lib, *xs) * 1.0, *arrays, what=name)


def test_guard():
    guard()
