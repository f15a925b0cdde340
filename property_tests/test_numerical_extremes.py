"""Numerical extremes: huge logits, exp arguments near overflow, near-constant inputs to normalisation.

The library under test (reference.targets) must produce nan/inf exactly where torch does (same positions, in forward
and backward) and agree on the finite values.
"""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from reference import targets

pytestmark = [pytest.mark.reliability]
TARGET = targets.current()

F32_MAX_EXP = 88.7  # exp overflows float32 just above this


def extreme_arrays(min_dims=1, max_dims=3):
    """float32 arrays mixing ordinary values, ±1e4 logits, and values around the exp overflow point."""
    elems = st.one_of(
        st.floats(-10, 10, width=32),
        st.sampled_from([1e4, -1e4, 3e3, -3e3, F32_MAX_EXP, -F32_MAX_EXP, 89.0, -89.0, 100.0, -104.0, 0.0]),
        st.floats(-1e4, 1e4, width=32),
    )
    shapes = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=5)
    return hnp.arrays(np.float32, shapes, elements=elems)


def near_constant_arrays():
    """Rows that are constant up to float32 rounding: the variance is ~0 or exactly 0."""
    return st.tuples(
        hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=5),
        st.sampled_from([0.0, 1.0, 1e4, -3e3]),
        st.sampled_from([0.0, 1e-7, 1e-3]),
        st.integers(0, 2**31 - 1),
    ).map(lambda t: (t[1] + t[2] * np.random.default_rng(t[3]).standard_normal(t[0])).astype(np.float32))


def _run(side, fn, arrays, cot_seed=0, dtype=None):
    """(output, input gradients) as numpy of ``fn`` in ``side`` (a Target: the oracle or the target) on copies of
    ``arrays`` (``dtype``: a dtype name to cast them to), with a seeded random cotangent."""
    lib = side.lib
    ts = [side.tensor_from_numpy(np.asarray(a, dtype=dtype), requires_grad=True) for a in arrays]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        out = fn(lib, *ts)
        g = np.random.default_rng(cot_seed).standard_normal(tuple(out.shape)).astype(np.float32)
        out.backward(side.tensor_from_numpy(g).to(out.dtype))
    return np.array(side.to_numpy(out.detach()), copy=True), [np.array(side.to_numpy(t.grad), copy=True) for t in ts]


def _assert_same_nonfinite(name, what, t, i):
    for kind, f in (("nan", np.isnan), ("+inf", np.isposinf), ("-inf", np.isneginf)):
        mt, mi = f(t), f(i)
        assert np.array_equal(mt, mi), (
            f"{name} {what}: {kind} positions differ: torch at {np.argwhere(mt).tolist()}, {TARGET.name} at "
            f"{np.argwhere(mi).tolist()}"
        )


def _compare(name, fn, arrays, rtol=1.3e-6, atol=1e-5, reference_dtype=None, atol_per_max=False):
    """Compare the target (float32) with torch on the same float32 inputs; ``reference_dtype="float64"`` runs
    torch in float64 instead (for cases where torch's own float32 kernel is measurably inexact).
    ``atol_per_max`` scales atol by the largest reference magnitude of each compared array (for outputs that
    are sums of many terms: their rounding error is relative to the largest term, not to each element)."""
    ty, tg = _run(targets.oracle(), fn, arrays, dtype=reference_dtype)
    ty, tg = ty.astype(np.float32), [t.astype(np.float32) for t in tg]
    iy, ig = _run(TARGET, fn, arrays)
    _assert_same_nonfinite(name, "forward", ty, iy)
    def _atol(ref):
        fin = ref[np.isfinite(ref)]
        return atol * max(1.0, float(np.abs(fin).max())) if atol_per_max and fin.size else atol

    fin = np.isfinite(ty)
    np.testing.assert_allclose(iy[fin], ty[fin], rtol=rtol, atol=_atol(ty), err_msg=f"{name} forward")
    for k, (a, b) in enumerate(zip(tg, ig)):
        _assert_same_nonfinite(name, f"grad[{k}]", a, b)
        fin = np.isfinite(a)
        np.testing.assert_allclose(b[fin], a[fin], rtol=rtol, atol=_atol(a), err_msg=f"{name} grad[{k}]")


ACTIVATIONS = {
    "softmax": lambda L, x: x.softmax(dim=-1),
    "log_softmax": lambda L, x: x.log_softmax(dim=-1),
    "logsumexp": lambda L, x: x.logsumexp(dim=-1),
    "sigmoid": lambda L, x: x.sigmoid(),
    "tanh": lambda L, x: x.tanh(),
    "softplus": lambda L, x: L.nn.functional.softplus(x),
    "gelu": lambda L, x: L.nn.functional.gelu(x),
    "gelu_tanh": lambda L, x: L.nn.functional.gelu(x, approximate="tanh"),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@given(x=extreme_arrays())
def test_activation_extremes(name, x):
    # Values up to 1e4 in float32: an absolute error of one ulp at 1e4 is ~1e-3, so finite values are
    # compared relative to their magnitude (rtol 1.3e-6 is float32's default) plus atol 1e-5.
    _compare(name, ACTIVATIONS[name], [x])


@given(x=extreme_arrays(min_dims=2, max_dims=2), seed=st.integers(0, 2**31 - 1))
def test_cross_entropy_extreme_logits(x, seed):
    y = np.random.default_rng(seed).integers(0, x.shape[1], x.shape[0])

    def fn(L, logits):
        return L.nn.functional.cross_entropy(logits, L.tensor(y), reduction="none")

    _compare("cross_entropy", fn, [x])


@given(x=extreme_arrays(), seed=st.integers(0, 2**31 - 1))
def test_bce_with_logits_extreme(x, seed):
    tgt = np.random.default_rng(seed).random(x.shape).astype(np.float32)

    def fn(L, logits):
        return L.nn.functional.binary_cross_entropy_with_logits(logits, L.tensor(tgt), reduction="none")

    # The loss of a 1e4 logit is ~1e4; float32 ulp there is ~1e-3 (relative 1e-7): default rtol holds.
    _compare("binary_cross_entropy_with_logits", fn, [x])


def _cancellation_tol(x, axes, eps=1e-5):
    """Tolerances for float32 normalisation of near-constant data.

    (x - mean) cancels: its float32 rounding error is ~ulp(|x|) = 1.2e-7 |x| while its value is ~std, so
    the normalised values and gradients carry a relative error ~1.2e-7 |x| / sqrt(var + eps) — the
    condition number of the op, not an implementation error. We allow 4x that on top of the defaults."""
    x64 = x.astype(np.float64)
    cond = float(np.max(np.abs(x64)) / np.sqrt(np.min(x64.var(axis=axes)) + eps))
    return dict(rtol=1.3e-6 + 4 * 1.2e-7 * cond, atol=1e-5 + 4 * 1.2e-7 * cond)


@given(x=near_constant_arrays())
def test_layer_norm_near_constant(x):
    n = x.shape[-1]

    def fn(L, a):
        return L.nn.functional.layer_norm(a, (n,), eps=1e-5)

    # Reference: torch in float64 on the same float32 inputs. torch's float32 layer_norm backward is
    # itself inexact here (rows of constant 1e4: exact input gradient 40.464, torch float32 42.0, impl 40.464).
    _compare("layer_norm", fn, [x], reference_dtype="float64", atol_per_max=True, **_cancellation_tol(x, -1))


@given(x=near_constant_arrays())
def test_batch_norm_near_constant(x):
    def fn(L, a):
        return L.nn.functional.batch_norm(a, None, None, training=True, eps=1e-5)

    axes = (0,) + tuple(range(2, x.ndim))
    # float64 decides, as above; the input gradient sums g * x_hat over the batch: atol per largest term.
    _compare("batch_norm", fn, [x], reference_dtype="float64", atol_per_max=True, **_cancellation_tol(x, axes))


@pytest.mark.parametrize("T", [1, 2, 5, 8])
def test_causal_mask_rows_are_exact(T):
    """Rows masked with -inf everywhere except one entry give exactly one-hot softmax, zero gradient leak."""
    rng = np.random.default_rng(T)
    scores = rng.standard_normal((2, T, T)).astype(np.float32)
    mask = np.triu(np.full((T, T), -np.inf, dtype=np.float32), 1)
    x = TARGET.tensor_from_numpy(scores + mask, requires_grad=True)
    p = x.softmax(dim=-1)
    probs = TARGET.to_numpy(p.detach())
    assert probs[:, 0, 0].tolist() == [1.0, 1.0], "the first row has one unmasked entry: exactly 1"
    assert np.all(probs[:, np.triu_indices(T, 1)[0], np.triu_indices(T, 1)[1]] == 0.0)
    g = rng.standard_normal((2, T, T)).astype(np.float32)
    p.backward(TARGET.tensor_from_numpy(g))
    grad = np.array(TARGET.to_numpy(x.grad), copy=True)
    assert np.all(np.isfinite(grad))
    assert np.all(grad[:, np.triu_indices(T, 1)[0], np.triu_indices(T, 1)[1]] == 0.0)
    assert np.all(grad[:, 0, 0] == 0.0), "d softmax of a one-hot row w.r.t. its only logit is exactly 0"
    tx = torch.tensor(scores + mask, requires_grad=True)
    tx.softmax(-1).backward(torch.tensor(g))
    np.testing.assert_allclose(grad, tx.grad.numpy(), rtol=1.3e-6, atol=1e-5)
