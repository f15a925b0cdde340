"""impl.nn modules against torch.nn, twin by twin.

Every differential test: hypothesis draws the layer's hyperparameters and input shape; the torch module is
built under ``torch.manual_seed``, its parameters (and float buffers) perturbed so nothing is trivially 0/1,
and its state_dict copied into the impl twin by ``reference.twins.copy_state_dict`` (keys, order, shapes and
dtypes must agree). Then forward outputs, input gradients under a *random* cotangent, every parameter
gradient, every parameter value and every buffer (running stats, num_batches_tracked) are compared.

Tolerances: torch.testing.assert_close defaults (float32 rtol 1.3e-6 atol 1e-5, float64 rtol 1e-7 atol 1e-7),
never loosened by a constant. In float32 a third twin -- torch in float64 on the same weights, inputs and
cotangents -- judges the elements where impl and torch disagree beyond the default: impl passes there only if
it is within the default tolerance of the float64 value widened by 4x the tensor's float32 noise
(reference.twins.assert_close_judged). The noise is the larger of torch's own largest float32 error on the
tensor and the spread of the float64 result when weights and inputs move by one float32 rounding
(``rounding_perturbed``: the computation's sensitivity, which does not depend on torch rounding luckily).
Those are ill-conditioned tensors where torch float32 is itself off (LayerNorm over 1-2 nearly equal values:
rstd = 1/sqrt(var + eps) amplifies roundoff; backward through stacked encoder layers). Why 4, measured under
the thorough profile with seeds 1-5 (2026-12-01): of the 124 tensor comparisons where impl exceeded the plain
default, impl's excess reached 1.18x the noise. Against torch's error alone it reached 12.6x (and 23x on a
post-norm d_model=2 encoder layer, seed 3, which is why the perturbation floor exists); on LayerNorm alone
impl's mean float32 error is below torch's. float64 is never judged: plain defaults.

Beyond the numbers: state_dict keys/shapes for every module, default-initialisation distributions, strict
load_state_dict errors, zero_grad, recursion over nested modules, conversion (.double/.float/.to), repr,
hooks, containers, nn.init and nn.utils.clip_grad_*.
"""
import copy
import math
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

import impl
import impl.nn as inn
import impl.nn.init as iinit
from reference.module_twins import IMPL, IMPL_DT, NP, TOL, TORCH, TORCH_DT, Lib, examples, run_twins  # noqa: F401
from reference.twins import (
    TwinMismatch,
    assert_close,
    copy_state_dict,
    to_impl,
    to_numpy,
)

pytestmark = [pytest.mark.modules,
              pytest.mark.impl_only(reason="not yet routed through reference.targets: runs impl and torch side by side")]

dtypes = st.sampled_from(["float32", "float64"])


def randn(rng, shape, scale=1.0):
    return np.asarray(rng.normal(size=tuple(shape)) * scale, dtype=np.float64)


# =====================================================================================================
# Linear family
# =====================================================================================================
@settings(max_examples=examples(20))
@given(st.integers(1, 6), st.integers(1, 6), st.booleans(), st.lists(st.integers(1, 3), max_size=3), dtypes,
       st.integers(0, 2**16))
def test_linear(in_f, out_f, bias, batch, dtype, seed):
    rng = np.random.default_rng(seed)
    x = randn(rng, (*batch, in_f))
    run_twins(lambda L: L.nn.Linear(in_f, out_f, bias=bias), [x], dtype, what=f"Linear({in_f}, {out_f}, bias={bias})", seed=seed)


@settings(max_examples=examples(10))
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.booleans(), st.integers(1, 4), dtypes,
       st.integers(0, 2**16))
def test_bilinear(in1, in2, out, bias, n, dtype, seed):
    rng = np.random.default_rng(seed)
    run_twins(lambda L: L.nn.Bilinear(in1, in2, out, bias=bias), [randn(rng, (n, in1)), randn(rng, (n, in2))], dtype,
              what=f"Bilinear({in1}, {in2}, {out})", seed=seed)


@settings(max_examples=examples(10))
@given(st.lists(st.integers(1, 3), min_size=2, max_size=4), st.integers(0, 3), dtypes, st.integers(0, 2**16))
def test_flatten_unflatten_identity(shape, start, dtype, seed):
    rng = np.random.default_rng(seed)
    start = min(start, len(shape) - 1)
    x = randn(rng, shape)
    run_twins(lambda L: L.nn.Flatten(start, -1), [x], dtype, what="Flatten")
    run_twins(lambda L: L.nn.Identity(3, foo=1), [x], dtype, what="Identity")
    sizes = (shape[-1], 1)
    run_twins(lambda L: L.nn.Unflatten(len(shape) - 1, sizes), [x], dtype, what="Unflatten")


# =====================================================================================================
# Convolutions and pooling
# =====================================================================================================
@st.composite
def conv_case(draw, nd):
    groups = draw(st.integers(1, 3))
    cin = groups * draw(st.integers(1, 2))
    cout = groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    mode = draw(st.sampled_from(["zeros", "zeros", "reflect", "replicate", "circular"]))
    kind = draw(st.sampled_from(["int", "int", "same", "valid"]))
    if kind == "same":
        stride = (1,) * nd
        padding = "same"
    else:
        stride = tuple(draw(st.integers(1, 2)) for _ in range(nd))
        padding = "valid" if kind == "valid" else tuple(draw(st.integers(0, 2)) for _ in range(nd))
    eff = [d * (kk - 1) + 1 for d, kk in zip(dil, k)]
    # spatial sizes: big enough for the effective kernel, and > padding for reflect (torch's requirement)
    spatial = tuple(draw(st.integers(max(e, 3), max(e, 3) + 3)) for e in eff)
    batch = draw(st.sampled_from([(1,), (2,), ()]))
    bias = draw(st.booleans())
    return dict(cin=cin, cout=cout, k=k, stride=stride, padding=padding, dil=dil, groups=groups, bias=bias, mode=mode,
                shape=(*batch, cin, *spatial))


def _conv_kwargs(c, nd):
    unwrap = (lambda t: t[0]) if nd == 1 else (lambda t: t)
    pad = c["padding"] if isinstance(c["padding"], str) else unwrap(c["padding"])
    return dict(kernel_size=unwrap(c["k"]), stride=unwrap(c["stride"]), padding=pad, dilation=unwrap(c["dil"]),
                groups=c["groups"], bias=c["bias"], padding_mode=c["mode"])


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=examples(25))
@given(conv_case(1), dtypes, st.integers(0, 2**16))
def test_conv1d(c, dtype, seed):
    rng = np.random.default_rng(seed)
    kw = _conv_kwargs(c, 1)
    run_twins(lambda L: L.nn.Conv1d(c["cin"], c["cout"], **kw), [randn(rng, c["shape"])], dtype, what=f"Conv1d {kw}", seed=seed)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=examples(40))
@given(conv_case(2), dtypes, st.integers(0, 2**16))
def test_conv2d(c, dtype, seed):
    rng = np.random.default_rng(seed)
    kw = _conv_kwargs(c, 2)
    run_twins(lambda L: L.nn.Conv2d(c["cin"], c["cout"], **kw), [randn(rng, c["shape"])], dtype, what=f"Conv2d {kw}", seed=seed)


@st.composite
def pool_case(draw, dilation=True):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    pad = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    eff = [d * (kk - 1) + 1 for d, kk in zip(dil, k)]
    hw = tuple(draw(st.integers(e, e + 4)) for e in eff)
    batch = draw(st.sampled_from([(2,), (1,), ()]))
    return dict(k=k, stride=stride, pad=pad, dil=dil, ceil=draw(st.booleans()), shape=(*batch, draw(st.integers(1, 3)), *hw))


@settings(max_examples=examples(30))
@given(pool_case(), dtypes, st.integers(0, 2**16))
def test_maxpool2d(c, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.permutation(np.prod(c["shape"])).reshape(c["shape"]) / 7.0  # distinct values: no ties for the max
    run_twins(lambda L: L.nn.MaxPool2d(c["k"], c["stride"], c["pad"], c["dil"], ceil_mode=c["ceil"]), [x], dtype,
              what=f"MaxPool2d {c}", seed=seed)


@settings(max_examples=examples(8))
@given(st.integers(1, 3), st.integers(1, 2), st.integers(3, 7), st.booleans(), dtypes, st.integers(0, 2**16))
def test_maxpool1d(k, s, length, ceil, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.permutation(2 * 2 * length).reshape(2, 2, length) / 5.0
    run_twins(lambda L: L.nn.MaxPool1d(k, s, k // 2, ceil_mode=ceil), [x], dtype, what="MaxPool1d", seed=seed)


@settings(max_examples=examples(30))
@given(pool_case(dilation=False), st.booleans(), st.sampled_from([None, None, 1, 3]), dtypes, st.integers(0, 2**16))
def test_avgpool2d(c, count_include_pad, divisor, dtype, seed):
    rng = np.random.default_rng(seed)
    run_twins(lambda L: L.nn.AvgPool2d(c["k"], c["stride"], c["pad"], c["ceil"], count_include_pad, divisor),
              [randn(rng, c["shape"])], dtype, what=f"AvgPool2d {c} cip={count_include_pad} div={divisor}", seed=seed)


@settings(max_examples=examples(15))
@given(st.one_of(st.integers(1, 4), st.tuples(st.one_of(st.none(), st.integers(1, 4)), st.integers(1, 5))),
       st.integers(1, 7), st.integers(1, 7), st.sampled_from([(2, 3), (1, 2), (2,)]), dtypes, st.integers(0, 2**16))
def test_adaptive_avgpool2d(out, h, w, lead, dtype, seed):
    rng = np.random.default_rng(seed)
    shape = (*lead, h, w)  # 3-D or 4-D, as torch requires
    run_twins(lambda L: L.nn.AdaptiveAvgPool2d(out), [randn(rng, shape)], dtype, what=f"AdaptiveAvgPool2d({out})", seed=seed)


# =====================================================================================================
# Normalisation
# =====================================================================================================
@settings(max_examples=examples(40))
@given(st.sampled_from(["1d2", "1d3", "2d"]), st.integers(1, 4), st.booleans(), st.booleans(), st.booleans(),
       st.sampled_from([0.1, 0.5, None]), st.sampled_from([1e-5, 1e-3]), dtypes, st.integers(0, 2**16))
def test_batchnorm(kind, c, affine, track, train, momentum, eps, dtype, seed):
    rng = np.random.default_rng(seed)
    shape = {"1d2": (4, c), "1d3": (3, c, 4), "2d": (2, c, 3, 2)}[kind]
    cls = "BatchNorm2d" if kind == "2d" else "BatchNorm1d"
    # three passes: running stats, num_batches_tracked (and momentum=None's cumulative average) must track torch's
    run_twins(lambda L: getattr(L.nn, cls)(c, eps=eps, momentum=momentum, affine=affine, track_running_stats=track),
              [randn(rng, shape, 2.0) + 1.0], dtype, train=train, steps=3,
              what=f"{cls}({c}, momentum={momentum}, affine={affine}, track={track})", seed=seed)


@settings(max_examples=examples(20))
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.integers(1, 3), st.booleans(), st.booleans(),
       st.sampled_from([1e-5, 1e-2]), dtypes, st.integers(0, 2**16))
def test_layernorm(shape, nnorm, affine, bias, eps, dtype, seed):
    rng = np.random.default_rng(seed)
    nnorm = min(nnorm, len(shape))
    normalized = shape[len(shape) - nnorm:]
    arg = normalized[0] if (nnorm == 1 and seed % 2) else tuple(normalized)  # int or tuple, both accepted
    # (normalising over one element, or nearly equal values, is ill-conditioned in float32: the float64 judge
    # in run_twins settles those elements; e.g. over ONE element the exact input gradient is 0, impl gives 0 and
    # torch float32 gives rstd-amplified roundoff ~1.5e-5.)
    run_twins(lambda L: L.nn.LayerNorm(arg, eps=eps, elementwise_affine=affine, bias=bias), [randn(rng, shape, 2.0)],
              dtype, what=f"LayerNorm({arg}, affine={affine}, bias={bias})", seed=seed)


@settings(max_examples=examples(20))
@given(st.integers(1, 3), st.integers(1, 3), st.lists(st.integers(1, 3), max_size=2), st.integers(1, 3),
       st.booleans(), st.sampled_from([1e-5, 1e-2]), dtypes, st.integers(0, 2**16))
def test_groupnorm(groups, per_group, spatial, n, affine, eps, dtype, seed):
    rng = np.random.default_rng(seed)
    c = groups * per_group
    if per_group * int(np.prod(spatial)) == 1:
        spatial = [*spatial, 2]  # torch needs more than one value per group
    run_twins(lambda L: L.nn.GroupNorm(groups, c, eps=eps, affine=affine), [randn(rng, (n, c, *spatial), 2.0)], dtype,
              what=f"GroupNorm({groups}, {c})", seed=seed)


# =====================================================================================================
# Embedding, dropout
# =====================================================================================================
@settings(max_examples=examples(20))
@given(st.integers(2, 8), st.integers(1, 4), st.one_of(st.none(), st.integers(-2, 1)),
       st.lists(st.integers(1, 4), min_size=0, max_size=2), st.booleans(),
       st.one_of(st.none(), st.sampled_from([0.5, 1.5])), dtypes, st.integers(0, 2**16))
def test_embedding(num, dim, padding_idx, shape, scale_grad, max_norm, dtype, seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, num, size=shape).astype(np.int64)  # repeated ids: gradients must accumulate
    run_twins(lambda L: L.nn.Embedding(num, dim, padding_idx=padding_idx, scale_grad_by_freq=scale_grad, max_norm=max_norm),
              [ids], dtype, what=f"Embedding({num}, {dim}, padding_idx={padding_idx}, max_norm={max_norm})", seed=seed)


@settings(max_examples=examples(10))
@given(st.sampled_from([0.0, 0.3, 0.9]), st.lists(st.integers(1, 4), max_size=3), dtypes, st.integers(0, 2**16))
def test_dropout_identity_in_eval_and_at_p0(p, shape, dtype, seed):
    """Deterministic cases compared with torch: eval mode (any p) and p=0 in training are the identity."""
    rng = np.random.default_rng(seed)
    x = randn(rng, shape)
    run_twins(lambda L: L.nn.Dropout(p), [x], dtype, train=False, what=f"Dropout({p}) eval")
    run_twins(lambda L: L.nn.Dropout(0.0), [x], dtype, train=True, what="Dropout(0) train")


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_training_statistics(p):
    """torch's RNG can't be matched, so: kept fraction ~ 1-p (5 sigma), survivors scaled by exactly 1/(1-p),
    and the backward is masked exactly as the forward."""
    n = 200_000
    impl.manual_seed(1234)
    x = impl.ones(n, requires_grad=True)
    m = inn.Dropout(p)
    y = m(x)
    kept = y._data != 0
    frac = kept.mean()
    assert abs(frac - (1 - p)) < 5 * math.sqrt(p * (1 - p) / n), f"kept fraction {frac} for p={p}"
    np.testing.assert_allclose(y._data[kept], 1 / (1 - p), rtol=1e-6)
    g = np.random.default_rng(0).normal(size=n).astype(np.float32)
    y.backward(impl.tensor(g))
    np.testing.assert_allclose(x.grad._data, np.where(kept, g / (1 - p), 0), rtol=1e-6)
    # p=1 zeroes everything (as torch)
    assert not inn.Dropout(1.0)(impl.ones(10))._data.any()
    with pytest.raises(ValueError, match="dropout probability"):
        inn.Dropout(1.5)


# =====================================================================================================
# Activations
# =====================================================================================================
ACTIVATIONS = [
    ("ReLU", lambda d: {}), ("ReLU6", lambda d: {}), ("Hardtanh", lambda d: dict(min_val=-0.7, max_val=1.3)),
    ("GELU", lambda d: dict(approximate=d(st.sampled_from(["none", "tanh"])))), ("SiLU", lambda d: {}),
    ("Mish", lambda d: {}), ("Tanh", lambda d: {}), ("Sigmoid", lambda d: {}), ("LogSigmoid", lambda d: {}),
    ("LeakyReLU", lambda d: dict(negative_slope=d(st.sampled_from([0.01, 0.2, 1.5])))),
    ("ELU", lambda d: dict(alpha=d(st.sampled_from([1.0, 0.5, 2.0])))),
    ("Softplus", lambda d: dict(beta=d(st.sampled_from([1.0, 2.0, 0.5])), threshold=d(st.sampled_from([20.0, 1.0])))),
    ("Softsign", lambda d: {}), ("GLU", None), ("Softmax", None), ("Softmin", None), ("LogSoftmax", None),
]


@settings(max_examples=examples(50))
@given(st.data(), st.sampled_from([a[0] for a in ACTIVATIONS]), st.lists(st.integers(1, 4), min_size=0, max_size=3),
       dtypes, st.integers(0, 2**16))
def test_activations(data, name, shape, dtype, seed):
    rng = np.random.default_rng(seed)
    kwargs_fn = dict(ACTIVATIONS)[name]
    if kwargs_fn is None:  # dim-taking modules
        if name == "GLU":
            shape = [*shape, 2 * data.draw(st.integers(1, 2))]
            kwargs = dict(dim=-1)
        else:
            shape = shape or [3]
            kwargs = dict(dim=data.draw(st.integers(-len(shape), len(shape) - 1)))
    else:
        kwargs = kwargs_fn(data.draw)
    x = randn(rng, shape, 2.0)
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kinks of relu-like functions
    run_twins(lambda L: getattr(L.nn, name)(**kwargs), [x], dtype, what=f"{name}({kwargs})", seed=seed)


def test_inplace_activation_on_intermediate():
    """ReLU(inplace=True) on a non-leaf: same values and gradients as torch, input tensor modified."""
    x = np.linspace(-2, 2, 12).reshape(3, 4)
    for inplace_cls in ("ReLU", "SiLU", "LeakyReLU", "ELU"):
        run_twins(lambda L, c=inplace_cls: L.nn.Sequential(L.nn.Linear(4, 4), getattr(L.nn, c)(inplace=True)), [x], "float64",
                  what=f"{inplace_cls}(inplace=True)")


# =====================================================================================================
# Losses
# =====================================================================================================
reductions = st.sampled_from(["mean", "sum", "none"])


@settings(max_examples=examples(50))
@given(st.data(), st.sampled_from(["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss",
                                   "KLDivLoss"]), st.lists(st.integers(1, 4), min_size=0, max_size=3), dtypes,
       st.integers(0, 2**16))
def test_pointwise_losses(data, name, shape, dtype, seed):
    rng = np.random.default_rng(seed)
    red = data.draw(reductions)
    kwargs, extra = dict(reduction=red), []
    x, t = randn(rng, shape), randn(rng, shape)
    grad = [0, 1]
    if name == "SmoothL1Loss":
        kwargs["beta"] = data.draw(st.sampled_from([1.0, 0.5, 2.0]))
    if name == "HuberLoss":
        kwargs["delta"] = data.draw(st.sampled_from([1.0, 0.5, 2.0]))
    if name == "BCELoss":
        x = rng.uniform(0.05, 0.95, shape)
        t = rng.uniform(0, 1, shape)
        grad = [0]  # torch has no derivative for BCE's target
        if shape and data.draw(st.booleans()):
            extra.append(rng.uniform(0.5, 2, shape[-1:]))
    if name == "BCEWithLogitsLoss":
        t = rng.uniform(0, 1, shape)
        if shape and data.draw(st.booleans()):
            extra.append(rng.uniform(0.5, 2, shape[-1:]))
        if shape and data.draw(st.booleans()):
            kwargs["pos_weight_arr"] = rng.uniform(0.5, 3, shape[-1:])
    if name == "KLDivLoss":
        kwargs["reduction"] = data.draw(st.sampled_from(["mean", "sum", "none", "batchmean"]))
        kwargs["log_target"] = data.draw(st.booleans())
        x = np.log(rng.uniform(0.05, 1, shape))
        t = np.log(rng.uniform(0.05, 1, shape)) if kwargs["log_target"] else rng.uniform(0.05, 1, shape)

    def build(L):
        kw = dict(kwargs)
        if extra:
            kw["weight"] = L.top.tensor(extra[0].astype(NP[dtype]))
        if "pos_weight_arr" in kw:
            kw["pos_weight"] = L.top.tensor(kw.pop("pos_weight_arr").astype(NP[dtype]))
        return getattr(L.nn, name)(**kw)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # KLDivLoss(reduction='mean') warns in both libraries
        run_twins(build, [x, t], dtype, grad=grad, perturb=False, what=f"{name}({kwargs})", seed=seed)


@settings(max_examples=examples(50))
@given(st.data(), st.sampled_from(["CrossEntropyLoss", "NLLLoss"]), st.integers(2, 5),
       st.sampled_from(["N", "N_d", "unbatched"]), dtypes, st.integers(0, 2**16))
def test_classification_losses(data, name, C, layout, dtype, seed):
    rng = np.random.default_rng(seed)
    N = data.draw(st.integers(1, 4))
    shape = {"N": (N, C), "N_d": (N, C, data.draw(st.integers(1, 3))), "unbatched": (C,)}[layout]
    tshape = tuple(s for i, s in enumerate(shape) if i != (0 if layout == "unbatched" else 1))
    probs = name == "CrossEntropyLoss" and data.draw(st.booleans())
    kwargs = dict(reduction=data.draw(reductions))
    use_weight = data.draw(st.booleans())
    if name == "CrossEntropyLoss":
        kwargs["label_smoothing"] = data.draw(st.sampled_from([0.0, 0.0, 0.1, 0.4]))
    x = randn(rng, shape, 2.0)
    if name == "NLLLoss":
        x = x - np.log(np.exp(x).sum(axis=0 if layout == "unbatched" else 1, keepdims=True))
    if probs:
        p = rng.uniform(0.01, 1, shape)
        target = p / p.sum(axis=0 if layout == "unbatched" else 1, keepdims=True)
        grad = [0]
    else:
        target = rng.integers(0, C, size=tshape).astype(np.int64)
        if data.draw(st.booleans()) and target.size > 1:
            kwargs["ignore_index"] = int(target.reshape(-1)[0])  # at least one ignored, not all (usually)
        grad = [0]
    w = rng.uniform(0.2, 2.0, C)

    def build(L):
        kw = dict(kwargs)
        if use_weight:
            kw["weight"] = L.top.tensor(w.astype(NP[dtype]))
        return getattr(L.nn, name)(**kw)

    run_twins(build, [x, target], dtype, grad=grad, perturb=False, what=f"{name}({kwargs}) {layout} probs={probs}",
              seed=seed)


# =====================================================================================================
# Attention and transformers
# =====================================================================================================
@st.composite
def mha_case(draw):
    heads = draw(st.integers(1, 3))
    E = heads * draw(st.integers(1, 3))
    mode = draw(st.sampled_from(["self", "self", "kv_same", "cross"]))
    kdim = vdim = None
    if mode == "cross" and draw(st.booleans()):
        kdim, vdim = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    L = draw(st.integers(1, 4))
    S = L if mode == "self" else draw(st.integers(1, 4))
    return dict(
        E=E, heads=heads, mode=mode, kdim=kdim, vdim=vdim, L=L, S=S, N=draw(st.integers(1, 3)),
        batched=draw(st.sampled_from([True, True, False])), batch_first=draw(st.booleans()), bias=draw(st.booleans()),
        add_bias_kv=draw(st.booleans()), add_zero_attn=draw(st.booleans()), need_weights=draw(st.booleans()),
        average=draw(st.booleans()), attn_mask=draw(st.sampled_from([None, "bool2", "float2", "bool3", "float3"])),
        kpm=draw(st.sampled_from([None, "bool", "float"])), causal=draw(st.booleans()) and mode == "self",
        dropout=draw(st.sampled_from([0.0, 0.3])), train=draw(st.booleans()),
    )


def _mha_inputs(c, rng):
    E, L, S, N, H = c["E"], c["L"], c["S"], c["N"], c["heads"]
    kd, vd = c["kdim"] or E, c["vdim"] or E

    def seq(T, D):
        if not c["batched"]:
            return randn(rng, (T, D))
        return randn(rng, (N, T, D) if c["batch_first"] else (T, N, D))

    q = seq(L, E)
    k = q if c["mode"] == "self" else seq(S, kd)
    v = k if c["mode"] in ("self", "kv_same") else seq(S, vd)
    masks = {}
    if c["causal"]:
        masks["attn_mask"] = np.triu(np.ones((L, S), bool), 1)  # the causal mask, as is_causal requires
    elif c["attn_mask"]:
        shape = (L, S) if c["attn_mask"].endswith("2") else ((N if c["batched"] else 1) * H, L, S)
        m = rng.random(shape) < 0.4
        m[..., 0] = False  # never mask every key of a row (torch gives nan there)
        masks["attn_mask"] = m if c["attn_mask"].startswith("bool") else np.where(m, -1e4, rng.normal(size=shape))
    if c["kpm"]:
        shape = (N, S) if c["batched"] else (S,)
        m = rng.random(shape) < 0.4
        m[..., 0] = False
        masks["key_padding_mask"] = m if c["kpm"] == "bool" else np.where(m, -np.inf, 0.0)
    if "attn_mask" in masks and "key_padding_mask" in masks:
        # torch warns when the two masks' dtypes differ; give both the same kind
        if masks["attn_mask"].dtype == bool and masks["key_padding_mask"].dtype != bool:
            masks["key_padding_mask"] = masks["key_padding_mask"] == -np.inf
        if masks["attn_mask"].dtype != bool and masks["key_padding_mask"].dtype == bool:
            masks["key_padding_mask"] = np.where(masks["key_padding_mask"], -np.inf, 0.0)
    return q, k, v, masks


@settings(max_examples=examples(80))
@given(mha_case(), dtypes, st.integers(0, 2**16))
def test_multihead_attention(c, dtype, seed):
    rng = np.random.default_rng(seed)
    q, k, v, masks = _mha_inputs(c, rng)
    train = c["train"] and c["dropout"] == 0.0  # dropout in training mode is random: not comparable to torch
    arrays = [q] + ([k] if c["mode"] != "self" else []) + ([v] if c["mode"] == "cross" else [])
    names = list(masks)
    arrays += [masks[n] for n in names]
    n_seq = 3 - (c["mode"] != "cross") - (c["mode"] == "self")

    def call(m, xs, lib):
        seqs, ms = xs[:n_seq], dict(zip(names, xs[n_seq:]))
        qq = seqs[0]
        kk = seqs[1] if len(seqs) > 1 else qq
        vv = seqs[2] if len(seqs) > 2 else kk
        return m(qq, kk, vv, need_weights=c["need_weights"], average_attn_weights=c["average"],
                 is_causal=c["causal"], **ms)

    run_twins(
        lambda L: L.nn.MultiheadAttention(c["E"], c["heads"], dropout=c["dropout"], bias=c["bias"],
                                          add_bias_kv=c["add_bias_kv"], add_zero_attn=c["add_zero_attn"], kdim=c["kdim"],
                                          vdim=c["vdim"], batch_first=c["batch_first"]),
        arrays, dtype, call=call, train=train, grad=list(range(n_seq)), what=f"MultiheadAttention {c}", seed=seed)


def _activation(kind, L):
    return {"relu": "relu", "gelu": "gelu", "F.gelu": L.F.gelu, "GELU()": L.nn.GELU(), "silu": L.F.silu}[kind]


@settings(max_examples=examples(30))
@given(st.integers(1, 2), st.integers(1, 3), st.integers(1, 6), st.sampled_from(["relu", "gelu", "F.gelu", "GELU()", "silu"]),
       st.booleans(), st.booleans(), st.booleans(), st.sampled_from([None, "causal", "bool", "float"]), st.booleans(),
       st.booleans(), dtypes, st.integers(0, 2**16))
# thorough profile, seed 3 (2026-12-01): post-norm, d_model=2; torch float32 rounded luckily (err 5.9e-5 on a
# gradient of 277), impl's 1.4e-3 is within the rounding-perturbed float64 floor (see the module docstring)
@example(1, 2, 1, "relu", False, False, False, "bool", False, False, "float32", 2440)
def test_transformer_encoder_layer(heads, hd, ff, act, norm_first, batch_first, bias, mask, kpm, train, dtype, seed):
    rng = np.random.default_rng(seed)
    E, S, N = heads * hd, int(rng.integers(1, 5)), int(rng.integers(1, 3))
    x = randn(rng, (N, S, E) if batch_first else (S, N, E))
    arrays, names = [x], []
    if mask == "causal":
        arrays.append(np.triu(np.full((S, S), -np.inf), 1))
        names.append("src_mask")
    elif mask:
        m = rng.random((S, S)) < 0.4
        m[:, 0] = False
        arrays.append(m if mask == "bool" else np.where(m, -np.inf, 0.0))
        names.append("src_mask")
    if kpm:
        m = rng.random((N, S)) < 0.4
        m[:, 0] = False
        arrays.append(m if (mask in (None, "bool")) else np.where(m, -np.inf, 0.0))
        names.append("src_key_padding_mask")

    def call(m, xs, lib):
        return m(xs[0], is_causal=mask == "causal", **dict(zip(names, xs[1:])))

    run_twins(lambda L: L.nn.TransformerEncoderLayer(E, heads, ff, dropout=0.0 if train else 0.2,
                                                     activation=_activation(act, L), layer_norm_eps=1e-5 if seed % 2 else 1e-3,
                                                     batch_first=batch_first, norm_first=norm_first, bias=bias),
              arrays, dtype, call=call, train=train, grad=[0], what=f"TransformerEncoderLayer act={act} nf={norm_first}",
              seed=seed)


@settings(max_examples=examples(20))
@given(st.integers(1, 3), st.booleans(), st.booleans(), st.sampled_from([None, "causal", "float"]),
       st.sampled_from([None, True, False]), st.booleans(), dtypes, st.integers(0, 2**16))
def test_transformer_encoder(num_layers, with_norm, norm_first, mask, is_causal, kpm, dtype, seed):
    rng = np.random.default_rng(seed)
    E, heads, S, N = 4, 2, int(rng.integers(1, 5)), 2
    if is_causal and mask != "causal":
        is_causal = None  # is_causal=True is only a hint about a causal mask
    arrays, names = [randn(rng, (S, N, E))], []
    if mask == "causal":
        arrays.append(np.triu(np.full((S, S), -np.inf), 1))
        names.append("mask")
    elif mask:
        arrays.append(rng.normal(size=(S, S)))
        names.append("mask")
    if kpm:
        m = rng.random((N, S)) < 0.4
        m[:, 0] = False
        arrays.append(np.where(m, -np.inf, 0.0))
        names.append("src_key_padding_mask")

    def build(L):
        layer = L.nn.TransformerEncoderLayer(E, heads, 8, dropout=0.0, norm_first=norm_first)
        return L.nn.TransformerEncoder(layer, num_layers, norm=L.nn.LayerNorm(E) if with_norm else None,
                                       enable_nested_tensor=False)

    def call(m, xs, lib):
        return m(xs[0], is_causal=is_causal, **dict(zip(names, xs[1:])))

    run_twins(build, arrays, dtype, call=call, train=True, grad=[0], what=f"TransformerEncoder({num_layers})", seed=seed)


# =====================================================================================================
# A composite network: containers + many layers, several training steps
# =====================================================================================================
def _small_cnn(L):
    nn = L.nn
    return nn.Sequential(OrderedDict([
        ("conv", nn.Conv2d(2, 4, 3, padding=1)),
        ("bn", nn.BatchNorm2d(4)),
        ("act", nn.ReLU()),
        ("pool", nn.MaxPool2d(2)),
        ("blocks", nn.ModuleList([nn.Conv2d(4, 4, 1), nn.GroupNorm(2, 4)])),
        ("flat", nn.Flatten()),
        ("head", nn.ModuleDict({"fc": nn.Linear(16, 3), "drop": nn.Dropout(0.0)})),
    ]))


def _cnn_forward(m, xs, lib):
    h = m.pool(m.act(m.bn(m.conv(xs[0]))))
    for blk in m.blocks:
        h = blk(h)
    return m.head["drop"](m.head["fc"](m.flat(h)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_composite_network_several_steps(dtype):
    x = np.random.default_rng(3).normal(size=(3, 2, 4, 4))
    run_twins(_small_cnn, [x], dtype, call=_cnn_forward, train=True, steps=3, what="small CNN")


# =====================================================================================================
# Structure: state_dict keys/shapes/dtypes, names, repr — for every module
# =====================================================================================================
def _mha(**kw):
    return lambda L: L.nn.MultiheadAttention(6, 2, **kw)


ZOO = {
    "Linear": lambda L: L.nn.Linear(3, 4),
    "Linear-nobias": lambda L: L.nn.Linear(3, 4, bias=False),
    "Bilinear": lambda L: L.nn.Bilinear(2, 3, 4),
    "Conv1d": lambda L: L.nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2),
    "Conv1d-same": lambda L: L.nn.Conv1d(2, 3, 4, padding="same", dilation=2, bias=False, padding_mode="reflect"),
    "Conv2d": lambda L: L.nn.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(1, 0)),
    "Conv2d-valid": lambda L: L.nn.Conv2d(3, 3, 3, padding="valid", groups=3, padding_mode="circular"),
    "MaxPool1d": lambda L: L.nn.MaxPool1d(3, 2, 1),
    "MaxPool2d": lambda L: L.nn.MaxPool2d((2, 3), padding=1, dilation=2, ceil_mode=True),
    "AvgPool2d": lambda L: L.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
    "AdaptiveAvgPool2d": lambda L: L.nn.AdaptiveAvgPool2d((None, 3)),
    "BatchNorm1d": lambda L: L.nn.BatchNorm1d(5),
    "BatchNorm1d-nobias": lambda L: L.nn.BatchNorm1d(5, bias=False),
    "BatchNorm2d-noaffine": lambda L: L.nn.BatchNorm2d(3, affine=False, momentum=None),
    "BatchNorm2d-untracked": lambda L: L.nn.BatchNorm2d(3, track_running_stats=False, eps=1e-3),
    "LayerNorm": lambda L: L.nn.LayerNorm((2, 3)),
    "LayerNorm-nobias": lambda L: L.nn.LayerNorm(4, bias=False),
    "LayerNorm-noaffine": lambda L: L.nn.LayerNorm(4, elementwise_affine=False),
    "GroupNorm": lambda L: L.nn.GroupNorm(2, 6),
    "GroupNorm-noaffine": lambda L: L.nn.GroupNorm(3, 3, affine=False),
    "Dropout": lambda L: L.nn.Dropout(0.25),
    "Embedding": lambda L: L.nn.Embedding(10, 3, padding_idx=-1),
    "Embedding-maxnorm": lambda L: L.nn.Embedding(5, 2, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True),
    "MHA": _mha(),
    "MHA-kvdim": _mha(kdim=3, vdim=5, batch_first=True),
    "MHA-biaskv": _mha(add_bias_kv=True, add_zero_attn=True, dropout=0.1),
    "MHA-nobias": _mha(bias=False),
    "EncoderLayer": lambda L: L.nn.TransformerEncoderLayer(6, 2, 8),
    "EncoderLayer-gelu-module": lambda L: L.nn.TransformerEncoderLayer(6, 3, 8, activation=L.nn.GELU(), norm_first=True,
                                                                       bias=False, batch_first=True),
    "Encoder": lambda L: L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(6, 2, 8, activation="gelu"), 3,
                                                 norm=L.nn.LayerNorm(6), enable_nested_tensor=False),
    "Flatten": lambda L: L.nn.Flatten(0, 2),
    "Unflatten": lambda L: L.nn.Unflatten(1, (2, 3)),
    "Identity": lambda L: L.nn.Identity(),
    "Sequential": lambda L: L.nn.Sequential(L.nn.Linear(2, 3), L.nn.ReLU(), L.nn.Sequential(L.nn.Linear(3, 3), L.nn.Tanh())),
    "Sequential-dict": lambda L: L.nn.Sequential(OrderedDict(fc=L.nn.Linear(2, 2), act=L.nn.GELU(approximate="tanh"))),
    "ModuleList": lambda L: L.nn.ModuleList([L.nn.Linear(2, 2) for _ in range(3)] + [L.nn.ReLU(), L.nn.ReLU()]),
    "ModuleDict": lambda L: L.nn.ModuleDict({"b": L.nn.Linear(1, 2), "a": L.nn.BatchNorm1d(2)}),
    "CrossEntropyLoss-w": lambda L: L.nn.CrossEntropyLoss(weight=L.top.ones(3), label_smoothing=0.1),
    "NLLLoss": lambda L: L.nn.NLLLoss(ignore_index=2),
    "BCELoss-w": lambda L: L.nn.BCELoss(weight=L.top.ones(2)),
    "BCEWithLogitsLoss-pw": lambda L: L.nn.BCEWithLogitsLoss(pos_weight=L.top.ones(2)),
    "MSELoss": lambda L: L.nn.MSELoss(reduction="sum"),
    "L1Loss": lambda L: L.nn.L1Loss(),
    "SmoothL1Loss": lambda L: L.nn.SmoothL1Loss(beta=0.5),
    "HuberLoss": lambda L: L.nn.HuberLoss(delta=2.0),
    "KLDivLoss": lambda L: L.nn.KLDivLoss(reduction="batchmean", log_target=True),
    **{a: (lambda name: lambda L: getattr(L.nn, name)())(a) for a in
       ["ReLU", "ReLU6", "Hardtanh", "GELU", "SiLU", "Mish", "Tanh", "Sigmoid", "LogSigmoid", "LeakyReLU", "ELU",
        "Softplus", "Softsign", "GLU"]},
    "Softmax": lambda L: L.nn.Softmax(dim=1),
    "LogSoftmax": lambda L: L.nn.LogSoftmax(dim=-1),
    "Softmin": lambda L: L.nn.Softmin(0),
    "LeakyReLU-inplace": lambda L: L.nn.LeakyReLU(0.2, inplace=True),
    "ELU-inplace": lambda L: L.nn.ELU(0.5, inplace=True),
    "ReLU-inplace": lambda L: L.nn.ReLU(inplace=True),
}


@pytest.mark.parametrize("name", list(ZOO))
def test_structure_matches_torch(name):
    """state_dict keys (in order), shapes and dtypes; parameter/buffer/module names; repr; .double()."""
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, i = ZOO[name](TORCH), ZOO[name](IMPL)
    assert not [p for p in __import__("reference.twins", fromlist=["x"]).compare_state_dict_signatures(t, i)], name
    assert [n for n, _ in i.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in i.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in i.named_modules()] == [n for n, _ in t.named_modules()]
    assert [type(m).__name__ for m in i.modules()] == [type(m).__name__ for m in t.modules()]
    assert [n for n, _ in i.named_children()] == [n for n, _ in t.named_children()]
    assert repr(i) == repr(t)
    assert all(isinstance(p, inn.Parameter) and p.is_leaf and p.requires_grad for p in i.parameters())
    copy_state_dict(t, i)
    t.double()
    i.double()
    copy_state_dict(t, i)  # dtypes must follow: float params/buffers -> float64, num_batches_tracked stays int64
    assert i.training and all(m.training for m in i.modules())
    i.eval()
    assert not any(m.training for m in i.modules())


# =====================================================================================================
# Default initialisation: same distributions as torch
# =====================================================================================================
def _ks_two_sample(a, b):
    a, b = np.sort(a.ravel()), np.sort(b.ravel())
    allv = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, allv, side="right") / a.size
    cdf_b = np.searchsorted(b, allv, side="right") / b.size
    return np.abs(cdf_a - cdf_b).max()


def _ks_critical(n, m, alpha=1e-4):
    return math.sqrt(-math.log(alpha / 2) / 2) * math.sqrt((n + m) / (n * m))


INIT_ZOO = {
    "Linear": lambda L: L.nn.Linear(37, 300),
    "Conv1d": lambda L: L.nn.Conv1d(6, 200, 5, groups=2),
    "Conv2d": lambda L: L.nn.Conv2d(4, 150, (3, 2)),
    "Bilinear": lambda L: L.nn.Bilinear(9, 20, 40),
    "Embedding": lambda L: L.nn.Embedding(400, 20, padding_idx=3),
    "MHA": lambda L: L.nn.MultiheadAttention(40, 4, add_bias_kv=True),
    "MHA-kvdim": lambda L: L.nn.MultiheadAttention(40, 4, kdim=10, vdim=70),
    "BatchNorm2d": lambda L: L.nn.BatchNorm2d(7),
    "LayerNorm": lambda L: L.nn.LayerNorm((3, 4)),
    "GroupNorm": lambda L: L.nn.GroupNorm(2, 8),
    "EncoderLayer": lambda L: L.nn.TransformerEncoderLayer(32, 4, 64),
}


@pytest.mark.parametrize("name", list(INIT_ZOO))
def test_default_init_matches_torch_distribution(name):
    """Per parameter: constant inits equal torch's exactly; random ones have torch's support (min/max within
    the bound torch's sample reaches) and pass a two-sample Kolmogorov-Smirnov test against torch's sample."""
    torch.manual_seed(0)
    impl.manual_seed(0)
    t, i = INIT_ZOO[name](TORCH), INIT_ZOO[name](IMPL)
    tsd, isd = t.state_dict(), i.state_dict()
    for key, tv in tsd.items():
        a, b = to_numpy(isd[key]).astype(np.float64), to_numpy(tv).astype(np.float64)
        if np.all(b == b.reshape(-1)[0]) or b.size < 8:  # constant (ones/zeros/running stats) or tiny: exact
            np.testing.assert_array_equal(a, b, err_msg=f"{name}.{key}")
            continue
        if name == "Embedding" and key == "weight":
            assert not a[3].any(), "padding_idx row must be zero at init"
            a, b = np.delete(a, 3, axis=0), np.delete(b, 3, axis=0)
        d = _ks_two_sample(a, b)
        assert d < _ks_critical(a.size, b.size), f"{name}.{key}: KS distance {d:.4f} vs torch's sample"
        if np.abs(b).max() < 1.5 and b.size >= 2000:  # bounded (uniform) inits: impl stays within torch's bound
            bound = np.abs(b).max()
            assert np.abs(a).max() <= bound * 1.02, f"{name}.{key}: |w| max {np.abs(a).max()} > torch's {bound}"


def test_linear_and_conv_init_bounds_are_torchs_formula():
    """kaiming_uniform_(a=sqrt(5)) => U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias (docs' formula)."""
    for m, fan_in in [(inn.Linear(50, 400), 50), (inn.Conv2d(6, 300, 3, groups=3), 2 * 9), (inn.Conv1d(5, 200, 4), 20)]:
        b = 1 / math.sqrt(fan_in)
        for p in (m.weight, m.bias):
            v = p._data
            assert np.abs(v).max() <= b and np.abs(v).max() > 0.9 * b
            assert abs(v.mean()) < 5 * b / math.sqrt(3 * v.size)
            assert abs(v.var() - b * b / 3) < 0.15 * b * b / 3


# =====================================================================================================
# load_state_dict: strict errors like torch's
# =====================================================================================================
def _torchless(msg):
    return msg.replace("torch.", "").replace("impl.", "")


def _both_raise(build, make_sd, strict=True):
    torch.manual_seed(0)
    t, i = build(TORCH), build(IMPL)
    with pytest.raises(RuntimeError) as te:
        t.load_state_dict(make_sd(t.state_dict(), TORCH), strict=strict)
    with pytest.raises(RuntimeError) as ie:
        i.load_state_dict(make_sd(i.state_dict(), IMPL), strict=strict)
    assert _torchless(str(ie.value)) == _torchless(str(te.value))
    return str(ie.value)


def _net(L):
    return L.nn.Sequential(L.nn.Linear(3, 4), L.nn.BatchNorm1d(4), L.nn.Sequential(L.nn.Linear(4, 2)))


def test_load_state_dict_missing_unexpected_and_size_mismatch_like_torch():
    def missing(sd, L):
        sd = dict(sd)
        del sd["0.bias"], sd["1.num_batches_tracked"]
        return sd

    msg = _both_raise(_net, missing)
    # a plain dict has no _metadata, so BatchNorm treats it as a pre-v2 checkpoint and fills num_batches_tracked
    assert 'Missing key(s) in state_dict: "0.bias". ' in msg and "num_batches_tracked" not in msg
    assert msg.startswith("Error(s) in loading state_dict for Sequential:")

    def unexpected(sd, L):
        sd = dict(sd)
        sd["0.foo"] = L.top.zeros(1)
        sd["5.weight"] = L.top.zeros(1)
        sd["2.0.extra"] = L.top.zeros(1)
        return sd

    msg = _both_raise(_net, unexpected)
    assert 'Unexpected key(s) in state_dict: "0.foo", "2.0.extra", "5.weight".' in msg or "Unexpected" in msg

    def mismatch(sd, L):
        sd = dict(sd)
        sd["0.weight"] = L.top.zeros(4, 5)
        del sd["2.0.bias"]
        sd["bogus"] = L.top.zeros(2)
        return sd

    msg = _both_raise(_net, mismatch)
    assert "size mismatch for 0.weight: copying a param with shape" in msg
    assert msg.index("Missing") < msg.index("Unexpected") < msg.index("size mismatch")
    # size mismatches raise even when strict=False (as torch)
    msg = _both_raise(_net, mismatch, strict=False)
    assert "Missing" not in msg and "size mismatch" in msg

    def not_tensor(sd, L):
        sd = dict(sd)
        sd["0.bias"] = [1.0, 2.0, 3.0, 4.0]
        return sd

    assert "expected" in _both_raise(_net, not_tensor) and "Tensor-like" in _both_raise(_net, not_tensor)


def test_load_state_dict_non_strict_and_values():
    torch.manual_seed(0)
    t, i = _net(TORCH), _net(IMPL)
    sd = {k: to_impl(v) for k, v in t.state_dict().items()}
    del sd["2.0.weight"]
    sd["x.y"] = impl.zeros(1)
    tsd = dict(t.state_dict())
    del tsd["2.0.weight"]
    tsd["x.y"] = torch.zeros(1)
    r_i, r_t = i.load_state_dict(sd, strict=False), t.load_state_dict(tsd, strict=False)
    assert r_i.missing_keys == r_t.missing_keys == ["2.0.weight"]
    assert r_i.unexpected_keys == r_t.unexpected_keys == ["x.y"]
    ok = i.load_state_dict(i.state_dict())
    assert ok.missing_keys == [] and ok.unexpected_keys == [] and repr(ok) == repr(t.load_state_dict(t.state_dict()))
    # values are copied into the existing Parameter objects (identity kept), cast to their dtype
    w = i[0].weight
    i.load_state_dict({**i.state_dict(), "0.weight": impl.ones(4, 3, dtype=impl.float64)})
    assert i[0].weight is w and w.dtype == impl.float32 and np.all(w._data == 1)
    # assign=True swaps the tensors in, as Parameters keeping requires_grad
    new = impl.full((4, 3), 2.0)
    i.load_state_dict({**i.state_dict(), "0.weight": new}, assign=True)
    assert isinstance(i[0].weight, inn.Parameter) and i[0].weight.requires_grad and np.all(i[0].weight._data == 2)


def test_batchnorm_loads_pre_v2_checkpoint_without_num_batches_tracked():
    for L in (TORCH, IMPL):
        m = L.nn.BatchNorm1d(3)
        sd = m.state_dict()
        del sd["num_batches_tracked"]
        sd._metadata[""]["version"] = 1
        m.load_state_dict(sd)  # no Missing-key error: the old format is upgraded
        assert int(m.num_batches_tracked) == 0


# =====================================================================================================
# Module mechanics
# =====================================================================================================
class _Net(inn.Module):
    def __init__(self):
        super().__init__()
        self.enc = inn.Sequential(inn.Linear(2, 3), inn.Tanh())
        self.heads = inn.ModuleList([inn.Linear(3, 1), inn.Linear(3, 1)])
        self.tied = self.heads[0]  # the same module twice: parameters() yields its tensors once
        self.scale = inn.Parameter(impl.ones(1))
        self.register_buffer("steps", impl.zeros(1, dtype=impl.int64))
        self.register_buffer("cache", impl.zeros(2), persistent=False)
        self.register_parameter("unused", None)
        self.plain = 3

    def forward(self, x):
        h = self.enc(x)
        return (self.heads[0](h) + self.heads[1](h)) * self.scale


def test_registration_and_recursion():
    m = _Net()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["scale", "enc.0.weight", "enc.0.bias", "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias"]
    assert len(list(m.parameters())) == 7
    assert len(list(m.named_parameters(remove_duplicate=False))) == 9  # tied.weight, tied.bias too
    assert [n for n, _ in m.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in m.named_buffers()] == ["steps", "cache"]
    assert list(m.state_dict()) == ["scale", "steps", "enc.0.weight", "enc.0.bias", "heads.0.weight", "heads.0.bias",
                                    "heads.1.weight", "heads.1.bias", "tied.weight", "tied.bias"]
    assert [n for n, _ in m.named_modules()] == ["", "enc", "enc.0", "enc.1", "heads", "heads.0", "heads.1"]
    assert [n for n, _ in m.named_children()] == ["enc", "heads", "tied"]
    assert m.plain == 3 and "plain" not in m._parameters
    assert m.get_submodule("heads.1") is m.heads[1] and m.get_parameter("enc.0.bias") is m.enc[0].bias
    assert m.get_buffer("steps") is m.steps
    assert m.unused is None
    # re-assigning: a Parameter replaces, a Tensor on a parameter name is refused, None clears
    with pytest.raises(TypeError, match="cannot assign"):
        m.scale = impl.ones(1)
    m.scale = None
    assert "scale" not in dict(m.named_parameters())
    m.scale = inn.Parameter(impl.ones(1))
    m.steps = impl.ones(1, dtype=impl.int64)  # buffers stay buffers when re-assigned a tensor
    assert "steps" in m._buffers and m.steps._data[0] == 1
    with pytest.raises(TypeError, match="cannot assign"):
        m.enc = 3
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("plain", impl.zeros(1))
    with pytest.raises(KeyError, match="contain"):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError):
        m.add_module("x", 3)
    with pytest.raises(AttributeError, match="'_Net' object has no attribute 'nope'"):
        m.nope  # noqa: B018
    del m.cache
    assert "cache" not in m._buffers
    with pytest.raises(AttributeError, match="before Module.__init__"):
        class Bad(inn.Module):
            def __init__(self):
                self.w = inn.Parameter(impl.ones(1))

        Bad()


def test_zero_grad_train_eval_requires_grad_apply():
    m = _Net()
    m(impl.randn(4, 2)).sum().backward()
    grads = {n: p.grad for n, p in m.named_parameters()}
    assert all(g is not None for g in grads.values())
    m.zero_grad(set_to_none=False)
    for n, p in m.named_parameters():
        assert p.grad is grads[n] and not p.grad._data.any()
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    assert m.eval() is m and not m.enc[0].training and not m.heads.training
    m.train()
    assert all(x.training for x in m.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train("yes")
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    seen = []
    t = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Sequential(torch.nn.ReLU()))
    tseen = []
    t.apply(lambda mod: tseen.append(type(mod).__name__))
    i = inn.Sequential(inn.Linear(1, 1), inn.Sequential(inn.ReLU()))
    assert i.apply(lambda mod: seen.append(type(mod).__name__)) is i
    assert seen == tseen


def test_dtype_conversion_keeps_parameter_identity():
    m = _Net()
    m(impl.randn(4, 2)).sum().backward()
    w = m.enc[0].weight
    assert m.double() is m
    assert m.enc[0].weight is w and w.dtype == impl.float64 and w.grad.dtype == impl.float64
    assert m.steps.dtype == impl.int64 and m.cache.dtype == impl.float64  # int buffers are not converted
    m.to(impl.float32)
    assert w.dtype == impl.float32 and m.cache.dtype == impl.float32
    m.to(dtype=impl.float64)
    assert w.dtype == impl.float64
    m.to(impl.zeros(1))
    assert w.dtype == impl.float32
    m.float()
    assert w.dtype == impl.float32
    with pytest.raises(TypeError, match="floating point"):
        m.to(impl.int64)
    out = m(impl.randn(2, 2))
    assert out.dtype == impl.float32


def test_forward_hooks_and_call():
    m = inn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append(out.shape) or out + 1)
    y = m(impl.ones(3, 2))
    np.testing.assert_allclose(y._data, np.broadcast_to(m.bias._data + 1, (3, 2)), rtol=1e-6)
    assert calls == [impl.Size([3, 2])]
    h1.remove()
    h2.remove()
    np.testing.assert_allclose(m(impl.zeros(1, 2))._data[0], m.bias._data, rtol=1e-6)
    with pytest.raises(NotImplementedError, match="forward"):
        inn.Module()(impl.ones(1))


def test_parameter_semantics():
    data = impl.randn(2, 3)
    p = inn.Parameter(data)
    assert isinstance(p, impl.Tensor) and p.is_leaf and p.requires_grad and p.grad_fn is None
    assert p._data is data._data  # shares storage, as torch
    assert not inn.Parameter(data, requires_grad=False).requires_grad
    assert inn.Parameter().shape == (0,)
    assert repr(p).startswith("Parameter containing:\ntensor(") and "requires_grad=True" in repr(p)
    y = p * 2
    assert type(y) is impl.Tensor and not isinstance(y, inn.Parameter) and y.grad_fn is not None
    q = copy.deepcopy(p)
    assert isinstance(q, inn.Parameter) and q._data is not p._data and np.array_equal(q._data, p._data)
    with pytest.raises(RuntimeError, match="floating point"):
        inn.Parameter(impl.zeros(2, dtype=impl.int64))


def test_containers_behave_like_torch():
    for L in (TORCH, IMPL):
        nn = L.nn
        s = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3), nn.Tanh())
        assert len(s) == 4 and isinstance(s[-1], nn.Tanh) and isinstance(s[1:3], nn.Sequential) and len(s[1:3]) == 2
        assert list(s[::2]._modules) == ["0", "2"]  # a slice keeps the original keys
        with pytest.raises(IndexError):
            s[4]
        s.append(nn.ReLU()).insert(0, nn.Identity())
        assert [type(x).__name__ for x in s] == ["Identity", "Linear", "ReLU", "Linear", "Tanh", "ReLU"]
        del s[0]
        assert list(s._modules) == ["0", "1", "2", "3", "4"]
        assert isinstance(s.pop(-1), nn.ReLU) and len(s) == 4
        assert len(s + nn.Sequential(nn.ReLU())) == 5 and len(s * 2) == 8
        ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
        ml += [nn.ReLU()]
        ml.insert(1, nn.Tanh())
        assert [type(x).__name__ for x in ml] == ["Linear", "Tanh", "Linear", "Linear", "ReLU"]
        assert isinstance(ml[1:], nn.ModuleList) and len(ml[1:]) == 4
        md = nn.ModuleDict({"x": nn.ReLU()})
        md["y"] = nn.Tanh()
        md.update([("z", nn.Identity())])
        assert list(md.keys()) == ["x", "y", "z"] and "y" in md and len(md) == 3
        assert isinstance(md.pop("x"), nn.ReLU) and list(md) == ["y", "z"]
    # ModuleList repr compresses repeats exactly like torch's
    t = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.ReLU()])
    i = inn.ModuleList([inn.Linear(2, 2) for _ in range(3)] + [inn.ReLU()])
    assert repr(i) == repr(t) and "(0-2): 3 x Linear" in repr(i)
    assert repr(inn.ModuleList()) == repr(torch.nn.ModuleList())


def test_transformer_encoder_deep_copies_its_layer():
    layer = inn.TransformerEncoderLayer(4, 2, 8)
    enc = inn.TransformerEncoder(layer, 2)
    w0, w1 = enc.layers[0].linear1.weight, enc.layers[1].linear1.weight
    assert w0 is not w1 and w0 is not layer.linear1.weight and np.array_equal(w0._data, layer.linear1.weight._data)
    w0._data[...] = 0
    assert w1._data.any() and layer.linear1.weight._data.any()
    assert len(list(enc.parameters())) == 2 * len(list(layer.parameters()))


def test_module_argument_errors_like_torch():
    cases = [
        (lambda L: L.nn.Conv2d(3, 4, 3, groups=2), ValueError, "divisible by groups"),
        (lambda L: L.nn.Conv2d(2, 4, 3, groups=0), ValueError, "positive integer"),
        (lambda L: L.nn.Conv2d(2, 4, 3, padding="full"), ValueError, "Invalid padding string"),
        (lambda L: L.nn.Conv1d(2, 4, 3, stride=2, padding="same"), ValueError, "strided convolutions"),
        (lambda L: L.nn.Conv2d(2, 4, 3, padding_mode="mirror"), ValueError, "padding_mode must be one of"),
        (lambda L: L.nn.GroupNorm(4, 6), ValueError, "must be divisible by num_groups"),
        (lambda L: L.nn.MultiheadAttention(6, 4), AssertionError, "embed_dim must be divisible by num_heads"),
        (lambda L: L.nn.MultiheadAttention(0, 1), ValueError, "greater than 0"),
        (lambda L: L.nn.Embedding(3, 2, padding_idx=3), AssertionError, "Padding_idx must be within num_embeddings"),
        (lambda L: L.nn.Dropout(-0.1), ValueError, "dropout probability"),
        (lambda L: L.nn.TransformerEncoderLayer(4, 2, activation="tanh"), RuntimeError, "activation should be relu/gelu"),
        (lambda L: L.nn.HuberLoss(delta="1"), TypeError, "delta must be a float or int"),
        (lambda L: L.nn.Unflatten(1, 3), TypeError, "unflattened_size must be a tuple of ints"),
        (lambda L: L.nn.BatchNorm2d(3)(L.top.zeros(2, 3)), ValueError, r"expected 4D input \(got 2D input\)"),
        (lambda L: L.nn.BatchNorm1d(3)(L.top.zeros(2, 3, 4, 5)), ValueError, r"expected 2D or 3D input \(got 4D input\)"),
        (lambda L: L.nn.MultiheadAttention(4, 2)(L.top.zeros(2, 1, 4), L.top.zeros(2, 1, 4), L.top.zeros(2, 1, 4),
                                                 is_causal=True), RuntimeError, "Need attn_mask"),
        (lambda L: L.nn.MultiheadAttention(4, 2)(L.top.zeros(2, 1, 4), L.top.zeros(3, 1, 4), L.top.zeros(3, 1, 4),
                                                 attn_mask=L.top.zeros(2, 2)), RuntimeError, "The shape of the 2D attn_mask"),
    ]
    for build, exc, pattern in cases:
        with pytest.raises(exc, match=pattern):
            build(TORCH)
        with pytest.raises(exc, match=pattern):
            build(IMPL)


def test_copy_state_dict_refuses_non_twins():
    with pytest.raises(TwinMismatch, match="shape"):
        copy_state_dict(torch.nn.Linear(3, 4), inn.Linear(4, 3))
    with pytest.raises(TwinMismatch, match="only in torch"):
        copy_state_dict(torch.nn.Linear(3, 4), inn.Linear(3, 4, bias=False))
    with pytest.raises(TwinMismatch, match="dtype"):
        copy_state_dict(torch.nn.Linear(3, 4).double(), inn.Linear(3, 4))
    copy_state_dict(torch.nn.Linear(3, 4).double(), inn.Linear(3, 4), check_dtype=False)


# =====================================================================================================
# nn.init
# =====================================================================================================
def test_calculate_gain_and_fans_match_torch():
    for nl, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                      ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)]:
        assert iinit.calculate_gain(nl, param) == torch.nn.init.calculate_gain(nl, param)
    for bad in [("leaky_relu", True), ("leaky_relu", "x"), ("softmax", None)]:
        with pytest.raises(ValueError):
            torch.nn.init.calculate_gain(*bad)
        with pytest.raises(ValueError):
            iinit.calculate_gain(*bad)
    for shape in [(3, 4), (5, 2, 3), (4, 3, 2, 2), (1, 1, 1, 1, 7)]:
        assert iinit._calculate_fan_in_and_fan_out(impl.zeros(*shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        iinit._calculate_fan_in_and_fan_out(impl.zeros(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        iinit.kaiming_uniform_(impl.zeros(3, 3), mode="fan_avg")


INITS = [
    ("uniform_", dict(a=-0.3, b=0.7)), ("normal_", dict(mean=0.5, std=2.0)), ("xavier_uniform_", dict(gain=1.7)),
    ("xavier_normal_", dict(gain=0.5)), ("kaiming_uniform_", dict(a=0.1, mode="fan_out", nonlinearity="leaky_relu")),
    ("kaiming_uniform_", dict(nonlinearity="relu")), ("kaiming_normal_", dict(mode="fan_in", nonlinearity="tanh")),
    ("kaiming_normal_", dict(a=math.sqrt(5))), ("trunc_normal_", dict(mean=0.2, std=1.0, a=-1.0, b=0.5)),
    ("trunc_normal_", dict(std=0.02)), ("trunc_normal_", dict(mean=0.0, std=1.0, a=2.0, b=4.0)),
]


@pytest.mark.parametrize("fn,kwargs", INITS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(INITS)])
def test_random_initialisers_match_torch_distribution(fn, kwargs):
    torch.manual_seed(0)
    impl.manual_seed(0)
    shape = (200, 30, 3)
    tw = getattr(torch.nn.init, fn)(torch.empty(shape), **kwargs).numpy().astype(np.float64)
    p = inn.Parameter(impl.empty(*shape))
    v = p._version[0]
    out = getattr(iinit, fn)(p, **kwargs)
    assert out is p and p.is_leaf and p.grad_fn is None and p._version[0] > v  # in place, no autograd history
    iw = p._data.astype(np.float64)
    d = _ks_two_sample(iw, tw)
    assert d < _ks_critical(iw.size, tw.size), f"{fn}{kwargs}: KS distance {d:.4f}"
    assert iw.min() >= tw.min() - 0.05 * tw.std() and iw.max() <= tw.max() + 0.05 * tw.std()
    if fn == "trunc_normal_":
        lo, hi = kwargs.get("a", -2.0), kwargs.get("b", 2.0)
        assert iw.min() >= lo and iw.max() <= hi


def test_deterministic_initialisers_equal_torch():
    for fn, shape, kw in [("constant_", (3, 4), dict(val=0.3)), ("ones_", (2, 5), {}), ("zeros_", (4,), {}),
                          ("eye_", (3, 5), {}), ("dirac_", (4, 2, 3), {}), ("dirac_", (6, 3, 3, 3), dict(groups=2))]:
        t = getattr(torch.nn.init, fn)(torch.full(shape, 7.0), **kw)
        i = getattr(iinit, fn)(impl.full(shape, 7.0), **kw)
        assert_close(i, t, rtol=0, atol=0, what=fn)
    q = iinit.orthogonal_(impl.empty(4, 7), gain=2.0)._data.astype(np.float64)
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(4), atol=1e-5)
    with pytest.warns(UserWarning, match="zero-element"):
        iinit.kaiming_uniform_(impl.empty(0, 3))


# =====================================================================================================
# nn.utils: clip_grad_norm_, clip_grad_value_, parameters_to_vector
# =====================================================================================================
@settings(max_examples=examples(20))
@given(st.lists(st.lists(st.integers(0, 4), max_size=3), min_size=1, max_size=4), st.lists(st.booleans(), min_size=4, max_size=4),
       st.sampled_from([0.01, 0.5, 1.0, 100.0]), st.sampled_from([2.0, 1.0, float("inf"), 3, 0.5]), dtypes,
       st.integers(0, 2**16))
def test_clip_grad_norm_matches_torch(shapes, has_grad, max_norm, norm_type, dtype, seed):
    rng = np.random.default_rng(seed)
    tps, ips = [], []
    for k, s in enumerate(shapes):
        tp = torch.nn.Parameter(torch.zeros(s, dtype=TORCH_DT[dtype]))
        ip = inn.Parameter(impl.zeros(*s, dtype=IMPL_DT[dtype]))
        if has_grad[k]:
            g = np.asarray(rng.normal(size=s) * 3, dtype=NP[dtype])
            tp.grad, ip.grad = torch.from_numpy(g.copy()), to_impl(g)
        tps.append(tp)
        ips.append(ip)
    try:
        tn = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type)
    except RuntimeError:  # torch: the inf-norm of an empty gradient has no identity
        with pytest.raises(RuntimeError, match="infinity norm on an empty tensor"):
            inn.utils.clip_grad_norm_(ips, max_norm, norm_type)
        return
    inorm = inn.utils.clip_grad_norm_(iter(ips), max_norm, norm_type)
    assert_close(inorm, tn, **TOL[dtype], what="total norm")
    for tp, ip in zip(tps, ips):
        assert (tp.grad is None) == (ip.grad is None)
        if tp.grad is not None:
            assert_close(ip.grad, tp.grad, **TOL[dtype], what="clipped grad")


def test_clip_grad_edge_cases():
    p = inn.Parameter(impl.ones(3))
    p.grad = impl.tensor([1.0, float("nan"), 2.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        inn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    q = inn.Parameter(impl.ones(2))
    q.grad = impl.tensor([3.0, 4.0])
    assert inn.utils.clip_grad_norm_(q, 10.0, foreach=True).item() == 5.0 and q.grad.tolist() == [3.0, 4.0]
    assert inn.utils.clip_grad_norm_([inn.Parameter(impl.ones(1))], 1.0).item() == 0.0  # no grads at all
    with pytest.warns(UserWarning, match="empty generator"):
        inn.utils.clip_grad_norm_((x for x in []), 1.0)
    r = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32) * 2
    tp, ip = torch.nn.Parameter(torch.zeros(3, 4)), inn.Parameter(impl.zeros(3, 4))
    tp.grad, ip.grad = torch.from_numpy(r.copy()), to_impl(r)
    g = ip.grad
    torch.nn.utils.clip_grad_value_([tp], 0.7)
    assert inn.utils.clip_grad_value_([ip], 0.7) is None
    assert ip.grad is g  # in place
    assert_close(ip.grad, tp.grad, rtol=0, atol=0, what="clip_grad_value_")


def test_parameters_to_vector_roundtrip():
    torch.manual_seed(0)
    t, i = _net(TORCH), _net(IMPL)
    copy_state_dict(t, i)
    tv, iv = torch.nn.utils.parameters_to_vector(t.parameters()), inn.utils.parameters_to_vector(i.parameters())
    assert_close(iv, tv, rtol=0, atol=0, what="parameters_to_vector")
    inn.utils.vector_to_parameters(iv * 2, i.parameters())
    torch.nn.utils.vector_to_parameters(tv * 2, t.parameters())
    for (n, a), (_, b) in zip(i.named_parameters(), t.named_parameters()):
        assert_close(a, b, rtol=0, atol=0, what=n)


def test_factory_dtype_keep_vars_buffer_and_pickle():
    import pickle

    for L, dt in ((TORCH, torch.float64), (IMPL, impl.float64)):
        m = L.nn.Linear(2, 3, dtype=dt)
        assert m.weight.dtype == dt and m.bias.dtype == dt
        assert L.nn.BatchNorm1d(2, dtype=dt).running_var.dtype == dt
        assert isinstance(m.state_dict(keep_vars=True)["weight"], L.nn.Parameter)
        sd = m.state_dict()
        assert not isinstance(sd["weight"], L.nn.Parameter) and not sd["weight"].requires_grad
        m.buf = L.nn.Buffer(L.top.ones(2), persistent=False)
        assert [n for n, _ in m.named_buffers()] == ["buf"] and list(m.state_dict()) == ["weight", "bias"]
    m = _Net()
    m2 = pickle.loads(pickle.dumps(m))
    x = impl.randn(3, 2)
    assert_close(m2(x), m(x), rtol=0, atol=0, what="pickled module")
    assert isinstance(m2.scale, inn.Parameter) and m2.scale.requires_grad
    assert list(m2.state_dict()) == list(m.state_dict())


# =====================================================================================================
# float64 finite differences on impl alone (independent of torch): the arbiter if twins ever disagree
# =====================================================================================================
GRADCHECK_CASES = {
    "Conv2d": (lambda: inn.Conv2d(2, 2, 3, padding=1, stride=2, groups=2, padding_mode="reflect"), [(1, 2, 5, 4)]),
    "BatchNorm2d-train": (lambda: inn.BatchNorm2d(2, momentum=None), [(3, 2, 2, 2)]),
    "GroupNorm": (lambda: inn.GroupNorm(2, 4), [(2, 4, 3)]),
    "LayerNorm": (lambda: inn.LayerNorm((2, 3)), [(2, 2, 3)]),
    "MaxPool2d": (lambda: inn.MaxPool2d(2, 1, padding=1, ceil_mode=True), [(1, 1, 3, 4)]),
    "MHA": (lambda: inn.MultiheadAttention(4, 2, add_bias_kv=True, kdim=3, vdim=5), [(3, 1, 4), (2, 1, 3), (2, 1, 5)]),
    "EncoderLayer": (lambda: inn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, activation="gelu", norm_first=True),
                     [(3, 2, 4)]),
}


@pytest.mark.parametrize("name", list(GRADCHECK_CASES))
def test_module_input_gradients_gradcheck(name):
    from reference.gradcheck import gradcheck

    build, shapes = GRADCHECK_CASES[name]
    impl.manual_seed(0)
    m = build().double()
    rng = np.random.default_rng(1)
    arrays = [rng.permutation(int(np.prod(s))).reshape(s) / 3.0 + rng.normal(size=s) * 0.01 for s in shapes]

    def f(*xs):
        out = m(*xs) if name != "MHA" else m(*xs, need_weights=True, average_attn_weights=False)
        return out

    gradcheck(f, arrays, tuple(range(len(arrays))), what=name)


def test_embedding_from_pretrained_like_torch():
    w = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    ids = np.array([[0, 2], [3, 3]])
    for freeze in (True, False):
        t = torch.nn.Embedding.from_pretrained(torch.from_numpy(w.copy()), freeze=freeze, padding_idx=1)
        i = inn.Embedding.from_pretrained(to_impl(w), freeze=freeze, padding_idx=1)
        assert i.weight.requires_grad == t.weight.requires_grad == (not freeze)
        assert repr(i) == repr(t)
        assert_close(i(to_impl(ids)), t(torch.from_numpy(ids)), rtol=0, atol=0, what="from_pretrained")


@pytest.mark.parametrize("name", ["CrossEntropyLoss", "NLLLoss"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_classification_loss_with_every_target_ignored(name, dtype):
    """Regression (found by the thorough profile): mean over zero non-ignored targets is nan in both libraries,
    and torch's input gradient is all zeros -- impl's was all nan."""
    x = np.random.default_rng(0).normal(size=(3, 4))
    target = np.array([2, 2, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        run_twins(lambda L: getattr(L.nn, name)(ignore_index=2), [x, target], dtype, grad=[0], perturb=False,
                  what=f"{name} all ignored")
