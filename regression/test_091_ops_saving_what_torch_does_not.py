"""091: copysign, kron and instance_norm refused an in-place edit of an input torch's node does not save.

**Symptom:** ``y = torch.copysign(a, b)`` with only ``b`` requiring grad, then ``a.mul_(2)`` and backward: impl
raised "one of the variables needed for gradient computation has been modified by an inplace operation", torch
runs (b's gradient is zeros and reads nothing). The same after ``kron(a, b)`` with either input edited, and after
``F.instance_norm`` with its weight (or, in eval mode, its running statistics) edited.

**Root cause:** copysign saved its input and result unconditionally, where torch saves them only for the input's own
gradient; kron multiplied reshape *views* of its inputs (sharing their version counters), where torch multiplies
``_unsafe_view``s, which autograd treats as new tensors; instance_norm normalised with the user's weight and running
statistics, where torch's runs batch norm on ``weight.repeat(N)`` (and repeated statistics), copies its node saves.

**Fix:** ``impl.ops.math.copysign`` saves ``needed(input, input)`` and ``needed(OUTPUT, input)``;
``impl.ops.combine.kron`` multiplies ``_unsafe_view``s (new tensors sharing the memory, as torch's);
``impl.nn.functional.normalization_extra.instance_norm`` passes copies of the weight (and, in eval, of the
running statistics) to the kernel, C elements each.

**How this test catches it:** each op with the input modified in place after the forward, values unchanged, then
backward, in impl and torch: impl must run iff torch does, with torch's gradients.

**Seen in:** found while developing (notes/bugs_found.md), by
property_tests/test_saved_tensors.py::test_saved_inputs on the copysign, kron and instance_norm specs.

**Generic tests catch it too:** yes -- property_tests/test_saved_tensors.py::test_saved_inputs.
"""
import contextlib
import importlib

import numpy as np

from regression._saved import edit_after_forward_like_torch
from regression._util import rewrite_source, stack, swap_function

FAILS_WITH = r"torch ran; impl raised at backward"

A = np.array([[0.5, -1.5, 2.0], [-0.25, 1.0, -3.0]])
B = np.array([[-1.0, 2.0, -0.5], [0.75, -2.5, 1.5]])
NORM_IN = np.linspace(-1.0, 2.0, 2 * 3 * 4).reshape(2, 3, 4) ** 2
CHANNELS = np.array([0.5, 1.5, -1.0])
VAR = np.array([0.8, 1.2, 2.0])


@contextlib.contextmanager
def reintroduce(variant=None):
    # the old forms: copysign saves its input always, kron multiplies plain views, instance_norm uses the originals
    math = importlib.import_module("impl.ops.math")
    combine = importlib.import_module("impl.ops.combine")
    norm = importlib.import_module("impl.nn.functional.normalization_extra")
    swaps = [
        (math.copysign, rewrite_source(math.copysign, ("saved=(needed(a, a), needed(OUTPUT, a))", "saved=(a, OUTPUT)"))),
        (combine.kron, rewrite_source(combine.kron, ("a = _unsafe_view(input", "a = reshape(input"),
                                      ("b = _unsafe_view(other", "b = reshape(other"))),
        (norm.instance_norm, rewrite_source(norm.instance_norm, ("weight = shape.clone(weight)", "pass"),
                                            ("_copy(running_mean), _copy(running_var)", "running_mean, running_var"))),
    ]
    with stack(*(swap_function(old, new) for old, new in swaps)):
        yield


def _F(lib):
    return lib.nn.functional


def guard():
    edit_after_forward_like_torch(lambda lib, a, b: lib.copysign(a, b), [A, B], 0,
                                  "copysign: input modified, only other requiring grad", grad=(1,))
    edit_after_forward_like_torch(lambda lib, a, b: lib.kron(a, b), [A, B[:, :2]], 0, "kron: input modified",
                                  grad=(0, 1))
    edit_after_forward_like_torch(lambda lib, a, b: lib.kron(a, b), [A, B[:, :2]], 1, "kron: other modified",
                                  grad=(0, 1))
    edit_after_forward_like_torch(lambda lib, x, w: _F(lib).instance_norm(x, weight=w), [NORM_IN, CHANNELS], 1,
                                  "instance_norm: weight modified", grad=(0, 1))
    edit_after_forward_like_torch(
        lambda lib, x, w, rm, rv: _F(lib).instance_norm(x, rm, rv, weight=w, use_input_stats=False),
        [NORM_IN, CHANNELS, CHANNELS, VAR], 2, "instance_norm eval: running mean modified", grad=(0, 1))


def test_guard():
    guard()
