"""Engine semantics, each checked against torch where torch defines the answer.

Accumulation (across backward calls, x*x, diamond graphs), retain_graph and the freed-graph error, the
non-scalar backward error, autograd.grad, retain_grad, no_grad / enable_grad / set_grad_enabled, detach and
requires_grad_, the version counter, in-place on a leaf that requires grad, a 100,000-op chain, and torch's
dtype promotion (Python scalars don't promote float32).
"""
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import impl
from reference.assertions import assert_close
from reference.strategies import broadcast_shapes, rng_of

pytestmark = pytest.mark.impl_only(reason="about impl itself: engine mechanics of impl's autograd (impl/_autograd.py), compared with torch case by case")

F64 = dict(rtol=1e-12, atol=1e-12)


def pair(a, requires_grad=True):
    a = np.asarray(a, dtype=np.float64)
    return impl.tensor(a.copy(), requires_grad=requires_grad), torch.tensor(a.copy(), requires_grad=requires_grad)


def grads_close(ti, tt):
    assert_close(ti.grad, tt.grad, check="grad", **F64)


# ---- accumulation ------------------------------------------------------------------------------
@given(data=st.data())
def test_accumulates_across_backward_calls(data):
    r = rng_of(data.draw)
    xi, xt = pair(r.standard_normal((3, 2)))
    ci = r.standard_normal((3, 2))
    for lib, x in ((impl, xi), (torch, xt)):
        (x * x).sum().backward()
        (x.exp() * lib.tensor(ci)).sum().backward()
    grads_close(xi, xt)


def test_x_times_x_and_reuse():
    xi, xt = pair([1.5, -2.0, 0.25])
    for x in (xi, xt):
        y = x * x + x * x * x  # the same tensor twice in one op and again in another
        y.sum().backward()
    grads_close(xi, xt)
    np.testing.assert_allclose(xi.grad.numpy(), 2 * np.array([1.5, -2.0, 0.25]) + 3 * np.array([1.5, -2.0, 0.25]) ** 2)


def test_diamond_graph():
    """a -> (b, c) -> d: both paths reach a; a's gradient is their sum."""
    ai, at = pair([[0.5, -1.0], [2.0, 0.1]])
    g = np.array([[1.0, -2.0], [0.5, 3.0]])
    for lib, a in ((impl, ai), (torch, at)):
        b, c = a.sin(), a.exp()
        d = b * c + b / (c + 1)
        d.backward(lib.tensor(g))
    grads_close(ai, at)


def test_deep_diamond_shares_work():
    """64 stacked diamonds: without memoised accumulation this would be 2**64 paths."""
    xi, xt = pair([0.3])
    for x in (xi, xt):
        y = x
        for _ in range(64):
            y = (y * 0.5 + y * 0.5).tanh()
        y.sum().backward()
    grads_close(xi, xt)


# ---- graph lifetime ----------------------------------------------------------------------------
def test_retain_graph_allows_second_backward():
    xi, xt = pair([1.0, 2.0, 3.0])
    for x in (xi, xt):
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
    grads_close(xi, xt)


def test_second_backward_through_freed_graph_raises():
    xi, xt = pair([1.0, 2.0])
    for x in (xi, xt):
        y = (x.sigmoid() * x).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()


def test_non_scalar_backward_needs_gradient():
    xi, xt = pair([[1.0, 2.0]])
    for x in (xi, xt):
        with pytest.raises(RuntimeError, match="can be implicitly created only for scalar outputs"):
            (x * 2).backward()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (xi * 2).backward(impl.ones(3))


def test_backward_on_tensor_without_grad_raises():
    for lib in (impl, torch):
        with pytest.raises(RuntimeError, match="does not require grad"):
            lib.ones(2).sum().backward()


# ---- autograd.grad and retain_grad --------------------------------------------------------------
@given(data=st.data())
def test_autograd_grad_matches_and_leaves_dot_grad_alone(data):
    r = rng_of(data.draw)
    sx, sy = data.draw(broadcast_shapes(2, min_side=1))
    xi, xt = pair(r.standard_normal(sx))
    yi, yt = pair(r.standard_normal(sy))
    out_shape = np.broadcast_shapes(sx, sy)
    ct = r.standard_normal(out_shape)
    gi = impl.autograd.grad((xi * yi).tanh(), (xi, yi), grad_outputs=impl.tensor(ct))
    gt = torch.autograd.grad((xt * yt).tanh(), (xt, yt), grad_outputs=torch.tensor(ct))
    for a, b in zip(gi, gt):
        assert_close(a, b, check="autograd.grad", **F64)
    assert xi.grad is None and yi.grad is None


def test_autograd_grad_retain_graph_and_unused():
    xi, xt = pair([1.0, -1.0])
    zi, zt = pair([3.0])
    for lib, x, z in ((impl, xi, zi), (torch, xt, zt)):
        y = (x * x).sum()
        (g1,) = lib.autograd.grad(y, x, retain_graph=True)
        (g2,) = lib.autograd.grad(y, [x])
        assert_close(g1, g2, check="retain_graph", **F64)
        with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
            lib.autograd.grad((x * 2).sum(), [x, z])
        assert lib.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)[1] is None


def test_retain_grad():
    xi, xt = pair([0.5, 1.5])
    res = []
    for x in (xi, xt):
        h = x.exp()
        h.retain_grad()
        assert h.retains_grad and not x.retains_grad
        k = h * h
        k.sum().backward()
        res.append(h.grad)
    assert_close(res[0], res[1], check="retain_grad", **F64)
    assert impl.exp(xi).grad is None  # not retained: no .grad on non-leaves


# ---- grad mode ---------------------------------------------------------------------------------
def test_no_grad_enable_grad_set_grad_enabled():
    xi, _ = pair([1.0])
    assert impl.is_grad_enabled()
    with impl.no_grad():
        assert not impl.is_grad_enabled()
        y = xi * 2
        with impl.enable_grad():
            assert impl.is_grad_enabled()
            z = xi * 2
        assert not impl.is_grad_enabled()
    assert impl.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None
    with impl.set_grad_enabled(False):
        assert not (xi * 2).requires_grad
    assert impl.is_grad_enabled()

    @impl.no_grad()
    def f(t):
        return t * 3

    assert not f(xi).requires_grad and impl.is_grad_enabled()


def test_no_grad_restores_mode_after_exception():
    with pytest.raises(ValueError), impl.no_grad():
        raise ValueError
    assert impl.is_grad_enabled()


def test_detach_requires_grad_and_leaves():
    xi, xt = pair([1.0, 2.0])
    for x in (xi, xt):
        y = x * 2
        d = y.detach()
        assert not d.requires_grad and d.is_leaf and d.grad_fn is None
        assert y.data.requires_grad is False
        assert not y.is_leaf and x.is_leaf
        w = y.detach()
        w.requires_grad_()
        assert w.requires_grad and w.is_leaf
        with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
            y.requires_grad_(False)
        v = x * 3
        v.detach_()
        assert not v.requires_grad and v.grad_fn is None
    for lib in (impl, torch):
        with pytest.raises(RuntimeError, match="(?i)only Tensors of floating point.*can require gradients"):
            lib.tensor([1, 2]).requires_grad_()
    # detach shares memory (and the version counter) with its source, as torch
    xi2 = impl.tensor([1.0, 2.0])
    d = xi2.detach()
    d.add_(1.0)
    assert xi2.tolist() == [2.0, 3.0]


# ---- in-place semantics ------------------------------------------------------------------------
def test_version_counter_detects_modified_saved_tensor():
    for lib in (impl, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        z = y * y  # saves y
        y.add_(1.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


def test_version_counter_bumps():
    x = impl.tensor([1.0, 2.0])
    v0 = x._version[0]
    x.add_(1)
    x.mul_(2)
    x[0] = 5.0
    assert x._version[0] == v0 + 3


def test_inplace_on_leaf_that_requires_grad_raises():
    for lib in (impl, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        for op in (lambda t: t.add_(1), lambda t: t.mul_(2), lambda t: t.zero_(), lambda t: t.__setitem__(0, 1.0)):
            with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
                op(x)
        with lib.no_grad():  # allowed under no_grad (how optimizers update parameters)
            x.add_(1)
        assert x.tolist() == [2.0, 3.0]


def test_inplace_result_gradient_matches_torch():
    xi, xt = pair([0.5, -1.0, 2.0])
    for lib, x in ((impl, xi), (torch, xt)):
        y = x * 1
        y.mul_(x).add_(3.0).clamp_(min=0.0)
        y.backward(lib.tensor([1.0, 2.0, -1.0], dtype=lib.float64))
    grads_close(xi, xt)


# ---- deep graphs -------------------------------------------------------------------------------
def test_100k_chain():
    """Iterative topological order: a 100,000-op chain neither recurses nor slows to a crawl."""
    x = impl.tensor([1.0], dtype=impl.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0000001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0000001 ** 100_000], rtol=1e-9)


# ---- dtype promotion ---------------------------------------------------------------------------
PROMOTION_CASES = [
    ("f32 + py float", lambda lib: lib.ones(2) + 2.5),
    ("f32 * py int", lambda lib: lib.ones(2) * 3),
    ("py float - f32", lambda lib: 1.5 - lib.ones(2)),
    ("f32 ** py float", lambda lib: lib.ones(2) ** 2.0),
    ("f32 + f64 0-d", lambda lib: lib.ones(2) + lib.tensor(1.0, dtype=lib.float64)),
    ("f32 0-d + f64 0-d", lambda lib: lib.tensor(1.0) + lib.tensor(1.0, dtype=lib.float64)),
    ("f32 + f64", lambda lib: lib.ones(2) + lib.ones(2, dtype=lib.float64)),
    ("f64 + py float", lambda lib: lib.ones(2, dtype=lib.float64) + 0.5),
    ("i64 + py float", lambda lib: lib.tensor([1, 2]) + 0.5),
    ("i64 * py int", lambda lib: lib.tensor([1, 2]) * 2),
    ("i64 / py int", lambda lib: lib.tensor([1, 2]) / 2),
    ("i64 + f32 0-d", lambda lib: lib.tensor([1, 2]) + lib.tensor(1.0)),
    ("i64 + f64 0-d", lambda lib: lib.tensor([1, 2]) + lib.tensor(1.0, dtype=lib.float64)),
    ("i64 0-d + f32", lambda lib: lib.tensor(3) + lib.ones(2)),
    ("bool + py int", lambda lib: lib.tensor([True, False]) + 1),
    ("bool + bool", lambda lib: lib.tensor([True, False]) + lib.tensor([True, True])),
    ("bool * py float", lambda lib: lib.tensor([True, False]) * 1.5),
    ("bool + i64", lambda lib: lib.tensor([True]) + lib.tensor([2])),
    ("f32 where f64 0-d", lambda lib: lib.where(lib.tensor([True, False]), lib.ones(2), lib.tensor(0.0, dtype=lib.float64))),
    ("cat f32 f64", lambda lib: lib.cat([lib.ones(2), lib.ones(2, dtype=lib.float64)])),
    ("i64 sum", lambda lib: lib.tensor([1, 2]).sum()),
    ("bool sum", lambda lib: lib.tensor([True, True]).sum()),
    ("f32 matmul f32", lambda lib: lib.ones(2, 2) @ lib.ones(2)),
]


@pytest.mark.parametrize("name,make", PROMOTION_CASES, ids=[n for n, _ in PROMOTION_CASES])
def test_dtype_promotion(name, make):
    a, b = make(impl), make(torch)
    assert a.dtype.name == str(b.dtype).removeprefix("torch."), f"{name}: impl {a.dtype} vs torch {b.dtype}"
    assert_close(a, b, check=name, rtol=0, atol=0)


def test_gradient_dtype_is_the_inputs_after_promotion():
    """A float32 leaf used in a float64 computation gets a float32 gradient (and vice versa), as torch."""
    for lib in (impl, torch):
        a = lib.ones(2, requires_grad=True)
        b = lib.ones(2, dtype=lib.float64, requires_grad=True)
        ((a * b) * b).sum().backward()
        assert str(a.grad.dtype).endswith("float32") and str(b.grad.dtype).endswith("float64")
