"""Fused kernels against their composites, first order (impl alone; derived from any OpSpec, nothing per op).

A fused op (``apply_fused`` in impl/_autograd.py) differentiates with a numpy closure and carries ``composite``:
the same op written with impl ops, which ``create_graph=True`` differentiates instead. Both must be the same
function: the composite's forward equals the kernel's output and the composite's VJP equals the numpy closure's,
else second derivatives would belong to a different op than the first ones.

``fused_nodes(outputs)``          every (output tensor, Node) of a fused op in the graph behind ``outputs``;
``check_composite(t, node, rng)`` composite forward == the kernel's output, composite VJP == the closure's VJP
                                  for a random cotangent, in the node's own dtype; returns entries compared;
``defined_in(node, folder)``      whether the node's closure was written in ``folder`` (a path fragment): which
                                  family owns the op.
"""
from __future__ import annotations

import numpy as np

import impl
from impl._autograd import unbroadcast
from reference.assertions import assert_close
from reference.opspec import DEFAULT_TOL


def fused_nodes(outputs):
    """[(tensor, node)] for every tensor in the graph of ``outputs`` whose grad_fn is a fused op (each node once)."""
    found, seen = [], set()
    stack = [o for o in outputs if isinstance(o, impl.Tensor) and o.grad_fn is not None]
    while stack:
        t = stack.pop()
        node = t.grad_fn
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.fused:
            found.append((t, node))
        stack.extend(i for i in node.inputs if i is not None and i.grad_fn is not None)
    return found


def defined_in(node, folder):
    code = getattr(node.backward, "__code__", None)
    return code is not None and folder in code.co_filename.replace("\\", "/")


def _leaf(t):
    """A fresh leaf with ``t``'s value: the composite runs on its own graph, away from the one under test."""
    if t is None:
        return None
    leaf = impl.Tensor._wrap(np.array(t._data, copy=True))
    if t.requires_grad and t._data.dtype.kind == "f":
        leaf.requires_grad_(True)
    return leaf


def check_composite(t, node, rng, what="") -> int:
    """The composite of ``node`` (whose output is ``t``) against the fused kernel: forward and VJP."""
    label = f"{what} {node.name}".strip()
    tol = DEFAULT_TOL.get(t._data.dtype.name, DEFAULT_TOL["float64"])
    leaves = [_leaf(i) for i in node.inputs]
    with impl.enable_grad():
        out = node.composite(*leaves)
    assert_close(out, t._data, tol["rtol"], tol["atol"], f"composite forward of {label}")
    n = t._data.size
    wrt = [k for k, x in enumerate(leaves) if x is not None and x.requires_grad]
    if not wrt or not t._data.size:
        return n
    if not out.requires_grad:
        raise AssertionError(f"[composite graph] {label}: the composite's output does not depend on the inputs "
                             f"{wrt} that the kernel differentiates")
    v = rng.standard_normal(t._data.shape).astype(t._data.dtype)
    fused = node.backward(v.copy())
    composite = impl.autograd.grad(out, [leaves[k] for k in wrt], impl.tensor(v), allow_unused=True)
    for k, c in zip(wrt, composite):
        shape, dtype = node.inputs[k]._data.shape, node.inputs[k]._data.dtype
        f = fused[k] if k < len(fused) else None
        f = np.zeros(shape, dtype) if f is None else np.asarray(unbroadcast(np.asarray(f), shape), dtype=dtype)
        c = np.zeros(shape, dtype) if c is None else c._data
        assert_close(c, f, tol["rtol"], tol["atol"], f"composite VJP of {label}", what=f"input {k}")
        n += f.size
    return n
