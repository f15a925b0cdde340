"""090: nan_to_num, nansum, nanmean, sgn and max_unpool allowed an in-place edit of a tensor torch's backward reads.

**Symptom:** ``y = h.nan_to_num(); h.mul_(2); y.sum().backward()`` ran in impl, where torch raises "one of the
variables needed for gradient computation has been modified by an inplace operation". The same for ``nansum``,
``nanmean`` and ``sgn`` (the input) and ``F.max_unpool1d``/``F.max_unpool2d`` (the indices).

**Root cause:** these primitives precompute what their derivative needs (the finite or non-nan mask, the index
array) and listed nothing in ``saved``; torch's derivatives read the tensors themselves (``grad * isfinite(self)``,
``nansum_backward(grad, self, ...)``, ``sgn_backward(self, grad, result)``, ``max_pool_double_backward(grad,
indices, 2)``), so torch's node saves them and checks their versions at backward.

**Fix:** ``impl.ops.math.nan_to_num`` and ``_nan_as_zero`` (nansum, nanmean) save the input,
``impl.ops.extra.sgn`` the input and its result, ``impl.nn.functional.sampling.max_unpool2d`` (and so
``max_unpool1d``) the indices tensor.

**How this test catches it:** each op with the input (or the indices) modified in place after the forward, values
unchanged, then backward, in impl and torch: impl must raise iff torch does.

**Seen in:** found while developing (notes/bugs_found.md), by
property_tests/test_saved_tensors.py::test_saved_inputs on the nan_to_num, nansum, nanmean, sgn and max_unpool specs.

**Generic tests catch it too:** yes -- property_tests/test_saved_tensors.py::test_saved_inputs.
"""
import contextlib
import importlib

import numpy as np

from regression._saved import edit_after_forward_like_torch
from regression._util import rewrite_source, stack, swap_function

FAILS_WITH = r"torch raised at backward; impl ran"

X = np.array([[0.5, np.nan, -1.5], [np.inf, 2.0, -0.25]])
POOL_IN = np.array([[[0.3, -0.7], [1.2, 0.4]]])  # (1, 2, 2): one channel plane of a 2x2 pooled map
POOL_IDX = np.array([[[0, 3], [9, 14]]])  # flat positions in the 4x4 output plane


@contextlib.contextmanager
def reintroduce(variant=None):
    # the old forms: nothing saved (the derivative reads masks and index arrays computed at the forward)
    math = importlib.import_module("impl.ops.math")
    extra = importlib.import_module("impl.ops.extra")
    sampling = importlib.import_module("impl.nn.functional.sampling")
    swaps = [
        (math.nan_to_num, rewrite_source(math.nan_to_num, (", saved=(input,))", ")"))),
        (math._nan_as_zero, rewrite_source(math._nan_as_zero, ("saved=(input,)), nan", "), nan"))),
        (extra.sgn, rewrite_source(extra.sgn, ("saved=(input, OUTPUT)", "saved=(OUTPUT,)"))),
        (sampling.max_unpool2d, rewrite_source(sampling.max_unpool2d, ("backward, saved=saved)", "backward)"))),
    ]
    with stack(*(swap_function(old, new) for old, new in swaps)):
        yield


def _F(lib):
    return lib.nn.functional


def guard():
    finite = np.nan_to_num(X, nan=0.3, posinf=1.7)
    cases = [
        ("nan_to_num", lambda lib, x: x.nan_to_num(), [X]),
        ("nansum", lambda lib, x: lib.nansum(x, 1), [X]),
        ("nanmean", lambda lib, x: x.nanmean(), [X]),
        ("sgn", lambda lib, x: x.sgn(), [finite]),
    ]
    for name, fn, arrays in cases:
        edit_after_forward_like_torch(fn, arrays, 0, f"{name}: input modified in place")
    edit_after_forward_like_torch(lambda lib, x, i: _F(lib).max_unpool2d(x, i, 2, output_size=(4, 4)),
                                  [POOL_IN, POOL_IDX], 1, "max_unpool2d: indices modified in place")
    edit_after_forward_like_torch(lambda lib, x, i: _F(lib).max_unpool1d(x, i, 2),
                                  [POOL_IN, np.array([[[1, 2], [0, 3]]])], 1, "max_unpool1d: indices modified in place")


def test_guard():
    guard()
