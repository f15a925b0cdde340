"""Shared by the saved-tensor entries (087-091): run an op in impl and torch, modify one tensor in place after the
forward (its values unchanged, only its version counter moves), then backward. torch's node raises at backward iff
it saved that tensor; impl must do the same, and where neither raises, give torch's gradients."""
import numpy as np

import impl
from regression._util import _torch, assert_close, to_np


def _bump(t):
    if t.is_floating_point():
        t.mul_(1)
    else:
        t.copy_(t.clone())


def _run(lib, fn, arrays, grad, edit):
    leaves, ins = [], []
    for i, a in enumerate(arrays):
        a = np.array(a, copy=True)
        t = lib.tensor(a) if lib is impl else lib.from_numpy(a)
        if i in grad:
            t.requires_grad_(True)
            leaves.append(t)
            t = t * 1  # a non-leaf, so that it may be modified in place
        ins.append(t)
    out = fn(lib, *ins)
    _bump(ins[edit] if isinstance(edit, int) else edit(ins, out))
    loss = out[0] if isinstance(out, tuple) else out
    try:
        (loss * lib.tensor(np.linspace(-1.0, 1.5, loss.numel()).reshape(tuple(loss.shape)))).sum().backward()
    except RuntimeError as e:
        return e
    return [to_np(t.grad) if t.grad is not None else None for t in leaves]


def edit_after_forward_like_torch(fn, arrays, edit, what, grad=(0,)):
    """``fn(lib, *inputs)`` returns the tensor to backward (or a tuple whose first item it is); ``edit`` is the
    position of the input modified in place after the forward, or ``edit(inputs, result)`` returning the tensor to
    modify (an output such as returned indices). The inputs at ``grad`` are non-leaf copies of leaves that require
    grad. impl must raise at backward iff torch does; otherwise its gradients must be torch's."""
    t = _run(_torch(), fn, arrays, grad, edit)
    i = _run(impl, fn, arrays, grad, edit)
    if isinstance(t, Exception) != isinstance(i, Exception):
        said = {True: "raised at backward", False: "ran"}
        raise AssertionError(f"[{what}] after the in-place edit torch {said[isinstance(t, Exception)]}; impl "
                             f"{said[isinstance(i, Exception)]}" + (f" ({i})" if isinstance(i, Exception) else ""))
    if not isinstance(t, Exception):
        for k, (a, e) in enumerate(zip(i, t)):
            if a is None or e is None:
                assert a is None and e is None, f"[{what}] gradient {k}: impl {a is not None}, torch {e is not None}"
                continue
            assert_close(a, e, f"{what}: gradient {k}", rtol=1e-6, atol=1e-8)
