"""106: Hooks ran with grad mode on during a first-order backward, so what they computed recorded a graph.

**Symptom:** inside a tensor hook or a post-accumulate-grad hook, called from
``loss.backward()`` or ``autograd.grad(...)`` without ``create_graph``, ``impl.is_grad_enabled()`` was True and
``g * w`` (``w`` a parameter) came out with ``requires_grad=True`` and a ``grad_fn``: a hook that logs or
accumulates such values kept a graph alive per step. torch runs the whole backward walk, hooks included, with grad
mode set to ``create_graph``: off here, on with ``create_graph=True``.

**Root cause:** ``impl._autograd.run_backward`` switched grad mode on for a ``create_graph`` walk but left the
caller's mode (on, usually) for a first-order one; the node backward functions turn it off for themselves
(``_call_array``), the hooks ran in between with whatever the caller had.

**Fix:** ``run_backward`` sets grad mode to ``create_graph`` for the whole walk and restores the caller's afterwards.

**How this test catches it:** the same hooks on impl and torch record ``is_grad_enabled()`` and whether a product
with a parameter requires grad, for ``backward()``, ``autograd.grad`` and ``backward(create_graph=True)``; the
records must be equal, and grad mode must be the caller's again afterwards.

**Seen in:** found while developing (notes/bugs_found.md), comparing graph-node hooks with torch
(``property_tests/test_node_hooks.py``, 2026-12-02).

**Generic tests catch it too:** yes -- property_tests/test_node_hooks.py::test_grad_mode_inside_node_hooks_follows_create_graph
fails with the bug reintroduced (graph-node hooks run inside the same walk; measured with
`python -m regression.crosscheck --only 106 --suites property_tests/test_node_hooks.py`).
"""
import contextlib

from impl import _autograd
from regression._util import rewrite_source, swap_function

FAILS_WITH = r"grad mode in hooks"


@contextlib.contextmanager
def reintroduce(variant=None):
    # the old walk: a first-order backward kept the caller's grad mode
    walk = rewrite_source(_autograd.run_backward, ("_GradMode.enabled = create_graph  #",
                                                   "_GradMode.enabled = create_graph or prev  #"))
    with swap_function(_autograd.run_backward, walk):
        yield


def _record(lib, how):
    x = lib.tensor([1.0, -2.0], requires_grad=True)
    w = lib.tensor([0.5, 3.0], requires_grad=True)
    seen = []

    def note(where, g):
        seen.append((where, lib.is_grad_enabled(), (g * w).requires_grad))

    x.register_hook(lambda g: note("tensor hook", g))
    x.register_post_accumulate_grad_hook(lambda t: note("post-accumulate hook", t.grad))
    loss = (x * x * w).sum()
    if how == "grad":
        lib.autograd.grad(loss, [x])
    else:
        loss.backward(create_graph=(how == "create_graph"))
    seen.append(("after", lib.is_grad_enabled(), None))
    return seen


def guard():
    import torch

    import impl

    for how in ("backward", "grad", "create_graph"):
        mine, theirs = _record(impl, how), _record(torch, how)
        assert mine == theirs, f"grad mode in hooks, {how}: impl {mine}, torch {theirs}"


def test_guard():
    guard()
