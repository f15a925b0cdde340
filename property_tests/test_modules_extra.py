"""AdaptiveAvgPool1d, AdaptiveMaxPool1d, CosineSimilarity and PairwiseDistance against torch.nn, twin by twin
(reference.module_twins.run_twins: outputs, input gradients under a random cotangent, float64 judge), their
reprs and attributes, and F.upsample's deprecation warning."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import impl
import impl.nn as inn
import impl.nn.functional as IF
from reference.module_twins import examples, run_twins
from reference.strategies import distinct

dtypes = st.sampled_from(["float32", "float64"])
batch = st.sampled_from([(), (1,), (2,)])
pytestmark = [pytest.mark.modules,
              pytest.mark.impl_only(reason="not yet routed through reference.targets: runs impl and torch side by side")]


@settings(max_examples=examples(8))
@given(batch, st.integers(1, 3), st.integers(1, 6), st.integers(1, 7), st.booleans(), dtypes, st.integers(0, 2**16))
def test_adaptive_pool1d(b, C, L, o, as_tuple, dtype, seed):
    rng = np.random.default_rng(seed)
    x = distinct(rng, (*b, C, L))  # no ties: one maximum per window
    size = (o,) if as_tuple else o
    n = run_twins(lambda lib: lib.nn.AdaptiveAvgPool1d(size), [x], dtype, what=f"AdaptiveAvgPool1d({size})", seed=seed)
    n += run_twins(lambda lib: lib.nn.AdaptiveMaxPool1d(size, return_indices=True), [x], dtype,
                   what=f"AdaptiveMaxPool1d({size}, return_indices=True)", seed=seed)
    assert n >= 4


@settings(max_examples=examples(8))
@given(batch, st.integers(1, 4), st.sampled_from([(1, 1e-8), (-1, 1e-8), (0, 0.5)]), dtypes, st.integers(0, 2**16))
def test_cosine_similarity(b, D, dim_eps, dtype, seed):
    rng = np.random.default_rng(seed)
    dim, eps = dim_eps
    shape = (*b, 3, D)
    x1, x2 = rng.normal(size=shape) + 0.5, rng.normal(size=shape) - 0.5  # norms away from 0 (1/||x|| in the gradient)
    n = run_twins(lambda lib: lib.nn.CosineSimilarity(dim, eps), [x1, x2], dtype, what=f"CosineSimilarity({dim}, {eps})",
                  seed=seed)
    assert n >= 3


@settings(max_examples=examples(8))
@given(batch, st.integers(1, 4), st.sampled_from([2.0, 1.0, 3.0]), st.sampled_from([1e-6, 0.0]), st.booleans(), dtypes,
       st.integers(0, 2**16))
def test_pairwise_distance(b, D, p, eps, keepdim, dtype, seed):
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=(*b, D))
    x2 = x1 - rng.uniform(0.2, 1.5, x1.shape) * rng.choice([-1.0, 1.0], x1.shape)  # |x1 - x2| away from the kink
    n = run_twins(lambda lib: lib.nn.PairwiseDistance(p, eps, keepdim), [x1, x2], dtype,
                  what=f"PairwiseDistance({p}, {eps}, {keepdim})", seed=seed)
    assert n >= 3


@pytest.mark.parametrize("build", [
    lambda nn: nn.AdaptiveAvgPool1d(3), lambda nn: nn.AdaptiveAvgPool1d((2,)), lambda nn: nn.AdaptiveMaxPool1d(2, True),
    lambda nn: nn.CosineSimilarity(0, 1e-6), lambda nn: nn.PairwiseDistance(1.0, 0.0, True),
])
def test_repr_and_attributes_as_torch(build):
    t, i = build(torch.nn), build(inn)
    assert repr(i) == repr(t)
    for name in ("output_size", "return_indices", "dim", "eps", "norm", "keepdim"):
        assert hasattr(i, name) == hasattr(t, name), name
        if hasattr(t, name):
            assert getattr(i, name) == getattr(t, name), name


def test_upsample_warns_as_torch_and_is_interpolate():
    x = np.random.default_rng(0).normal(size=(1, 2, 3)).astype(np.float32)
    caught = {}
    for name, F, lib in (("impl", IF, impl), ("torch", torch.nn.functional, torch)):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = F.upsample(lib.tensor(x), scale_factor=2, mode="linear")
        caught[name] = [(type(m.message), str(m.message)) for m in w]
        assert np.array_equal(out.numpy(), F.interpolate(lib.tensor(x), scale_factor=2, mode="linear").numpy())
    assert caught["impl"] == caught["torch"] == [
        (UserWarning, "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.")]
