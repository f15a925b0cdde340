"""012: LayerNorm computed mean/std on raw data: the input gradient was wrong by up to about 2.0 while an existence check still passed.

**Symptom:** Transformer training was unstable and worse than the reference, yet every gradient-flow check
passed: the LayerNorm input *had* a gradient, its weight and bias had correct ones. Only a comparison with
torch showed the input gradient off by up to about 2.0 on unit-scale activations.

**Root cause:** ``mean = np.mean(x.data)``, ``std = np.std(x.data)`` were computed on raw arrays and entered
the graph as constants, so ``(x - mean) / std`` backpropagated only the ``1/std`` term and dropped the two
terms that flow through the statistics (``-mean(g)`` and ``-xhat * mean(g * xhat)``).

**Fix:** ``impl.nn.functional.layer_norm`` is one fused primitive (``_norm_affine``) whose backward is the
full closed form ``rstd * (g - mean(g) - xhat * mean(g * xhat))`` (the statistics are differentiated
through), shared with batch_norm and group_norm.

**How this test catches it:** the input gradient of ``nn.LayerNorm`` (with affine weights) against torch
under a random cotangent, a float64 finite-difference check of ``F.layer_norm`` w.r.t. input, weight and
bias, and the tiny LM twin (two LayerNorms) for every parameter. An existence check would pass on the bug;
these compare numbers.

**Seen in:** TinyTorch's gradient-flow fix summary for transformer training (LayerNorm computed mean and std on
``.data``) and TinyTorch's milestone-fixes analysis (LayerNorm among the layers to fix).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_models.py::test_transformer_twin fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.nn.functional import normalization
from regression import _models as M
from regression._util import gradcheck, rng, swap_function

FAILS_WITH = r"input gradient|input 0|grad of"


@contextlib.contextmanager
def reintroduce(variant=None):
    def layer_norm_raw_statistics(input, normalized_shape, weight=None, bias=None, eps=1e-05):
        k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
        axes = tuple(range(input.ndim - k, input.ndim))
        x = input._data
        mean = impl.Tensor._wrap(x.mean(axis=axes, keepdims=True))  # constants: the graph never sees them
        std = impl.Tensor._wrap(np.sqrt(x.var(axis=axes, keepdims=True) + x.dtype.type(eps)))
        out = (input - mean) / std
        if weight is not None:
            out = out * weight
        if bias is not None:
            out = out + bias
        return out

    with swap_function(normalization.layer_norm, layer_norm_raw_statistics):
        yield


def guard():
    import torch

    r = rng(12)
    x = r.standard_normal((4, 6)).astype(np.float32)
    v = r.standard_normal((4, 6)).astype(np.float32)
    torch.manual_seed(12)
    tm = torch.nn.LayerNorm(6)
    with torch.no_grad():  # non-trivial affine parameters
        tm.weight.copy_(torch.tensor(r.uniform(0.5, 1.5, 6).astype(np.float32)))
        tm.bias.copy_(torch.tensor(r.standard_normal(6).astype(np.float32)))
    M.check_twins(lambda lib: tm if lib is torch else lib.nn.LayerNorm(6), lambda lib, m, x, v: (m(x) * v).sum(),
                  [x, v], "LayerNorm(6)", input_grad=0)
    gradcheck(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (5,), w, b), r.standard_normal((3, 5)),
              r.uniform(0.5, 1.5, 5), r.standard_normal(5), what="F.layer_norm float64")
    M.check_twins(M.build_lm, M.lm_loss, M.lm_batch(12), "tiny transformer LM")


def test_guard():
    guard()
