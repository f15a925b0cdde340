"""Hypothesis strategies for op inputs: shapes, broadcasting, dims, and per-op value domains.

Hypothesis draws the *structure* (shapes, dims, keyword options, a seed); a numpy Generator seeded from
that draw fills the *values*. Values are then continuous and cheap to make, and every example is still
reproducible from hypothesis' choice sequence (and from the literal arrays the failure message prints).

Kinks and ties are kept away by default: ``values(..., "nonzero")`` stays >= 0.1 away from 0 (abs, relu),
``distinct`` gives values >= 0.2 apart (max, amax, sort-like ops), ``away_from`` pushes values off given
break points (clamp bounds), ``quotient_pair`` keeps x/y off the integers (floor division, remainder).
The ``ties`` domain produces them on purpose, for the separate tie specs.

A ``Sample`` is what every spec's strategy produces: the numpy arrays (float arrays are made in float64 and
cast to the dtype under test; int64/bool arrays keep their dtype) and the keyword arguments of ``spec.fn``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_SIDE = 4


@dataclass
class Sample:
    arrays: tuple
    kwargs: dict = field(default_factory=dict)

    def __repr__(self):  # hypothesis prints this in a falsifying example: keep it short, values are in the reproducer
        arrs = ", ".join(f"{a.dtype}{list(a.shape)}" for a in self.arrays)
        return f"Sample(arrays=[{arrs}], kwargs={self.kwargs!r})"


def sample(*arrays, **kwargs) -> Sample:
    # np.asarray: numpy arithmetic turns 0-d arrays into scalars, which are not arrays.
    return Sample(tuple(np.asarray(a) for a in arrays), kwargs)


# ---- structure ---------------------------------------------------------------------------------
def rng_of(draw) -> np.random.Generator:
    """A numpy Generator seeded by hypothesis: array values without hypothesis' slow array strategies."""
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1)))


@cache  # one strategy object per p: a fresh .map() is validated anew on every draw (see shapes below)
def rarely(p=0.08):
    """A boolean that is True with probability about ``p``, for cases that must be present but must not crowd out
    the rest. Hypothesis favours the ends of a range and repeats choices it has made, so a small integer range
    comes up far more often than its share; a 32-bit draw hashed through numpy's generator does not."""
    return st.integers(0, 2**32 - 1).map(lambda v: bool(np.random.default_rng(v).random() < p))


def rare_zero(draw, shape):
    """``shape`` (any sequence of sizes) with one of its entries set to 0 in about one draw in twelve: the size-0
    case stays present without turning a quarter of the examples into checks of nothing."""
    shape = list(shape)
    if shape and draw(rarely()):
        shape[draw(st.integers(0, len(shape) - 1))] = 0
    return tuple(shape)


def nonzero_sizes(draw, n, max_side=MAX_SIDE):
    """``n`` sizes in 1..max_side, one of them 0 in about one draw in twelve (matrix sides, index lengths)."""
    return rare_zero(draw, [draw(st.integers(1, max_side)) for _ in range(n)])


@cache
def _array_shapes(min_dims, max_dims, min_side, max_side):  # built once: hypothesis validates on construction
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


@cache
def _broadcastable(n, min_dims, max_dims, min_side, max_side):
    return hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                             max_side=max_side).map(lambda b: b.input_shapes)


# The composites below are built once per argument set (@cache, as the two above): hypothesis validates a strategy
# object (walking its sub-strategies) the first time it draws from it, so a composite rebuilt inside every draw paid
# that again each time -- a third of what drawing the samples cost. The choices drawn, and so the samples, are the same.
@cache
@st.composite
def shapes(draw, min_dims=0, max_dims=3, min_side=0, max_side=MAX_SIDE):
    """Array shapes; with the defaults they include 0-d () and, in about one draw in twelve, size-0 shapes like (2, 0).

    Size-0 cases are kept rare: every element-wise check on them compares nothing, and the meta-test
    (property_tests/test_meta.py) wants most examples of every spec to check real values and gradients."""
    shape = list(draw(_array_shapes(min_dims, max_dims, max(min_side, 1), max(max_side, 1))))
    return rare_zero(draw, shape) if min_side == 0 else tuple(shape)


@cache
@st.composite
def broadcast_shapes(draw, n=2, min_dims=0, max_dims=3, min_side=0, max_side=MAX_SIDE):
    """``n`` mutually broadcastable shapes (tuple of tuples); a size-0 broadcast dim in about one draw in twelve."""
    shapes_ = [list(s) for s in draw(_broadcastable(n, min_dims, max_dims, max(min_side, 1), max(max_side, 1)))]
    ndim = max(len(s) for s in shapes_)
    if min_side == 0 and ndim and draw(rarely()):
        d = draw(st.integers(1, ndim))  # counted from the right, as broadcasting aligns
        for s in shapes_:
            if len(s) >= d and s[-d] != 1:
                s[-d] = 0
        if all(len(s) < d or s[-d] == 1 for s in shapes_):  # every operand had 1 there: make the first one 0
            first = next(s for s in shapes_ if len(s) >= d)
            first[-d] = 0
    return tuple(tuple(s) for s in shapes_)


@cache
@st.composite
def one_sided_pair(draw, min_dims=0, max_dims=3, min_side=0, max_side=MAX_SIDE):
    """(big, small) shapes where ``small`` broadcasts to ``big`` (what in-place ops and quotient ops need)."""
    big = draw(shapes(min_dims, max_dims, min_side, max_side))
    k = draw(st.integers(0, len(big)))
    small = tuple(1 if draw(st.booleans()) else s for s in big[len(big) - k:])
    return big, small


def dim_of(draw, ndim):
    """One dim index, negative or not (0-d tensors accept 0 and -1, as torch)."""
    n = max(ndim, 1)
    return draw(st.integers(-n, n - 1))


def dims_of(draw, ndim, allow_none=True, allow_tuple=True, allow_int=True):
    """None, an int, or a tuple of distinct dims (mixed signs) for a reduction over an ``ndim`` tensor."""
    kinds = [k for k, ok in (("none", allow_none), ("int", allow_int), ("tuple", allow_tuple)) if ok]
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    if kind == "int":
        return dim_of(draw, ndim)
    if ndim == 0:
        return draw(st.sampled_from([(), (0,), (-1,)]))
    chosen = draw(st.lists(st.integers(0, ndim - 1), unique=True, min_size=1, max_size=ndim))
    return tuple(d - ndim if draw(st.booleans()) else d for d in chosen)


def norm_axes(dim, ndim):
    """The non-negative axes a dim argument names (None / () = all)."""
    if dim is None or dim == ():
        return tuple(range(ndim))
    if isinstance(dim, int):
        dim = (dim,)
    return tuple(sorted(d % max(ndim, 1) for d in dim)) if ndim else ()


# ---- values ------------------------------------------------------------------------------------
def values(rng, shape, domain="real", scale=1.0):
    """float64 values of ``shape`` in a per-op domain.

    real: N(0, scale); positive: U(0.2, 3); nonzero: |x| in [0.1, 2] with a random sign (kinks at 0 kept away);
    unit: U(-0.9, 0.9); gt_minus1: U(-0.8, 3) (log1p); distinct: >= 0.2 apart (no ties); distinct_abs: no ties in |x|;
    ties: small integers (ties on purpose); not_int: >= 0.1 away from every integer and half-integer.
    """
    shape = tuple(shape)
    if domain == "real":
        return rng.standard_normal(shape) * scale
    if domain == "positive":
        return rng.uniform(0.2, 3.0, shape) * scale
    if domain == "nonzero":
        return rng.uniform(0.1, 2.0, shape) * rng.choice([-1.0, 1.0], shape) * scale
    if domain == "unit":
        return rng.uniform(-0.9, 0.9, shape) * scale
    if domain == "gt_minus1":
        return rng.uniform(-0.8, 3.0, shape)
    if domain == "distinct":
        return distinct(rng, shape) * scale
    if domain == "distinct_abs":  # |x| pairwise >= 0.2 apart and >= 0.25 from 0 (norm p=inf, no ties in |x|)
        n = int(np.prod(shape))
        mags = (rng.permutation(n) + 1) * 0.25 + rng.uniform(0, 0.05, n)
        return (mags * rng.choice([-1.0, 1.0], n)).reshape(shape) * scale
    if domain == "ties":
        return rng.integers(-2, 3, shape).astype(np.float64)
    if domain == "not_int":
        base = rng.integers(-3, 3, shape)
        frac = rng.uniform(0.1, 0.4, shape) + 0.5 * rng.integers(0, 2, shape)
        return (base + frac) * scale
    raise ValueError(f"unknown value domain {domain!r}")


def distinct(rng, *shapes_):
    """Values for one or more arrays, all pairwise >= 0.2 apart (no ties, within or across the arrays)."""
    sizes = [int(np.prod(s)) for s in shapes_]
    n = sum(sizes)
    pool = (rng.permutation(n) - n / 2) * 0.25 + rng.uniform(0, 0.05, n)
    out, start = [], 0
    for s, k in zip(shapes_, sizes):
        out.append(pool[start:start + k].reshape(s))
        start += k
    return out[0] if len(out) == 1 else out


def away_from(x, points, gap=0.1):
    """Move every value closer than ``gap`` to one of ``points`` to ``gap`` beyond it (keeps kinks away)."""
    x = np.array(x, dtype=np.float64)
    for p in points:
        d = x - p
        near = np.abs(d) < gap
        x = np.where(near, p + np.where(d >= 0, gap, -gap) * 1.5, x)
    return x


def spread_groups(x, axes, min_std=0.5):
    """Scale each group's deviations from its mean (the group: ``axes``) so its std is at least ``min_std``.

    Normalisation backward scales as 1/std and so does its float32 rounding: a group of 3 normal draws that are
    nearly equal (std 0.02, thorough profile) gives gradients of ~30 whose float32 error exceeds any fixed
    atol in impl and torch alike. The generic specs test the formula; near-constant groups are the numerical
    extremes suite's job (property_tests/test_numerical_extremes.py, judged against float64)."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=axes, keepdims=True)
    std = x.std(axis=axes, keepdims=True)
    return mean + (x - mean) * np.where(std < min_std, min_std / np.maximum(std, 1e-12), 1.0)


def quotient_pair(rng, sx, sy):
    """(x, y) with y away from 0 and x / y (broadcast) >= 0.15 away from every integer.

    One of the shapes must be the broadcast result (see ``one_sided_pair``).
    """
    out = np.broadcast_shapes(sx, sy)
    frac = rng.uniform(0.15, 0.85, out)
    q = (rng.integers(-3, 3, out) + frac)  # never an integer
    if tuple(out) == tuple(sx):
        y = rng.uniform(0.5, 2.0, sy) * rng.choice([-1.0, 1.0], sy)
        x = q * np.broadcast_to(y, out)
    else:
        x = rng.uniform(0.5, 3.0, sx) * rng.choice([-1.0, 1.0], sx)
        y = np.broadcast_to(x, out) / q
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


# ---- generic composites ------------------------------------------------------------------------
@st.composite
def unary(draw, domain="real", scale=1.0, min_dims=0, max_dims=3, min_side=0, max_side=MAX_SIDE, kinks=(), **options):
    """One array in ``domain`` (kept ``0.1`` away from ``kinks``) plus options drawn from ``options`` strategies."""
    r = rng_of(draw)
    shape = draw(shapes(min_dims, max_dims, min_side, max_side))
    x = values(r, shape, domain, scale)
    if kinks:
        x = away_from(x, kinks)
    kw = {k: draw(v) for k, v in options.items()}
    return sample(x, **kw)


@st.composite
def binary(draw, domains=("real", "real"), min_dims=0, max_dims=3, min_side=0, max_side=MAX_SIDE, **options):
    """Two mutually broadcastable arrays with per-operand domains; ``distinct`` shares one tie-free pool."""
    r = rng_of(draw)
    sx, sy = draw(broadcast_shapes(2, min_dims, max_dims, min_side, max_side))
    if domains == ("distinct", "distinct"):
        x, y = distinct(r, sx, sy)
    else:
        x, y = values(r, sx, domains[0]), values(r, sy, domains[1])
    kw = {k: draw(v) for k, v in options.items()}
    return sample(x, y, **kw)


def draw_examples(strategy, n=50):
    """``n`` examples of ``strategy``, deterministically (derandomized, no database)."""
    out = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None, phases=("generate",),
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(x):
        out.append(x)

    collect()
    return out
