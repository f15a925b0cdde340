"""OpSpecs for more impl.nn.functional blocks: instance_norm, rms_norm, local_response_norm, the channel-wise and
alpha dropouts (deterministic cases only) and embedding_bag.

Same conventions as nn_functional.py (``fn(lib, *tensors, **kwargs)`` through ``lib.nn.functional``; hypothesis
draws options and shapes, a seeded numpy generator fills the values).
"""
from __future__ import annotations

import dataclasses
import warnings

import numpy as np
from hypothesis import strategies as st

from reference.opspec import ErrorInput, OpSpec
from reference.specs.nn_functional import F, batch_dims, normal, rare_zero, rng_of, sample, spread_groups, uniform


# ---- normalisation ------------------------------------------------------------------------------
@st.composite
def _instance_norm(draw, stats=True):
    r = rng_of(draw)
    C, N = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    spatial = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    if int(np.prod(spatial)) < 3:  # as layer_norm's strategy: >= 3 values per instance (1 is refused, 2 is noise)
        spatial = (3,) + spatial[1:]
    x = spread_groups(normal(r, N, C, *spatial), tuple(range(2, 2 + len(spatial))))
    kw = dict(eps=draw(st.sampled_from([1e-5, 1e-3])))
    if stats:
        kw["momentum"] = draw(st.sampled_from([0.1, 0.5, 1.0]))
        return sample(x, normal(r, C), normal(r, C), normal(r, C), uniform(r, 0.5, 2.0, C), **kw)
    return sample(x, **kw)


def _instance_norm_stats(lib, x, w, b, rm, rv, **kw):
    """The running statistics instance_norm updated (clones: each call starts from the drawn ones)."""
    rm, rv = rm.clone(), rv.clone()
    F(lib).instance_norm(x, rm, rv, w, b, use_input_stats=True, **kw)
    return rm, rv


@st.composite
def _rms_norm(draw, weight=True):
    r = rng_of(draw)
    lead = batch_dims(draw)
    norm = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=2)))
    x = normal(r, *lead, *norm) + 0.5  # rms >= ~0.5 per row keeps 1/rms well conditioned
    kw = dict(normalized_shape=norm if draw(st.booleans()) else list(norm),
              eps=draw(st.sampled_from([None, 1e-6, 1e-3])))
    return sample(x, normal(r, *norm), **kw) if weight else sample(x, **kw)


@st.composite
def _lrn(draw):
    r = rng_of(draw)
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 5))
    spatial = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    return sample(normal(r, N, C, *spatial), size=draw(st.integers(1, 4)),
                  alpha=draw(st.sampled_from([1e-4, 0.5])), beta=draw(st.sampled_from([0.75, 0.5])),
                  k=draw(st.sampled_from([1.0, 2.0])))


# ---- dropout: deterministic cases ---------------------------------------------------------------
_DROPOUT_DIMS = {"dropout1d": (2, 3), "dropout2d": (3, 4), "dropout3d": (4, 5), "alpha_dropout": (0, 1, 2, 3),
                 "feature_alpha_dropout": (2, 3, 4)}


@st.composite
def _dropout_identity(draw):
    r = rng_of(draw)
    which = draw(st.sampled_from(sorted(_DROPOUT_DIMS)))
    nd = draw(st.sampled_from(_DROPOUT_DIMS[which]))
    shape = rare_zero(draw, [draw(st.integers(1, 3)) for _ in range(nd)])
    if draw(st.booleans()):
        kw = dict(p=0.0, training=True)
    else:
        kw = dict(p=draw(st.sampled_from([0.0, 0.3, 1.0])), training=False)
    return sample(normal(r, *shape), which=which, **kw)


def _dropout_call(lib, x, which, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropout2d's "3D input read as (N, C, L)" notice, both libraries
        return getattr(F(lib), which)(x, **kw) * 1.0


# ---- embedding_bag ------------------------------------------------------------------------------
@st.composite
def _embedding_bag(draw, mode_choices=("sum", "mean")):
    """(weight, indices[, per_sample_weights]) with 2-D indices or 1-D indices plus offsets (empty bags included)."""
    r = rng_of(draw)
    num, D = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    mode = draw(st.sampled_from(mode_choices))
    kw = dict(mode=mode)
    if draw(st.booleans()):
        B, L = draw(st.integers(1, 3)), draw(st.integers(1, 4))
        idx = r.integers(0, num, (B, L))
    else:
        M = draw(st.integers(0, 7))
        B = draw(st.integers(1, 4))
        cuts = np.sort(r.integers(0, M + 1, B - 1)) if B > 1 else np.zeros(0, dtype=np.int64)
        offsets = np.concatenate([[0], cuts]).astype(np.int64)
        if draw(st.booleans()):
            kw["include_last_offset"] = True
            # the extra offset is the input's size, as torch documents: with a smaller one torch's CPU kernel is
            # inconsistent (sum stops at it, max runs to the end of the input, mean divides by the count to the end)
            offsets = np.append(offsets, M)
        kw["offsets"] = offsets
        idx = r.integers(0, num, (M,))
    if draw(st.booleans()):
        kw["padding_idx"] = draw(st.integers(-num, num - 1))
    w = normal(r, num, D) if mode != "max" else (r.permutation(num * D).reshape(num, D) - num * D / 2) * 0.3
    arrays = [w, idx]
    if mode == "sum" and draw(st.booleans()):
        arrays.append(normal(r, *idx.shape))
    return sample(*arrays, **kw)


def _bag_call(lib, w, idx, psw=None, offsets=None, **kw):
    off = None if offsets is None else lib.tensor(np.asarray(offsets))
    return F(lib).embedding_bag(idx, w, off, per_sample_weights=psw, **kw)


_BAG_TORCH_ONCE = ("torch's embedding_bag gradient is returned without a graph even under create_graph (differentiating "
                   "it raises 'does not have a grad_fn') and _embedding_bag has no forward-mode formula, so there is no "
                   "torch answer; impl's backward is an index_select of the bag "
                   "gradient (differentiable again, checked in index_select's own specs); the first-order float64 "
                   "gradcheck of impl runs")


def _bag_errors():
    return (
        ErrorInput(lambda lib: ((lib.randn(3, 2), lib.tensor([0, 1])), {}), ValueError,
                   "offsets has to be a 1D Tensor but got None"),
        ErrorInput(lambda lib: ((lib.randn(3, 2), lib.tensor([[0, 1]])), {"offsets": [0]}), ValueError,
                   "if input is 2D, then offsets has to be None"),
        ErrorInput(lambda lib: ((lib.randn(3, 2), lib.tensor([[0, 1]])), {"mode": "min"}), ValueError,
                   "mode has to be one of sum, mean or max"),
        ErrorInput(lambda lib: ((lib.randn(3, 2), lib.tensor([[0, 1]]), lib.ones(1, 2)), {"mode": "mean"}),
                   NotImplementedError, "per_sample_weights is only supported for mode='sum'"),
        ErrorInput(lambda lib: ((lib.randn(3, 2), lib.tensor([[0, 1]]), lib.ones(3)), {"mode": "sum"}), ValueError,
                   "then it must have the same shape as the input"),
        ErrorInput(lambda lib: ((lib.randn(3), lib.tensor([[0, 1]])), {}), ValueError, "weight has to be a 2D Tensor"),
        ErrorInput(lambda lib: ((lib.randn(3, 2), lib.zeros(2, 0, dtype=lib.int64)), {}), RuntimeError,
                   "step must be nonzero"),
        ErrorInput(lambda lib: ((lib.randn(3, 2), lib.tensor([0, 5])), {"offsets": [0]}), RuntimeError,
                   r"Index 1 of input takes value 5 which is not in the valid range \[0, 3\)"),
        ErrorInput(lambda lib: ((lib.randn(3, 2), lib.tensor([0, 3])), {"offsets": [0]}), RuntimeError,
                   r"Index 1 of input takes value 3 which is not in the valid range \[0, 3\)", "the first index past the end"),
        ErrorInput(lambda lib: ((lib.randn(3, 2), lib.tensor([0, 1])), {"offsets": [1]}), RuntimeError,
                   r"offsets\[0\] has to be 0"),
    )


SPECS = [
    OpSpec("F.instance_norm",
           lambda lib, x, w, b, rm, rv, **kw: F(lib).instance_norm(x, rm.clone(), rv.clone(), w, b, **kw),
           _instance_norm(), differentiable=(0, 1, 2),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.randn(2, 3, 1), None, None, lib.zeros(3), lib.ones(3)), {}), ValueError,
                          "Expected more than 1 spatial element when training"),
           )),
    OpSpec("F.instance_norm_running_stats", _instance_norm_stats, _instance_norm(), differentiable=(), gradcheck=False,
           notes="the batch average of the per-instance mean and unbiased variance, moved by momentum"),
    OpSpec("F.instance_norm_no_stats", lambda lib, x, **kw: F(lib).instance_norm(x, **kw),
           _instance_norm(stats=False)),
    OpSpec("F.instance_norm_eval",
           lambda lib, x, w, b, rm, rv, **kw: F(lib).instance_norm(x, rm, rv, w, b, use_input_stats=False, **kw),
           _instance_norm(), differentiable=(0, 1, 2)),
    OpSpec("F.rms_norm", lambda lib, x, w, **kw: F(lib).rms_norm(x, weight=w, **kw), _rms_norm(), differentiable=(0, 1),
           error_inputs=(ErrorInput(lambda lib: ((lib.randn(2, 3), lib.ones(4)), {"normalized_shape": [4]}),
                                    RuntimeError, r"Given normalized_shape=\[4\], expected input with shape \[\*, 4\]"),
                         ErrorInput(lambda lib: ((lib.randn(2, 3), lib.ones(3)), {"normalized_shape": 3}), TypeError,
                                    "argument 'normalized_shape' must be tuple of ints, not int"))),
    OpSpec("F.rms_norm_no_weight", lambda lib, x, **kw: F(lib).rms_norm(x, **kw), _rms_norm(weight=False)),
    OpSpec("F.local_response_norm", lambda lib, x, **kw: F(lib).local_response_norm(x, **kw), _lrn(),
           error_inputs=(ErrorInput(lambda lib: ((lib.randn(2, 3),), {"size": 2}), ValueError,
                                    "Expected 3D or higher dimensionality input"),)),
    OpSpec("F.dropout_nd_alpha_identity", _dropout_call, _dropout_identity(),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.randn(2, 3),), {"which": "dropout1d", "p": 1.5}), ValueError,
                          "dropout probability has to be between 0 and 1"),
               ErrorInput(lambda lib: ((lib.randn(2, 3),), {"which": "alpha_dropout", "p": -0.5}), ValueError,
                          "dropout probability has to be between 0 and 1"),
               ErrorInput(lambda lib: ((lib.randn(2, 3, 4, 5),), {"which": "dropout1d"}), RuntimeError,
                          "dropout1d: Expected 2D or 3D input"),
               ErrorInput(lambda lib: ((lib.randn(3),), {"which": "feature_alpha_dropout", "training": True}),
                          RuntimeError, "Feature dropout requires at least 2 dimensions in the input"),
           ),
           notes="dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout in eval mode and at p=0: the identity. "
                 "Training-mode masks come from different generators; their structure, scaling and statistics are "
                 "tested in property_tests/test_module_special.py"),
    OpSpec("F.embedding_bag", _bag_call, _embedding_bag(), differentiable=(0, 2),
           no_gradgrad=_BAG_TORCH_ONCE, no_forward_ad=_BAG_TORCH_ONCE, error_inputs=_bag_errors(),
           notes="mode sum (with per_sample_weights) and mean; offsets with empty bags, include_last_offset, padding_idx"),
    OpSpec("F.embedding_bag_max", _bag_call, _embedding_bag(("max",)), differentiable=(0,),
           no_gradgrad=_BAG_TORCH_ONCE, no_forward_ad=_BAG_TORCH_ONCE,
           notes="distinct weights: no ties for the maximum"),
]
# One family with the specs of the same kind in nn_functional.py (the parity table's grouping; core-op meta-tests count the rest).
SPECS = [dataclasses.replace(s, family="nn.functional") for s in SPECS]
