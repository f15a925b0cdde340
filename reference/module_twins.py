"""The module twin runner: one nn layer (or any module) built in torch and in the library under test (the current
target, reference.targets: impl by default) with identical weights, run on the same inputs, every output, input
gradient, parameter value and gradient, and buffer compared.

Used by the module, recurrent-layer and model tests. Tolerances: ``DEFAULT_TOL`` (torch.testing.assert_close's
defaults); float32 is judged by torch in float64 (``reference.twins.assert_close_judged``).

A build/call lambda receives a ``Lib``: ``TORCH`` (the oracle) or ``target_lib()`` (the library under test; also
reachable as ``TARGET``). ``IMPL`` is impl's ``Lib`` whatever the target, for tests that are about impl itself.
"""
import functools
import importlib

import numpy as np
import torch

from reference import targets
from reference.opspec import DEFAULT_TOL
from reference.samples import fraction
from reference.twins import (
    assert_close_judged,
    compare_state_dict_signatures,
    copy_state_dict,
    float64_judges,
    rounding_perturbed,
)

TOL = DEFAULT_TOL
NP = {"float32": np.float32, "float64": np.float64}
TORCH_DT = {"float32": torch.float32, "float64": torch.float64}


def flatten(out):
    """The tensors (and None entries) of a nested result, in order; a PackedSequence counts as its data."""
    if hasattr(out, "batch_sizes") and hasattr(out, "data"):
        return [out.data]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flatten(o)]
    return [out]


def examples(n):
    """``n`` per 25 of the active profile's examples, at least 2 (reference.samples.fraction)."""
    return fraction(n, at_least=2)


def submodule(lib, name: str):
    """``lib.<name>`` (e.g. "utils.data", "nn.utils.rnn"), imported where the library imports it lazily."""
    return importlib.import_module(f"{lib.__name__}.{name}")


class Lib:
    """What a build/call lambda needs from one library: its nn, functional and top-level namespace, and the
    ``Target`` (reference.targets) that reads its tensors. ``Lib("torch")``, ``Lib("impl")`` or ``Lib(target)``."""

    def __init__(self, target):
        self.target = targets.load(target) if isinstance(target, str) else target
        self.name = self.target.name
        self.top = self.target.lib
        self.nn = self.top.nn
        self.F = self.top.nn.functional
        self.rnn = submodule(self.top, "nn.utils.rnn")

    def tensor(self, array, requires_grad=False):
        """A tensor of this library holding a copy of ``array`` (its dtype kept)."""
        return self.target.tensor_from_numpy(np.asarray(array), requires_grad=requires_grad)

    def dtype(self, name):
        return self.target.dtype(name)

    def __repr__(self):
        return f"Lib({self.name!r})"


TORCH = Lib("torch")


@functools.cache
def _lib_of(target):
    return TORCH if target is TORCH.target else Lib(target)


def target_lib() -> Lib:
    """The ``Lib`` of the library under test (``reference.targets.current()``; ``TORCH`` itself for torch)."""
    return _lib_of(targets.current())


def __getattr__(name):  # TARGET and IMPL are built when first asked for (the target is chosen at pytest start-up)
    if name == "TARGET":
        return target_lib()
    if name == "IMPL":
        return _lib_of(targets.load("impl"))
    if name == "IMPL_DT":
        return {d: targets.load("impl").dtype(d) for d in ("float32", "float64")}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def perturb_weights(module, rng):
    """Move torch's parameters/float buffers off their init values (LayerNorm's ones, BN's 0/1 stats)."""
    with torch.no_grad():
        for p in module.parameters():
            p.add_(torch.from_numpy(rng.normal(0, 0.3, tuple(p.shape))).to(p.dtype))
        for name, b in module.named_buffers():
            if not b.is_floating_point():
                continue
            if name.endswith("running_var"):
                b.copy_(torch.from_numpy(rng.uniform(0.5, 2.0, tuple(b.shape))))
            elif name.endswith("running_mean"):
                b.copy_(torch.from_numpy(rng.normal(0, 0.5, tuple(b.shape))))


def run_twins(build, inputs, dtype, call=None, train=False, grad=None, perturb=True, steps=1, tol=None, seed=0,
              what="", judge=True, convert=(), build_dtype=None, inspect=None):
    """Build the twins (torch's and the target's), run ``steps`` forward+backward passes, compare everything.

    build(lib) -> module. inputs: list of numpy arrays (float arrays are cast to ``dtype``).
    grad: indices of inputs that require grad (default: every float input).
    call(module, tensors, lib) -> output, or nested tuples/lists of outputs (None entries allowed; a
    PackedSequence counts as its data; default module(*tensors)).
    judge: for float32, also run torch in float64 on the same (float32-representable) weights, inputs and
    cotangents, and let it settle elements where the target and torch differ by more than the tolerance
    (reference.twins.assert_close_judged: the target must then be within tolerance + 4x torch's own error).
    convert: Module methods (e.g. ("double",) or ("double", "float")) called on both twins after the state_dict
    copy: the twins are built in ``build_dtype`` (default ``dtype``) and must end up in ``dtype``.
    inspect(torch_module, target_module): called once on the freshly built twins, before anything runs (structure
    checks: repr, attributes).
    Returns the number of tensor comparisons made.
    """
    tol = tol or TOL[dtype]
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    start = build_dtype or dtype
    lib = target_lib()
    tmod = build(TORCH).to(TORCH_DT[start])
    imod = build(lib).to(lib.dtype(start))
    if inspect is not None:
        inspect(tmod, imod)
    if perturb:
        perturb_weights(tmod, rng)
    copy_state_dict(tmod, imod)
    for method in convert:
        assert getattr(tmod, method)() is tmod and getattr(imod, method)() is imod, f"[{what}] {method}() returns self"
    if convert:  # the conversion moved the same parameters/buffers to the same dtypes as torch's (int ones stay)
        problems = compare_state_dict_signatures(tmod, imod)
        assert not problems, f"[{what}] after {'/'.join(convert)}(): {problems}"
        assert all(p.dtype == TORCH_DT[dtype] for p in tmod.parameters()), f"[{what}] torch did not convert"
    # The float64 judge and its float32 noise floor (weights, and below inputs, nudged by one float32 rounding).
    prng = np.random.default_rng(seed + 1)  # its own stream: the cotangents stay those of rng
    jmod, pmod = float64_judges(tmod, prng) if (judge and dtype == "float32") else (None, None)
    for m in (tmod, imod, jmod, pmod):
        if m is not None:
            m.train(train)
    call = call or (lambda m, xs, lib: m(*xs))
    arrays = [np.asarray(a) for a in inputs]
    arrays = [a.astype(NP[dtype]) if a.dtype.kind == "f" else a for a in arrays]
    if grad is None:
        grad = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    repro = f"reproduce: {what} dtype={dtype} train={train} inputs={[a.shape for a in arrays]}"

    checked = 0

    def check(i_val, t_val, j_val, label, p_val=None):
        nonlocal checked
        checked += 1
        assert_close_judged(i_val, t_val, j_val, **tol, what=f"{what} {label}", reproducer=repro, perturbed=p_val)

    def as_tuple(o):
        return tuple(flatten(o))

    for step in range(steps):
        tx = [torch.from_numpy(a.copy()).requires_grad_(i in grad) for i, a in enumerate(arrays)]
        ix = [lib.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrays)]
        jx = [torch.from_numpy(a.astype(np.float64) if a.dtype.kind == "f" else a.copy()).requires_grad_(i in grad)
              for i, a in enumerate(arrays)] if jmod is not None else None
        px = [torch.from_numpy(rounding_perturbed(a, prng)).requires_grad_(i in grad)
              for i, a in enumerate(arrays)] if pmod is not None else None
        tout, iout = as_tuple(call(tmod, tx, TORCH)), as_tuple(call(imod, ix, lib))
        jout = as_tuple(call(jmod, jx, TORCH)) if jmod is not None else (None,) * len(tout)
        pout = as_tuple(call(pmod, px, TORCH)) if pmod is not None else (None,) * len(tout)
        assert len(tout) == len(iout), f"[{what}] number of outputs: {lib.name} {len(iout)} vs torch {len(tout)}"
        t_diff, i_diff, j_diff, p_diff, cots = [], [], [], [], []
        for k, (to, io, jo, po) in enumerate(zip(tout, iout, jout, pout)):
            assert (to is None) == (io is None), f"[{what}] output {k}: {lib.name} {io!r} vs torch {to!r}"
            if to is None:
                continue
            check(io, to, jo, f"step {step} forward output {k}", po)
            if to.requires_grad:
                assert io.requires_grad, f"[{what}] output {k} requires grad in torch but not in {lib.name}"
                c = rng.normal(size=tuple(to.shape)).astype(NP[dtype])
                t_diff.append(to)
                i_diff.append(io)
                j_diff.append(jo)
                p_diff.append(po)
                cots.append(c)
        if t_diff:
            torch.autograd.backward(t_diff, [torch.from_numpy(c) for c in cots])
            lib.top.autograd.backward(i_diff, [lib.tensor(c) for c in cots])
            for judge_diff in ((j_diff, p_diff) if jmod is not None else ()):
                torch.autograd.backward(judge_diff, [torch.from_numpy(c.astype(np.float64)) for c in cots])
        for i in grad:
            check(ix[i].grad, tx[i].grad, jx[i].grad if jx else None, f"step {step} grad of input {i}",
                  px[i].grad if px else None)
        tparams, iparams = dict(tmod.named_parameters()), dict(imod.named_parameters())
        jparams = dict(jmod.named_parameters()) if jmod is not None else {}
        pparams = dict(pmod.named_parameters()) if pmod is not None else {}
        assert list(tparams) == list(iparams), f"[{what}] parameter names: {lib.name} {list(iparams)} vs torch {list(tparams)}"
        for name, tp in tparams.items():
            ip, jp, pp = iparams[name], jparams.get(name), pparams.get(name)
            check(ip, tp, jp, f"step {step} parameter value {name}", pp)
            if tp.grad is None:
                assert ip.grad is None, f"[{what}] {name}.grad: torch None, {lib.name} has one"
            else:
                assert ip.grad is not None, f"[{what}] {name}.grad: {lib.name} None, torch has one"
                check(ip.grad, tp.grad, jp.grad if jp is not None else None, f"step {step} grad of parameter {name}",
                      pp.grad if pp is not None else None)
        tbufs, ibufs = dict(tmod.named_buffers()), dict(imod.named_buffers())
        jbufs = dict(jmod.named_buffers()) if jmod is not None else {}
        pbufs = dict(pmod.named_buffers()) if pmod is not None else {}
        assert list(tbufs) == list(ibufs), f"[{what}] buffer names: {lib.name} {list(ibufs)} vs torch {list(tbufs)}"
        for name, tb in tbufs.items():
            jb, pb = jbufs.get(name), pbufs.get(name)
            floating = jb is not None and jb.is_floating_point()
            check(ibufs[name], tb, jb if floating else None, f"step {step} buffer {name}", pb if floating else None)
    return checked
