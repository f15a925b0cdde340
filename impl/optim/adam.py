"""Adam and AMSGrad, with L2 or decoupled weight decay (torch.optim.Adam; AdamW lives in adamw.py)."""
import numpy as np

from .._tensor import Tensor
from ..ops._common import is_low_precision
from . import _opmath as _op
from ._checks import check_flags, check_lr
from .optimizer import Optimizer, _bump_step, _hyper, _lerp_, _step_tensor


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        check_flags(type(self).__name__, differentiable, capturable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, eps, wd = _hyper(group["lr"]), _hyper(group["eps"]), _hyper(group["weight_decay"])
        beta1, beta2 = (_hyper(b) for b in group["betas"])
        amsgrad, maximize, decoupled = group["amsgrad"], group["maximize"], group["decoupled_weight_decay"]
        for p, g in self._params_with_grad(group):
            d = p._data
            state = self.state[p]
            if len(state) == 0:  # lazy initialisation, keys in torch's order
                state["step"] = _step_tensor()
                state["exp_avg"] = Tensor._wrap(np.zeros_like(d))
                state["exp_avg_sq"] = Tensor._wrap(np.zeros_like(d))
                if amsgrad:
                    state["max_exp_avg_sq"] = Tensor._wrap(np.zeros_like(d))
            if maximize:
                g = -g
            step = _bump_step(state)
            if wd != 0:
                if decoupled:
                    _op.mul_(d, 1 - lr * wd)
                else:
                    g = _op.added(g, d, wd)
            exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
            if is_low_precision(exp_avg):
                _op.lerp_low_(exp_avg, g, 1 - beta1)
            else:
                _lerp_(exp_avg, g, 1 - beta1)
            _op.mul_(exp_avg_sq, beta2)
            _op.addcmul_(exp_avg_sq, g, g, 1 - beta2)  # ((1 - beta2) * g) * g, temporaries updated in place
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2**0.5
            if amsgrad:
                mx = state["max_exp_avg_sq"]._data
                np.maximum(mx, exp_avg_sq, out=mx)
                denom = np.asanyarray(np.sqrt(mx))  # an array (0-d too): updated in place below
            else:
                denom = np.asanyarray(np.sqrt(exp_avg_sq))
            _op.div_(denom, bias_correction2_sqrt)  # sqrt(v) / bias_correction2_sqrt + eps
            _op.add_scalar_(denom, eps)
            _op.addcdiv_(d, exp_avg, denom, -step_size)  # ((-step_size) * exp_avg) / denom
            self._bump(p)
