"""Activation checkpointing (torch.utils.checkpoint.checkpoint): run a function without keeping its intermediate
tensors, and run it again during backward to get its gradients.

The forward runs under no_grad while a tape notes every tensor requiring grad that its ops read -- the function's
tensor arguments, the parameters and tensors it captures (a view made inside counts as its base). Each tensor output
becomes the output of one ``CheckpointBackward`` node whose inputs are those tensors, so gradients reach all of them
through the ordinary engine (``backward``, ``autograd.grad``, hooks, ``create_graph``), as torch's non-reentrant
checkpoint. The first of these nodes to run in a backward pass recomputes the function with grad mode on -- under
the random state the forward saw (``preserve_rng_state``), so dropout draws the same mask -- from stand-ins of the
tensor arguments (detached; under create_graph, recorded aliases), and each node takes the gradient of its own output
from that recomputed graph.

Divergences from torch, by design: outputs show ``CheckpointBackward`` as ``grad_fn`` (torch's non-reentrant
checkpoint shows the function's own last node); ``use_reentrant=True`` runs this same mechanism (torch's reentrant
variant refuses ``autograd.grad`` and needs an argument that requires grad); ``context_fn``, ``determinism_check``
and ``debug`` are accepted and ignored.
"""
from __future__ import annotations

import contextlib
import warnings

from .. import _autograd, _tape
from .. import random as _random
from .._autograd import _GradMode, apply
from .._tensor import Tensor

__all__ = ["checkpoint"]


class _Collect:
    """A tape (impl/_tape.py's ``record``) noting the tensors requiring grad that the forward's ops read; it passes
    every record on to the tape that was active, if any."""

    def __init__(self, outer):
        self.outer = outer
        self.seen = {}

    def record(self, name, inputs, out):
        for t in inputs:
            if t is None or not t.requires_grad:
                continue
            if _autograd._dead_view(t):  # a view made here under no_grad: its gradient belongs to its base
                t = t._base
            self.seen.setdefault(id(t), t)
        if self.outer is not None:
            self.outer.record(name, inputs, out)

    def record_backward(self, node, grad):
        if self.outer is not None:
            self.outer.record_backward(node, grad)


class _Recompute:
    """The function run again with grad mode on, once per backward pass, shared by the nodes of all its outputs."""

    def __init__(self, function, args, kwargs, inputs, rng_state, n_outputs):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.inputs, self.rng_state, self.n_outputs = inputs, rng_state, n_outputs
        self.outputs = None
        self.pending = 0

    def run(self, graph):
        if self.outputs is None:
            # First order: detached stand-ins, so the inner backward stops at the arguments. Under create_graph the
            # gradients must depend on the arguments themselves: recorded aliases (the inner walk then also runs
            # through the arguments' own history; its result is only read at the aliases).
            stand_in = {id(a): _stand_in(a, graph) for a in self.args if isinstance(a, Tensor)}
            args = tuple(stand_in.get(id(a), a) if isinstance(a, Tensor) else a for a in self.args)
            self.wrt = [stand_in.get(id(t), t) for t in self.inputs]
            prev_mode, prev_rng = _GradMode.enabled, None
            if self.rng_state is not None:
                prev_rng = _random.get_rng_state()
                _random.set_rng_state(self.rng_state)
            _GradMode.enabled = True
            try:
                out = self.function(*args, **self.kwargs)
            finally:
                _GradMode.enabled = prev_mode
                if prev_rng is not None:
                    _random.set_rng_state(prev_rng)
            self.outputs = _tensors(out)
            self.pending = self.n_outputs
        return self.outputs

    def grads(self, k, g):
        """Gradients of the checkpoint's inputs from output ``k`` with gradient ``g`` (an ndarray-backed Tensor
        in a first-order backward, a recorded Tensor under create_graph)."""
        graph = _GradMode.enabled  # the engine turns grad mode off for a first-order backward
        out = self.run(graph)[k]
        self.pending -= 1
        last = self.pending <= 0
        wanted = [(i, t) for i, t in enumerate(self.wrt) if t.requires_grad]
        res = [None] * len(self.wrt)
        if out.requires_grad and wanted:
            # Under create_graph the gradients' own history reaches into the recomputed graph: keep it.
            found = _autograd.run_backward((out,), (g if graph else g._data,), retain_graph=graph or not last,
                                           inputs=[t for _, t in wanted], create_graph=graph)
            for (i, _), gi in zip(wanted, found):
                res[i] = gi
        if last:
            self.outputs = None  # the next backward pass (retain_graph) recomputes
        return tuple(res)


def _stand_in(a, graph):
    if not graph:
        return a.detach().requires_grad_(a.requires_grad)
    prev = _GradMode.enabled
    _GradMode.enabled = True
    try:
        return a.view_as(a)
    finally:
        _GradMode.enabled = prev


def _tensors(out):
    return [o for o in ((out,) if isinstance(out, Tensor) else out) if isinstance(o, Tensor)]


def noop_context_fn():
    """torch.utils.checkpoint.noop_context_fn: no context around the forward and the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, early_stop=True, **kwargs):
    """``function(*args, **kwargs)`` without keeping its intermediate tensors; backward recomputes them
    (torch.utils.checkpoint.checkpoint). ``preserve_rng_state`` (default True) is taken from ``kwargs``, as torch's."""
    preserve_rng_state = kwargs.pop("preserve_rng_state", True)
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Refer to docs for "
            "more details on the differences between the two variants.", stacklevel=2)
    if not _GradMode.enabled:
        return function(*args, **kwargs)
    rng_state = _random.get_rng_state() if preserve_rng_state else None
    collect = _Collect(_tape.active)
    prev_mode, prev_tape = _GradMode.enabled, _tape.active
    _GradMode.enabled, _tape.active = False, collect
    try:
        out = function(*args, **kwargs)
    finally:
        _GradMode.enabled, _tape.active = prev_mode, prev_tape
    inputs = tuple(collect.seen.values())
    tensors = _tensors(out)
    if not inputs or not tensors:
        return out
    differentiable = [k for k, t in enumerate(tensors) if t._data.dtype.kind == "f"]
    recompute = _Recompute(function, args, kwargs, inputs, rng_state, len(differentiable))
    wrapped = {}
    for k in differentiable:
        wrapped[id(tensors[k])] = apply("CheckpointBackward", tensors[k]._data, inputs,
                                        lambda g, k=k: recompute.grads(k, g))
    if isinstance(out, Tensor):
        return wrapped.get(id(out), out)
    return type(out)(wrapped.get(id(o), o) if isinstance(o, Tensor) else o for o in out)
