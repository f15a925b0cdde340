"""The library under test's optim.LBFGS (impl's by default; reference.targets) against torch.optim.LBFGS.

Twins minimise the same drawn problem (a quadratic with condition number <= 20, or the Rosenbrock function)
over the same parameters (the problem's vector split into one or two tensors) with the same drawn
hyperparameters, with and without the strong-Wolfe line search. After every ``step(closure)`` -- each up to
``max_iter`` inner iterations -- the returned loss, the parameters, the number of closure calls and the whole
state (torch's keys in torch's order; tensors as Tensors of the same dtype and shape, Python numbers as Python
numbers, lists item by item) must agree.

Tolerances: float64 uses torch.testing.assert_close's defaults. The float32 twins share every branch of the
line search but not every rounding: dot products and sums run through different BLAS/reduction orders and
torch's add-with-alpha is an FMA, so after dozens of inner iterations (each feeding the next through the
curvature pairs) differences of a few float32 ulps per iteration accumulate; rtol 1e-4 / atol 1e-5 bounds them
(measured: below 1e-5 relative on the drawn problems).
"""
import copy

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from reference import targets
from reference.opspec import DEFAULT_TOL
from reference.twins import assert_close_judged

pytestmark = [pytest.mark.optim]

T = targets.current()  # the library under test; torch is the oracle
lib = T.lib

N_STEPS = 3
TOL = DEFAULT_TOL
# float32 state values are not compared, only their structure (kinds, dtypes, shapes, lengths, and the integer
# counters exactly); float64 compares them all. The curvature history y = g_new - g_old cancels the leading
# digits two nearby gradients share, so a one-ulp difference in g (torch's dot and add-with-alpha round
# differently from numpy's) becomes |g| / |y| ulps in y, and the line search's t and the direction d inherit
# it: measured 1e-4..1e-3 relative in float32 on the drawn quadratics, a property of the computation rather
# than of either library. The parameters, the loss and the number of closure calls stay within float32's
# default tolerance and are compared.
NP_DTYPE = {"float32": np.float32, "float64": np.float64}


@st.composite
def cases(draw, dtype="float64"):
    # float32: the quadratic only, and stopping tolerances above float32 noise. The Rosenbrock gradient
    # 100 * (x1 - x0**2) cancels, so a one-ulp difference in x changes it by ~1e-5 relative; and with
    # float64-sized tolerances (1e-9 on the loss change) when to stop is decided by rounding noise.
    single = dtype == "float32"
    problem = "quadratic" if single else draw(st.sampled_from(["quadratic", "rosenbrock"]))
    n = draw(st.integers(2, 6))
    cut = draw(st.integers(0, n - 1))  # 0: one parameter tensor; otherwise two
    kw = dict(
        lr=draw(st.one_of(st.just(1), st.floats(0.05, 1.0))),
        max_iter=draw(st.integers(1, 15)),
        history_size=draw(st.one_of(st.just(100), st.integers(1, 5))),
        # Fixed steps along the Rosenbrock valley are chaotic (a one-ulp difference, e.g. from torch's fused
        # add-with-alpha, grows ~10x every few iterations), so there only the line search is compared.
        line_search_fn="strong_wolfe" if problem == "rosenbrock" else draw(st.sampled_from([None, "strong_wolfe"])),
    )
    if draw(st.booleans()):
        kw["max_eval"] = draw(st.integers(kw["max_iter"], 2 * kw["max_iter"] + 5))
    if single:
        kw["tolerance_change"] = draw(st.sampled_from([1e-5, 1e-4]))
        kw["tolerance_grad"] = draw(st.sampled_from([1e-4, 1e-3]))
    elif draw(st.booleans()):
        kw["tolerance_change"] = draw(st.sampled_from([1e-12, 1e-5]))
    return dict(problem=problem, n=n, cut=cut, kw=kw, seed=draw(st.integers(0, 2**31 - 1)))


def _problem(case, dtype):
    rng = np.random.default_rng(case["seed"])
    n = case["n"]
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = (q * rng.uniform(0.5, 10.0, n)) @ q.T
    a = ((a + a.T) / 2).astype(NP_DTYPE[dtype])
    b = rng.standard_normal(n).astype(NP_DTYPE[dtype])
    if case["problem"] == "rosenbrock":  # near the classic start (-1.2, 1, ...)
        x0 = np.where(np.arange(n) % 2 == 0, -1.2, 1.0) + 0.1 * rng.standard_normal(n)
    else:
        x0 = 2.0 * rng.standard_normal(n)
    return a, b, x0.astype(NP_DTYPE[dtype])


def _twin(case, dtype, side):
    """Parameters and a closure for one side, "target" or "torch" (same arrays for both)."""
    a_np, b_np, x0 = _problem(case, dtype)
    cut = case["cut"]
    chunks = [x0] if cut == 0 else [x0[:cut], x0[cut:]]
    if side == "target":
        mk, cat = T.tensor_from_numpy, lib.cat
    else:
        mk, cat = (lambda a, requires_grad=False: torch.tensor(a, requires_grad=requires_grad)), torch.cat
    params = [mk(c.copy(), requires_grad=True) for c in chunks]
    a, b = mk(a_np), mk(b_np)
    rosenbrock = case["problem"] == "rosenbrock"

    def closure():
        for p in params:
            p.grad = None
        x = cat(params) if len(params) > 1 else params[0]
        if rosenbrock:
            loss = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
        else:
            loss = 0.5 * (x * (a @ x)).sum() - (b * x).sum()
        loss.backward()
        calls[0] += 1
        return loss

    calls = [0]
    return params, closure, calls


def _close(a, b, dtype, what):
    torch.testing.assert_close(torch.from_numpy(np.array(a)), torch.from_numpy(np.array(b)), **TOL[dtype],
                               msg=lambda m: f"{what}: {m}")


def _assert_value(vi, vt, dtype, what, values=True):
    """One state value: same kind (tensor / list / None / Python number), dtype, shape, and (``values``) the
    same content."""
    if isinstance(vt, torch.Tensor):
        assert T.is_tensor(vi), f"{what}: {T.name} holds {type(vi).__name__}, torch a tensor"
        assert str(vi.dtype).split(".")[-1] == str(vt.dtype).split(".")[-1], f"{what}: dtype {vi.dtype} vs {vt.dtype}"
        assert tuple(vi.shape) == tuple(vt.shape), f"{what}: shape {tuple(vi.shape)} vs {tuple(vt.shape)}"
        if values:
            _close(T.to_numpy(vi), vt.detach().numpy(), dtype, what)
    elif isinstance(vt, list):
        assert isinstance(vi, list) and len(vi) == len(vt), f"{what}: {type(vi).__name__} vs list of {len(vt)}"
        for k, (x, y) in enumerate(zip(vi, vt)):
            _assert_value(x, y, dtype, f"{what}[{k}]", values)
    elif vt is None:
        assert vi is None, f"{what}: {vi!r} vs None"
    else:
        assert type(vi) is type(vt), f"{what}: {type(vi).__name__} vs {type(vt).__name__}"
        if isinstance(vt, int):
            assert vi == vt, f"{what}: {vi} vs {vt}"
        elif values:
            _close(vi, vt, dtype, what)


def assert_same(ip, tp, io, to, dtype, where, judge=None):
    for k, (a, b) in enumerate(zip(ip, tp)):
        if judge is None:
            _close(T.to_numpy(a), b.detach().numpy(), dtype, f"{where}: param {k}")
        else:
            assert_close_judged(a, b, judge[k], **TOL[dtype], what=f"{where}: param {k}")
    si, st_ = io.state[ip[0]], to.state[tp[0]]
    assert list(si) == list(st_), f"{where}: state keys {list(si)} vs torch {list(st_)}"
    for key in st_:
        _assert_value(si[key], st_[key], dtype, f"{where}: state[{key!r}]", values=dtype == "float64")


def _resync(ip, tp, io, to):
    """The target takes over torch's parameters and state (through load_state_dict of a copy of torch's own dict:
    torch's load would keep the dict's tensors, which torch's optimizer goes on updating in place)."""
    with lib.no_grad():
        for p, q in zip(ip, tp):
            p.copy_(T.tensor_from_numpy(q.detach().numpy()))
    io.load_state_dict(copy.deepcopy(to.state_dict()))


def _float64_judge(case, tp, to):
    """torch in float64 from torch float32's current parameters and state: the judge of a float32 step."""
    jp, jclosure, _ = _twin(case, "float64", "torch")
    with torch.no_grad():
        for p, q in zip(jp, tp):
            p.copy_(q.double())
    jo = torch.optim.LBFGS(jp, **case["kw"])
    jo.load_state_dict(copy.deepcopy(to.state_dict()))
    return jp, jo, jclosure


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@given(data=st.data())
def test_lbfgs_matches_torch_every_step(dtype, data):
    """Each step starts from torch's parameters and state (see _resync): L-BFGS amplifies a one-ulp difference
    step after step (curvature pairs are differences of nearby gradients), so twins that drifted apart over
    earlier steps would measure that amplification, not the step under test. float32 parameters are judged
    by torch float64 from the same start (reference.twins.assert_close_judged): near the optimum torch's own
    float32 iterate is measurably off (e.g. 7e-4 from float64 where impl's is 3e-5 off)."""
    case = data.draw(cases(dtype), label="case")
    ip, iclosure, icalls = _twin(case, dtype, "target")
    tp, tclosure, tcalls = _twin(case, dtype, "torch")
    io, to = lib.optim.LBFGS(ip, **case["kw"]), torch.optim.LBFGS(tp, **case["kw"])
    assert io.defaults == to.defaults and repr(io) == repr(to)
    assert io.state_dict()["param_groups"] == to.state_dict()["param_groups"]
    for s in range(N_STEPS):
        judge = None
        n_iter_before = to.state.get(tp[0], {}).get("n_iter", 0)
        if dtype == "float32":
            jp, jo, jclosure = _float64_judge(case, tp, to)
        li, lt = io.step(iclosure), to.step(tclosure)
        if dtype == "float32":
            jo.step(jclosure)
            # a judge whose stopping test went the other way ran another number of iterations: no judge then
            judge = jp if jo.state[jp[0]]["n_iter"] == to.state[tp[0]]["n_iter"] else None
        _close(float(li), float(lt), dtype, f"step {s + 1}: returned loss")
        assert icalls[0] == tcalls[0], f"step {s + 1}: {icalls[0]} closure calls vs torch {tcalls[0]}"
        assert_same(ip, tp, io, to, dtype, f"step {s + 1}", judge)
        if dtype == "float32" and to.state[tp[0]]["n_iter"] - n_iter_before < case["kw"]["max_iter"]:
            # torch stopped early: converged to float32 resolution. A further step builds its direction from
            # curvature pairs that are rounding noise, so whether it stops at once or takes a wild step is
            # noise too (torch float32, impl and torch float64 were seen to take either way).
            break
        _resync(ip, tp, io, to)


@given(case=cases())
def test_lbfgs_state_dict_round_trip(case):
    """Save after 2 steps; a fresh LBFGS (other hyperparameters, which the load overrides) loaded with the dict
    continues bit for bit as the uninterrupted run; the saved dict has torch's structure after the same steps."""
    dtype = "float64"
    ip, iclosure, _ = _twin(case, dtype, "target")
    tp, tclosure, _ = _twin(case, dtype, "torch")
    io, to = lib.optim.LBFGS(ip, **case["kw"]), torch.optim.LBFGS(tp, **case["kw"])
    for _ in range(2):
        io.step(iclosure)
        to.step(tclosure)
    sd_i, sd_t = io.state_dict(), to.state_dict()
    assert sd_i["param_groups"] == sd_t["param_groups"]
    assert [list(v) for v in sd_i["state"].values()] == [list(v) for v in sd_t["state"].values()]

    ip2, iclosure2, _ = _twin(case, dtype, "target")
    with lib.no_grad():
        for p, q in zip(ip2, ip):
            p.copy_(q)
    io2 = lib.optim.LBFGS(ip2)
    io2.load_state_dict(copy.deepcopy(sd_i))
    for s in range(2, N_STEPS):
        io.step(iclosure)
        io2.step(iclosure2)
        for a, b in zip(ip, ip2):
            np.testing.assert_array_equal(T.to_numpy(b), T.to_numpy(a), err_msg=f"step {s + 1}: reloaded run diverged")
        s1, s2 = io.state[ip[0]], io2.state[ip2[0]]
        assert list(s1) == list(s2)
        for k in s1:
            _assert_bitwise(s2[k], s1[k], f"step {s + 1}: reloaded state[{k!r}]")


def _assert_bitwise(x, y, what):
    if T.is_tensor(y):
        assert T.is_tensor(x) and x.dtype == y.dtype, what
        np.testing.assert_array_equal(T.to_numpy(x), T.to_numpy(y), err_msg=what)
    elif isinstance(y, list):
        assert isinstance(x, list) and len(x) == len(y), what
        for a, b in zip(x, y):
            _assert_bitwise(a, b, what)
    else:
        assert type(x) is type(y) and x == y, f"{what}: {x!r} vs {y!r}"


def test_lbfgs_rejects_groups_and_unknown_line_search_like_torch():
    for optim, mk in ((lib.optim, lib.tensor), (torch.optim, torch.tensor)):
        p, q = mk(np.ones(2), requires_grad=True), mk(np.ones(2), requires_grad=True)
        with pytest.raises(ValueError, match="parameter groups"):
            optim.LBFGS([{"params": [p]}, {"params": [q]}])
        opt = optim.LBFGS([p], line_search_fn="backtracking")

        def closure(p=p):
            p.grad = None
            loss = (p * p).sum()
            loss.backward()
            return loss

        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure)
