"""Hook plumbing shared by tensors and modules (torch.utils.hooks).

``RemovableHandle``: what every ``register_*_hook`` returns. ``BackwardHook``: how a module's full backward hooks
see the gradients of all its inputs and outputs at once (torch's BackwardHook): the module's tensor inputs and its
outputs each pass through one identity autograd.Function, whose backward receives every gradient together.
"""
from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict

_ids = itertools.count()


class RemovableHandle:
    """Removes the hook it was returned for from its table (an OrderedDict); usable as a context manager."""

    def __init__(self, hooks_dict):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = next(_ids)

    def remove(self):
        hooks_dict = self.hooks_dict_ref()
        if hooks_dict is not None:
            hooks_dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False


def add_hook(table: OrderedDict, hook, prepend=False) -> RemovableHandle:
    handle = RemovableHandle(table)
    table[handle.id] = hook
    if prepend:
        table.move_to_end(handle.id, last=False)
    return handle


def _identity_function():
    from ..autograd.function import Function

    class BackwardHookFunction(Function):
        @staticmethod
        def forward(ctx, on_grads, *tensors):
            ctx.on_grads = on_grads
            ctx.set_materialize_grads(False)
            return tensors

        @staticmethod
        def backward(ctx, *grads):
            return (None, *ctx.on_grads(grads))

    return BackwardHookFunction


class BackwardHook:
    """One module call's full backward (pre-)hooks."""

    _function = None

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.n_inputs = 0
        self.inputs_need_grad = False
        self.grad_outputs = None
        if BackwardHook._function is None:
            BackwardHook._function = _identity_function()

    def _wrap(self, values, on_grads):
        from .._tensor import Tensor

        pos = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        if not pos:
            return values
        wrapped = BackwardHook._function.apply(on_grads, *(values[i] for i in pos))
        out = list(values)
        for i, w in zip(pos, wrapped):
            out[i] = w
        return tuple(out)

    def setup_inputs(self, args):
        from .._tensor import Tensor

        tensors = [a for a in args if isinstance(a, Tensor)]
        self.n_inputs = len(tensors)
        self.inputs_need_grad = any(t.requires_grad for t in tensors)
        return self._wrap(args, self._on_input_grads) if self.inputs_need_grad else args

    def setup_outputs(self, result):
        single = not isinstance(result, tuple)
        out = self._wrap((result,) if single else result, self._on_output_grads)
        return out[0] if single else out

    def _on_output_grads(self, grads):
        for hook in list(self.pre_hooks):
            r = hook(self.module, grads)
            if r is not None:
                grads = tuple(r) if isinstance(r, (tuple, list)) else (r,)
        self.grad_outputs = grads
        if not self.inputs_need_grad:  # no input gradient will come: the hooks see None for each input now
            for hook in list(self.hooks):
                hook(self.module, (None,) * self.n_inputs, grads)
        return grads

    def _on_input_grads(self, grads):
        for hook in list(self.hooks):
            r = hook(self.module, grads, self.grad_outputs)
            if r is not None:
                grads = tuple(r) if isinstance(r, (tuple, list)) else (r,)
        return grads
