"""Every view op x every in-place op, against torch (the ops are declared once in reference/view_ops.py).

A drawn program makes a base (a tensor without grad, a leaf that requires grad, or a non-leaf ``leaf * 1``), takes
one view or a chain of two views of it (optionally under no_grad), applies one in-place op to the base, the view
or the middle of the chain (optionally under no_grad), then takes a backward from a weighted sum of every tensor
of the chain. The same program runs on torch and on the library under test (impl by default; reference.targets);
they must agree on:

- where an exception is raised (making the views, the in-place op, the backward) and its class: torch refuses
  in-place on a view of a leaf that requires grad, on a view made under no_grad when grad mode is on, on one of
  several views returned together (unbind/split/chunk), and most writes to an expanded tensor;
- the values of the base and of every view afterwards (memory is shared exactly where torch's is);
- ``requires_grad``, ``is_leaf`` and ``_base`` of every tensor of the chain (``_base`` named by what it is: the
  base, the leaf, the middle view, something else or None), and whether a view op returned its input itself;
- the gradients of every leaf upstream (the base's leaf and the in-place op's tensor operand).

One divergence of impl is left out and counted (``view_flags_skipped``; for impl only): when a base without grad
gains requires_grad from an in-place op, torch's other views of it require grad at once, impl's when next used
(notes/bugs_found.md).
"""
from __future__ import annotations

import contextlib
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference import targets
from reference.view_ops import INPLACE_OPS, VIEW_OPS

pytestmark = [pytest.mark.reliability]

T = targets.current()  # the library under test; torch (targets.oracle()) is the reference

COUNTS: Counter = Counter()

# Each example runs a few dozen ops on tensors of at most 27 elements in both libraries (~15 ms); the profile's
# count per view op (25 in ci: 575 programs, ~9 s CPU serially) reaches every in-place op several times over, and
# the thorough profile's 300 per view op (~2 minutes) is for scheduled runs.
EXAMPLES_PER_VIEW = settings().max_examples


@dataclass
class Program:
    data: np.ndarray
    base_kind: str  # "plain" (no grad), "leaf" (requires grad) or "nonleaf" (leaf * 1)
    views: list  # [(ViewOp, params)], one or two: a chain
    views_no_grad: bool
    target: str  # "base", "view" (the last of the chain) or "mid" (the first of a chain of two)
    inplace: object  # InplaceOp
    inplace_params: object
    operand_requires_grad: bool
    inplace_no_grad: bool
    seed: int

    def __repr__(self):
        views = " -> ".join(f"{v.name}{p!r}" for v, p in self.views)
        return (f"Program(shape={self.data.shape}, base={self.base_kind}, views={views} "
                f"(no_grad={self.views_no_grad}), {self.inplace.name}{self.inplace_params!r} on {self.target} "
                f"(no_grad={self.inplace_no_grad}, operand requires_grad={self.operand_requires_grad}), "
                f"seed={self.seed})")


def _view_shape(vop, p, shape):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tuple(vop.make(torch.empty(shape), p).shape)


def _pick(draw, options):
    """One of ``options``, evenly: hypothesis's sampled_from favours the first ones (it shrinks towards them), and
    a derandomized run of a composite strategy then rarely reaches the end of a long list."""
    return options[np.random.default_rng(draw(st.integers(0, 2**63 - 1))).integers(len(options))]


RANK_KEEPING = ("transpose", "permute", "movedim", "narrow")


def _rarely():
    return st.integers(0, 5).map(lambda k: k == 5)


@st.composite
def programs(draw, first):
    """A program whose chain of views contains ``first`` (a ViewOp)."""
    shape = draw(st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple).filter(first.applies))
    data = np.random.default_rng(draw(st.integers(0, 2**16))).standard_normal(shape).astype(np.float32)
    views, cur = [], shape
    chain = [first]
    if draw(st.sampled_from([0, 0, 1, 2])) == 1 and shape:
        # after a view that keeps the rank (so ``first`` still applies) and breaks contiguity: view must refuse
        chain = [_pick(draw, [v for v in VIEW_OPS if v.name in RANK_KEEPING]), first]
    elif draw(st.booleans()):
        chain = [first, None]
    for vop in chain:
        if vop is None:
            vop = _pick(draw, [v for v in VIEW_OPS if v.applies(cur)])
        p = draw(vop.params(cur))
        try:
            nxt = _view_shape(vop, p, cur)
        except (RuntimeError, IndexError):  # e.g. a view of a non-contiguous view: still a program (both raise)
            views.append((vop, p))
            break
        views.append((vop, p))
        cur = nxt
        if 0 in cur:  # an empty view: nothing further to select in it
            break
    targets = ["base", "view", "view"] + (["mid"] if len(views) == 2 else [])
    target = draw(st.sampled_from(targets))
    return Program(
        data=data,
        # Mostly a non-leaf base: a leaf that requires grad refuses every in-place op, a base without grad has
        # gradients only through a tensor operand that requires grad.
        base_kind=draw(st.integers(0, 9).map(lambda k: "nonleaf" if k < 6 else "plain" if k < 8 else "leaf")),
        views=views,
        views_no_grad=draw(_rarely()),
        target=target,
        inplace=None,
        inplace_params=None,
        operand_requires_grad=draw(_rarely().map(lambda k: not k)),
        inplace_no_grad=draw(_rarely()),
        seed=draw(st.integers(0, 2**16)),
    )


def _no_grad(lib, on):
    return lib.no_grad() if on else contextlib.nullcontext()


def run(side, prog):
    """Run ``prog`` with ``side`` (a reference.targets Target: the oracle torch or the library under test). Returns
    what happened: the stage and class of the first exception, the values and flags of the chain, the gradients of
    the leaves."""
    lib = side.lib
    rng = np.random.default_rng(prog.seed)
    out = {"raised": None}
    stage = "views"
    try:
        x = lib.tensor(prog.data, requires_grad=prog.base_kind != "plain")
        base = x * 1 if prog.base_kind == "nonleaf" else x
        chain = [base]
        with _no_grad(lib, prog.views_no_grad), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for vop, p in prog.views:
                chain.append(vop.make(chain[-1], p))
        names = ["base", "mid", "view"] if len(chain) == 3 else ["base", "view"]
        named = dict(zip(names, chain))
        target = named[prog.target]
        stage = "inplace"
        o = None
        if prog.inplace.operand:
            o = lib.tensor(rng.standard_normal(tuple(target.shape)).astype(np.float32),
                           requires_grad=prog.operand_requires_grad)
        with _no_grad(lib, prog.inplace_no_grad):
            prog.inplace.make(lib, target, o, prog.inplace_params)
        stage = "state"
        labels = {id(x): "leaf", **{id(t): n for n, t in reversed(list(named.items()))}}
        out["values"] = {n: np.array(side.to_numpy(t), copy=True) for n, t in named.items()}
        out["flags"] = {n: (t.requires_grad, t.is_leaf) for n, t in named.items()}
        out["base_gained_grad"] = prog.base_kind == "plain" and base.requires_grad
        out["base_of"] = {n: None if side.view_base(t) is None else labels.get(id(side.view_base(t)), "other")
                          for n, t in named.items()}
        out["same_object"] = [chain[i] is chain[i - 1] for i in range(1, len(chain))]
        stage = "backward"
        weights = [rng.standard_normal(tuple(t.shape)).astype(np.float32) for t in chain]
        if any(t.requires_grad for t in chain):
            loss = sum((t * lib.tensor(w)).sum() for t, w in zip(chain, weights))
            loss.backward()
            leaves = {"x": x, "operand": o}
            out["grads"] = {n: None if t is None or t.grad is None else np.array(side.to_numpy(t.grad), copy=True)
                            for n, t in leaves.items() if t is not None and t.requires_grad and t.is_leaf}
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        out["raised"] = (stage, type(e))
        out["message"] = str(e)
    return out


def _compare_values(prog, want, got):
    for n, v in want["values"].items():
        np.testing.assert_allclose(got["values"][n], v, rtol=1.3e-6, atol=1e-5, err_msg=f"value of {n}\n{prog!r}")
    COUNTS["values"] += 1


def _compare(prog, want, got):
    where = f"\n{prog!r}"
    if want["raised"] or got["raised"]:
        assert got["raised"] == want["raised"], (
            f"exceptions differ: torch {want['raised']} ({want.get('message')}), {T.name} {got['raised']} "
            f"({got.get('message')}){where}")
        COUNTS["raises"] += 1
        if "values" in want and "values" in got:  # a refusal after the in-place op: what it wrote still counts
            _compare_values(prog, want, got)
        return
    _compare_values(prog, want, got)
    if want["base_gained_grad"] and T.known_divergences:
        # Divergence: when a base without grad gains requires_grad from an in-place op with an operand that
        # requires grad, torch's views of it require grad at once; impl's when next used (their gradients agree).
        want["flags"], got["flags"] = want["flags"]["base"], got["flags"]["base"]
        COUNTS["view_flags_skipped"] += 1
    assert got["flags"] == want["flags"], (
        f"(requires_grad, is_leaf) differ: torch {want['flags']}, {T.name} {got['flags']}{where}")
    assert got["base_of"] == want["base_of"], f"_base differs: torch {want['base_of']}, {T.name} {got['base_of']}{where}"
    assert got["same_object"] == want["same_object"], (
        f"view returned its input itself: torch {want['same_object']}, {T.name} {got['same_object']}{where}")
    COUNTS["bases"] += 1
    if "grads" in want:
        assert got.get("grads", {}).keys() == want["grads"].keys(), f"gradients taken differ{where}"
        for n, g in want["grads"].items():
            h = got["grads"][n]
            assert (h is None) == (g is None), (
                f"grad of {n}: torch {'None' if g is None else 'set'}, {T.name} {'None' if h is None else 'set'}{where}")
            if g is not None:
                np.testing.assert_allclose(h, g, rtol=1.3e-6, atol=1e-5, err_msg=f"grad of {n}{where}")
        COUNTS["grads"] += 1


@st.composite
def full_programs(draw, first):
    prog = draw(programs(first))
    shapes = {"base": prog.data.shape}
    cur = prog.data.shape
    try:
        for i, (vop, p) in enumerate(prog.views):
            cur = _view_shape(vop, p, cur)
            shapes["mid" if i == 0 and len(prog.views) == 2 else "view"] = cur
    except (RuntimeError, IndexError):
        shapes.setdefault("view", cur)
        shapes.setdefault("mid", cur)
    tshape = shapes.get(prog.target, cur)
    ops = [o for o in INPLACE_OPS if o.applies(tshape)]
    prog.inplace = _pick(draw, ops)
    prog.inplace_params = draw(prog.inplace.params(tshape))
    return prog


def _check_programs(first):
    @settings(max_examples=EXAMPLES_PER_VIEW, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                                     HealthCheck.data_too_large])
    @given(prog=full_programs(first))
    def check(prog):
        COUNTS["examples"] += 1
        for v, _ in prog.views:
            COUNTS["view:" + v.name] += 1
        COUNTS["inplace:" + prog.inplace.name] += 1
        _compare(prog, run(targets.oracle(), prog), run(T, prog))

    check()


def test_view_x_inplace_matches_torch():
    """One test for all view ops (each with its own hypothesis run), so that the counts below cover them all."""
    COUNTS.clear()
    for first in VIEW_OPS:
        _check_programs(first)
    n = COUNTS["examples"]
    assert n >= len(VIEW_OPS) * EXAMPLES_PER_VIEW // 2, f"only {n} examples ran"
    missing_views = [v.name for v in VIEW_OPS if not COUNTS["view:" + v.name]]
    missing_inplace = [o.name for o in INPLACE_OPS if not COUNTS["inplace:" + o.name]]
    assert not missing_views and not missing_inplace, f"never drawn: {missing_views + missing_inplace}"
    assert COUNTS["values"] >= n - COUNTS["raises"]
    # Most programs end in a backward whose gradients are compared; the rest raise (refusals) or have no grad.
    assert COUNTS["grads"] >= 0.5 * n, f"gradients checked in only {COUNTS['grads']} of {n} examples: {COUNTS}"
    assert COUNTS["raises"] >= 0.05 * n, f"refusals checked in only {COUNTS['raises']} of {n} examples"
