"""050: a 0-d gradient travelled between nodes as a numpy scalar: the next backward that indexes it crashed.

**Symptom:** ``x = impl.tensor(2., requires_grad=True); z = x * 1; z.fill_(2.5); z.mul_(2); z.backward()`` raised
``TypeError: 'numpy.float64' object does not support item assignment`` from the fill's (index_put's) backward.
torch returns ``x.grad = 0``. Any 0-d chain whose upstream backward did arithmetic on the gradient
(``g * y`` of a mul) and whose downstream backward indexes or assigns into it (setitem, fill_, copy_) crashed.

**Root cause:** numpy folds arithmetic on 0-d arrays into numpy scalars (``np.asarray(2.) * 2`` is an
``np.float64``). Regression 034 made forward results arrays in the engine; the gradients handed from one node's
backward to the next were not, and index_put's backward does ``gx = g.copy(); gx[index] = 0``.

**Fix:** ``impl._autograd.run_backward`` hands every node its gradient as an ndarray (one place, as
unbroadcasting), so no backward closure has to guard against numpy scalars.

**How this test catches it:** 0-d setitem/fill_/copy_ followed by an in-place multiply, and a plain 0-d product
chain into a setitem, compared with torch (values and gradients, float64 defaults).

**Seen in:** found while developing (notes/bugs_found.md), by the generic in-place-on-output check
``property_tests/test_ops.py::test_inplace_on_output`` (2026-12-01).

**Generic tests catch it too:** yes -- caught by `property_tests/test_ops.py::test_inplace_on_output[setitem]` (`python -m
regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl import _autograd
from regression._util import check_vs_torch, rewrite_source, swap_function

FAILS_WITH = r"raised TypeError"


@contextlib.contextmanager
def reintroduce(variant=None):
    # Both layers: the walk's coercion, and 0-d results of a backward handed on as numpy scalars (``arr[()]``), as
    # numpy's 0-d arithmetic produced them.
    walk = rewrite_source(_autograd._run_backward, ("g = _as_array(g)", "pass"))
    call = rewrite_source(_autograd._call_array, ("r._data if isinstance(r, Tensor)", "r._data[()] if isinstance(r, Tensor)"))
    with swap_function(_autograd._run_backward, walk), swap_function(_autograd._call_array, call):
        yield


def _then(step):
    def fn(lib, x, v):
        z = x * 1
        step(z, v)
        z.mul_(2.0)
        return z * 3

    return fn


def guard():
    x, v = np.array(2.0), np.array(-0.5)
    check_vs_torch(_then(lambda z, v: z.fill_(2.5)), x, v, what="0-d fill_ then mul_")
    check_vs_torch(_then(lambda z, v: z.copy_(v)), x, v, what="0-d copy_ then mul_")
    check_vs_torch(_then(lambda z, v: z.__setitem__(Ellipsis, v)), x, v, what="0-d z[...] = v then mul_")


def test_guard():
    guard()
