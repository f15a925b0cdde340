"""Adamax: Adam with an infinity-norm second moment (torch.optim.Adamax)."""
import numpy as np

from .._tensor import Tensor
from . import _opmath as _op
from ._checks import check_betas, check_flags, check_lr, check_nonneg
from .optimizer import Optimizer, _bump_step, _hyper, _lerp_, _step_tensor


class Adamax(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_nonneg("epsilon", eps)
        check_betas(betas)
        check_nonneg("weight_decay", weight_decay)
        check_flags("Adamax", differentiable, capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, eps, wd = _hyper(group["lr"]), _hyper(group["eps"]), _hyper(group["weight_decay"])
        beta1, beta2 = (_hyper(b) for b in group["betas"])
        for p, g in self._params_with_grad(group):
            d = p._data
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _step_tensor()
                state["exp_avg"] = Tensor._wrap(np.zeros_like(d))
                state["exp_inf"] = Tensor._wrap(np.zeros_like(d))
            if group["maximize"]:
                g = -g
            step = _bump_step(state)
            if wd != 0:
                g = _op.added(g, d, wd)
            exp_avg, exp_inf = state["exp_avg"]._data, state["exp_inf"]._data
            _op.lerp_(exp_avg, g, 1 - beta1, _lerp_)
            _op.mul_(exp_inf, beta2)
            abs_g = np.array(np.abs(g), copy=True, subok=True)
            _op.add_scalar_(abs_g, eps)
            np.maximum(exp_inf, abs_g, out=exp_inf)
            clr = lr / (1 - beta1**step)
            _op.addcdiv_(d, exp_avg, exp_inf, -clr)  # (value * exp_avg) / exp_inf
            self._bump(p)
