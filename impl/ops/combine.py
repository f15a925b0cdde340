"""Ops that combine, rearrange or build tensors from others: einsum, tensordot, kron, diag/diag_embed/trace,
block_diag, cartesian_prod, meshgrid, repeat_interleave, tile, unfold, rot90, cross, diff, atleast_nd, ravel, the
tensor_split family, dstack/column_stack, tril/triu_indices and combinations.

All are composites of existing differentiable ops (permute, reshape, expand, matmul, sum, diagonal, cat, getitem,
index_select, flip, ...): no derivative is written here, so every one is differentiable to any order. The exception
is ``Tensor.unfold``, a strided view whose derivative (an index-add of the windows) is given beside it.
"""
from __future__ import annotations

import builtins

import numpy as np

from .. import _dtype
from .._autograd import also_saves, apply
from .._dtype import result_type
from .._tensor import Tensor
from ._common import ensure_tensor, norm_dim
from ._registry import op
from .elementwise import mul, ne, sub
from .linalg import matmul, mm
from .reduce import sum as _sum
from .shape import (
    _diagonal_embed,
    _index_add,
    _view,
    cat,
    diagonal,
    expand,
    flip,
    getitem,
    index_select,
    narrow,
    permute,
    repeat,
    reshape,
    select,
    stack,
    transpose,
)


def _prod(sizes):
    n = 1
    for s in sizes:
        n *= int(s)
    return n


# ---- einsum ----------------------------------------------------------------------------------------------------
def _parse_term(term, ndim, k):
    """The labels of one operand: its letters, with ``...`` expanded to ('...', j) labels (right-aligned)."""
    if term.count("...") > 1 or term.replace("...", "").count(".") > 0:
        raise RuntimeError(f"einsum(): found more than one ellipsis or a stray '.' in the subscripts of operand {k}: "
                           f"{term!r}")
    for c in term.replace("...", ""):
        if not c.isascii() or not c.isalpha():
            raise RuntimeError(f"einsum(): invalid subscript given at index {term.index(c)} in the equation string, "
                               f"subscripts must be in [a-zA-Z] (got {c!r})")
    if "..." in term:
        head, tail = term.split("...")
        n_ell = ndim - len(head) - len(tail)
        if n_ell < 0:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(head) + len(tail)}) is more "
                               f"than the number of dimensions ({ndim}) for operand {k}")
        return list(head) + [("...", n_ell, j) for j in range(n_ell)] + list(tail)
    if len(term) != ndim:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(term)}) does not match the "
                           f"number of dimensions ({ndim}) for operand {k} and no ellipsis was given")
    return list(term)


def _sublist_equation(args):
    """einsum(op1, [0, 1], op2, [1, 2], [0, 2]) as an equation string and its operands."""
    def letters(sub):
        out = ""
        for s in sub:
            if s is Ellipsis:
                out += "..."
            elif isinstance(s, (int, np.integer)) and 0 <= s < 52:
                out += chr(ord("A") + s) if s < 26 else chr(ord("a") + s - 26)
            else:
                raise RuntimeError(f"einsum(): expected subscript to be within the range [0, 52) (got {s!r})")
        return out

    pairs, out = (args[:-1], letters(args[-1])) if len(args) % 2 else (args, None)  # odd: a trailing output list
    ops, terms = list(pairs[0::2]), [letters(s) for s in pairs[1::2]]
    eq = ",".join(terms) + ("->" + out if out is not None else "")
    return eq, ops


@op(method=False)
def einsum(*args):
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand")
    if isinstance(args[0], str):
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    else:
        equation, operands = _sublist_equation(args)
    for k, t in enumerate(operands):
        ensure_tensor(t, "einsum", f"operands[{k}]")
        if t._data.dtype != operands[0]._data.dtype:  # torch's einsum does not promote
            raise RuntimeError(f"einsum(): expected scalar type {operands[0].dtype.name} but found {t.dtype.name} "
                               f"(operand {k})")
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        more = "more" if len(operands) > len(terms) else "fewer"
        raise RuntimeError(f"einsum(): {more} operands were provided than specified in the equation "
                           f"({len(operands)} operands, {len(terms)} subscript groups in {equation!r})")
    labels = [_parse_term(term, t._data.ndim, k) for k, (term, t) in enumerate(zip(terms, operands))]
    n_ell = builtins.max([sum(1 for lab in ls if isinstance(lab, tuple)) for ls in labels] + [0])
    # Ellipsis dims are right-aligned across operands (they broadcast): relabel by their position from the right.
    labels = [[("...", n_ell - lab[1] + lab[2]) if isinstance(lab, tuple) else lab for lab in ls] for ls in labels]
    ell = [("...", j) for j in range(n_ell)]
    if arrow:
        if rhs.count("...") > 1 or rhs.replace("...", "").count("."):
            raise RuntimeError(f"einsum(): found more than one ellipsis or a stray '.' in the output {rhs!r}")
        head, _, tail = rhs.partition("...")
        out = list(head) + (ell if "..." in rhs else []) + list(tail)
        seen = set()
        for c in out:
            if c in seen:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            seen.add(c)
            if not isinstance(c, tuple) and not any(c in ls for ls in labels):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                                   "operand")
    else:
        counts = {}
        for ls in labels:
            for lab in ls:
                if not isinstance(lab, tuple):
                    counts[lab] = counts.get(lab, 0) + 1
        out = ell + sorted(c for c, n in counts.items() if n == 1)
    _label_sizes(operands, labels)  # the broadcasting check
    ts = [_take_diagonals(t, ls, k) for k, (t, ls) in enumerate(zip(operands, labels))]
    ts, labels = [t for t, _ in ts], [ls for _, ls in ts]
    if len(ts) == 1:
        t, ls = _sum_labels(ts[0], labels[0], set(out))
        if ls != out:
            return permute(t, [ls.index(c) for c in out])
        return reshape(t, t._data.shape) if t is operands[0] else t  # the identity equation: a view, as torch's
    t, ls = _contract_all(ts, labels, out, ell)
    keep = [c for c in ls if c in out]
    if len(keep) != len(ls):  # the contracted labels left all have size 1
        t, ls = reshape(t, tuple(t._data.shape[ls.index(c)] for c in keep)), keep
    return permute(t, [ls.index(c) for c in out]) if ls != out else t


def _label_sizes(operands, labels):
    """The size of each label: equal across operands, or 1 where it broadcasts."""
    sizes = {}
    for k, (t, ls) in enumerate(zip(operands, labels)):
        for lab, n in zip(ls, t._data.shape):
            if n != 1:
                if sizes.get(lab, n) not in (1, n):
                    name = "..." if isinstance(lab, tuple) else lab
                    raise RuntimeError(f"einsum(): subscript {name} has size {n} for operand {k} which does not "
                                       f"broadcast with previously seen size {sizes[lab]}")
                sizes[lab] = n
            else:
                sizes.setdefault(lab, 1)
    return sizes


def _take_diagonals(t, ls, k):
    """A label repeated within one operand (``ii->i``) takes that operand's diagonal."""
    ls = list(ls)
    while len(set(ls)) != len(ls):
        lab = next(c for c in ls if ls.count(c) > 1)
        p = ls.index(lab)
        q = ls.index(lab, p + 1)
        n, m = t._data.shape[p], t._data.shape[q]
        if n != m:
            raise RuntimeError(f"einsum(): subscript {lab} is repeated for operand {k} but the sizes don't match, "
                               f"{m} != {n}")
        t = diagonal(t, 0, p, q)  # drops dims p and q, appends the diagonal
        ls = [c for i, c in enumerate(ls) if i not in (p, q)] + [lab]
    return t, ls


def _sum_labels(t, ls, keep):
    axes = [i for i, c in enumerate(ls) if c not in keep]
    if not axes:
        return t, ls
    return _sum(t, tuple(axes)), [c for c in ls if c in keep]


def _nontrivial(t, ls, c):
    return c in ls and t._data.shape[ls.index(c)] != 1


def _contract_all(ts, labels, out, ell):
    """torch's contraction of two or more operands, left to right: a summed label is summed out of an operand as soon
    as no other operand still has it with a size other than 1, and contracted in a batched matmul by the pair holding
    its last two such occurrences; a pair with nothing to contract is multiplied elementwise. Following torch's order
    step by step makes the same tensors reach the products (which save them), so that an in-place edit of an operand
    after the forward makes backward raise exactly where torch's does (and the same sums come first)."""
    out_set = set(out)
    # torch's order of the aligned dims: the output's, then a summed ellipsis, then the summed labels A-Z, a-z
    summed = [c for c in ell if c not in out_set] + sorted(
        {c for ls in labels for c in ls if not isinstance(c, tuple) and c not in out_set})
    order = list(out) + summed
    counts = {c: sum(_nontrivial(t, ls, c) for t, ls in zip(ts, labels)) for c in summed}
    ops = list(zip(ts, labels))
    while len(ops) > 1:
        (a, la), (b, lb) = ops[0], ops[1]
        pair, a_only, b_only = [], [], []
        for c in summed:
            na, nb = _nontrivial(a, la, c), _nontrivial(b, lb, c)
            if na and nb:
                counts[c] -= 1
                if counts[c] == 1:
                    pair.append(c)
                    counts[c] = 0
            elif counts[c] == 1 and (na or nb):
                (a_only if na else b_only).append(c)
                counts[c] = 0
        a, la = _sum_labels(a, la, set(la) - set(a_only))
        b, lb = _sum_labels(b, lb, set(lb) - set(b_only))
        ops[:2] = [_sumproduct_pair(a, la, b, lb, pair, order)]
    return ops[0]


def _aligned(t, ls, labs):
    """``t`` (labels ``ls``) as a view with one dim per label of ``labs``, in that order (size 1 where absent)."""
    perm = [ls.index(c) for c in labs if c in ls]
    if perm != list(range(len(perm))):
        t = permute(t, perm)
    shape = tuple(t._data.shape[[c for c in labs if c in ls].index(c)] if c in ls else 1 for c in labs)
    return t if t._data.shape == shape else reshape(t, shape)


def _sumproduct_pair(a, la, b, lb, pair, order):
    """(the product of ``a`` and ``b`` summed over the labels ``pair``, its labels), as torch's sumproduct_pair: an
    elementwise product when nothing is summed, else one batched matmul of the permuted and flattened operands."""
    union = [c for c in order if c in la or c in lb]
    if not pair:
        return mul(_aligned(a, la, union), _aligned(b, lb, union)), union
    lro = [c for c in union if c not in pair and _nontrivial(a, la, c) and _nontrivial(b, lb, c)]
    lo = [c for c in union if c not in pair and c not in lro and _nontrivial(a, la, c)]
    ro = [c for c in union if c not in pair and c not in lro and c not in lo]

    def size(c):
        return a._data.shape[la.index(c)] if _nontrivial(a, la, c) else b._data.shape[lb.index(c)] if c in lb else 1

    def flat(t, ls, groups):
        first = [c for g in groups for c in g if c in ls]
        t = permute(t, [ls.index(c) for c in first] + [i for i, c in enumerate(ls) if c not in first])
        return reshape(t, tuple(_prod(size(c) for c in g) for g in groups))

    r = matmul(flat(a, la, (lro, lo, pair)), flat(b, lb, (lro, pair, ro)))
    return reshape(r, tuple(size(c) for c in lro + lo + ro)), lro + lo + ro


# ---- products --------------------------------------------------------------------------------------------------
@op(method=False)
def tensordot(a, b, dims=2, out=None):
    ensure_tensor(a, "tensordot", "a")
    ensure_tensor(b, "tensordot", "b")
    if isinstance(dims, Tensor):
        dims = dims._data.tolist()
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > builtins.min(a._data.ndim, b._data.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(a._data.ndim - dims, a._data.ndim)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, (int, np.integer)) else list(da)
        db = [db] if isinstance(db, (int, np.integer)) else list(db)
        if len(da) != len(db):
            raise RuntimeError(f"both dimension lists should have same length (got {len(da)} and {len(db)})")
    da = [norm_dim(d, a._data.ndim, "tensordot") for d in da]
    db = [norm_dim(d, b._data.ndim, "tensordot") for d in db]
    # torch's algorithm, so that the same tensors reach the product (and its saved set): a contracted dim of size 1
    # on one side is summed out of the other side first (a broadcast, as torch allows), the rest is one mm of
    # permuted and reshaped operands.
    t1, t2, csize = a, b, 1
    for i, j in zip(da, db):
        s1, s2 = a._data.shape[i], b._data.shape[j]
        if s2 == 1:
            t1 = _sum(t1, i, keepdim=True)
        elif s1 == 1:
            t2 = _sum(t2, j, keepdim=True)
        elif s1 != s2:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {s1} in dim {i} and second "
                               f"has size {s2} in dim {j}")
        else:
            csize *= s1
    free1 = [i for i in range(a._data.ndim) if i not in da]
    free2 = [j for j in range(b._data.ndim) if j not in db]
    sizes1 = [t1._data.shape[i] for i in free1]
    sizes2 = [t2._data.shape[j] for j in free2]
    t1 = reshape(permute(t1, free1 + da), (int(np.prod(sizes1)), csize))
    t2 = reshape(permute(t2, db + free2), (csize, int(np.prod(sizes2))))
    return reshape(mm(t1, t2), tuple(sizes1 + sizes2))


@op
def kron(input, other):
    nd = builtins.max(input._data.ndim, other._data.ndim)
    sa = (1,) * (nd - input._data.ndim) + input._data.shape
    sb = (1,) * (nd - other._data.ndim) + other._data.shape
    a = _unsafe_view(input, tuple(v for s in sa for v in (s, 1)))
    b = _unsafe_view(other, tuple(v for s in sb for v in (1, s)))
    return reshape(mul(a, b), tuple(p * q for p, q in zip(sa, sb)))


def _unsafe_view(t, shape):
    """``t`` reshaped, sharing its memory but not its version counter (torch's ``_unsafe_view``, which its kron
    multiplies): the product saves these, so an in-place edit of kron's inputs after the forward does not make
    backward raise, as in torch."""
    in_shape = t._data.shape
    return apply("UnsafeViewBackward0", t._data.reshape(shape), (t,), lambda g: (reshape(g, in_shape),))


# ---- diagonals -------------------------------------------------------------------------------------------------
@op
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    ensure_tensor(input, "diag_embed")
    x = input._data
    nd = x.ndim + 1
    d1, d2 = norm_dim(dim1, nd, "diag_embed"), norm_dim(dim2, nd, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = x.shape[-1] if x.ndim else 1
    m = n + abs(int(offset))
    rest = list(x.shape[:-1])
    shape = []
    for k in range(nd):
        shape.append(m if k in (d1, d2) else rest.pop(0))
    t = input if x.ndim else reshape(input, (1,))
    return _diagonal_embed(t, tuple(shape), int(offset), d1, d2)


@op
def diag(input, diagonal=0):
    nd = input._data.ndim
    if nd == 1:
        return diag_embed(input, diagonal)
    if nd == 2:  # a copy, as torch's diag (diagonal() is the view)
        return _diagonal_of(input, diagonal).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


def _diagonal_of(input, offset):
    return diagonal(input, offset, 0, 1)


@op
def trace(input):
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return _sum(diagonal(input))


@op(method=False)
def block_diag(*tensors):
    mats = []
    for k, t in enumerate(tensors):
        ensure_tensor(t, "block_diag", f"tensors[{k}]")
        nd = t._data.ndim
        if nd > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {k} has {nd} "
                               "dimensions")
        mats.append(t if nd == 2 else reshape(t, (1, -1) if nd == 1 else (1, 1)))
    dt = _dtype.to_impl(result_type(*tensors)) if tensors else _dtype.float32
    width = builtins.sum(m._data.shape[1] for m in mats)
    rows, col = [], 0
    for m in mats:
        r, c = m._data.shape
        if m.dtype is not dt:
            m = m.to(dt)
        left = Tensor._wrap(_dtype.full_array((r, col), 0, dt))
        right = Tensor._wrap(_dtype.full_array((r, width - col - c), 0, dt))
        rows.append(cat([left, m, right], 1))
        col += c
    if not rows:
        return Tensor._wrap(_dtype.full_array((0, 0), 0, dt))
    return cat(rows, 0)


# ---- grids and repeats -----------------------------------------------------------------------------------------
def _tensor_list(tensors, op):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for k, t in enumerate(tensors):
        ensure_tensor(t, op, f"tensors[{k}]")
    return tuple(tensors)


@op(method=False)
def meshgrid(*tensors, indexing=None):
    tensors = _tensor_list(tensors, "meshgrid")
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not tensors:
        raise RuntimeError("torch.meshgrid: Expects at least one tensor")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                               f"{tuple(t._data.shape)}")
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    n = len(tensors)
    pos = list(range(n))
    if indexing == "xy" and n >= 2:
        pos[0], pos[1] = 1, 0
    sizes = [t._data.size for t in tensors]
    shape = [0] * n
    for k in range(n):
        shape[pos[k]] = sizes[k]
    out = []
    for k, t in enumerate(tensors):
        view = [1] * n
        view[pos[k]] = sizes[k]
        out.append(expand(reshape(t, tuple(view)), tuple(shape)))
    return tuple(out)


@op(method=False)
def cartesian_prod(*tensors):
    tensors = _tensor_list(tensors, "cartesian_prod")
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)


@op
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    ensure_tensor(input, "repeat_interleave")
    if repeats is None:  # repeat_interleave(repeats): the indices 0..n-1, each repeated
        r = input._data
        if r.ndim != 1 or r.dtype.kind not in "iu":
            raise RuntimeError(f"repeat_interleave only accept 1D vector as repeat (got shape {tuple(r.shape)}, "
                               f"dtype {r.dtype})")
        if r.size and r.min() < 0:
            raise RuntimeError("repeats can not be negative")
        return Tensor._wrap(np.repeat(np.arange(r.size, dtype=np.int64), r.reshape(-1)))
    x = input
    if dim is None:
        x, d = reshape(input, (-1,)), 0
    else:
        d = norm_dim(dim, input._data.ndim, "repeat_interleave")
        if input._data.ndim == 0:
            x = reshape(input, (1,))
    n = x._data.shape[d]
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.ndim > 1:
            raise RuntimeError("repeat_interleave: repeats must be 0-dim or 1-dim tensor")
        r = r.reshape(-1)
        if r.size == 1:
            r = np.repeat(r, n)
        elif r.size != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{r.size} and input.size({d}) = {n}")
    else:
        if int(repeats) < 0:  # checked even when there is nothing to repeat, as torch
            raise RuntimeError(f"repeat_interleave: repeats can not be negative (Repeats must be non-negative, got "
                               f"{int(repeats)})")
        r = np.full(n, int(repeats), dtype=np.int64)
    if r.size and r.min() < 0:
        raise RuntimeError("repeats can not be negative")
    idx = np.repeat(np.arange(n, dtype=np.int64), r)
    if output_size is not None and int(output_size) != idx.size:
        raise RuntimeError(f"repeat_interleave: allocated size {output_size} does not match required size {idx.size}")
    return index_select(x, d, Tensor._wrap(idx))


@op
def tile(input, dims, *more):
    dims = (dims, *more) if more or isinstance(dims, (int, np.integer)) else tuple(dims)
    dims = tuple(int(v) for v in dims)
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + dims
    return repeat(input, dims)


@op(function=False)
def unfold(input, dimension, size, step):
    """All windows of ``size`` elements along ``dimension``, ``step`` apart, as a new last dim: a strided view of the
    input (as torch's). Overlapping windows (step < size) make a read-only view, so an in-place op on it is refused,
    as torch refuses writes where several elements share one memory location."""
    ensure_tensor(input, "unfold")
    x = input._data
    t = input if x.ndim else reshape(input, (1,))
    xa = t._data
    d = norm_dim(dimension, x.ndim, "unfold")
    n = xa.shape[d]
    size, step = int(size), int(step)
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    w = (n - size) // step + 1
    shape = xa.shape[:d] + (w,) + xa.shape[d + 1:] + (size,)
    strides = xa.strides[:d] + (xa.strides[d] * step,) + xa.strides[d + 1:] + (xa.strides[d],)
    writeable = bool(xa.flags.writeable and (step >= size or w <= 1))
    out = np.lib.stride_tricks.as_strided(xa, shape, strides, writeable=writeable)
    nd = len(shape)
    index = []
    for k in range(xa.ndim):  # where each element of the windows comes from, as broadcast index arrays
        at = [1] * nd
        if k == d:
            at[d] = w
            start = (np.arange(w, dtype=np.int64) * step).reshape(at)
            last = [1] * nd
            last[-1] = size
            index.append(start + np.arange(size, dtype=np.int64).reshape(last))
        else:
            at[k] = xa.shape[k]
            index.append(np.arange(xa.shape[k], dtype=np.int64).reshape(at))
    index = tuple(index)
    in_shape = xa.shape
    r = _view("UnfoldBackward0", out, t, lambda g: (_index_add(g, in_shape, index),))
    return r if x.ndim else reshape(r, (size,))


# ---- rotations, cross products, differences --------------------------------------------------------------------
@op
def rot90(input, k=1, dims=(0, 1)):
    dims = list(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    a, b = norm_dim(dims[0], nd, "rot90"), norm_dim(dims[1], nd, "rot90")
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {a} and dim1 = {b}")
    k = int(k) % 4
    if k == 1:
        return transpose(flip(input, (b,)), a, b)
    if k == 2:
        return flip(input, (a, b))
    if k == 3:
        return transpose(flip(input, (a,)), a, b)
    return input.clone()


@op
def cross(input, other, dim=None):
    ensure_tensor(input, "cross")
    ensure_tensor(other, "cross", "other")
    if input._data.ndim != other._data.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions (got "
                           f"{tuple(input._data.shape)} and {tuple(other._data.shape)})")
    shape = np.broadcast_shapes(input._data.shape, other._data.shape) if _broadcastable(input, other) else None
    if shape is None:
        raise RuntimeError(f"linalg.cross: the shapes {tuple(input._data.shape)} and {tuple(other._data.shape)} do "
                           "not broadcast")
    if dim is None:  # torch's deprecated default: the first dim of size 3
        dim = next((k for k, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError(f"no dimension of size 3 in input (shapes {tuple(input._data.shape)} and "
                               f"{tuple(other._data.shape)})")
    d = norm_dim(dim, len(shape), "cross")
    if input._data.shape[d] != 3 or other._data.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {d} must have length 3. Got {input._data.shape[d]} and "
                           f"{other._data.shape[d]}")
    a = [select(input, d, i) for i in range(3)]
    b = [select(other, d, i) for i in range(3)]
    c = [sub(mul(a[(i + 1) % 3], b[(i + 2) % 3]), mul(a[(i + 2) % 3], b[(i + 1) % 3])) for i in range(3)]
    return stack(c, d)


def _broadcastable(a, b):
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        return False
    return True


@op
def diff(input, n=1, dim=-1, prepend=None, append=None):
    ensure_tensor(input, "diff")
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    n = int(n)
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = norm_dim(dim, nd, "diff")
    parts = [p for p in (prepend, input, append) if p is not None]
    for p in parts:
        ensure_tensor(p, "diff", "prepend/append")
        if p._data.ndim != nd:
            raise RuntimeError(f"diff expects prepend or append to be the same dimension as input (got shapes "
                               f"{tuple(p._data.shape)} and {tuple(input._data.shape)})")
        for k in range(nd):
            if k != d and p._data.shape[k] != input._data.shape[k]:
                raise RuntimeError(f"diff expects the shape of tensor to prepend or append to match that of input "
                                   f"except along the differencing dimension; input.size({k}) = "
                                   f"{input._data.shape[k]}, but got tensor.size({k}) = {p._data.shape[k]}")
    if n == 0:
        return input.clone()  # torch: a copy of the input once prepend and append are checked, which it then ignores
    x = cat(parts, d) if len(parts) > 1 else input
    is_bool = x._data.dtype == np.bool_
    for _ in range(n):
        m = x._data.shape[d]
        if m == 0:
            break
        hi, lo = narrow(x, d, 1, m - 1), narrow(x, d, 0, m - 1)
        x = ne(hi, lo) if is_bool else sub(hi, lo)
    return x


# ---- dims and splits -------------------------------------------------------------------------------------------
def _atleast(tensors, nd, op):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    tensors = _tensor_list(tensors, op)
    out = []
    for t in tensors:
        s = t._data.shape
        if len(s) >= nd:
            out.append(t)
        elif nd == 1:
            out.append(reshape(t, (1,)))
        elif nd == 2:
            out.append(reshape(t, (1,) * (2 - len(s)) + s))
        else:  # 0-d -> (1, 1, 1); (n,) -> (1, n, 1); (m, n) -> (m, n, 1)
            out.append(reshape(t, (1, 1, 1) if not s else (1, s[0], 1) if len(s) == 1 else s + (1,)))
    return out[0] if single else tuple(out)


@op(method=False)
def atleast_1d(*tensors):
    return _atleast(tensors, 1, "atleast_1d")


@op(method=False)
def atleast_2d(*tensors):
    return _atleast(tensors, 2, "atleast_2d")


@op(method=False)
def atleast_3d(*tensors):
    return _atleast(tensors, 3, "atleast_3d")


@op
def ravel(input):
    return reshape(input, (-1,))


@op
def tensor_split(input, indices_or_sections, dim=0):
    ensure_tensor(input, "tensor_split")
    if input._data.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = norm_dim(dim, input._data.ndim, "tensor_split")
    n = input._data.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        a = ios._data
        if a.dtype.kind not in "iu" or a.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have integer dtype and to be a "
                               f"zero-dimensional or one-dimensional tensor (got {a.dtype}, shape {tuple(a.shape)})")
        ios = int(a) if a.ndim == 0 else [int(v) for v in a]
    if isinstance(ios, (int, np.integer)):
        k = int(ios)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        sizes = [q + 1] * r + [q] * (k - r)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
        bounds = list(zip(starts.tolist(), sizes))
    else:
        cuts = [builtins.min(builtins.max(int(c) + (n if c < 0 else 0), 0), n) for c in ios]
        edges = [0] + cuts + [n]
        bounds = []
        for lo, hi in zip(edges[:-1], edges[1:]):
            lo = builtins.min(lo, n)
            bounds.append((lo, builtins.max(hi - lo, 0)))
    return tuple(narrow(input, d, s, z) for s, z in bounds)


def _split_along(input, ios, dim, name, min_dims):
    nd = input._data.ndim
    if nd < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a tensor "
                           f"with {nd} dimensions!")
    if isinstance(ios, (int, np.integer)):
        n = input._data.shape[dim]
        if ios == 0 or n % ios:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {n} is not divisible by the split_size {ios}!")
    return tensor_split(input, ios, dim)


@op
def hsplit(input, indices_or_sections):
    return _split_along(input, indices_or_sections, 1 if input._data.ndim > 1 else 0, "hsplit", 1)


@op
def vsplit(input, indices_or_sections):
    return _split_along(input, indices_or_sections, 0, "vsplit", 2)


@op
def dsplit(input, indices_or_sections):
    return _split_along(input, indices_or_sections, 2, "dsplit", 3)


@op(method=False)
def dstack(tensors):
    return cat(list(atleast_3d(*tensors)), 2) if len(tensors) != 1 else cat([atleast_3d(tensors[0])], 2)


@op(method=False)
def column_stack(tensors):
    cols = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors]
    return cat(cols, 1)


# ---- index builders --------------------------------------------------------------------------------------------
def _tri_indices(np_fn, name, row, col, offset, dtype):
    row, col, offset = int(row), int(col), int(offset)
    if row < 0 or col < 0:
        raise RuntimeError(f"{name}: row and col must be non-negative (got row={row}, col={col})")
    i, j = np_fn(row, offset, col)
    dt = _dtype.to_np(dtype) if dtype is not None else np.dtype(np.int64)
    return Tensor._wrap(np.stack([i, j]).astype(dt).reshape(2, -1))


@op(method=False)
def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices(np.tril_indices, "tril_indices", row, col, offset, dtype)


@op(method=False)
def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices(np.triu_indices, "triu_indices", row, col, offset, dtype)


@op(method=False)
def combinations(input, r=2, with_replacement=False):
    ensure_tensor(input, "combinations")
    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")
    r = int(r)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._wrap(_dtype.empty_array((0,), input.dtype))
    n = input._data.size
    grid = np.indices((n,) * r).reshape(r, -1).T  # every r-tuple of positions, in lexicographic order
    steps = np.diff(grid, axis=1)
    keep = (steps >= 0).all(axis=1) if with_replacement else (steps > 0).all(axis=1)
    # torch's combinations masks a meshgrid of (views of) the input with masked_select, which saves it
    return also_saves(getitem(input, Tensor._wrap(np.ascontiguousarray(grid[keep]).reshape(-1, r))), input)
