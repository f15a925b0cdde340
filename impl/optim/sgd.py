"""SGD with momentum, dampening, Nesterov momentum, weight decay and maximize (torch.optim.SGD)."""
from . import _opmath as _op
from ._checks import check_flags, check_lr
from .optimizer import Optimizer, _hyper, _new_state_tensor


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        check_flags("SGD", differentiable)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, wd = _hyper(group["lr"]), _hyper(group["weight_decay"])
        momentum, dampening = _hyper(group["momentum"]), _hyper(group["dampening"])
        nesterov, maximize = group["nesterov"], group["maximize"]
        for p, g in self._params_with_grad(group):
            d = p._data
            if maximize:
                g = -g
            if wd != 0:
                g = _op.added(g, d, wd)
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:  # first step: the buffer is the (decayed) gradient itself
                    buf = state["momentum_buffer"] = _new_state_tensor(g)
                else:
                    b = buf._data
                    _op.mul_(b, momentum)
                    _op.add_(b, g, 1 - dampening)
                g = _op.added(g, buf._data, momentum) if nesterov else buf._data
            _op.add_(d, g, -lr)
            self._bump(p)
