"""Model-level twin of a WGAN-GP critic step (Gulrajani et al. 2017): a loss that contains a gradient.

For a hypothesis-drawn MLP or small CNN critic (reference/models.py builders, torch's weights copied into the library under test),
one critic loss  D(fake).mean() - D(real).mean() + 10 * ((||grad_x D(x_hat)||_2 - 1)^2).mean()  at random
interpolates x_hat, with the input gradient taken by autograd.grad(create_graph=True): the penalty value, the loss
and every parameter gradient (which run through second derivatives of every layer) equal torch's in float64 at
assert_close's float64 defaults.
"""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import models as M
from reference import targets
from reference.assertions import assert_close
from reference.opspec import DEFAULT_TOL

pytestmark = [pytest.mark.models]

lib = targets.current().lib  # the library under test; torch is the oracle

TOL = DEFAULT_TOL["float64"]
LAMBDA = 10.0


def _critic_loss(lib, critic, real, fake, eps):
    x_hat = (lib.tensor(eps) * lib.tensor(real) + (1 - lib.tensor(eps)) * lib.tensor(fake)).requires_grad_(True)
    scores = critic(x_hat).sum(dim=-1)
    (g,) = lib.autograd.grad(scores.sum(), x_hat, create_graph=True)
    penalty = ((g.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
    loss = critic(lib.tensor(fake)).mean() - critic(lib.tensor(real)).mean() + LAMBDA * penalty
    return penalty, loss


def _check(builder, cfg, shape, seed):
    t_model, i_model = M.twins(builder, cfg, dtype="float64", seed=seed)
    rng = np.random.default_rng(seed)
    real, fake = rng.standard_normal(shape), rng.standard_normal(shape)
    eps = rng.uniform(size=(shape[0],) + (1,) * (len(shape) - 1))
    results = {}
    for side, model in (("torch", t_model), ("target", i_model)):
        penalty, loss = _critic_loss(torch if side == "torch" else lib, model, real, fake, eps)
        loss.backward()
        results[side] = [penalty, loss] + [p.grad for _, p in model.named_parameters()]
    names = ["penalty", "loss"] + [f"grad of {n}" for n, _ in t_model.named_parameters()]
    assert len(names) > 3, "the critic has no parameters: nothing checked"
    for name, a, b in zip(names, results["target"], results["torch"]):
        assert a is not None, f"{name}: no gradient (cfg {cfg!r}, seed {seed})"
        assert_close(a, b, check=f"WGAN-GP {name}", what=f"cfg {cfg!r} seed {seed}", **TOL)


@settings(max_examples=10)
@given(cfg=M.mlp_configs, n=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_wgan_gp_mlp_critic(cfg, n, seed):
    _check(M.build_mlp, cfg, (n, cfg.in_features), seed)


@settings(max_examples=8)
@given(cfg=M.cnn_configs(), n=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_wgan_gp_cnn_critic(cfg, n, seed):
    _check(M.build_cnn, cfg, (n, cfg.in_channels, cfg.size, cfg.size), seed)
