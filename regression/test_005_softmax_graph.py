"""005: Softmax computed on raw (detached) values: attention scores received no gradient.

**Symptom:** In the transformer, the value projection learned but the query and key projections did not:
their gradient was exactly zero, so attention patterns never changed from initialisation.

**Root cause:** ``Softmax.forward`` computed ``exp(x.data - max) / sum`` in numpy and wrapped the result in
a new tensor. Everything upstream of the softmax -- the scores ``Q @ K^T``, hence ``W_q`` and ``W_k`` -- was
cut off, while ``attn @ V`` still carried a gradient to ``W_v``, so the model "trained".

**Fix:** ``impl.ops.reduce.softmax`` (used by ``Tensor.softmax``, ``F.softmax``, ``nn.Softmax``, attention)
is a primitive with its Jacobian-vector product beside it: ``out * (g - sum(g * out, dim))``.

**How this test catches it:** the tiny LM twin must match torch for every parameter -- the fused ``qkv``
weight's query/key rows are exactly what goes missing -- and so must ``nn.MultiheadAttention`` with
``need_weights=True`` (whose explicit softmax path is the one that breaks); plus softmax's VJP against
torch and float64 finite differences.

**Seen in:** TinyTorch's gradient-flow fix summary for transformer training (Softmax computed on ``.data``).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_functional.py::test_sdpa_fully_masked_rows_are_zero_with_zero_grad fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.ops import reduce
from regression import _models as M
from regression._util import check_vs_torch, gradcheck, rewrap, rng, swap_function

FAILS_WITH = r"grad of|received no gradient|impl gave None"


@contextlib.contextmanager
def reintroduce(variant=None):
    orig = reduce.softmax

    def softmax_on_raw_values(input, dim=None, dtype=None, _stacklevel=3):
        return rewrap(orig(input.detach(), dim=dim, dtype=dtype))

    with swap_function(orig, softmax_on_raw_values):
        yield


def _mha(lib):
    return lib.nn.MultiheadAttention(8, 2, batch_first=True)


def _mha_loss(lib, m, x, v):
    out, w = m(x, x, x, need_weights=True)
    return (out * v).sum() + (w * w).sum()


def guard():
    M.check_twins(M.build_lm, M.lm_loss, M.lm_batch(5), "tiny transformer LM")
    r = rng(5)
    x = r.standard_normal((2, 5, 8)).astype(np.float32)
    v = r.standard_normal((2, 5, 8)).astype(np.float32)
    M.check_twins(_mha, _mha_loss, [x, v], "MultiheadAttention(need_weights=True)", input_grad=0)
    check_vs_torch(lambda lib, s: s.softmax(dim=-1), r.standard_normal((3, 4, 5)).astype(np.float32), what="softmax")
    gradcheck(lambda lib, s: s.softmax(dim=1), r.standard_normal((2, 4)), what="softmax float64")


def test_guard():
    guard()
