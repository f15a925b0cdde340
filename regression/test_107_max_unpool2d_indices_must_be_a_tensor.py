"""107: ``F.max_unpool2d`` took its indices as a list or a numpy array, where torch requires a Tensor.

**Symptom:** ``F.max_unpool2d(x, [[[[3]]]], 2)`` unpooled in impl; torch raises ``TypeError: max_unpool2d():
argument 'indices' (position 2) must be Tensor, not list``, so code written against impl failed under torch.

**Root cause:** ``impl.nn.functional.sampling.max_unpool2d`` read the indices through ``np.asarray`` whenever they
were not a Tensor, a leniency torch's argument parser does not have.

**Fix:** ``impl.nn.functional.sampling.max_unpool2d`` refuses an ``input`` or ``indices`` that is not a Tensor with
torch's class and message, before any other check (torch parses both arguments first).

**How this test catches it:** indices given as a nested list and as a numpy array must raise torch's TypeError in
impl as in torch; a Tensor of the same indices still unpools as torch does.

**Seen in:** found while developing (notes/bugs_found.md), while checking whether the mutant that reads every
indices argument through ``np.asarray`` could be told apart; the catching test is
``regression/test_107_max_unpool2d_indices_must_be_a_tensor.py::test_guard``.

**Generic tests catch it too:** no
"""
import contextlib

import numpy as np

from impl.nn.functional import sampling
from regression._util import check_vs_torch, must_raise, rewrite_source, swap_function

FAILS_WITH = r"did not raise TypeError"


@contextlib.contextmanager
def reintroduce(variant=None):
    """Non-Tensor indices read through np.asarray, as before the fix."""
    orig = sampling.max_unpool2d
    lenient = rewrite_source(orig, ('    ensure_tensor(indices, op, "indices", 2)\n', ''),
                             ("    idx = indices._data\n",
                              "    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)\n"))
    with swap_function(orig, lenient):
        yield


def guard():
    import torch

    import impl

    x = np.array([[[[1.5, -2.0], [0.5, 3.0]]]], dtype=np.float32)
    idx = [[[[0, 3], [9, 14]]]]
    for lib in (torch, impl):
        for indices, kind in ((idx, "list"), (np.array(idx), r"numpy\.ndarray")):
            with must_raise(TypeError, rf"max_unpool2d\(\): argument 'indices' \(position 2\) must be Tensor, not {kind}",
                            f"{lib.__name__} max_unpool2d with indices as a {type(indices).__name__}"):
                lib.nn.functional.max_unpool2d(lib.tensor(x), indices, 2)
    check_vs_torch(lambda lib, x: lib.nn.functional.max_unpool2d(x, lib.tensor(idx), 2), x,
                   what="max_unpool2d with Tensor indices")


def test_guard():
    guard()
