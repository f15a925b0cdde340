"""109: Shape arguments torch refuses passed silently: negative repeat counts, misaligned roll shifts, a 0-d flatten's dims.

**Symptom:** ``x.repeat(2, -1)`` and ``x.tile(-1)`` of a 3-element tensor returned tensors of shape (2, 3) and (3,)
(a -1 count read as expand's "keep this size"); ``x.roll((1,), (0, 1))`` rolled both dims by 1 and
``x.roll((1, 2))`` rolled the flattened tensor by 3 (numpy broadcasts the shifts); ``impl.ones(()).flatten(9)``
returned a one-element tensor. torch raises a RuntimeError for the first four ("Trying to create tensor with
negative dimension", "shifts and dimensions must align") and an IndexError (dimension out of range) for the last.
A wrong argument in model code gave a plausible shape instead of an error.

**Root cause:** ``impl.ops.shape.repeat`` built its result through ``expand``, where -1 means "keep the size";
``roll`` handed its shifts and dims to ``np.roll`` without comparing their lengths (and with ``dims=None`` took any
number of shifts); ``flatten`` returned early for a 0-d input before normalising ``start_dim``/``end_dim``.

**Fix:** ``repeat`` (and ``tile``, which calls it) refuses a negative result size with torch's message; ``roll``
requires one shift per dim (one shift when ``dims`` is None) and at least one shift; ``flatten`` checks its dims
against a 0-d input's range [-1, 0] first.

**How this test catches it:** each call raises in torch; impl must raise the same exception class with a message
that says why. The results torch does give at the edges are compared too: ``repeat(-1)`` of an empty tensor
(size 0) and ``flatten(0, -1)`` of a 0-d tensor.

**Seen in:** found while developing (notes/bugs_found.md): probing the shape ops' argument checks against torch's
after the factories' (regression 105); property_tests/test_ops.py::test_error_input now runs them as error inputs
of the ``repeat``, ``tile``, ``roll`` and ``flatten`` specs.

**Generic tests catch it too:** yes -- caught by `property_tests/test_ops.py::test_error_input[flatten-0]@spec:flatten`,
`property_tests/test_ops.py::test_error_input[repeat-0]@spec:repeat`,
`property_tests/test_ops.py::test_error_input[roll-2]@spec:roll` (each variant checked separately) (`python -m
regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.ops import shape
from regression._util import assert_cases_raise_like_torch, assert_close, rewritten_variants

VARIANTS = ("repeat", "roll", "flatten")
FAILS_WITH = r"did not raise|does not match"


@contextlib.contextmanager
def reintroduce(variant=None):
    patches = {
        "repeat": (shape.repeat, ("    if any(n < 0 for n in out):", "    if False:")),
        "roll": (shape.roll, ("    if len(shifts) != len(given):", "    if False:"),
                 ("    if dims is None and len(shifts) == 1:", "    if dims is None:")),
        "flatten": (shape.flatten, ('s, e = norm_dim(start_dim, nd, "flatten"), norm_dim(end_dim, nd, "flatten")',
                                    's, e = (norm_dim(start_dim, nd, "flatten"), norm_dim(end_dim, nd, "flatten")) '
                                    'if nd else (0, 0)')),
    }
    with rewritten_variants(patches, variant):
        yield


CASES = [  # (what, call(lib), the message impl's error must match)
    ("repeat(2, -1) of 3 elements", lambda lib: lib.ones(3).repeat(2, -1), "negative dimension -3"),
    ("tile(-1) of 3 elements", lambda lib: lib.ones(3).tile(-1), "negative dimension -3"),
    ("tile((2, -2)) of 3 elements", lambda lib: lib.tile(lib.ones(3), (2, -2)), "negative dimension -6"),
    ("roll((1,), (0, 1))", lambda lib: lib.ones(3, 2).roll((1,), (0, 1)), "shifts and dimensions must align"),
    ("roll(1, (0, 1))", lambda lib: lib.roll(lib.ones(3, 2), 1, (0, 1)), "shifts and dimensions must align"),
    ("roll((1, 2)) without dims", lambda lib: lib.ones(3, 2).roll((1, 2)), "shifts and dimensions must align"),
    ("flatten(9) of a 0-d tensor", lambda lib: lib.ones(()).flatten(9), "flatten.*Dimension out of range"),
    ("flatten(0, 1) of a 0-d tensor", lambda lib: lib.flatten(lib.ones(()), 0, 1), "flatten.*Dimension out of range"),
]


def guard():
    import torch

    assert_cases_raise_like_torch(CASES)
    # where torch does give a result at these edges, impl gives the same one
    for what, call in [("repeat(-1) of an empty tensor", lambda lib: lib.ones(0).repeat(-1)),
                       ("flatten(0, -1) of a 0-d tensor", lambda lib: lib.ones(()).flatten(0, -1)),
                       ("roll((1, 1), (0, 0))", lambda lib: lib.arange(6.0).reshape(3, 2).roll((1, 1), (0, 0)))]:
        got, want = call(impl), call(torch)
        assert tuple(got.shape) == tuple(want.shape), f"{what}: impl shape {tuple(got.shape)}, torch {tuple(want.shape)}"
        assert_close(got, np.asarray(want), what)


def test_guard():
    guard()
