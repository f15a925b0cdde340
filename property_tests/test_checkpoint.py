"""The library under test's utils.checkpoint.checkpoint (impl's by default; reference.targets) against
torch.utils.checkpoint.checkpoint (use_reentrant=False), and against the library without checkpointing: values and every gradient of an MLP block, ``autograd.grad`` through it, a gradient
penalty (create_graph), several outputs, no_grad, and dropout under the preserved random state."""
import gc
import weakref

import numpy as np
import pytest
import torch
from torch.utils.checkpoint import checkpoint as torch_checkpoint

from reference import targets
from reference.conversion import to_numpy
from reference.module_twins import submodule
from reference.twins import copy_state_dict

pytestmark = [pytest.mark.modules]

T = targets.current()  # the library under test; torch is the oracle
lib = T.lib
lib_checkpoint = submodule(lib, "utils.checkpoint").checkpoint
# (the library, its checkpoint): the target first, then torch
SIDES = ((lib, lib_checkpoint), (torch, torch_checkpoint))

TOL = dict(rtol=1.3e-6, atol=1e-5)  # torch.testing.assert_close's float32 defaults


def _block(side, p=0.0):
    nn = side.nn
    return nn.Sequential(nn.Linear(6, 12), nn.Tanh(), nn.Dropout(p), nn.Linear(12, 6))


def _twins(p=0.0):
    torch.manual_seed(0)
    tm = _block(torch, p)
    im = _block(lib, p)
    copy_state_dict(tm, im)
    return im, tm  # in SIDES' order


def _x(side):
    a = np.random.default_rng(1).standard_normal((5, 6)).astype(np.float32)
    return side.tensor(a, requires_grad=True)


def _grads(m, x):
    return [to_numpy(x.grad)] + [to_numpy(q.grad) for q in m.parameters()]


def _run(side, checkpoint, m, checkpointed, **kw):
    x = _x(side)
    out = checkpoint(m, x, use_reentrant=False, **kw) if checkpointed else m(x)
    w = np.linspace(-1, 1, 30, dtype=np.float32).reshape(5, 6)
    (out * side.tensor(w)).sum().backward()
    return to_numpy(out), _grads(m, x)


def _assert_all_close(got, want, what):
    (go, gg), (wo, wg) = got, want
    np.testing.assert_allclose(go, wo, err_msg=f"{what}: output", **TOL)
    assert len(gg) == len(wg)
    for k, (a, b) in enumerate(zip(gg, wg)):
        np.testing.assert_allclose(a, b, err_msg=f"{what}: gradient {k} (0: the input, then the parameters)", **TOL)


def test_mlp_block_values_and_all_grads_match_torch_and_the_plain_run():
    im, tm = _twins()
    want = _run(torch, torch_checkpoint, tm, True)
    tm.zero_grad()
    assert all(np.allclose(a, b) for a, b in zip(want[1], _run(torch, torch_checkpoint, tm, False)[1])), (
        "torch reference inconsistent")
    got = _run(lib, lib_checkpoint, im, True)
    _assert_all_close(got, want, f"{T.name} checkpoint vs torch checkpoint")
    im.zero_grad()
    _assert_all_close(_run(lib, lib_checkpoint, im, False), got, f"{T.name} plain vs {T.name} checkpoint")


def test_dropout_mask_is_preserved_for_the_recomputation():
    """With dropout, the recomputation draws the forward's mask (preserve_rng_state): the checkpointed run equals
    the plain run from the same seed, in the target as in torch, and the random state after backward is the plain
    run's."""
    for (side, checkpoint), m in zip(SIDES, _twins(p=0.5)):
        side.manual_seed(7)
        plain = _run(side, checkpoint, m, False)
        after_plain = to_numpy(side.rand(3))
        m.zero_grad()
        side.manual_seed(7)
        ckpt = _run(side, checkpoint, m, True)
        after_ckpt = to_numpy(side.rand(3))
        _assert_all_close(ckpt, plain, f"{side.__name__}: checkpointed vs plain run with dropout")
        np.testing.assert_array_equal(after_ckpt, after_plain, err_msg=f"{side.__name__}: random state after backward")


def test_dropout_without_preserved_state_draws_a_new_mask():
    """preserve_rng_state=False: the recomputation draws a fresh mask, so the gradients differ from the plain run
    (as torch's)."""
    differs = []
    for (side, checkpoint), m in zip(SIDES, _twins(p=0.5)):
        side.manual_seed(7)
        plain = _run(side, checkpoint, m, False)
        m.zero_grad()
        side.manual_seed(7)
        ckpt = _run(side, checkpoint, m, True, preserve_rng_state=False)
        np.testing.assert_allclose(ckpt[0], plain[0], err_msg=f"{side.__name__}: the forward is the plain one", **TOL)
        differs.append(not all(np.allclose(a, b) for a, b in zip(ckpt[1], plain[1])))
    assert differs == [True, True], f"gradients differ from the plain run ({T.name}, torch): {differs}"


def test_autograd_grad_and_gradient_penalty_through_checkpoint():
    res = []
    for (side, checkpoint), m in zip(SIDES, _twins()):
        x = _x(side)
        out = checkpoint(m, x, use_reentrant=False)
        params = list(m.parameters())
        gs = side.autograd.grad((out * out).sum(), [x, *params], create_graph=True)
        penalty = sum((g * g).sum() for g in gs)
        penalty.backward()
        res.append([to_numpy(g) for g in gs] + _grads(m, x))
    for k, (a, b) in enumerate(zip(*res)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5, err_msg=f"item {k} (first-order grads, then the "
                                   "penalty's grads); float32 second derivatives through tanh: 1e-5 relative")


def test_several_outputs_one_unused_and_no_grad():
    res = []
    for side, fn in SIDES:
        x = _x(side)
        a, b, n = fn(lambda t: (t.exp(), (t * t).sum(1), 3), x, use_reentrant=False)
        assert n == 3
        (a.sum() + b.sum()).backward()
        g_both = to_numpy(x.grad)
        x.grad = None
        a2, _, _ = fn(lambda t: (t.tanh(), t.sum(0), 0), x, use_reentrant=False)
        a2.sum().backward()
        with side.no_grad():
            c = fn(lambda t: t * 2, x, use_reentrant=False)
        res.append((g_both, to_numpy(x.grad), c.requires_grad, c.grad_fn is None))
    for k, (a, b) in enumerate(zip(*res)):
        np.testing.assert_allclose(a, b, err_msg=f"item {k}", **TOL)


def test_intermediate_tensors_are_not_kept():
    for side, fn in SIDES:
        refs = []

        def f(t, refs=refs):
            h = t.exp()
            refs.append(weakref.ref(h))
            return (h * t).sum()

        x = _x(side)
        loss = fn(f, x, use_reentrant=False)
        gc.collect()
        assert refs[0]() is None, f"{side.__name__}: the checkpointed forward kept an intermediate tensor"
        loss.backward()
        xv = to_numpy(x)
        np.testing.assert_allclose(to_numpy(x.grad), np.exp(xv) * (1 + xv), **TOL)
