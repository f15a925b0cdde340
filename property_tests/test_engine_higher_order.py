"""Engine semantics of higher-order gradients, each checked against torch doing the same thing.

Gradients of gradients to third order, `.grad` accumulation under ``backward(create_graph=True)``, ``retain_graph``
defaulting to ``create_graph``, the freed-graph error after a second-order pass, ``no_grad`` around a
``create_graph`` backward, the higher-order graph being freed (no tensors kept alive), the nine everyday uses of
second derivatives (double backward of x**3, a gradient penalty on an MLP, an HVP of softmax cross-entropy, a
gradient penalty through conv2d + layer_norm + softmax, jacobian, hessian, vjp/jvp, hvp, forward_ad dual numbers).
"""
import gc
import weakref

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import impl
import impl.nn.functional as IF
from reference.assertions import assert_close

pytestmark = pytest.mark.impl_only(reason="about impl itself: engine mechanics of impl's higher-order autograd, compared with torch case by case")

F64 = dict(rtol=1e-10, atol=1e-10)


def pair(a, requires_grad=True):
    a = np.asarray(a, dtype=np.float64)
    return impl.tensor(a.copy(), requires_grad=requires_grad), torch.tensor(a.copy(), requires_grad=requires_grad)


def close(a, b, what, **tol):
    assert_close(a, b, check=what, **(tol or F64))


def test_third_order_of_a_cube():
    xi, xt = pair([0.5, -1.5, 2.0])
    results = {}
    for lib, x in ((impl, xi), (torch, xt)):
        y = (x * x * x).sum()
        (g1,) = lib.autograd.grad(y, x, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), x)
        results[lib.__name__] = (g1, g2, g3)
    for a, b, n in zip(results["impl"], results["torch"], ("first", "second", "third")):
        close(a, b, f"{n} derivative of x**3")
    np.testing.assert_allclose(results["impl"][2].numpy(), 6.0)  # d3/dx3 x^3 = 6, independently of torch


def test_backward_create_graph_accumulates_a_graph_connected_grad():
    xi, xt = pair([0.3, -0.7])
    for x in (xi, xt):
        (x.tanh() * x).sum().backward(create_graph=True)
        assert x.grad.requires_grad and x.grad.grad_fn is not None
        (x.sin() * x).sum().backward(create_graph=True)  # accumulates into .grad, out of place
        x.grad.sum().backward()  # the gradient of the accumulated gradient also lands in .grad
    close(xi.grad, xt.grad, "grad after accumulating first and second order")


def test_retain_graph_defaults_to_create_graph_and_freeing_raises_after():
    for lib in (impl, torch):
        x = lib.tensor([0.4, 1.1], dtype=lib.float64, requires_grad=True)
        y = (x.exp() * x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)  # retains the graph by default
        lib.autograd.grad(y, x)  # so a second pass works ...
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            lib.autograd.grad(y, x)  # ... and that one freed it
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            lib.autograd.grad(g.sum(), x)  # the gradient's graph runs through the freed forward graph


def test_no_grad_around_a_create_graph_backward_matches_torch():
    results = {}
    for lib in (impl, torch):
        x = lib.tensor([0.4, -1.1], dtype=lib.float64, requires_grad=True)
        y = (x * x * x).sum()
        with lib.no_grad():
            (g,) = lib.autograd.grad(y, x, create_graph=True)
        results[lib.__name__] = (g.requires_grad, g.grad_fn is not None)
    assert results["impl"] == results["torch"], results


def test_higher_order_graph_is_freed():
    x = impl.tensor(np.linspace(-1, 1, 5), requires_grad=True)
    y = (x.tanh() * x.exp()).sum()
    (g,) = impl.autograd.grad(y, x, create_graph=True)
    probe = weakref.ref(g.grad_fn)
    (h,) = impl.autograd.grad(g.sum(), x)
    del g, y
    gc.collect()
    assert probe() is None, "the graph of the first backward outlived every reference to it"
    assert h.grad_fn is None and not h.requires_grad


# ---- the nine everyday uses ----------------------------------------------------------------------
def _mlp(lib, w1, b1, w2, x):
    return (lib.tanh(x @ w1 + b1) @ w2).sum(dim=1)


def test_gradient_penalty_on_an_mlp():
    rng = np.random.default_rng(0)
    arrs = [rng.standard_normal(s) for s in ((4, 8), (8,), (8, 3), (5, 4))]
    res = {}
    for lib in (impl, torch):
        w1, b1, w2, x = (lib.tensor(a, requires_grad=True) for a in arrs)
        out = _mlp(lib, w1, b1, w2, x)
        (gx,) = lib.autograd.grad(out.sum(), x, create_graph=True)
        penalty = ((gx.pow(2).sum(dim=1).sqrt() - 1) ** 2).mean()
        penalty.backward()
        res[lib.__name__] = [penalty] + [t.grad for t in (w1, b1, w2, x)]
    for a, b in zip(res["impl"], res["torch"]):
        close(a, b, "gradient penalty and its parameter gradients")


def test_hvp_of_softmax_cross_entropy():
    rng = np.random.default_rng(1)
    logits, v = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    target = np.array([0, 3, 1, 4])
    res = {}
    for lib in (impl, torch):
        f = (IF if lib is impl else torch.nn.functional)
        z = lib.tensor(logits, requires_grad=True)
        loss = f.cross_entropy(z, lib.tensor(target))
        (g,) = lib.autograd.grad(loss, z, create_graph=True)
        (hv,) = lib.autograd.grad((g * lib.tensor(v)).sum(), z)
        res[lib.__name__] = hv
    close(res["impl"], res["torch"], "Hessian-vector product of cross_entropy")


def test_gradient_penalty_through_conv_layer_norm_softmax():
    rng = np.random.default_rng(2)
    x_, w_ = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3))
    res = {}
    for lib in (impl, torch):
        f = (IF if lib is impl else torch.nn.functional)
        x, w = lib.tensor(x_, requires_grad=True), lib.tensor(w_, requires_grad=True)
        h = f.conv2d(x, w, padding=1)
        h = f.layer_norm(h, (6, 6))
        out = f.softmax(h.flatten(1), dim=-1)
        score = (out * lib.arange(out.shape[1], dtype=lib.float64)).sum()
        (gx,) = lib.autograd.grad(score, x, create_graph=True)
        penalty = (gx * gx).sum()
        penalty.backward()
        res[lib.__name__] = (penalty, x.grad, w.grad)
    for a, b in zip(res["impl"], res["torch"]):
        close(a, b, "conv2d + layer_norm + softmax gradient penalty", rtol=1e-8, atol=1e-10)


def _f(lib):
    return lambda a, b: (a * b).exp().sum() + (a * a * b).sum()


@pytest.mark.parametrize("which", ["jacobian", "hessian"])
def test_jacobian_and_hessian(which):
    x, y = np.array([0.3, -1.2, 2.0]), np.array([0.5, 0.1, -0.7])
    fi = getattr(impl.autograd.functional, which)
    ft = getattr(torch.autograd.functional, which)
    if which == "jacobian":
        ri = fi(lambda a, b: (a * b).exp(), (impl.tensor(x), impl.tensor(y)))
        rt = ft(lambda a, b: (a * b).exp(), (torch.tensor(x), torch.tensor(y)))
        pairs = list(zip(ri, rt))
    else:
        ri = fi(_f(impl), (impl.tensor(x), impl.tensor(y)))
        rt = ft(_f(torch), (torch.tensor(x), torch.tensor(y)))
        pairs = [(a, b) for ra, rb in zip(ri, rt) for a, b in zip(ra, rb)]
    assert len(pairs) == (2 if which == "jacobian" else 4)
    for a, b in pairs:
        close(a, b, which)


def test_hessian_of_a_single_input_is_one_block():
    x = np.array([0.3, -1.2, 2.0])
    hi = impl.autograd.functional.hessian(lambda a: (a * a).exp().sum(), impl.tensor(x))
    ht = torch.autograd.functional.hessian(lambda a: (a * a).exp().sum(), torch.tensor(x))
    close(hi, ht, "hessian of one input")


@pytest.mark.parametrize("which", ["vjp", "jvp", "vhp", "hvp"])
def test_vector_products(which):
    x, v = np.array([0.3, -1.2, 2.0]), np.array([1.0, -2.0, 0.5])
    scalar = which in ("vhp", "hvp")
    fi = (lambda a: (a * a).exp().sum()) if scalar else (lambda a: (a * a).exp() * a)
    ri = getattr(impl.autograd.functional, which)(fi, impl.tensor(x), impl.tensor(v))
    rt = getattr(torch.autograd.functional, which)(fi, torch.tensor(x), torch.tensor(v))
    close(ri[0], rt[0], f"{which} output")
    close(ri[1], rt[1], which)


def test_forward_ad_dual_numbers():
    x, t = np.array([0.3, -1.2, 2.0]), np.array([1.0, -2.0, 0.5])
    out = {}
    for lib in (impl, torch):
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            d = fw.make_dual(lib.tensor(x), lib.tensor(t))
            y = (d * d).exp().sin() / (1 + d.tanh())
            p, tan = fw.unpack_dual(y)
            out[lib.__name__] = (p, tan)
    close(out["impl"][0], out["torch"][0], "primal")
    close(out["impl"][1], out["torch"][1], "tangent")


# ---- autograd.functional on drawn functions ---------------------------------------------------------
_UNARY = {"tanh": lambda lib, a: a.tanh(), "sin": lambda lib, a: a.sin(), "exp": lambda lib, a: (a * 0.5).exp(),
          "square": lambda lib, a: a * a, "sigmoid": lambda lib, a: a.sigmoid(), "softplus": lambda lib, a: (a.exp() + 1).log()}


def _drawn(ops, mix):
    """f(a, b) = sum over the chain of ops applied to a * b + mix * a: an elementwise chain with a coupling."""
    def f(lib, a, b):
        h = a * b + a * mix
        for name in ops:
            h = _UNARY[name](lib, h)
        return h

    return f


def _functional(lib, which, f, a, b, v):
    fn = getattr(lib.autograd.functional, which)
    x, y = lib.tensor(a), lib.tensor(b)
    if which == "jacobian":
        return fn(lambda p, q: f(lib, p, q), (x, y))
    if which == "hessian":
        return [blk for row in fn(lambda p, q: f(lib, p, q).sum(), (x, y)) for blk in row]
    if which in ("vjp", "jvp"):
        return fn(lambda p: f(lib, p, y), x, lib.tensor(v))
    return fn(lambda p: f(lib, p, y).sum(), x, lib.tensor(v))


@given(ops=st.lists(st.sampled_from(sorted(_UNARY)), min_size=1, max_size=3), n=st.integers(1, 4),
       mix=st.floats(-1, 1), seed=st.integers(0, 2**16),
       which=st.sampled_from(["jacobian", "hessian", "vjp", "jvp", "vhp", "hvp"]))
@settings(max_examples=20)
def test_autograd_functional_on_drawn_functions(ops, n, mix, seed, which):
    rng = np.random.default_rng(seed)
    a, b, v = rng.standard_normal(n), rng.standard_normal(n), rng.standard_normal(n)
    f = _drawn(ops, mix)
    res = {lib.__name__: _functional(lib, which, f, a, b, v) for lib in (impl, torch)}
    for k, (p, q) in enumerate(zip(res["impl"], res["torch"])):
        close(p, q, f"{which} of {ops} (part {k})")
