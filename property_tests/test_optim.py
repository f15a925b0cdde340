"""The library under test's optim (impl.optim by default; reference.targets) against torch.optim (single-tensor
path, foreach=False).

Twins: identical parameters (several shapes incl. 0-d and size-0, split over 1-3 parameter groups with their own
hyperparameters) and identical gradient sequences (a seeded numpy generator; some steps leave a parameter's
``.grad`` as None, which both libraries must skip). After EVERY one of 20 steps the parameters and the whole
per-parameter optimizer state (keys in torch's order, dtypes, values; 'step' exactly) must agree. Halfway
through, each group's lr is changed on both sides, as a scheduler would.

LBFGS, which steps with a closure over one flattened vector, has its own twins in test_optim_lbfgs.py.

Tolerances: torch.testing.assert_close defaults (float32 rtol 1.3e-6 atol 1e-5, float64 rtol 1e-7 atol 1e-7).
Remaining float32 differences are ulp-level: torch's CPU kernels fuse multiply-adds (add with alpha, addcmul,
lerp) into FMAs and its vectorised float32 sqrt is not always correctly rounded; impl rounds each numpy op.
"""
import copy
import inspect
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import targets
from reference.opspec import DEFAULT_TOL
from reference.samples import fraction

pytestmark = [pytest.mark.optim]

T = targets.current()  # the library under test; torch is the oracle
lib = T.lib

TOL = DEFAULT_TOL
NP_DTYPE = {"float32": np.float32, "float64": np.float64}
SHAPES = [(), (1,), (5,), (2, 3), (0,), (3, 1, 2)]
N_STEPS = 20


def examples(n):
    """``n`` per 25 of the active profile's examples, at least 2 (reference.samples.fraction)."""
    return fraction(n, at_least=2)
OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam", "Adadelta", "ASGD"]

# ---- hyperparameter strategies (per group; every flag drawn) -----------------------------------
_lr = st.floats(1e-4, 0.3)
_wd = st.one_of(st.just(0.0), st.floats(0.0, 0.2))
_eps = st.sampled_from([1e-10, 1e-8, 1e-6, 1e-3])


@st.composite
def _sgd(draw):
    nesterov = draw(st.booleans())
    momentum = draw(st.floats(0.05, 0.95)) if nesterov else draw(st.one_of(st.just(0.0), st.floats(0.0, 0.95)))
    dampening = 0.0 if nesterov else draw(st.one_of(st.just(0.0), st.floats(0.0, 0.9)))
    return dict(lr=draw(_lr), momentum=momentum, dampening=dampening, weight_decay=draw(_wd), nesterov=nesterov,
                maximize=draw(st.booleans()))


@st.composite
def _adam(draw, default_wd=0.0):
    return dict(lr=draw(st.floats(1e-4, 0.1)), betas=(draw(st.floats(0.0, 0.99)), draw(st.floats(0.5, 0.9999))),
                eps=draw(_eps), weight_decay=draw(_wd), amsgrad=draw(st.booleans()), maximize=draw(st.booleans()))


@st.composite
def _rmsprop(draw):
    return dict(lr=draw(st.floats(1e-4, 0.05)), alpha=draw(st.floats(0.5, 0.999)), eps=draw(_eps),
                weight_decay=draw(_wd), momentum=draw(st.one_of(st.just(0.0), st.floats(0.0, 0.9))),
                centered=draw(st.booleans()), maximize=draw(st.booleans()))


@st.composite
def _adagrad(draw):
    return dict(lr=draw(st.floats(1e-4, 0.5)), lr_decay=draw(st.one_of(st.just(0.0), st.floats(0.0, 0.1))),
                weight_decay=draw(_wd), initial_accumulator_value=draw(st.one_of(st.just(0.0), st.floats(0.0, 1.0))),
                eps=draw(_eps), maximize=draw(st.booleans()))


@st.composite
def _adamax(draw):
    return dict(lr=draw(st.floats(1e-4, 0.1)), betas=(draw(st.floats(0.0, 0.99)), draw(st.floats(0.5, 0.9999))),
                eps=draw(_eps), weight_decay=draw(_wd), maximize=draw(st.booleans()))


@st.composite
def _nadam(draw):
    return dict(**draw(_adamax()), momentum_decay=draw(st.one_of(st.just(4e-3), st.floats(0.0, 0.05))),
                decoupled_weight_decay=draw(st.booleans()))


@st.composite
def _radam(draw):
    # beta2 from 0.5 (rho_inf = 3: never rectified) to 0.9999 (rectified after a few steps): both branches
    return dict(**draw(_adamax()), decoupled_weight_decay=draw(st.booleans()))


@st.composite
def _adadelta(draw):
    return dict(lr=draw(st.floats(1e-2, 2.0)), rho=draw(st.floats(0.0, 0.99)), eps=draw(_eps),
                weight_decay=draw(_wd), maximize=draw(st.booleans()))


@st.composite
def _asgd(draw):
    # t0 within the 20 steps switches the running average from a copy to a true average (mu < 1) mid-run
    return dict(lr=draw(st.floats(1e-4, 0.1)), lambd=draw(st.one_of(st.just(1e-4), st.floats(0.0, 0.5))),
                alpha=draw(st.floats(0.0, 1.0)), t0=draw(st.sampled_from([0.0, 3.0, 12.5, 1e6])),
                weight_decay=draw(_wd), maximize=draw(st.booleans()))


HYPER = {"SGD": _sgd(), "Adam": _adam(), "AdamW": _adam(), "RMSprop": _rmsprop(), "Adagrad": _adagrad(),
         "Adamax": _adamax(), "NAdam": _nadam(), "RAdam": _radam(), "Adadelta": _adadelta(), "ASGD": _asgd()}


@st.composite
def setups(draw, name):
    """Shapes, a split into groups, constructor kwargs and per-group overrides, and a gradient seed."""
    shapes = draw(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=4))
    n_groups = draw(st.integers(1, min(3, len(shapes))))
    bounds = sorted(draw(st.lists(st.integers(1, len(shapes) - 1), min_size=n_groups - 1, max_size=n_groups - 1,
                                  unique=True))) if n_groups > 1 else []
    cuts = [0] + bounds + [len(shapes)]
    groups = [list(range(a, b)) for a, b in zip(cuts[:-1], cuts[1:])]
    defaults = draw(HYPER[name])
    overrides = [draw(st.one_of(st.just({}), HYPER[name])) for _ in groups]
    for o in overrides:  # torch reads Adagrad's initial_accumulator_value from the defaults only
        o.pop("initial_accumulator_value", None)
    return dict(shapes=shapes, groups=groups, defaults=defaults, overrides=overrides,
                seed=draw(st.integers(0, 2**31 - 1)), none_prob=draw(st.sampled_from([0.0, 0.2])))


# ---- twin helpers ------------------------------------------------------------------------------
def _make_params(setup, dtype):
    rng = np.random.default_rng(setup["seed"])
    arrs = [rng.standard_normal(s).astype(NP_DTYPE[dtype]) for s in setup["shapes"]]
    return [T.tensor_from_numpy(a, requires_grad=True) for a in arrs], [torch.tensor(a, requires_grad=True) for a in arrs]


def _groups(setup, params):
    return [{"params": [params[i] for i in idx], **ov} for idx, ov in zip(setup["groups"], setup["overrides"])]


def _build(name, setup, ip, tp):
    io = getattr(lib.optim, name)(_groups(setup, ip), foreach=False, **setup["defaults"])
    to = getattr(torch.optim, name)(_groups(setup, tp), foreach=False, **setup["defaults"])
    return io, to


def _grad_sequence(setup, dtype, n=N_STEPS):
    """One list per step: an array per parameter, or None (that parameter gets no gradient this step)."""
    rng = np.random.default_rng(setup["seed"] + 1)
    seq = []
    for _ in range(n):
        seq.append([None if rng.random() < setup["none_prob"] else
                    (rng.standard_normal(s) * 2.0).astype(NP_DTYPE[dtype]) for s in setup["shapes"]])
    return seq


def _set_grads(params, grads, side):
    """side: "target" (the library under test) or "torch"."""
    for p, g in zip(params, grads):
        p.grad = None if g is None else (T.tensor_from_numpy(g) if side == "target" else torch.tensor(g))


def _np(x):
    if T.is_tensor(x):
        return np.asarray(T.to_numpy(x))
    return x.detach().numpy()


def _dt(t):
    return str(t.dtype).split(".")[-1]


def _close(a, b, dtype, what):
    a, b = np.asarray(a), np.asarray(b)
    tol = TOL[dtype]
    if a.shape == b.shape and a.dtype == b.dtype and (np.abs(a - b) <= tol["atol"] + tol["rtol"] * np.abs(b)).all():
        return  # assert_close's own criterion, ~100x cheaper; NaN and inf fall through to assert_close itself
    torch.testing.assert_close(torch.from_numpy(np.array(a)), torch.from_numpy(np.array(b)), **TOL[dtype], msg=lambda m: f"{what}: {m}")


def assert_same(ip, tp, io, to, dtype, where):
    """Parameters and the whole per-parameter state of the twins agree."""
    for i, (a, b) in enumerate(zip(ip, tp)):
        assert _dt(a) == _dt(b), f"{where}: param {i} dtype {_dt(a)} vs torch {_dt(b)}"
        _close(_np(a), _np(b), dtype, f"{where}: param {i} {tuple(b.shape)}")
        si, stt = io.state.get(a, {}), to.state.get(b, {})
        assert list(si) == list(stt), f"{where}: param {i} state keys {list(si)} vs torch {list(stt)}"
        for k in stt:
            vi, vt = si[k], stt[k]
            if vt is None:
                assert vi is None, f"{where}: param {i} state[{k!r}] should be None"
                continue
            assert T.is_tensor(vi), f"{where}: param {i} state[{k!r}] is {type(vi)}"
            assert _dt(vi) == _dt(vt), f"{where}: param {i} state[{k!r}] dtype {_dt(vi)} vs torch {_dt(vt)}"
            if k == "step":
                assert float(vi) == float(vt), f"{where}: param {i} step {float(vi)} vs {float(vt)}"
            else:
                _close(_np(vi), _np(vt), dtype, f"{where}: param {i} state[{k!r}]")


def _run(ip, tp, io, to, grads, dtype, start=0, check=True, lr_change_at=10):
    for s, gs in enumerate(grads, start):
        if s == lr_change_at:
            for gi, gt in zip(io.param_groups, to.param_groups):
                gi["lr"] *= 0.5
                gt["lr"] *= 0.5
        _set_grads(ip, gs, "target")
        _set_grads(tp, gs, "torch")
        io.step()
        to.step()
        if check:
            assert_same(ip, tp, io, to, dtype, f"step {s + 1}")


# ---- the differential tests ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", OPTIMIZERS)
@given(data=st.data())
def test_optimizer_matches_torch_every_step(name, dtype, data):
    setup = data.draw(setups(name), label="setup")
    ip, tp = _make_params(setup, dtype)
    io, to = _build(name, setup, ip, tp)
    assert_same(ip, tp, io, to, dtype, "after construction")
    _run(ip, tp, io, to, _grad_sequence(setup, dtype), dtype)


def _bitwise_differences(params_a, params_b, opt_a, opt_b):
    """What differs, bit for bit, between two twins of one library: parameters and every state tensor (empty when
    identical)."""
    out = [f"param {i}" for i, (a, b) in enumerate(zip(params_a, params_b)) if not np.array_equal(_np(a), _np(b))]
    for i, (pa, pb) in enumerate(zip(params_a, params_b)):
        sa, sb = opt_a.state.get(pa, {}), opt_b.state.get(pb, {})
        out += [f"param {i} state {k}" for k in sa
                if not np.array_equal(_np(sa[k]), _np(sb[k])) or _dt(sa[k]) != _dt(sb[k])]
    return out


# 10 per 25 of the profile's examples (8 under ci): this runs five twins per example, and the update arithmetic is already
# drawn 25 times per dtype above; what is new here (save, load, cast) depends on the state's structure, which
# the drawn flags vary, far more than on the values.
@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=examples(10))
@given(data=st.data())
def test_state_dict_round_trip(name, data):
    """Save after 5 steps, load into a fresh optimizer over fresh parameters (built with other hyperparameters,
    which the load overrides), continue. The reloaded runs equal torch's reloaded run, whether impl loaded its
    own dict or torch's; the saved dict has torch's structure; and wherever torch's reloaded run is bit for bit
    its uninterrupted one, impl's is too. (It is not always: torch casts every floating state tensor but 'step'
    to the parameter's dtype on load, e.g. NAdam's float32 mu_product of a float64 parameter.)"""
    dtype = data.draw(st.sampled_from(["float32", "float64"]), label="dtype")
    setup = data.draw(setups(name), label="setup")
    grads = _grad_sequence(setup, dtype)
    ip, tp = _make_params(setup, dtype)
    io, to = _build(name, setup, ip, tp)
    _run(ip, tp, io, to, grads[:5], dtype, check=False)

    sd_i, sd_t = io.state_dict(), to.state_dict()
    assert sd_i["param_groups"] == sd_t["param_groups"]
    assert list(sd_i["state"]) == list(sd_t["state"])
    for k in sd_t["state"]:
        assert list(sd_i["state"][k]) == list(sd_t["state"][k])

    other = {k: v for k, v in setup["defaults"].items() if k in ("maximize",)}
    plain = _groups({**setup, "overrides": [{} for _ in setup["groups"]]}, list(range(len(setup["shapes"]))))

    def fresh(optim, params):
        groups = [{**g, "params": [params[i] for i in g["params"]]} for g in plain]
        return getattr(optim, name)(groups, **other)

    ip2 = [T.tensor_from_numpy(_np(p), requires_grad=True) for p in ip]
    io2 = fresh(lib.optim, ip2)
    io2.load_state_dict(copy.deepcopy(sd_i))
    assert io2.state_dict()["param_groups"] == sd_i["param_groups"]
    ip3 = [T.tensor_from_numpy(_np(p), requires_grad=True) for p in ip]
    io3 = fresh(lib.optim, ip3)
    io3.load_state_dict(copy.deepcopy(sd_t))  # torch's own state dict loads as well (impl converts its tensors;
    # a copy: torch's load keeps the dict's tensors, which are the running optimizer's own state)
    tp2 = [p.detach().clone().requires_grad_(True) for p in tp]
    to2 = fresh(torch.optim, tp2)
    to2.load_state_dict(copy.deepcopy(sd_t))

    for s, gs in enumerate(grads[5:], 5):
        for params, opt, side in ((ip, io, "target"), (ip2, io2, "target"), (ip3, io3, "target"), (tp, to, "torch"),
                                  (tp2, to2, "torch")):
            _set_grads(params, gs, side)
            opt.step()
        assert_same(ip, tp, io, to, dtype, f"step {s + 1} (uninterrupted vs torch)")
        assert_same(ip2, tp2, io2, to2, dtype, f"step {s + 1} (reloaded vs torch reloaded)")
        assert_same(ip3, tp2, io3, to2, dtype, f"step {s + 1} (loaded from torch's state_dict)")
        if not _bitwise_differences(tp, tp2, to, to2):
            diff = _bitwise_differences(ip, ip2, io, io2)
            assert not diff, f"step {s + 1}: torch's reload is exact, {T.name}'s diverged in {diff}"


# ---- semantics that the differential run does not pin down -------------------------------------------
def _pair(name, **kw):
    a = np.linspace(-1, 1, 6).reshape(2, 3)
    pi, pt = T.tensor_from_numpy(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    return pi, pt, getattr(lib.optim, name)([pi], **kw), getattr(torch.optim, name)([pt], **kw)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_defaults_param_groups_and_repr_match_torch(name):
    pi, pt, oi, ot = _pair(name)
    assert oi.defaults == {k: v for k, v in ot.defaults.items()}
    assert oi.state_dict()["param_groups"] == ot.state_dict()["param_groups"]
    assert repr(oi) == repr(ot)


def _signature(fn):
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("name", OPTIMIZERS + ["LBFGS"])
def test_constructor_and_step_signatures_match_torch(name):
    """Parameter names, order, kinds (positional / keyword-only) and defaults, as torch's."""
    for method in ("__init__", "step"):
        ours, theirs = getattr(getattr(lib.optim, name), method), getattr(getattr(torch.optim, name), method)
        assert _signature(ours) == _signature(theirs), f"{name}.{method}"


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_update_in_place_keeps_identity_and_bumps_version(name):
    p = T.tensor_from_numpy(np.ones((2, 2)), requires_grad=True)
    q = T.tensor_from_numpy(np.ones(3), requires_grad=True)  # never gets a gradient
    arr, view = T.to_numpy(p), p.detach()
    opt = getattr(lib.optim, name)([p, q], lr=0.1)
    v, vq = T.version(p), T.version(q)
    for _ in range(3):
        p.grad = T.tensor_from_numpy(np.full((2, 2), 0.5))
        opt.step()
        now = T.to_numpy(p)
        assert now.__array_interface__["data"] == arr.__array_interface__["data"] and now.shape == arr.shape, (
            "the parameter's memory was replaced instead of updated in place")
        # bumped by every step; by how much is the library's own count of in-place writes (torch's AdamW, NAdam
        # and ASGD write twice per step, impl's once)
        assert T.version(p) > v, f"step left the version counter at {v}"
        v = T.version(p)
    assert T.version(q) == vq and np.array_equal(T.to_numpy(q), np.ones(3)), "a parameter without grad must not move"
    assert T.shares_memory(view, p) and np.array_equal(T.to_numpy(view), T.to_numpy(p))
    assert not np.array_equal(T.to_numpy(p), np.ones((2, 2)))
    assert p.grad_fn is None and p.requires_grad and p.is_leaf


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_backward_after_step_through_saved_param_raises_like_torch(name):
    """The version bump makes a graph that saved the parameter stale, as torch's in-place update does."""
    for optim, mk in ((lib.optim, lib.tensor), (torch.optim, torch.tensor)):
        p = mk(np.ones(3), requires_grad=True)
        opt = getattr(optim, name)([p], lr=0.1)
        p.grad = mk(np.ones(3))
        loss = (p * p).sum()
        opt.step()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


def test_zero_grad_and_closure():
    p = T.tensor_from_numpy(np.ones(3), requires_grad=True)
    opt = lib.optim.SGD([p], lr=0.1)
    p.grad = T.tensor_from_numpy(np.ones(3))
    g = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and np.array_equal(T.to_numpy(p.grad), np.zeros(3))
    opt.zero_grad()
    assert p.grad is None

    def closure():
        assert lib.is_grad_enabled()
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with lib.no_grad():
        loss = opt.step(closure)
    assert float(loss) == 3.0
    np.testing.assert_allclose(T.to_numpy(p), np.full(3, 0.8))


@pytest.mark.parametrize("name", ["Adam", "Adagrad", "RMSprop", "SGD", "Adamax", "NAdam", "RAdam", "Adadelta", "ASGD"])
def test_add_param_group_later_matches_torch(name):
    a, b = np.arange(4.0), np.arange(3.0) - 1
    pi, qi = T.tensor_from_numpy(a, requires_grad=True), T.tensor_from_numpy(b, requires_grad=True)
    pt, qt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    kw = dict(lr=0.05, momentum=0.9) if name in ("SGD", "RMSprop") else dict(lr=0.05)
    oi, ot = getattr(lib.optim, name)([pi], foreach=False, **kw), getattr(torch.optim, name)([pt], foreach=False, **kw)
    rng = np.random.default_rng(0)
    for s in range(6):
        if s == 2:
            oi.add_param_group({"params": [qi], "lr": 0.2})
            ot.add_param_group({"params": [qt], "lr": 0.2})
        ga, gb = rng.standard_normal(4), rng.standard_normal(3)
        for p, g in ((pi, ga), (qi, gb)):
            p.grad = T.tensor_from_numpy(g)
        for p, g in ((pt, ga), (qt, gb)):
            p.grad = torch.tensor(g)
        oi.step()
        ot.step()
        assert_same([pi, qi], [pt, qt], oi, ot, "float64", f"step {s + 1}")
    assert oi.state_dict()["param_groups"] == ot.state_dict()["param_groups"]


def test_named_parameters_give_param_names():
    p = T.tensor_from_numpy(np.ones(2), requires_grad=True)
    opt = lib.optim.Adam([("w", p)])
    assert opt.param_groups[0]["param_names"] == ["w"] and opt.state_dict()["param_groups"][0]["param_names"] == ["w"]


def _raises_like_torch(make):
    """The library under test and torch both raise, with the same exception class."""
    errs = []
    for optim, P in ((lib.optim, lib.tensor), (torch.optim, torch.tensor)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                make(optim, P)
            except Exception as e:  # noqa: BLE001 - we compare the classes
                errs.append(type(e))
            else:
                errs.append(None)
    assert errs[1] is not None, "torch does not raise here: the case is wrong"
    assert errs[0] is errs[1], f"{T.name} raised {errs[0]}, torch raised {errs[1]}"


_P = "P([1.0], requires_grad=True)"
ERROR_CASES = {  # id -> expression over o (the optim module) and P (the tensor factory)
    "negative_lr": f"o.SGD([{_P}], lr=-0.1)",
    "negative_momentum": f"o.SGD([{_P}], lr=0.1, momentum=-1)",
    "nesterov_without_momentum": f"o.SGD([{_P}], lr=0.1, nesterov=True)",
    "nesterov_with_dampening": f"o.SGD([{_P}], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)",
    "empty_params": "o.SGD([], lr=0.1)",
    "tensor_as_params": f"o.SGD({_P}, lr=0.1)",
    "set_in_group": f"o.SGD([{{'params': {{{_P}}}}}], lr=0.1)",
    "non_leaf": f"o.SGD([{_P} * 2], lr=0.1)",
    "param_in_two_groups": f"(lambda p: o.SGD([{{'params': [p]}}, {{'params': [p]}}], lr=0.1))({_P})",
    "not_a_tensor": "o.SGD([1.0], lr=0.1)",
    "beta1_is_1": f"o.Adam([{_P}], betas=(1.0, 0.999))",
    "beta2_negative": f"o.Adam([{_P}], betas=(0.9, -0.1))",
    "betas_not_floats": f"o.Adam([{_P}], betas=(0, 0.999))",
    "negative_eps": f"o.Adam([{_P}], eps=-1e-8)",
    "negative_weight_decay": f"o.Adam([{_P}], weight_decay=-1.0)",
    "adamw_negative_lr": f"o.AdamW([{_P}], lr=-1.0)",
    "rmsprop_negative_alpha": f"o.RMSprop([{_P}], alpha=-0.5)",
    "rmsprop_negative_momentum": f"o.RMSprop([{_P}], momentum=-0.5)",
    "adagrad_negative_lr_decay": f"o.Adagrad([{_P}], lr_decay=-0.5)",
    "adagrad_negative_initial_accumulator": f"o.Adagrad([{_P}], initial_accumulator_value=-0.5)",
    "adamax_beta1_is_1": f"o.Adamax([{_P}], betas=(1.0, 0.999))",
    "adamax_negative_eps": f"o.Adamax([{_P}], eps=-1.0)",
    "nadam_negative_momentum_decay": f"o.NAdam([{_P}], momentum_decay=-0.1)",
    "nadam_beta2_negative": f"o.NAdam([{_P}], betas=(0.9, -0.1))",
    "radam_negative_weight_decay": f"o.RAdam([{_P}], weight_decay=-1.0)",
    "radam_negative_lr": f"o.RAdam([{_P}], lr=-1.0)",
    "adadelta_rho_above_1": f"o.Adadelta([{_P}], rho=1.5)",
    "adadelta_negative_eps": f"o.Adadelta([{_P}], eps=-1.0)",
    "asgd_negative_weight_decay": f"o.ASGD([{_P}], weight_decay=-1.0)",
    "asgd_negative_lr": f"o.ASGD([{_P}], lr=-1.0)",
    "lbfgs_negative_lr": f"o.LBFGS([{_P}], lr=-1.0)",
    "load_wrong_group_count": f"o.SGD([{_P}], lr=0.1).load_state_dict({{'state': {{}}, 'param_groups': []}})",
    "load_wrong_group_size": f"o.SGD([{_P}], lr=0.1).load_state_dict({{'state': {{}}, 'param_groups': [{{'lr': 0.1, 'params': [0, 1]}}]}})",
}


@pytest.mark.parametrize("case", list(ERROR_CASES), ids=list(ERROR_CASES))
def test_errors_match_torch(case):
    _raises_like_torch(lambda o, P: eval(ERROR_CASES[case], {"o": o, "P": P}))
