"""Between the libraries and numpy: which library a tensor belongs to, numpy copies of tensors, the inputs of a
check as tensors of one library (copies, or views of given numpy layouts), an op's result as a flat list.

The side under test is the current target (``reference.targets.current()``: impl by default); torch is the oracle.
"""
from __future__ import annotations

import numpy as np

from reference import targets
from reference.opspec import FLOAT_DTYPES


def _torch():
    import torch

    return torch


def is_target(x):
    """A tensor of the library under test (``reference.targets.current()``)."""
    return targets.current().is_tensor(x)


def is_torch(x):
    return type(x).__module__.startswith("torch") and hasattr(x, "detach") and hasattr(x, "requires_grad")


def is_tensor(x):
    return is_target(x) or is_torch(x)


def to_numpy(x) -> np.ndarray:
    """A numpy copy of a tensor of the target, a torch tensor or an array-like (detached)."""
    t = targets.current()
    if t.is_tensor(x):
        return np.array(t.to_numpy(x), copy=True)
    if is_torch(x):
        return x.detach().cpu().numpy(force=True).copy()  # force: a ZeroTensor (torch's symbolic zero) too
    return np.array(x, copy=True)


def _under_test() -> str:
    """How messages name the side under test."""
    return targets.current().name


def cast_arrays(arrays, dtype):
    """Float arrays to ``dtype`` (a float dtype name); int/bool arrays and non-float dtypes leave them alone."""
    out = []
    for a in arrays:
        a = np.asarray(a)
        if dtype in FLOAT_DTYPES and a.dtype.kind == "f":
            a = a.astype(dtype)
        out.append(a)
    return out


def make_inputs(lib, arrays, diff, requires_grad=True, views=None):
    """Tensors of ``lib`` (the target's library, torch or impl) holding copies of ``arrays``; ``diff`` positions with
    float dtype require grad.

    ``views``: numpy arrays to wrap without copying (``Target.wrap_numpy``) instead of copies; ``None`` in the list
    when the library cannot wrap that layout (the caller checks)."""
    side = targets.for_lib(lib)
    ts = []
    for i, a in enumerate(arrays):
        t = side.wrap_numpy(views[i]) if views is not None else side.tensor_from_numpy(a)
        if t is None:
            return None
        if requires_grad and i in diff and a.dtype.kind == "f":
            side.requires_grad_(t)
        ts.append(t)
    return ts


def flatten_outputs(out) -> list:
    """An op's result as a flat list (tuples/lists, incl. torch.return_types and impl namedtuples, unpacked)."""
    flat = []

    def walk(o):
        if isinstance(o, (tuple, list)) and not _is_size(o):
            for e in o:
                walk(e)
        else:
            flat.append(o)

    walk(out)
    return flat


def _is_size(o):
    return type(o).__name__ == "Size"
