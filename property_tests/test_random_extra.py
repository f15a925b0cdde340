"""The random ops of impl/ops/extra.py and impl.nn.functional.gumbel_softmax, tested as distributions and by
structure (impl draws from its own generator, so its values never equal torch's).

Goodness-of-fit uses the helpers and ALPHA of property_tests/test_random_distributions.py: this file adds 8
statistical tests to its 24, within that file's MAX_STAT_TESTS = 50 budget for a family-wise false-failure
probability below 1e-6.
"""
import numpy as np
import pytest
import torch
from test_random_distributions import SEED, N, assert_fits_continuous, assert_fits_counts

import impl
import impl.nn.functional as IF
from reference import lazy_stats as stats

pytestmark = pytest.mark.impl_only(reason="about impl itself: impl's own numpy random generator, tested as distributions")


# ---- normal: its four forms ---------------------------------------------------------------------------------
@pytest.mark.parametrize("mean,std", [(0.0, 1.0), (-1.5, 0.25)])
def test_normal_of_floats_and_size_has_its_mean_and_std(mean, std):
    impl.manual_seed(SEED)
    x = impl.normal(mean, std, (N // 4, 4))
    assert x.shape == (N // 4, 4) and x.dtype == impl.float32 and not x.requires_grad
    assert_fits_continuous(x.numpy(), stats.norm(mean, std).cdf, f"normal({mean}, {std}, size)")


def test_normal_of_tensors_draws_each_element_from_its_own_mean_and_std():
    """Standardised draws (x - mean) / std are N(0, 1) when every element has a different mean and std."""
    impl.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    mean, std = rng.normal(0, 3, N), rng.uniform(0.1, 4, (1,) + (N,))
    x = impl.normal(impl.tensor(mean), impl.tensor(std))
    assert x.shape == (1, N) and x.dtype == impl.float64
    assert_fits_continuous((x.numpy() - mean) / std, stats.norm(0, 1).cdf, "normal(Tensor mean, Tensor std)")


def test_normal_tensor_and_float_forms_broadcast_and_keep_the_tensor_dtype():
    impl.manual_seed(SEED)
    m = impl.full((N,), 2.0, dtype=impl.float64)
    a, b = impl.normal(m, 0.5), impl.normal(-1.0, impl.full((N,), 3.0))
    assert a.dtype == impl.float64 and b.dtype == impl.float32 and a.shape == b.shape == (N,)
    assert_fits_continuous(a.numpy(), stats.norm(2.0, 0.5).cdf, "normal(Tensor mean, float std)")
    assert_fits_continuous(b.numpy(), stats.norm(-1.0, 3.0).cdf, "normal(float mean, Tensor std)")


def test_normal_gradients_are_zero_as_torch():
    """torch's derivatives.yaml gives normal zero derivatives (not the reparameterised mean + std * eps)."""
    got = {}
    for lib in (impl, torch):
        mean = lib.tensor([0.5, -1.0], requires_grad=True)
        std = lib.tensor([1.0, 2.0], requires_grad=True)
        out = lib.normal(mean, std)
        assert out.requires_grad
        out.sum().backward()
        got[lib.__name__] = (mean.grad.numpy().tolist(), std.grad.numpy().tolist())
    assert got["impl"] == got["torch"] == ([0.0, 0.0], [0.0, 0.0])


def test_normal_generator_reproduces_and_negative_std_is_refused_as_torch():
    g1, g2 = impl.Generator().manual_seed(7), impl.Generator().manual_seed(7)
    np.testing.assert_array_equal(impl.normal(0.0, 1.0, (5,), generator=g1).numpy(),
                                  impl.normal(0.0, 1.0, (5,), generator=g2).numpy())
    for lib in (impl, torch):
        with pytest.raises(RuntimeError, match="normal expects all elements of std >= 0.0"):
            lib.normal(lib.zeros(2), lib.tensor([-1.0, 1.0]))


# ---- randint_like -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [(5,), (-2, 3)])
def test_randint_like_is_uniform_with_the_input_dtype_and_shape(args):
    low, high = (0, *args) if len(args) == 1 else args
    impl.manual_seed(SEED)
    base = impl.zeros(N // 4, 4, dtype=impl.float64)
    x = impl.randint_like(base, *args)
    t = torch.randint_like(torch.zeros(2, 4, dtype=torch.float64), *args)
    assert x.shape == base.shape and x.dtype == impl.float64 and t.dtype == torch.float64
    v = x.numpy()
    assert (v == np.round(v)).all() and v.min() >= low and v.max() < high
    counts = np.bincount((v - low).astype(np.int64).ravel(), minlength=high - low)
    assert_fits_counts(counts, np.full(high - low, 1 / (high - low)), f"randint_like{args}")


# ---- gumbel_softmax ------------------------------------------------------------------------------------------
_LOGITS = np.log(np.array([0.1, 0.2, 0.3, 0.4]))


def test_gumbel_softmax_hard_samples_each_category_at_its_softmax_probability():
    """The argmax of softmax((logits + Gumbel) / tau) is a draw from softmax(logits), for any tau."""
    impl.manual_seed(SEED)
    y = IF.gumbel_softmax(impl.tensor(np.tile(_LOGITS, (N // 4, 1))), tau=0.5, hard=True).numpy()
    assert set(np.unique(y).tolist()) == {0.0, 1.0} and (y.sum(axis=1) == 1).all(), "hard samples are not one-hot"
    assert_fits_counts(y.sum(axis=0), np.exp(_LOGITS), "gumbel_softmax(hard=True) categories")


@pytest.mark.parametrize("dim", [0, -1])
def test_gumbel_softmax_soft_samples_are_distributions_along_dim(dim):
    impl.manual_seed(SEED)
    logits = impl.tensor(np.random.default_rng(1).normal(size=(3, 5)), dtype=impl.float32)
    y = IF.gumbel_softmax(logits, tau=2.0, dim=dim).numpy()
    assert y.dtype == np.float32 and y.shape == (3, 5) and (y > 0).all()
    np.testing.assert_allclose(y.sum(axis=dim), 1.0, rtol=1e-6)


@pytest.mark.parametrize("tau", [1.0, 0.3])
def test_gumbel_softmax_hard_passes_the_soft_samples_gradient_straight_through(tau):
    """hard=True: the forward is the one-hot of the soft sample's argmax, the gradient is the soft sample's,
    d logits = y * (w - sum(y * w)) / tau (softmax's Jacobian) -- computed here in numpy from the soft values."""
    logits = impl.tensor(np.random.default_rng(2).normal(size=(4, 3)), dtype=impl.float64, requires_grad=True)
    w = np.random.default_rng(3).normal(size=(4, 3))
    impl.manual_seed(SEED)
    soft = IF.gumbel_softmax(logits, tau=tau).detach().numpy()
    impl.manual_seed(SEED)  # the same Gumbel noise
    hard = IF.gumbel_softmax(logits, tau=tau, hard=True)
    onehot = np.eye(3)[soft.argmax(axis=-1)]
    np.testing.assert_allclose(hard.detach().numpy(), onehot, atol=1e-12)
    hard.backward(impl.tensor(w))
    expected = soft * (w - (soft * w).sum(axis=-1, keepdims=True)) / tau
    np.testing.assert_allclose(logits.grad.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_gumbel_softmax_eps_warns_as_torch():
    for lib in (IF, torch.nn.functional):
        with pytest.warns(UserWarning, match="`eps` parameter is deprecated and has no effect."):
            lib.gumbel_softmax((impl if lib is IF else torch).zeros(2, 3), eps=1e-5)
