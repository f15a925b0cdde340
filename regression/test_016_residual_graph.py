"""016: A residual connection summed raw data: graph cut.

**Symptom:** Only the last block of a transformer learned; every block below a residual connection, and
the embeddings, received no gradient. With the skip path cut, the output still looked reasonable because
the sum's values were right.

**Root cause:** ``Tensor(x.data + y.data)`` for ``x + f(x)``: both the skip branch and the block's branch
lost their history at the sum.

**Fix:** residuals are the tensor sum ``x + f(x)`` (``AddBackward0`` hands the gradient to both branches,
and the engine accumulates the two contributions that reach ``x``). impl's
``nn.TransformerEncoderLayer`` writes its two residuals that way (torch's order: post-norm by default).

**How this test catches it:** ``nn.TransformerEncoderLayer`` (post-norm and pre-norm, dropout 0) against
torch for every parameter and the input gradient, and the tiny LM twin (two residual blocks) for every
parameter. Variant ``model`` re-creates the historical bug in the tiny LM's ``residual`` step, variant
``encoder_layer`` inside impl's ``TransformerEncoderLayer.forward``.

**Seen in:** TinyTorch's gradient-flow fixes summary (residual connections written as ``Tensor(x.data + y.data)``).

**Generic tests catch it too:** partly — variants ['all', 'encoder_layer'] are caught by property_tests/test_models.py; variants ['model'] only by this guard (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from regression import _models as M
from regression._util import rewrap, rewrite_source, rng, stack, swap_attr

VARIANTS = ("model", "encoder_layer")
GENERIC_NOTE = "The `model` variant lives in model code (the tiny LM's own residual sums), which no generic test runs; only a model-level twin such as this guard can see it"
FAILS_WITH = r"received no gradient|impl gave None"


def _raw_sum(a, b):
    return rewrap(a + b)  # Tensor(x.data + y.data)


def _broken_encoder_forward():
    return rewrite_source(
        impl.nn.TransformerEncoderLayer.forward,
        ("x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal=is_causal)",
         "x = _raw_sum(x, self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal=is_causal))"),
        ("x = x + self._ff_block(self.norm2(x))", "x = _raw_sum(x, self._ff_block(self.norm2(x)))"),
        ("x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal=is_causal))",
         "x = self.norm1(_raw_sum(x, self._sa_block(x, src_mask, src_key_padding_mask, is_causal=is_causal)))"),
        ("x = self.norm2(x + self._ff_block(x))", "x = self.norm2(_raw_sum(x, self._ff_block(x)))"),
        extra_globals={"_raw_sum": _raw_sum},
    )


@contextlib.contextmanager
def reintroduce(variant=None):
    parts = {
        "model": lambda: swap_attr(M.tiny_lm_class(impl), "residual", lambda self, x, y: _raw_sum(x, y)),
        "encoder_layer": lambda: swap_attr(impl.nn.TransformerEncoderLayer, "forward", _broken_encoder_forward()),
    }
    chosen = [parts[variant]()] if variant else [p() for p in parts.values()]
    with stack(*chosen):
        yield


def _encoder(norm_first):
    return lambda lib: lib.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True,
                                                     norm_first=norm_first)


def guard():
    r = rng(16)
    x = r.standard_normal((2, 5, 8)).astype(np.float32)
    w = r.standard_normal((2, 5, 8)).astype(np.float32)
    for norm_first in (False, True):
        M.check_twins(_encoder(norm_first), lambda lib, m, x, w: (m(x) * w).sum(), [x, w],
                      f"TransformerEncoderLayer(norm_first={norm_first})", input_grad=0)
    M.check_twins(M.build_lm, M.lm_loss, M.lm_batch(16), "tiny transformer LM")


def test_guard():
    guard()
