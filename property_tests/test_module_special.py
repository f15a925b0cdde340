"""nn module behaviour of the library under test (impl by default, reference.targets) that the twin template
(property_tests/test_module_template.py) cannot compare with torch.

Random training modes: torch's generator cannot be matched, so the dropouts (Dropout, Dropout1d/2d/3d,
AlphaDropout, FeatureAlphaDropout, dropout between recurrent layers) and RReLU's slopes are tested for their
structure (whole channels zeroed, survivors scaled by 1/(1-p); alpha dropout's two affine values), gradients
consistent with the mask, and their rates/distributions. False failures of the dropout rate tests: STAT_TESTS
binomial tests are made, each at ALPHA = 1e-6 / STAT_TESTS, so a correct implementation fails any of them with
probability below 1e-6 (Bonferroni, as property_tests/test_random_distributions.py). Power: each test draws 20,000
independent units; at ALPHA = 1e-7 the two-sided critical distance is ~5.3 sigma, i.e. 0.018 at p=0.6 and 0.015 at
p=0.2, so a kept fraction off by 0.02 fails.

Where torch itself is not the reference: EmbeddingBag's scale_grad_by_freq (torch's CPU kernel breaks its own
rule; the reference is F.embedding's; torch as the target fails it: TorchTarget.known_failures). And float64 finite
differences on the target alone, the arbiter if twins ever disagree.
"""
import math

import numpy as np
import pytest
import torch

from reference import lazy_stats as stats
from reference import targets
from reference.module_twins import run_twins
from reference.twins import to_numpy, to_target

pytestmark = [pytest.mark.modules]


@pytest.fixture
def lib():
    return targets.current().lib


def _np(t):
    return targets.current().to_numpy(t)


def _tensor(a, requires_grad=False):
    return targets.current().tensor_from_numpy(np.asarray(a), requires_grad=requires_grad)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_training_statistics(p, lib):
    """torch's RNG can't be matched, so: kept fraction ~ 1-p (5 sigma), survivors scaled by exactly 1/(1-p),
    and the backward is masked exactly as the forward."""
    n = 200_000
    lib.manual_seed(1234)
    x = lib.ones(n, requires_grad=True)
    m = lib.nn.Dropout(p)
    y = m(x)
    kept = _np(y) != 0
    frac = kept.mean()
    assert abs(frac - (1 - p)) < 5 * math.sqrt(p * (1 - p) / n), f"kept fraction {frac} for p={p}"
    np.testing.assert_allclose(_np(y)[kept], 1 / (1 - p), rtol=1e-6)
    g = np.random.default_rng(0).normal(size=n).astype(np.float32)
    y.backward(_tensor(g))
    np.testing.assert_allclose(_np(x.grad), np.where(kept, g / (1 - p), 0), rtol=1e-6)
    # p=1 zeroes everything (as torch)
    assert not _np(lib.nn.Dropout(1.0)(lib.ones(10))).any()
    with pytest.raises(ValueError, match="dropout probability"):
        lib.nn.Dropout(1.5)


DROPOUTS = {"Dropout1d": (2, 4, 6), "Dropout2d": (2, 4, 3, 2), "Dropout3d": (2, 4, 2, 2, 2),
            "AlphaDropout": (3, 4), "FeatureAlphaDropout": (2, 4, 3)}


SELU_ALPHA_SCALE = 1.7580993408473766  # torch's alpha dropout constant (SELU's alpha * scale)


STAT_CASES = [(name, p) for name in sorted(DROPOUTS) for p in (0.2, 0.6)]


STAT_TESTS = len(STAT_CASES)


ALPHA = 1e-6 / STAT_TESTS  # family-wise false-failure probability <= 1e-6


N_UNITS = 20_000  # independent draws per binomial test (channels, or elements for AlphaDropout)


def _feature_shape(name, units):
    """An input whose (N, C) holds ``units`` channels, with a few spatial positions each."""
    return {"Dropout1d": (units // 4, 4, 3), "Dropout2d": (units // 4, 4, 2, 2), "Dropout3d": (units // 4, 4, 2, 1, 2),
            "FeatureAlphaDropout": (units // 4, 4, 3), "AlphaDropout": (units // 4, 4)}[name]


@pytest.mark.parametrize("name,p", STAT_CASES)
def test_dropouts_training_structure_gradients_and_rate(name, p, lib):
    lib.manual_seed(20240601)
    shape = _feature_shape(name, N_UNITS)
    x_np = np.random.default_rng(1).normal(size=shape).astype(np.float32)
    x = _tensor(x_np, requires_grad=True)
    y = getattr(lib.nn, name)(p).train()(x)
    y_np = _np(y)
    alpha = "Alpha" in name
    if alpha:
        a = 1.0 / math.sqrt((SELU_ALPHA_SCALE ** 2 * p + 1) * (1 - p))
        kept_val, dropped_val = a * x_np + SELU_ALPHA_SCALE * a * p, np.full_like(x_np, SELU_ALPHA_SCALE * a * (p - 1))
        kept = np.isclose(y_np, kept_val, rtol=1e-5, atol=1e-6)
        dropped = np.isclose(y_np, dropped_val, rtol=1e-5, atol=1e-6)
        scale = a
    else:
        scale = 1.0 / (1.0 - p)
        kept = np.isclose(y_np, x_np * scale, rtol=1e-6, atol=0) & (y_np != 0)
        dropped = y_np == 0
    assert np.all(kept | dropped), f"{name}({p}): {np.sum(~(kept | dropped))} outputs are neither kept nor dropped values"
    units = kept
    if name != "AlphaDropout":  # one decision per (sample, channel): constant over the spatial positions
        per_unit = kept.reshape(shape[0], shape[1], -1)
        assert np.all(per_unit.all(-1) | (~per_unit).all(-1)), f"{name}({p}): a channel is only partly dropped"
        units = per_unit[..., 0]
    # the gradient is the mask times the scale, exactly as the forward
    g = np.random.default_rng(2).normal(size=shape).astype(np.float32)
    y.backward(_tensor(g))
    np.testing.assert_allclose(_np(x.grad), np.where(kept, g * np.float32(scale), 0), rtol=1e-6, atol=0)
    res = stats.binomtest(int(units.sum()), units.size, 1 - p)
    assert res.pvalue >= ALPHA, (f"{name}({p}): kept {units.sum()}/{units.size} = {units.mean():.4f}, expected "
                                 f"{1 - p} (binomial p = {res.pvalue:.3g} < {ALPHA:g})")


def test_alpha_dropout_keeps_mean_and_variance_of_unit_normal_inputs(lib):
    """The point of alpha dropout: a standard normal input keeps mean 0 and variance 1 (SELU's fixed point). With
    400,000 draws the sample mean's standard error is 0.0016 and the sample variance's 0.0017 (measured from the
    output's fourth moment at p=0.3): 10-sigma bounds leave a false-failure probability below 1e-20, while a
    scale off by 2% (variance off by 4%) fails."""
    lib.manual_seed(7)
    x = _tensor(np.random.default_rng(3).normal(size=400_000).astype(np.float32))
    y = _np(lib.nn.AlphaDropout(0.3).train()(x)).astype(np.float64)
    assert abs(y.mean()) < 10 * 0.0016, f"mean {y.mean()}"
    assert abs(y.var() - 1) < 10 * 0.0017, f"variance {y.var()}"


@pytest.mark.parametrize("lower,upper", [(0.125, 1 / 3), (0.05, 0.6)])
def test_rrelu_training_slopes(lower, upper, lib):
    """Training mode: each non-positive element gets its own slope from U(lower, upper), positives pass through;
    the gradient is that slope. The target's generator is not torch's, so the distribution is compared, not values."""
    lib.manual_seed(0)
    n = 20000
    x0 = np.concatenate([-np.linspace(0.5, 2.0, n), np.linspace(0.5, 2.0, 100)])
    m = lib.nn.RReLU(lower, upper).train()
    x = _tensor(x0, requires_grad=True)
    y = m(x)
    y.sum().backward()
    slopes = _np(y)[:n] / x0[:n]
    assert slopes.min() >= lower and slopes.max() <= upper, (slopes.min(), slopes.max())
    # the mean of U(lower, upper) within 5 standard errors
    sd = (upper - lower) / math.sqrt(12)
    assert abs(slopes.mean() - (lower + upper) / 2) < 5 * sd / math.sqrt(n), slopes.mean()
    # uniform, not clustered: each quarter of [lower, upper] holds about a quarter of the slopes
    counts = np.histogram(slopes, bins=4, range=(lower, upper))[0] / n
    assert np.all(np.abs(counts - 0.25) < 0.02), counts
    np.testing.assert_allclose(_np(x.grad)[:n], slopes, rtol=1e-12)
    np.testing.assert_array_equal(_np(y)[n:], x0[n:])
    np.testing.assert_array_equal(_np(x.grad)[n:], 1.0)
    # eval mode: the mean slope, as torch
    t_out = torch.nn.RReLU(lower, upper).eval()(torch.from_numpy(x0))
    np.testing.assert_allclose(_np(m.eval()(_tensor(x0))), t_out.numpy(), rtol=1e-12)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_dropout_between_layers(kind, lib):
    """Eval mode ignores dropout; training with p=1 zeroes every layer's input but the first, deterministically,
    as torch's; training with p=0.5 draws masks (outputs differ from eval, both runs differ from each other)
    and leaves the last layer's output undropped (its values are not multiples of the mask scale)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 2, 3))
    build = lambda p: lambda L: getattr(L.nn, kind)(3, 5, num_layers=3, dropout=p)  # noqa: E731
    call = lambda m, xs, L: m(xs[0])  # noqa: E731
    assert run_twins(build(0.5), [x], "float64", call=call, perturb=False, what=f"{kind} dropout eval", train=False) > 0
    assert run_twins(build(1.0), [x], "float64", call=call, perturb=False, what=f"{kind} dropout=1 train", train=True) > 0
    lib.manual_seed(0)
    m = getattr(lib.nn, kind)(3, 5, num_layers=3, dropout=0.5).double()
    xi = to_target(x)
    m.eval()
    eval_out = to_numpy(m(xi)[0])
    m.train()
    a, b = to_numpy(m(xi)[0]), to_numpy(m(xi)[0])
    assert not np.allclose(a, eval_out) and not np.allclose(a, b)


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_scale_grad_by_freq_is_embeddings_rule(mode, lib):
    """scale_grad_by_freq divides each id's gradient by its count in the input, as for F.embedding. torch's CPU
    embedding_bag kernel does not follow that rule once bags hold different ids (ids [1, 0, 0 | 0, 0, 2] with
    bag cotangents [0.90, 0.09]: torch gives id 1 the (2 * 0.90 + 2 * 0.09) / 4 that belongs to id 0), so the
    reference here is torch's F.embedding with scale_grad_by_freq, summed (or averaged) over each bag."""
    import torch

    rng = np.random.default_rng(5)
    w = rng.normal(size=(4, 3))
    ids, offsets = np.array([1, 0, 0, 0, 0, 2, 3, 1]), np.array([0, 3, 3, 6])
    cot = rng.normal(size=(4, 3))
    bag_of = np.searchsorted(offsets, np.arange(len(ids)), side="right") - 1
    tw = torch.tensor(w, requires_grad=True)
    rows = torch.nn.functional.embedding(torch.tensor(ids), tw, scale_grad_by_freq=True)
    sums = torch.zeros(4, 3, dtype=torch.float64).index_add(0, torch.tensor(bag_of), rows)
    if mode == "mean":
        sums = sums / torch.tensor(np.maximum(np.bincount(bag_of, minlength=4), 1)[:, None])
    sums.backward(torch.tensor(cot))
    iw = _tensor(w, requires_grad=True)
    out = lib.nn.functional.embedding_bag(_tensor(ids), iw, _tensor(offsets), mode=mode, scale_grad_by_freq=True)
    np.testing.assert_allclose(_np(out), sums.detach().numpy(), rtol=1e-12)
    out.backward(_tensor(cot))
    np.testing.assert_allclose(_np(iw.grad), tw.grad.numpy(), rtol=1e-12)


GRADCHECK_CASES = {
    "Conv2d": (lambda nn: nn.Conv2d(2, 2, 3, padding=1, stride=2, groups=2, padding_mode="reflect"), [(1, 2, 5, 4)]),
    "BatchNorm2d-train": (lambda nn: nn.BatchNorm2d(2, momentum=None), [(3, 2, 2, 2)]),
    "GroupNorm": (lambda nn: nn.GroupNorm(2, 4), [(2, 4, 3)]),
    "LayerNorm": (lambda nn: nn.LayerNorm((2, 3)), [(2, 2, 3)]),
    "MaxPool2d": (lambda nn: nn.MaxPool2d(2, 1, padding=1, ceil_mode=True), [(1, 1, 3, 4)]),
    "MHA": (lambda nn: nn.MultiheadAttention(4, 2, add_bias_kv=True, kdim=3, vdim=5), [(3, 1, 4), (2, 1, 3), (2, 1, 5)]),
    "EncoderLayer": (lambda nn: nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, activation="gelu", norm_first=True),
                     [(3, 2, 4)]),
}


@pytest.mark.parametrize("name", list(GRADCHECK_CASES))
def test_module_input_gradients_gradcheck(name, lib):
    from reference.gradcheck import gradcheck

    build, shapes = GRADCHECK_CASES[name]
    lib.manual_seed(0)
    m = build(lib.nn).double()
    rng = np.random.default_rng(1)
    arrays = [rng.permutation(int(np.prod(s))).reshape(s) / 3.0 + rng.normal(size=s) * 0.01 for s in shapes]

    def f(*xs):
        out = m(*xs) if name != "MHA" else m(*xs, need_weights=True, average_attn_weights=False)
        return out

    result = gradcheck(f, arrays, tuple(range(len(arrays))), what=name)
    assert result.checked, f"{name}: nothing checked ({result.reason})"
