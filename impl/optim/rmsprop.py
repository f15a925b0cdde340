"""RMSprop with momentum, centering, weight decay and maximize (torch.optim.RMSprop)."""
import numpy as np

from .._tensor import Tensor
from ..ops._common import is_low_precision
from . import _opmath as _op
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
                g = _op.added(g, d, wd)
            square_avg = state["square_avg"]._data
            _op.mul_(square_avg, alpha)
            _op.addcmul_(square_avg, g, g, 1 - alpha)  # ((1 - alpha) * g) * g
            if centered:
                grad_avg = state["grad_avg"]._data
                if is_low_precision(grad_avg):
                    _op.lerp_low_(grad_avg, g, 1 - alpha)
                    avg = np.sqrt(_op.addcmul(square_avg, grad_avg, grad_avg, -1))
                else:
                    _lerp_(grad_avg, g, 1 - alpha)
                    avg = np.sqrt(square_avg - grad_avg * grad_avg)
            else:
                avg = np.sqrt(square_avg)
            avg = np.array(avg, copy=True, subok=True)  # a fresh array (0-d too), updated in place
            _op.add_scalar_(avg, eps)
            if momentum > 0:
                buf = state["momentum_buffer"]._data
                _op.mul_(buf, momentum)
                _op.addcdiv_(buf, g, avg, 1)
                _op.add_(d, buf, -lr)
            else:
                _op.addcdiv_(d, g, avg, -lr)  # ((-lr) * g) / avg
            self._bump(p)
