"""Initialisation and nn.utils of the library under test (impl by default, reference.targets) against torch: default
initialisation of the layers (constant inits exactly, random ones by support and a two-sample Kolmogorov-Smirnov test
against torch's sample), nn.init's functions, calculate_gain and fans, clip_grad_norm_/clip_grad_value_,
parameters_to_vector."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import targets
from reference.module_twins import NP, TOL, TORCH, TORCH_DT, examples, target_lib
from reference.twins import assert_close, copy_state_dict, to_numpy, to_target

pytestmark = [pytest.mark.modules]
T = target_lib()  # the library under test
lib, inn, iinit = T.top, T.nn, T.top.nn.init
dtypes = st.sampled_from(["float32", "float64"])


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
    lib.manual_seed(0)
    t, i = INIT_ZOO[name](TORCH), INIT_ZOO[name](T)
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
        if np.abs(b).max() < 1.5 and b.size >= 2000:  # bounded (uniform) inits: the target stays within torch's bound
            bound = np.abs(b).max()
            assert np.abs(a).max() <= bound * 1.02, f"{name}.{key}: |w| max {np.abs(a).max()} > torch's {bound}"


def test_linear_and_conv_init_bounds_are_torchs_formula():
    """kaiming_uniform_(a=sqrt(5)) => U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias (docs' formula)."""
    for m, fan_in in [(inn.Linear(50, 400), 50), (inn.Conv2d(6, 300, 3, groups=3), 2 * 9), (inn.Conv1d(5, 200, 4), 20)]:
        b = 1 / math.sqrt(fan_in)
        for p in (m.weight, m.bias):
            v = to_numpy(p)
            assert np.abs(v).max() <= b and np.abs(v).max() > 0.9 * b
            assert abs(v.mean()) < 5 * b / math.sqrt(3 * v.size)
            assert abs(v.var() - b * b / 3) < 0.15 * b * b / 3


TRANSPOSED_INIT_ZOO = {
    "ConvTranspose2d": lambda L: L.nn.ConvTranspose2d(150, 8, (3, 2), groups=2),
    "ConvTranspose1d": lambda L: L.nn.ConvTranspose1d(200, 6, 5),
    "Conv3d": lambda L: L.nn.Conv3d(4, 120, (3, 2, 2)),
}


@pytest.mark.parametrize("name", list(TRANSPOSED_INIT_ZOO))
def test_transposed_and_3d_conv_init_matches_torch_distribution(name):
    """Transposed weights (in, out/groups, k...) take their fan_in from dimension 1 as torch's: weight and bias stay
    within torch's bound 1/sqrt(fan_in) (kaiming_uniform_ with a=sqrt(5), fan_in from torch's weight) and the
    distributions (two-sample Kolmogorov-Smirnov against torch's sample) agree."""
    torch.manual_seed(0)
    lib.manual_seed(0)
    t, i = TRANSPOSED_INIT_ZOO[name](TORCH), TRANSPOSED_INIT_ZOO[name](T)
    # the documented bound, not torch's sample maximum: a bias of 8 values rarely reaches its bound (torch's own
    # second sample exceeds its first one's maximum)
    bound = 1 / math.sqrt(torch.nn.init._calculate_fan_in_and_fan_out(t.weight)[0])
    for key, tv in t.state_dict().items():
        a, b = to_numpy(i.state_dict()[key]).astype(np.float64), to_numpy(tv).astype(np.float64)
        assert a.shape == b.shape
        d = _ks_two_sample(a, b)
        assert d < _ks_critical(a.size, b.size), f"{name}.{key}: KS distance {d:.4f} vs torch's sample"
        assert np.abs(b).max() <= bound * (1 + 1e-6), f"torch's {name}.{key} exceeds the bound {bound}"
        assert np.abs(a).max() <= bound * (1 + 1e-6), f"{name}.{key}: |w| max {np.abs(a).max()} > the bound {bound}"


def test_embedding_bag_init_and_state_dict_like_torch():
    for kw in (dict(mode="sum"), dict(padding_idx=1), dict(mode="max", include_last_offset=True)):
        t, i = TORCH.nn.EmbeddingBag(5, 3, **kw), T.nn.EmbeddingBag(5, 3, **kw)
        assert repr(t) == repr(i)
        assert [(k, tuple(v.shape)) for k, v in t.state_dict().items()] == \
               [(k, tuple(v.shape)) for k, v in i.state_dict().items()]
        if "padding_idx" in kw:
            assert not to_numpy(i.weight)[1].any(), "padding_idx row not zeroed at init"


def test_prelu_default_init_and_state_dict():
    for n, init in ((1, 0.25), (4, -0.3)):
        t, i = torch.nn.PReLU(n, init=init), inn.PReLU(n, init=init)
        assert list(i.state_dict()) == list(t.state_dict()) == ["weight"]
        assert tuple(i.weight.shape) == tuple(t.weight.shape) == (n,)
        np.testing.assert_array_equal(to_numpy(i.weight), t.weight.detach().numpy())
        assert repr(i) == repr(t)


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
        assert iinit._calculate_fan_in_and_fan_out(lib.zeros(*shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        iinit._calculate_fan_in_and_fan_out(lib.zeros(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        iinit.kaiming_uniform_(lib.zeros(3, 3), mode="fan_avg")


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
    lib.manual_seed(0)
    shape = (200, 30, 3)
    tw = getattr(torch.nn.init, fn)(torch.empty(shape), **kwargs).numpy().astype(np.float64)
    p = inn.Parameter(lib.empty(*shape))
    v = targets.current().version(p)
    out = getattr(iinit, fn)(p, **kwargs)
    assert out is p and p.is_leaf and p.grad_fn is None and targets.current().version(p) > v  # in place, no history
    iw = to_numpy(p).astype(np.float64)
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
        i = getattr(iinit, fn)(lib.full(shape, 7.0), **kw)
        assert_close(i, t, rtol=0, atol=0, what=fn)
    q = to_numpy(iinit.orthogonal_(lib.empty(4, 7), gain=2.0)).astype(np.float64)
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(4), atol=1e-5)
    with pytest.warns(UserWarning, match="zero-element"):
        iinit.kaiming_uniform_(lib.empty(0, 3))


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
        ip = inn.Parameter(lib.zeros(tuple(s), dtype=T.dtype(dtype)))  # a tuple: torch.zeros() refuses no size at all
        if has_grad[k]:
            g = np.asarray(rng.normal(size=s) * 3, dtype=NP[dtype])
            tp.grad, ip.grad = torch.from_numpy(g.copy()), to_target(g)
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
    p = inn.Parameter(lib.ones(3))
    p.grad = lib.tensor([1.0, float("nan"), 2.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        inn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    q = inn.Parameter(lib.ones(2))
    q.grad = lib.tensor([3.0, 4.0])
    assert inn.utils.clip_grad_norm_(q, 10.0, foreach=True).item() == 5.0 and q.grad.tolist() == [3.0, 4.0]
    assert inn.utils.clip_grad_norm_([inn.Parameter(lib.ones(1))], 1.0).item() == 0.0  # no grads at all
    with pytest.warns(UserWarning, match="empty generator"):
        inn.utils.clip_grad_norm_((x for x in []), 1.0)
    r = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32) * 2
    tp, ip = torch.nn.Parameter(torch.zeros(3, 4)), inn.Parameter(lib.zeros(3, 4))
    tp.grad, ip.grad = torch.from_numpy(r.copy()), to_target(r)
    g = ip.grad
    torch.nn.utils.clip_grad_value_([tp], 0.7)
    assert inn.utils.clip_grad_value_([ip], 0.7) is None
    assert ip.grad is g  # in place
    assert_close(ip.grad, tp.grad, rtol=0, atol=0, what="clip_grad_value_")


def _net(L):
    return L.nn.Sequential(L.nn.Linear(3, 4), L.nn.BatchNorm1d(4), L.nn.Sequential(L.nn.Linear(4, 2)))


def test_parameters_to_vector_roundtrip():
    torch.manual_seed(0)
    t, i = _net(TORCH), _net(T)
    copy_state_dict(t, i)
    tv, iv = torch.nn.utils.parameters_to_vector(t.parameters()), inn.utils.parameters_to_vector(i.parameters())
    assert_close(iv, tv, rtol=0, atol=0, what="parameters_to_vector")
    inn.utils.vector_to_parameters(iv * 2, i.parameters())
    torch.nn.utils.vector_to_parameters(tv * 2, t.parameters())
    for (n, a), (_, b) in zip(i.named_parameters(), t.named_parameters()):
        assert_close(a, b, rtol=0, atol=0, what=n)
