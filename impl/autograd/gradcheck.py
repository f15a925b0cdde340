"""torch.autograd.gradcheck / gradgradcheck: compare analytical gradients with central finite differences.

As torch's default (slow) mode: the full Jacobian, numerically column by column (one perturbed input element at a
time) and analytically row by row (one VJP per output element). Use float64 inputs; returns True, or raises
``GradcheckError`` (a RuntimeError, as torch's) naming the output, the input and the worst element.
"""
from __future__ import annotations

import numpy as np

from .._autograd import grad as _grad
from .._tensor import Tensor


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(func, inputs):
    return [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor) and o._data.dtype.kind == "f"]


def _numerical(func, inputs, diff, eps):
    """[output][input] -> Jacobian block (out.size, in.size) by central differences."""
    outs = _outputs(func, inputs)
    blocks = [[np.zeros((o._data.size, inputs[i]._data.size)) for i in diff] for o in outs]
    for j, i in enumerate(diff):
        x = inputs[i]._data
        flat = x.reshape(-1)  # a view: perturb in place, restore after
        for e in range(flat.size):
            orig = flat[e]
            flat[e] = orig + eps
            plus = [o._data.astype(np.float64).ravel() for o in _outputs(func, inputs)]
            flat[e] = orig - eps
            minus = [o._data.astype(np.float64).ravel() for o in _outputs(func, inputs)]
            flat[e] = orig
            for k in range(len(outs)):
                blocks[k][j][:, e] = (plus[k] - minus[k]) / (2 * eps)
    return blocks


def _analytical(func, inputs, diff):
    outs = _outputs(func, inputs)
    blocks = [[np.zeros((o._data.size, inputs[i]._data.size)) for i in diff] for o in outs]
    wrt = [inputs[i] for i in diff]
    for k, o in enumerate(outs):
        if not o.requires_grad:
            continue
        flat = o.reshape(-1)
        for r in range(flat.shape[0]):
            gs = _grad(flat[r], wrt, retain_graph=True, allow_unused=True)
            for j, g in enumerate(gs):
                if g is not None:
                    blocks[k][j][r] = g._data.astype(np.float64).ravel()
    return blocks


def gradcheck(func, inputs, *, eps=1e-06, atol=1e-05, rtol=0.001, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True, fast_mode=False,
              masked=None):
    """True when every analytical Jacobian entry is within ``atol + rtol * |numerical|`` of the numerical one."""
    inputs = _as_tuple(inputs)
    diff = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    numerical = _numerical(func, inputs, diff, eps)
    analytical = _analytical(func, inputs, diff)
    for k, (nrow, arow) in enumerate(zip(numerical, analytical)):
        for j, (n, a) in enumerate(zip(nrow, arow)):
            bad = np.abs(a - n) > atol + rtol * np.abs(n)
            if bad.any():
                r, c = (int(v) for v in np.argwhere(bad)[0])
                msg = (f"Jacobian mismatch for output {k} with respect to input {diff[j]},\n"
                       f"numerical:{n[r, c]!r}\nanalytical:{a[r, c]!r}\n(at output element {r}, input element {c}; "
                       f"{int(bad.sum())} of {bad.size} entries out of tolerance)")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-06, atol=1e-05, rtol=0.001,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0, check_undefined_grad=True,
                  check_grad_dtypes=False, check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True,
                  fast_mode=False, masked=False):
    """gradcheck of the VJP function (inputs, grad_outputs) -> vjp(func, inputs)(grad_outputs): checks the second
    derivatives. Random ``grad_outputs`` (seeded) when none are given, as torch's."""
    inputs = _as_tuple(inputs)
    diff = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(Tensor._wrap(rng.standard_normal(o._data.shape).astype(o._data.dtype),
                                          requires_grad=True) for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def vjp(*args):
        xs, vs = args[:n], args[n:]
        ys = [o for o in _outputs(func, xs) if o.requires_grad]
        gs = _grad(ys, [xs[i] for i in diff], list(vs)[: len(ys)], create_graph=True, allow_unused=True)
        return tuple(g if g is not None else Tensor._wrap(np.zeros_like(xs[i]._data)) for g, i in zip(gs, diff))

    return gradcheck(vjp, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
