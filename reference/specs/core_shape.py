"""OpSpecs for shape, view, joining/splitting and indexing ops, and the in-place ops (run on a non-leaf copy).

Indexing covers ints, slices (steps, negative bounds), None, Ellipsis, integer lists and int64 tensors (with
repeats: their gradients accumulate), two broadcast index arrays, and boolean masks.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from reference.opspec import ErrorInput, OpSpec
from reference.strategies import (
    broadcast_shapes,
    dim_of,
    nonzero_sizes,
    one_sided_pair,
    quotient_pair,
    rare_zero,
    rarely,
    rng_of,
    sample,
    shapes,
    values,
)

BAD_DIM = "Dimension out of range"


def _x(draw, r, min_dims=0, max_dims=3, min_side=0, max_side=4, domain="real"):
    shape = draw(shapes(min_dims, max_dims, min_side, max_side))
    return values(r, shape, domain)


@st.composite
def _unary(draw, min_dims=0, max_dims=3, min_side=0, max_side=4, **options):
    r = rng_of(draw)
    x = _x(draw, r, min_dims, max_dims, min_side, max_side)
    return sample(x, **{k: draw(v(x.shape)) if callable(v) else draw(v) for k, v in options.items()})


def _factor(draw, n):
    """A random shape with ``n`` elements (size 0: some dims 0)."""
    if n == 0:
        return tuple(draw(st.sampled_from([(0,), (2, 0), (0, 3), (1, 0, 2)])))
    dims = []
    while n > 1:
        divs = [d for d in range(2, n + 1) if n % d == 0]
        d = draw(st.sampled_from(divs))
        dims.append(d)
        n //= d
    if draw(st.booleans()):
        dims.insert(draw(st.integers(0, len(dims))), 1)
    return tuple(draw(st.permutations(dims))) if dims else ()


@st.composite
def _reshape(draw):
    r = rng_of(draw)
    x = _x(draw, r)
    target = list(_factor(draw, x.size))
    if target and x.size and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return sample(x, shape=tuple(target))


@st.composite
def _reshape_as(draw):
    r = rng_of(draw)
    x = _x(draw, r)
    return sample(x, np.zeros(_factor(draw, x.size)))


@st.composite
def _flatten(draw):
    r = rng_of(draw)
    x = _x(draw, r)
    n = max(x.ndim, 1)
    s = draw(st.integers(-n, n - 1))
    e = draw(st.integers(s % n, n - 1))
    return sample(x, start_dim=s, end_dim=e - n if draw(st.booleans()) else e)


@st.composite
def _unflatten(draw):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=1)
    d = dim_of(draw, x.ndim)
    sizes = list(_factor(draw, x.shape[d])) or [1]
    if x.shape[d] and draw(st.booleans()):
        sizes[draw(st.integers(0, len(sizes) - 1))] = -1
    return sample(x, dim=d, sizes=tuple(sizes))


@st.composite
def _permute(draw):
    r = rng_of(draw)
    x = _x(draw, r)
    perm = draw(st.permutations(range(x.ndim)))
    return sample(x, dims=tuple(p - x.ndim if draw(st.booleans()) else p for p in perm))


@st.composite
def _two_dims(draw, min_dims=0):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=min_dims)
    return sample(x, dim0=dim_of(draw, x.ndim), dim1=dim_of(draw, x.ndim))


@st.composite
def _squeeze(draw):
    r = rng_of(draw)
    shape = rare_zero(draw, draw(st.lists(st.sampled_from([1, 1, 2, 3]), max_size=4)))
    x = values(r, shape)
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return sample(x)
    if kind == "int" or not shape:
        return sample(x, dim=dim_of(draw, len(shape)))
    dims = draw(st.lists(st.integers(0, len(shape) - 1), unique=True, min_size=1))
    return sample(x, dim=tuple(dims))


@st.composite
def _unsqueeze(draw):
    r = rng_of(draw)
    x = _x(draw, r)
    return sample(x, dim=draw(st.integers(-x.ndim - 1, x.ndim)))


@st.composite
def _expand(draw, as_list=False):
    r = rng_of(draw)
    shape = rare_zero(draw, draw(st.lists(st.sampled_from([1, 1, 2, 3]), max_size=3)))
    x = values(r, shape)
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    sizes = []
    for s in shape:
        opts = [s, -1] + ([2, 3] if s == 1 else [])
        sizes.append(draw(st.sampled_from(opts)))
    target = lead + sizes
    can_be_0 = list(range(len(lead))) + [len(lead) + i for i, s in enumerate(shape) if s == 1]
    if can_be_0 and draw(rarely()):  # expanding a size-1 (or new) dim to 0: present, but rare
        target[draw(st.sampled_from(can_be_0))] = 0
    target = tuple(target)
    return sample(x, size=target)


@st.composite
def _expand_as(draw):
    r = rng_of(draw)
    big, small = draw(one_sided_pair())
    return sample(values(r, small), np.zeros(big))


@st.composite
def _repeat(draw):
    r = rng_of(draw)
    x = _x(draw, r, max_side=3)
    extra = draw(st.integers(0, 2))
    if draw(st.integers(0, 3)) == 0:  # all ones: the case where reshape(expand(x)) needs no copy (regression 051)
        return sample(x, repeats=(1,) * (x.ndim + extra))
    return sample(x, repeats=rare_zero(draw, [draw(st.integers(1, 3)) for _ in range(x.ndim + extra)]))


@st.composite
def _join(draw, n=3, stack=False):
    r = rng_of(draw)
    base = list(draw(shapes(min_dims=0 if stack else 1)))
    d = draw(st.integers(-len(base) - 1, len(base))) if stack else dim_of(draw, len(base))
    arrays = []
    for _ in range(n):
        s = list(base)
        if not stack:
            s[d] = 0 if draw(rarely()) else draw(st.integers(1, 3))  # an empty part: rare
        arrays.append(values(r, s))
    return sample(*arrays, dim=d)


@st.composite
def _hvstack(draw):
    r = rng_of(draw)
    shape = draw(shapes(min_dims=0))
    return sample(values(r, shape), values(r, shape))


@st.composite
def _split(draw):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=1)
    d = dim_of(draw, x.ndim)
    n = x.shape[d]
    if draw(st.booleans()):
        size = draw(st.integers(1, 4))
    else:
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        size = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    return sample(x, split_size=size, dim=d)


@st.composite
def _one_dim(draw, min_dims=1, nonempty=False, **options):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=min_dims, min_side=1 if nonempty else 0)
    return sample(x, dim=dim_of(draw, x.ndim), **{k: draw(v) for k, v in options.items()})


@st.composite
def _flip(draw):
    r = rng_of(draw)
    x = _x(draw, r)
    dims = draw(st.lists(st.integers(0, max(x.ndim, 1) - 1), unique=True, max_size=x.ndim)) if x.ndim else []
    return sample(x, dims=tuple(dims))


@st.composite
def _roll(draw):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=1)
    if draw(st.booleans()):
        return sample(x, shifts=draw(st.integers(-5, 5)), dims=None)
    dims = draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=1, max_size=x.ndim,
                         unique_by=lambda d: d % x.ndim))
    return sample(x, shifts=tuple(draw(st.integers(-5, 5)) for _ in dims), dims=tuple(dims))


@st.composite
def _matrixlike(draw, **options):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=2)
    return sample(x, **{k: draw(v) for k, v in options.items()})


@st.composite
def _diagonal(draw):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=2)
    d1 = dim_of(draw, x.ndim)
    d2 = draw(st.sampled_from([d for d in range(x.ndim) if d != d1 % x.ndim]))
    n1, n2 = x.shape[d1], x.shape[d2]
    if n1 and n2 and not draw(rarely()):
        offset = draw(st.integers(-(n1 - 1), n2 - 1))
    else:
        offset = draw(st.integers(-3, 3))
    return sample(x, offset=offset, dim1=d1, dim2=d2)


@st.composite
def _movedim(draw):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=1)
    if draw(st.booleans()):
        return sample(x, source=dim_of(draw, x.ndim), destination=dim_of(draw, x.ndim))
    k = draw(st.integers(1, x.ndim))
    src = draw(st.permutations(range(x.ndim)))[:k]
    dst = draw(st.permutations(range(x.ndim)))[:k]
    return sample(x, source=tuple(src), destination=tuple(dst))


def _mask(draw, r, shape):
    """A random boolean mask of ``shape``; all False (nothing selected: an empty result) only rarely."""
    m = np.array(r.random(shape) < 0.5)  # an array also when 0-d (numpy gives a scalar there)
    if m.size and not m.any() and not draw(rarely()):
        m.flat[r.integers(m.size)] = True
    return m


@st.composite
def _masked(draw, tensor_value=False, select=False):
    r = rng_of(draw)
    big, small = draw(one_sided_pair())
    if select and draw(st.booleans()):
        big, small = small, big  # masked_select broadcasts both ways
    x, m = values(r, big), _mask(draw, r, small)
    if tensor_value:
        return sample(x, m, r.standard_normal(()))
    if select:
        return sample(x, m)
    return sample(x, m, value=draw(st.sampled_from([0.0, -1.5, float("-inf"), 2])))


@st.composite
def _gather(draw, take_along=False):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=1)
    d = dim_of(draw, x.ndim)
    n = x.shape[d]
    if take_along:  # the other dims broadcast (size 1 in the index), and negative indices count from the end
        ishape = tuple(draw(st.integers(1, 4)) if (i == d % x.ndim and n) else draw(st.sampled_from([s, 1]))
                       for i, s in enumerate(x.shape))
    else:
        ishape = tuple(draw(st.integers(1, 4)) if (i == d % x.ndim and n) else draw(st.integers(min(s, 1), s))
                       for i, s in enumerate(x.shape))
    if x.size and draw(rarely()):  # an empty index gathers nothing: present, but rare (not on top of an empty x)
        k = d % x.ndim if take_along else draw(st.integers(0, x.ndim - 1))  # take_along_dim: only along dim
        ishape = tuple(0 if i == k else s for i, s in enumerate(ishape))
    if n == 0:  # no valid index along d: the index must be empty there
        ishape = tuple(0 if i == d % x.ndim else s for i, s in enumerate(ishape))
    low = -n if take_along else 0  # take_along_dim counts negative indices from the end
    return sample(x, r.integers(low, max(n, 1), ishape), dim=d)


@st.composite
def _take_along_flat(draw):
    r = rng_of(draw)
    x = _x(draw, r)
    ishape = tuple(draw(st.lists(st.integers(0, 3), max_size=2))) if x.size else (0,)
    return sample(x, r.integers(0, max(x.size, 1), ishape))


@st.composite
def _index_select(draw):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=1)
    d = dim_of(draw, x.ndim)
    n = x.shape[d]
    k = nonzero_sizes(draw, 1, 5)[0] if n else 0
    shape = () if n and draw(st.booleans()) else (k,)  # a 0-d index keeps the dim (size 1)
    return sample(x, r.integers(0, max(n, 1), shape), dim=d)


@st.composite
def _narrow(draw):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=1)
    d = dim_of(draw, x.ndim)
    n = x.shape[d]
    start = draw(st.integers(-n, n - 1)) if n else 0  # a negative start counts from the end
    first = start % n if n else 0
    length = 0 if n == 0 or draw(rarely()) else draw(st.integers(1, n - first))  # length 0: rare
    if draw(rarely()):
        start, length = n, 0  # start == size is allowed (with length 0)
    return sample(x, dim=d, start=start, length=length)


@st.composite
def _select(draw):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=1, min_side=1)
    d = dim_of(draw, x.ndim)
    n = x.shape[d]
    return sample(x, dim=d, index=draw(st.integers(-n, n - 1)))


# ---- indexing ---------------------------------------------------------------------------------
def _basic_index(draw, shape, allow_int=True):
    idx = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "full"] if (allow_int and n) else ["slice", "full"]))
        if kind == "int":
            idx.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-n - 1, n + 1)))
            stop = draw(st.one_of(st.none(), st.integers(-n - 1, n + 1)))
            step = draw(st.sampled_from([None, 1, 2, 3]))
            if not len(range(*slice(start, stop, step).indices(n))) and n and not draw(rarely()):
                start, stop = draw(st.integers(-n, n - 1)), None  # an empty slice selects nothing: rare
            idx.append(slice(start, stop, step))
        else:
            idx.append(slice(None))
    # Either drop trailing full slices or put an Ellipsis in (replacing a full slice, or anywhere: with every dim
    # listed it stands for no dims) -- never both, so each int still indexes the dim it was drawn for.
    if draw(st.booleans()):
        while idx and idx[-1] == slice(None) and draw(st.booleans()):
            idx.pop()
    else:
        full = [i for i, v in enumerate(idx) if v == slice(None)]
        if full and draw(st.booleans()):
            idx[draw(st.sampled_from(full))] = Ellipsis
        else:
            idx.insert(draw(st.integers(0, len(idx))), Ellipsis)
    for _ in range(draw(st.integers(0, 2))):  # None adds a dim and consumes none
        idx.insert(draw(st.integers(0, len(idx))), None)
    return tuple(idx) if len(idx) != 1 or draw(st.booleans()) else idx[0]


@st.composite
def _getitem_basic(draw):
    r = rng_of(draw)
    x = _x(draw, r)
    return sample(x, idx=_basic_index(draw, x.shape))


@st.composite
def _getitem_list(draw):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=1)
    d = draw(st.integers(0, x.ndim - 1))
    n = x.shape[d]
    lst = [int(v) for v in r.integers(-n, n, draw(st.integers(1, 5)))] if n else []
    return sample(x, idx=(slice(None),) * d + (lst,) + ((Ellipsis,) if draw(st.booleans()) else ()))


@st.composite
def _getitem_tensor(draw, two=False):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=2 if two else 1)
    lead = draw(st.integers(0, x.ndim - (2 if two else 1)))
    n = x.shape[lead]
    ishape = draw(shapes(max_dims=2))
    i = r.integers(-n, n, ishape) if n else np.zeros((0,), np.int64)
    if not two:
        return sample(x, i, lead=lead)
    m = x.shape[lead + 1]
    jshape = draw(st.sampled_from([ishape, ishape[-1:], ()])) if n else (0,)
    j = r.integers(-m, m, jshape) if m else np.zeros((0,), np.int64)
    if not m:
        i = np.zeros((0,), np.int64)
    return sample(x, i, j, lead=lead)


@st.composite
def _getitem_mask(draw, full=False):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=1)
    k = x.ndim if full else draw(st.integers(1, x.ndim))
    return sample(x, _mask(draw, r, x.shape[:k]))


@st.composite
def _setitem(draw, tensor_value=True):
    r = rng_of(draw)
    x = _x(draw, r)
    idx = _basic_index(draw, x.shape)
    target = np.empty(x.shape)[idx].shape
    vshape = target[len(target) - draw(st.integers(0, len(target))):]
    vshape = tuple(1 if draw(st.booleans()) else s for s in vshape)
    if tensor_value:
        return sample(x, values(r, vshape), idx=idx)
    return sample(x, idx=idx, value=draw(st.sampled_from([0.0, 2.5, -1])))


@st.composite
def _setitem_advanced(draw):
    r = rng_of(draw)
    x = _x(draw, r, min_dims=1, min_side=1)
    n = x.shape[0]
    rows = sorted(set(int(v) for v in r.integers(0, n, draw(st.integers(1, n)))))  # no duplicates: deterministic
    return sample(x, values(r, (len(rows),) + x.shape[1:]), idx=rows)


# ---- in-place (on a non-leaf copy) ------------------------------------------------------------
@st.composite
def _inplace_pair(draw, domains=("real", "real"), **options):
    r = rng_of(draw)
    big, small = draw(one_sided_pair())
    return sample(values(r, big, domains[0]), values(r, small, domains[1]), **{k: draw(v) for k, v in options.items()})


@st.composite
def _inplace_div(draw):
    r = rng_of(draw)
    big, small = draw(one_sided_pair())
    x, y = quotient_pair(r, big, small)
    return sample(x, y)


@st.composite
def _bt(draw):
    r = rng_of(draw)
    sx, sy = draw(broadcast_shapes(2))
    return sample(values(r, sx), values(r, sy))


@st.composite
def _ties_x(draw):
    r = rng_of(draw)
    return sample(values(r, draw(shapes()), "ties"))


@st.composite
def _ties_some_nonzero(draw):
    """Tied values with zeros among them (nonzero's subject); an all-zero input, whose result is empty, only rarely
    (small tied arrays are all zero in about one draw in four)."""
    r = rng_of(draw)
    x = values(r, draw(shapes()), "ties")
    if x.size and not x.any() and not draw(rarely()):
        x.flat[draw(st.integers(0, x.size - 1))] = 1.0
    return sample(x)


@st.composite
def _kinkless_x(draw):
    from reference.strategies import away_from

    r = rng_of(draw)
    return sample(away_from(values(r, draw(shapes())), [0.0, -0.5, 0.5, 0.25]))



def _shape_error(method, kwargs, exc, match, note=""):
    return ErrorInput(lambda lib: ((lib.ones(2, 3),), kwargs), exc, match, note)


SPECS = [
    OpSpec("reshape", lambda lib, x, shape: x.reshape(shape), _reshape(),
           error_inputs=(_shape_error("reshape", {"shape": (4, 2)}, RuntimeError,
                                      r"reshape.*shape '\[4, 2\]' is invalid for input of size 6", "invalid reshape"),)),
    OpSpec("reshape_function", lambda lib, x, shape: lib.reshape(x, shape), _reshape()),
    # view never copies: on a tensor whose strides cannot express the shape it raises (the error input, a
    # transposed matrix), so the generic non-contiguous check runs it on a contiguous copy.
    OpSpec("view", lambda lib, x, shape, transposed=False: (x.t() if transposed else x.contiguous()).view(shape),
           _reshape(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3),), {"shape": (6,), "transposed": True}), RuntimeError,
                                    r"view size is not compatible with input tensor's size and stride",
                                    "a transposed matrix flattened"),)),
    OpSpec("view_as_reshape_as", lambda lib, x, y: (x.contiguous().view_as(y), x.reshape_as(y)), _reshape_as()),
    OpSpec("flatten", lambda lib, x, **kw: x.flatten(**kw), _flatten(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(()),), {"start_dim": 1}), IndexError,
                                    f"flatten.*{BAD_DIM}", "a 0-d input's dims are -1 and 0"),)),
    OpSpec("flatten_function", lambda lib, x, **kw: lib.flatten(x, **kw), _flatten(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(()),), {"start_dim": 0, "end_dim": 9}), IndexError,
                                    f"flatten.*{BAD_DIM}", "a 0-d input's dims are -1 and 0"),)),
    OpSpec("unflatten", lambda lib, x, dim, sizes: x.unflatten(dim, sizes), _unflatten()),
    OpSpec("permute", lambda lib, x, dims: x.permute(dims), _permute(),
           error_inputs=(_shape_error("permute", {"dims": (0, 0)}, RuntimeError, "permute.*duplicate dims", "repeated dim"),)),
    OpSpec("permute_function", lambda lib, x, dims: lib.permute(x, dims), _permute()),
    OpSpec("transpose", lambda lib, x, dim0, dim1: (x.transpose(dim0, dim1), lib.transpose(x, dim0, dim1),
                                                    x.swapaxes(dim0, dim1), lib.swapdims(x, dim0, dim1)), _two_dims(),
           error_inputs=(_shape_error("transpose", {"dim0": 0, "dim1": 2}, IndexError, f"transpose.*{BAD_DIM}"),)),
    OpSpec("t", lambda lib, x: (x.t(), lib.t(x)), _unary(max_dims=2)),
    OpSpec("T", lambda lib, x: x.T, _unary(min_dims=2, max_dims=3)),
    OpSpec("mT", lambda lib, x: x.mT, _unary(min_dims=2)),
    OpSpec("movedim", lambda lib, x, source, destination: (x.movedim(source, destination), lib.moveaxis(x, source, destination)),
           _movedim()),
    OpSpec("squeeze", lambda lib, x, **kw: x.squeeze(**kw), _squeeze()),
    OpSpec("squeeze_function", lambda lib, x, **kw: lib.squeeze(x, **kw), _squeeze()),
    OpSpec("unsqueeze", lambda lib, x, dim: (x.unsqueeze(dim), lib.unsqueeze(x, dim)), _unsqueeze()),
    OpSpec("expand", lambda lib, x, size: x.expand(size), _expand(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3),), {"size": (4, 3)}), RuntimeError,
                                    "expand.*must match the existing size", "non-singleton dim"),)),
    OpSpec("broadcast_to", lambda lib, x, size: lib.broadcast_to(x, size), _expand()),
    OpSpec("expand_as", lambda lib, x, y: (x.expand_as(y), x.broadcast_to(y.shape)), _expand_as()),
    OpSpec("broadcast_tensors", lambda lib, x, y: lib.broadcast_tensors(x, y),
           _bt(), differentiable=(0, 1)),
    OpSpec("repeat", lambda lib, x, repeats: x.repeat(repeats), _repeat(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(3),), {"repeats": (2, -1)}), RuntimeError,
                                    r"repeat.*negative dimension -3: \[2, -3\]", "a negative count"),)),
    OpSpec("contiguous", lambda lib, x: (x.contiguous(), x.mT.contiguous(), x.mT.contiguous().mT), _unary(min_dims=2)),
    OpSpec("cat", lambda lib, a, b, c, dim: lib.cat([a, b, c], dim=dim), _join(), differentiable=(0, 1, 2),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(2, 3), lib.ones(2, 4), lib.ones(2, 3)), {"dim": 0}), RuntimeError,
                          "cat.*Sizes of tensors must match except in dimension 0", "shape mismatch"),
               ErrorInput(lambda lib: ((lib.ones(2, 3), lib.ones(3), lib.ones(2, 3)), {"dim": 0}), RuntimeError,
                          "cat.*Tensors must have same number of dimensions", "rank mismatch"),
               ErrorInput(lambda lib: ((lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3)), {"dim": 2}), IndexError,
                          f"cat.*{BAD_DIM}", "dim out of range"))),
    OpSpec("concat_concatenate", lambda lib, a, b, c, dim: (lib.concat([a, b, c], dim=dim), lib.concatenate((a, b, c), dim)),
           _join(), differentiable=(0, 1, 2)),
    OpSpec("stack", lambda lib, a, b, c, dim: lib.stack([a, b, c], dim=dim), _join(stack=True), differentiable=(0, 1, 2),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3), lib.ones(3, 2), lib.ones(2, 3)), {"dim": 0}), RuntimeError,
                                    "stack expects each tensor to be equal size"),)),
    OpSpec("hstack_vstack", lambda lib, a, b: (lib.hstack([a, b]), lib.vstack([a, b])), _hvstack(), differentiable=(0, 1)),
    OpSpec("split", lambda lib, x, split_size, dim: x.split(split_size, dim=dim), _split(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(5, 2),), {"split_size": [2, 2], "dim": 0}), RuntimeError,
                                    "split_with_sizes expects split_sizes to sum exactly to 5"),)),
    OpSpec("split_function", lambda lib, x, split_size, dim: lib.split(x, split_size, dim), _split()),
    OpSpec("chunk", lambda lib, x, dim, chunks: (x.chunk(chunks, dim=dim), lib.chunk(x, chunks, dim)),
           _one_dim(chunks=st.integers(1, 5)),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(6),), {"dim": 0, "chunks": 0}), RuntimeError,
                                    "chunk expects `chunks` to be greater than 0, got: 0", "no chunks"),
                         ErrorInput(lambda lib: ((lib.ones(0, 2),), {"dim": 0, "chunks": -1}), RuntimeError,
                                    "chunk expects `chunks` to be greater than 0, got: -1", "negative, empty dim"))),
    OpSpec("unbind", lambda lib, x, dim: (x.unbind(dim), lib.unbind(x, dim=dim)), _one_dim()),
    OpSpec("flip", lambda lib, x, dims: (x.flip(dims), lib.flip(x, dims)), _flip(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dims": (0, -2)}), RuntimeError,
                                    "flip.*dim 0 appears multiple times", "the same dim twice"),)),
    OpSpec("roll", lambda lib, x, shifts, dims: (x.roll(shifts, dims), lib.roll(x, shifts, dims)), _roll(),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(3),), {"shifts": 1, "dims": 2}), IndexError, f"roll.*{BAD_DIM}",
                          "dim out of range"),
               ErrorInput(lambda lib: ((lib.ones(()),), {"shifts": 1, "dims": 0}), IndexError,
                          "roll.*tensor has no dimensions", "a 0-d input"),
               ErrorInput(lambda lib: ((lib.ones(3, 2),), {"shifts": (1,), "dims": (0, 1)}), RuntimeError,
                          "roll.*shifts and dimensions must align", "one shift, two dims"),
               ErrorInput(lambda lib: ((lib.ones(3, 2),), {"shifts": (1, 2), "dims": None}), RuntimeError,
                          "roll.*shifts and dimensions must align", "two shifts, no dims"))),
    OpSpec("tril_triu", lambda lib, x, diagonal: (x.tril(diagonal), lib.triu(x, diagonal), lib.tril(x), x.triu()),
           _matrixlike(diagonal=st.integers(-3, 3)),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(3),), {"diagonal": 0}), RuntimeError,
                                    "tril.*at least 2 dimensions"),)),
    OpSpec("diagonal", lambda lib, x, **kw: (x.diagonal(**kw), lib.diagonal(x, **kw)), _diagonal(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 2),), {"dim1": 1, "dim2": -1}), RuntimeError,
                                    "diagonal.*dimensions cannot be identical", "the same dim twice"),)),
    OpSpec("masked_fill", lambda lib, x, m, value: (x.masked_fill(m, value), lib.masked_fill(x, m, value)), _masked(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3), lib.ones(2, 3)), {"value": 0.0}), RuntimeError,
                                    "masked_fill_? only supports boolean masks"),)),
    OpSpec("masked_fill_tensor_value", lambda lib, x, m, v: x.masked_fill(m, v), _masked(tensor_value=True),
           differentiable=(0, 2), notes="the 0-d value tensor gets the sum of the masked gradient"),
    OpSpec("masked_select", lambda lib, x, m: (x.masked_select(m), lib.masked_select(x, m)), _masked(select=True)),
    OpSpec("nonzero", lambda lib, x: (x.nonzero(), lib.nonzero(x, as_tuple=True), lib.where(x != 0), lib.argwhere(x),
                                      x.argwhere()),
           _ties_some_nonzero(), differentiable=(), gradcheck=False),
    OpSpec("gather", lambda lib, x, i, dim: (x.gather(dim, i), lib.gather(x, dim, i)), _gather(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3), lib.tensor([[0, 3]])), {"dim": 1}), RuntimeError,
                                    "gather.*index 3 is out of bounds for dimension 1 with size 3", "index out of range"),
                         ErrorInput(lambda lib: ((lib.ones(2, 3), lib.tensor([[0, -1]])), {"dim": 1}), RuntimeError,
                                    "gather.*index -1 is out of bounds", "negative index"))),
    OpSpec("take_along_dim", lambda lib, x, i, dim: (lib.take_along_dim(x, i, dim=dim), x.take_along_dim(i, dim)),
           _gather(take_along=True), notes="indices broadcast against the input apart from dim; negative ones wrap",
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3), lib.tensor([[0, 1]])), {"dim": 0}), RuntimeError,
                                    "take_along_dim.*broadcast", "shapes that do not broadcast"),)),
    OpSpec("take_along_dim_flat", lambda lib, x, i: (lib.take_along_dim(x, i), x.take_along_dim(i)), _take_along_flat(),
           notes="dim=None: along the flattened input"),
    OpSpec("index_select", lambda lib, x, i, dim: (x.index_select(dim, i), lib.index_select(x, dim, i)), _index_select(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3), lib.tensor([0, 5])), {"dim": 1}), RuntimeError,
                                    "index_select.*out of", "index out of range"),
                         ErrorInput(lambda lib: ((lib.ones(2, 3), lib.tensor([-1])), {"dim": 1}), RuntimeError,
                                    "index_select.*out of range: -1 ", "negative index"))),
    OpSpec("narrow", lambda lib, x, dim, start, length: (x.narrow(dim, start, length), lib.narrow(x, dim, start, length)),
           _narrow(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": 1, "start": 2, "length": 2}), RuntimeError,
                                    r"narrow.*start \(2\) \+ length \(2\) exceeds", "start + length past the end"),
                         ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": 1, "start": -4, "length": 1}), IndexError,
                                    "narrow.*start out of range", "start before -size"))),
    OpSpec("select", lambda lib, x, dim, index: (x.select(dim, index), lib.select(x, dim, index)), _select()),
    # __getitem__
    OpSpec("getitem_basic", lambda lib, x, idx: x[idx], _getitem_basic(),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(2, 3),), {"idx": (0, 3)}), IndexError, r"index 3 is out of bounds",
                          "out-of-range int index"),
               ErrorInput(lambda lib: ((lib.ones(2, 3),), {"idx": (0, 0, 0)}), IndexError, "too many indices",
                          "too many indices"),
               ErrorInput(lambda lib: ((lib.ones(2, 3),), {"idx": 1.5}), IndexError, "only integers, slices",
                          "float index"),
           )),
    OpSpec("getitem_list", lambda lib, x, idx: x[idx], _getitem_list(),
           notes="integer lists with repeats and negative entries: gradients accumulate",
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3),), {"idx": [0, 2]}), IndexError,
                                    "index 2 is out of bounds", "out-of-range list index"),)),
    OpSpec("getitem_tensor", lambda lib, x, i, lead: x[(slice(None),) * lead + (i,)], _getitem_tensor(),
           notes="an int64 index tensor of any shape (0-d, size-0, with repeats)"),
    OpSpec("getitem_two_tensors", lambda lib, x, i, j, lead: x[(slice(None),) * lead + (i, j)], _getitem_tensor(two=True),
           notes="two broadcast index tensors on adjacent dims"),
    OpSpec("getitem_mask", lambda lib, x, m: x[m], _getitem_mask(),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3), lib.ones(3, 2, dtype=lib.bool)), {}), IndexError,
                                    "mask", "mask shape mismatch"),)),
    # __setitem__ and in-place ops, on a non-leaf copy (in-place on a leaf that requires grad raises: test_engine.py)
    OpSpec("setitem", lambda lib, x, v, idx: (z := x * 1, z.__setitem__(idx, v), z)[2], _setitem(), differentiable=(0, 1)),
    OpSpec("setitem_scalar", lambda lib, x, idx, value: (z := x.clone(), z.__setitem__(idx, value), z)[2],
           _setitem(tensor_value=False)),
    OpSpec("setitem_advanced", lambda lib, x, v, idx: (z := x.clone(), z.__setitem__(idx, v), z)[2], _setitem_advanced(),
           differentiable=(0, 1)),
    OpSpec("add_sub_mul_", lambda lib, x, y, alpha: (x * 1).add_(y, alpha=alpha).sub_(y).mul_(y),
           _inplace_pair(alpha=st.sampled_from([1, 2.0])), differentiable=(0, 1)),
    OpSpec("div_", lambda lib, x, y: (x * 1).div_(y), _inplace_div(), differentiable=(0, 1)),
    OpSpec("inplace_operators", lambda lib, x, y: ((x * 1).__iadd__(y), (x * 1).__isub__(y), (x * 1).__imul__(y),
                                                   (x * 1).__itruediv__(y), (x * 1).__ipow__(2)),
           _inplace_pair(("real", "nonzero")), differentiable=(0, 1),
           notes="each operator on its own copy: a chain ((x+y)*y-y)/y cancels, and its float32 gradient then "
                 "differs from torch's by ~1e-5 relative (float64 showed impl's error 3e-6, torch's 2.3e-5)"),
    OpSpec("unary_inplace", lambda lib, x: ((x * 1).exp_(), (x * 1).neg_(), (x * x + 0.5).sqrt_(), (x * 1).relu_(),
                                           (x * 1).clamp_(-0.5, 0.5), (x * 1).clip_(min=0.25), (x * x + 1).pow_(1.5)),
           _kinkless_x()),
    OpSpec("fill_zero_copy_", lambda lib, x, y: ((x * 1).zero_(), (x * 1).fill_(2.5), (x * 1).copy_(y)),
           _inplace_pair(), differentiable=(0, 1)),
    OpSpec("masked_fill_", lambda lib, x, m, value: (x * 1).masked_fill_(m, value), _masked()),
]


DIVERGENCES = ()
