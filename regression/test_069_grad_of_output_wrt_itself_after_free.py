"""069: A backward through a released graph raised where torch's runs: ``grad(y, y)``, and ops that saved nothing.

**Symptom:** ``y = x.exp(); autograd.grad(y.sum(), x); autograd.grad(y, y, g)`` raised "Trying to backward through
the graph a second time" in impl; torch returns ``g``: the gradient of ``y`` with respect to itself is captured
before ``y``'s node, which nothing asks it to run. And ``y = x + x; autograd.grad(y, x); autograd.grad(y, x)`` raised
the same in impl where torch returns the gradient again: torch releases only what each node saved, and ``add`` saved
nothing (``x * 2`` saves its wrapped scalar, so a second pass through it does raise in both).

**Root cause:** a backward without retain_graph dropped every node's inputs, edges and closure, and the walk refused
any such node while ordering them, before looking at which inputs were wanted or whether the node needed anything
it had saved.

**Fix:** ``impl._autograd._release`` releases a node that saved something (its tensors, its output, or ``HIDDEN``:
a tensor torch saved that no user holds, as a Python scalar it wrapped or max's indices) and keeps every node's
edges; a node that saved nothing stays runnable. ``_needed`` (torch's exec_info) runs, for ``autograd.grad`` and
``backward(inputs=...)``, only the nodes some wanted input lies beyond; a released node raises when it is run.
``mean`` scales without a saving mul (torch's mean saves nothing).

**How this test catches it:** ``grad(y, y)`` after the release, ``grad(z, y)`` and ``grad(z, [y, x])``, a retained
``a`` beside the wanted input (its node is not run, its ``.grad`` stays None), and a
second ``grad`` through ``x + x``, ``x.mean(1)``, ``x.t()``, ``x * 2.5``, ``x.max(0)`` and ``x.exp()`` (the last three
must raise), compared with torch.

**Seen in:** found while developing (notes/bugs_found.md), by the stateful autograd fuzzer
``property_tests/test_stateful_autograd.py::TestAutogradMachine`` (2026-12-01).

**Generic tests catch it too:** no -- only the stateful fuzzer, on the examples that draw these sequences.
"""
import contextlib

import numpy as np

from impl import _autograd
from regression._util import assert_close, rewrite_source, swap_function

VARIANTS = ("pruned", "release_all")
FAILS_WITH = {"pruned": r"grad\(y, y\) after the graph was freed", "release_all": r"second grad through",
              None: r"after the graph was freed|second grad through"}


@contextlib.contextmanager
def reintroduce(variant=None):
    with contextlib.ExitStack() as stack:
        if variant in (None, "pruned"):  # every reachable node runs, and a released one is refused up front
            stack.enter_context(swap_function(_autograd._run_backward, rewrite_source(
                _autograd._run_backward, ("    if wanted is None:\n        if any(", "    if True:\n        if any("))))
        if variant in (None, "release_all"):  # every node is released, whether it saved anything or not
            stack.enter_context(swap_function(_autograd._release, rewrite_source(
                _autograd._release, ("if node.saved or node.out_data is not None or node.hidden:", "if True:"))))
        yield


def _run(lib):
    x0, g0 = np.array([0.5, -1.0, 2.0]), np.array([1.0, -2.0, 0.5])
    x = lib.tensor(x0, requires_grad=True)
    y = x.exp()
    lib.autograd.grad(y.sum(), x)  # frees y's graph
    out = {}
    try:
        out["grad(y, y) after the graph was freed"] = lib.autograd.grad(y, y, lib.tensor(g0))[0].detach().numpy()
    except RuntimeError as e:
        out["grad(y, y) after the graph was freed"] = f"raised {e}"[:80]
    try:
        lib.autograd.grad(y, x, lib.tensor(g0))
        out["grad(y, x) after the free raises"] = False
    except RuntimeError:
        out["grad(y, x) after the free raises"] = True
    x = lib.tensor(x0, requires_grad=True)
    y = x.exp()
    z = y * y
    out["grad(z, y)"] = lib.autograd.grad(z, y, lib.tensor(g0), retain_graph=True)[0].detach().numpy()
    out["grad(z, [y, x])"] = np.concatenate([t.detach().numpy() for t in lib.autograd.grad(z, [y, x], lib.tensor(g0))])
    x = lib.tensor(x0, requires_grad=True)
    a = x + x
    a.retain_grad()
    u = lib.tensor(x0, requires_grad=True)
    lib.autograd.grad(u + a, u, lib.tensor(g0))  # a's node is not run: its retained .grad stays None
    out["grad(u + a, u) after the graph was freed leaves a.grad None"] = a.grad is None
    ops = {"x + x": lambda x: x + x, "x.mean(1)": lambda x: x.mean(1), "x.t()": lambda x: x.t(),
           "x * 2.5": lambda x: x * 2.5, "x.max(0)": lambda x: x.max(0)[0], "x.exp()": lambda x: x.exp()}
    for name, f in ops.items():
        x = lib.tensor(np.arange(6.0).reshape(2, 3) / 3, requires_grad=True)
        y = f(x)
        g = lib.ones_like(y)
        lib.autograd.grad(y, x, g)
        try:
            out[f"second grad through {name}"] = lib.autograd.grad(y, x, g)[0].detach().numpy()
        except RuntimeError:
            out[f"second grad through {name}"] = "raised"
    return out


def guard():
    import torch

    import impl

    got, want = _run(impl), _run(torch)
    for what, expected in want.items():
        if isinstance(expected, np.ndarray):
            assert isinstance(got[what], np.ndarray), f"{what}: torch returned {expected}, impl {got[what]}"
            assert_close(got[what], expected, what)
        else:
            assert got[what] == expected, f"{what}: torch {expected}, impl {got[what]}"


def test_guard():
    guard()
