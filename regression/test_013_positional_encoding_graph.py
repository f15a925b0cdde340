"""013: Positional encoding added raw data: graph cut.

**Symptom:** In the transformer milestone neither the token embeddings nor the position table learned;
everything after them did, so the loss still moved a little and nothing looked broken until per-parameter
gradients were inspected.

**Root cause:** Model code: ``PositionalEncoding.forward`` returned ``Tensor(x.data + pos.data)``, a fresh
leaf. The sum's values were right; its history (embedding lookup, position parameter) was gone.

**Fix:** ``x + self.pos[:T]``: a tensor addition, whose gradient the engine un-broadcasts into the
``(T, D)`` table (summing over the batch). impl provides what that line needs -- ``__add__`` with
broadcasting, basic slicing of a Parameter with a ``SliceBackward`` -- and the guard pins both.

**How this test catches it:** the tiny LM twin (built in ``regression/_models.py``, its position step in an
overridable ``add_positions`` method) must reproduce torch's loss and the gradient of every parameter --
``tok.weight`` and ``pos`` go missing under the bug -- and ``x + pos[:T]`` must give torch's gradients for
both operands. ``reintroduce()`` puts the historical model-code bug into the impl twin's
``add_positions``: there is no positional-encoding layer in impl (torch has none either).

**Seen in:** TinyTorch's gradient-flow fix summary for transformer training (``PositionalEncoding.forward`` added
the table through ``.data``).

**Generic tests catch it too:** no -- the bug lived in model code, which no generic op/module test runs; only a
model-level twin like this guard can see it.
"""
import contextlib

import numpy as np

import impl
from regression import _models as M
from regression._util import check_vs_torch, rewrap, rng, swap_attr

GENERIC_NOTE = 'The bug lives in model code (impl has no positional-encoding layer, torch neither), which no generic op/module/model test runs; only a model-level twin such as this guard can see it'
FAILS_WITH = r"received no gradient"


@contextlib.contextmanager
def reintroduce(variant=None):
    cls = M.tiny_lm_class(impl)

    def add_positions_raw(self, x):
        return rewrap(x + self.pos[: x.shape[1]])  # Tensor(x.data + pos.data)

    with swap_attr(cls, "add_positions", add_positions_raw):
        yield


def guard():
    M.check_twins(M.build_lm, M.lm_loss, M.lm_batch(13), "tiny transformer LM")
    r = rng(13)
    x = r.standard_normal((3, 4, 6)).astype(np.float32)
    pos = r.standard_normal((7, 6)).astype(np.float32)
    check_vs_torch(lambda lib, x, p: x + p[: x.shape[1]], x, pos, what="x + pos[:T]")


def test_guard():
    guard()
