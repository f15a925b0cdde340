"""OpSpecs for reductions, scans and softmax: ``dim`` as None / int / tuple / negative, ``keepdim``, 0-d and
size-0 inputs where torch allows them, and the tie conventions as separate, deliberate cases.

Ties (explicit specs ``*_ties``): amax/amin and the full max()/min() split the gradient evenly among tied
entries; max(dim)/min(dim) give it all to the returned index (the first occurrence); maximum/minimum split it in
half between the operands. Elsewhere values are tie-free (``distinct`` domain).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from reference.opspec import Divergence, ErrorInput, OpSpec
from reference.strategies import dim_of, dims_of, distinct, norm_axes, rng_of, sample, shapes, values

KEEPDIM = st.booleans()


@st.composite
def _reduce(draw, domain="real", dims=("none", "int", "tuple"), nonempty_reduced=False, nonempty=False,
            min_dims=0, min_reduced=0, zeros=False, **options):
    """x and dim/keepdim for a reduction (``dims=()``: no dim/keepdim kwargs). ``nonempty_reduced``: every reduced dim has size >= 1;
    ``min_reduced``: the reduced element count is at least this (var's correction)."""
    r = rng_of(draw)
    shape = draw(shapes(min_dims=min_dims, min_side=1 if nonempty else 0))
    dim = dims_of(draw, len(shape), allow_none="none" in dims, allow_int="int" in dims, allow_tuple="tuple" in dims) if dims else None
    axes = norm_axes(dim, len(shape))
    if nonempty_reduced or min_reduced:
        shape = tuple(max(s, 1) if i in axes else s for i, s in enumerate(shape))
        if min_reduced:
            n = int(np.prod([shape[i] for i in axes])) if axes else 1
            if n < min_reduced:
                grow = axes[0] if axes else None
                if grow is None:  # a 0-d input reduces one element: give it a dim to reduce instead
                    shape, dim, axes, grow = (min_reduced,), 0, (0,), 0
                shape = tuple(s * min_reduced if i == grow else s for i, s in enumerate(shape))
    x = values(r, shape, domain)
    if zeros and x.size:
        x.flat[r.integers(0, x.size, r.integers(1, 3))] = 0.0
    kw = {"dim": dim, "keepdim": draw(KEEPDIM)} if dims else {}
    kw.update({k: draw(v) for k, v in options.items()})
    return sample(x, **kw)


@st.composite
def _one_dim(draw, domain="real", nonempty_reduced=True, nonempty=False, keepdim=True, zeros=False):
    """x and one int dim (max(dim), cumsum, prod(dim), softmax ...)."""
    r = rng_of(draw)
    shape = draw(shapes(min_side=1 if nonempty else 0))
    d = dim_of(draw, len(shape))
    if nonempty_reduced and shape:
        shape = tuple(max(s, 1) if i == d % len(shape) else s for i, s in enumerate(shape))
    x = values(r, shape, domain)
    if zeros and x.size:
        x.flat[r.integers(0, x.size, r.integers(1, 3))] = 0.0
    kw = {"dim": d}
    if keepdim:
        kw["keepdim"] = draw(KEEPDIM)
    return sample(x, **kw)


@st.composite
def _zero_pair_beside_zero(draw):
    """x and one dim where one slice along dim holds two zeros and another slice one: prod's second derivative
    between a slice's two zeros is per slice (the whole tensor holds three)."""
    r = rng_of(draw)
    shape = list(draw(shapes(min_dims=2, min_side=2, max_side=3)))
    d = dim_of(draw, len(shape))
    x = np.moveaxis(values(r, shape, "nonzero"), d, -1).reshape(-1, shape[d])  # rows: the slices along d
    i, j = r.choice(x.shape[0], 2, replace=False)
    x[i, r.choice(x.shape[1], 2, replace=False)] = 0.0
    x[j, r.integers(x.shape[1])] = 0.0
    moved = [n for k, n in enumerate(shape) if k != d % len(shape)] + [shape[d]]
    return sample(np.moveaxis(x.reshape(moved), -1, d), dim=d, keepdim=draw(KEEPDIM))


@st.composite
def _ties(draw, one_dim=False):
    r = rng_of(draw)
    shape = draw(shapes(min_side=1, max_side=3))
    x = r.integers(-1, 2, shape).astype(np.float64)  # three values: many ties
    if one_dim:
        return sample(x, dim=dim_of(draw, len(shape)), keepdim=draw(KEEPDIM))
    return sample(x, dim=dims_of(draw, len(shape), allow_none=False), keepdim=draw(KEEPDIM))


@st.composite
def _distinct_pair(draw):
    from reference.strategies import broadcast_shapes

    r = rng_of(draw)
    sx, sy = draw(broadcast_shapes(2))
    x, y = distinct(r, sx, sy)
    return sample(x, y)


@st.composite
def _tie_pair(draw):
    from reference.strategies import broadcast_shapes

    r = rng_of(draw)
    sx, sy = draw(broadcast_shapes(2))
    return sample(r.integers(-1, 2, sx).astype(np.float64), r.integers(-1, 2, sy).astype(np.float64))


@st.composite
def _bools(draw):
    r = rng_of(draw)
    shape = draw(shapes())
    dim = dims_of(draw, len(shape))
    x = values(r, shape, "ties")
    return sample(r.random(shape) < 0.6, x, dim=dim, keepdim=draw(KEEPDIM))


@st.composite
def _softmax(draw, scale=3.0):
    r = rng_of(draw)
    shape = draw(shapes())
    return sample(values(r, shape, "real", scale), dim=dim_of(draw, len(shape)))


@st.composite
def _int_bool_reduce(draw):
    r = rng_of(draw)
    shape = draw(shapes())
    dim = dims_of(draw, len(shape))
    return sample(r.integers(-5, 6, shape), r.random(shape) < 0.5, dim=dim, keepdim=draw(KEEPDIM))



@st.composite
def _fro(draw):
    r = rng_of(draw)
    shape = draw(shapes(min_dims=1, min_side=1))
    kind = draw(st.sampled_from(["none", "int", "pair"] if len(shape) >= 2 else ["none", "int"]))
    dim = None if kind == "none" else dim_of(draw, len(shape)) if kind == "int" else tuple(
        draw(st.lists(st.integers(0, len(shape) - 1), min_size=2, max_size=2, unique=True)))
    return sample(values(r, shape, "nonzero"), dim=dim, keepdim=draw(KEEPDIM))


def _dim_errors(method, **extra):
    return (ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": 2, **extra}), IndexError,
                       rf"{method}.*Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)",
                       "dim out of range"),)


EMPTY_MAX = ErrorInput(lambda lib: ((lib.ones(0, 3),), {}), RuntimeError, "max.*numel\\(\\) == 0", "max() of an empty tensor")

SPECS = [
    OpSpec("sum", lambda lib, x: x.sum(), _reduce(dims=())),
    OpSpec("sum_dim", lambda lib, x, dim, keepdim: x.sum(dim=dim, keepdim=keepdim), _reduce(),
           error_inputs=_dim_errors("sum", keepdim=False) + (
               ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": (0, 0), "keepdim": False}), RuntimeError,
                          "sum.*dim .* appears multiple times", "repeated dim"),)),
    OpSpec("sum_function", lambda lib, x, dim, keepdim: lib.sum(x, dim, keepdim=keepdim), _reduce(dims=("int", "tuple"))),
    OpSpec("sum_dtype", lambda lib, x, dim, keepdim: x.sum(dim=dim, keepdim=keepdim, dtype=lib.float64), _reduce(),
           notes="float32 input summed in float64: the gradient comes back in float32 (the input's dtype)"),
    OpSpec("sum_int_bool", lambda lib, i, b, dim, keepdim: (i.sum(), i.sum(dim=dim, keepdim=keepdim), b.sum(), b.sum(dim=dim)),
           _int_bool_reduce(), differentiable=(), dtypes=("int64",),
           gradcheck=False, notes="integer and bool sums accumulate in int64, as torch"),
    OpSpec("mean", lambda lib, x: x.mean(), _reduce(dims=()),
           notes="the mean of a size-0 tensor is nan in both"),
    OpSpec("mean_dim", lambda lib, x, dim, keepdim: lib.mean(x, dim=dim, keepdim=keepdim), _reduce(),
           error_inputs=_dim_errors("mean", keepdim=False) + (
               ErrorInput(lambda lib: ((lib.tensor([1, 2]),), {"dim": 0, "keepdim": False}), RuntimeError,
                          "mean.*could not infer output dtype", "mean of an int64 tensor"),)),
    OpSpec("prod", lambda lib, x: x.prod(), _reduce(domain="unit", dims=())),
    OpSpec("prod_dim", lambda lib, x, dim, keepdim: x.prod(dim=dim, keepdim=keepdim), _one_dim(nonempty_reduced=False)),
    OpSpec("prod_with_zeros", lambda lib, x, dim, keepdim: (x.prod(), lib.prod(x, dim, keepdim=keepdim)),
           _one_dim(domain="unit", nonempty_reduced=False, zeros=True),
           notes="exact zeros (one or two per tensor): the gradient is the product of the other entries"),
    OpSpec("prod_zero_pair_beside_zero", lambda lib, x, dim, keepdim: x.prod(dim=dim, keepdim=keepdim),
           _zero_pair_beside_zero(),
           notes="two zeros in one slice, one in another: the second derivative between the pair is the product "
                 "of the slice's other entries, decided per slice"),
    OpSpec("max", lambda lib, x: x.max(), _reduce(domain="distinct", dims=(), nonempty=True),
           error_inputs=(EMPTY_MAX,)),
    OpSpec("min", lambda lib, x: lib.min(x), _reduce(domain="distinct", dims=(), nonempty=True)),
    OpSpec("max_dim", lambda lib, x, dim, keepdim: x.max(dim=dim, keepdim=keepdim), _one_dim(domain="distinct"),
           error_inputs=_dim_errors("max", keepdim=False) + (
               ErrorInput(lambda lib: ((lib.ones(2, 0),), {"dim": 1, "keepdim": False}), IndexError,
                          "max.*Expected reduction dim 1 to have non-zero size", "empty reduced dim"),)),
    OpSpec("min_dim", lambda lib, x, dim, keepdim: lib.min(x, dim, keepdim), _one_dim(domain="distinct")),
    OpSpec("max_min_other", lambda lib, x, y: (lib.max(x, y), x.min(y)), _distinct_pair(), differentiable=(0, 1)),
    OpSpec("amax", lambda lib, x, dim, keepdim: x.amax(dim=dim, keepdim=keepdim),
           _reduce(domain="distinct", dims=("int", "tuple"), nonempty_reduced=True),
           error_inputs=_dim_errors("amax", keepdim=False)),
    OpSpec("amin", lambda lib, x, dim, keepdim: lib.amin(x, dim=dim, keepdim=keepdim),
           _reduce(domain="distinct", dims=("int", "tuple"), nonempty_reduced=True)),
    OpSpec("argmax_argmin", lambda lib, x, dim, keepdim: (x.argmax(dim=dim, keepdim=keepdim), lib.argmin(x, dim=dim, keepdim=keepdim),
                                                          x.argmax(), lib.argmax(x, dim)),
           _one_dim(domain="distinct", nonempty=True), differentiable=(), gradcheck=False),
    # ties on purpose
    OpSpec("amax_amin_ties", lambda lib, x, dim, keepdim: (x.amax(dim=dim, keepdim=keepdim), x.amin(dim=dim, keepdim=keepdim),
                                                           x.max(), x.min()),
           _ties(), gradcheck=False,
           divergences=(Divergence("finite differences at ties",
                                   "amax/amin are not differentiable at ties; torch (and impl) split the gradient evenly "
                                   "among the tied entries, which central differences reproduce only for 2-way ties"),)),
    OpSpec("max_min_dim_ties", lambda lib, x, dim, keepdim: (x.max(dim=dim, keepdim=keepdim), x.min(dim, keepdim)),
           _ties(one_dim=True), gradcheck=False,
           divergences=(Divergence("finite differences at ties",
                                   "max(dim)/min(dim) route the whole gradient to the returned index (the first "
                                   "maximal entry, as torch documents); central differences would give 1/2"),)),
    OpSpec("argmax_argmin_ties", lambda lib, x, dim, keepdim: (x.argmax(dim, keepdim), x.argmin(dim, keepdim), x.argmax(), x.argmin()),
           _ties(one_dim=True), differentiable=(), gradcheck=False,
           notes="ties: the first occurrence, as torch documents"),
    OpSpec("maximum_minimum_ties", lambda lib, x, y: (lib.maximum(x, y), lib.minimum(x, y)), _tie_pair(),
           differentiable=(0, 1),
           notes="ties split the gradient in half between the operands (torch's formula); central differences agree"),
    # statistics
    OpSpec("var", lambda lib, x, dim, keepdim, correction: x.var(dim=dim, keepdim=keepdim, correction=correction),
           st.sampled_from([0, 1, 2]).flatmap(lambda c: _reduce(min_reduced=c + 1, correction=st.just(c)))),
    OpSpec("var_unbiased", lambda lib, x, dim, keepdim, unbiased: x.var(dim, unbiased, keepdim),
           _reduce(dims=("int", "tuple"), min_reduced=2, unbiased=st.booleans())),
    OpSpec("std", lambda lib, x, dim, keepdim, correction: lib.std(x, dim=dim, keepdim=keepdim, correction=correction),
           st.sampled_from([0, 1]).flatmap(lambda c: _reduce(min_reduced=c + 2, correction=st.just(c)))),
    OpSpec("var_mean_std_mean", lambda lib, x, dim, keepdim: (lib.var_mean(x, dim=dim, keepdim=keepdim),
                                                              lib.std_mean(x, dim=dim, keepdim=keepdim, correction=0)),
           _reduce(min_reduced=2)),
    OpSpec("logsumexp", lambda lib, x, dim, keepdim: x.logsumexp(dim=dim, keepdim=keepdim),
           _reduce(dims=("int", "tuple"), domain="real"), notes="a size-0 reduced dim gives -inf, as torch"),
    OpSpec("norm", lambda lib, x, dim, keepdim, p: x.norm(p=p, dim=dim, keepdim=keepdim),
           _reduce(domain="distinct_abs", dims=("none", "int", "tuple"), nonempty_reduced=True,
                   p=st.sampled_from([2, 1, 3, 0.5, 1.5, float("inf")])),
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(0, 3),), {"dim": None, "keepdim": False, "p": float("inf")}),
                                    RuntimeError, "norm.*cannot compute the inf norm on an empty tensor"),)),
    OpSpec("norm_fro", lambda lib, x, dim, keepdim: x.norm(p="fro", dim=dim, keepdim=keepdim), _fro(),
           notes="'fro' takes dim None, an int or a 2-tuple (torch's matrix_norm refuses longer tuples)"),
    OpSpec("norm_default", lambda lib, x: (x.norm(), lib.norm(x)), _reduce(domain="nonzero", dims=())),
    OpSpec("cumsum", lambda lib, x, dim: x.cumsum(dim=dim), _one_dim(nonempty_reduced=False, keepdim=False),
           error_inputs=_dim_errors("cumsum")),
    OpSpec("cumsum_function", lambda lib, x, dim: lib.cumsum(x, dim), _one_dim(nonempty_reduced=False, keepdim=False)),
    OpSpec("count_nonzero", lambda lib, x, dim, keepdim: (lib.count_nonzero(x, dim=dim), x.count_nonzero()),
           _reduce(domain="ties"), differentiable=(), gradcheck=False),
    OpSpec("all_any", lambda lib, b, x, dim, keepdim: (b.all(), lib.any(b), b.all(dim=dim, keepdim=keepdim),
                                                       b.any(dim=dim, keepdim=keepdim), x.all(), x.any(), lib.all(x, dim=dim)),
           _bools(), differentiable=(), gradcheck=False,
           notes="float inputs: truthiness (non-zero), bool results, as torch"),
    # softmax family (core ops; the nn.functional forms have their own specs)
    OpSpec("softmax", lambda lib, x, dim: x.softmax(dim=dim), _softmax(),
           error_inputs=_dim_errors("softmax")),
    OpSpec("softmax_function", lambda lib, x, dim: lib.softmax(x, dim), _softmax()),
    OpSpec("log_softmax", lambda lib, x, dim: x.log_softmax(dim), _softmax()),
    OpSpec("log_softmax_function", lambda lib, x, dim: lib.log_softmax(x, dim=dim), _softmax(scale=10.0),
           notes="logits up to ~30 in magnitude: the max shift keeps exp from overflowing"),
    OpSpec("softmax_dtype", lambda lib, x, dim: (x.softmax(dim, dtype=lib.float64), x.log_softmax(dim, dtype=lib.float64)),
           _softmax(), notes="computed in float64; the gradient comes back in the input's dtype"),
]

