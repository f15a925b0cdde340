"""RAdam: Adam with a rectified adaptive learning rate (torch.optim.RAdam)."""
import numpy as np

from .._tensor import Tensor
from . import _opmath as _op
from ._checks import check_betas, check_flags, check_lr, check_nonneg
from .optimizer import Optimizer, _bump_step, _hyper, _lerp_, _step_tensor


class RAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_lr(lr)
        check_nonneg("epsilon", eps)
        check_betas(betas)
        check_nonneg("weight_decay", weight_decay)
        check_flags("RAdam", differentiable, capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
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
                state["exp_avg_sq"] = Tensor._wrap(np.zeros_like(d))
            if group["maximize"]:
                g = -g
            step = _bump_step(state)
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    _op.mul_(d, 1 - lr * wd)
                else:
                    g = _op.added(g, d, wd)
            exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
            _op.lerp_(exp_avg, g, 1 - beta1, _lerp_)
            _op.mul_(exp_avg_sq, beta2)
            _op.addcmul_(exp_avg_sq, g, g, 1 - beta2)  # ((1 - beta2) * g) * g
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            # the bias-corrected first moment, then * lr, as torch's expression
            upd = np.array(_op.divided(exp_avg, bias_correction1), copy=True, subok=True)
            _op.mul_(upd, lr)
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
            if rho_t > 5.0:
                # torch evaluates `scalar / tensor` as tensor.reciprocal() * scalar
                adaptive = np.array(np.reciprocal(_op.added_scalar(np.sqrt(exp_avg_sq), eps)), copy=True, subok=True)
                _op.mul_(adaptive, bias_correction2**0.5)
                upd *= adaptive
                _op.mul_(upd, ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5)
            d -= upd
            self._bump(p)
