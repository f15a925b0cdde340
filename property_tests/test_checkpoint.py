"""impl.utils.checkpoint.checkpoint against torch.utils.checkpoint.checkpoint (use_reentrant=False), and against
impl without checkpointing: values and every gradient of an MLP block, ``autograd.grad`` through it, a gradient
penalty (create_graph), several outputs, no_grad, and dropout under the preserved random state."""
import gc
import weakref

import numpy as np
import pytest
import torch
from torch.utils.checkpoint import checkpoint as torch_checkpoint

import impl
from impl.utils.checkpoint import checkpoint as impl_checkpoint
from reference.twins import copy_state_dict

pytestmark = [pytest.mark.modules,
              pytest.mark.impl_only(reason="not yet routed through reference.targets: runs impl and torch side by side")]

TOL = dict(rtol=1.3e-6, atol=1e-5)  # torch.testing.assert_close's float32 defaults


def _block(lib, p=0.0):
    nn = lib.nn
    return nn.Sequential(nn.Linear(6, 12), nn.Tanh(), nn.Dropout(p), nn.Linear(12, 6))


def _twins(p=0.0):
    torch.manual_seed(0)
    tm = _block(torch, p)
    im = _block(impl, p)
    copy_state_dict(tm, im)
    return tm, im


def _x(lib):
    a = np.random.default_rng(1).standard_normal((5, 6)).astype(np.float32)
    return lib.tensor(a, requires_grad=True)


def _grads(m, x):
    return [x.grad.numpy()] + [q.grad.numpy() for q in m.parameters()]


def _run(lib, m, checkpointed, **kw):
    x = _x(lib)
    fn = (torch_checkpoint if lib is torch else impl_checkpoint) if checkpointed else None
    out = fn(m, x, use_reentrant=False, **kw) if fn else m(x)
    w = np.linspace(-1, 1, 30, dtype=np.float32).reshape(5, 6)
    (out * lib.tensor(w)).sum().backward()
    return out.detach().numpy(), _grads(m, x)


def _assert_all_close(got, want, what):
    (go, gg), (wo, wg) = got, want
    np.testing.assert_allclose(go, wo, err_msg=f"{what}: output", **TOL)
    assert len(gg) == len(wg)
    for k, (a, b) in enumerate(zip(gg, wg)):
        np.testing.assert_allclose(a, b, err_msg=f"{what}: gradient {k} (0: the input, then the parameters)", **TOL)


def test_mlp_block_values_and_all_grads_match_torch_and_the_plain_run():
    tm, im = _twins()
    want = _run(torch, tm, True)
    tm.zero_grad()
    assert all(np.allclose(a, b) for a, b in zip(want[1], _run(torch, tm, False)[1])), "torch reference inconsistent"
    got = _run(impl, im, True)
    _assert_all_close(got, want, "impl checkpoint vs torch checkpoint")
    im.zero_grad()
    _assert_all_close(_run(impl, im, False), got, "impl plain vs impl checkpoint")


def test_dropout_mask_is_preserved_for_the_recomputation():
    """With dropout, the recomputation draws the forward's mask (preserve_rng_state): the checkpointed run equals
    the plain run from the same seed, in impl as in torch, and the random state after backward is the plain run's."""
    for lib, m in zip((torch, impl), _twins(p=0.5)):
        lib.manual_seed(7)
        plain = _run(lib, m, False)
        after_plain = lib.rand(3).numpy()
        m.zero_grad()
        lib.manual_seed(7)
        ckpt = _run(lib, m, True)
        after_ckpt = lib.rand(3).numpy()
        _assert_all_close(ckpt, plain, f"{lib.__name__}: checkpointed vs plain run with dropout")
        np.testing.assert_array_equal(after_ckpt, after_plain, err_msg=f"{lib.__name__}: random state after backward")


def test_dropout_without_preserved_state_draws_a_new_mask():
    """preserve_rng_state=False: the recomputation draws a fresh mask, so the gradients differ from the plain run
    (as torch's)."""
    differs = {}
    for lib, m in zip((torch, impl), _twins(p=0.5)):
        lib.manual_seed(7)
        plain = _run(lib, m, False)
        m.zero_grad()
        lib.manual_seed(7)
        ckpt = _run(lib, m, True, preserve_rng_state=False)
        np.testing.assert_allclose(ckpt[0], plain[0], err_msg=f"{lib.__name__}: the forward is the plain one", **TOL)
        differs[lib.__name__] = not all(np.allclose(a, b) for a, b in zip(ckpt[1], plain[1]))
    assert differs == {"torch": True, "impl": True}, differs


def test_autograd_grad_and_gradient_penalty_through_checkpoint():
    res = {}
    for lib, m in zip((torch, impl), _twins()):
        fn = torch_checkpoint if lib is torch else impl_checkpoint
        x = _x(lib)
        out = fn(m, x, use_reentrant=False)
        params = list(m.parameters())
        gs = lib.autograd.grad((out * out).sum(), [x, *params], create_graph=True)
        penalty = sum((g * g).sum() for g in gs)
        penalty.backward()
        res[lib.__name__] = [g.detach().numpy() for g in gs] + _grads(m, x)
    for k, (a, b) in enumerate(zip(res["impl"], res["torch"])):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5, err_msg=f"item {k} (first-order grads, then the "
                                   "penalty's grads); float32 second derivatives through tanh: 1e-5 relative")


def test_several_outputs_one_unused_and_no_grad():
    res = {}
    for lib in (torch, impl):
        fn = torch_checkpoint if lib is torch else impl_checkpoint
        x = _x(lib)
        a, b, n = fn(lambda t: (t.exp(), (t * t).sum(1), 3), x, use_reentrant=False)
        assert n == 3
        (a.sum() + b.sum()).backward()
        g_both = x.grad.numpy().copy()
        x.grad = None
        a2, _, _ = fn(lambda t: (t.tanh(), t.sum(0), 0), x, use_reentrant=False)
        a2.sum().backward()
        with lib.no_grad():
            c = fn(lambda t: t * 2, x, use_reentrant=False)
        res[lib.__name__] = (g_both, x.grad.numpy(), c.requires_grad, c.grad_fn is None)
    for k, (a, b) in enumerate(zip(res["impl"], res["torch"])):
        np.testing.assert_allclose(a, b, err_msg=f"item {k}", **TOL)


def test_intermediate_tensors_are_not_kept():
    for lib in (torch, impl):
        fn = torch_checkpoint if lib is torch else impl_checkpoint
        refs = []

        def f(t, refs=refs):
            h = t.exp()
            refs.append(weakref.ref(h))
            return (h * t).sum()

        x = _x(lib)
        loss = fn(f, x, use_reentrant=False)
        gc.collect()
        assert refs[0]() is None, f"{lib.__name__}: the checkpointed forward kept an intermediate tensor"
        loss.backward()
        np.testing.assert_allclose(x.grad.numpy(), (np.exp(x.detach().numpy()) * (1 + x.detach().numpy())), **TOL)
