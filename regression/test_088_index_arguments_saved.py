"""088: scatter, index_add/copy/fill/put, masked_scatter, take and embedding_bag let their index be edited before backward.

**Symptom:** ``y = x.scatter(1, idx, src); idx.copy_(idx.clone()); y.sum().backward()`` ran in impl, where torch
raises "one of the variables needed for gradient computation has been modified by an inplace operation" (its
backward reads the index, so a changed index would give a wrong gradient). The same for ``scatter_add`` (src
requiring grad), ``scatter_reduce``, ``index_add``/``index_copy`` (source requiring grad), ``index_fill``,
``index_put``, ``masked_scatter`` (the mask), ``take`` and ``F.embedding_bag`` (the indices), and their in-place
forms.

**Root cause:** these ops are composites of ``_index_put``/``_index_add``/``getitem`` primitives that hold the index
as numpy arrays (so the gradient used the old index silently), and torch's one node saves the index tensor the user
passed (derivatives.yaml: ``grad.gather(dim, index)``, ``grad.index_select(dim, index)``, ...).

**Fix:** each op in ``impl.ops.scatter`` (and ``impl.ops.extra.take``, ``impl.nn.functional.embedding_bag``) marks
on its result with ``also_saves`` the tensors torch's node saves: the index whenever a gradient reads it (``needed``
when only one gradient does), the source where its gradient reads its shape through it, and for scatter_reduce the
input and src as well.

**How this test catches it:** each op with its index modified in place (values unchanged) after the forward, then
backward, in impl and torch: impl must raise iff torch does.

**Seen in:** found while developing (notes/bugs_found.md), by
property_tests/test_saved_tensors.py::test_saved_inputs on the scatter and index specs.

**Generic tests catch it too:** yes -- property_tests/test_saved_tensors.py::test_saved_inputs.
"""
import contextlib
import importlib

import numpy as np

from impl.ops import extra, scatter
from regression._saved import edit_after_forward_like_torch
from regression._util import stack, swap_attr

FAILS_WITH = r"torch raised at backward; impl ran"

X = np.arange(12, dtype=np.float64).reshape(3, 4) / 7 - 0.5
SRC = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
IDX = np.array([[0, 2], [1, 3], [3, 0]])
ROWS = np.array([2, 0])
SOURCE = np.linspace(0.5, 2.0, 8).reshape(2, 4)
MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])


# the module (the package attribute of the same name is the function)
bag_module = importlib.import_module("impl.nn.functional.embedding_bag")


def _ignore(t, *tensors):
    return t


@contextlib.contextmanager
def reintroduce(variant=None):
    # the old forms: nothing but the primitives' own saves (the index lived on as numpy arrays only)
    with stack(swap_attr(scatter, "also_saves", _ignore), swap_attr(extra, "also_saves", _ignore),
               swap_attr(bag_module, "also_saves", _ignore)):
        yield


def guard():
    cases = [
        ("scatter", lambda lib, x, i, s: x.scatter(1, i, s), [X, IDX, SRC], (0, 2)),
        ("scatter value", lambda lib, x, i: x.scatter(1, i, 2.5), [X, IDX], (0,)),
        ("scatter_add", lambda lib, x, i, s: x.scatter_add(1, i, s), [X, IDX, SRC], (2,)),
        ("scatter_reduce", lambda lib, x, i, s: x.scatter_reduce(1, i, s, "amax"), [X, IDX, SRC], (0,)),
        ("index_add", lambda lib, x, i, s: x.index_add(0, i, s), [X, ROWS, SOURCE], (2,)),
        ("index_copy", lambda lib, x, i, s: x.index_copy(0, i, s), [X, ROWS, SOURCE], (0,)),
        ("index_fill", lambda lib, x, i: x.index_fill(1, i, -1.0), [X, ROWS], (0,)),
        ("index_put", lambda lib, x, i, v: x.index_put((i,), v), [X, ROWS, SOURCE], (0, 2)),
        ("index_put accumulate", lambda lib, x, i, v: x.index_put((i,), v, accumulate=True), [X, ROWS, SOURCE],
         (2,)),
        ("masked_scatter", lambda lib, x, m, s: x.masked_scatter(m, s), [X, MASK, SOURCE], (0,)),
        ("scatter_ in place", lambda lib, x, i, s: (x * 1).scatter_(1, i, s), [X, IDX, SRC], (0, 2)),
        ("take", lambda lib, x, i: lib.take(x, i), [X, IDX], (0,)),
        ("embedding_bag", lambda lib, w, i: _F(lib).embedding_bag(i, w, mode="sum"), [X, IDX % 3], (0,)),
    ]
    for name, fn, arrays, grad in cases:
        edit_after_forward_like_torch(fn, arrays, 1, f"{name}: index modified in place", grad=grad)


def _F(lib):
    return lib.nn.functional


def test_guard():
    guard()
