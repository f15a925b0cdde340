"""Adagrad with learning-rate decay, weight decay, initial accumulator and maximize (torch.optim.Adagrad)."""
import numpy as np

from .._tensor import Tensor
from . import _opmath as _op
from ._checks import check_flags, check_lr, check_nonneg
from .optimizer import Optimizer, _bump_step, _hyper, _step_tensor


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        check_nonneg("lr_decay", lr_decay)
        check_nonneg("weight_decay", weight_decay)
        check_nonneg("initial_accumulator_value", initial_accumulator_value)
        check_nonneg("epsilon", eps)
        check_flags("Adagrad", differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # As torch, the state of every parameter exists from construction on.
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p):
        # torch uses the optimizer-wide default here, not a group's own initial_accumulator_value.
        state = self.state[p]
        state["step"] = _step_tensor()
        state["sum"] = Tensor._wrap(np.full_like(p._data, self.defaults["initial_accumulator_value"]))

    def _step_group(self, group):
        lr, lr_decay, eps, wd = (_hyper(group[k]) for k in ("lr", "lr_decay", "eps", "weight_decay"))
        maximize = group["maximize"]
        for p, g in self._params_with_grad(group):
            d = p._data
            state = self.state[p]
            if len(state) == 0:  # a parameter added by add_param_group after construction
                self._init_state(p)
            step = _bump_step(state)
            if maximize:
                g = -g
            if wd != 0:
                g = _op.added(g, d, wd)
            clr = lr / (1 + (step - 1) * lr_decay)
            state_sum = state["sum"]._data
            _op.addcmul_(state_sum, g, g, 1)
            std = np.array(np.sqrt(state_sum), copy=True, subok=True)  # a fresh array (0-d too), updated in place
            _op.add_scalar_(std, eps)
            _op.addcdiv_(d, g, std, -clr)  # ((-clr) * g) / std
            self._bump(p)
