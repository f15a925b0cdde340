"""081: ``F.elu(x, inplace=True)`` and ``F.leaky_relu(x, inplace=True)`` let their result be modified in place.

**Symptom:** ``y = F.elu(h, inplace=True); y.mul_(2); y.sum().backward()`` ran in impl and returned a gradient;
torch raises "one of the variables needed for gradient computation has been modified by an inplace operation".
The same for ``leaky_relu``.

**Root cause:** the in-place forms recorded the out-of-place op on a snapshot of the input, whose derivative reads
that input; torch's ``elu_`` and ``leaky_relu_`` compute their derivative from the result they wrote
(``EluBackward1``, ``LeakyReluBackward1``), so they save it, and editing it bumps the version the backward checks.

**Fix:** ``impl.nn.functional.activation._result_saved`` puts an identity node that saves its output after the
op in the in-place forms of ``elu`` and ``leaky_relu`` (and of ``selu``, ``celu`` and ``rrelu`` in
``activation_extra.py``), so the version check sees the edit.

**How this test catches it:** both activations with ``inplace=True`` on a non-leaf, the result doubled in place,
then backward: impl must raise RuntimeError as torch does.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_ops.py::test_inplace_on_output`` on the in-place specs of ``selu`` and ``celu``, whose
composites are built on ``elu``.

**Generic tests catch it too:** no -- no generic spec runs elu or leaky_relu with inplace=True; only this guard
and the selu/celu in-place specs exercise the path.
"""
import contextlib

import numpy as np

import impl.nn.functional as IF
from impl.nn.functional import activation
from regression._util import must_raise, rewrite_source, stack, swap_function

FAILS_WITH = r"did not raise RuntimeError"


@contextlib.contextmanager
def reintroduce(variant=None):
    # the old forms: the out-of-place op, whose node saves the input only
    elu = rewrite_source(activation.elu, ('_result_saved(ew.elu, "EluBackward1") if inplace else ew.elu', "ew.elu"))
    leaky = rewrite_source(activation.leaky_relu,
                           ('_result_saved(ew.leaky_relu, "LeakyReluBackward1") if inplace else ew.leaky_relu',
                            "ew.leaky_relu"))
    with stack(swap_function(activation.elu, elu), swap_function(activation.leaky_relu, leaky)):
        yield


def guard():
    import impl

    for name, kw in (("elu", {}), ("leaky_relu", {"negative_slope": 0.1})):
        x = impl.tensor(np.array([0.5, -0.7, 1.5]), requires_grad=True)
        y = getattr(IF, name)(x * 1, inplace=True, **kw)
        y.mul_(2)
        with must_raise(RuntimeError, "modified by an inplace operation", f"{name}(inplace=True) then mul_"):
            y.sum().backward()


def test_guard():
    guard()
