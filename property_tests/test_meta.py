"""Meta-tests: the op-level suite itself can fail, covers the API, and draws the cases it claims to draw.

* coverage: every public function of ``impl`` and every Tensor method/property is called directly by some spec
  (traced at run time), or is listed in ``reference.registry.COVERAGE_EXCLUSIONS`` with a reason that is checked;
* strategies: with a fixed seed they really produce 0-d, size-0 and broadcast cases, keep kinks and ties away
  where they promise to, and produce ties in the tie specs;
* planted bugs: a backward that ignores its incoming gradient, and an engine that skips un-broadcasting (or
  un-broadcasts wrongly), are caught by the generic check functions of reference/compare.py, called directly;
  the ``.sum()`` cotangent alone would miss the first one; the reproducer in the failure message reruns the case.
"""
import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

import impl
from impl import _autograd
from impl.ops import elementwise as ew
from impl.ops import reduce as red
from reference import assertions, compare, conversion
from reference.compare import check_forward, check_gradcheck, check_vjp
from reference.gradcheck import GradcheckError, gradcheck
from reference.opspec import OpSpec
from reference.registry import (
    _FAMILY,
    COVERAGE_EXCLUSIONS,
    SPEC_MODULES,
    all_specs,
    get_spec,
    public_api,
    traced_coverage,
)
from reference.strategies import Sample, broadcast_shapes, draw_examples, norm_axes, shapes

pytestmark = pytest.mark.impl_only(reason="about impl itself: meta-tests of the suite on impl: coverage of impl's public API, planted bugs in impl's engine and ops")

ROOT = Path(__file__).resolve().parents[1]
CORE = [s for s in all_specs() if s.family not in ("nn.functional", "losses")]


# ---- registry and coverage ---------------------------------------------------------------------
def test_at_least_70_core_specs_with_unique_names():
    names = [s.name for s in all_specs()]
    assert len(names) == len(set(names))
    assert len(CORE) >= 70, f"only {len(CORE)} core op specs"
    # one family per core spec module (core_shape -> "shape", unless the registry files it under another family,
    # e.g. core_math -> "elementwise"), each with specs
    short = [m.rsplit(".", 1)[-1] for m in SPEC_MODULES if ".core_" in m]
    core_families = {_FAMILY.get(m, m.removeprefix("core_")) for m in short}
    assert {"elementwise", "reduce", "shape", "linalg", "creation"} <= core_families
    assert {s.family for s in CORE} == core_families


def test_every_public_op_has_a_spec_or_a_listed_exclusion():
    api = public_api()
    # one sample per spec: the draw changes shapes and values, not which public ops a spec's lambda calls
    covered = traced_coverage(all_specs(), n_examples=1)
    missing = sorted(set(api) - covered - set(COVERAGE_EXCLUSIONS))
    assert not missing, f"public ops with neither a spec nor an exclusion (add a spec or a reason): {missing}"
    stale = sorted(n for n in COVERAGE_EXCLUSIONS if n in covered)
    assert not stale, f"excluded but now covered by a spec (drop the exclusion): {stale}"


def test_exclusions_are_real_and_their_references_exist():
    api = public_api()
    names = {s.name for s in all_specs()}
    for name, reason in COVERAGE_EXCLUSIONS.items():
        assert name in api, f"exclusion {name!r} names nothing public in impl"
        assert len(reason) > 20, f"exclusion {name!r} needs a real reason"
        for path, test in re.findall(r"(\S+\.py)::(\w+)", reason):
            src = (ROOT / path).read_text()
            assert re.search(rf"^def {test}\(", src, re.M), f"{name}: {path}::{test} does not exist"
        for spec in re.findall(r"spec (F\.\w+)", reason):
            assert spec in names, f"{name}: spec {spec} is not registered"


def test_loosened_tolerances_carry_reasons():
    with pytest.raises(ValueError, match="without a reason"):
        OpSpec("bad", lambda lib, x: x, None, fwd_tol={"float32": dict(rtol=1e-3)})
    for s in all_specs():
        for kind, dtype, _rtol, _atol, reason in s.loosened():
            assert reason.strip(), (s.name, kind, dtype)


# ---- strategies --------------------------------------------------------------------------------
KINDS = {
    "0-d": lambda arrs: any(a.ndim == 0 for a in arrs),
    "size-0": lambda arrs: any(a.size == 0 for a in arrs),
    "broadcast": lambda arrs: len({a.shape for a in arrs}) > 1,
}


def _kinds(specs, kinds=tuple(KINDS), n=400):
    """Which of the kinds each spec's strategy produces, found by hypothesis' own search (``find``, derandomized,
    at most ``n`` draws). Size-0 cases are rare on purpose (about one draw in twelve), so counting them in a few
    fixed draws would be a coin toss; a search that stops at the first hit is not."""
    seen = {}
    for kind in kinds:
        pred, found = KINDS[kind], 0
        for name in specs:
            try:
                find(get_spec(name).sample, lambda s, pred=pred: pred([a for a in s.arrays if a.dtype.kind == "f"]),
                     settings=settings(max_examples=n, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
                                       suppress_health_check=list(HealthCheck)))
                found += 1
            except NoSuchExample:
                pass
        seen[kind] = found
    return seen


@pytest.mark.parametrize("names", [["add"], ["mul"], ["where"], ["maximum"], ["lerp_tensor_weight"]], ids=lambda n: n[0])
def test_binary_strategies_produce_0d_size0_and_broadcast(names):
    seen = _kinds(names)
    assert all(seen.values()), f"{names}: {seen}"


def test_matmul_strategy_produces_size0_and_batch_broadcast():
    seen = _kinds(["matmul"], ("size-0", "broadcast"))  # matmul refuses 0-d operands (an error input)
    assert seen["size-0"] and seen["broadcast"], seen
    batched = [s for s in draw_examples(get_spec("matmul").sample, 60) if min(a.ndim for a in s.arrays) >= 3]
    assert any(s.arrays[0].shape[:-2] != s.arrays[1].shape[:-2] for s in batched)


@pytest.mark.parametrize("name", ["exp", "sum_dim", "logsumexp", "getitem_basic", "reshape", "softmax", "cumsum"])
def test_unary_strategies_produce_0d_and_size0(name):
    seen = _kinds([name], ("0-d", "size-0"))
    assert seen["0-d"] and seen["size-0"], f"{name}: {seen}"


@st.composite
def _mostly_empty(draw):
    """Two broadcastable operands, empty in about 70% of the draws (what gather's strategy used to do)."""
    sx, sy = draw(broadcast_shapes(2, min_dims=1, min_side=1))
    if draw(st.integers(0, 9)) < 7:
        sx = (0,) + tuple(sx[1:])
        sy = (0,) + tuple(sy[1:]) if len(sy) == len(sx) else sy
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return Sample((r.standard_normal(sx), r.standard_normal(sy)), {})


def test_mostly_empty_strategy_fails_the_gradient_tests():
    """A spec whose draws are mostly empty passes every comparison (there is nothing to compare) and still fails
    the generic gradient tests: fewer than 80% of its examples check anything. The same spec with a strategy that
    draws non-empty operands passes."""
    planted = OpSpec("mostly_empty_mul", lambda lib, a, b: a * b, _mostly_empty(), differentiable=(0, 1))
    results = assertions.over_examples(planted.sample, lambda s: check_gradcheck(planted, s))
    assert results and all(isinstance(r, assertions.Checked) for r in results)  # every comparison passed
    with pytest.raises(AssertionError, match=r"mostly_empty_mul\] only \d+/\d+ examples checked anything.*empty"):
        assertions.assert_mostly_checked(results, "gradcheck mostly_empty_mul")
    vjp = assertions.over_examples(planted.sample, lambda s: check_vjp(planted, s, "float64"))
    with pytest.raises(AssertionError, match="empty gradients"):
        assertions.assert_mostly_checked(vjp, "backward mostly_empty_mul")
    fixed = get_spec("mul")
    k, n = assertions.assert_mostly_checked(assertions.over_examples(fixed.sample, lambda s: check_gradcheck(fixed, s)), "mul")
    assert k >= 0.8 * n


def test_checks_report_what_they_compared():
    """Each generic check returns the number of values it compared, and says why when that number is 0."""
    mul = get_spec("mul")
    full = Sample((np.ones((2, 3)), np.arange(3.0)), {})
    empty = Sample((np.ones((0, 3)), np.arange(3.0)), {})
    assert check_forward(mul, full, "float64").n == 6
    assert check_vjp(mul, full, "float64").n == 6 + 3
    assert check_gradcheck(mul, full).n == 6 * 9  # the full Jacobian: 6 outputs x 9 inputs
    assert compare.check_noncontiguous(mul, full).n > 0
    assert check_forward(mul, empty, "float64").skipped.startswith("empty outputs")
    assert check_vjp(mul, empty, "float64").n == 3 and not check_gradcheck(mul, empty).checked  # grad of y: zeros
    assert check_gradcheck(mul, empty).skipped == "empty output"
    scalar = Sample((np.array(2.0), np.array(3.0)), {})
    assert compare.check_noncontiguous(mul, scalar).skipped.startswith("no input can be non-contiguous")
    res = compare.check_inplace_on_output(get_spec("diagonal"), Sample((np.ones((3, 3)),), {}))
    assert res.checked and res.outcome.startswith("refused at inplace")  # a view of a leaf, as torch's (regression 072)
    sdpa = get_spec("F.scaled_dot_product_attention")
    res = compare.check_inplace_on_output(sdpa, Sample(tuple(np.ones((1, 2, 3)) for _ in range(3)), {}))
    assert not res.checked and "divergence" in res.skipped and res.event.startswith("inplace on output: skipped")


def test_generic_shape_strategies():
    drawn = draw_examples(shapes(), 100)
    assert () in drawn and any(0 in s for s in drawn) and any(len(s) == 3 for s in drawn)
    pairs = draw_examples(broadcast_shapes(2), 100)
    assert any(a != b for a, b in pairs)
    assert any(len(a) != len(b) for a, b in pairs)  # leading dims added
    assert any(any(x == 1 and y > 1 for x, y in zip(a[::-1], b[::-1])) for a, b in pairs)  # size-1 dims stretched


def _samples(name, n=40):
    return draw_examples(get_spec(name).sample, n)


def test_kinks_are_kept_away():
    for name in ("abs", "relu", "reciprocal", "sign"):
        for s in _samples(name):
            assert (np.abs(s.arrays[0]) >= 0.1).all(), name
    for name in ("floor", "ceil", "round", "trunc"):
        for s in _samples(name):
            frac = np.abs(s.arrays[0] * 2 - np.round(s.arrays[0] * 2))  # distance to the nearest half-integer, x2
            assert (frac >= 0.15).all(), name
    for s in _samples("clamp"):
        for b in (s.kwargs["min"], s.kwargs["max"]):
            if b is not None:
                assert (np.abs(s.arrays[0] - b) >= 0.1).all()
    for name in ("div_rounding_mode", "remainder", "fmod", "floor_divide"):
        for s in _samples(name):
            q = s.arrays[0] / s.arrays[1]
            assert (np.abs(q - np.round(q)) >= 0.1).all(), name


def test_ties_are_kept_away_by_default_and_present_in_tie_specs():
    for name in ("maximum", "minimum", "max_min_other"):
        for s in _samples(name):
            x, y = np.broadcast_arrays(*s.arrays)
            assert (np.abs(x - y) >= 0.15).all(), name
    for name in ("max", "amax", "max_dim", "argmax_argmin"):
        for s in _samples(name):
            v = np.sort(s.arrays[0].ravel())
            assert (np.diff(v) >= 0.15).all(), name
    tied = 0
    for s in _samples("amax_amin_ties"):
        x = s.arrays[0]
        axes = norm_axes(s.kwargs["dim"], x.ndim)
        mx = x.max(axis=axes, keepdims=True) if x.ndim else x
        tied += int(((x == mx).sum(axis=axes) > 1).any()) if x.ndim else 0
    assert tied >= 10
    ties = sum(bool((np.equal(*np.broadcast_arrays(*s.arrays))).any()) for s in _samples("maximum_minimum_ties"))
    assert ties >= 10


def test_tie_conventions_are_torchs():
    """The explicit tie cases: amax splits evenly, max(dim) picks the first index, maximum splits in half."""
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    for name, kw in (("amax_amin_ties", {"dim": 1, "keepdim": False}), ("max_min_dim_ties", {"dim": 1, "keepdim": True})):
        s = Sample((x,), kw)
        check_forward(get_spec(name), s, "float64")
        check_vjp(get_spec(name), s, "float64")
    xi = impl.tensor(x, requires_grad=True)
    xi.amax(dim=1).sum().backward()
    np.testing.assert_allclose(xi.grad.numpy(), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    xi.grad = None
    xi.max(dim=1).values.sum().backward()
    np.testing.assert_allclose(xi.grad.numpy(), [[0, 1, 0], [1, 0, 0]])
    a, b = impl.tensor([1.0, 2.0], requires_grad=True), impl.tensor([1.0, 1.0], requires_grad=True)
    impl.maximum(a, b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [0.5, 1.0])
    np.testing.assert_allclose(b.grad.numpy(), [0.5, 0.0])


# ---- planted bugs --------------------------------------------------------------------------------
@contextlib.contextmanager
def backward_ignores_gradient(module, node_name):
    """Plant the bug: ``node_name``'s backward closure is called with ones instead of the incoming gradient
    (whether the op records itself with ``apply`` or ``apply_fused``)."""
    reals = {k: getattr(module, k) for k in ("apply", "apply_fused") if hasattr(module, k)}

    def plant(real):
        def planted(name, out, inputs, backward, *args, **kwargs):
            if name == node_name:
                closure = backward

                def backward(g, *out):  # g: a Tensor (apply) or an ndarray (apply_fused)
                    return closure(impl.ones_like(g) if isinstance(g, impl.Tensor) else np.ones_like(g), *out)

            return real(name, out, inputs, backward, *args, **kwargs)

        return planted

    for k, real in reals.items():
        setattr(module, k, plant(real))
    try:
        yield
    finally:
        for k, real in reals.items():
            setattr(module, k, real)


@contextlib.contextmanager
def engine_unbroadcast(replacement):
    real = _autograd.unbroadcast
    _autograd.unbroadcast = replacement
    try:
        yield
    finally:
        _autograd.unbroadcast = real


def _first_slice(g, shape):
    """Wrong un-broadcast: right shape, but takes the first slice instead of summing."""
    extra = g.ndim - len(shape)
    g = g[(0,) * extra] if extra > 0 else g
    return g[tuple(slice(0, 1) if n == 1 and m != 1 else slice(None) for n, m in zip(shape, g.shape))]


def _fails(check, *args, **kwargs):
    try:
        check(*args, **kwargs)
    except AssertionError as e:
        return str(e)
    return None


MUL_SAMPLE = Sample((np.arange(12.0).reshape(3, 4) / 7 - 0.5, np.array([0.5, -1.5, 2.0, 0.25])), {})


def _impl_grads(spec, sample, dtype="float64"):
    """impl's gradients for the cotangent check_vjp uses (same seed), or None when nothing is differentiable."""
    arrays = conversion.cast_arrays(sample.arrays, dtype)
    ins = conversion.make_inputs(impl, arrays, spec.differentiable)
    outs = [o for o in conversion.flatten_outputs(spec.fn(impl, *ins, **sample.kwargs)) if conversion.is_target(o) and o.requires_grad]
    if not outs:
        return None
    rng = compare._cotangent_rng(spec, arrays)
    impl.autograd.backward(outs, [impl.tensor(rng.standard_normal(o.shape)) for o in outs])
    return [t.grad.numpy().copy() if t.grad is not None else None for t in ins]


def _visible(clean, buggy):
    return clean is not None and any(a is not None and not np.allclose(a, b) for a, b in zip(clean, buggy))


@pytest.mark.parametrize("spec_name,module,node", [
    ("mul", ew, "MulBackward0"),
    ("exp", ew, "ExpBackward0"),
    ("sum_dim", red, "SumBackward1"),
    ("softmax", red, "SoftmaxBackward0"),
])
def test_planted_backward_ignoring_its_gradient_is_caught(spec_name, module, node):
    """Every drawn example on which the bug changes the gradient fails check_vjp and check_gradcheck."""
    spec = get_spec(spec_name)
    samples = draw_examples(spec.sample, 25)
    assert all(_fails(check_vjp, spec, s, "float64") is None for s in samples)  # clean engine: all pass
    clean = [_impl_grads(spec, s) for s in samples]
    with backward_ignores_gradient(module, node):
        buggy = [_impl_grads(spec, s) for s in samples]
        vjp_caught = [bool(_fails(check_vjp, spec, s, "float64")) for s in samples]
        gc_caught = [bool(_fails(check_gradcheck, spec, s)) for s in samples]
        ones_caught = [bool(_fails(check_vjp, spec, s, "float64", cotangent="ones")) for s in samples]
        fwd_caught = [bool(_fails(check_forward, spec, s, "float64")) for s in samples]
    visible = [_visible(c, b) for c, b in zip(clean, buggy)]
    assert sum(visible) >= 5, f"the strategy rarely exposes the bug: {sum(visible)}/{len(samples)}"
    assert vjp_caught == visible, "check_vjp must fail exactly where the bug changes the gradient"
    assert all(g for g, v in zip(gc_caught, visible) if v), "gradcheck must fail wherever the bug is visible"
    assert not any(fwd_caught)  # the forward is untouched: only the gradient checks can see this bug
    if spec_name in ("mul", "sum_dim"):  # the incoming gradient only scales here: ones hide the bug entirely
        assert not any(ones_caught), "a .sum() (all-ones) cotangent must NOT see this bug: that is why it is random"


def test_planted_misnamed_node_is_caught(monkeypatch):
    """A node recorded under another op's name (max_dim's node named MinBackward0) fails check_vjp, whose values
    are still right; the clean engine passes."""
    spec = get_spec("max_dim")
    sample = Sample((np.array([[0.5, -1.0, 2.0], [0.3, 1.5, -0.7]]),), {"dim": 1, "keepdim": False})
    assert _fails(check_vjp, spec, sample, "float64") is None
    real = red.apply
    monkeypatch.setattr(red, "apply", lambda name, *a, **k: real("MinBackward0" if name == "MaxBackward0" else name,
                                                                 *a, **k))
    msg = _fails(check_vjp, spec, sample, "float64")
    assert msg is not None and "grad_fn name" in msg and "MinBackward0, torch MaxBackward0" in msg, msg


def test_planted_backward_bug_message_and_reproducer():
    spec = get_spec("mul")
    with backward_ignores_gradient(ew, "MulBackward0"):
        msg = _fails(check_vjp, spec, MUL_SAMPLE, "float64")
        assert msg is not None
        for part in ("[backward grad of input 0: values]", "op 'mul' (float64)", "elements out of tolerance",
                     "max abs err", "at index", "max rel err", "inputs float64[3, 4], float64[4]", "Reproducer"):
            assert part in msg, part
        code = msg.split("Reproducer (run from the project root):\n", 1)[1]
        code = "\n".join(line.strip() for line in code.splitlines())
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(code, {})
        assert "backward       FAILED" in out.getvalue()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {})
    assert "FAILED" not in out.getvalue()


def test_planted_skipped_unbroadcast_is_caught():
    spec = get_spec("add")
    samples = draw_examples(spec.sample, 25)
    broadcasting = [s for s in samples if s.arrays[0].shape != s.arrays[1].shape and all(a.size for a in s.arrays)]
    assert len(broadcasting) >= 5
    with engine_unbroadcast(lambda g, shape: g):
        caught = {id(s): _fails(check_vjp, spec, s, "float32") for s in samples}
        fixed = _fails(check_vjp, spec, MUL_SAMPLE, "float64")
    assert fixed is not None and "shape" in fixed
    assert all(caught[id(s)] for s in broadcasting), "every broadcasting example must fail"
    assert all(caught[id(s)] is None for s in samples if s.arrays[0].shape == s.arrays[1].shape)


def test_planted_wrong_unbroadcast_is_caught_by_values():
    spec = get_spec("mul")
    with engine_unbroadcast(_first_slice):
        msg = _fails(check_vjp, spec, MUL_SAMPLE, "float64")
        gc = _fails(check_gradcheck, spec, MUL_SAMPLE)
    assert msg is not None and "grad of input 1: values" in msg
    assert gc is not None and "gradcheck" in gc


def test_gradcheck_alone_catches_the_planted_bug_in_both_modes():
    f = lambda x, y: x * y  # noqa: E731
    small = [np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([1.5, -0.5])]
    large = [np.random.default_rng(0).standard_normal((5, 8)), np.random.default_rng(1).standard_normal(8)]
    assert gradcheck(f, small, (0, 1)).mode == "full"
    assert gradcheck(f, large, (0, 1)).mode == "projection"
    with backward_ignores_gradient(ew, "MulBackward0"):
        with pytest.raises(GradcheckError, match="full Jacobian"):
            gradcheck(f, small, (0, 1))
        with pytest.raises(GradcheckError, match="random projection"):
            gradcheck(f, large, (0, 1))


@pytest.mark.parametrize("seed", [13, 17, 18, 29])
def test_gradcheck_projection_sees_an_ignored_gradient_on_a_one_element_output(seed):
    """x.sum() of 27 elements: projection mode with one output element. A unit-norm cotangent there is +-1, and
    a backward that uses ones instead of its incoming gradient passed whenever it was +1 -- on these seeds, all
    three projections drew +1 before the cotangent's norm was moved off 1 (the sum_dim spec's seed was one)."""
    x = [np.random.default_rng(seed).standard_normal((3, 3, 3))]
    f = lambda x: x.sum(dim=None)  # noqa: E731
    assert gradcheck(f, x, (0,), seed=seed).mode == "projection"
    with backward_ignores_gradient(red, "SumBackward1"), pytest.raises(GradcheckError, match="random projection"):
        gradcheck(f, x, (0,), seed=seed)


def test_noncontiguous_check_sees_layout_bugs(monkeypatch):
    """An op that reads its input's raw buffer (ignoring strides) is caught by check_noncontiguous."""
    spec = get_spec("log")
    s = Sample((np.arange(1.0, 7.0).reshape(2, 3) / 5,), {})
    compare.check_noncontiguous(spec, s)
    real_float_array = ew.float_array

    def buffer_reading_float_array(input):  # what an elementwise op reads: here its raw buffer, strides ignored
        x = input._data
        if x.flags.c_contiguous:
            return real_float_array(input)
        return np.ndarray(x.shape, dtype=x.dtype, buffer=np.ascontiguousarray(x.base if x.base is not None else x))

    monkeypatch.setattr(ew, "float_array", buffer_reading_float_array)
    with pytest.raises(AssertionError, match="noncontiguous"):
        compare.check_noncontiguous(spec, s)


def test_reproducer_is_runnable_python_for_literals_npz_and_special_floats():
    spec = get_spec("masked_fill")
    small = [np.array([[1.5, -2.0]]), np.array([[True, False]])]
    big = [np.random.default_rng(0).standard_normal((20, 10)), np.random.default_rng(1).random((20, 10)) < 0.5]
    for arrays in (small, big):
        code = assertions.reproducer(spec, arrays, {"value": float("-inf")}, "float64")
        body = "\n".join(line.strip() for line in code.splitlines()[1:])
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(body, {})
        assert "forward        ok" in out.getvalue() and "FAILED" not in out.getvalue()
    assert ".npz" in assertions.reproducer(spec, big, {}, "float64")


def test_parity_job_exits_1_on_a_planted_bug():
    from reference import parity

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert parity.main(["-k", "mul", "--samples", "2"]) == 0
        with backward_ignores_gradient(ew, "MulBackward0"):
            assert parity.main(["-k", "mul", "--samples", "2"]) == 1
    assert "FAILED" in out.getvalue() and "mul:" in out.getvalue()


# ---- the float64 judge of the module/model twins (reference.twins.assert_close_judged) --------------
def _judge_case(rng, n=50):
    judge = rng.standard_normal(n)
    torch32 = (judge + rng.uniform(-1, 1, n) * 1e-7).astype(np.float32)  # torch's float32: ~1 ulp off
    perturbed = judge * (1 + rng.uniform(-1, 1, n) * 2.0**-24)  # a well-conditioned computation
    return judge, torch32, perturbed


def test_judge_rejects_an_error_that_torch_float32_and_the_rounding_floor_do_not_explain():
    from reference.twins import assert_close_judged

    judge, torch32, perturbed = _judge_case(np.random.default_rng(0))
    impl32 = torch32.copy()
    impl32[7] += 1e-3  # a real error: 100x the default atol, 10^4x the noise
    with pytest.raises(AssertionError, match=r"float64-judged\] 1/50 elements.*first at index \(7,\)"):
        assert_close_judged(impl32, torch32, judge, rtol=1.3e-6, atol=1e-5, perturbed=perturbed)
    # the judge only ever widens by the measured noise: the same error passes when the computation is that
    # ill-conditioned (the float64 result moves by 1e-3 under float32-sized perturbations), and not before
    noisy = perturbed.copy()
    noisy[3] += 1e-3
    assert_close_judged(impl32, torch32, judge, rtol=1.3e-6, atol=1e-5, perturbed=noisy)
    noisy[3] = judge[3] + 1e-3 / 5  # 4x that noise floor is 8e-4 < 1e-3
    with pytest.raises(AssertionError, match="float64-judged"):
        assert_close_judged(impl32, torch32, judge, rtol=1.3e-6, atol=1e-5, perturbed=noisy)


def test_rounding_perturbed_moves_floats_by_at_most_one_float32_rounding():
    import torch

    from reference.twins import rounding_perturbed

    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 5))
    px = rounding_perturbed(x, rng)
    rel = np.abs(px / x - 1)
    assert px.dtype == np.float64 and 0 < rel.max() <= 2.0**-24, rel.max()
    ids = np.arange(6)
    assert np.array_equal(rounding_perturbed(ids, rng), ids)  # integer inputs are never perturbed
    assert isinstance(rounding_perturbed(np.array(2.0, dtype=np.float32), rng), np.ndarray)  # 0-d stays an array
    m = torch.nn.BatchNorm1d(3).double()
    with torch.no_grad():
        m.weight.add_(1.0)
        m.running_mean.add_(0.5)
    pm = rounding_perturbed(m, rng)
    assert pm is not m and torch.equal(m.weight, torch.full((3,), 2.0, dtype=torch.float64))  # a copy
    for a, b in ((m.weight, pm.weight), (m.running_mean, pm.running_mean)):
        rel = (b / a - 1).abs().max().item()
        assert 0 < rel <= 2.0**-24, rel
    assert pm.num_batches_tracked.dtype == torch.int64 and pm.num_batches_tracked.item() == 0


def test_out_of_range_argument_check_can_fail():
    """check_argument_errors compares the exception class wherever torch refuses a substitute: with roll's dims
    handed to numpy unchecked again (regression 110's bug), impl raises numpy's AxisError where torch raises
    IndexError, and the check names the argument."""
    from regression import test_110_argument_errors_with_numpy_classes as planted

    roll = get_spec("roll")
    sample = Sample((np.arange(6.0).reshape(3, 2),), {"shifts": (1,), "dims": (0,)})
    assert compare.check_argument_errors(roll, sample).checked
    with planted.reintroduce("roll"), pytest.raises(AssertionError, match=r"argument errors.*dims=\(9,\)"):
        compare.check_argument_errors(roll, sample)
