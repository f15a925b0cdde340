"""OpSpecs for the ops that combine or rearrange tensors: einsum (random equations: repeated, summed and broadcast
subscripts, ellipsis, implicit output), tensordot, kron, diag/diag_embed/trace, block_diag, cartesian_prod, meshgrid,
repeat_interleave, tile, Tensor.unfold, rot90, cross, diff, atleast_1d/2d/3d, ravel, the tensor_split family,
dstack/column_stack, tril_indices/triu_indices and combinations.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from reference.opspec import Divergence, ErrorInput, OpSpec
from reference.strategies import dim_of, rare_zero, rarely, rng_of, sample, shapes, values

LETTERS = "abcde"


def _err(make, exc, match, note=""):
    return ErrorInput(make, exc, match, note)


# ---- einsum ------------------------------------------------------------------------------------------------------
@st.composite
def _einsum(draw):
    """1-3 operands over the letters a-e (each letter one size; size 1 broadcasts against it), a letter repeated
    within an operand now and then (its diagonal), an ellipsis with broadcast batch dims, explicit or implicit
    output."""
    r = rng_of(draw)
    n_ops = draw(st.integers(1, 3))
    size = {c: draw(st.integers(1, 3)) for c in LETTERS}
    if draw(rarely()):
        size[draw(st.sampled_from(LETTERS))] = 0
    use_ell = draw(st.booleans())
    n_ell = draw(st.integers(1, 2)) if use_ell else 0
    ell_shape = [draw(st.integers(1, 3)) for _ in range(n_ell)]
    terms, arrays = [], []
    for _ in range(n_ops):
        letters = draw(st.lists(st.sampled_from(LETTERS), max_size=3, unique=True))
        if letters and draw(rarely(0.15)):
            letters.insert(draw(st.integers(0, len(letters))), draw(st.sampled_from(letters)))  # a diagonal
        shape = [size[c] if not (size[c] > 1 and draw(rarely(0.1))) else 1 for c in letters]  # size 1 broadcasts
        # a letter repeated within one operand must have one size there
        for i, c in enumerate(letters):
            shape[i] = shape[letters.index(c)]
        term = "".join(letters)
        if use_ell and draw(st.booleans()):
            k = draw(st.integers(0, n_ell))
            at = draw(st.integers(0, len(letters)))
            eshape = [1 if draw(rarely(0.3)) else s for s in ell_shape[n_ell - k:]]
            term = term[:at] + "..." + term[at:]
            shape = shape[:at] + eshape + shape[at:]
        terms.append(term)
        arrays.append(values(r, tuple(shape)))
    used = sorted({c for t in terms for c in t if c != "."})
    any_ell = any("..." in t for t in terms)
    if draw(st.booleans()):
        eq = ",".join(terms)  # implicit output
    else:
        out = draw(st.permutations(used))[:draw(st.integers(0, len(used)))]
        out = list(out)
        if any_ell and draw(st.booleans()):
            out.insert(draw(st.integers(0, len(out))), "...")
        eq = ",".join(terms) + "->" + "".join(out)
    return sample(*arrays, equation=eq)


def _einsum_fn(lib, *ops, equation):
    return lib.einsum(equation, *ops)


EINSUM_ERRORS = (
    _err(lambda lib: ((lib.ones(2, 3),), {"equation": "ij,jk->ik"}), RuntimeError,
         "einsum.*fewer operands were provided than specified in the equation", "too few operands"),
    _err(lambda lib: ((lib.ones(2, 3), lib.ones(3, 4)), {"equation": "ij->ij"}), RuntimeError,
         "einsum.*more operands were provided than specified in the equation", "too many operands"),
    _err(lambda lib: ((lib.ones(2, 2),), {"equation": "ijk->"}), RuntimeError,
         r"einsum.*the number of subscripts in the equation \(3\) does not match the number of dimensions \(2\)",
         "subscript count"),
    _err(lambda lib: ((lib.ones(2, 3), lib.ones(4, 4)), {"equation": "ij,jk"}), RuntimeError,
         "einsum.*subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3",
         "size mismatch"),
    _err(lambda lib: ((lib.ones(2, 2),), {"equation": "ij->ii"}), RuntimeError,
         "einsum.*output subscript i appears more than once in the output", "repeated output subscript"),
    _err(lambda lib: ((lib.ones(2, 2),), {"equation": "ij->k"}), RuntimeError,
         "einsum.*output subscript k does not appear in the equation for any input operand", "unknown output"),
    _err(lambda lib: ((lib.ones(2, 2),), {"equation": "i1->"}), RuntimeError,
         r"einsum.*invalid subscript given at index 1 in the equation string, subscripts must be in \[a-zA-Z\]",
         "invalid subscript"),
    _err(lambda lib: ((lib.ones(2, 3), lib.ones(3, 4, dtype=lib.float64)), {"equation": "ij,jk"}), RuntimeError,
         "expected scalar type", "mixed dtypes (no promotion)"),
    _err(lambda lib: ((lib.ones(1, 3),), {"equation": "ii->i"}), RuntimeError,
         "einsum.*subscript i is repeated for operand 0 but the sizes don't match, 3 != 1",
         "a repeated subscript does not broadcast"),
)


@st.composite
def _matmul_pair(draw):
    r = rng_of(draw)
    i, j, k = rare_zero(draw, [draw(st.integers(1, 3)) for _ in range(3)])
    return sample(values(r, (i, j)), values(r, (j, k)))


# ---- tensordot, kron -----------------------------------------------------------------------------------------------
@st.composite
def _tensordot(draw):
    """An int ``dims`` (the last k dims of a with the first k of b) or two lists of dims (any order and place,
    negative ones too)."""
    r = rng_of(draw)
    a = draw(shapes(max_dims=3))
    k = draw(st.integers(0, len(a)))
    rest_b = list(draw(shapes(max_dims=2)))
    if draw(st.booleans()):
        return sample(values(r, a), values(r, tuple(a[len(a) - k:]) + tuple(rest_b)), dims=k)
    da = list(draw(st.permutations(range(len(a)))))[:k]
    b, db = list(rest_b), []
    for d in da:  # each contracted dim of a goes to a random place in b
        at = draw(st.integers(0, len(b)))
        b.insert(at, a[d])
        db = [p + (p >= at) for p in db] + [at]
    dims = ([d - len(a) if draw(st.booleans()) else d for d in da], db)
    return sample(values(r, a), values(r, tuple(b)), dims=dims)


@st.composite
def _two_any(draw, max_dims=3, max_side=3):
    r = rng_of(draw)
    return sample(values(r, draw(shapes(max_dims=max_dims, max_side=max_side))),
                  values(r, draw(shapes(max_dims=max_dims, max_side=max_side))))


# ---- diagonals -----------------------------------------------------------------------------------------------------
@st.composite
def _diag(draw):
    r = rng_of(draw)
    nd = draw(st.integers(1, 2))
    shape = draw(shapes(min_dims=nd, max_dims=nd))
    if nd == 2 and all(shape):
        diagonal = draw(st.integers(-(shape[0] - 1), shape[1] - 1))
    else:
        diagonal = draw(st.integers(-2, 2))
    return sample(values(r, shape), diagonal=diagonal)


@st.composite
def _diag_embed(draw):
    r = rng_of(draw)
    x = values(r, draw(shapes(min_dims=1, max_dims=3)))
    nd = x.ndim + 1
    d1 = draw(st.integers(-nd, nd - 1))
    d2 = draw(st.sampled_from([d for d in range(-nd, nd) if d % nd != d1 % nd]))
    return sample(x, offset=draw(st.integers(-2, 2)), dim1=d1, dim2=d2)


@st.composite
def _matrix(draw):
    r = rng_of(draw)
    return sample(values(r, draw(shapes(min_dims=2, max_dims=2))))


@st.composite
def _block_diag(draw):
    r = rng_of(draw)
    n = draw(st.integers(1, 3))
    return sample(*[values(r, draw(shapes(max_dims=2, max_side=3))) for _ in range(n)])


# ---- grids and repeats ---------------------------------------------------------------------------------------------
@st.composite
def _vectors(draw, n_min=1, n_max=3, allow_0d=False):
    r = rng_of(draw)
    n = draw(st.integers(n_min, n_max))
    out = []
    for _ in range(n):
        if allow_0d and draw(rarely(0.2)):
            out.append(values(r, ()))
        else:
            out.append(values(r, rare_zero(draw, [draw(st.integers(1, 3))])))
    return sample(*out)


@st.composite
def _meshgrid(draw):
    s = draw(_vectors(1, 3, allow_0d=True))
    return sample(*s.arrays, indexing=draw(st.sampled_from(["ij", "xy"])), as_list=draw(st.booleans()))


@st.composite
def _repeat_interleave(draw, tensor_repeats=False):
    r = rng_of(draw)
    x = values(r, draw(shapes(max_dims=3, max_side=3)))
    dim = None if draw(st.booleans()) or not x.ndim else dim_of(draw, x.ndim)  # torch: a 0-d input only dim=None
    n = x.size if dim is None else (x.shape or (1,))[dim % max(x.ndim, 1)]
    if tensor_repeats:
        reps = r.integers(1, 4, n) if not draw(rarely(0.2)) else r.integers(1, 4, ())  # 0-d: one for all
        if reps.size and draw(rarely(0.2)):
            reps.flat[0] = 0  # an element repeated 0 times
        return sample(x, reps, dim=dim)
    return sample(x, repeats=0 if draw(rarely()) else draw(st.integers(1, 3)), dim=dim)


@st.composite
def _tile(draw):
    r = rng_of(draw)
    x = values(r, draw(shapes(max_dims=3, max_side=3)))
    dims = [draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 4)))]
    return sample(x, dims=rare_zero(draw, dims))


@st.composite
def _unfold(draw, overlapping=False):
    r = rng_of(draw)
    x = values(r, draw(shapes(min_dims=1, max_dims=3)))
    d = dim_of(draw, x.ndim)
    n = x.shape[d]
    size = draw(st.integers(0 if draw(rarely()) else min(1, n), n))
    if overlapping:
        step = draw(st.integers(1, max(size - 1, 1)))
    else:
        step = draw(st.integers(max(size, 1), max(size, 1) + 2))
    return sample(x, dimension=d, size=size, step=step)


@st.composite
def _rot90(draw):
    r = rng_of(draw)
    x = values(r, draw(shapes(min_dims=2, max_dims=3)))
    a = dim_of(draw, x.ndim)
    b = draw(st.sampled_from([d for d in range(-x.ndim, x.ndim) if d % x.ndim != a % x.ndim]))
    return sample(x, k=draw(st.integers(-5, 5)), dims=(a, b))


@st.composite
def _cross(draw):
    r = rng_of(draw)
    base = list(draw(shapes(min_dims=1, max_dims=3, max_side=3)))
    d = dim_of(draw, len(base))
    default_dim = draw(st.booleans())
    if default_dim:  # dim=None (torch's deprecated default): no earlier dim of size 3, so the default picks d
        base = [2 if (s == 3 and i < d % len(base)) else s for i, s in enumerate(base)]
    base[d] = 3
    other = [s if i == d % len(base) or not draw(st.booleans()) else 1 for i, s in enumerate(base)]
    if draw(st.booleans()):
        base, other = other, base
    return sample(values(r, tuple(base)), values(r, tuple(other)), dim=None if default_dim else d,
                  method=draw(st.booleans()))


@st.composite
def _diff(draw):
    r = rng_of(draw)
    x = values(r, draw(shapes(min_dims=1, max_dims=3)))
    d = dim_of(draw, x.ndim)
    kw = dict(n=draw(st.integers(0, 3)), dim=d)
    arrays = [x]
    for _ in ("prepend", "append"):
        shape = list(x.shape)
        shape[d] = draw(st.integers(0, 2))
        arrays.append(values(r, tuple(shape)))
    return sample(*arrays, **kw)


@st.composite
def _split(draw, name="tensor_split"):
    r = rng_of(draw)
    min_dims = {"tensor_split": 1, "hsplit": 1, "vsplit": 2, "dsplit": 3}[name]
    x = values(r, draw(shapes(min_dims=min_dims, max_dims=3)))
    d = {"hsplit": 1 if x.ndim > 1 else 0, "vsplit": 0, "dsplit": 2}.get(name)
    kw = {}
    if d is None:
        d = dim_of(draw, x.ndim)
        kw["dim"] = d
    n = x.shape[d]
    if draw(st.booleans()):
        if name == "tensor_split":
            sections = draw(st.integers(1, 5))
        else:
            divisors = [k for k in range(1, 5) if n % k == 0] or [1]
            sections = draw(st.sampled_from(divisors))
        return sample(x, sections=sections, **kw)
    cuts = draw(st.lists(st.integers(-n - 1, n + 1), max_size=3))
    return sample(x, sections=sorted(cuts) if draw(st.booleans()) else cuts, **kw)


@st.composite
def _tensor_split_tensor(draw):
    s = draw(_split())
    x = s.arrays[0]
    sec = s.kwargs["sections"]
    return sample(x, np.asarray(sec, dtype=np.int64), dim=s.kwargs["dim"])


@st.composite
def _stackable(draw, n=2):
    r = rng_of(draw)
    shape = draw(shapes(max_dims=3, max_side=3))
    return sample(*[values(r, shape) for _ in range(n)])


@st.composite
def _column_stack(draw):
    r = rng_of(draw)
    rows = draw(st.integers(1, 3)) if not draw(rarely()) else 0
    arrays = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["1d", "2d", "0d"] if rows == 1 else ["1d", "2d"]))
        arrays.append(values(r, (rows,) if kind == "1d" else (rows, draw(st.integers(0, 2))) if kind == "2d" else ()))
    return sample(*arrays)


@st.composite
def _tri_indices(draw):
    row, col = (draw(st.integers(1, 5)) for _ in range(2))
    if draw(rarely()):
        return sample(row=draw(st.sampled_from([0, row])), col=0, offset=draw(st.integers(-4, 4)))  # empty
    return sample(row=row, col=col, offset=draw(st.integers(1 - row, col - 1)))


@st.composite
def _combinations(draw):
    r = rng_of(draw)
    n = 0 if draw(rarely()) else draw(st.integers(1, 5))
    k = draw(st.sampled_from([0, 5])) if draw(rarely()) else draw(st.integers(1, max(min(n, 3), 1)))  # rare: empty
    return sample(values(r, (n,)), r=k, with_replacement=draw(st.booleans()))


def _atleast(lib, x, y):
    return (lib.atleast_1d(x), lib.atleast_2d(x), lib.atleast_3d(x), *lib.atleast_1d(x, y), *lib.atleast_2d((x, y)),
            *lib.atleast_3d([x, y]))


SPECS = [
    OpSpec("einsum", _einsum_fn, _einsum(), differentiable=(0, 1, 2), error_inputs=EINSUM_ERRORS,
           notes="random equations: contractions, outer products, diagonals (ii), sums, size-1 broadcasting, "
                 "ellipsis, implicit output (alphabetical, ellipsis first); a composite of diagonal/sum/permute/"
                 "reshape/expand/matmul"),
    OpSpec("einsum_forms", lambda lib, a, b: (lib.einsum("ij,jk", [a, b]), lib.einsum(a, [0, 1], b, [1, 2], [0, 2]),
                                              lib.einsum(a, [0, 1], b, [1, 2]), lib.einsum(" i j , j k -> k i ", a, b)),
           _matmul_pair(), differentiable=(0, 1), notes="operands as a list, the sublist format, spaces"),
    OpSpec("tensordot", lambda lib, a, b, dims: lib.tensordot(a, b, dims=dims), _tensordot(), differentiable=(0, 1),
           error_inputs=(_err(lambda lib: ((lib.ones(2, 3), lib.ones(4, 2)), {"dims": ([1], [0])}), RuntimeError,
                              "contracted dimensions need to match, but first has size 3 in dim 1 and second has size "
                              "4 in dim 0", "size mismatch"),
                         _err(lambda lib: ((lib.ones(2, 3), lib.ones(3, 2)), {"dims": -1}), RuntimeError,
                              "tensordot expects dims >= 0", "negative dims"))),
    OpSpec("kron", lambda lib, a, b: (lib.kron(a, b), a.kron(b)), _two_any(), differentiable=(0, 1)),
    OpSpec("diag", lambda lib, x, diagonal: (lib.diag(x, diagonal), x.diag()), _diag(),
           error_inputs=(_err(lambda lib: ((lib.ones(2, 2, 2),), {"diagonal": 0}), RuntimeError,
                              "diag.*Supports 1D or 2D tensors. Got 3D", "3-D input"),)),
    OpSpec("diag_embed", lambda lib, x, **kw: (lib.diag_embed(x, **kw), x.diag_embed(kw["offset"])), _diag_embed(),
           error_inputs=(_err(lambda lib: ((lib.ones(2, 3),), {"offset": 0, "dim1": 1, "dim2": -2}), RuntimeError,
                              "diagonal dimensions cannot be identical 1, -2", "identical dims"),)),
    OpSpec("trace", lambda lib, x: (lib.trace(x), x.trace()), _matrix(),
           error_inputs=(_err(lambda lib: ((lib.ones(2, 2, 2),), {}), RuntimeError,
                              "trace: expected a matrix, but got tensor with dim 3", "3-D input"),)),
    OpSpec("block_diag", lambda lib, *ts: lib.block_diag(*ts), _block_diag(), differentiable=(0, 1, 2),
           error_inputs=(_err(lambda lib: ((lib.ones(2, 2, 2),), {}), RuntimeError,
                              "block_diag: Input tensors must have 2 or fewer dimensions. Input 0 has 3 dimensions",
                              "3-D input"),)),
    OpSpec("cartesian_prod", lambda lib, *ts: lib.cartesian_prod(*ts), _vectors(), differentiable=(0, 1, 2),
           error_inputs=(_err(lambda lib: ((lib.ones(2, 2),), {}), RuntimeError, "Expect a 1D vector", "2-D input"),)),
    OpSpec("meshgrid", lambda lib, *ts, indexing, as_list: (lib.meshgrid(list(ts), indexing=indexing) if as_list
                                                            else lib.meshgrid(*ts, indexing=indexing)),
           _meshgrid(), differentiable=(0, 1, 2),
           notes="outputs are expanded views of the inputs; torch's warning for a missing indexing= is not copied",
           error_inputs=(_err(lambda lib: ((lib.ones(2), lib.ones(3)), {"indexing": "yx", "as_list": False}),
                              RuntimeError, "meshgrid: indexing must be one of \"xy\" or \"ij\"", "unknown indexing"),
                         _err(lambda lib: ((lib.ones(2, 2), lib.ones(3)), {"indexing": "ij", "as_list": True}),
                              RuntimeError, "meshgrid: Expected 0D or 1D tensor", "2-D input"))),
    OpSpec("repeat_interleave", lambda lib, x, repeats, dim: (x.repeat_interleave(repeats, dim),
                                                              lib.repeat_interleave(x, repeats, dim=dim)),
           _repeat_interleave(),
           error_inputs=(_err(lambda lib: ((lib.ones(2, 3),), {"repeats": -1, "dim": 0}), RuntimeError,
                              "repeats can not be negative", "negative repeats"),)),
    OpSpec("repeat_interleave_tensor", lambda lib, x, reps, dim: (x.repeat_interleave(reps, dim=dim),
                                                                  lib.repeat_interleave(reps.reshape(-1))),
           _repeat_interleave(tensor_repeats=True), notes="per-element repeats; repeat_interleave(repeats) alone",
           error_inputs=(_err(lambda lib: ((lib.ones(2, 3), lib.tensor([1, 2])), {"dim": 1}), RuntimeError,
                              "repeats must have the same size as input along dim", "length mismatch"),)),
    OpSpec("tile", lambda lib, x, dims: (x.tile(dims), lib.tile(x, dims)), _tile(),
           error_inputs=(_err(lambda lib: ((lib.ones(3),), {"dims": (2, -2)}), RuntimeError, "negative dimension -6",
                              "a negative count"),)),
    OpSpec("unfold", lambda lib, x, dimension, size, step: x.unfold(dimension, size, step), _unfold(),
           notes="windows that do not overlap (step >= size): a writable view, so in-place on it goes through the "
                 "base (CopySlices)",
           error_inputs=(_err(lambda lib: ((lib.ones(2, 3),), {"dimension": 1, "size": 4, "step": 1}), RuntimeError,
                              "maximum size for tensor at dimension 1 is 3 but size is 4", "size too large"),
                         _err(lambda lib: ((lib.ones(2, 3),), {"dimension": 1, "size": 2, "step": 0}), RuntimeError,
                              "step is 0 but must be > 0", "step 0"))),
    OpSpec("unfold_overlapping", lambda lib, x, dimension, size, step: x.unfold(dimension, size, step),
           _unfold(overlapping=True),
           divergences=(Divergence("in-place on output: overlapping unfold windows are read-only in impl",
                                   "torch lets an in-place op write through windows that share memory, with a result "
                                   "that depends on the order of the writes; impl's overlapping view is read-only, "
                                   "so such an in-place op raises"),)),
    OpSpec("rot90", lambda lib, x, k, dims: (x.rot90(k, dims), lib.rot90(x)), _rot90(),
           error_inputs=(_err(lambda lib: ((lib.ones(2, 2),), {"k": 1, "dims": (0, 0)}), RuntimeError,
                              "expected rotation dims to be different", "same dims"),
                         _err(lambda lib: ((lib.ones(2, 2),), {"k": 1, "dims": (0,)}), RuntimeError,
                              "expected total rotation dims == 2", "one dim"),
                         _err(lambda lib: ((lib.ones(2),), {"k": 1, "dims": (0, 1)}), RuntimeError,
                              "expected total dims >= 2", "1-D input"))),
    OpSpec("cross", lambda lib, a, b, dim, method=True: a.cross(b, dim) if method else lib.cross(a, b, dim=dim),
           _cross(), differentiable=(0, 1), notes="dim=None: the first dim of size 3 (torch's deprecated default)",
           error_inputs=(_err(lambda lib: ((lib.ones(2, 3), lib.ones(2, 3)), {"dim": 0}), RuntimeError,
                              "linalg.cross: inputs dimension 0 must have length 3. Got 2 and 2", "dim of size 2"),)),
    OpSpec("diff", lambda lib, x, p, a, n, dim: (lib.diff(x, n, dim), x.diff(n=n, dim=dim, prepend=p, append=a)),
           _diff(), differentiable=(0, 1, 2),
           error_inputs=(_err(lambda lib: ((lib.ones(()), lib.ones(()), lib.ones(())), {"n": 1, "dim": 0}),
                              RuntimeError, "diff expects input to be at least one-dimensional", "0-d input"),
                         _err(lambda lib: ((lib.ones(3), lib.ones(1), lib.ones(1)), {"n": -1, "dim": 0}),
                              RuntimeError, "order must be non-negative but got -1", "negative n"))),
    OpSpec("atleast_nd", _atleast, _stackable(), differentiable=(0, 1),
           notes="one tensor: a tensor; several (or a list): a tuple; already large enough: the input itself"),
    OpSpec("ravel", lambda lib, x: (x.ravel(), lib.ravel(x)), _stackable(n=1)),
    OpSpec("tensor_split", lambda lib, x, sections, dim: (x.tensor_split(sections, dim),
                                                          lib.tensor_split(x, sections, dim=dim)), _split(),
           notes="sections (uneven) or indices (out of range, negative, unsorted)",
           error_inputs=(_err(lambda lib: ((lib.ones(3),), {"sections": 0, "dim": 0}), RuntimeError,
                              "number of sections must be larger than 0, got 0", "0 sections"),)),
    OpSpec("tensor_split_tensor", lambda lib, x, sections, dim: x.tensor_split(sections, dim=dim),
           _tensor_split_tensor(), notes="sections or indices as an int64 tensor (0-d or 1-d)",
           no_forward_ad="torch.func.jvp cannot run tensor_split with a tensor of indices (torch reads the index "
                         "tensor's data pointer, which fails inside torch.func); the same splits with int and list "
                         "arguments run forward mode in spec tensor_split"),
    OpSpec("hsplit", lambda lib, x, sections: (x.hsplit(sections), lib.hsplit(x, sections)), _split("hsplit"),
           error_inputs=(_err(lambda lib: ((lib.ones(2, 3),), {"sections": 2}), RuntimeError,
                              "hsplit attempted to split along dimension 1, but the size of the dimension 3 is not "
                              "divisible by the split_size 2", "uneven sections"),)),
    OpSpec("vsplit", lambda lib, x, sections: (x.vsplit(sections), lib.vsplit(x, sections)), _split("vsplit"),
           error_inputs=(_err(lambda lib: ((lib.ones(3),), {"sections": 1}), RuntimeError,
                              "vsplit requires a tensor with at least 2 dimension", "1-D input"),)),
    OpSpec("dsplit", lambda lib, x, sections: (x.dsplit(sections), lib.dsplit(x, sections)), _split("dsplit")),
    OpSpec("dstack", lambda lib, a, b: (lib.dstack([a, b]), lib.dstack((a,))), _stackable(), differentiable=(0, 1)),
    OpSpec("column_stack", lambda lib, *ts: lib.column_stack(ts), _column_stack(), differentiable=(0, 1, 2)),
    OpSpec("tril_triu_indices", lambda lib, row, col, offset: (lib.tril_indices(row, col, offset),
                                                               lib.triu_indices(row, col, offset=offset),
                                                               lib.tril_indices(row, col, dtype=lib.int64)),
           _tri_indices(), differentiable=(), gradcheck=False),
    OpSpec("combinations", lambda lib, x, r, with_replacement: lib.combinations(x, r, with_replacement),
           _combinations(),
           error_inputs=(_err(lambda lib: ((lib.ones(2, 2),), {"r": 2, "with_replacement": False}), RuntimeError,
                              r"Expect a 1D vector, but got shape \[2, 2\]", "2-D input"),)),
]
