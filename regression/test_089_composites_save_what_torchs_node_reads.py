"""089: composite activations, losses and math ops allowed an in-place edit of an input torch's one node saves.

**Symptom:** ``y = F.softshrink(h); h.mul_(2); y.sum().backward()`` ran in impl and used the edited values, where
torch raises "one of the variables needed for gradient computation has been modified by an inplace operation".
The same for ``hardshrink``, ``threshold``, ``hardsigmoid``, ``celu``, ``prelu`` (only the input requiring grad),
``soft_margin_loss``, ``multi_margin_loss`` and ``multilabel_margin_loss`` (the target), ``sinc``, ``logaddexp2``,
``addcmul``/``addcdiv`` with ``value != 1`` (tensor1, for tensor2's gradient), ``dist``, ``cdist``,
``combinations`` and ``F.interpolate(mode="area")``.

**Root cause:** impl builds these from smaller ops whose nodes read masks, scaled copies or differences of the
input, not the input itself; torch computes each in one node whose derivative reads the input (derivatives.yaml:
``softshrink_backward(grad, self, lambd)``, ``sinc_backward(grad, self)``, ``_cdist_backward(..., x1, x2, ...)``,
``_adaptive_avg_pool2d_backward(grad, self)``, ...), so torch's version check covers it and impl's did not.

**Fix:** each composite marks on its result the tensors torch's node saves (``also_saves``; ``needed`` where one
gradient only reads it): ``impl.nn.functional.activation_extra`` (``_input_saved``), ``loss_extra``,
``sampling.interpolate``, ``impl.ops.math`` (``addcmul``, ``addcdiv``, ``sinc``, ``_saving_result`` of
dist/cdist), ``impl.ops.extra.logaddexp2``, ``impl.ops.combine.combinations``.

**How this test catches it:** each op with one input modified in place (values unchanged) after the forward, then
backward, in impl and torch: impl must raise iff torch does.

**Seen in:** found while developing (notes/bugs_found.md), by
property_tests/test_saved_tensors.py::test_saved_inputs on the activation, loss and math specs.

**Generic tests catch it too:** yes -- property_tests/test_saved_tensors.py::test_saved_inputs.
"""
import contextlib
import importlib

import numpy as np

from regression._saved import edit_after_forward_like_torch
from regression._util import rewrite_source, stack, swap_attr, swap_function

FAILS_WITH = r"torch raised at backward; impl ran"

_MODULES = ("impl.nn.functional.activation_extra", "impl.nn.functional.loss_extra", "impl.nn.functional.sampling",
            "impl.ops.math", "impl.ops.extra", "impl.ops.combine")

X = np.array([[0.9, -0.2, 0.3], [-1.4, 0.7, -0.6]])
Y = np.array([[0.1, 0.5, -0.8], [0.4, -0.3, 1.2]])
W = np.array([0.25])
SIGNS = np.array([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]])
CLASS = np.array([2, 0])
LABELS = np.array([[1, -1, 0], [0, 2, -1]])
IMG = np.linspace(-1.0, 1.0, 2 * 5 * 4).reshape(1, 2, 5, 4)


def _ignore(t, *tensors):
    return t


@contextlib.contextmanager
def reintroduce(variant=None):
    # the old forms: only what the composites' own nodes save
    math = importlib.import_module("impl.ops.math")
    saving = rewrite_source(math._saving_result, ("saved=(OUTPUT,) + inputs", "saved=(OUTPUT,)"))
    swaps = [swap_attr(importlib.import_module(m), "also_saves", _ignore) for m in _MODULES]
    with stack(*swaps, swap_function(math._saving_result, saving)):
        yield


def _F(lib):
    return lib.nn.functional


CASES = [
    ("softshrink", lambda lib, x: _F(lib).softshrink(x, 0.5), [X], 0, (0,)),
    ("hardshrink", lambda lib, x: _F(lib).hardshrink(x, 0.5), [X], 0, (0,)),
    ("threshold", lambda lib, x: _F(lib).threshold(x, 0.1, -1.0), [X], 0, (0,)),
    ("hardsigmoid", lambda lib, x: _F(lib).hardsigmoid(x), [X], 0, (0,)),
    ("celu", lambda lib, x: _F(lib).celu(x, 0.5), [X], 0, (0,)),
    ("prelu", lambda lib, x, w: _F(lib).prelu(x, w), [X, W], 0, (0,)),
    ("soft_margin_loss", lambda lib, x, t: _F(lib).soft_margin_loss(x, t), [X, SIGNS], 0, (0,)),
    ("multi_margin_loss", lambda lib, x, t: _F(lib).multi_margin_loss(x, t), [X, CLASS], 1, (0,)),
    ("multilabel_margin_loss", lambda lib, x, t: _F(lib).multilabel_margin_loss(x, t), [X, LABELS], 1, (0,)),
    ("sinc", lambda lib, x: lib.sinc(x), [X], 0, (0,)),
    ("logaddexp2", lambda lib, x, y: lib.logaddexp2(x, y), [X, Y], 0, (0, 1)),
    ("addcmul", lambda lib, s, a, b: lib.addcmul(s, a, b, value=2.0), [X, Y, X], 1, (2,)),
    ("addcdiv", lambda lib, s, a, b: lib.addcdiv(s, a, b, value=2.0), [X, Y, X + 3], 1, (2,)),
    ("dist", lambda lib, x, y: lib.dist(x, y), [X, Y], 0, (0, 1)),
    ("cdist", lambda lib, x, y: lib.cdist(x, y), [X, Y], 1, (0, 1)),
    ("combinations", lambda lib, v: lib.combinations(v, 2), [X[0]], 0, (0,)),
    ("interpolate area", lambda lib, x: _F(lib).interpolate(x, size=(2, 3), mode="area"), [IMG], 0, (0,)),
]


def guard():
    for name, fn, arrays, edit, grad in CASES:
        edit_after_forward_like_torch(fn, arrays, edit, f"{name}: input {edit} modified in place", grad=grad)


def test_guard():
    guard()
