"""OpSpecs for sorting, selection and cumulative ops (impl/ops/sorting.py): sort/argsort/msort/topk,
kthvalue/median/nanmedian/mode, unique, searchsorted/bucketize, cumprod/cummax/cummin/logcumsumexp.

Values are tie-free (``distinct``) in the main specs, so indices and gradients are unique. Ties are tested on
purpose in the ``*_ties`` specs, each following what torch defines: stable sorts keep equal elements in order
(descending too); cummax/cummin report the latest index of the running extreme; mode gives the smallest most
frequent value at its last occurrence; the global median() splits its gradient evenly among equal entries. Where
torch leaves the index among ties unspecified (topk, kthvalue, median(dim): a quickselect's choice) the tie specs
compare the values and check that each index points at an entry equal to its value, with no gradient.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from reference.opspec import Divergence, ErrorInput, OpSpec
from reference.strategies import dim_of, rarely, rng_of, sample, shapes, values

KEEPDIM = st.booleans()


@st.composite
def _along(draw, domain="distinct", nonempty_dim=True, min_dims=0, max_side=4, zeros=False, nans=False,
           nonempty=False, **options):
    """x, one dim (negative or not), and ``options``; the chosen dim has size >= 1 when ``nonempty_dim``, every
    dim when ``nonempty``."""
    r = rng_of(draw)
    shape = draw(shapes(min_dims=min_dims, max_side=max_side, min_side=1 if nonempty else 0))
    d = dim_of(draw, len(shape))
    if nonempty_dim and shape:
        shape = tuple(max(s, 1) if i == d % len(shape) else s for i, s in enumerate(shape))
    x = values(r, shape, domain)
    if zeros and x.size:
        x.flat[r.integers(0, x.size, r.integers(1, 3))] = 0.0
    if nans and x.size:
        x.flat[r.integers(0, x.size, r.integers(1, 3))] = np.nan
    kw = {"dim": d}
    kw.update({k: draw(v) for k, v in options.items()})
    return sample(x, **kw)


@st.composite
def _ties(draw, **options):
    """Small integers (many ties) as floats, with one dim of size >= 1."""
    r = rng_of(draw)
    shape = draw(shapes(min_side=1, max_side=4))
    x = r.integers(-1, 2, shape).astype(np.float64)
    kw = {"dim": dim_of(draw, len(shape))}
    kw.update({k: draw(v) for k, v in options.items()})
    return sample(x, **kw)


@st.composite
def _k_along(draw, domain="distinct", min_k=0, ties=False):
    """x, dim and k in [min_k, size of dim] (topk: 0..n, kthvalue: 1..n); k = 0 (an empty result) only rarely."""
    s = draw(_ties(keepdim=KEEPDIM) if ties else _along(domain=domain, nonempty_dim=min_k > 0, keepdim=KEEPDIM))
    x = s.arrays[0]
    n = x.shape[s.kwargs["dim"] % x.ndim] if x.ndim else 1
    s.kwargs["k"] = 0 if n == 0 or (min_k == 0 and draw(rarely())) else draw(st.integers(max(min_k, 1), n))
    return s


@st.composite
def _unique(draw):
    r = rng_of(draw)
    shape = draw(shapes(min_dims=1, min_side=1, max_side=4))  # unique(dim=) refuses size-0 dims it does not select
    x = r.integers(-2, 3, shape)
    dim = draw(st.sampled_from([None, dim_of(draw, len(shape))]))
    return sample(x, dim=dim, return_inverse=draw(st.booleans()), return_counts=draw(st.booleans()))


@st.composite
def _searchsorted(draw):
    """A sorted 1-d or batched sequence (ties included) and values landing on, between and beyond it."""
    r = rng_of(draw)
    batch = draw(st.sampled_from([(), (2,), (2, 3)]))
    n, m = draw(st.integers(1, 5)), draw(st.integers(0, 4))
    seq = np.sort(r.integers(-3, 4, batch + (n,)).astype(np.float64), axis=-1)
    vals = (r.integers(-8, 9, batch + (m,)) / 2.0) if batch or draw(st.booleans()) else (
        r.integers(-8, 9, draw(shapes(max_dims=2))) / 2.0)
    return sample(seq, vals, right=draw(st.booleans()))


@st.composite
def _bucketize(draw):
    r = rng_of(draw)
    n = draw(st.integers(1, 5))
    bounds = np.sort(r.integers(-3, 4, n).astype(np.float64))
    return sample(r.integers(-8, 9, draw(shapes())) / 2.0, bounds, right=draw(st.booleans()))


def _dim_error(method, extra=None):
    return ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": 2, **(extra or {})}), IndexError,
                      rf"{method}.*Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)",
                      "dim out of range")


def _empty_dim_error(method, extra=None):
    return ErrorInput(lambda lib: ((lib.ones(2, 0),), {"dim": 1, **(extra or {})}), IndexError,
                      rf"{method}.*Expected reduction dim 1 to have non-zero size", "empty reduced dim")


def _index_points_at_value(lib, x, dim, r, keepdim):
    """True where each returned index selects an entry equal to its returned value (any index among ties)."""
    idx = r.indices if keepdim or x.dim() == 0 else r.indices.unsqueeze(dim)
    vals = r.values if keepdim or x.dim() == 0 else r.values.unsqueeze(dim)
    return x.gather(dim, idx) == vals if x.dim() else x == vals


_UNSPECIFIED_TIES = Divergence(
    "index among ties", "torch documents the index among equal values as unspecified (a quickselect's choice): "
    "the spec compares the values and checks that each index selects an entry equal to its value; no gradient, "
    "since it follows the index")
_STABLE_TIES = Divergence(
    "finite differences at ties", "sorting is not differentiable where values tie; the gradient follows the "
    "stable order (the same entries as torch's), which central differences cannot reproduce")

SPECS = [
    # ---- sort family
    OpSpec("sort", lambda lib, x, dim, descending: lib.sort(x, dim=dim, descending=descending),
           _along(nonempty_dim=False, descending=st.booleans()),
           error_inputs=(_dim_error("sort", {"descending": False}),)),
    OpSpec("sort_fields", lambda lib, x, dim, descending: (lambda r: (r.values, r.indices, r[0]))(x.sort(dim, descending)),
           _along(nonempty_dim=False, descending=st.booleans()),
           notes="the method, and the (values, indices) named tuple: attribute and position access"),
    OpSpec("sort_ties", lambda lib, x, dim, descending: (x.sort(dim=dim, descending=descending, stable=True),
                                                         lib.argsort(x, dim=dim, descending=descending, stable=True)),
           _ties(descending=st.booleans()), gradcheck=False, divergences=(_STABLE_TIES,),
           notes="stable=True: equal values keep their order, descending too, as torch documents"),
    OpSpec("sort_nan", lambda lib, x, dim, descending: x.sort(dim=dim, descending=descending, stable=True),
           _along(domain="ties", nans=True, descending=st.booleans(), min_dims=1), gradcheck=False,
           divergences=(_STABLE_TIES,), notes="NaN sorts as the largest value (last ascending, first descending)"),
    OpSpec("argsort_msort", lambda lib, x, dim, descending: (x.argsort(dim, descending), lib.argsort(x, dim=dim),
                                                             lib.msort(x), x.msort()),
           _along(nonempty_dim=False, descending=st.booleans()),
           error_inputs=(_dim_error("argsort", {"descending": True}),)),
    OpSpec("topk", lambda lib, x, dim, keepdim, k: (x.topk(k, dim), lib.topk(x, k, dim=dim, largest=False, sorted=True)),
           _k_along(), error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": 1, "keepdim": False, "k": 4}), RuntimeError,
                          r"topk.*selected index k out of range", "k larger than the dim"),
               ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": 1, "keepdim": False, "k": -1}), RuntimeError,
                          r"topk.*selected index k out of range", "negative k"),
               ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": 1, "keepdim": False, "k": 1.5}), TypeError,
                          r"topk.*'k' must be int", "float k"),
               ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": 2, "keepdim": False, "k": 1}), IndexError,
                          r"topk.*Dimension out of range", "dim out of range"))),
    OpSpec("topk_unsorted", lambda lib, x, dim, keepdim, k: x.topk(k, dim, True, False).values.sort(dim).values,
           _k_along(), notes="sorted=False leaves the order of the k results unspecified: compared after sorting"),
    OpSpec("topk_ties", lambda lib, x, dim, keepdim, k: tuple(
               (r.values, _index_points_at_value(lib, x, dim, r, True)) for r in (x.topk(k, dim), x.topk(k, dim, False))),
           _k_along(min_k=1, ties=True), differentiable=(), gradcheck=False, divergences=(_UNSPECIFIED_TIES,)),
    # ---- order statistics
    OpSpec("kthvalue", lambda lib, x, dim, keepdim, k: (x.kthvalue(k, dim, keepdim), lib.kthvalue(x, k, dim=dim)),
           _k_along(min_k=1), error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": 1, "keepdim": False, "k": 4}), RuntimeError,
                          r"kthvalue.*selected number k out of range", "k larger than the dim"),
               ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": 1, "keepdim": False, "k": 0}), RuntimeError,
                          r"kthvalue.*selected number k out of range", "k = 0"),
               _empty_dim_error("kthvalue", {"keepdim": False, "k": 1}))),
    OpSpec("kthvalue_median_mode_ties", lambda lib, x, dim, keepdim, k: tuple(
               (r.values, _index_points_at_value(lib, x, dim, r, keepdim))
               for r in (x.kthvalue(k, dim, keepdim), x.median(dim, keepdim), x.nanmedian(dim, keepdim))),
           _k_along(min_k=1, ties=True), differentiable=(), gradcheck=False, divergences=(_UNSPECIFIED_TIES,)),
    OpSpec("median", lambda lib, x, dim: (x.median(), lib.median(x)), _along(),
           notes="the lower of the two middle values for an even count, as torch; nan for an empty tensor"),
    OpSpec("median_dim", lambda lib, x, dim, keepdim: (x.median(dim, keepdim), lib.median(x, dim=dim, keepdim=keepdim)),
           _along(keepdim=KEEPDIM), error_inputs=(_dim_error("median", {"keepdim": False}),
                                                  _empty_dim_error("median", {"keepdim": False}))),
    OpSpec("median_ties", lambda lib, x, dim: (x.median(), lib.nanmedian(x)), _ties(), gradcheck=False,
           divergences=(Divergence("finite differences at ties", "the global median splits its gradient evenly "
                                   "among the entries equal to it (torch's evenly_distribute_backward), which "
                                   "central differences reproduce only for 2-way ties"),)),
    OpSpec("median_nan", lambda lib, x, dim, keepdim: (x.median(), x.median(dim, keepdim), x.nanmedian(),
                                                       lib.nanmedian(x, dim, keepdim)),
           _along(nans=True, keepdim=KEEPDIM), gradcheck=False,
           no_forward_ad="torch's forward-mode median derivative (evenly_read_jvp) compares input == result, false for "
                         "NaN, and gives a NaN tangent where its reverse mode selects the NaN entries; impl's forward "
                         "mode is its reverse mode transposed",
           notes="no finite differences: a NaN entry's difference quotient is NaN. median propagates NaN (the index of the first NaN); nanmedian skips NaN (an all-NaN row: NaN)"),
    OpSpec("mode", lambda lib, x, dim, keepdim: (x.mode(dim, keepdim), lib.mode(x, dim=dim)), _along(keepdim=KEEPDIM),
           error_inputs=(_dim_error("mode", {"keepdim": False}), _empty_dim_error("mode", {"keepdim": False})),
           notes="distinct values: every value occurs once, so the mode is the smallest one"),
    OpSpec("mode_ties", lambda lib, x, dim, keepdim: x.mode(dim, keepdim), _ties(keepdim=KEEPDIM), gradcheck=False,
           divergences=(Divergence("finite differences at ties", "mode is piecewise constant in which entry it "
                                   "selects; the gradient goes to the returned index (the last occurrence of the "
                                   "smallest most frequent value, as torch)"),)),
    # ---- unique, searchsorted, bucketize
    OpSpec("unique", lambda lib, x, dim, return_inverse, return_counts: (
               lib.unique(x, return_inverse=return_inverse, return_counts=return_counts, dim=dim),
               x.unique(sorted=True, dim=dim), lib.unique(x, sorted=False).sort().values),
           _unique(), dtypes=("int64",), differentiable=(), gradcheck=False,
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": 2, "return_inverse": False,
                                                                        "return_counts": False}),
                                    IndexError, "unique.*Dimension out of range", "dim out of range"),),
           divergences=(Divergence("requires_grad of the result", "torch marks unique's values as requiring grad "
                                   "but has no derivative for them (backward raises NotImplementedError); impl "
                                   "returns them without a graph"),
                        Divergence("sorted=False", "the order is unspecified in torch; impl returns sorted values "
                                   "(the spec compares them after sorting)"))),
    OpSpec("unique_consecutive", lambda lib, x, dim, return_inverse, return_counts: (
               lib.unique_consecutive(x, return_inverse=return_inverse, return_counts=return_counts, dim=dim),
               x.unique_consecutive(dim=dim)),
           _unique(), dtypes=("int64",), differentiable=(), gradcheck=False,
           error_inputs=(ErrorInput(lambda lib: ((lib.ones(2, 3),), {"dim": 2, "return_inverse": False,
                                                                        "return_counts": False}),
                                    IndexError, "unique_consecutive.*Dimension out of range", "dim out of range"),)),
    OpSpec("unique_float", lambda lib, x, dim: (lib.unique(x, return_counts=True), x.unique(dim=dim, return_inverse=True)),
           _along(domain="ties", min_dims=1, nonempty=True), differentiable=(), gradcheck=False, error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(0, 2),), {"dim": 1}), RuntimeError,
                          "unique.*0 sized dimensions, and they aren't selected", "a size-0 dim not selected"),)),
    OpSpec("searchsorted", lambda lib, s, v, right: (lib.searchsorted(s, v, right=right),
                                                     lib.searchsorted(s, v, side="right" if right else "left")),
           _searchsorted(), differentiable=(), gradcheck=False, error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(2, 3), lib.ones(3, 2)), {"right": False}), RuntimeError,
                          "searchsorted.*first N-1 dimensions", "leading dims differ"),
               ErrorInput(lambda lib: ((lib.tensor(1.0), lib.ones(2)), {"right": False}), RuntimeError,
                          "searchsorted.*positive dimension", "0-d boundaries"),
               ErrorInput(lambda lib: ((lib.ones(2, 3), 1.5), {"right": False}), RuntimeError,
                          "searchsorted.*", "a scalar value with batched boundaries"))),
    OpSpec("searchsorted_sorter_side_scalar", lambda lib, s, v, right, side: (
               lib.searchsorted(s.flip(-1), v, right=right, sorter=s.flip(-1).argsort(stable=True)),
               lib.searchsorted(s.flatten(), 0.5, right=right, side=side)),
           _searchsorted().flatmap(lambda smp: st.sampled_from([None, "right" if smp.kwargs["right"] else "left"]).map(
               lambda side: sample(*smp.arrays, **smp.kwargs, side=side))),
           differentiable=(), gradcheck=False, error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(3), lib.ones(2)), {"right": True, "side": "left"}), RuntimeError,
                          "searchsorted.*side and right can't be set to opposites", "side='left' with right=True"),
               ErrorInput(lambda lib: ((lib.ones(3), lib.ones(2)), {"right": False, "side": "middle"}), RuntimeError,
                          "searchsorted.*side can only be 'left' or 'right'", "an unknown side"))),
    OpSpec("bucketize", lambda lib, x, b, right: (lib.bucketize(x, b, right=right), lib.bucketize(1.0, b, right=right)),
           _bucketize(), differentiable=(), gradcheck=False, error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(3), lib.ones(2, 2)), {"right": False}), RuntimeError,
                          "bucketize.*boundaries tensor must be 1 dimension", "2-d boundaries"),)),
    # ---- cumulative ops
    OpSpec("cumprod", lambda lib, x, dim: (x.cumprod(dim), lib.cumprod(x, dim=dim)), _along(domain="nonzero", nonempty_dim=False),
           error_inputs=(_dim_error("cumprod"),)),
    OpSpec("cumprod_with_zeros", lambda lib, x, dim: x.cumprod(dim),
           _along(domain="unit", nonempty_dim=False, zeros=True),
           notes="exact zeros (one or two per tensor): torch's zero-aware gradient; the products are polynomials, "
                 "so finite differences and second derivatives apply at the zeros too"),
    # dtype=float32 too (forward only: its float32 rounding is not the float64 run's tolerance): numpy's
    # astype(None) is float64, so a dropped dtype argument passes for dtype=float64 alone
    OpSpec("cumprod_dtype", lambda lib, x, dim: (x.cumprod(dim, dtype=lib.float64),
                                                 lib.cumprod(x.detach(), dim, dtype=lib.float32)),
           _along(domain="nonzero")),
    OpSpec("cummax_cummin", lambda lib, x, dim: (x.cummax(dim), lib.cummin(x, dim=dim), lib.cummax(x, dim).values),
           _along(nonempty_dim=False), error_inputs=(_dim_error("cummax"),)),
    OpSpec("cummax_cummin_ties", lambda lib, x, dim: (x.cummax(dim), x.cummin(dim)), _ties(), gradcheck=False,
           divergences=(Divergence("finite differences at ties", "the running extreme takes the latest of equal "
                                   "entries (torch's index); the gradient goes there, which central differences "
                                   "cannot reproduce"),)),
    OpSpec("logcumsumexp", lambda lib, x, dim: (x.logcumsumexp(dim), lib.logcumsumexp(x, dim)),
           _along(domain="real", nonempty_dim=False), error_inputs=(
               _dim_error("logcumsumexp"),
               ErrorInput(lambda lib: ((lib.tensor([1, 2]),), {"dim": 0}), NotImplementedError,
                          "logcumsumexp.*", "integer input"))),
]
