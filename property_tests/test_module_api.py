"""Module-API mechanics of the library under test's nn (impl.nn by default, reference.targets) against torch.nn: what
the generic module template
(property_tests/test_module_template.py) does not cover because it is about the Module machinery, not one layer.

Registration and recursion (named_* order, get_submodule, attribute rules), zero_grad/train/eval/requires_grad_/
apply, dtype conversion keeping parameter identity, hooks, Parameter semantics, containers' list/dict behaviour and
repr, load_state_dict (strict errors with torch's messages, non-strict results, assign=, pre-v2 BatchNorm
checkpoints), factory dtype/keep_vars/non-persistent buffers/pickle, from_pretrained, deep-copied transformer
layers, the twin bridge refusing non-twins, and constructor/forward argument errors (torch's exception classes and
messages) of the layers.
"""
import copy
import math
import warnings

import numpy as np
import pytest
import torch

from reference import targets
from reference.module_twins import TORCH, target_lib
from reference.twins import TwinMismatch, assert_close, copy_state_dict, to_numpy, to_target

pytestmark = [pytest.mark.modules, pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")]  # torch's notice

# The library under test (impl by default, reference.targets): module level, so that _Net below is a picklable class.
T = target_lib()
lib, inn = T.top, T.nn


# =====================================================================================================
# load_state_dict: strict errors like torch's
# =====================================================================================================
def _torchless(msg):
    return msg.replace("torch.", "").replace(f"{lib.__name__}.", "")


def _both_raise(build, make_sd, strict=True):
    torch.manual_seed(0)
    t, i = build(TORCH), build(T)
    with pytest.raises(RuntimeError) as te:
        t.load_state_dict(make_sd(t.state_dict(), TORCH), strict=strict)
    with pytest.raises(RuntimeError) as ie:
        i.load_state_dict(make_sd(i.state_dict(), T), strict=strict)
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
    t, i = _net(TORCH), _net(T)
    sd = {k: to_target(v) for k, v in t.state_dict().items()}
    del sd["2.0.weight"]
    sd["x.y"] = lib.zeros(1)
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
    i.load_state_dict({**i.state_dict(), "0.weight": lib.ones(4, 3, dtype=lib.float64)})
    assert i[0].weight is w and w.dtype == lib.float32 and np.all(to_numpy(w) == 1)
    # assign=True swaps the tensors in, as Parameters keeping requires_grad
    new = lib.full((4, 3), 2.0)
    i.load_state_dict({**i.state_dict(), "0.weight": new}, assign=True)
    assert isinstance(i[0].weight, inn.Parameter) and i[0].weight.requires_grad and np.all(to_numpy(i[0].weight) == 2)


def test_batchnorm_loads_pre_v2_checkpoint_without_num_batches_tracked():
    for L in (TORCH, T):
        m = L.nn.BatchNorm1d(3)
        sd = m.state_dict()
        del sd["num_batches_tracked"]
        sd._metadata[""]["version"] = 1
        m.load_state_dict(sd)  # no Missing-key error: the old format is upgraded
        assert int(m.num_batches_tracked) == 0


@pytest.mark.parametrize("momentum", [0.3, None])
def test_batchnorm_without_num_batches_tracked_trains_like_torch(momentum):
    """A BatchNorm whose counter was set to None moves its running statistics by ``momentum`` in training, and
    keeps them when ``momentum`` is None (no count to average over), as torch's does."""
    x = np.random.default_rng(0).normal(1.0, 2.0, size=(5, 3)).astype(np.float64)
    twins = []
    for L in (TORCH, T):
        m = L.nn.BatchNorm1d(3, momentum=momentum, dtype=L.top.float64)
        m.num_batches_tracked = None
        for _ in range(2):
            out = m(L.tensor(x))
        twins.append((out, m.running_mean, m.running_var))
    (t_out, t_mean, t_var), (i_out, i_mean, i_var) = twins
    assert momentum is None or not np.allclose(t_mean.numpy(), 0)  # the statistics moved (or, None: must not)
    for name, a, b in (("output", i_out, t_out), ("running_mean", i_mean, t_mean), ("running_var", i_var, t_var)):
        assert_close(a, b.detach(), rtol=1e-7, atol=1e-7, what=f"BatchNorm1d(momentum={momentum}) {name}")


# =====================================================================================================
# Module mechanics
# =====================================================================================================
class _Net(inn.Module):
    def __init__(self):
        super().__init__()
        self.enc = inn.Sequential(inn.Linear(2, 3), inn.Tanh())
        self.heads = inn.ModuleList([inn.Linear(3, 1), inn.Linear(3, 1)])
        self.tied = self.heads[0]  # the same module twice: parameters() yields its tensors once
        self.scale = inn.Parameter(lib.ones(1))
        self.register_buffer("steps", lib.zeros(1, dtype=lib.int64))
        self.register_buffer("cache", lib.zeros(2), persistent=False)
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
        m.scale = lib.ones(1)
    m.scale = None
    assert "scale" not in dict(m.named_parameters())
    m.scale = inn.Parameter(lib.ones(1))
    m.steps = lib.ones(1, dtype=lib.int64)  # buffers stay buffers when re-assigned a tensor
    assert "steps" in m._buffers and to_numpy(m.steps)[0] == 1
    with pytest.raises(TypeError, match="cannot assign"):
        m.enc = 3
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("plain", lib.zeros(1))
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
                self.w = inn.Parameter(lib.ones(1))

        Bad()


def test_zero_grad_train_eval_requires_grad_apply():
    m = _Net()
    m(lib.randn(4, 2)).sum().backward()
    grads = {n: p.grad for n, p in m.named_parameters()}
    assert all(g is not None for g in grads.values())
    m.zero_grad(set_to_none=False)
    for n, p in m.named_parameters():
        assert p.grad is grads[n] and not to_numpy(p.grad).any()
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
    m(lib.randn(4, 2)).sum().backward()
    w = m.enc[0].weight
    assert m.double() is m
    assert m.enc[0].weight is w and w.dtype == lib.float64 and w.grad.dtype == lib.float64
    assert m.steps.dtype == lib.int64 and m.cache.dtype == lib.float64  # int buffers are not converted
    m.to(lib.float32)
    assert w.dtype == lib.float32 and m.cache.dtype == lib.float32
    m.to(dtype=lib.float64)
    assert w.dtype == lib.float64
    m.to(lib.zeros(1))
    assert w.dtype == lib.float32
    m.float()
    assert w.dtype == lib.float32
    with pytest.raises(TypeError, match="floating point"):
        m.to(lib.int64)
    out = m(lib.randn(2, 2))
    assert out.dtype == lib.float32


def test_forward_hooks_and_call():
    m = inn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append(out.shape) or out + 1)
    y = m(lib.ones(3, 2))
    np.testing.assert_allclose(to_numpy(y), np.broadcast_to(to_numpy(m.bias) + 1, (3, 2)), rtol=1e-6)
    assert calls == [lib.Size([3, 2])]
    h1.remove()
    h2.remove()
    np.testing.assert_allclose(to_numpy(m(lib.zeros(1, 2)))[0], to_numpy(m.bias), rtol=1e-6)
    with pytest.raises(NotImplementedError, match="forward"):
        inn.Module()(lib.ones(1))


def _hook_order(L):
    """The order forward pre-hooks and forward hooks run in, appended or prepended, with and without kwargs."""
    m, calls = L.nn.Identity(), []
    for name, prepend in (("a", False), ("b", True), ("c", False), ("d", True)):
        m.register_forward_pre_hook(lambda mod, args, name=name: calls.append(f"pre {name}"), prepend=prepend)
        m.register_forward_hook(lambda mod, args, out, name=name: calls.append(f"post {name}"), prepend=prepend)
    m.register_forward_pre_hook(lambda mod, args, kwargs: calls.append("pre kw") or None, prepend=True,
                                with_kwargs=True)
    m.register_forward_hook(lambda mod, args, kwargs, out: calls.append("post kw") or None, prepend=True,
                            with_kwargs=True)
    m(L.top.ones(1))
    return calls


def test_forward_hooks_prepend_order_like_torch():
    assert _hook_order(T) == _hook_order(TORCH)


def test_parameter_semantics():
    data = lib.randn(2, 3)
    p = inn.Parameter(data)
    assert isinstance(p, lib.Tensor) and p.is_leaf and p.requires_grad and p.grad_fn is None
    assert targets.current().shares_memory(p, data)  # shares storage, as torch
    assert not inn.Parameter(data, requires_grad=False).requires_grad
    assert inn.Parameter().shape == (0,)
    assert repr(p).startswith("Parameter containing:\ntensor(") and "requires_grad=True" in repr(p)
    y = p * 2
    assert type(y) is lib.Tensor and not isinstance(y, inn.Parameter) and y.grad_fn is not None
    q = copy.deepcopy(p)
    assert isinstance(q, inn.Parameter) and not targets.current().shares_memory(q, p)
    assert np.array_equal(to_numpy(q), to_numpy(p))
    with pytest.raises(RuntimeError, match="floating point"):
        inn.Parameter(lib.zeros(2, dtype=lib.int64))


def test_containers_behave_like_torch():
    for L in (TORCH, T):
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
    assert w0 is not w1 and w0 is not layer.linear1.weight and np.array_equal(to_numpy(w0), to_numpy(layer.linear1.weight))
    with lib.no_grad():
        w0.zero_()
    assert to_numpy(w1).any() and to_numpy(layer.linear1.weight).any()
    assert len(list(enc.parameters())) == 2 * len(list(layer.parameters()))


def test_copy_state_dict_refuses_non_twins():
    with pytest.raises(TwinMismatch, match="shape"):
        copy_state_dict(torch.nn.Linear(3, 4), inn.Linear(4, 3))
    with pytest.raises(TwinMismatch, match="only in torch"):
        copy_state_dict(torch.nn.Linear(3, 4), inn.Linear(3, 4, bias=False))
    with pytest.raises(TwinMismatch, match="dtype"):
        copy_state_dict(torch.nn.Linear(3, 4).double(), inn.Linear(3, 4))
    copy_state_dict(torch.nn.Linear(3, 4).double(), inn.Linear(3, 4), check_dtype=False)


def test_factory_dtype_keep_vars_buffer_and_pickle():
    import pickle

    for L, dt in ((TORCH, torch.float64), (T, lib.float64)):
        m = L.nn.Linear(2, 3, dtype=dt)
        assert m.weight.dtype == dt and m.bias.dtype == dt
        assert L.nn.BatchNorm1d(2, dtype=dt).running_var.dtype == dt
        assert isinstance(m.state_dict(keep_vars=True)["weight"], L.nn.Parameter)
        sd = m.state_dict()
        assert not isinstance(sd["weight"], L.nn.Parameter) and not sd["weight"].requires_grad
        m.kept = L.nn.Buffer(L.top.zeros(2))  # persistent unless told otherwise
        m.buf = L.nn.Buffer(L.top.ones(2), persistent=False)
        assert [n for n, _ in m.named_buffers()] == ["kept", "buf"] and list(m.state_dict()) == ["weight", "bias", "kept"]
    m = _Net()
    m2 = pickle.loads(pickle.dumps(m))
    x = lib.randn(3, 2)
    assert_close(m2(x), m(x), rtol=0, atol=0, what="pickled module")
    assert isinstance(m2.scale, inn.Parameter) and m2.scale.requires_grad
    assert list(m2.state_dict()) == list(m.state_dict())


def test_embedding_from_pretrained_like_torch():
    w = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    ids = np.array([[0, 2], [3, 3]])
    for freeze in (True, False):
        t = torch.nn.Embedding.from_pretrained(torch.from_numpy(w.copy()), freeze=freeze, padding_idx=1)
        i = inn.Embedding.from_pretrained(to_target(w), freeze=freeze, padding_idx=1)
        assert i.weight.requires_grad == t.weight.requires_grad == (not freeze)
        assert repr(i) == repr(t)
        assert_close(i(to_target(ids)), t(torch.from_numpy(ids)), rtol=0, atol=0, what="from_pretrained")


# =====================================================================================================
# Constructor and forward argument errors, warnings
# =====================================================================================================
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
        (lambda L: L.nn.InstanceNorm1d(3)(L.top.zeros(3)), ValueError, r"expected 2D or 3D input \(got 1D input\)"),
        (lambda L: L.nn.InstanceNorm2d(3)(L.top.zeros(3, 4)), ValueError, r"expected 3D or 4D input \(got 2D input\)"),
        (lambda L: L.nn.InstanceNorm3d(3)(L.top.zeros(3, 4, 5)), ValueError, r"expected 4D or 5D input \(got 3D input\)"),
        (lambda L: L.nn.Transformer(4, 2, 1, 1, 6, dropout=0.0)(L.top.zeros(3, 2, 4), L.top.zeros(3, 2, 4),
                                                                src_is_causal=True), RuntimeError, "Need attn_mask"),
        (lambda L: L.nn.MultiheadAttention(4, 2)(L.top.zeros(2, 1, 4), L.top.zeros(2, 1, 4), L.top.zeros(2, 1, 4),
                                                 is_causal=True), RuntimeError, "Need attn_mask"),
        (lambda L: L.nn.MultiheadAttention(4, 2)(L.top.zeros(2, 1, 4), L.top.zeros(3, 1, 4), L.top.zeros(3, 1, 4),
                                                 attn_mask=L.top.zeros(2, 2)), RuntimeError, "The shape of the 2D attn_mask"),
    ]
    for build, exc, pattern in cases:
        with pytest.raises(exc, match=pattern):
            build(TORCH)
        with pytest.raises(exc, match=pattern):
            build(T)


def _same_error(make, *call):
    """Both libraries raise the same exception class with the same message (torch.Size printed as impl.Size)."""
    with pytest.raises(Exception) as te:
        make(TORCH)(*[torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in call])
    with pytest.raises(Exception) as ie:
        make(T)(*[T.tensor(a) if isinstance(a, np.ndarray) else a for a in call])
    assert type(ie.value) is type(te.value), (type(ie.value), type(te.value))
    assert str(ie.value).replace(f"{lib.__name__}.", "") == str(te.value).replace("torch.", "")
    return str(ie.value)


def test_layer_argument_errors_like_torch():
    x = np.zeros((1, 2, 3, 3), dtype=np.float32)
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        inn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        torch.nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")
    msg = _same_error(lambda L: lambda a: L.nn.ConvTranspose2d(2, 2, 3, stride=2)(a, output_size=(9, 9)), x)
    assert "requested an output size of (9, 9), but valid sizes range from [7, 7] to [8, 8]" in msg
    msg = _same_error(lambda L: lambda a: L.nn.ConvTranspose2d(2, 2, 3)(a, output_size=(5,)), x)
    assert "output_size must have 2 or 4 elements (got 1)" in msg
    msg = _same_error(lambda L: lambda a: L.nn.CircularPad2d(1)(a), np.zeros((2, 3), dtype=np.float32))
    assert msg == "expected 3D or 4D input (got 2D input)"
    msg = _same_error(lambda L: lambda a: L.nn.CircularPad1d(1)(a), x)
    assert msg == "expected 2D or 3D input (got 4D input)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither library warns when align_corners is left to its default
        for L in (TORCH, T):
            L.nn.Upsample(scale_factor=2, mode="bilinear")(L.tensor(x))


def test_extra_loss_constructor_errors_like_torch():
    for make, exc, match in (
        (lambda L: L.nn.TripletMarginLoss(margin=0.0), ValueError, "margin to be greater than 0"),
        (lambda L: L.nn.MultiMarginLoss(p=3), ValueError, "only p == 1 and p == 2 supported"),
        (lambda L: L.nn.MultiMarginLoss(weight=L.top.ones(2, 2)), ValueError, "expected weight to be None or 1D"),
        (lambda L: L.nn.GaussianNLLLoss()(L.top.zeros(2, 3), L.top.zeros(2, 3), L.top.ones(3)), ValueError,
         "var is of incorrect size"),
    ):
        for L in (TORCH, T):
            with pytest.raises(exc, match=match):
                make(L)


def test_dropout_nd_argument_checks_like_torch():
    for make, exc, match in (
        (lambda L: L.F.dropout1d(L.top.zeros(2, 3, 4, 5), 0.5), RuntimeError, "Expected 2D or 3D input"),
        (lambda L: L.nn.Dropout2d(1.5), ValueError, "dropout probability has to be between 0 and 1"),
        (lambda L: L.F.feature_alpha_dropout(L.top.zeros(3), 0.5, training=True), RuntimeError,
         "Feature dropout requires at least 2 dimensions"),
    ):
        for L in (TORCH, T):
            with pytest.raises(exc, match=match):
                make(L)
    for L in (TORCH, T):
        with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
            L.F.dropout2d(L.top.zeros(2, 3, 4), 0.5)
        assert repr(L.nn.Dropout3d(0.2)) == "Dropout3d(p=0.2, inplace=False)"


def test_transformer_structure_masks_and_errors_like_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's enable_nested_tensor notice
        t, i = TORCH.nn.Transformer(8, 2, 2, 1, 16), T.nn.Transformer(8, 2, 2, 1, 16)
    assert [(k, tuple(v.shape)) for k, v in t.state_dict().items()] == \
           [(k, tuple(v.shape)) for k, v in i.state_dict().items()]
    i.load_state_dict({k: T.tensor(v.numpy()) for k, v in t.state_dict().items()})  # strict: every key
    # xavier_uniform_ on every matrix: the bound sqrt(6 / (fan_in + fan_out)) holds for each
    for name, p in i.named_parameters():
        if p.dim() > 1:
            bound = math.sqrt(6.0 / (p.shape[0] + p.shape[1]))
            assert np.abs(to_numpy(p)).max() <= bound, name
    for sz in (1, 4):
        np.testing.assert_array_equal(to_numpy(T.nn.Transformer.generate_square_subsequent_mask(sz)),
                                      TORCH.nn.Transformer.generate_square_subsequent_mask(sz).numpy())
    m64 = T.nn.Transformer.generate_square_subsequent_mask(3, dtype=lib.float64)
    assert m64.dtype == lib.float64
    for L in (TORCH, T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = L.nn.Transformer(4, 2, 1, 1, 8)
        with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
            m(L.top.zeros(3, 2, 4), L.top.zeros(3, 1, 4))
        with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model"):
            m(L.top.zeros(3, 2, 4), L.top.zeros(3, 2, 5))
    layer = inn.TransformerDecoderLayer(4, 2, 8)
    dec = inn.TransformerDecoder(layer, 2)
    assert dec.layers[0] is not layer and dec.layers[0] is not dec.layers[1], "layers must be deep copies"


def test_attention_input_errors_like_torch():
    for L in (TORCH, T):
        m = L.nn.MultiheadAttention(4, 2)
        with pytest.raises(AssertionError, match="was expecting embedding dimension of 4, but got 5"):
            m(L.top.zeros(3, 1, 5), L.top.zeros(3, 1, 5), L.top.zeros(3, 1, 5))


def test_softmax2d_rejects_other_ranks():
    for L in (TORCH, T):
        with pytest.raises(ValueError, match="expected input to be 3D or 4D, got 2D"):
            L.nn.Softmax2d()(L.top.ones(2, 3))


def test_upsample_warns_as_torch_and_is_interpolate():
    x = np.random.default_rng(0).normal(size=(1, 2, 3)).astype(np.float32)
    caught = {}
    for name, L in (("target", T), ("torch", TORCH)):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = L.F.upsample(L.tensor(x), scale_factor=2, mode="linear")
        caught[name] = [(type(m.message), str(m.message)) for m in w]
        assert np.array_equal(to_numpy(out), to_numpy(L.F.interpolate(L.tensor(x), scale_factor=2, mode="linear")))
    assert caught["target"] == caught["torch"] == [
        (UserWarning, "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.")]
