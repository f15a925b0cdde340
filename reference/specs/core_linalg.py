"""OpSpecs for matrix products: matmul / @ for 1-D, 2-D and batched operands with broadcast batch dims
(size-0 dims included), and mm / bmm / mv / dot / outer."""
from __future__ import annotations

from hypothesis import strategies as st

from reference.opspec import ErrorInput, OpSpec
from reference.strategies import broadcast_shapes, nonzero_sizes, rng_of, sample, values


@st.composite
def _matmul(draw):
    r = rng_of(draw)
    kind = draw(st.sampled_from(["1x1", "2x1", "1x2", "2x2", "batched", "batched", "bx1", "1xb"]))
    n, k, m = nonzero_sizes(draw, 3)  # one of them 0 only rarely: an empty product checks nothing
    if kind in ("batched", "bx1", "1xb"):
        ba, bb = draw(broadcast_shapes(2, min_dims=0, max_dims=2, max_side=3))
    else:
        ba = bb = ()
    a = {"1x1": (k,), "1x2": (k,), "1xb": (k,), "2x1": (n, k), "2x2": (n, k), "batched": ba + (n, k), "bx1": ba + (n, k)}[kind]
    b = {"1x1": (k,), "2x1": (k,), "bx1": (k,), "1x2": (k, m), "2x2": (k, m), "batched": bb + (k, m), "1xb": bb + (k, m)}[kind]
    return sample(values(r, a), values(r, b))


@st.composite
def _shapes(draw, a_of, b_of):
    r = rng_of(draw)
    b_, n, k, m = nonzero_sizes(draw, 4)
    dims = {"b": b_, "n": n, "k": k, "m": m}
    return sample(values(r, tuple(dims[c] for c in a_of)), values(r, tuple(dims[c] for c in b_of)))


def _mm_error(op_call, a, b, match):
    return ErrorInput(lambda lib: ((lib.ones(*a), lib.ones(*b)), {}), RuntimeError, match, f"{a} @ {b}")


SPECS = [
    OpSpec("matmul", lambda lib, a, b: lib.matmul(a, b), _matmul(), differentiable=(0, 1),
           error_inputs=(
               _mm_error("matmul", (2, 3), (4, 5), r"matmul.*\(2x3 and 4x5\)"),
               _mm_error("matmul", (2, 3, 4), (2, 5, 6), "matmul"),
               ErrorInput(lambda lib: ((lib.tensor(2.0), lib.ones(3)), {}), RuntimeError,
                          "matmul.*both arguments to matmul need to be at least 1D", "0-d operand"),
           )),
    OpSpec("matmul_operator", lambda lib, a, b: (a @ b, a.matmul(b)), _matmul(), differentiable=(0, 1)),
    OpSpec("rmatmul", lambda lib, a, b: b.__rmatmul__(a), _matmul(), differentiable=(0, 1),
           notes="b.__rmatmul__(a) is a @ b; Python calls it only for a non-tensor left operand"),
    OpSpec("mm", lambda lib, a, b: (lib.mm(a, b), a.mm(b)), _shapes("nk", "km"), differentiable=(0, 1),
           error_inputs=(_mm_error("mm", (2, 3, 1), (3, 2), "mm.*must be a 2D tensor"),)),
    OpSpec("bmm", lambda lib, a, b: (lib.bmm(a, b), a.bmm(b)), _shapes("bnk", "bkm"), differentiable=(0, 1),
           error_inputs=(_mm_error("bmm", (2, 3, 4), (3, 4, 5), "bmm.*same number of batches"),)),
    OpSpec("mv", lambda lib, a, b: (lib.mv(a, b), a.mv(b)), _shapes("nk", "k"), differentiable=(0, 1)),
    OpSpec("dot", lambda lib, a, b: (lib.dot(a, b), a.dot(b)), _shapes("k", "k"), differentiable=(0, 1),
           error_inputs=(_mm_error("dot", (2, 3), (3,), "dot.*1D"),)),
    OpSpec("outer", lambda lib, a, b: (lib.outer(a, b), a.outer(b), lib.ger(a, b)), _shapes("n", "m"), differentiable=(0, 1)),
]
