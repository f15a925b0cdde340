"""015: Reshape/flatten inside a model re-wrapped raw data: the classifier's inputs were cut from the convs.

**Symptom:** A CNN whose conv layers were already fixed still trained only its classifier: the
gradient-flow report showed the final Linear with gradients and both convs with none.

**Root cause:** Between the feature extractor and the classifier the model flattened with
``Tensor(x.data.reshape(batch, -1))``, which restarts the graph at the flattened features.

**Fix:** flatten with a recorded op: ``x.reshape(B, -1)`` / ``x.view`` / ``x.flatten(1)`` / ``nn.Flatten``.
In impl they all end in ``impl.ops.shape.reshape``, a view primitive whose backward reshapes the gradient
back (``ViewBackward0``); ``nn.Flatten`` calls ``Tensor.flatten``.

**How this test catches it:** the six-parameter CNN twin is run twice -- flattening with ``nn.Flatten`` and
with ``h.reshape(h.shape[0], -1)`` in the forward -- and must reproduce torch's loss and every parameter's
gradient both times; ``reshape``, ``view`` and ``flatten(1)`` followed by a weight are compared with torch.
Variant ``flatten_module`` re-wraps inside ``nn.Flatten``, variant ``reshape`` inside impl's reshape (which
``view``/``flatten`` share).

**Seen in:** TinyTorch's gradient-flow fixes summary (``Tensor(x.data.reshape(...))`` in the CNN milestone) and
TinyTorch's gradient-flow fix summary for transformer training (the transformer milestone moved to
``Tensor.reshape()``).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_diagnostics.py::test_healthy_model_has_full_gradient_flow, property_tests/test_models.py::test_cnn_twin fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.ops import shape
from regression import _models as M
from regression._util import check_vs_torch, rewrap, rng, stack, swap_attr, swap_function

VARIANTS = ("flatten_module", "reshape")
FAILS_WITH = r"received no gradient|impl gave None|does not require grad"


@contextlib.contextmanager
def reintroduce(variant=None):
    orig_flatten_forward = impl.nn.Flatten.forward
    orig_reshape = shape.reshape

    def flatten_forward_raw(self, input):
        return rewrap(orig_flatten_forward(self, input))

    def reshape_raw(input, *shp):
        return rewrap(orig_reshape(input, *shp))

    parts = {
        "flatten_module": lambda: swap_attr(impl.nn.Flatten, "forward", flatten_forward_raw),
        "reshape": lambda: swap_function(orig_reshape, reshape_raw),
    }
    chosen = [parts[variant]()] if variant else [p() for p in parts.values()]
    with stack(*chosen):
        yield


def _loss_with_reshape(lib, m, x, y):
    h = m.conv2(m.pool(m.conv1(x).relu())).relu()
    return lib.nn.functional.cross_entropy(m.fc(h.reshape(h.shape[0], -1)), y)


def guard():
    M.check_twins(M.build_cnn, M.cnn_loss, M.cnn_batch(15), "CNN flattening with nn.Flatten", input_grad=0)
    M.check_twins(M.build_cnn, _loss_with_reshape, M.cnn_batch(16), "CNN flattening with reshape(B, -1)", input_grad=0)
    r = rng(15)
    x = r.standard_normal((2, 3, 4)).astype(np.float32)
    w = r.standard_normal((2, 12)).astype(np.float32)
    check_vs_torch(lambda lib, x, w: x.reshape(2, -1) * w, x, w, what="reshape(2, -1)")
    check_vs_torch(lambda lib, x, w: x.view(2, 12) * w, x, w, what="view(2, 12)")
    check_vs_torch(lambda lib, x, w: x.flatten(1) * w, x, w, what="flatten(1)")


def test_guard():
    guard()
