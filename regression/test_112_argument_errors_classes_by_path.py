"""112: More argument errors in the wrong class: flip's repeated dims, out-of-range writes, index_select, group_norm.

**Symptom:** ``x.flip((0, -2))`` of a matrix raised numpy's ValueError ("repeated axis"); ``x[idx] = v`` and
``index_put`` with an index past the end raised RuntimeError; ``F.max_unpool2d`` with a negative output size
RuntimeError, and ``F.max_unpool1d`` with a negative stride numpy's ValueError about an output size the caller never
gave; ``index_select`` past the end RuntimeError whatever the dim; ``index_copy`` with a source of the wrong slice
shape and an index past the end complained about the index; ``F.group_norm(x, 0)`` RuntimeError. torch raises
RuntimeError, IndexError, ValueError, RuntimeError (what its kernel finds), IndexError -- or RuntimeError for dim 1
and for an empty dim, where its CPU kernel checks differently --, RuntimeError (the shapes are checked first) and
ZeroDivisionError (its functional divides by ``num_groups`` before any check).

**Root cause:** numpy's exceptions passed through (flip), were mapped to one class (``__setitem__`` and
``index_put`` turned every numpy error into RuntimeError), or impl chose a class or an order of checks of its own
(max_unpool, index_select, index_copy, group_norm); ``max_unpool1d`` passed its default output size to
``max_unpool2d`` as if the caller had given it.

**Fix:** each raises torch's class: flip checks for a repeated dim, an index error stays an IndexError, max_unpool's
negative size is a ValueError, ``max_unpool1d`` passes an output size on only when given, ``index_select`` follows
torch's CPU kernels (RuntimeError for dim 1 and for an empty dim of a tensor with more than one dim, IndexError
otherwise), ``index_copy`` checks the source's shape before the index, ``group_norm`` raises ZeroDivisionError for
0 groups and RuntimeError for fewer.

**How this test catches it:** each call raises in torch; impl must raise the same class with a message that says
why.

**Seen in:** found while developing (notes/bugs_found.md): property_tests/test_ops.py::test_out_of_range_arguments.

**Generic tests catch it too:** yes -- caught by `property_tests/test_math_extra.py::test_numpy_names_follow_torch[index_copy]`,
`property_tests/test_ops.py::test_error_input[F.group_norm-1]@spec:F.group_norm`,
`property_tests/test_ops.py::test_error_input[flip-0]@spec:flip`,
`property_tests/test_ops.py::test_out_of_range_arguments[F.max_unpool2d]@spec:F.max_unpool2d`,
`property_tests/test_ops.py::test_out_of_range_arguments[index_select]@spec:index_select`,
`property_tests/test_ops.py::test_out_of_range_arguments[setitem_advanced]@spec:setitem_advanced` (each
variant checked separately) (`python -m regression.crosscheck`).
"""
import contextlib

from impl.nn.functional import extra, normalization, sampling
from impl.ops import inplace, scatter, shape
from regression._util import assert_cases_raise_like_torch, rewritten_variants

VARIANTS = ("flip", "setitem", "max_unpool", "index_select", "index_copy", "group_norm")
FAILS_WITH = r"raised (ValueError|RuntimeError|IndexError)|does not match|did not raise"


@contextlib.contextmanager
def reintroduce(variant=None):
    index_error = "(IndexError if isinstance(e, IndexError) else RuntimeError)("
    patches = {
        "flip": (shape.flip, ('axes = norm_dims(dims, input._data.ndim, "flip")',
                              'axes = tuple(norm_dim(d, input._data.ndim, "flip") for d in dims)')),
        "setitem": (inplace._setitem, ("            raise " + index_error, "            raise (RuntimeError)(")),
        "max_unpool": [(sampling.max_unpool2d, ('        raise ValueError(f"{op}: output_size must contain',
                                                '        raise RuntimeError(f"{op}: output_size must contain')),
                       # and max_unpool1d's default size checked as if the caller had given it
                       (extra.max_unpool1d, ("output_size=None if output_size is None else (size, 1))",
                                             "output_size=(size, 1))"))],
        "index_select": (shape.index_select, ("        if d == 1:", "        if False:"),
                         ("        if n == 0 and x.ndim > 1:", "        if False:")),
        "index_copy": (scatter.index_copy, ('    d, idx, n = _vector_index("index_copy", input, dim, index, bounds=False)',
                                            '    d, idx, n = _vector_index("index_copy", input, dim, index)')),
        "group_norm": (normalization.group_norm, ("    if G == 0:", "    if False:")),
    }
    with rewritten_variants(patches, variant):
        yield


CASES = [  # (what, call(lib), the message impl's error must match)
    ("flip((0, -2)) of a matrix", lambda lib: lib.ones(2, 3).flip((0, -2)), "flip.*dim 0 appears multiple times"),
    ("x[[-2]] = v of 1 element", lambda lib: lib.ones(1).__setitem__(lib.tensor([-2]), lib.ones(1)),
     "index -2 is out of bounds"),
    ("x[[5]] = v of 3 elements", lambda lib: lib.ones(3).__setitem__(lib.tensor([5]), 1.0), "index 5 is out of bounds"),
    ("max_unpool2d to a negative size",
     lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 1, 1), lib.zeros(1, 1, 1, 1, dtype=lib.int64), (2, 2),
                                                stride=1, padding=(9, 0)), "output_size must contain non-negative"),
    ("max_unpool1d with a negative stride",
     lambda lib: lib.nn.functional.max_unpool1d(lib.ones(1, 2), lib.tensor([[0, 1]]), 2, stride=-1), ""),
    ("index_select past the end, dim 0", lambda lib: lib.index_select(lib.ones(4, 3), 0, lib.tensor([4])),
     "out of range: 4 .*index out of range in self"),
    ("index_select past the end, dim 2 of 3", lambda lib: lib.index_select(lib.ones(3, 4, 2), 2, lib.tensor([2])),
     "index out of range in self"),
    ("index_select past the end, dim 1", lambda lib: lib.index_select(lib.ones(4, 3), 1, lib.tensor([3])),
     "out of range: 3 .*INDICES element is out of DATA bounds"),
    ("index_select of an empty dim", lambda lib: lib.index_select(lib.ones(0, 3), 0, lib.tensor([0])),
     "axis dim should be positive"),
    ("index_copy, wrong slice shape and index past the end",
     lambda lib: lib.ones(2, 4, 1).index_copy(-1, lib.tensor([0, 1, 3]), lib.ones(2, 3, 1)), "shape must match"),
    ("group_norm with 0 groups", lambda lib: lib.nn.functional.group_norm(lib.ones(1, 2, 3), 0), "num_groups is 0"),
    ("group_norm with -1 groups", lambda lib: lib.nn.functional.group_norm(lib.ones(1, 2, 3), -1),
     "greater than 0"),
]


def guard():
    assert_cases_raise_like_torch(CASES)


def test_guard():
    guard()
