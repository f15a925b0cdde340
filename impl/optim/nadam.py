"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule (torch.optim.NAdam)."""
import numpy as np

from .._tensor import Tensor
from . import _opmath as _op
from ._checks import check_betas, check_flags, check_lr, check_nonneg
from .optimizer import Optimizer, _bump_step, _hyper, _lerp_, _step_tensor


class NAdam(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr(lr)
        check_nonneg("epsilon", eps)
        check_betas(betas)
        check_nonneg("weight_decay", weight_decay)
        check_nonneg("momentum_decay", momentum_decay)
        check_flags("NAdam", differentiable, capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, eps, wd = _hyper(group["lr"]), _hyper(group["eps"]), _hyper(group["weight_decay"])
        beta1, beta2 = (_hyper(b) for b in group["betas"])
        momentum_decay = _hyper(group["momentum_decay"])
        for p, g in self._params_with_grad(group):
            d = p._data
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _step_tensor()
                # torch keeps the running product of the momentum coefficients as a 0-d float32 tensor
                state["mu_product"] = _step_tensor(1.0)
                state["exp_avg"] = Tensor._wrap(np.zeros_like(d))
                state["exp_avg_sq"] = Tensor._wrap(np.zeros_like(d))
            if group["maximize"]:
                g = -g
            step = _bump_step(state)
            bias_correction2 = 1 - beta2**step
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    _op.mul_(d, 1 - lr * wd)
                else:
                    g = _op.added(g, d, wd)
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
            mu_product_t = state["mu_product"]
            mu_product_t._data *= mu  # in the state tensor's own dtype, as torch's in-place mul_
            mu_product_t._version[0] += 1
            mu_product = float(mu_product_t._data)
            exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
            _op.lerp_(exp_avg, g, 1 - beta1, _lerp_)
            _op.mul_(exp_avg_sq, beta2)
            _op.addcmul_(exp_avg_sq, g, g, 1 - beta2)  # ((1 - beta2) * g) * g
            denom = np.array(np.sqrt(_op.divided(exp_avg_sq, bias_correction2)), copy=True, subok=True)
            _op.add_scalar_(denom, eps)
            mu_product_next = mu_product * mu_next
            # two addcdiv_: (value * t1) / denom each
            _op.addcdiv_(d, g, denom, -lr * (1.0 - mu) / (1.0 - mu_product))
            _op.addcdiv_(d, exp_avg, denom, (-lr * mu_next) / (1.0 - mu_product_next))
            self._bump(p)
