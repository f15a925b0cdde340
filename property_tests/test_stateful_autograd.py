"""A stateful differential fuzzer of the autograd API: hypothesis builds a small program and runs every step on
the library under test (impl by default; reference.targets) and torch at once, then compares everything
observable.

Rules: leaves with and without requires_grad (and values at loss clamps and ties), unary/binary/reduction ops,
in-place ops (also on tensors that do not require grad with operands that do: ``buf.add_(w)``, ``buf[i] = w``),
``detach`` (it shares the version counter), ``requires_grad_``, ops under ``no_grad``, ``retain_grad``, ``backward``
with and without ``retain_graph`` and ``inputs=`` (accumulating into ``.grad``), ``autograd.grad`` with its default
``retain_graph``, ``zero_`` / ``grad = None``, ``copy.deepcopy`` of tensors and of a module.
After every step: each variable's values, ``requires_grad``, ``is_leaf``, whether it has a ``grad_fn``, ``.grad``;
and every call either succeeds in both libraries or raises the same exception class in both.
"""
from __future__ import annotations

import copy

import numpy as np
import torch
from hypothesis import Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from reference import targets
from reference.assertions import assert_close

T = targets.current()  # the library under test; torch is the oracle
lib = T.lib

SHAPE = (2, 3)
TOL = dict(rtol=1e-10, atol=1e-12)
MAX_VARS = 12


class Pair:
    """The same tensor in both libraries (``i``: the target's, ``t``: torch's), how it was made (for failure
    messages), and whether it is a view made under no_grad (or a view of one)."""

    def __init__(self, i, t, how, no_grad_view=False):
        self.i, self.t, self.how, self.no_grad_view = i, t, how, no_grad_view

    def __repr__(self):
        return self.how


def _values(draw_kind, seed):
    rng = np.random.default_rng(seed)
    if draw_kind == "ties":  # repeated values: amax/max/sort-like ties
        return np.round(rng.standard_normal(SHAPE))
    if draw_kind == "clamp":  # probabilities within 1e-7 of 0 and 1
        return rng.choice([1e-8, 1e-7, 0.5, 1 - 1e-7, 1 - 1e-8], SHAPE)
    return rng.standard_normal(SHAPE)


UNARY = {
    "exp": lambda lib, x: x.exp(), "tanh": lambda lib, x: x.tanh(), "sin": lambda lib, x: x.sin(),
    "neg": lambda lib, x: -x, "sigmoid": lambda lib, x: x.sigmoid(), "relu": lambda lib, x: x.relu(),
    "abs": lambda lib, x: x.abs(), "square": lambda lib, x: x * x, "scale": lambda lib, x: x * 2.5,
    "amax": lambda lib, x: x.amax(dim=1, keepdim=True), "max": lambda lib, x: x.max(dim=0, keepdim=True)[0],
    "sum": lambda lib, x: x.sum(dim=0, keepdim=True), "mean": lambda lib, x: x.mean(dim=1, keepdim=True),
    "softmax": lambda lib, x: x.softmax(dim=-1), "transpose_back": lambda lib, x: x.t().t(),
    "view": lambda lib, x: x.view(3, 2).view(2, 3), "clone": lambda lib, x: x.clone(),
    "bce_near_clamp": lambda lib, x: lib.nn.functional.binary_cross_entropy(
        x.sigmoid().clamp(1e-7, 1 - 1e-7), lib.ones(SHAPE, dtype=lib.float64) * 0.25, reduction="none"),
}
BINARY = {
    "add": lambda lib, x, y: x + y, "sub": lambda lib, x, y: x - y, "mul": lambda lib, x, y: x * y,
    "maximum": lambda lib, x, y: lib.maximum(x, y), "where": lambda lib, x, y: lib.where(x > y, x, y),
}
INPLACE = {
    "add_": lambda lib, x, y: x.add_(y), "mul_": lambda lib, x, y: x.mul_(y), "sub_": lambda lib, x, y: x.sub_(y),
    "copy_": lambda lib, x, y: x.copy_(y), "zero_": lambda lib, x, y: x.zero_(),
    "setitem_row": lambda lib, x, y: x.__setitem__(0, y[1]), "iadd": lambda lib, x, y: x.__iadd__(y),
    "clamp_": lambda lib, x, y: x.clamp_(-0.5, 0.5),
}


def _same_outcome(fi, ft, what):
    """Run both; the same exception class or both succeed. Returns (target's result, torch's result, raised)."""
    ei = et = None
    ri = rt = None
    try:
        rt = ft()
    except Exception as e:  # noqa: BLE001 - any torch exception is a behaviour impl must reproduce
        et = e
    try:
        ri = fi()
    except Exception as e:  # noqa: BLE001
        ei = e
    if (ei is None) != (et is None):
        raise AssertionError(f"{what}: torch {'raised ' + type(et).__name__ + ': ' + str(et) if et else 'succeeded'}, "
                             f"{T.name} {'raised ' + type(ei).__name__ + ': ' + str(ei) if ei else 'succeeded'}")
    if ei is not None and type(ei).__name__ != type(et).__name__:
        raise AssertionError(f"{what}: torch raised {type(et).__name__} ({et}), {T.name} {type(ei).__name__} ({ei})")
    return ri, rt, ei is not None


class AutogradMachine(RuleBasedStateMachine):
    vars = Bundle("vars")

    def __init__(self):
        super().__init__()
        self.pairs = []
        self.steps = []

    def _add(self, i, t, how, no_grad_view=False):
        p = Pair(i, t, how, no_grad_view)
        self.pairs.append(p)
        self.steps.append(how)
        return p

    @precondition(lambda self: len(self.pairs) < MAX_VARS)
    @rule(target=vars, kind=st.sampled_from(["normal", "normal", "ties", "clamp"]), seed=st.integers(0, 2**16),
          requires_grad=st.booleans())
    def leaf(self, kind, seed, requires_grad):
        a = _values(kind, seed)
        return self._add(T.tensor_from_numpy(a, requires_grad=requires_grad), torch.tensor(a, requires_grad=requires_grad),
                         f"leaf({kind}, seed={seed}, requires_grad={requires_grad})")

    @precondition(lambda self: len(self.pairs) < MAX_VARS)
    @rule(target=vars, x=vars, op=st.sampled_from(sorted(UNARY)), no_grad=st.booleans())
    def unary(self, x, op, no_grad):
        f = UNARY[op]

        def run(lib, t):
            if no_grad:
                with lib.no_grad():
                    return f(lib, t)
            return f(lib, t)

        ri, rt, raised = _same_outcome(lambda: run(lib, x.i), lambda: run(torch, x.t), f"{op}({x})")
        if raised:
            return self._add(x.i, x.t, f"{x} (after a refused {op})")
        # torch's view of a view made under no_grad inherits that creation mode
        no_grad_view = rt._base is not None and (no_grad or x.no_grad_view)
        return self._add(ri, rt, f"{op}({x}{', no_grad' if no_grad else ''})", no_grad_view)

    @precondition(lambda self: len(self.pairs) < MAX_VARS)
    @rule(target=vars, x=vars, y=vars, op=st.sampled_from(sorted(BINARY)))
    def binary(self, x, y, op):
        f = BINARY[op]
        ri, rt, raised = _same_outcome(lambda: f(lib, x.i, y.i), lambda: f(torch, x.t, y.t), f"{op}({x}, {y})")
        if raised:
            return self._add(x.i, x.t, f"{x} (after a refused {op})")
        return self._add(ri, rt, f"{op}({x}, {y})")

    def _has_no_grad_view(self, x):
        """Whether ``x`` or its base has a view made under no_grad while the base requires grad: after an in-place op
        on it, torch raises on reading that view's ``is_leaf``/``grad_fn``, which the invariant reads (impl's
        attributes cannot raise; impl raises when the view is used in an op, as torch does: regression 068)."""
        base = x.t._base if x.t._base is not None else x.t
        return base.requires_grad and any(p.no_grad_view and p.t._base is base for p in self.pairs)

    @rule(x=vars, y=vars, op=st.sampled_from(sorted(INPLACE)), no_grad=st.booleans())
    def inplace(self, x, y, op, no_grad):
        if self._has_no_grad_view(x):
            event("in-place on a tensor with a no_grad view: skipped")
            return
        f = INPLACE[op]

        def run(lib, a, b):
            if no_grad:
                with lib.no_grad():
                    f(lib, a, b)
            else:
                f(lib, a, b)

        self.steps.append(f"{op}({x}, {y}{', no_grad' if no_grad else ''})")
        _same_outcome(lambda: run(lib, x.i, y.i), lambda: run(torch, x.t, y.t), self.steps[-1])

    @precondition(lambda self: len(self.pairs) < MAX_VARS)
    @rule(target=vars, x=vars)
    def detach(self, x):
        return self._add(x.i.detach(), x.t.detach(), f"detach({x})")

    @rule(x=vars, flag=st.booleans())
    def requires_grad_(self, x, flag):
        # For impl not on a view or a tensor that has views: torch's view reads its base's requires_grad at every
        # access, impl's is fixed when the view is made (a documented divergence, notes/bugs_found.md).
        if T.known_divergences and (x.t._base is not None or any(p.t._base is x.t for p in self.pairs)):
            event("requires_grad_ on a view or a view's base: skipped")
            return
        self.steps.append(f"{x}.requires_grad_({flag})")
        _same_outcome(lambda: x.i.requires_grad_(flag), lambda: x.t.requires_grad_(flag), self.steps[-1])

    @rule(x=vars)
    def retain_grad(self, x):
        self.steps.append(f"{x}.retain_grad()")
        _same_outcome(lambda: x.i.retain_grad(), lambda: x.t.retain_grad(), self.steps[-1])

    @rule(x=vars, seed=st.integers(0, 2**16), retain=st.booleans(), use_inputs=st.booleans())
    def backward(self, x, seed, retain, use_inputs):
        ct = np.random.default_rng(seed).standard_normal(tuple(x.t.shape))
        leaves = [p for p in self.pairs if p.t.requires_grad and p.t.is_leaf][:2]
        kw_i, kw_t = {}, {}
        if use_inputs and leaves:
            kw_i, kw_t = {"inputs": [p.i for p in leaves]}, {"inputs": [p.t for p in leaves]}
        self.steps.append(f"{x}.backward(retain_graph={retain}, inputs={leaves if kw_i else None})")
        _same_outcome(lambda: x.i.backward(T.tensor_from_numpy(ct), retain_graph=retain, **kw_i),
                      lambda: x.t.backward(torch.tensor(ct), retain_graph=retain, **kw_t), self.steps[-1])

    @rule(x=vars, y=vars, seed=st.integers(0, 2**16), retain=st.sampled_from([None, True, False]))
    def autograd_grad(self, x, y, seed, retain):
        ct = np.random.default_rng(seed).standard_normal(tuple(x.t.shape))
        self.steps.append(f"autograd.grad({x}, {y}, retain_graph={retain})")
        ri, rt, raised = _same_outcome(
            lambda: lib.autograd.grad(x.i, y.i, T.tensor_from_numpy(ct), retain_graph=retain, allow_unused=True),
            lambda: torch.autograd.grad(x.t, y.t, torch.tensor(ct), retain_graph=retain, allow_unused=True),
            self.steps[-1])
        if not raised:
            a, b = ri[0], rt[0]
            assert (a is None) == (b is None), f"{self.steps[-1]}: {T.name} {a}, torch {b}"
            if a is not None:
                assert_close(a, b, check="autograd.grad", what=" -> ".join(self.steps), **TOL)

    @rule(x=vars, to_none=st.booleans())
    def zero_grad(self, x, to_none):
        self.steps.append(f"{x}.grad {'= None' if to_none else '.zero_()'}")
        for t in (x.i, x.t):
            if to_none:
                t.grad = None
            elif t.grad is not None:
                t.grad.zero_()

    @precondition(lambda self: len(self.pairs) < MAX_VARS)
    @rule(target=vars, x=vars)
    def deepcopy(self, x):
        ri, rt, raised = _same_outcome(lambda: copy.deepcopy(x.i), lambda: copy.deepcopy(x.t), f"deepcopy({x})")
        if raised:
            return self._add(x.i, x.t, f"{x} (after a refused deepcopy)")
        return self._add(ri, rt, f"deepcopy({x})")

    @rule(frozen=st.booleans())
    def deepcopy_module(self, frozen):
        torch.manual_seed(0)
        tm = torch.nn.Linear(3, 2).double()
        im = lib.nn.Linear(3, 2).double()
        with lib.no_grad():
            for (_, pi), (_, pt) in zip(im.named_parameters(), tm.named_parameters()):
                pi.copy_(T.tensor_from_numpy(pt.detach().numpy()))
        if frozen:
            tm.weight.requires_grad_(False)
            im.weight.requires_grad_(False)
        ci, ct = copy.deepcopy(im), copy.deepcopy(tm)
        for (n, a), (_, b) in zip(ci.named_parameters(), ct.named_parameters()):
            assert a.requires_grad == b.requires_grad, f"deepcopy of a module: {n}.requires_grad {T.name} {a.requires_grad}"
            assert type(a).__name__ == type(b).__name__ == "Parameter", f"deepcopy of a module: {n} is {type(a)}"
            assert_close(a.detach(), b.detach(), check=f"deepcopy of a module: {n}", **TOL)
        x = np.arange(6.0).reshape(2, 3)
        ci(T.tensor_from_numpy(x)).sum().backward()
        ct(torch.tensor(x)).sum().backward()
        for (n, a), (_, b) in zip(ci.named_parameters(), ct.named_parameters()):
            assert (a.grad is None) == (b.grad is None), f"deepcopied module: {n}.grad {T.name} {a.grad} torch {b.grad}"
        assert im.weight.grad is None, "backward through the copy reached the original module"

    @invariant()
    def everything_observable_agrees(self):
        where = " -> ".join(self.steps[-6:])
        for p in self.pairs:
            i, t = p.i, p.t
            assert i.requires_grad == t.requires_grad, f"{p}: requires_grad {T.name} {i.requires_grad} ({where})"
            assert i.is_leaf == t.is_leaf, f"{p}: is_leaf {T.name} {i.is_leaf}, torch {t.is_leaf} ({where})"
            assert (i.grad_fn is None) == (t.grad_fn is None), f"{p}: grad_fn {T.name} {i.grad_fn} torch {t.grad_fn}"
            assert_close(i.detach(), t.detach(), check=f"values of {p}", what=where, **TOL)
            assert (i.grad is None) == (t.grad is None), f"{p}: .grad {T.name} {i.grad}, torch {t.grad} ({where})"
            if i.grad is not None:
                assert_close(i.grad, t.grad, check=f".grad of {p}", what=where, **TOL)


# Each step runs both libraries and compares every variable: ci runs 8 programs of up to 20 steps, thorough 60.
# No shrinking under ci: a failure is reported as found (shrinking a 20-step program takes minutes).
AutogradMachine.TestCase.settings = settings(
    settings.default, stateful_step_count=20, max_examples=max(8, settings.default.max_examples // 5),
    phases=[p for p in Phase if p is not Phase.shrink] if settings.default.derandomize else list(Phase))
TestAutogradMachine = AutogradMachine.TestCase
