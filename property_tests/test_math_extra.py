"""What the generic op specs cannot say about impl/ops/math.py and friends:

- numpy's names: every declared op with a ``dim``/``keepdim`` parameter takes ``axis=``/``keepdims=`` exactly where
  torch's takes them (function and method forms), with the same result;
- lgamma/digamma/polygamma/erfinv over wide ranges against torch in float64 (the specs keep to small domains);
- the in-place asinh_/acosh_/atanh_, whose backward raises in torch (and so in impl);
- cdist's second derivative, which torch does not have: against torch's vector_norm of the differences.
"""
import inspect

import numpy as np
import pytest
import torch

import impl
from impl.ops._registry import REGISTRY

pytestmark = pytest.mark.impl_only(reason="about impl itself: impl's numpy-name aliases and declarations of impl/ops/math.py")


# ---- numpy's argument names -------------------------------------------------------------------------------
def _calls(lib):
    """name -> (args before dim, kwargs besides dim) for every op with a dim/keepdim parameter."""
    x = lib.tensor(np.arange(8.0).reshape(2, 4) - 3.0)
    idx = lib.tensor([[0, 1]])
    pair, one = lib.tensor([1, 0]), lib.tensor([1])
    c = lib.tensor(np.arange(9.0).reshape(3, 3))
    y = x.clone()  # the in-place forms refuse a source that shares memory with the target
    return x, {
        "flatten": None, "permute": None, "transpose": None, "flip": None, "roll": None, "diagonal": None,  # no `dim`
        "unflatten": ((x,), {"sizes": (1, 2)}), "squeeze": ((x,), {}), "unsqueeze": ((x,), {}),
        "cat": (([x, x],), {}), "stack": (([x, x],), {}), "narrow": ((x,), {"start": 0, "length": 1}),
        "select": ((x,), {"index": 1}), "split": ((x, 1), {}), "chunk": ((x, 2), {}), "unbind": ((x,), {}),
        "index_select": ((x,), {"index": lib.tensor([1, 0])}), "gather": ((x,), {"index": idx}),
        "take_along_dim": ((x, lib.tensor([[1, 0, 0, 1]])), {}), "sum": ((x,), {}), "mean": ((x,), {}),
        "prod": ((x,), {}), "amax": ((x,), {}), "amin": ((x,), {}), "max": ((x,), {}), "min": ((x,), {}),
        "argmax": ((x,), {}), "argmin": ((x,), {}), "all": ((x,), {}), "any": ((x,), {}),
        "count_nonzero": ((x,), {}), "var": ((x,), {}), "std": ((x,), {}), "var_mean": ((x,), {}),
        "std_mean": ((x,), {}), "logsumexp": ((x,), {}), "norm": ((x,), {}), "cumsum": ((x,), {}),
        "softmax": ((x,), {}), "log_softmax": ((x,), {}), "stride": ((x,), {}),
        "argsort": ((x,), {}), "sort": ((x,), {}), "cummax": ((x,), {}), "cummin": ((x,), {}), "cumprod": ((x,), {}),
        "kthvalue": ((x, 1), {}), "logcumsumexp": ((x,), {}), "median": ((x,), {}), "nanmedian": ((x,), {}),
        "mode": ((x,), {}), "topk": ((x, 1), {}), "unique": ((x,), {}), "unique_consecutive": ((x,), {}),
        "nansum": ((x,), {}), "nanmean": ((x,), {}),
        "cross": ((c, c), {}), "diff": ((x,), {}), "tensor_split": ((x, 2), {}),
        "repeat_interleave": ((x,), {"repeats": 2}),
        "index_add": ((x,), {"index": pair, "source": x}), "index_add_": ((x,), {"index": pair, "source": y}),
        "index_copy": ((x,), {"index": pair, "source": x}), "index_copy_": ((x,), {"index": pair, "source": y}),
        "index_fill": ((x,), {"index": one, "value": 2.0}), "index_fill_": ((x,), {"index": one, "value": 2.0}),
        "scatter": ((x,), {"index": idx, "src": x}), "scatter_": ((x,), {"index": idx, "src": y}),
        "scatter_add": ((x,), {"index": idx, "src": x}), "scatter_add_": ((x,), {"index": idx, "src": y}),
        "scatter_reduce": ((x,), {"index": idx, "src": x, "reduce": "sum"}),
        "scatter_reduce_": ((x,), {"index": idx, "src": y, "reduce": "sum"}),
    }


def _declared_with_dim():
    out = []
    for name, d in REGISTRY.items():
        try:
            params = inspect.signature(d.fn).parameters
        except (TypeError, ValueError):
            continue
        if any(p in params for p in ("dim", "keepdim")):
            out.append(name)
    return sorted(out)


def _as_numpy(v):
    if isinstance(v, (tuple, list)):
        return [_as_numpy(e) for e in v]
    if isinstance(v, (impl.Tensor, torch.Tensor)):
        return np.asarray(v.detach().numpy() if isinstance(v, torch.Tensor) else v.numpy())
    return v


def _run(lib, name, form, spelling):
    x, calls = _calls(lib)
    args, kw = calls[name]
    if form == "method":
        if not hasattr(type(x), name) or name in ("cat", "stack"):
            return "absent"
        fn, args = getattr(args[0], name), args[1:]
    else:
        fn = getattr(lib, name, None)
        if fn is None:
            return "absent"
    kw = dict(kw)
    if spelling == "axis":
        kw["axis"] = 0
    elif spelling == "keepdims":
        kw.update(dim=0, keepdims=True)
    else:
        kw["dim"] = 0
    try:
        return _as_numpy(fn(*args, **kw))
    except TypeError:
        return "TypeError"


@pytest.mark.parametrize("name", _declared_with_dim())
def test_numpy_names_follow_torch(name):
    """``axis=``/``keepdims=`` accepted where torch accepts them, refused (TypeError) where torch refuses them; the
    result equals torch's, and equals the ``dim=`` spelling's."""
    _, calls = _calls(impl)
    assert name in calls, f"{name} takes dim/keepdim: add a call for it to _calls so its numpy names are checked"
    if calls[name] is None:
        return
    checked = 0
    for form in ("function", "method"):
        for spelling in ("axis", "keepdims"):
            if spelling == "keepdims" and "keepdim" not in inspect.signature(REGISTRY[name].fn).parameters:
                continue
            got, want = _run(impl, name, form, spelling), _run(torch, name, form, spelling)
            if isinstance(want, str) and want == "absent":
                continue
            if name == "unflatten" and form == "function" and spelling == "axis":
                # torch.unflatten is native (takes axis), Tensor.unflatten is Python (does not); impl has one op
                assert isinstance(got, str) and got == "TypeError"
                continue
            if isinstance(want, str) or isinstance(got, str):
                assert got == want, f"{name} ({form}, {spelling}=): impl {got!r}, torch {want!r}"
            else:
                np.testing.assert_allclose(np.asarray(got, dtype=float) if not isinstance(got, list) else
                                           np.concatenate([np.ravel(g) for g in got]),
                                           np.asarray(want, dtype=float) if not isinstance(want, list) else
                                           np.concatenate([np.ravel(w) for w in want]), rtol=1e-6,
                                           err_msg=f"{name} ({form}, {spelling}=)")
                if spelling == "axis":
                    same = _run(impl, name, form, "dim")
                    np.testing.assert_equal(_flat(same), _flat(got))
            checked += 1
    assert checked, f"nothing compared for {name}"


def _flat(v):
    return np.concatenate([np.ravel(e) for e in v]) if isinstance(v, list) else np.ravel(v)


def test_both_dim_and_axis_is_an_error():
    x = impl.ones(2, 3)
    with pytest.raises(TypeError, match="multiple values for argument 'dim'"):
        x.sum(dim=0, axis=1)
    with pytest.raises(TypeError):
        torch.ones(2, 3).sum(dim=0, axis=1)


# ---- special functions over wide ranges ---------------------------------------------------------------------
def _wide(rng):
    near_poles = np.round(rng.uniform(-20, 0, 300)) + rng.choice([-1, 1], 300) * rng.uniform(1e-3, 0.5, 300)
    return np.concatenate([rng.normal(0, 3, 500), rng.uniform(-40, 40, 500), near_poles, rng.uniform(1e-8, 1e-3, 50),
                           np.exp(rng.uniform(-5, 30, 300)), [0.5, 1.0, 2.0, 3.0, -0.5, -1.5, 1e-300]])


@pytest.mark.parametrize("name", ["lgamma", "digamma", "polygamma1", "polygamma2", "polygamma3", "erfinv", "erf",
                                  "erfc"])
def test_special_functions_against_torch_float64(name):
    rng = np.random.default_rng(7)
    if name == "erfinv":
        x = np.concatenate([rng.uniform(-1, 1, 2000), 1 - np.exp(rng.uniform(-36, -1, 300)), [0.0, 0.5, -0.5]])
    elif name.startswith("erf"):
        x = np.concatenate([rng.normal(0, 3, 1500), rng.uniform(-30, 30, 500)])
    else:
        x = _wide(rng)
        if name.startswith("polygamma"):
            x = x[np.abs(x) < 1e6]
    if name.startswith("polygamma"):
        n = int(name[-1])
        got, want = impl.polygamma(n, impl.tensor(x)).numpy(), torch.polygamma(n, torch.from_numpy(x)).numpy()
    else:
        got = getattr(impl, name)(impl.tensor(x)).numpy()
        want = getattr(torch, name)(torch.from_numpy(x)).numpy()
    # torch's float64 trigamma truncates its series at x^-9 (relative error up to ~1e-9): still inside rtol 1e-7
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-7, err_msg=name)


# ---- in-place forms torch cannot differentiate -----------------------------------------------------------------
@pytest.mark.parametrize("name", ["asinh_", "arcsinh_", "acosh_", "arccosh_", "atanh_", "arctanh_"])
def test_inplace_without_derivative_raises_at_backward(name):
    """torch records asinh_/acosh_/atanh_ but has no derivative for them: the forward runs, backward raises
    NotImplementedError; without grad both just compute."""
    shift = 2.0 if "cosh" in name else 0.0
    for lib in (torch, impl):
        x = lib.tensor([0.3, 0.6], dtype=lib.float64, requires_grad=True)
        y = getattr(x * 1 + shift, name)()
        assert y.requires_grad
        with pytest.raises(NotImplementedError, match="the derivative for 'inplace version of"):
            y.sum().backward()
        plain = getattr(lib.tensor([0.3, 0.6], dtype=lib.float64) + shift, name)()
        assert not plain.requires_grad
    np.testing.assert_allclose(getattr(impl.tensor([0.3]) + shift, name)().numpy(),
                               getattr(torch.tensor([0.3]) + shift, name)().numpy(), rtol=1e-6)


# ---- cdist, twice ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [2.0, 3.0, 1.5])
def test_cdist_second_order_matches_dist(p):
    """Gradient of (gradient . v) of cdist: impl's composite vs torch's p-norm of the differences written out (torch's
    cdist itself is differentiable once)."""
    rng = np.random.default_rng(int(p * 10))
    a0, b0, w0, v0 = rng.normal(size=(3, 4)), rng.normal(size=(2, 4)), rng.normal(size=(3, 2)), rng.normal(size=(3, 4))
    out = {}
    for lib in (impl, torch):
        a = lib.tensor(a0, requires_grad=True)
        b = lib.tensor(b0, requires_grad=True)
        if lib is impl:
            d = impl.cdist(a, b, p=p)
        else:
            d = (a[:, None, :] - b[None, :, :]).abs().pow(p).sum(-1).pow(1 / p)  # vector_norm's is slow for p=1.5
        (ga,) = lib.autograd.grad((d * lib.tensor(w0)).sum(), (a,), create_graph=True)
        gga, ggb = lib.autograd.grad((ga * lib.tensor(v0)).sum(), (a, b))
        out[lib.__name__] = [t.detach().numpy() for t in (d, ga, gga, ggb)]
    for k, (got, want) in enumerate(zip(out["impl"], out["torch"])):
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-7, err_msg=f"cdist p={p} output {k}")


# ---- in-place variants on views ----------------------------------------------------------------------------------
_ON_VIEWS = {
    "asin_": lambda lib, v, o: v.asin_(),
    "erf_": lambda lib, v, o: v.erf_(),
    "sigmoid_": lambda lib, v, o: v.sigmoid_(),
    "addcmul_": lambda lib, v, o: v.addcmul_(o, o, value=0.5),
    "addcdiv_": lambda lib, v, o: v.addcdiv_(o, o * o + 1),
    "lerp_": lambda lib, v, o: v.lerp_(o, 0.25),
    "copysign_": lambda lib, v, o: v.copysign_(o),
    "xlogy_": lambda lib, v, o: v.xlogy_(o * o + 0.5),
    "fill_diagonal_": lambda lib, v, o: v.fill_diagonal_(0.5),
    "tril_": lambda lib, v, o: v.tril_(),
    "addmm_": lambda lib, v, o: v.addmm_(o, o, beta=0.5),
}


@pytest.mark.parametrize("name", sorted(_ON_VIEWS))
@pytest.mark.parametrize("view", ["transpose", "slice"])
def test_inplace_variants_on_views_rewrite_the_base(name, view):
    """An in-place variant on a view of a non-leaf writes through to the base, bumps the shared version counter
    once, and the base's gradient (through the rewritten history) is torch's."""
    rng = np.random.default_rng(3)
    x0, o0, g0 = rng.uniform(-0.9, 0.9, (3, 3)), rng.uniform(-0.9, 0.9, (3, 3)), rng.normal(size=(3, 3))
    results = {}
    for lib in (impl, torch):
        x = lib.tensor(x0, requires_grad=True)
        o = lib.tensor(o0, requires_grad=True)
        base = x * 1
        v = base.t() if view == "transpose" else base[1:, :]
        other = o.t() if view == "transpose" else o[1:, :]
        if name in ("fill_diagonal_", "tril_", "addmm_") and view == "slice":  # square views for these
            other, v = o[1:, 1:], base[1:, 1:]
        version = (lambda t: t._version) if lib is torch else (lambda t: t._version[0])  # impl: a shared 1-list
        before = version(base)
        _ON_VIEWS[name](lib, v, other)
        bumps = version(base) - before
        base.backward(lib.tensor(g0))
        results[lib.__name__] = (base.detach().numpy().copy(), bumps, x.grad.numpy().copy(),
                                 None if o.grad is None else o.grad.numpy().copy())
    got, want = results["impl"], results["torch"]
    np.testing.assert_allclose(got[0], want[0], rtol=1e-7, atol=1e-7, err_msg=f"{name} on {view}: base values")
    assert got[1] == want[1], f"{name} on {view}: version bumped {got[1]} times, torch {want[1]}"
    np.testing.assert_allclose(got[2], want[2], rtol=1e-7, atol=1e-7, err_msg=f"{name} on {view}: x.grad")
    assert (got[3] is None) == (want[3] is None), f"{name} on {view}: o.grad presence"
    if want[3] is not None:
        np.testing.assert_allclose(got[3], want[3], rtol=1e-7, atol=1e-7, err_msg=f"{name} on {view}: o.grad")
