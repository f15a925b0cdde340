"""110: Invalid arguments raised numpy's or Python's exception classes where torch raises its own.

**Symptom:** ``impl.eye(-1)``, ``impl.randint(5, 2, (3,))``, ``impl.linspace(0, 1, -1)`` and
``x.diagonal(0, 1, -1)`` raised ValueError (numpy's "negative dimensions are not allowed", "low >= high", ...);
``x.chunk(0)`` raised ZeroDivisionError; ``x.roll(1, 2)`` on a 1-d tensor raised numpy's AxisError ("axis 2 is out
of bounds for array of dimension 1"); ``impl.cat([])`` raised RuntimeError. torch raises RuntimeError for the
first five, IndexError ("Dimension out of range") for roll and ValueError for an empty ``cat``. Code that catches
torch's class missed impl's, and the messages did not name the op.

**Root cause:** these ops handed their arguments to numpy (``np.eye``, ``Generator.integers``, ``np.linspace``,
``np.diagonal``, ``np.roll``) or to integer division (``chunk``'s piece size) unchecked, and ``cat`` chose the
class of its other errors.

**Fix:** each op checks the argument itself and raises torch's class with a message that names the op and the
value: ``eye`` (n, m >= 0), ``randint`` (low < high), ``linspace`` (steps >= 0), ``diagonal`` (two different
dims), ``chunk`` (chunks > 0; an empty dim returned no chunks at all before), ``roll`` (its dims through
``norm_dim``; a 0-d input has none), ``cat`` (ValueError for an empty sequence).

**How this test catches it:** each call raises in torch; impl must raise the same exception class, and its message
must match the reason.

**Seen in:** found while developing (notes/bugs_found.md): probing the ops' argument checks against torch's after
the factories' (regression 105); property_tests/test_ops.py::test_error_input now runs them as error inputs of
the ``eye``, ``linspace``, ``diagonal``, ``chunk`` and ``roll`` specs (``randint``: property_tests/
test_factory_size_keyword.py).

**Generic tests catch it too:** yes -- caught by
`property_tests/test_factory_size_keyword.py::test_randint_refuses_an_empty_range_as_torch_does[low5-high2]`,
`property_tests/test_math_extra.py::test_numpy_names_follow_torch[cat]`,
`property_tests/test_ops.py::test_error_input[chunk-0]@spec:chunk`,
`property_tests/test_ops.py::test_error_input[diagonal-0]@spec:diagonal`,
`property_tests/test_ops.py::test_error_input[eye-0]@spec:eye`,
`property_tests/test_ops.py::test_error_input[linspace-0]@spec:linspace`,
`property_tests/test_ops.py::test_error_input[roll-0]@spec:roll` (each variant checked separately) (`python -m
regression.crosscheck`).
"""
import contextlib

from impl import _creation
from impl.ops import shape
from regression._util import assert_cases_raise_like_torch, rewritten_variants

VARIANTS = ("eye", "randint", "linspace", "diagonal", "chunk", "roll", "cat")
FAILS_WITH = r"raised (ValueError|ZeroDivisionError|RuntimeError)|AxisError|does not match|did not raise"


@contextlib.contextmanager
def reintroduce(variant=None):
    patches = {
        "eye": (_creation.eye, ("        if v is not None and v < 0:", "        if False:")),
        "randint": (_creation.randint, ("    if low >= high:", "    if False:")),
        "linspace": (_creation.linspace, ("    if steps < 0:", "    if False:")),
        "diagonal": (shape.diagonal, ("    if a == b:", "    if False:")),
        "chunk": (shape.chunk, ("    if chunks <= 0:", "    if False:")),
        "roll": (shape.roll, ('    dims = tuple(norm_dim(d, nd, "roll") for d in given)', "    dims = given"),
                 ("    if nd == 0:", "    if False:")),
        "cat": (shape.cat, ('raise ValueError("cat(): expected', 'raise RuntimeError("cat(): expected')),
    }
    with rewritten_variants(patches, variant):
        yield


CASES = [  # (what, call(lib), the message impl's error must match)
    ("eye(-1)", lambda lib: lib.eye(-1), "eye.*n must be greater or equal to 0"),
    ("eye(2, -1)", lambda lib: lib.eye(2, -1), "eye.*m must be greater or equal to 0"),
    ("randint(5, 2, (3,))", lambda lib: lib.randint(5, 2, (3,)), "randint.*from=5 >= to=2"),
    ("randint(0, (3,))", lambda lib: lib.randint(0, (3,)), "randint.*from=0 >= to=0"),
    ("linspace(0, 1, -1)", lambda lib: lib.linspace(0, 1, -1), "linspace.*number of steps must be non-negative"),
    ("diagonal(0, 1, -1) of a matrix", lambda lib: lib.ones(2, 2).diagonal(0, 1, -1),
     "diagonal.*dimensions cannot be identical"),
    ("chunk(0)", lambda lib: lib.ones(6).chunk(0), "chunk expects `chunks` to be greater than 0, got: 0"),
    ("chunk(0) of an empty dim", lambda lib: lib.chunk(lib.ones(0), 0), "chunk expects `chunks` to be greater than 0"),
    ("chunk(-2)", lambda lib: lib.ones(6).chunk(-2), "chunk expects `chunks` to be greater than 0, got: -2"),
    ("roll(1, 2) of a 1-d tensor", lambda lib: lib.ones(3).roll(1, 2), "roll.*Dimension out of range"),
    ("roll(1, -3) of a matrix", lambda lib: lib.roll(lib.ones(3, 2), 1, -3), "roll.*Dimension out of range"),
    ("roll(1, 0) of a 0-d tensor", lambda lib: lib.ones(()).roll(1, 0), "roll.*tensor has no dimensions"),
    ("cat([])", lambda lib: lib.cat([]), "cat.*expected a non-empty list of Tensors"),
    ("concat(())", lambda lib: lib.concat(()), "cat.*expected a non-empty list of Tensors"),
]


def guard():
    assert_cases_raise_like_torch(CASES)


def test_guard():
    guard()
