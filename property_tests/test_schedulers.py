"""The library under test's optim.lr_scheduler (impl's by default; reference.targets) against
torch.optim.lr_scheduler.

The learning-rate sequence (get_last_lr(), and every group's whole dict: lr, initial_lr, and the momentum or
beta1 that CyclicLR and OneCycleLR cycle) over 50 steps equals torch's for hypothesis-drawn hyperparameters
and 1-3 parameter groups with different lrs; so do SequentialLR and ChainedScheduler over drawn children, and
ReduceLROnPlateau driven by a drawn metric sequence. Equality is exact: both sides evaluate the same Python-float
formulas in the same order, so any difference is a real divergence.
"""
import copy
import inspect
import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from reference import targets
from reference.module_twins import submodule

pytestmark = [pytest.mark.optim]

T = targets.current()  # the library under test; torch is the oracle
lib = T.lib
isched = submodule(lib, "optim.lr_scheduler")

N_STEPS = 50


class PowerLambda:
    """A callable object (not a function): LambdaLR's state_dict saves its __dict__, as torch's does."""

    def __init__(self, base):
        self.base = base

    def __call__(self, epoch):
        return self.base**epoch


LAMBDAS = {
    "power": lambda k: (lambda e: k**e),
    "inverse": lambda k: (lambda e: 1.0 / (1.0 + k * e)),
    "warmup": lambda k: (lambda e: min(1.0, (e + 1) / (1 + 20 * k))),
    "object": lambda k: PowerLambda(k),
}


SCHEDULERS = ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR", "LinearLR", "ConstantLR",
              "MultiplicativeLR", "PolynomialLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR"]
CHAINABLE = ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR", "LinearLR", "ConstantLR",
             "MultiplicativeLR", "PolynomialLR"]
MOMENTUM_CYCLING = ("CyclicLR", "OneCycleLR")  # they also write momentum (SGD) or beta1 (Adam) into the groups


def _per_group(draw, strategy, n_groups):
    """A scalar, or (sometimes) one value per param group."""
    return draw(st.one_of(strategy, st.lists(strategy, min_size=n_groups, max_size=n_groups)))


@st.composite
def sched_cases(draw, name=None, n_groups=None):
    """(scheduler name, kwargs spec, group lrs); the name is drawn too unless given. kwargs may carry '_opt',
    the optimizer class the twins use (SGD unless drawn)."""
    n_groups = n_groups or draw(st.integers(1, 3))
    lrs = [draw(st.floats(1e-4, 1.0)) for _ in range(n_groups)]
    name = name or draw(st.sampled_from(SCHEDULERS))
    if name == "StepLR":
        kw = dict(step_size=draw(st.integers(1, 15)), gamma=draw(st.floats(0.05, 1.0)))
    elif name == "MultiStepLR":
        kw = dict(milestones=draw(st.lists(st.integers(0, 60), max_size=6)), gamma=draw(st.floats(0.05, 1.0)))
    elif name == "ExponentialLR":
        kw = dict(gamma=draw(st.floats(0.8, 1.0)))
    elif name == "CosineAnnealingLR":
        kw = dict(T_max=draw(st.integers(1, 30)), eta_min=draw(st.one_of(st.just(0.0), st.floats(0.0, 1e-2))))
    elif name == "LinearLR":
        kw = dict(start_factor=draw(st.floats(0.01, 1.0)), end_factor=draw(st.floats(0.0, 1.0)),
                  total_iters=draw(st.integers(1, 20)))
    elif name == "ConstantLR":
        kw = dict(factor=draw(st.floats(0.01, 1.0)), total_iters=draw(st.integers(1, 20)))
    elif name == "PolynomialLR":
        kw = dict(total_iters=draw(st.integers(1, 30)), power=draw(st.floats(0.1, 3.0)))
    elif name == "CosineAnnealingWarmRestarts":
        kw = dict(T_0=draw(st.integers(1, 15)), T_mult=draw(st.integers(1, 3)),
                  eta_min=draw(st.one_of(st.just(0.0), st.floats(0.0, 1e-2))))
    elif name == "CyclicLR":
        kw = dict(base_lr=_per_group(draw, st.floats(1e-4, 0.1), n_groups),
                  max_lr=_per_group(draw, st.floats(0.1, 1.0), n_groups),
                  step_size_up=draw(st.integers(1, 15)), step_size_down=draw(st.one_of(st.none(), st.integers(1, 15))),
                  mode=draw(st.sampled_from(["triangular", "triangular2", "exp_range"])),
                  gamma=draw(st.floats(0.9, 1.0)), cycle_momentum=draw(st.booleans()),
                  base_momentum=draw(st.floats(0.5, 0.85)), max_momentum=draw(st.floats(0.85, 0.99)),
                  _opt=draw(st.sampled_from(["SGD", "Adam"])))
    elif name == "OneCycleLR":
        # at least N_STEPS + 1 steps: the resume test goes up to last_epoch 40 + 11; with N_STEPS + 1 the 50
        # steps of the sequence test end exactly on the schedule's last step
        steps = (dict(total_steps=draw(st.integers(N_STEPS + 1, N_STEPS + 30))) if draw(st.booleans())
                 else dict(epochs=draw(st.integers(5, 8)), steps_per_epoch=draw(st.integers(11, 12))))
        kw = dict(max_lr=_per_group(draw, st.floats(1e-3, 1.0), n_groups), **steps,
                  pct_start=draw(st.floats(0.05, 0.5)), anneal_strategy=draw(st.sampled_from(["cos", "linear"])),
                  cycle_momentum=draw(st.booleans()), base_momentum=draw(st.floats(0.5, 0.85)),
                  max_momentum=draw(st.floats(0.85, 0.99)), div_factor=draw(st.floats(2.0, 50.0)),
                  final_div_factor=draw(st.floats(10.0, 1e4)), three_phase=draw(st.booleans()),
                  _opt=draw(st.sampled_from(["SGD", "Adam"])))
    else:
        kinds = [draw(st.sampled_from(sorted(LAMBDAS))) for _ in range(n_groups)]
        ks = [draw(st.floats(0.5, 1.0)) if k in ("power", "object") else draw(st.floats(0.0, 1.0)) for k in kinds]
        if name == "MultiplicativeLR":  # a factor of 0 would end the sequence at once
            ks = [max(k, 0.5) for k in ks]
        per_group = draw(st.booleans()) or n_groups == 1
        kw = dict(lr_lambda=("per_group", kinds, ks) if per_group else ("single", kinds[0], ks[0]))
    return name, kw, lrs


def _kwargs(kw):
    """Fresh kwargs (lambdas are built anew for each side, so no object is shared between the twins)."""
    kw = {k: v for k, v in kw.items() if k != "_opt"}
    if "lr_lambda" in kw:
        mode, kinds, ks = kw["lr_lambda"]
        kw["lr_lambda"] = [LAMBDAS[k](v) for k, v in zip(kinds, ks)] if mode == "per_group" else LAMBDAS[kinds](ks)
    return kw


def _twins(lrs, opt="SGD"):
    ip = [T.tensor_from_numpy(np.zeros(2), requires_grad=True) for _ in lrs]
    tp = [torch.zeros(2, requires_grad=True) for _ in lrs]
    oi = getattr(lib.optim, opt)([{"params": [p], "lr": lr} for p, lr in zip(ip, lrs)], lr=0.1)
    ot = getattr(torch.optim, opt)([{"params": [p], "lr": lr} for p, lr in zip(tp, lrs)], lr=0.1)
    return oi, ot


def _groups(opt):
    return [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]


def _assert_same(si, st_, oi, ot, where):
    assert si.get_last_lr() == st_.get_last_lr(), f"{where}: get_last_lr {si.get_last_lr()} vs torch {st_.get_last_lr()}"
    assert _groups(oi) == _groups(ot), f"{where}: param groups {_groups(oi)} vs torch {_groups(ot)}"
    ei, et = getattr(si, "last_epoch", None), getattr(st_, "last_epoch", None)  # ChainedScheduler has none
    assert ei == et, f"{where}: last_epoch {ei} vs torch {et}"


def _step_both(pairs):
    for oi, ot, _, _ in pairs:
        oi.step()
        ot.step()
    for _, _, si, st_ in pairs:
        si.step()
        st_.step()


@pytest.mark.parametrize("sched", SCHEDULERS)
@given(data=st.data())
def test_lr_sequence_matches_torch(sched, data):
    name, kw, lrs = data.draw(sched_cases(sched), label="case")
    oi, ot = _twins(lrs, kw.get("_opt", "SGD"))
    si = getattr(isched, name)(oi, **_kwargs(kw))
    st_ = getattr(torch.optim.lr_scheduler, name)(ot, **_kwargs(kw))
    _assert_same(si, st_, oi, ot, "after construction")
    for s in range(N_STEPS):
        _step_both([(oi, ot, si, st_)])
        _assert_same(si, st_, oi, ot, f"step {s + 1}")


@given(a=sched_cases(), b=sched_cases())
def test_two_chained_schedulers_match_torch(a, b):
    """Two schedulers on one optimizer compose through the recursive (chainable) get_lr forms."""
    lrs = a[2]
    oi, ot = _twins(lrs, a[1].get("_opt", "SGD"))
    kb = b[1]
    if "lr_lambda" in kb and kb["lr_lambda"][0] == "per_group" and len(kb["lr_lambda"][1]) != len(lrs):
        kb = dict(lr_lambda=("single", kb["lr_lambda"][1][0], kb["lr_lambda"][2][0]))
    # per-group lists must match the first case's group count; a scalar does
    kb = {k: (v[0] if isinstance(v, list) and k != "milestones" else v) for k, v in kb.items()}
    s1i, s1t = getattr(isched, a[0])(oi, **_kwargs(a[1])), getattr(torch.optim.lr_scheduler, a[0])(ot, **_kwargs(a[1]))
    s2i, s2t = getattr(isched, b[0])(oi, **_kwargs(kb)), getattr(torch.optim.lr_scheduler, b[0])(ot, **_kwargs(kb))
    for s in range(N_STEPS):
        oi.step()
        ot.step()
        s1i.step()
        s1t.step()
        s2i.step()
        s2t.step()
        _assert_same(s2i, s2t, oi, ot, f"step {s + 1}")
        assert s1i.get_last_lr() == s1t.get_last_lr()


@pytest.mark.parametrize("sched", SCHEDULERS)
@given(data=st.data(), at=st.integers(0, 30))
def test_state_dict_round_trip(sched, data, at):
    """Save optimizer + scheduler after `at` steps, restore into fresh ones (scheduler built first, then the
    optimizer loaded, as torch's docs prescribe), continue: the sequence equals torch's uninterrupted one."""
    name, kw, lrs = data.draw(sched_cases(sched), label="case")
    oi, ot = _twins(lrs, kw.get("_opt", "SGD"))
    si = getattr(isched, name)(oi, **_kwargs(kw))
    st_ = getattr(torch.optim.lr_scheduler, name)(ot, **_kwargs(kw))
    for _ in range(at):
        _step_both([(oi, ot, si, st_)])
    sd_i, sd_t = si.state_dict(), st_.state_dict()
    assert sorted(sd_i) == sorted(sd_t), f"scheduler state_dict keys {sorted(sd_i)} vs torch {sorted(sd_t)}"
    for k in sd_t:
        if k != "lr_lambdas":
            assert sd_i[k] == sd_t[k], f"scheduler state_dict[{k!r}] {sd_i[k]} vs torch {sd_t[k]}"
    opt_sd = copy.deepcopy(oi.state_dict())

    oi2, _ = _twins([0.5] * len(lrs), kw.get("_opt", "SGD"))
    si2 = getattr(isched, name)(oi2, **_kwargs(kw))
    oi2.load_state_dict(opt_sd)
    si2.load_state_dict(copy.deepcopy(sd_i))
    for s in range(at, N_STEPS):
        oi2.step()
        ot.step()
        si2.step()
        st_.step()
        _assert_same(si2, st_, oi2, ot, f"step {s + 1} after reload")


@pytest.mark.parametrize("sched", SCHEDULERS)
@given(data=st.data(), last_epoch=st.integers(0, 40))
def test_resume_with_last_epoch_matches_torch(sched, data, last_epoch):
    """Constructing with last_epoch >= 0 (needs 'initial_lr' in the groups) takes torch's resume branches."""
    name, kw, lrs = data.draw(sched_cases(sched), label="case")
    oi, ot = _twins(lrs, kw.get("_opt", "SGD"))
    for g in oi.param_groups + ot.param_groups:
        g["initial_lr"] = g["lr"]
    if name in MOMENTUM_CYCLING:  # resuming also needs the group entries a first run of theirs writes
        getattr(isched, name)(oi, **_kwargs(kw))
        getattr(torch.optim.lr_scheduler, name)(ot, **_kwargs(kw))
    si = getattr(isched, name)(oi, last_epoch=last_epoch, **_kwargs(kw))
    st_ = getattr(torch.optim.lr_scheduler, name)(ot, last_epoch=last_epoch, **_kwargs(kw))
    _assert_same(si, st_, oi, ot, "after construction")
    for s in range(10):
        _step_both([(oi, ot, si, st_)])
        _assert_same(si, st_, oi, ot, f"step {s + 1}")


@pytest.mark.parametrize("name,kw", [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 2, 5], gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=1e-3)),
    ("LinearLR", dict(start_factor=0.25, total_iters=6)),
    ("PolynomialLR", dict(total_iters=7, power=1.7)),
    ("ConstantLR", dict(factor=0.3, total_iters=4)),
])
def test_step_with_epoch_uses_closed_form_like_torch(name, kw):
    oi, ot = _twins([0.1, 0.3])
    si, st_ = getattr(isched, name)(oi, **kw), getattr(torch.optim.lr_scheduler, name)(ot, **kw)
    for epoch in [1, 2, 5, 4, 9, 20]:
        oi.step()
        ot.step()
        with pytest.warns(UserWarning):
            si.step(epoch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            st_.step(epoch)
        for a, b in zip(si.get_last_lr(), st_.get_last_lr()):
            assert math.isclose(a, b, rel_tol=1e-15), (epoch, a, b)


@pytest.mark.parametrize("name", [n for n in torch.optim.lr_scheduler.__all__ if n != "LRScheduler"])
def test_constructor_and_step_signatures_match_torch(name):
    """Every scheduler torch exports exists, with torch's parameter names, order, kinds and defaults."""
    def sig(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]

    for method in ("__init__", "step"):
        ours, theirs = getattr(getattr(isched, name), method), getattr(getattr(torch.optim.lr_scheduler, name), method)
        assert sig(ours) == sig(theirs), f"{name}.{method}"


def test_warns_when_stepped_before_optimizer_like_torch():
    oi, ot = _twins([0.1])
    si, st_ = isched.StepLR(oi, 2), torch.optim.lr_scheduler.StepLR(ot, 2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        si.step()
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        st_.step()
    oi2, _ = _twins([0.1])
    si2 = isched.StepLR(oi2, 2)
    oi2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        si2.step()


def test_lambda_state_dict_saves_callable_objects_only():
    oi, ot = _twins([0.1, 0.2])
    si = isched.LambdaLR(oi, [PowerLambda(0.9), lambda e: 1.0])
    sd = si.state_dict()
    assert sd["lr_lambdas"] == [{"base": 0.9}, None]
    si2 = isched.LambdaLR(oi, [PowerLambda(0.5), lambda e: 1.0])
    si2.load_state_dict(sd)
    assert si2.lr_lambdas[0].base == 0.9


def test_errors_match_torch():
    for make in (
        lambda m, o: m.LinearLR(o, start_factor=0.0),
        lambda m, o: m.LinearLR(o, end_factor=1.5),
        lambda m, o: m.StepLR(o, 2, last_epoch=3),  # resuming without 'initial_lr'
        lambda m, o: m.LambdaLR(o, [lambda e: 1.0] * 3),
        lambda m, o: m.StepLR(object(), 2),
        lambda m, o: m.ReduceLROnPlateau(o, factor=1.0),
        lambda m, o: m.ReduceLROnPlateau(o, mode="sideways"),
        lambda m, o: m.ReduceLROnPlateau(o, min_lr=[0.0, 0.0]),
        lambda m, o: m.OneCycleLR(o, max_lr=0.1),  # neither total_steps nor epochs and steps_per_epoch
        lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1.5),
        lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="cubic"),
        lambda m, o: m.OneCycleLR(o, max_lr=[0.1, 0.2], total_steps=10),
        lambda m, o: m.CyclicLR(o, 0.01, 0.1, mode="sawtooth"),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
        lambda m, o: m.SequentialLR(o, [], milestones=[]),
        lambda m, o: m.SequentialLR(o, [m.StepLR(o, 2), m.StepLR(o, 3)], milestones=[]),
        lambda m, o: m.SequentialLR(o, [m.ReduceLROnPlateau(o)], milestones=[]),
        lambda m, o: m.ChainedScheduler([]),
    ):
        classes = []
        for m, o in ((isched, _twins([0.1])[0]), (torch.optim.lr_scheduler, _twins([0.1])[1])):
            with pytest.raises(Exception) as e:
                make(m, o)
            classes.append(e.type)
        assert classes[0] is classes[1], classes


# ---- schedulers of schedulers, and the metric-driven one ------------------------------------------------
def _children(cases, oi, ot):
    """Each case built twice, on the target's and on torch's optimizer, in order (the order matters: every
    constructor takes an initial step on the shared optimizer)."""
    si, st_ = [], []
    for name, kw, _ in cases:
        si.append(getattr(isched, name)(oi, **_kwargs(kw)))
        st_.append(getattr(torch.optim.lr_scheduler, name)(ot, **_kwargs(kw)))
    return si, st_


@st.composite
def composite_cases(draw):
    n_groups = draw(st.integers(1, 3))
    cases = [draw(sched_cases(draw(st.sampled_from(CHAINABLE)), n_groups=n_groups))
             for _ in range(draw(st.integers(1, 3)))]
    return cases, cases[0][2]


def _assert_state_dicts_equal(sd_i, sd_t, what):
    assert sorted(sd_i) == sorted(sd_t), f"{what}: keys {sorted(sd_i)} vs torch {sorted(sd_t)}"
    for k in sd_t:
        if k == "_schedulers":
            for n, (a, b) in enumerate(zip(sd_i[k], sd_t[k])):
                _assert_state_dicts_equal(a, b, f"{what}._schedulers[{n}]")
        elif k != "lr_lambdas":
            assert sd_i[k] == sd_t[k], f"{what}[{k!r}]: {sd_i[k]} vs torch {sd_t[k]}"


def _composite(sched, kind, optimizer, children, milestones):
    if kind == "SequentialLR":
        return sched.SequentialLR(optimizer, children, milestones=milestones)
    return sched.ChainedScheduler(children)


def _reloaded(kind, cases, milestones, si, oi):
    """A fresh target composite over fresh children on a fresh optimizer, built first and then loaded from ``oi``'s
    and ``si``'s state_dicts (torch's documented order): it must carry on where ``si`` stood."""
    sd, opt_sd = copy.deepcopy(si.state_dict()), copy.deepcopy(oi.state_dict())
    oi2, ot2 = _twins([0.5] * len(oi.param_groups))
    ci2, _ = _children(cases, oi2, ot2)
    si2 = _composite(isched, kind, oi2, ci2, milestones)
    oi2.load_state_dict(opt_sd)
    si2.load_state_dict(sd)
    return si2, oi2, ci2


@pytest.mark.parametrize("kind", ["SequentialLR", "ChainedScheduler"])
@given(data=st.data())
def test_composite_scheduler_matches_torch(kind, data):
    """SequentialLR (drawn milestones, including repeated and past-the-end ones) and ChainedScheduler over 1-3
    drawn chainable schedulers: the lr sequence over 50 steps and the nested state_dict equal torch's. At a drawn
    step the target's composite is saved and reloaded into fresh ones (children included), which carry on in
    lockstep with torch's uninterrupted run."""
    cases, lrs = data.draw(composite_cases(), label="children")
    oi, ot = _twins(lrs)
    ci, ct = _children(cases, oi, ot)
    milestones = sorted(data.draw(st.lists(st.integers(1, 60), min_size=len(cases) - 1, max_size=len(cases) - 1),
                                  label="milestones")) if kind == "SequentialLR" else None
    si, st_ = _composite(isched, kind, oi, ci, milestones), _composite(torch.optim.lr_scheduler, kind, ot, ct, milestones)
    reload_at = data.draw(st.integers(0, N_STEPS - 1), label="reload at")
    _assert_same(si, st_, oi, ot, "after construction")
    for s in range(N_STEPS):
        if s == reload_at:
            si, oi, ci = _reloaded(kind, cases, milestones, si, oi)
        _step_both([(oi, ot, si, st_)])
        _assert_same(si, st_, oi, ot, f"step {s + 1}")
        for n, (a, b) in enumerate(zip(ci, ct)):
            assert a.last_epoch == b.last_epoch, f"step {s + 1}: child {n} last_epoch {a.last_epoch} vs {b.last_epoch}"
    _assert_state_dicts_equal(si.state_dict(), st_.state_dict(), kind)


@st.composite
def plateau_cases(draw):
    n_groups = draw(st.integers(1, 3))
    lrs = [draw(st.floats(1e-3, 1.0)) for _ in range(n_groups)]
    min_lr = draw(st.one_of(st.just(0), st.floats(0.0, 1e-2),
                            st.lists(st.floats(0.0, 1e-2), min_size=n_groups, max_size=n_groups)))
    kw = dict(mode=draw(st.sampled_from(["min", "max"])), factor=draw(st.floats(0.05, 0.95)),
              patience=draw(st.integers(0, 6)), threshold=draw(st.sampled_from([0.0, 1e-4, 1e-2, 0.1])),
              threshold_mode=draw(st.sampled_from(["rel", "abs"])), cooldown=draw(st.integers(0, 4)), min_lr=min_lr,
              eps=draw(st.sampled_from([1e-8, 1e-3])))
    # metrics from a few levels, so plateaus (exact repeats) and small improvements both occur
    levels = draw(st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=6))
    metrics = draw(st.lists(st.sampled_from(levels), min_size=N_STEPS + 10, max_size=N_STEPS + 10))
    return kw, lrs, metrics


@given(case=plateau_cases(), save_at=st.integers(0, N_STEPS))
def test_reduce_lr_on_plateau_matches_torch(case, save_at):
    """A drawn metric sequence drives both; lrs, best, counters equal torch's at every step. Halfway (at a
    drawn step) the scheduler's state_dict (equal to torch's) is loaded into a fresh scheduler of the target, which
    then carries on in lockstep; some metrics are passed as 0-d tensors."""
    kw, lrs, metrics = case
    oi, ot = _twins(lrs)
    si, st_ = isched.ReduceLROnPlateau(oi, **kw), torch.optim.lr_scheduler.ReduceLROnPlateau(ot, **kw)
    for s, m in enumerate(metrics):
        if s == save_at:
            sd_i, sd_t = si.state_dict(), st_.state_dict()
            _assert_state_dicts_equal(sd_i, sd_t, "ReduceLROnPlateau")
            si = isched.ReduceLROnPlateau(oi, mode="max" if kw["mode"] == "min" else "min")
            si.load_state_dict(copy.deepcopy(sd_i))
        oi.step()
        ot.step()
        si.step(lib.tensor(m) if s % 3 == 0 else m)
        st_.step(torch.tensor(m) if s % 3 == 0 else m)
        _assert_same(si, st_, oi, ot, f"step {s + 1}")
        for attr in ("best", "num_bad_epochs", "cooldown_counter", "min_lrs"):
            assert getattr(si, attr) == getattr(st_, attr), f"step {s + 1}: {attr}"


@given(T_0=st.integers(1, 10), T_mult=st.integers(1, 3),
       epochs=st.lists(st.one_of(st.integers(0, 80), st.floats(0.0, 80.0)), min_size=1, max_size=12))
def test_warm_restarts_step_with_epoch_matches_torch(T_0, T_mult, epochs):
    """CosineAnnealingWarmRestarts.step(epoch) jumps (also to fractional epochs) by its own closed form."""
    oi, ot = _twins([0.1, 0.3])
    si = isched.CosineAnnealingWarmRestarts(oi, T_0, T_mult, eta_min=1e-3)
    st_ = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(ot, T_0, T_mult, eta_min=1e-3)
    for e in epochs:
        oi.step()
        ot.step()
        si.step(e)
        st_.step(e)
        _assert_same(si, st_, oi, ot, f"epoch {e}")
        assert (si.T_cur, si.T_i) == (st_.T_cur, st_.T_i)
