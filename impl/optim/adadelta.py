"""Adadelta: per-coordinate step sizes from running averages of squared gradients and updates
(torch.optim.Adadelta)."""
import numpy as np

from .._tensor import Tensor
from . import _opmath as _op
from ._checks import check_flags, check_lr, check_nonneg
from .optimizer import Optimizer, _bump_step, _hyper, _step_tensor


class Adadelta(Optimizer):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonneg("epsilon", eps)
        check_nonneg("weight_decay", weight_decay)
        check_flags("Adadelta", differentiable, capturable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, rho, eps, wd = (_hyper(group[k]) for k in ("lr", "rho", "eps", "weight_decay"))
        for p, g in self._params_with_grad(group):
            d = p._data
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _step_tensor()
                state["square_avg"] = Tensor._wrap(np.zeros_like(d))
                state["acc_delta"] = Tensor._wrap(np.zeros_like(d))
            _bump_step(state)
            if group["maximize"]:
                g = -g
            if wd != 0:
                g = _op.added(g, d, wd)
            square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
            _op.mul_(square_avg, rho)
            _op.addcmul_(square_avg, g, g, 1 - rho)  # ((1 - rho) * g) * g
            std = np.sqrt(_op.added_scalar(square_avg, eps))
            delta = np.sqrt(_op.added_scalar(acc_delta, eps))
            delta /= std
            delta *= g
            _op.mul_(acc_delta, rho)
            _op.addcmul_(acc_delta, delta, delta, 1 - rho)
            _op.add_(d, delta, -lr)
            self._bump(p)
