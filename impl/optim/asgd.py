"""ASGD: averaged stochastic gradient descent (torch.optim.ASGD).

As torch's, the step size ``eta`` and the averaging coefficient ``mu`` are 0-d float32 state tensors, and the
running average ``ax`` is a plain copy of the parameter until step ``t0`` has passed (``mu == 1``).
"""
import numpy as np

from .._tensor import Tensor
from . import _opmath as _op
from ._checks import check_flags, check_lr, check_nonneg
from .optimizer import Optimizer, _bump_step, _hyper, _step_tensor


class ASGD(Optimizer):
    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_nonneg("weight_decay", weight_decay)
        check_flags("ASGD", differentiable, capturable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, lambd, alpha, t0, wd = (_hyper(group[k]) for k in ("lr", "lambd", "alpha", "t0", "weight_decay"))
        for p, g in self._params_with_grad(group):
            d = p._data
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _step_tensor()
                state["eta"] = _step_tensor(lr)
                state["mu"] = _step_tensor(1.0)
                state["ax"] = Tensor._wrap(np.zeros_like(d))
            if group["maximize"]:
                g = -g
            step = _bump_step(state)
            if wd != 0:
                g = _op.added(g, d, wd)
            eta_t, mu_t, ax = state["eta"], state["mu"], state["ax"]._data
            eta = float(eta_t._data)
            _op.mul_(d, 1 - lambd * eta)  # decay term
            _op.add_(d, g, -eta)
            if float(mu_t._data) != 1:
                diff = d - ax
                diff *= mu_t._data.astype(d.dtype)  # the 0-d float32 mu joins the parameter's dtype
                ax += diff
            else:
                ax[...] = d
            eta_t._data[...] = np.float32(lr / ((1 + lambd * lr * step) ** alpha))
            mu_t._data[...] = np.float32(1 / max(1, step - t0))
            eta_t._version[0] += 1
            mu_t._version[0] += 1
            self._bump(p)
