"""Random creation ops tested as distributions: goodness-of-fit on fixed seeds, and seed reproducibility.

impl draws from its own numpy generator, so its values can never equal torch's; what must match is the
distribution. Each test draws a large sample on a fixed seed and applies a goodness-of-fit test from
scipy.stats (a test dependency through scikit-learn): Kolmogorov-Smirnov for continuous draws, chi-square for
discrete ones, an exact binomial test for rates.

False failures. A correct implementation gives a p-value uniform on [0, 1] (over the choice of seed), so a test
that fails when p < ALPHA fails a correct implementation with probability ALPHA. This file makes at most
MAX_STAT_TESTS = 50 such tests (24 today: rand 2, randn 2, normal_ 3, uniform_ 2, rand_like/randn_like 2, randint 2,
randperm 1, bernoulli 6, multinomial 2, dropout 2), each at ALPHA = 1e-6 / 50 = 2e-8, so the
probability that any of them fails a correct implementation is below 1e-6 (Bonferroni). The seeds are fixed, so a
run is reproducible: the bound is what a fresh choice of seeds would risk.

Power. Sample sizes are chosen so that these tests still catch small planted bugs at that ALPHA (shown by
test_planted_bugs_are_caught): with N = 200,000 draws, the one-sample KS critical distance at 2e-8 is
sqrt(-ln(ALPHA / 2) / 2N) ~= 0.0069, while a mean shifted by 0.05 moves a standard normal's CDF by up to
0.05 * phi(0) ~= 0.020 and a standard deviation off by 5% moves it by ~0.242 * 0.048 ~= 0.0115.
"""
import numpy as np
import pytest

import impl
from reference import lazy_stats as stats

pytestmark = pytest.mark.impl_only(reason="about impl itself: impl's own numpy random generator, tested as distributions")

MAX_STAT_TESTS = 50
ALPHA = 1e-6 / MAX_STAT_TESTS  # per test; family-wise false-failure probability <= 1e-6
N = 200_000  # continuous draws per KS test (power: see the module docstring)
SEED = 20240601


# ---- the goodness-of-fit checks ------------------------------------------------------------------------------
def assert_fits_continuous(x, cdf, what):
    """One-sample Kolmogorov-Smirnov test of the draws ``x`` against ``cdf``."""
    x = np.asarray(x, dtype=np.float64).ravel()
    assert np.isfinite(x).all(), f"{what}: non-finite draws"
    res = stats.kstest(x, cdf)
    assert res.pvalue >= ALPHA, (f"{what}: {x.size} draws do not fit (KS distance {res.statistic:.4g}, "
                                 f"p = {res.pvalue:.3g} < {ALPHA:g}); mean {x.mean():.4g}, std {x.std():.4g}")
    return res.pvalue


def assert_fits_counts(observed, expected_probs, what):
    """Chi-square goodness-of-fit of category counts against probabilities (every expected count >= 5)."""
    observed = np.asarray(observed, dtype=np.float64).ravel()
    expected = np.asarray(expected_probs, dtype=np.float64).ravel() * observed.sum()
    keep = expected > 0
    assert observed[~keep].sum() == 0, f"{what}: draws in categories of probability 0: {observed[~keep]}"
    assert expected[keep].min() >= 5, f"{what}: too few draws for a chi-square test"
    res = stats.chisquare(observed[keep], expected[keep])
    assert res.pvalue >= ALPHA, (f"{what}: counts do not fit (chi2 {res.statistic:.4g} on {keep.sum() - 1} dof, "
                                 f"p = {res.pvalue:.3g} < {ALPHA:g}); observed {observed.astype(int).tolist()[:12]}, "
                                 f"expected {np.round(expected, 1).tolist()[:12]}")
    return res.pvalue


def assert_rate(k, n, p, what):
    """Exact two-sided binomial test: ``k`` successes in ``n`` trials at rate ``p``."""
    res = stats.binomtest(int(k), int(n), p)
    assert res.pvalue >= ALPHA, f"{what}: {k}/{n} = {k / n:.5f}, expected rate {p} (binomial p = {res.pvalue:.3g} < {ALPHA:g})"
    return res.pvalue


# ---- continuous --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rand_is_uniform_on_0_1(dtype):
    impl.manual_seed(SEED)
    x = impl.rand(N // 2, 2, dtype=getattr(impl, dtype)).numpy()
    assert x.dtype == np.dtype(dtype) and x.shape == (N // 2, 2)
    assert ((x >= 0) & (x < 1)).all(), f"rand outside [0, 1): min {x.min()}, max {x.max()}"
    assert_fits_continuous(x, stats.uniform(0, 1).cdf, f"rand {dtype}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_randn_is_standard_normal(dtype):
    impl.manual_seed(SEED)
    x = impl.randn(N, dtype=getattr(impl, dtype)).numpy()
    assert x.dtype == np.dtype(dtype)
    assert_fits_continuous(x, stats.norm(0, 1).cdf, f"randn {dtype}")


@pytest.mark.parametrize("mean,std", [(0.0, 1.0), (-1.5, 0.25), (3.0, 2.0)])
def test_normal_inplace_has_its_mean_and_std(mean, std):
    impl.manual_seed(SEED)
    t = impl.zeros(N, dtype=impl.float64)
    assert t.normal_(mean, std) is t
    assert_fits_continuous(t.numpy(), stats.norm(mean, std).cdf, f"normal_({mean}, {std})")


@pytest.mark.parametrize("a,b", [(0.0, 1.0), (-2.0, 0.5)])
def test_uniform_inplace_is_uniform_on_a_b(a, b):
    impl.manual_seed(SEED)
    t = impl.zeros(N, dtype=impl.float64)
    assert t.uniform_(a, b) is t
    x = t.numpy()
    assert ((x >= a) & (x <= b)).all()
    assert_fits_continuous(x, stats.uniform(a, b - a).cdf, f"uniform_({a}, {b})")


@pytest.mark.parametrize("name,dist", [("rand_like", "uniform"), ("randn_like", "norm")])
def test_like_ops_draw_from_their_distribution_with_the_input_dtype_and_shape(name, dist):
    dist = getattr(stats, dist)(0, 1)  # standard uniform / normal
    impl.manual_seed(SEED)
    base = impl.zeros(N // 4, 4, dtype=impl.float64)
    x = getattr(impl, name)(base)
    assert x.shape == base.shape and x.dtype == impl.float64
    assert_fits_continuous(x.numpy(), dist.cdf, name)


# ---- discrete ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("low,high", [(0, 7), (-3, 2)])
def test_randint_is_uniform_over_low_to_high(low, high):
    impl.manual_seed(SEED)
    x = impl.randint(low, high, (N // 2,)).numpy()
    assert x.dtype == np.int64 and x.min() >= low and x.max() < high
    counts = np.bincount(x - low, minlength=high - low)
    assert_fits_counts(counts, np.full(high - low, 1 / (high - low)), f"randint({low}, {high})")


def test_randperm_is_a_uniform_random_permutation():
    """All 24 orders of randperm(4) equally likely (a biased shuffle favours some orders)."""
    impl.manual_seed(SEED)
    perms = np.stack([impl.randperm(4).numpy() for _ in range(24 * 400)])
    assert (np.sort(perms, axis=1) == np.arange(4)).all(), "randperm(4) is not a permutation of 0..3"
    codes = perms @ (4 ** np.arange(4))  # each order -> one integer
    orders = np.array([p @ (4 ** np.arange(4)) for p in _all_permutations(4)])
    counts = (codes[:, None] == orders[None, :]).sum(axis=0)
    assert counts.sum() == len(perms)
    assert_fits_counts(counts, np.full(24, 1 / 24), "randperm(4) orders")


def _all_permutations(n):
    import itertools

    return np.array(list(itertools.permutations(range(n))))


def test_bernoulli_has_the_rate_of_each_element():
    probs = np.array([0.0, 0.02, 0.1, 0.3, 0.5, 0.77, 0.95, 1.0])
    impl.manual_seed(SEED)
    n = 40_000
    draws = impl.bernoulli(impl.tensor(np.tile(probs, (n, 1)), dtype=impl.float32)).numpy()
    assert draws.dtype == np.float32 and set(np.unique(draws).tolist()) <= {0.0, 1.0}
    for j, p in enumerate(probs):
        k = int(draws[:, j].sum())
        if p in (0.0, 1.0):
            assert k == p * n, f"bernoulli({p}): {k}/{n} ones"
        else:
            assert_rate(k, n, p, f"bernoulli({p})")


PROBS = np.array([0.1, 0.0, 0.25, 0.05, 0.6])  # a zero category: must never be drawn


def test_multinomial_with_replacement_draws_each_category_at_its_probability():
    impl.manual_seed(SEED)
    weights = impl.tensor(PROBS * 3.0)  # unnormalised weights, as torch accepts
    x = impl.multinomial(weights, N, replacement=True).numpy()
    assert x.shape == (N,) and x.dtype == np.int64
    assert_fits_counts(np.bincount(x, minlength=len(PROBS)), PROBS, "multinomial with replacement")


def test_multinomial_without_replacement_draws_ordered_pairs_at_their_probabilities():
    """Two draws without replacement: P(i, then j) = p_i p_j / (1 - p_i) for i != j, never i twice."""
    impl.manual_seed(SEED)
    rows = 60_000
    x = impl.multinomial(impl.tensor(np.tile(PROBS, (rows, 1))), 2, replacement=False).numpy()
    assert x.shape == (rows, 2)
    assert (x[:, 0] != x[:, 1]).all(), "multinomial without replacement drew a category twice"
    k = len(PROBS)
    pair = PROBS[:, None] * PROBS[None, :] / (1 - PROBS[:, None])
    np.fill_diagonal(pair, 0.0)
    counts = np.bincount(x[:, 0] * k + x[:, 1], minlength=k * k)
    assert_fits_counts(counts, pair, "multinomial without replacement, ordered pairs")


@pytest.mark.parametrize("p", [0.1, 0.5])
def test_dropout_zeroes_at_rate_p_and_scales_the_rest(p):
    impl.manual_seed(SEED)
    n = 400_000
    y = impl.nn.functional.dropout(impl.ones(n, dtype=impl.float64), p=p, training=True).numpy()
    zeros = int((y == 0).sum())
    np.testing.assert_allclose(y[y != 0], 1 / (1 - p), rtol=1e-12)
    assert_rate(zeros, n, p, f"dropout(p={p}) mask")


# ---- seeds -------------------------------------------------------------------------------------------------
DRAWS = {
    "rand": lambda: impl.rand(50),
    "randn": lambda: impl.randn(50, dtype=impl.float64),
    "randint": lambda: impl.randint(0, 1000, (50,)),
    "randperm": lambda: impl.randperm(50),
    "bernoulli": lambda: impl.bernoulli(impl.full((50,), 0.5)),
    "multinomial": lambda: impl.multinomial(impl.ones(50), 20, replacement=False),
    "normal_": lambda: impl.zeros(50).normal_(),
    "uniform_": lambda: impl.zeros(50).uniform_(),
    "rand_like": lambda: impl.rand_like(impl.zeros(50)),
    "randn_like": lambda: impl.randn_like(impl.zeros(50)),
    "dropout": lambda: impl.nn.functional.dropout(impl.ones(50), 0.5, training=True),
}


@pytest.mark.parametrize("name", list(DRAWS))
def test_manual_seed_reproduces_the_draws_and_other_seeds_differ(name):
    draw = DRAWS[name]
    impl.manual_seed(7)
    first, second = draw().numpy().copy(), draw().numpy().copy()
    impl.manual_seed(7)
    np.testing.assert_array_equal(draw().numpy(), first, err_msg=f"{name}: manual_seed(7) did not repeat the draws")
    np.testing.assert_array_equal(draw().numpy(), second, err_msg=f"{name}: the second draw after manual_seed(7) differs")
    assert not np.array_equal(first, second), f"{name}: two consecutive draws are equal"
    impl.manual_seed(8)
    assert not np.array_equal(draw().numpy(), first), f"{name}: seeds 7 and 8 give the same draws"


# ---- the tests can fail: planted bugs ------------------------------------------------------------------------
def _shifted(real, delta):
    return lambda *a, **k: impl.Tensor._wrap(real(*a, **k).numpy() + delta)


def _scaled(real, factor):
    return lambda *a, **k: impl.Tensor._wrap(real(*a, **k).numpy() * factor)


def _with_replacement(real):
    return lambda inp, n, replacement=False, **k: real(inp, n, replacement=True, **k)


def _dropout_rate_off(real, delta):
    return lambda x, p=0.5, training=True, inplace=False: real(x, p + delta, training, inplace) * ((1 - p - delta) / (1 - p))


PLANTED = [
    ("randn mean + 0.05", impl, "randn", lambda r: _shifted(r, 0.05),
     lambda: test_randn_is_standard_normal("float64")),
    ("randn std x 1.05", impl, "randn", lambda r: _scaled(r, 1.05),
     lambda: test_randn_is_standard_normal("float64")),
    ("rand shifted by 0.01 (inside [0, 1))", impl, "rand", lambda r: lambda *a, **k: impl.Tensor._wrap(
        r(*a, **k).numpy() * np.float32(0.99) + np.float32(0.01)), lambda: test_rand_is_uniform_on_0_1("float32")),
    ("randint never draws its top value", impl, "randint", lambda r: lambda lo, hi, size: r(lo, hi - 1, size),
     lambda: test_randint_is_uniform_over_low_to_high(0, 7)),
    ("multinomial ignores replacement=False", impl, "multinomial", _with_replacement,
     test_multinomial_without_replacement_draws_ordered_pairs_at_their_probabilities),
    ("dropout rate 0.1 + 0.005", impl.nn.functional, "dropout", lambda r: _dropout_rate_off(r, 0.005),
     lambda: test_dropout_zeroes_at_rate_p_and_scales_the_rest(0.1)),
]


@pytest.mark.parametrize("what,owner,attr,plant,run", PLANTED, ids=[p[0] for p in PLANTED])
def test_planted_bugs_are_caught(monkeypatch, what, owner, attr, plant, run):
    run()  # the real op passes
    monkeypatch.setattr(owner, attr, plant(getattr(owner, attr)))
    with pytest.raises(AssertionError):
        run()

