"""OpSpecs for the scatter family: scatter (src and value forms, legacy reduce=), scatter_add, scatter_reduce,
index_add, index_copy, index_fill, index_put, masked_scatter, and their in-place Tensor methods (on a non-leaf copy,
and on a view of one: CopySlices).

Indices: unique positions where the op overwrites (scatter, index_copy, index_put without accumulate, where torch's
result with repeated positions is unspecified), repeats where values accumulate (scatter_add, index_add, index_put with
accumulate, scatter_reduce). ``src`` has the index's shape in the differentiable specs: torch's backward of scatter,
scatter_add and scatter_reduce returns a gradient of the index's shape for a larger src and then fails its own shape
check (a Divergence below: impl gives the larger src its gradient, zeros outside the index's block).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from reference.opspec import Divergence, ErrorInput, OpSpec
from reference.strategies import dim_of, distinct, rarely, rng_of, sample, shapes, values

REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _unique_along(r, full_shape, axis, k):
    """Indices in [0, full_shape[axis]), distinct along ``axis`` (k of them) at every other position."""
    order = np.argsort(r.random(full_shape), axis=axis)
    return np.take(order, np.arange(k), axis=axis).astype(np.int64)


@st.composite
def _scatter(draw, unique=True, src_larger=False, domain="real", reduces=REDUCES):
    """(x, index, src, dim): index no larger than x apart from dim (0-d x: a 0-d index), src of the index's shape
    (or larger, ``src_larger``). ``unique``: no position written twice. ``domain`` "reduce" draws the reduction too
    and matches the values to it (no ties for amax/amin, nonzero for prod)."""
    r = rng_of(draw)
    xshape = draw(shapes(max_dims=3))
    nd = len(xshape)
    dim = dim_of(draw, nd)
    xs = xshape or (1,)
    d = dim % len(xs)
    n = xs[d]
    ins = []
    for k, s in enumerate(xs):
        if k == d:
            ins.append(draw(st.integers(min(1, n), n)) if unique else (draw(st.integers(1, 4)) if n else 0))
        else:
            ins.append(draw(st.integers(min(1, s), s)))
    if nd and all(ins) and draw(rarely()):  # an empty index: present, but rare
        ins[draw(st.integers(0, nd - 1))] = 0
    if not nd:
        ins = [1]  # a 0-d x takes a 0-d index (one position)
    if unique:
        full = list(ins)
        full[d] = n
        idx = _unique_along(r, tuple(full), d, ins[d])
    else:
        idx = r.integers(0, max(n, 1), ins)
    sshape = tuple(s + (draw(st.integers(0, 1)) if src_larger else 0) for s in ins)
    if not nd:
        idx, sshape = idx.reshape(()), ()
    kw = {}
    if domain == "reduce":
        reduce = draw(st.sampled_from(reduces))
        kw = dict(reduce=reduce, include_self=draw(st.booleans()))
        domain = {"amax": "distinct", "amin": "distinct", "prod": "nonzero"}.get(reduce, "real")
    if domain == "distinct":
        x, s = distinct(r, xshape, sshape)
    else:
        x, s = values(r, xshape, domain), values(r, sshape, domain)
    return sample(x, idx, s, dim=dim, **kw)


@st.composite
def _scatter_view(draw):
    """A scatter on ``x[1]``: x stacks a second slice in front of the scatter's target."""
    s = draw(_scatter())
    x, idx, src = s.arrays
    r = rng_of(draw)
    return sample(np.stack([values(r, x.shape), x]), idx, src, **s.kwargs)


@st.composite
def _ties(draw):
    """scatter_reduce amax/amin with ties among src values and with self: torch splits the gradient evenly."""
    r = rng_of(draw)
    s = draw(_scatter(unique=False))
    x, idx, src = s.arrays
    include_self = draw(st.booleans())
    # An excluded self is kept off the src values: torch still counts an excluded self that equals the result among
    # the ties (a Divergence below), so the src values would get only part of the gradient.
    xv = values(r, x.shape, "ties") + (0.0 if include_self else 0.5)
    return sample(xv, idx, values(r, src.shape, "ties"), dim=s.kwargs["dim"],
                  reduce=draw(st.sampled_from(["amax", "amin"])), include_self=include_self)


@st.composite
def _index_along(draw, unique=True, wrap=False, value=False):
    """(x, index, source, dim) for index_add/index_copy/index_fill: a 1-D index along dim (0-d rarely), source of
    x's shape with len(index) along dim."""
    r = rng_of(draw)
    xshape = draw(shapes(max_dims=3))
    nd = len(xshape)
    dim = dim_of(draw, nd)
    xs = xshape or (1,)
    d = dim % len(xs)
    n = xs[d]
    if unique:
        k = draw(st.integers(min(1, n), n))
        idx = r.permutation(n)[:k].astype(np.int64)
    else:
        k = draw(st.integers(1, 5)) if n else 0
        idx = r.integers(0, max(n, 1), k)
    if not nd:
        idx = idx[:1]  # a 0-d x takes one index (torch's dim check refuses more)
        k = 1
    if wrap and n:
        idx = idx - n * r.integers(0, 2, idx.shape)  # negative indices count from the end (index_fill)
    if k == 1 and draw(rarely(0.2)):
        idx = idx.reshape(())  # a 0-d index: one position
    sshape = tuple(k if i == d else s for i, s in enumerate(xs)) if nd else ()
    x, src = values(r, xshape), values(r, sshape)
    if value:
        return sample(x, idx, r.standard_normal(()), dim=dim)
    return sample(x, idx, src, dim=dim)


@st.composite
def _index_put(draw, accumulate=False, mask=False):
    """(x, index..., values): m leading dims indexed by int tensors (negative entries too) or one boolean mask."""
    r = rng_of(draw)
    if not isinstance(accumulate, bool):
        accumulate = draw(accumulate)
    xshape = draw(shapes(min_dims=1, max_dims=3))
    m = draw(st.integers(1, len(xshape)))
    lead, rest = xshape[:m], xshape[m:]
    total = int(np.prod(lead))
    if mask:
        mk = r.random(lead) < 0.5
        count = int(mk.sum())
        vshape = (count,) + rest
        vshape = vshape[draw(st.integers(0, len(vshape))):]  # values broadcast from the right
        return sample(values(r, xshape), mk, values(r, vshape), accumulate=accumulate)
    if accumulate:
        k = draw(st.integers(1, 5)) if total else 0
        flat = r.integers(0, max(total, 1), k)
    else:
        k = draw(st.integers(min(1, total), total))
        flat = r.permutation(total)[:k]
    pos = np.unravel_index(flat, lead) if total else tuple(np.zeros(0, np.int64) for _ in lead)
    pos = [(p - n * r.integers(0, 2, p.shape)).astype(np.int64) if n else p.astype(np.int64)
           for p, n in zip(pos, lead)]
    vshape = ((k,) + rest)[draw(st.integers(0, len(rest) + 1)):]
    vshape = tuple(1 if draw(st.booleans()) else s for s in vshape)
    arrays = [values(r, xshape), values(r, vshape)] + pos
    return sample(*arrays, accumulate=accumulate)


@st.composite
def _masked_scatter(draw, inplace=False):
    r = rng_of(draw)
    big = draw(shapes(max_dims=3))
    k = draw(st.integers(0, len(big)))
    small = tuple(1 if draw(st.booleans()) else s for s in big[len(big) - k:])
    xshape, mshape = (big, small) if inplace or draw(st.booleans()) else (small, big)  # out of place: both broadcast
    mk = np.array(r.random(mshape) < 0.5)
    count = int(np.broadcast_to(mk, np.broadcast_shapes(xshape, mshape)).sum())
    extra = draw(st.integers(0, 2))
    sshape = (count + extra,) if draw(st.booleans()) or (count + extra) % 2 else (2, (count + extra) // 2)
    return sample(values(r, xshape), mk, values(r, sshape))


@st.composite
def _either(draw, strategy):
    """``strategy``'s sample plus ``method``: whether the spec calls the Tensor method or the function (one call per
    example rather than both: these composites are the costly part of the suite)."""
    s = draw(strategy)
    return sample(*s.arrays, **s.kwargs, method=draw(st.booleans()))


def _err(make, exc, match, note=""):
    return ErrorInput(make, exc, match, note)


def _t(lib, v):
    return lib.tensor(v)


SCATTER_ERRORS = (
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [[0, 3]]), lib.ones(1, 2)), {"dim": 0}), RuntimeError,
         "scatter.*index 3 is out of bounds for dimension 0 with size 3", "index out of range"),
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [[0, -1]]), lib.ones(1, 2)), {"dim": 0}), RuntimeError,
         "scatter.*index -1 is out of bounds", "negative index"),
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [0, 1]), lib.ones(2)), {"dim": 0}), RuntimeError,
         "Index tensor must have the same number of dimensions as self tensor", "index rank"),
    _err(lambda lib: ((lib.zeros(3, 4), lib.zeros(2, 5, dtype=lib.int64), lib.ones(2, 5)), {"dim": 0}), RuntimeError,
         r"Expected index \[2, 5\] to be no larger than self \[3, 4\] apart from dimension 0", "index too large"),
    _err(lambda lib: ((lib.zeros(3, 4), lib.zeros(2, 3, dtype=lib.int64), lib.ones(1, 5)), {"dim": 0}), RuntimeError,
         "to be no larger size than src", "src smaller than index"),
    _err(lambda lib: ((lib.zeros(3, 4), lib.zeros(1, 1), lib.ones(1, 1)), {"dim": 0}), RuntimeError,
         "Expected dtype int32/int64 for index", "float index"),
    _err(lambda lib: ((lib.zeros(3, 4), lib.zeros(1, 1, dtype=lib.int64), lib.ones(1, 1, dtype=lib.float64)),
                      {"dim": 0}), RuntimeError, "Expected self.dtype to be equal to src.dtype", "dtype mismatch"),
    _err(lambda lib: ((lib.zeros(3, 4), lib.zeros(1, 1, dtype=lib.int64), lib.ones(1, 1)), {"dim": 2}), IndexError,
         "Dimension out of range", "dim out of range"),
)

INDEX_ADD_ERRORS = (
    _err(lambda lib: ((lib.zeros(3), _t(lib, [3]), lib.ones(1)), {"dim": 0}), IndexError,
         "index out of range in self", "index out of range, 1-d input (torch: IndexError)"),
    _err(lambda lib: ((lib.zeros(3), _t(lib, [-1]), lib.ones(1)), {"dim": 0}), IndexError,
         "index out of range in self", "negative index, 1-d input"),
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [4]), lib.ones(3, 1)), {"dim": 1}), RuntimeError,
         "index 4 is out of bounds for dimension 1 with size 4", "index out of range, 2-d input (torch: RuntimeError)"),
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [0, 1]), lib.ones(3, 4)), {"dim": 0}), RuntimeError,
         r"Number of indices \(2\) should be equal to source.size\(dim\)", "index/source length mismatch"),
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [0]), lib.ones(1, 3)), {"dim": 0}), RuntimeError,
         "source tensor shape must match self tensor shape, excluding the specified dimension", "source shape"),
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [[0]]), lib.ones(1, 4)), {"dim": 0}), IndexError,
         "Index is supposed to be a vector", "2-D index"),
    _err(lambda lib: ((lib.zeros(3, 4), lib.zeros(1), lib.ones(1, 4)), {"dim": 0}), RuntimeError,
         "Expected dtype int32/int64 for index", "float index"),
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [0]), lib.ones(1, 4, dtype=lib.float64)), {"dim": 0}), RuntimeError,
         r"self \(float32\) and source \(float64\) must have the same scalar type", "dtype mismatch"),
)

INDEX_COPY_ERRORS = (
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [5]), lib.ones(1, 4)), {"dim": 0}), IndexError,
         "index_copy.*index 5 is out of bounds for dimension 0 with size 3", "index out of range"),
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [-1]), lib.ones(1, 4)), {"dim": 0}), IndexError,
         "index_copy.*index -1 is out of bounds", "negative index"),
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [0, 1]), lib.ones(1, 4)), {"dim": 0}), IndexError,
         r"index_copy.*Number of indices \(2\) should be equal to source.size\(dim\)", "index/source length"),
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [0]), lib.ones(1, 3)), {"dim": 0}), RuntimeError,
         "index_copy.*source tensor shape must match", "source shape"),
)

INDEX_FILL_ERRORS = (
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [5]), lib.ones(())), {"dim": 0}), IndexError,
         "index_fill.*index 5 is out of bounds for dimension 0 with size 3", "index out of range"),
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [-4]), lib.ones(())), {"dim": 0}), IndexError,
         "index_fill.*index -4 is out of bounds", "negative index past the start"),
)
INDEX_FILL_VALUE_ERRORS = (
    _err(lambda lib: ((lib.zeros(3, 4), _t(lib, [0]), lib.ones(2)), {"dim": 0}), RuntimeError,
         "index_fill_ only supports a 0-dimensional value tensor", "1-D value tensor"),
)

INDEX_PUT_ERRORS = (
    _err(lambda lib: ((lib.zeros(3, 4), lib.ones(3), _t(lib, [0, 1])), {"accumulate": False}), RuntimeError,
         r"shape mismatch: value tensor of shape \[3\] cannot be broadcast to indexing result of shape \[2, 4\]",
         "values do not broadcast"),
    _err(lambda lib: ((lib.zeros(3, 4), lib.ones(3), _t(lib, [0, 1])), {"accumulate": True}), RuntimeError,
         "shape mismatch: value tensor of shape", "values do not broadcast (accumulate)"),
    _err(lambda lib: ((lib.zeros(3, 4), lib.ones(1), _t(lib, [5])), {"accumulate": False}), IndexError,
         "index 5 is out of bounds for (axis|dimension) 0 with size 3", "index out of range"),
    _err(lambda lib: ((lib.zeros(3, 4), lib.ones(1, dtype=lib.float64), _t(lib, [1])), {"accumulate": False}),
         RuntimeError, "Index put requires the source and destination dtypes match", "dtype mismatch"),
    _err(lambda lib: ((lib.zeros(3, 4), lib.ones(1), lib.ones(1)), {"accumulate": False}), IndexError,
         "tensors used as indices must be long, int, byte or bool tensors", "float index"),
)

MASKED_SCATTER_ERRORS = (
    _err(lambda lib: ((lib.zeros(3), lib.ones(3, dtype=lib.bool), lib.ones(2)), {}), RuntimeError,
         "Number of elements of source < number of ones in mask", "source too small"),
    _err(lambda lib: ((lib.zeros(3), lib.ones(3), lib.ones(3)), {}), RuntimeError,
         "masked_scatter_ only supports boolean masks", "float mask"),
    _err(lambda lib: ((lib.zeros(3), lib.ones(3, dtype=lib.bool), lib.ones(3, dtype=lib.float64)), {}), RuntimeError,
         "masked_scatter: expected self and source to have same dtypes", "dtype mismatch"),
    _err(lambda lib: ((lib.zeros(3, 4), lib.ones(2, 4, dtype=lib.bool), lib.ones(12)), {}), RuntimeError,
         "masked_scatter", "mask does not broadcast"),
)


def _legacy_reduce_backward(lib):
    """Backward through scatter(..., reduce=): torch has no derivative for it (the raise happens in ``make``)."""
    x = lib.zeros(2, 3, requires_grad=True)
    x.scatter(1, lib.tensor([[0], [1]]), lib.ones(2, 1), reduce="add").sum().backward()
    return (), {}


def _index_put_fn(lib, x, v, *idx, accumulate, method=True):
    if method:
        return x.index_put(tuple(idx), v, accumulate=accumulate)
    return lib.index_put(x, tuple(idx), v, accumulate)


SPECS = [
    OpSpec("scatter", lambda lib, x, i, s, dim, method=True: x.scatter(dim, i, s) if method else
           lib.scatter(x, dim, i, s), _either(_scatter()),
           differentiable=(0, 2), error_inputs=SCATTER_ERRORS,
           notes="unique positions along dim (with repeats torch's result is unspecified); src gradient = gather"),
    OpSpec("scatter_value", lambda lib, x, i, s, dim: (x.scatter(dim, i, 2.5), lib.scatter(x, dim, i, value=-1.0)),
           _scatter(unique=False), notes="a Python scalar written at the index (repeats write the same value)"),
    OpSpec("scatter_larger_src", lambda lib, x, i, s, dim: x.scatter(dim, i, s), _scatter(src_larger=True),
           differentiable=(), gradcheck=False,
           notes="forward only: torch's backward fails for a src larger than the index (Divergence)"),
    OpSpec("scatter_legacy_reduce",
           lambda lib, x, i, s, dim: (x.scatter(dim, i, s, reduce="add"), x.scatter(dim, i, s, reduce="multiply"),
                                      lib.scatter(x, dim, i, 1.5, reduce="add")),
           _scatter(unique=False, domain="nonzero"), differentiable=(), gradcheck=False,
           notes="forward only: torch has no derivative for scatter with reduce= (impl's backward raises as torch's)",
           error_inputs=(_err(lambda lib: ((lib.zeros(3, 4), _t(lib, [[3]]), lib.ones(1, 1)), {"dim": 0}),
                              RuntimeError, "index 3 is out of bounds", "index out of range"),
                         _err(_legacy_reduce_backward, RuntimeError, "derivative for aten::scatter is not implemented",
                              "backward through reduce= (torch has no derivative)"))),
    OpSpec("scatter_add", lambda lib, x, i, s, dim, method=True: x.scatter_add(dim, i, s) if method else
           lib.scatter_add(x, dim, i, s), _either(_scatter(unique=False)), differentiable=(0, 2),
           notes="repeated positions accumulate",
           error_inputs=SCATTER_ERRORS[:1] + SCATTER_ERRORS[6:7]),
    OpSpec("scatter_reduce",
           lambda lib, x, i, s, dim, reduce, include_self, method=True: (
               x.scatter_reduce(dim, i, s, reduce, include_self=include_self) if method else
               lib.scatter_reduce(x, dim, i, s, reduce=reduce, include_self=include_self)),
           _either(_scatter(unique=False, domain="reduce", reduces=("sum", "mean", "amax", "amin"))),
           differentiable=(0, 2),
           notes="sum/mean/amax/amin, include_self both ways; no ties (amax/amin) here",
           error_inputs=(_err(lambda lib: ((lib.zeros(3), _t(lib, [0]), lib.ones(1)),
                                           {"dim": 0, "reduce": "median", "include_self": True}), RuntimeError,
                              "reduce argument must be either sum, prod, mean, amax or amin", "unknown reduce"),
                         _err(lambda lib: ((lib.zeros(3), _t(lib, [3]), lib.ones(1)),
                                           {"dim": 0, "reduce": "sum", "include_self": True}), RuntimeError,
                              "index 3 is out of bounds", "index out of range"))),
    OpSpec("scatter_reduce_prod",
           lambda lib, x, i, s, dim, reduce, include_self: x.scatter_reduce(dim, i, s, reduce,
                                                                           include_self=include_self),
           _scatter(unique=False, domain="reduce", reduces=("prod",)), differentiable=(0, 2),
           no_forward_ad="torch's forward-mode derivative of scatter_reduce(reduce='prod') drops the src tangent "
                         "(torch.func.jvp gives 0 where torch's own reverse-mode Jacobian is nonzero); impl's JVP "
                         "agrees with its VJP and with finite differences (Divergence in core_scatter)",
           notes="values kept away from 0 (the product of the others is then well conditioned)"),
    OpSpec("scatter_reduce_ties",
           lambda lib, x, i, s, dim, reduce, include_self: x.scatter_reduce(dim, i, s, reduce,
                                                                           include_self=include_self),
           _ties(), differentiable=(0, 2), gradcheck=False,
           notes="amax/amin with ties: the gradient is split evenly among the tied values, self included (torch's "
                 "convention; finite differences are undefined there)"),
    OpSpec("index_add",
           lambda lib, x, i, s, dim, method=True: (x.index_add(dim, i, s) if method else
                                                   lib.index_add(x, dim, i, s, alpha=-0.5)),
           _either(_index_along(unique=False)), differentiable=(0, 2), error_inputs=INDEX_ADD_ERRORS,
           notes="repeated indices accumulate; alpha scales the source"),
    OpSpec("index_copy", lambda lib, x, i, s, dim, method=True: (x.index_copy(dim, i, s) if method else
                                                                  lib.index_copy(x, dim, i, s)),
           _either(_index_along()), differentiable=(0, 2), error_inputs=INDEX_COPY_ERRORS),
    OpSpec("index_fill", lambda lib, x, i, s, dim, method=True: (x.index_fill(dim, i, -2.0) if method else
                                                                  lib.index_fill(x, dim, i, 0.5)),
           _either(_index_along(unique=False, wrap=True)), error_inputs=INDEX_FILL_ERRORS,
           notes="repeated and negative indices (negative ones count from the end)"),
    OpSpec("index_fill_tensor_value", lambda lib, x, i, v, dim: x.index_fill(dim, i, v),
           _index_along(unique=False, value=True), differentiable=(0, 2),
           error_inputs=INDEX_FILL_VALUE_ERRORS,
           notes="a 0-d value tensor gets the sum of the gradient at the filled positions, each position once"),
    OpSpec("index_put", _index_put_fn,
           _either(_index_put()), differentiable=(0, 1), error_inputs=INDEX_PUT_ERRORS,
           notes="unique positions, negative indices, values broadcast"),
    OpSpec("index_put_accumulate",
           _index_put_fn,
           _either(_index_put(accumulate=True)), differentiable=(0, 1), notes="repeated positions accumulate"),
    OpSpec("index_put_mask",
           lambda lib, x, m, v, accumulate: (lib.index_put(x, (m,), v, accumulate=True) if accumulate else
                                             x.index_put((m,), v)),
           _index_put(mask=True, accumulate=st.booleans()), differentiable=(0, 2),
           notes="one boolean mask over the leading dims, accumulate either way"),
    OpSpec("masked_scatter", lambda lib, x, m, s, method=True: (x.masked_scatter(m, s) if method else
                                                                 lib.masked_scatter(x, m, s)),
           _either(_masked_scatter()), differentiable=(0, 2), error_inputs=MASKED_SCATTER_ERRORS,
           notes="x and mask broadcast together; the source's first mask.sum() elements are written in order"),
    # In place, on a non-leaf copy (in-place on a leaf that requires grad raises: property_tests/test_engine.py).
    OpSpec("scatter_inplace",
           lambda lib, x, i, s, dim: ((x * 1).scatter_(dim, i, s), (x * 1).scatter_(dim, i, 1.5),
                                      (x * 1).scatter_add_(dim, i, s),
                                      (x * 1).scatter_reduce_(dim, i, s, "amax", include_self=False)),
           _scatter(domain="distinct"), differentiable=(0, 2)),
    OpSpec("scatter_inplace_on_view",
           lambda lib, x, i, s, dim: (z := x * 1, z[1].scatter_(dim, i, s), z)[2], _scatter_view(),
           differentiable=(0, 2), notes="in place on a view: the base's history becomes CopySlices"),
    OpSpec("index_inplace",
           lambda lib, x, i, s, dim: ((x * 1).index_add_(dim, i, s, alpha=2), (x * 1).index_copy_(dim, i, s),
                                      (x * 1).index_fill_(dim, i, -1.0)),
           _index_along(), differentiable=(0, 2)),
    OpSpec("index_put_inplace",
           lambda lib, x, v, *idx, accumulate: ((x * 1).index_put_(tuple(idx), v, accumulate=accumulate),
                                                (x * 1).index_put_(tuple(idx), v)),
           _index_put(), differentiable=(0, 1)),
    OpSpec("masked_scatter_inplace", lambda lib, x, m, s: (x * 1).masked_scatter_(m, s), _masked_scatter(inplace=True),
           differentiable=(0, 2)),
]


DIVERGENCES = (
    Divergence("scatter_reduce(reduce='prod') forward mode",
               "torch.func.jvp returns a zero tangent for the src of a prod scatter_reduce (include_self either way), "
               "where torch's reverse-mode Jacobian is nonzero; impl's tangent is the Jacobian's, checked by "
               "gradcheck and gradgrad against torch's reverse mode"),
    Divergence("index_fill with a 0-d value tensor and negative indices: impl differentiates the value",
               "torch's derivative for the value selects the gradient with the raw (negative) indices and raises "
               "IndexError at backward; impl counts them from the end, as the forward does. Spec "
               "index_fill_tensor_value keeps the indices non-negative; spec index_fill tests negative ones"),
    Divergence("scatter_reduce amax/amin, include_self=False, self equal to the result",
               "torch counts self among the tied values even when it is excluded (then zeroes self's share), so "
               "the src values that produced the result get only part of the gradient; impl splits the gradient "
               "among the src values that were reduced, which keeps the derivative along a common shift of them "
               "equal to 1. Both agree wherever self differs from the result (spec scatter_reduce_ties)"),
    Divergence("scatter/scatter_add/scatter_reduce with a src larger than the index: impl differentiates",
               "torch's backward returns the src gradient at the index's shape and then rejects it (\"returned an "
               "invalid gradient\"); impl gives src the gathered gradient on the index's block and zeros elsewhere, "
               "which is the derivative. The forward agrees (spec scatter_larger_src)"),
)
