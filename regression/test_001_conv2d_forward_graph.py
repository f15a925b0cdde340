"""001: Conv2d forward computed on raw arrays and returned a fresh tensor with no backward.

**Symptom:** A CNN trained to ~35% on a 10-class digits task (barely above chance) while the loss drifted
down a little; a gradient-flow report showed 2 of 6 parameters receiving gradients -- only the final
Linear layer -- and the conv weights' gradients were exactly zero.

**Root cause:** ``Conv2d.forward`` computed the convolution with numpy loops over ``x.data`` and
``self.weight.data`` and returned ``Tensor(output)``: a new leaf without a backward node, so the graph
ended at the conv output. (Adding ``requires_grad=True`` to the weights first did not help: nothing
connected them to the loss.)

**Fix:** ``impl.nn.functional.conv2d`` is one differentiable primitive (im2col via
``sliding_window_view`` + a batched matmul; backward = two transposed matmuls + col2im) recorded with
``apply("ConvolutionBackward0", ...)``; ``nn.Conv2d.forward`` calls it with its parameters.

**How this test catches it:** a six-parameter CNN (conv, relu, maxpool, conv, relu, flatten, linear) twin
of torch's with copied weights must reproduce torch's loss, the gradient of *every* parameter and the input
gradient; a lone ``Conv2d(stride=2, padding=1, groups=2)`` is compared the same way, and ``F.conv2d`` is
checked against float64 finite differences.

**Seen in:** TinyTorch's milestone-fixes analysis (CNN milestone: Conv2d's forward returned a bare
``Tensor(output)``, conv gradients 0.000000) and TinyTorch's gradient-flow fixes summary (``Conv2dBackward``
attached to the output).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_diagnostics.py::test_healthy_model_has_full_gradient_flow fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from regression import _models as M
from regression._util import gradcheck, rewrap, rng, swap_attr

FAILS_WITH = r"received no gradient"


@contextlib.contextmanager
def reintroduce(variant=None):
    orig = impl.nn.Conv2d.forward

    def forward_on_raw_arrays(self, input):
        return rewrap(orig(self, input))  # right values, no ConvolutionBackward

    with swap_attr(impl.nn.Conv2d, "forward", forward_on_raw_arrays):
        yield


def _lone_conv(lib):
    return lib.nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2)


def guard():
    M.check_twins(M.build_cnn, M.cnn_loss, M.cnn_batch(1), "six-parameter CNN", input_grad=0)
    r = rng(1)
    x = r.standard_normal((2, 4, 7, 7)).astype(np.float32)
    v = r.standard_normal((2, 6, 4, 4)).astype(np.float32)
    M.check_twins(_lone_conv, lambda lib, m, x, v: (m(x) * v).sum(), [x, v], "Conv2d(stride=2, padding=1, groups=2)",
                  input_grad=0)
    gradcheck(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, stride=1, padding=1),
              r.standard_normal((1, 2, 4, 4)), r.standard_normal((3, 2, 2, 2)), r.standard_normal(3),
              what="F.conv2d float64")


def test_guard():
    guard()
