"""002: MaxPool2d returned a fresh tensor with no backward: gradients stopped before the first conv.

**Symptom:** After Conv2d was fixed, the CNN's gradient report went from 2/6 to 4/6 parameters: the second
conv and the classifier learned, the first conv layer (before the pooling layer) still got nothing.

**Root cause:** ``MaxPool2d.forward`` picked window maxima from ``x.data`` and returned
``Tensor(output)``, a leaf with no backward, so nothing upstream of the pool was connected to the loss.

**Fix:** ``impl.nn.functional.max_pool2d`` is a primitive whose backward routes each output gradient to
the argmax position of its window (one ``bincount``, so overlapping windows accumulate), recorded as
``MaxPool2DWithIndicesBackward0``.

**How this test catches it:** the six-parameter CNN twin must reproduce torch's gradient for every
parameter (``conv1`` sits before the pool) and for the input; a lone ``MaxPool2d(3, stride=2, padding=1)``
(overlapping windows, where gradients must add up) is compared with torch on the input gradient.

**Seen in:** TinyTorch's gradient-flow fixes summary (CNN milestone: MaxPool2d returned a tensor without a
backward, so no gradient reached the first conv).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_models.py::test_cnn_twin fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from regression import _models as M
from regression._util import check_vs_torch, rewrap, rng, swap_attr

FAILS_WITH = r"received no gradient|impl gave None"


@contextlib.contextmanager
def reintroduce(variant=None):
    orig = impl.nn.MaxPool2d.forward

    def forward_fresh_tensor(self, input):
        return rewrap(orig(self, input))

    with swap_attr(impl.nn.MaxPool2d, "forward", forward_fresh_tensor):
        yield


def guard():
    M.check_twins(M.build_cnn, M.cnn_loss, M.cnn_batch(2), "six-parameter CNN", input_grad=0)
    x = rng(2).standard_normal((2, 3, 7, 7)).astype(np.float32)
    check_vs_torch(lambda lib, x: lib.nn.MaxPool2d(3, stride=2, padding=1)(x), x,
                   what="MaxPool2d(3, stride=2, padding=1), overlapping windows")


def test_guard():
    guard()
