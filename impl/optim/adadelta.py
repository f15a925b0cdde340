"""Adadelta: per-coordinate step sizes from running averages of squared gradients and updates
(torch.optim.Adadelta)."""
import numpy as np

from .._tensor import Tensor
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
                g = g + wd * d
            square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
            square_avg *= rho
            sq = (1 - rho) * g
            sq *= g
            square_avg += sq
            std = np.sqrt(square_avg + eps)
            delta = np.sqrt(acc_delta + eps)
            delta /= std
            delta *= g
            acc_delta *= rho
            sq = (1 - rho) * delta
            sq *= delta
            acc_delta += sq
            d += (-lr) * delta
            self._bump(p)
