"""021: Recursive backward exploded on deep or shared graphs (RecursionError, exponential revisits).

**Symptom:** Two failures of the same recursive ``backward``. A long chain (an unrolled RNN, a
100,000-step toy loop) died with ``RecursionError: maximum recursion depth exceeded``; and a graph where
nodes are shared (a ladder of diamonds: each layer used twice by the next) slowed down exponentially with
depth, because every node re-ran its backward once per *path* from the loss instead of once.

**Root cause:** ``backward`` called itself on each input with that path's gradient contribution. That
recurses once per op in depth, and re-visits a shared node once per incoming path -- ``2**depth`` times in a
ladder -- instead of first summing all contributions and then visiting it once.

**Fix:** ``impl._autograd.run_backward`` computes an iterative topological order (explicit stack, visited
set) and walks it once: each node's contributions are summed in a buffer, and its backward runs exactly
once, after all of them have arrived. No recursion anywhere, so depth is bounded only by memory.

**How this test catches it:** (1) on a 12-rung diamond ladder it wraps every node's backward with a counter
and requires exactly one call per node, and compares the input gradient with torch; (2) a 2,000-rung
ladder must give torch's gradient; (3) a 10,000-op chain ``y = y * 1.0001`` must give exactly
``1.0001 ** 10000`` (float64; ten times Python's recursion limit, and property_tests/test_engine.py::test_100k_chain
runs 100,000). Variant ``recursive`` (recursive topological sort) fails (2) and (3) with
RecursionError; variant ``revisits`` (path-by-path propagation) fails the visit count in (1).

**Seen in:** a classic pitfall of hand-written autograd engines, catalogued 2026-11-23 (none of the public notes
cited in this catalogue records it).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_engine.py::test_100k_chain, property_tests/test_engine.py::test_deep_diamond_shares_work, property_tests/test_module_special.py::test_module_input_gradients_gradcheck fail (measured by `python -m regression.crosscheck`).
"""
import contextlib
import math

import numpy as np

import impl
from impl import _autograd, _tape
from regression._util import assert_close, no_crash, rng, stack, swap_function

VARIANTS = ("recursive", "revisits")
FAILS_WITH = {
    None: r"backward ran|RecursionError",
    "recursive": r"RecursionError",
    "revisits": r"backward ran",
}


def _recursive_topological_order(roots):
    order, visited = [], set()

    def visit(node):
        if id(node) in visited:
            return
        visited.add(id(node))
        if node.inputs is None:
            raise RuntimeError("Trying to backward through the graph a second time")
        for inp in node.inputs:
            if inp is not None and inp.grad_fn is not None:
                visit(inp.grad_fn)
        order.append(node)

    for r in roots:
        visit(r)
    order.reverse()
    return order


def _path_by_path_run_backward(outputs, grad_outputs, retain_graph=False, inputs=None, create_graph=False):
    """The pre-fix engine: push every contribution straight down (correct values, one visit per path)."""
    if inputs is not None or create_graph:
        raise NotImplementedError("reintroduced path-by-path engine: autograd.grad and create_graph not supported")
    work = []
    for out, g in zip(outputs, grad_outputs):
        if out.grad_fn is None:
            _autograd._accumulate_leaf(out, g)
        else:
            work.append((out.grad_fn, g))
    while work:
        node, g = work.pop()
        _autograd._check_versions(node)
        if _tape.active is not None:
            _tape.active.record_backward(node, g)
        for inp, gi in zip(node.inputs, _autograd._call_array(node, g)):
            if gi is None or inp is None or not inp.requires_grad:
                continue
            gi = _autograd.unbroadcast(gi, inp._data.shape).astype(inp._data.dtype, copy=False)
            if inp.grad_fn is None:
                _autograd._accumulate_leaf(inp, gi)
            else:
                work.append((inp.grad_fn, gi))


@contextlib.contextmanager
def reintroduce(variant=None):
    parts = {
        "recursive": lambda: swap_function(_autograd._topological_order, _recursive_topological_order),
        "revisits": lambda: swap_function(_autograd.run_backward, _path_by_path_run_backward),
    }
    chosen = [parts[variant]()] if variant else [p() for p in parts.values()]
    with stack(*chosen):
        yield


def _ladder(lib, x, depth):
    h = x
    for _ in range(depth):
        h = (h * 0.9).tanh() + h * 0.2  # h is used twice: 2**depth paths from the loss to x
    return h


def _count_backward_calls(root):
    """Wrap every node's backward reachable from ``root`` with a call counter (independent of the engine)."""
    counts, seen, todo = {}, set(), [root.grad_fn]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        counts[id(node)] = [node.name, 0]
        inner = node.backward

        def counted(*args, _inner=inner, _c=counts[id(node)]):  # noqa: B008 - binds this node's counter
            _c[1] += 1
            return _inner(*args)

        node.backward = counted
        todo.extend(i.grad_fn for i in node.inputs if i is not None and i.grad_fn is not None)
    return counts


def _ladder_grads(depth, x0):
    import torch

    xt = torch.tensor(x0, requires_grad=True)
    _ladder(torch, xt, depth).sum().backward()
    xi = impl.tensor(x0, requires_grad=True)
    with no_crash(f"{depth}-rung diamond ladder"):
        _ladder(impl, xi, depth).sum().backward()
    return xi.grad, xt.grad


def guard():
    x0 = rng(21).standard_normal(4)
    # (1) every node's backward runs exactly once on a shared (diamond) graph
    x = impl.tensor(x0, requires_grad=True)
    loss = _ladder(impl, x, 12).sum()
    counts = _count_backward_calls(loss)
    with no_crash("12-rung ladder backward"):
        loss.backward()
    wrong = [(name, n) for name, n in counts.values() if n != 1]
    if wrong:
        raise AssertionError(
            f"backward ran {max(n for _, n in wrong)} times on one node (expected once per node); "
            f"{len(wrong)}/{len(counts)} nodes revisited, e.g. {wrong[:3]}"
        )
    import torch

    xt = torch.tensor(x0, requires_grad=True)
    _ladder(torch, xt, 12).sum().backward()
    assert_close(x.grad, xt.grad, "12-rung ladder grad vs torch", rtol=1e-7, atol=1e-7)
    # (2) a deep ladder
    gi, gt = _ladder_grads(2000, x0)
    assert_close(gi, gt, "2000-rung ladder grad vs torch", rtol=1e-7, atol=1e-7)
    # (3) a 10,000-op chain (ten times the recursion limit; the meta-test runs this guard four times, so the
    # 100,000-op chain is property_tests/test_engine.py::test_100k_chain's): no recursion, exact chain-rule product
    c = impl.tensor(np.ones(3), dtype=impl.float64, requires_grad=True)
    y = c
    for _ in range(10_000):
        y = y * 1.0001
    with no_crash("10,000-op chain backward"):
        y.sum().backward()
    assert_close(c.grad, np.full(3, 1.0001 ** 10_000), "10,000-op chain grad", rtol=1e-9, atol=0)
    assert math.isclose(1.0001 ** 10_000, math.e, rel_tol=1e-3)


def test_guard():
    guard()
