"""The activation modules of impl/nn/modules/activation_extra.py against torch.nn, twin by twin (the helpers and
conventions of property_tests/test_modules.py: torch builds under a seed, its state_dict is copied into impl,
outputs, input gradients under a random cotangent and parameter gradients are compared at assert_close's defaults).

RReLU's training mode draws its slopes from impl's own generator, not torch's: its distribution is tested
instead (slopes in [lower, upper], their mean, the gradient equal to the slope).
"""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import impl
import impl.nn as inn
from property_tests.test_modules import dtypes, examples, randn, run_twins

pytestmark = [pytest.mark.modules,
              pytest.mark.impl_only(reason="not yet routed through reference.targets: runs impl and torch side by side")]

# name -> kwargs drawn with ``d`` (hypothesis' draw), and the kinks the input keeps 0.1 away from
ACTIVATIONS = {
    "Hardsigmoid": (lambda d: {}, (-3.0, 3.0)),
    "Hardswish": (lambda d: {}, (-3.0, 3.0)),
    "SELU": (lambda d: {}, (0.0,)),
    "CELU": (lambda d: dict(alpha=d(st.sampled_from([1.0, 0.5, 2.0]))), (0.0,)),
    "Mish": (lambda d: {}, ()),
    "Softshrink": (lambda d: dict(lambd=d(st.sampled_from([0.5, 1.0]))), (-1.0, -0.5, 0.5, 1.0)),
    "Hardshrink": (lambda d: dict(lambd=d(st.sampled_from([0.5, 1.0]))), (-1.0, -0.5, 0.5, 1.0)),
    "Tanhshrink": (lambda d: {}, ()),
    "Threshold": (lambda d: dict(threshold=d(st.sampled_from([0.0, 0.5])), value=d(st.sampled_from([0.0, -2.0]))),
                  (0.0, 0.5)),
    "RReLU": (lambda d: dict(lower=d(st.sampled_from([0.1, 0.125])), upper=d(st.sampled_from([0.3, 0.5]))), (0.0,)),
}


def _away(x, points):
    for p in points:
        near = np.abs(x - p) < 0.1
        x = np.where(near, p + np.where(x >= p, 0.15, -0.15), x)
    return x


@settings(max_examples=examples(20))
@given(st.data(), st.sampled_from(sorted(ACTIVATIONS)), st.lists(st.integers(1, 4), min_size=0, max_size=3), dtypes,
       st.integers(0, 2**16))
def test_activations(data, name, shape, dtype, seed):
    """Eval mode (RReLU's deterministic slope); the input kept off each activation's kinks."""
    rng = np.random.default_rng(seed)
    kwargs_fn, kinks = ACTIVATIONS[name]
    kwargs = kwargs_fn(data.draw)
    x = _away(randn(rng, shape, 2.5), kinks)
    run_twins(lambda L: getattr(L.nn, name)(**kwargs), [x], dtype, what=f"{name}({kwargs})", seed=seed)


@settings(max_examples=examples(15))
@given(st.integers(0, 3), st.booleans(), st.sampled_from([0.25, -0.1, 1.5]), st.lists(st.integers(1, 3), max_size=2),
       dtypes, st.integers(0, 2**16))
def test_prelu(channels, per_channel, init, spatial, dtype, seed):
    """PReLU's weight (num_parameters,) broadcast along dim 1: one weight or one per channel; perturbed weights."""
    rng = np.random.default_rng(seed)
    shape = [2, channels, *spatial] if channels else [3]
    n = channels if (per_channel and channels) else 1
    x = _away(randn(rng, shape), (0.0,))
    run_twins(lambda L: L.nn.PReLU(num_parameters=n, init=init), [x], dtype, what=f"PReLU({n}, init={init})",
              seed=seed)


def test_prelu_default_init_and_state_dict():
    for n, init in ((1, 0.25), (4, -0.3)):
        t, i = torch.nn.PReLU(n, init=init), inn.PReLU(n, init=init)
        assert list(i.state_dict()) == list(t.state_dict()) == ["weight"]
        assert tuple(i.weight.shape) == tuple(t.weight.shape) == (n,)
        np.testing.assert_array_equal(i.weight.detach().numpy(), t.weight.detach().numpy())
        assert repr(i) == repr(t)


@settings(max_examples=examples(10))
@given(st.sampled_from([(2, 3, 4), (1, 3, 2, 2), (2, 1, 2, 3)]), dtypes, st.integers(0, 2**16))
def test_softmax2d(shape, dtype, seed):
    """Softmax over the channel dim (-3) of 3-D and 4-D inputs."""
    x = randn(np.random.default_rng(seed), shape, 2.0)
    run_twins(lambda L: L.nn.Softmax2d(), [x], dtype, what=f"Softmax2d {shape}", seed=seed)


def test_softmax2d_rejects_other_ranks():
    for mod in (torch.nn.Softmax2d(), inn.Softmax2d()):
        lib = torch if isinstance(mod, torch.nn.Module) else impl
        with pytest.raises(ValueError, match="expected input to be 3D or 4D, got 2D"):
            mod(lib.ones(2, 3))


@pytest.mark.parametrize("name", ["Hardsigmoid", "Hardswish", "SELU", "CELU", "Threshold", "RReLU"])
def test_inplace_modules_on_intermediate(name):
    """inplace=True after a Linear (a non-leaf): same values and gradients as torch, the input modified."""
    kwargs = dict(threshold=0.1, value=-1.0) if name == "Threshold" else {}
    x = np.linspace(-2, 2, 12).reshape(3, 4)
    run_twins(lambda L: L.nn.Sequential(L.nn.Linear(4, 4), getattr(L.nn, name)(inplace=True, **kwargs)), [x],
              "float64", what=f"{name}(inplace=True)")


def test_reprs_match_torch():
    cases = [("Hardsigmoid", {}), ("Hardswish", {"inplace": True}), ("SELU", {}), ("CELU", {"alpha": 0.5}),
             ("Softshrink", {"lambd": 0.3}), ("Hardshrink", {}), ("Tanhshrink", {}),
             ("Threshold", {"threshold": 0.1, "value": 2.0}), ("RReLU", {"lower": 0.1, "upper": 0.4}),
             ("Softmax2d", {}), ("PReLU", {"num_parameters": 3})]
    for name, kw in cases:
        assert repr(getattr(inn, name)(**kw)) == repr(getattr(torch.nn, name)(**kw)), name


@pytest.mark.parametrize("lower,upper", [(0.125, 1 / 3), (0.05, 0.6)])
def test_rrelu_training_slopes(lower, upper):
    """Training mode: each non-positive element gets its own slope from U(lower, upper), positives pass through;
    the gradient is that slope. impl's generator is not torch's, so the distribution is compared, not values."""
    impl.manual_seed(0)
    n = 20000
    x0 = np.concatenate([-np.linspace(0.5, 2.0, n), np.linspace(0.5, 2.0, 100)])
    m = inn.RReLU(lower, upper).train()
    x = impl.tensor(x0, requires_grad=True)
    y = m(x)
    y.sum().backward()
    slopes = y.detach().numpy()[:n] / x0[:n]
    assert slopes.min() >= lower and slopes.max() <= upper, (slopes.min(), slopes.max())
    # the mean of U(lower, upper) within 5 standard errors
    sd = (upper - lower) / math.sqrt(12)
    assert abs(slopes.mean() - (lower + upper) / 2) < 5 * sd / math.sqrt(n), slopes.mean()
    # uniform, not clustered: each quarter of [lower, upper] holds about a quarter of the slopes
    counts = np.histogram(slopes, bins=4, range=(lower, upper))[0] / n
    assert np.all(np.abs(counts - 0.25) < 0.02), counts
    np.testing.assert_allclose(x.grad.numpy()[:n], slopes, rtol=1e-12)
    np.testing.assert_array_equal(y.detach().numpy()[n:], x0[n:])
    np.testing.assert_array_equal(x.grad.numpy()[n:], 1.0)
    # eval mode: the mean slope, as torch
    t_out = torch.nn.RReLU(lower, upper).eval()(torch.from_numpy(x0))
    np.testing.assert_allclose(m.eval()(impl.tensor(x0)).numpy(), t_out.numpy(), rtol=1e-12)
