"""093: conv3d let an in-place edit of its input after the forward pass unnoticed where torch refuses.

**Symptom:** ``y = F.conv3d(x, w, padding=1, stride=(2, 1, 2))`` with ``x`` a non-leaf that requires grad, then
``x.mul_(1)`` and ``y.sum().backward()``: torch raises "one of the variables needed for gradient computation has been
modified by an inplace operation", impl ran (on the values the input had at the forward, so the gradient itself was
right, but the program torch rejects ran silently).

**Root cause:** impl's conv3d is a composite: one 2-D convolution per depth tap, over depth slices of the input
folded into the batch (and padded first when the depth is padded). Those slices are copies, so the 2-D kernels
save copies; torch's single ``ConvolutionBackward0`` saves the input and the weight themselves, whichever gradients
are needed.

**Fix:** ``impl.nn.functional.conv_extra.conv3d`` ends with ``also_saves(<the result>, input, weight)``: the output's node
version-checks the input and the weight as torch's node does.

**How this test catches it:** the case above (input alone requiring grad; then input and weight) and the weight
edited after the forward, in impl and torch: impl must raise at backward iff torch does.

**Seen in:** found while developing (notes/bugs_found.md), by
property_tests/test_saved_tensors.py::test_saved_inputs on the F.conv3d spec once its samples were spread over the
whole draw.

**Generic tests catch it too:** yes -- property_tests/test_saved_tensors.py::test_saved_inputs.
"""
import contextlib
import importlib

import numpy as np

from regression._saved import edit_after_forward_like_torch
from regression._util import rewrite_source, swap_function

FAILS_WITH = r"torch raised at backward; impl ran"

X = np.array([[[[[1.35, 1.04]]], [[[-0.40, 2.37]]]]])  # (1, 2, 1, 1, 2)
W = np.array([[[[[0.054]]], [[[0.022]]]]])  # (1, 2, 1, 1, 1)
KW = dict(padding=1, stride=(2, 1, 2))


@contextlib.contextmanager
def reintroduce(variant=None):
    conv = importlib.import_module("impl.nn.functional.conv_extra")
    old = rewrite_source(conv.conv3d, ("return also_saves(rounded_once(taps_summed, input, weight, bias), input, weight)",
                                          "return rounded_once(taps_summed, input, weight, bias)"))
    with swap_function(conv.conv3d, old):
        yield


def _conv3d(lib, x, w):
    return lib.nn.functional.conv3d(x, w, **KW)


def guard():
    edit_after_forward_like_torch(_conv3d, [X, W], 0, "conv3d: input modified, input alone requires grad", grad=(0,))
    edit_after_forward_like_torch(_conv3d, [X, W], 0, "conv3d: input modified, both require grad", grad=(0, 1))
    edit_after_forward_like_torch(_conv3d, [X, W], 1, "conv3d: weight modified, input alone requires grad", grad=(0,))


def test_guard():
    guard()
