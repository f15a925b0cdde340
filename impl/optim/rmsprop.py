"""RMSprop with momentum, centering, weight decay and maximize (torch.optim.RMSprop)."""
import numpy as np

from .._tensor import Tensor
from ._checks import check_flags, check_lr, check_nonneg
from .optimizer import Optimizer, _bump_step, _hyper, _lerp_, _step_tensor


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        check_nonneg("epsilon", eps)
        check_nonneg("momentum", momentum)
        check_nonneg("weight_decay", weight_decay)
        check_nonneg("alpha", alpha)
        check_flags("RMSprop", differentiable, capturable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, alpha, eps = _hyper(group["lr"]), _hyper(group["alpha"]), _hyper(group["eps"])
        wd, momentum = _hyper(group["weight_decay"]), _hyper(group["momentum"])
        centered, maximize = group["centered"], group["maximize"]
        for p, g in self._params_with_grad(group):
            d = p._data
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _step_tensor()
                state["square_avg"] = Tensor._wrap(np.zeros_like(d))
                if group["momentum"] > 0:
                    state["momentum_buffer"] = Tensor._wrap(np.zeros_like(d))
                if centered:
                    state["grad_avg"] = Tensor._wrap(np.zeros_like(d))
            if maximize:
                g = -g
            _bump_step(state)
            if wd != 0:
                g = g + wd * d
            square_avg = state["square_avg"]._data
            square_avg *= alpha
            square_avg += ((1 - alpha) * g) * g
            if centered:
                grad_avg = state["grad_avg"]._data
                _lerp_(grad_avg, g, 1 - alpha)
                avg = np.sqrt(square_avg - grad_avg * grad_avg)
            else:
                avg = np.sqrt(square_avg)
            avg = avg + eps
            if momentum > 0:
                buf = state["momentum_buffer"]._data
                buf *= momentum
                buf += g / avg
                d += (-lr) * buf
            else:
                d += ((-lr) * g) / avg
            self._bump(p)
