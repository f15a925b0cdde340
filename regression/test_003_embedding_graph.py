"""003: Embedding lookup re-wrapped raw data: embedding weights never learned.

**Symptom:** A character-level transformer's loss fell a little (from the layers after the embedding) but
the token embeddings stayed at their random initialisation; 4 of 19 parameters received gradients.

**Root cause:** ``Embedding.forward`` returned ``Tensor(self.weight.data[ids])``. A first "fix" passed
``requires_grad=self.weight.requires_grad`` to that constructor, which made the output *look* trainable
while it was still a brand-new leaf with no path back to the weight.

**Fix:** ``impl.nn.functional.embedding`` is a primitive recorded as ``EmbeddingBackward0`` whose backward
scatters the output gradient into the weight's rows (``np.add.at``; ``padding_idx`` rows get none).

**How this test catches it:** the tiny transformer LM twin (embedding, learned positions, attention,
LayerNorm, MLP, head) must reproduce torch's loss and the gradient of every parameter, and a lone
``Embedding(padding_idx=0)`` must give torch's weight gradient under a random cotangent.

**Seen in:** TinyTorch's milestone-fixes analysis (transformer milestone: no embedding gradients), TinyTorch's
gradient-flow fix summary for transformer training (``Embedding.forward`` dropped ``requires_grad``) and
TinyTorch's gradient-flow fixes summary (``EmbeddingBackward`` existed but was never attached).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_diagnostics.py::test_healthy_model_has_full_gradient_flow fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from regression import _models as M
from regression._util import rewrap, rng, swap_attr

FAILS_WITH = r"received no gradient"


@contextlib.contextmanager
def reintroduce(variant=None):
    orig = impl.nn.Embedding.forward

    def forward_rewrapped(self, input):
        out = orig(self, input)
        return rewrap(out, requires_grad=self.weight.requires_grad)  # looks trainable, is a fresh leaf

    with swap_attr(impl.nn.Embedding, "forward", forward_rewrapped):
        yield


def guard():
    M.check_twins(M.build_lm, M.lm_loss, M.lm_batch(3), "tiny transformer LM")
    r = rng(3)
    ids = np.array([[0, 3, 3, 5], [2, 0, 1, 3]])
    v = r.standard_normal((2, 4, 4)).astype(np.float32)
    M.check_twins(lambda lib: lib.nn.Embedding(6, 4, padding_idx=0), lambda lib, m, i, v: (m(i) * v).sum(),
                  [ids, v], "Embedding(6, 4, padding_idx=0)")


def test_guard():
    guard()
