"""OpSpecs for the margin, embedding and likelihood losses of impl.nn.functional (loss_extra.py).

Same conventions as losses.py. Every hinge (max(0, .)) is a kink: the strategies keep its argument >= 0.05 away
from 0 (and the swap minimum of triplet_margin_loss away from a tie), redrawing the values from the seeded
generator when needed, so finite differences and both libraries agree on the branch.
"""
from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import strategies as st

from reference.opspec import ErrorInput, OpSpec
from reference.specs.losses import REDUCTIONS, _shape
from reference.specs.nn_functional import F, normal, rng_of, sample, uniform
from reference.strategies import away_from, values

GAP = 0.05


def _signs(r, shape):
    return r.choice([-1.0, 1.0], shape)


def _reduction_error(name, make):
    return ErrorInput(lambda lib: (make(lib), {"reduction": "avg"}), ValueError, "avg is not a valid")


# ---- margin ranking, hinge embedding, soft margin -----------------------------------------------
@st.composite
def _margin_ranking(draw):
    r = rng_of(draw)
    shape = _shape(draw)
    margin = draw(st.sampled_from([0.0, 0.5, -0.3]))
    t = _signs(r, shape)
    x2 = normal(r, *shape)
    u = away_from(normal(r, *shape), [0.0], GAP)  # the hinge's argument is -t * u
    return sample(x2 + u + margin * t, x2, t, margin=margin, reduction=draw(REDUCTIONS))


@st.composite
def _hinge_embedding(draw):
    r = rng_of(draw)
    shape = _shape(draw)
    margin = draw(st.sampled_from([1.0, 0.5, 2.0]))
    x = away_from(normal(r, *shape), [margin], GAP)
    return sample(x, _signs(r, shape), margin=margin, reduction=draw(REDUCTIONS))


@st.composite
def _soft_margin(draw):
    r = rng_of(draw)
    shape = _shape(draw)
    return sample(normal(r, *shape), _signs(r, shape), reduction=draw(REDUCTIONS))


@st.composite
def _multilabel_soft_margin(draw, weighted=False):
    r = rng_of(draw)
    shape = _shape(draw, min_dims=1, max_dims=2)
    arrays = [normal(r, *shape) * 2, uniform(r, 0.0, 1.0, *shape)]
    if weighted:
        arrays.append(uniform(r, 0.1, 2.0, shape[-1]))
    return sample(*arrays, reduction=draw(REDUCTIONS))


# ---- cosine embedding, triplet ------------------------------------------------------------------
@st.composite
def _cosine_embedding(draw):
    r = rng_of(draw)
    D = draw(st.integers(1, 4))
    batched = draw(st.booleans())
    lead = (draw(st.integers(1, 4)),) if batched else ()
    margin = draw(st.sampled_from([0.0, 0.5, -0.3]))
    # cos's gradient scales as 1/|x| and so does its float32 rounding (as normalize's, nn_functional.py): a draw of
    # |x1| = 0.012 over D=1, where the exact gradient is 0, gave torch 3e-5 (thorough profile, seed 1, 2026-12-01).
    # The "nonzero" domain keeps every |x| >= 0.1.
    a, b = values(r, (*lead, D), "nonzero"), values(r, (*lead, D), "nonzero")
    cos = (a * b).sum(-1) / np.sqrt((a * a).sum(-1) * (b * b).sum(-1))
    t = np.where(np.abs(cos - margin) < GAP, 1.0, _signs(r, lead))  # target -1 only away from the hinge
    return sample(a + 0.0, b, t, margin=margin, reduction=draw(REDUCTIONS))


def _pdist(x, y, p, eps):
    return (np.abs(x - y + eps) ** p).sum(-1) ** (1 / p)


@st.composite
def _triplet(draw):
    r = rng_of(draw)
    D = draw(st.integers(1, 4))
    lead = (draw(st.integers(1, 4)),) if draw(st.booleans()) else ()
    p = draw(st.sampled_from([1.0, 2.0, 3.0]))
    margin = draw(st.sampled_from([1.0, 0.5]))
    swap = draw(st.booleans())
    eps = 1e-6
    for _ in range(20):  # redraw until no hinge or swap tie is near
        a, pos, neg = normal(r, *lead, D), normal(r, *lead, D), normal(r, *lead, D)
        dp, dn, ds = _pdist(a, pos, p, eps), _pdist(a, neg, p, eps), _pdist(pos, neg, p, eps)
        dneg = np.minimum(dn, ds) if swap else dn
        if np.all(np.abs(margin + dp - dneg) > GAP) and (not swap or np.all(np.abs(dn - ds) > GAP)):
            break
    return sample(a, pos, neg, margin=margin, p=p, swap=swap, reduction=draw(REDUCTIONS))


# ---- likelihoods --------------------------------------------------------------------------------
@st.composite
def _poisson_nll(draw):
    r = rng_of(draw)
    shape = _shape(draw)
    log_input, full = draw(st.booleans()), draw(st.booleans())
    x = normal(r, *shape) if log_input else uniform(r, 0.2, 3.0, *shape)
    t = away_from(uniform(r, 0.1, 4.0, *shape), [1.0], GAP)  # full's Stirling term switches on at t > 1
    return sample(x, t, log_input=log_input, full=full, reduction=draw(REDUCTIONS))


@st.composite
def _gaussian_nll(draw):
    r = rng_of(draw)
    shape = _shape(draw, min_dims=1)
    kind = draw(st.sampled_from(["same", "same", "drop_last", "one"]))
    if kind == "same":
        vshape = shape
    elif kind == "drop_last":
        vshape = shape[:-1]
    else:  # one dim of var is 1 where input's is not (homoscedastic along it)
        vshape = list(shape)
        i = draw(st.integers(0, len(shape) - 1))
        if shape[i] == 1:
            shape = shape[:i] + (2,) + shape[i + 1:]
        vshape[i] = 1
        vshape = tuple(vshape)
    return sample(normal(r, *shape), normal(r, *shape), uniform(r, 0.2, 2.0, *vshape), full=draw(st.booleans()),
                  eps=draw(st.sampled_from([1e-6, 1e-3])), reduction=draw(REDUCTIONS))


@st.composite
def _gaussian_nll_float_var(draw):
    r = rng_of(draw)
    shape = _shape(draw, min_dims=1)
    return sample(normal(r, *shape), normal(r, *shape), var=draw(st.sampled_from([0.5, 2.0, 1e-9])),
                  reduction=draw(REDUCTIONS))


# ---- multi-class margins ------------------------------------------------------------------------
@st.composite
def _multi_margin(draw, weighted=False):
    r = rng_of(draw)
    C = draw(st.integers(1, 5))
    batched = draw(st.booleans())
    N = draw(st.integers(1, 4)) if batched else 1
    margin = draw(st.sampled_from([1.0, 0.5]))
    for _ in range(20):
        x = normal(r, N, C)
        t = r.integers(0, C, N)
        z = margin - x[np.arange(N), t][:, None] + x
        z[np.arange(N), t] = 1.0  # i == y is excluded from the sum
        if np.all(np.abs(z) > GAP):
            break
    kw = dict(p=draw(st.sampled_from([1, 2])), margin=margin, reduction=draw(REDUCTIONS))
    arrays = [x if batched else x[0], t if batched else t.reshape(())]
    if weighted:
        arrays.append(uniform(r, 0.1, 2.0, C))
    return sample(*arrays, **kw)


@st.composite
def _multilabel_margin(draw):
    r = rng_of(draw)
    C = draw(st.integers(1, 5))
    batched = draw(st.booleans())
    N = draw(st.integers(1, 3)) if batched else 1
    t = np.full((N, C), -1, dtype=np.int64)
    for _ in range(20):
        x = normal(r, N, C)
        counts = r.integers(0, C + 1, N)
        perm = np.argsort(r.random((N, C)), axis=1)  # distinct target classes per row
        t = np.where(np.arange(C) < counts[:, None], perm, -1)
        if r.random() < 0.3 and C > 1:  # entries after the first -1 are ignored
            t[:, -1] = perm[:, -1]
        valid = np.cumprod(t >= 0, axis=1).astype(bool)
        is_t = np.zeros((N, C), bool)
        for n in range(N):  # strategy code (not impl): N <= 3
            is_t[n, t[n][valid[n]]] = True
        xj = np.take_along_axis(x, np.where(valid, t, 0), 1)
        h = 1 - xj[:, :, None] + x[:, None, :]
        if np.all(np.abs(h[valid[:, :, None] & ~is_t[:, None, :]]) > GAP):
            break
    return sample(x if batched else x[0], t if batched else t[0], reduction=draw(REDUCTIONS))


def _torch_once(op):
    return (f"torch's {op} is a fused kernel whose backward has no derivative and no forward-mode formula (it raises "
            "NotImplementedError), so there is no torch answer; impl's is a composite of clamp_min, mul, index and "
            "sum ops, whose second derivatives are checked in their own specs")


SPECS = [
    OpSpec("F.margin_ranking_loss", lambda lib, a, b, t, **kw: F(lib).margin_ranking_loss(a, b, t, **kw),
           _margin_ranking(), differentiable=(0, 1),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.randn(3), lib.randn(3), lib.ones(1, 3)), {}), RuntimeError,
                          "All input tensors should have same dimension"),
               _reduction_error("margin_ranking_loss", lambda lib: (lib.randn(3), lib.randn(3), lib.ones(3))),
           )),
    OpSpec("F.hinge_embedding_loss", lambda lib, x, t, **kw: F(lib).hinge_embedding_loss(x, t, **kw),
           _hinge_embedding(), error_inputs=(_reduction_error("hinge", lambda lib: (lib.randn(3), lib.ones(3))),)),
    OpSpec("F.soft_margin_loss", lambda lib, x, t, **kw: F(lib).soft_margin_loss(x, t, **kw), _soft_margin(),
           error_inputs=(_reduction_error("soft_margin", lambda lib: (lib.randn(3), lib.ones(3))),),
           notes="target is not differentiable in torch (its derivative is not implemented)"),
    OpSpec("F.multilabel_soft_margin_loss", lambda lib, x, t, **kw: F(lib).multilabel_soft_margin_loss(x, t, **kw),
           _multilabel_soft_margin(), differentiable=(0, 1),
           error_inputs=(ErrorInput(lambda lib: ((lib.randn(2, 3), lib.ones(2, 3)), {"reduction": "avg"}), ValueError,
                                    "avg is not valid"),)),
    OpSpec("F.multilabel_soft_margin_loss_weighted",
           lambda lib, x, t, w, **kw: F(lib).multilabel_soft_margin_loss(x, t, weight=w, **kw),
           _multilabel_soft_margin(weighted=True), differentiable=(0, 1, 2)),
    OpSpec("F.cosine_embedding_loss", lambda lib, a, b, t, **kw: F(lib).cosine_embedding_loss(a, b, t, **kw),
           _cosine_embedding(), differentiable=(0, 1),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.randn(2, 3), lib.randn(2, 3), lib.ones(2, 1)), {}), RuntimeError,
                          "0D or 1D target tensor expected"),
               ErrorInput(lambda lib: ((lib.randn(3), lib.randn(3), lib.ones(3)), {}), RuntimeError,
                          "1D target tensor expects 2D input tensors"),
               ErrorInput(lambda lib: ((lib.randn(2, 3), lib.randn(2, 3), lib.tensor(1.0)), {}), RuntimeError,
                          "0D target tensor expects 1D input tensors"),
           )),
    OpSpec("F.triplet_margin_loss", lambda lib, a, pos, neg, **kw: F(lib).triplet_margin_loss(a, pos, neg, **kw), _triplet(),
           differentiable=(0, 1, 2),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.randn(2, 3), lib.randn(2, 3), lib.randn(3)), {}), RuntimeError,
                          "expected to have the same number of dimensions"),
               ErrorInput(lambda lib: ((lib.randn(2, 3), lib.randn(2, 3), lib.randn(2, 3)), {"margin": 0.0}), ValueError,
                          "margin must be greater than 0"),
           )),
    OpSpec("F.poisson_nll_loss", lambda lib, x, t, **kw: F(lib).poisson_nll_loss(x, t, **kw), _poisson_nll(),
           differentiable=(0, 1),
           error_inputs=(_reduction_error("poisson", lambda lib: (lib.randn(3), lib.ones(3))),)),
    OpSpec("F.gaussian_nll_loss", lambda lib, x, t, v, **kw: F(lib).gaussian_nll_loss(x, t, v, **kw), _gaussian_nll(),
           differentiable=(0, 1, 2),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.randn(2, 3), lib.randn(2, 3), lib.ones(3, 2)), {}), ValueError,
                          "var is of incorrect size"),
               ErrorInput(lambda lib: ((lib.randn(2, 3), lib.randn(2, 3), -lib.ones(2, 3)), {}), ValueError,
                          "var has negative entry"),
               ErrorInput(lambda lib: ((lib.randn(2, 3), lib.randn(2, 3), lib.ones(2, 3)), {"reduction": "avg"}),
                          ValueError, "avg is not valid"),
           ),
           notes="var is clamped at eps without a gradient of its own (torch clamps a clone in place under no_grad)"),
    OpSpec("F.gaussian_nll_loss_float_var", lambda lib, x, t, **kw: F(lib).gaussian_nll_loss(x, t, **kw),
           _gaussian_nll_float_var(), differentiable=(0, 1),
           error_inputs=(ErrorInput(lambda lib: ((lib.randn(2, 3), lib.randn(2, 3)), {"var": -1.0}), ValueError,
                                    "var has negative entry"),)),
    OpSpec("F.multi_margin_loss", lambda lib, x, t, **kw: F(lib).multi_margin_loss(x, t, **kw), _multi_margin(),
           no_gradgrad=_torch_once("multi_margin_loss"), no_forward_ad=_torch_once("multi_margin_loss"),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.randn(2, 3), lib.tensor([0, 1])), {"p": 3}), ValueError,
                          "only p == 1 and p == 2 supported"),
               ErrorInput(lambda lib: ((lib.randn(2, 3), lib.tensor([0, 1, 1])), {}), RuntimeError,
                          "inconsistent target size"),
               ErrorInput(lambda lib: ((lib.randn(2, 3), lib.tensor([0, 3])), {}), RuntimeError, "target out of range"),
               ErrorInput(lambda lib: ((lib.randn(2, 3), lib.tensor([0.0, 1.0])), {}), RuntimeError,
                          "expected scalar type Long but found"),
           )),
    OpSpec("F.multi_margin_loss_weighted", lambda lib, x, t, w, **kw: F(lib).multi_margin_loss(x, t, weight=w, **kw),
           _multi_margin(weighted=True),
           no_gradgrad=_torch_once("multi_margin_loss"), no_forward_ad=_torch_once("multi_margin_loss"),
           error_inputs=(ErrorInput(lambda lib: ((lib.randn(2, 3), lib.tensor([0, 1]), lib.ones(3, 1)), {}), ValueError,
                                    "weight must be one-dimensional"),
                         ErrorInput(lambda lib: ((lib.randn(2, 3), lib.tensor([0, 1]), lib.ones(2)), {}), RuntimeError,
                                    r"inconsistent weight size, expected 3 but got \[2\]"))),
    OpSpec("F.multilabel_margin_loss", lambda lib, x, t, **kw: F(lib).multilabel_margin_loss(x, t, **kw),
           _multilabel_margin(),
           no_gradgrad=_torch_once("multilabel_margin_loss"), no_forward_ad=_torch_once("multilabel_margin_loss"),
           error_inputs=(ErrorInput(lambda lib: ((lib.randn(2, 3), lib.tensor([[0, 1, -1]])), {}), RuntimeError,
                                    "inconsistent target size"),
                         ErrorInput(lambda lib: ((lib.randn(2, 3), lib.zeros(2, 3)), {}), RuntimeError,
                                    "expected scalar type Long but found"),
                         ErrorInput(lambda lib: ((lib.randn(2, 3), lib.tensor([[0, 3, -1], [0, 1, 2]])), {}),
                                    RuntimeError, "target out of range"))),
]
# One family with the specs of the same kind in losses.py (the parity table's grouping; core-op meta-tests count the rest).
SPECS = [dataclasses.replace(s, family="losses") for s in SPECS]
