"""OpSpecs for the losses of impl.nn.functional (reductions, weights, ignore_index, label smoothing, ...).

Same conventions as nn_functional.py: ``fn(lib, *tensors, **kwargs)`` through ``lib.nn.functional``;
hypothesis draws the options and shapes, a seeded numpy generator fills the values. Tensor-valued options
(weight, pos_weight) are arrays of the sample so each library gets its own tensor; the specs that take a
weight are separate from the unweighted ones because the array list of a spec has a fixed meaning.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from reference.opspec import ErrorInput, OpSpec
from reference.specs.nn_functional import F, normal, rng_of, sample, uniform

REDUCTIONS = st.sampled_from(["none", "mean", "sum"])


def _shape(draw, min_dims=0, max_dims=3, min_size=1):
    return tuple(draw(st.lists(st.integers(min_size, 4), min_size=min_dims, max_size=max_dims)))


# ---- regression losses --------------------------------------------------------------------------
@st.composite
def _pointwise(draw, weighted=False, broadcast=True, **options):
    r = rng_of(draw)
    shape = _shape(draw)
    tshape = shape
    if broadcast and not weighted and len(shape) > 1 and draw(st.integers(0, 3)) == 0:
        tshape = shape[1:]  # torch warns and broadcasts
    kw = {"reduction": draw(REDUCTIONS)}
    kw.update({k: draw(v) for k, v in options.items()})
    arrays = [normal(r, *shape), normal(r, *tshape)]
    if weighted:
        arrays.append(uniform(r, 0.1, 2.0, *shape))
    return sample(*arrays, **kw)


# ---- binary cross entropy -----------------------------------------------------------------------
@st.composite
def _bce(draw, weighted=False):
    r = rng_of(draw)
    shape = _shape(draw)
    arrays = [uniform(r, 0.02, 0.98, *shape), uniform(r, 0.0, 1.0, *shape)]
    if weighted:  # broadcastable weight, as torch allows
        arrays.append(uniform(r, 0.1, 2.0, *shape[len(shape) // 2:]))
    return sample(*arrays, reduction=draw(REDUCTIONS))


@st.composite
def _bce_logits(draw, weighted=False):
    r = rng_of(draw)
    shape = _shape(draw, min_dims=1)
    arrays = [normal(r, *shape) * 3, uniform(r, 0.0, 1.0, *shape)]
    if weighted:
        arrays += [uniform(r, 0.1, 2.0, *shape[-1:]), uniform(r, 0.1, 3.0, *shape[-1:])]  # weight, pos_weight
    return sample(*arrays, reduction=draw(REDUCTIONS))


# ---- cross entropy / nll ------------------------------------------------------------------------
@st.composite
def _class_problem(draw, probs=False, weighted=False, smoothing=True, ignore=True):
    """(input, target[, weight]) for (C,), (N, C) and (N, C, d1, ...) layouts."""
    r = rng_of(draw)
    C = draw(st.integers(1, 5))
    layout = draw(st.sampled_from(["unbatched", "batched", "batched", "spatial"]))
    if layout == "unbatched":
        xshape, tshape = (C,), ()
    elif layout == "batched":
        N = draw(st.integers(1, 5))
        xshape, tshape = (N, C), (N,)
    else:
        N = draw(st.integers(1, 3))
        sp = _shape(draw, min_dims=1, max_dims=2)
        xshape, tshape = (N, C, *sp), (N, *sp)
    kw = {"reduction": draw(REDUCTIONS)}
    if smoothing and draw(st.booleans()):
        kw["label_smoothing"] = draw(st.sampled_from([0.1, 0.25, 1.0]))
    x = normal(r, *xshape) * 2
    if probs:
        t = uniform(r, 0.0, 1.0, *xshape)
        if draw(st.booleans()):
            t = t / t.sum(axis=0 if layout == "unbatched" else 1, keepdims=True)  # proper distributions
    else:
        t = r.integers(0, C, tshape)
        if ignore and draw(st.booleans()):
            ii = draw(st.sampled_from([-100, 0, C - 1, -1]))
            if ii != -100:
                kw["ignore_index"] = ii
            drop = r.random(tshape) < 0.3
            t = np.where(drop, ii, t)
            if (t == ii).all():  # keep one counted target: an all-ignored mean is 0/0 (tested on its own)
                t.flat[0] = (ii + 1) % C if ii >= 0 else 0
                if t.flat[0] == ii:
                    kw.pop("ignore_index", None)
    arrays = [x, t]
    if weighted:
        arrays.append(uniform(r, 0.1, 2.0, C))
    return sample(*arrays, **kw)


@st.composite
def _kl(draw):
    r = rng_of(draw)
    shape = _shape(draw, min_dims=1)
    log_target = draw(st.booleans())
    t = normal(r, *shape) if log_target else uniform(r, 0.05, 1.0, *shape)
    return sample(normal(r, *shape), t, reduction=draw(st.sampled_from(["none", "mean", "sum", "batchmean"])),
                  log_target=log_target)


def _ce_errors():
    return (
        ErrorInput(lambda lib: ((lib.randn(3, 4), lib.tensor([0, 1, 4])), {}), IndexError, "Target 4 is out of bounds"),
        ErrorInput(lambda lib: ((lib.randn(3, 4), lib.tensor([0, 1])), {}), ValueError,
                   r"Expected input batch_size \(3\) to match target batch_size \(2\)"),
        ErrorInput(lambda lib: ((lib.randn(3, 4), lib.tensor([0.0, 1.0, 2.0])), {}), RuntimeError,
                   "expected target dtype to be Long"),
        ErrorInput(lambda lib: ((lib.randn(3, 4), lib.rand(3, 4)), {"ignore_index": 1}), RuntimeError,
                   "ignore_index is not supported for floating point target"),
        ErrorInput(lambda lib: ((lib.randn(3, 4), lib.tensor([0, 1, 2])), {"reduction": "avg"}), ValueError,
                   "avg is not a valid value for reduction"),
        ErrorInput(lambda lib: ((lib.randn(2, 3, 4), lib.zeros(2, 5, dtype=lib.int64)), {}), RuntimeError,
                   r"Expected target size \[2, 4\], got \[2, 5\]"),
    )


def _ce_weight_errors():
    return (
        ErrorInput(lambda lib: ((lib.randn(2, 3), lib.tensor([1, 1]), lib.ones(4)), {}), RuntimeError,
                   "weight tensor should be defined either for all 3 classes or no classes"),
        ErrorInput(lambda lib: ((lib.randn(2, 3), lib.tensor([1, 1]), lib.ones(3, requires_grad=True)), {}), RuntimeError,
                   "is not differentiable with respect to argument 'weight'"),
    )


SPECS = [
    OpSpec("F.mse_loss", lambda lib, x, t, **kw: F(lib).mse_loss(x, t, **kw), _pointwise(), differentiable=(0, 1),
           error_inputs=(ErrorInput(lambda lib: ((lib.randn(3), lib.randn(3)), {"reduction": "avg"}), ValueError,
                                    "avg is not a valid value for reduction"),)),
    OpSpec("F.mse_loss_weighted", lambda lib, x, t, w, **kw: F(lib).mse_loss(x, t, weight=w, **kw),
           _pointwise(weighted=True), differentiable=(0, 1, 2),
           error_inputs=(ErrorInput(lambda lib: ((lib.randn(3), lib.randn(3), lib.ones(2)), {}), ValueError,
                                    "Weights and input must have the same size"),)),
    OpSpec("F.l1_loss", lambda lib, x, t, **kw: F(lib).l1_loss(x, t, **kw), _pointwise(), differentiable=(0, 1)),
    OpSpec("F.l1_loss_weighted", lambda lib, x, t, w, **kw: F(lib).l1_loss(x, t, weight=w, **kw),
           _pointwise(weighted=True), differentiable=(0, 1, 2)),
    OpSpec("F.smooth_l1_loss", lambda lib, x, t, **kw: F(lib).smooth_l1_loss(x, t, **kw),
           _pointwise(beta=st.sampled_from([1.0, 0.5, 2.0, 0.0])), differentiable=(0, 1),
           error_inputs=(ErrorInput(lambda lib: ((lib.randn(3), lib.randn(3)), {"beta": -1.0}), RuntimeError,
                                    "smooth_l1_loss does not support negative values for beta"),)),
    OpSpec("F.huber_loss", lambda lib, x, t, **kw: F(lib).huber_loss(x, t, **kw),
           _pointwise(delta=st.sampled_from([1.0, 0.5, 2.0])), differentiable=(0, 1),
           error_inputs=(ErrorInput(lambda lib: ((lib.randn(3), lib.randn(3)), {"delta": 0.0}), RuntimeError,
                                    "huber_loss does not support non-positive values for delta"),)),
    OpSpec("F.huber_loss_weighted", lambda lib, x, t, w, **kw: F(lib).huber_loss(x, t, weight=w, **kw),
           _pointwise(weighted=True, delta=st.sampled_from([1.0, 0.5])), differentiable=(0, 1, 2),
           notes="torch's weighted huber mean is mean(w * l), unlike mse/l1's sum(w * l) / sum(w)"),
    OpSpec("F.binary_cross_entropy", lambda lib, x, t, **kw: F(lib).binary_cross_entropy(x, t, **kw), _bce(),
           differentiable=(0, 1),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.tensor([1.5]), lib.tensor([1.0])), {}), RuntimeError,
                          "all elements of input should be between 0 and 1"),
               ErrorInput(lambda lib: ((lib.tensor([0.5]), lib.tensor([[1.0]])), {}), ValueError,
                          "that is different to the input size"),
           )),
    OpSpec("F.binary_cross_entropy_weighted", lambda lib, x, t, w, **kw: F(lib).binary_cross_entropy(x, t, weight=w, **kw),
           _bce(weighted=True), differentiable=(0, 1),
           error_inputs=(ErrorInput(lambda lib: ((lib.rand(3), lib.rand(3), lib.ones(3, requires_grad=True)), {}),
                                    RuntimeError, "is not differentiable with respect to argument 'weight'"),)),
    OpSpec("F.binary_cross_entropy_with_logits",
           lambda lib, x, t, **kw: F(lib).binary_cross_entropy_with_logits(x, t, **kw), _bce_logits(), differentiable=(0, 1),
           error_inputs=(ErrorInput(lambda lib: ((lib.tensor([0.5]), lib.tensor([[1.0]])), {}), ValueError,
                                    "must be the same as input size"),)),
    OpSpec("F.binary_cross_entropy_with_logits_weighted",
           lambda lib, x, t, w, pw, **kw: F(lib).binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, **kw),
           _bce_logits(weighted=True), differentiable=(0, 1),
           notes="weight and pos_weight are not differentiable in torch (it raises if they require grad); impl too"),
    OpSpec("F.cross_entropy", lambda lib, x, t, **kw: F(lib).cross_entropy(x, t, **kw), _class_problem(),
           error_inputs=_ce_errors()),
    OpSpec("F.cross_entropy_weighted", lambda lib, x, t, w, **kw: F(lib).cross_entropy(x, t, weight=w, **kw),
           _class_problem(weighted=True), error_inputs=_ce_weight_errors(),
           notes="mean = sum(w_t * l) / sum(w_t) over non-ignored targets, for the smoothing term too"),
    OpSpec("F.cross_entropy_probs", lambda lib, x, t, **kw: F(lib).cross_entropy(x, t, **kw),
           _class_problem(probs=True), differentiable=(0, 1)),
    OpSpec("F.cross_entropy_probs_weighted", lambda lib, x, t, w, **kw: F(lib).cross_entropy(x, t, weight=w, **kw),
           _class_problem(probs=True, weighted=True), differentiable=(0, 1, 2),
           notes="with probability targets the mean divides by N*d1*..., not by the weights"),
    OpSpec("F.nll_loss", lambda lib, x, t, **kw: F(lib).nll_loss(x, t, **kw), _class_problem(smoothing=False),
           error_inputs=(ErrorInput(lambda lib: ((lib.randn(3, 4), lib.tensor([0, 1, 4])), {}), IndexError,
                                    "Target 4 is out of bounds"),)),
    OpSpec("F.nll_loss_weighted", lambda lib, x, t, w, **kw: F(lib).nll_loss(x, t, weight=w, **kw),
           _class_problem(smoothing=False, weighted=True)),
    OpSpec("F.kl_div", lambda lib, x, t, **kw: F(lib).kl_div(x, t, **kw), _kl(), differentiable=(0, 1)),
]
