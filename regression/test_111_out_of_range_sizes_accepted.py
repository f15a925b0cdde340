"""111: Sizes torch refuses gave plausible tensors: reshape(1, -2), pads that crop past the input, an LRN window of 0.

**Symptom:** ``x.reshape(1, -2)`` of 2 elements returned shape (1, 2) (numpy reads any negative size as "infer");
``F.pad(x, (-2, 2))`` of a 1-wide input returned a 1-wide tensor although the crop takes more than the input has;
reflect and replicate padding to an empty output returned one; ``F.local_response_norm(x, 0)`` returned values;
``torch.diff(x, n=0, prepend=p)`` with ``p`` of the wrong shape returned ``x``; ``x.repeat_interleave(-1)`` of an
empty tensor returned an empty tensor. torch raises RuntimeError for each.

**Root cause:** each op checked only what numpy would refuse: ``reshape`` handed the shape to numpy, the constant
pad checked the output size but not the crop (torch crops the negative pads first), reflect/replicate allowed a
size-0 output, ``local_response_norm`` never looked at ``size``, ``diff`` returned for ``n=0`` before checking
``prepend``/``append``, ``repeat_interleave`` checked an int count only when there was something to repeat.

**Fix:** ``reshape`` refuses a size below -1; the constant pad refuses negative pads that crop more than the
dimension holds; reflect/replicate need at least one output element; ``local_response_norm`` needs ``size > 0``;
``diff`` checks the shapes of ``prepend``/``append`` first; ``repeat_interleave`` checks an int count always.

**How this test catches it:** each call raises in torch; impl must raise the same class with a message that says
why. And where torch gives a result at the edge (a crop of exactly the whole input, reshape with one -1), impl's is
torch's.

**Seen in:** found while developing (notes/bugs_found.md): property_tests/test_ops.py::test_out_of_range_arguments,
which sets every integer keyword argument of every spec's samples out of range and compares the exception class
with torch's.

**Generic tests catch it too:** yes -- caught by `property_tests/test_math_extra.py::test_numpy_names_follow_torch[repeat_interleave]`,
`property_tests/test_ops.py::test_out_of_range_arguments[F.local_response_norm]@spec:F.local_response_norm`,
`property_tests/test_ops.py::test_out_of_range_arguments[F.pad_constant]@spec:F.pad_constant`,
`property_tests/test_ops.py::test_out_of_range_arguments[F.pad_reflect]@spec:F.pad_reflect`,
`property_tests/test_ops.py::test_out_of_range_arguments[diff]@spec:diff`,
`property_tests/test_ops.py::test_out_of_range_arguments[reshape]@spec:reshape` (each variant checked
separately) (`python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl.nn.functional import normalization_extra, sparse
from impl.ops import combine, shape
from regression._util import assert_cases_raise_like_torch, assert_close, rewritten_variants

VARIANTS = ("reshape", "pad_constant", "pad_reflect", "local_response_norm", "diff", "repeat_interleave")
FAILS_WITH = r"did not raise"


@contextlib.contextmanager
def reintroduce(variant=None):
    patches = {
        "reshape": (shape.reshape, ("    if shape and min(shape) < -1:", "    if False:")),
        "pad_constant": (sparse._pad_constant, ("        if L + min(lo, 0) + min(hi, 0) < 0:", "        if n < 0:")),
        "pad_reflect": (sparse.pad, ('        if L + lo + hi < (0 if mode == "circular" else 1):',
                                     "        if L + lo + hi < 0:")),
        "local_response_norm": (normalization_extra.local_response_norm, ("    if size <= 0:", "    if False:")),
        "diff": (combine.diff, ("    parts = [p for p in (prepend, input, append) if p is not None]\n",
                                "    if n == 0:\n        return input.clone()\n"
                                "    parts = [p for p in (prepend, input, append) if p is not None]\n")),
        "repeat_interleave": (combine.repeat_interleave, ("        if int(repeats) < 0:", "        if False:")),
    }
    with rewritten_variants(patches, variant):
        yield


CASES = [  # (what, call(lib), the message impl's error must match)
    ("reshape(1, -2) of 2 elements", lambda lib: lib.ones(2).reshape(1, -2), "invalid shape dimension -2"),
    ("view(-3) of 3 elements", lambda lib: lib.ones(3).view(-3), "invalid shape dimension -3"),
    ("pad (-2, 2) of a 1-wide input", lambda lib: lib.nn.functional.pad(lib.ones(2, 1), (-2, 2)), "negative"),
    ("pad (1, -2) of a 1-wide input", lambda lib: lib.nn.functional.pad(lib.ones(2, 1), (1, -2)), "negative"),
    ("reflect pad (-2, 0) of a 2-wide input", lambda lib: lib.nn.functional.pad(lib.ones(1, 2, 2), (-2, 0), mode="reflect"),
     "too small"),
    ("replicate pad (-1, -1) of a 2-wide input",
     lambda lib: lib.nn.functional.pad(lib.ones(1, 2, 2), (-1, -1), mode="replicate"), "too small"),
    ("local_response_norm(x, 0)", lambda lib: lib.nn.functional.local_response_norm(lib.ones(1, 2, 3), 0),
     "size should be greater than zero"),
    ("diff(n=0) with a prepend of the wrong shape",
     lambda lib: lib.diff(lib.ones(4, 4), n=0, dim=-1, prepend=lib.ones(0, 4)), "diff expects the shape"),
    ("repeat_interleave(-1) of an empty tensor", lambda lib: lib.ones(2, 0, 1).repeat_interleave(-1),
     "Repeats must be non-negative"),
]


def guard():
    import torch

    assert_cases_raise_like_torch(CASES)
    for what, call in [("reshape(1, -1)", lambda lib: lib.arange(4.0).reshape(2, -1)),
                       ("pad (-1, 0) of a 1-wide input", lambda lib: lib.nn.functional.pad(lib.ones(2, 1), (-1, 0))),
                       ("reflect pad (-1, 0)", lambda lib: lib.nn.functional.pad(lib.arange(4.0).reshape(1, 2, 2), (-1, 0),
                                                                                 mode="reflect"))]:
        got, want = call(impl), call(torch)
        assert tuple(got.shape) == tuple(want.shape), f"{what}: impl shape {tuple(got.shape)}, torch {tuple(want.shape)}"
        assert_close(got, np.asarray(want), what)


def test_guard():
    guard()
