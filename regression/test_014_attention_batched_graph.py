"""014: Attention looped over the batch on raw data: graph cut.

**Symptom:** The attention block's own parameters (Q/K/V and output projections) received no gradient:
4 of 19 transformer parameters learned. The block also ran a Python loop per sample, so it was slow.

**Root cause:** The attention forward iterated ``for i in range(batch)`` over ``Q.data[i]``, computed
``softmax(q k^T / sqrt(d)) v`` with numpy, wrote rows into a preallocated array and wrapped it at the end;
nothing in that loop was recorded.

**Fix:** attention is batched tensor ops end to end -- heads become a batch axis, ``q @ k.transpose(-2, -1)``,
``softmax``, ``@ v`` on 4-D tensors -- in ``impl.nn.functional.scaled_dot_product_attention`` and in
``nn.MultiheadAttention``'s two paths; no Python loop over batch or heads (design rule).

**How this test catches it:** ``F.scaled_dot_product_attention`` (causal, 4-D) against torch for the
gradients of q, k and v; ``nn.MultiheadAttention(need_weights=False)`` (which runs through it) against torch
for every parameter and the input; and the tiny LM twin, whose attention is written with tensor ops in the
model (variant ``model`` re-creates the historical per-sample loop there, variant ``sdpa`` inside impl).

**Seen in:** TinyTorch's gradient-flow fix summary for transformer training (attention looped over the batch on
``.data`` and was rewritten batched) and TinyTorch's milestone-fixes analysis (transformer milestone: attention
received no gradients, 4 of 19 parameters learned).

**Generic tests catch it too:** partly — variants ['all', 'sdpa'] are caught by property_tests/test_functional.py; variants ['model'] only by this guard (measured by `python -m regression.crosscheck`).
"""
import contextlib
import math

import numpy as np

import impl
from impl.nn.functional import sparse
from regression import _models as M
from regression._util import check_vs_torch, rewrap, rng, stack, swap_attr, swap_function

VARIANTS = ("model", "sdpa")
GENERIC_NOTE = "The `model` variant lives in model code (the tiny LM's own attention), which no generic test runs; only a model-level twin such as this guard can see it"
FAILS_WITH = r"received no gradient|impl gave None|does not require grad"


def _np_softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _looped_model_attention(self, x):
    b, t, d = x.shape
    hd = d // M.H
    qkv = self.qkv(x)._data  # raw from here on
    out = np.zeros((b, t, d), dtype=qkv.dtype)
    for i in range(b):  # the historical loop over the batch
        q, k, v = (qkv[i, :, j * d:(j + 1) * d].reshape(t, M.H, hd).transpose(1, 0, 2) for j in range(3))
        s = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
        s = np.where(np.triu(np.ones((t, t), bool), 1), -np.inf, s)
        out[i] = (_np_softmax(s) @ v).transpose(1, 0, 2).reshape(t, d)
    return self.proj(impl.Tensor._wrap(out))


def _looped_sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    q, k, v = query._data, key._data, value._data
    lead = q.shape[:-2]
    L, S, E = q.shape[-2], k.shape[-2], q.shape[-1]
    qf, kf, vf = q.reshape(-1, L, E), np.broadcast_to(k, lead + k.shape[-2:]).reshape(-1, S, E), \
        np.broadcast_to(v, lead + v.shape[-2:]).reshape(-1, S, v.shape[-1])
    out = np.zeros(qf.shape[:-1] + (vf.shape[-1],), dtype=q.dtype)
    for i in range(qf.shape[0]):
        s = qf[i] @ kf[i].T * (1 / math.sqrt(E) if scale is None else scale)
        if is_causal:
            s = np.where(np.triu(np.ones((L, S), bool), 1), -np.inf, s)
        if attn_mask is not None:
            m = attn_mask._data if isinstance(attn_mask, impl.Tensor) else np.asarray(attn_mask)
            m = np.broadcast_to(m, lead + (L, S)).reshape(-1, L, S)[i]
            s = np.where(m, s, -np.inf) if m.dtype == bool else s + m
        out[i] = _np_softmax(s) @ vf[i]
    return rewrap(impl.Tensor._wrap(out.reshape(lead + (L, vf.shape[-1]))))


@contextlib.contextmanager
def reintroduce(variant=None):
    parts = {
        "model": lambda: swap_attr(M.tiny_lm_class(impl), "attention", _looped_model_attention),
        "sdpa": lambda: swap_function(sparse.scaled_dot_product_attention, _looped_sdpa),
    }
    chosen = [parts[variant]()] if variant else [p() for p in parts.values()]
    with stack(*chosen):
        yield


def _mha(lib):
    return lib.nn.MultiheadAttention(8, 2, batch_first=True)


def guard():
    r = rng(14)
    q, k, v = (r.standard_normal((2, 2, 4, 3)).astype(np.float32) for _ in range(3))
    check_vs_torch(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True),
                   q, k, v, what="F.scaled_dot_product_attention(is_causal=True)")
    x = r.standard_normal((2, 5, 8)).astype(np.float32)
    w = r.standard_normal((2, 5, 8)).astype(np.float32)
    M.check_twins(_mha, lambda lib, m, x, w: (m(x, x, x, need_weights=False)[0] * w).sum(), [x, w],
                  "MultiheadAttention(need_weights=False)", input_grad=0)
    M.check_twins(M.build_lm, M.lm_loss, M.lm_batch(14), "tiny transformer LM")


def test_guard():
    guard()
