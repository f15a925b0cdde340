"""004: Embedding backward assigned instead of accumulating on repeated token ids.

**Symptom:** Frequent tokens learned *slower* than rare ones: in a batch where token ``the`` appears 40
times, its embedding row received the gradient of one occurrence (whichever was written last) instead of
the sum of all 40. Nothing crashed; the loss just plateaued higher than torch's.

**Root cause:** The backward scattered the output gradient with fancy-index assignment
``grad_w[ids] = g``; numpy assignment with repeated indices keeps one write per index, it does not add.

**Fix:** ``impl.nn.functional.embedding``'s backward uses ``np.add.at(grad_w, ids, g)``, which accumulates
repeated indices (as do ``getitem``/``index_select``/``gather`` backward).

**How this test catches it:** an ``Embedding`` fed ids with heavy repetition (within a row and across the
batch) must give torch's weight gradient under a random cotangent, and so must the tiny LM twin, whose
batches repeat tokens.

**Seen in:** a classic pitfall of hand-written autograd engines, catalogued 2026-11-23 (none of the public notes
cited in this catalogue records it).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_functional.py::test_embedding_repeated_ids_accumulate_and_padding_row_gets_nothing fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.nn.functional import sparse
from regression import _models as M
from regression._util import rewrite_source, rng, swap_function

FAILS_WITH = r"grad of \w*\.?weight"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(sparse.embedding, ("np.add.at(gw, flat, g2)", "gw[flat] = g2"))
    with swap_function(sparse.embedding, broken):
        yield


def guard():
    r = rng(4)
    ids = np.array([[1, 1, 1, 4], [4, 1, 0, 1]])
    v = r.standard_normal((2, 4, 3)).astype(np.float32)
    M.check_twins(lambda lib: lib.nn.Embedding(5, 3), lambda lib, m, i, v: (m(i) * v).sum(), [ids, v],
                  "Embedding with repeated ids")
    M.check_twins(M.build_lm, M.lm_loss, M.lm_batch(4), "tiny transformer LM")


def test_guard():
    guard()
