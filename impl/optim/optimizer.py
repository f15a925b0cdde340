"""Optimizer base class with torch.optim.Optimizer's param_groups, state and state_dict format.

Every update runs in place on the parameters' numpy arrays (``p._data``) under ``no_grad``, one vectorised
expression per parameter, and bumps the parameter's version counter as torch's in-place ops do; a
parameter's identity (and the array object behind it) never changes.

Numerics: each update follows the single-tensor (``foreach=False``) path of torch 2.13 operation by
operation, in the parameter's dtype, with Python-float hyperparameters rounded to that dtype exactly where
torch's kernels round them. Remaining differences are ulp-level: torch's CPU kernels contract some
multiply-adds into FMAs and use a vectorised float32 sqrt that is not always correctly rounded. float16/bfloat16
parameters: each of torch's in-place ops is computed in float32 and rounded once (``_opmath.py``), as its kernels.
"""
from __future__ import annotations

import copy
import functools
import warnings
from collections import defaultdict
from itertools import chain

import numpy as np

from .._autograd import enable_grad, no_grad
from .._tensor import Tensor


class _RequiredParameter:
    """Singleton marking a hyperparameter that every param group must set (as torch.optim.optimizer.required)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _to_array(value):
    """A fresh numpy copy of a state value held as an impl Tensor, an ndarray or a torch tensor (or None)."""
    if isinstance(value, Tensor):
        return np.array(value._data, copy=True)
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True)
    if type(value).__module__.startswith("torch") and hasattr(value, "detach"):  # interop without importing torch
        return np.array(value.detach().cpu().numpy(), copy=True)
    return None


def _new_state_tensor(arr):
    """Wrap a state buffer; ``np.array`` makes sure 0-d results (numpy scalars) become writable 0-d arrays
    (``subok``: a bfloat16 buffer stays bfloat16)."""
    return Tensor._wrap(np.array(arr, copy=True, subok=True))


def _step_tensor(value=0.0):
    """torch keeps 'step' as a 0-d float32 tensor (``_get_scalar_dtype()``) on the CPU."""
    return Tensor._wrap(np.array(float(value), dtype=np.float32))


def _bump_step(state):
    """``step_t += 1`` in the step tensor's own dtype (float32, as torch) and return its value as a float."""
    step = state["step"]
    if not isinstance(step, Tensor):
        step = state["step"] = _step_tensor(step)
    step._data += 1
    step._version[0] += 1
    return float(step._data)


def _lerp_(a, b, weight):
    """``a.lerp_(b, weight)`` with torch's two-sided formula (weight rounded to a's dtype first)."""
    w = a.dtype.type(weight)
    diff = b - a
    if abs(w) < 0.5:
        diff *= w  # w * diff, in the temporary
        a += diff
    else:
        a[...] = b - diff * (a.dtype.type(1) - w)


def _hyper(value):
    """Hyperparameters become Python floats so numpy rounds them to the parameter's dtype (NEP 50 weak scalars)."""
    return float(value)


class Optimizer:
    """Base class for all optimizers (torch.optim.Optimizer).

    ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts defining parameter groups.
    Subclasses implement ``_step_group(group)``; ``step(closure=None)`` runs it for every group under no_grad.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
                f"impl.{type(params).__name__}"
            )
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __init_subclass__(cls, **kwargs):
        # Record that step() ran (the LR schedulers warn when they are stepped before the optimizer), also for
        # user subclasses that override step() as torch's schedulers do by patching optimizer.step.
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            fn = cls.__dict__["step"]

            @functools.wraps(fn)
            def step(self, *args, **kwargs):
                self._opt_called = True
                return fn(self, *args, **kwargs)

            cls.step = step

    # ---- pickling / repr ---------------------------------------------------------------------
    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    # ---- groups ------------------------------------------------------------------------------
    def add_param_group(self, param_group):
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of tensors "
                "in sets will change between runs. Please use a list instead."
            )
        else:
            param_group["params"] = list(params)

        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(param).__name__}")
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this will cause an error",
                stacklevel=3,
            )
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    f"all optimizer param groups should be with/without names. cannot add param group {which} to the optimizer"
                )
        if not seen.isdisjoint(id(p) for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ---- gradients ---------------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        g = p.grad
                        g.grad_fn = None
                        g.requires_grad = False
                        g._data[...] = 0
                        g._version[0] += 1

    # ---- stepping ----------------------------------------------------------------------------
    def step(self, closure=None):
        """Perform a single optimization step; ``closure`` re-evaluates the model and returns the loss."""
        self._opt_called = True
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                self._step_group(group)
        return loss

    def _step_group(self, group):  # pragma: no cover - abstract
        raise NotImplementedError

    def _params_with_grad(self, group):
        """(param, grad array) for each parameter of ``group`` that has a gradient, checking shapes."""
        out = []
        name = type(self).__name__
        for p in group["params"]:
            if p.grad is None:
                continue
            g = p.grad._data if isinstance(p.grad, Tensor) else np.asarray(p.grad)
            if g.shape != p._data.shape:
                raise RuntimeError(
                    f"{name}.step: the gradient has shape {tuple(g.shape)} but the parameter has shape "
                    f"{tuple(p._data.shape)}"
                )
            out.append((p, g))
        return out

    @staticmethod
    def _bump(p):
        p._version[0] += 1

    # ---- state dict --------------------------------------------------------------------------
    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}`` as torch.

        As torch's, the per-parameter state dicts (and the tensors in them) are references, not copies.
        """
        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update(
                {id(p): i for i, p in enumerate(group["params"], start_index) if id(p) not in param_mappings}
            )
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": packed_state, "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        """Load a dict produced by ``state_dict()`` (impl's, or torch's: torch tensors are converted).

        Divergence from torch, on purpose: loaded state tensors are always copies, whereas torch aliases the
        saved tensors when dtype and device already match (two optimizers loaded from one dict would then
        update each other's moments).
        """
        state_dict = dict(state_dict)
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
            )
        id_map = dict(
            zip(chain.from_iterable(g["params"] for g in saved_groups), chain.from_iterable(g["params"] for g in groups))
        )

        def _cast(param, value, key=None):
            arr = _to_array(value)
            if arr is not None:
                if key != "step" and param._data.dtype.kind == "f":
                    arr = arr.astype(param._data.dtype, copy=False)
                return Tensor._wrap(arr)
            if isinstance(value, dict):
                return {k: _cast(param, v, key=k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(_cast(param, v) for v in value)
            return copy.deepcopy(value)

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        self._fix_loaded_state()

    def _fix_loaded_state(self):
        """Optimizers with a 'step' counter keep it as a 0-d float32 tensor (torch's __setstate__ does the same)."""
        for s in self.state.values():
            if isinstance(s, dict) and "step" in s and not isinstance(s["step"], Tensor):
                s["step"] = _step_tensor(float(s["step"]))
