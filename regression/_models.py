"""Tiny twin models for the model-level entries, written once against the torch API so the same class body
runs on ``impl`` and on ``torch`` (``lib`` is either module). Weights move torch -> impl by state_dict key.

Each model routes the steps the historical bugs lived in through small overridable methods
(``add_positions``, ``attention``, ``residual``, ``flatten``) so that an entry's ``reintroduce()`` can put the
historical model-code bug back into the impl twin's class without touching the torch twin.
"""
from __future__ import annotations

import functools
import math

import numpy as np

import impl
from regression._util import assert_close, assert_param_grads_match, copy_weights, no_crash, to_np

V, D, H, T, B = 11, 8, 2, 5, 3  # vocab, model width, heads, sequence length, batch


@functools.cache
def tiny_lm_class(lib):
    nn = lib.nn

    class TinyLM(nn.Module):
        """Embedding + learned positions -> pre-norm causal self-attention block -> MLP block -> vocab head."""

        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(V, D)
            self.pos = nn.Parameter(lib.zeros(T, D))
            self.ln1 = nn.LayerNorm(D)
            self.qkv = nn.Linear(D, 3 * D)
            self.proj = nn.Linear(D, D)
            self.ln2 = nn.LayerNorm(D)
            self.ff = nn.Sequential(nn.Linear(D, 2 * D), nn.GELU(), nn.Linear(2 * D, D))
            self.head = nn.Linear(D, V)

        def add_positions(self, x):
            return x + self.pos[: x.shape[1]]

        def attention(self, x):
            b, t, d = x.shape
            hd = d // H
            qkv = self.qkv(x).reshape(b, t, 3, H, hd).permute(2, 0, 3, 1, 4)  # (3, B, H, T, hd)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = q @ k.transpose(-2, -1) / math.sqrt(hd)
            causal = lib.triu(lib.ones(t, t, dtype=lib.bool), diagonal=1)
            att = scores.masked_fill(causal, float("-inf")).softmax(dim=-1)
            out = (att @ v).transpose(1, 2).reshape(b, t, d)
            return self.proj(out)

        def residual(self, x, y):
            return x + y

        def forward(self, ids):
            x = self.add_positions(self.tok(ids))
            x = self.residual(x, self.attention(self.ln1(x)))
            x = self.residual(x, self.ff(self.ln2(x)))
            return self.head(x)  # (B, T, V)

    return TinyLM


@functools.cache
def tiny_cnn_class(lib):
    nn = lib.nn

    class TinyCNN(nn.Module):
        """conv -> relu -> maxpool -> conv -> relu -> flatten -> linear: six parameters, as the 1998 milestone."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
            self.pool = nn.MaxPool2d(2)
            self.conv2 = nn.Conv2d(4, 6, 3)
            self.flat = nn.Flatten()
            self.fc = nn.Linear(6 * 2 * 2, 3)

        def forward(self, x):
            x = self.pool(self.conv1(x).relu())
            x = self.conv2(x).relu()
            return self.fc(self.flat(x))

    return TinyCNN


def lm_batch(seed=0):
    r = np.random.default_rng(seed)
    return r.integers(0, V, (B, T)), r.integers(0, V, (B, T))


def cnn_batch(seed=0):
    r = np.random.default_rng(seed)
    return r.standard_normal((4, 1, 8, 8)).astype(np.float32), r.integers(0, 3, (4,))


def lm_loss(lib, model, ids, targets):
    logits = model(ids)
    return lib.nn.functional.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))


def cnn_loss(lib, model, x, y):
    return lib.nn.functional.cross_entropy(model(x), y)


def check_twins(build, loss_fn, arrays, what, seed=0, input_grad=None, rtol=1e-5, atol=1e-6):
    """Build the torch twin (seeded), copy its weights into the impl twin, run ``loss_fn(lib, model, *tensors)``
    on both, backpropagate, and require the same loss and the same gradient for EVERY parameter (and for
    input ``input_grad`` if given). ``build(lib)`` returns a fresh model."""
    import torch

    torch.manual_seed(seed)
    tm = build(torch)
    im = build(impl)
    copy_weights(tm, im)
    t_in = [torch.tensor(a, requires_grad=(i == input_grad)) for i, a in enumerate(arrays)]
    i_in = [impl.tensor(a, requires_grad=(i == input_grad)) for i, a in enumerate(arrays)]
    lt = loss_fn(torch, tm, *t_in)
    lt.backward()
    with no_crash(f"{what}: impl forward/backward"):
        li = loss_fn(impl, im, *i_in)
        li.backward()
    assert_close(li, lt, f"{what}: loss", rtol, atol)
    assert_param_grads_match(im, tm, what, rtol, atol)
    if input_grad is not None:
        assert_close(i_in[input_grad].grad, t_in[input_grad].grad, f"{what}: input gradient", rtol, atol)
    return im, tm


def build_lm(lib):
    return tiny_lm_class(lib)()


def build_cnn(lib):
    return tiny_cnn_class(lib)()


def param_names_without_grad(model):
    return [n for n, p in model.named_parameters() if p.grad is None or not np.any(to_np(p.grad))]
