"""The default target: ``impl``, this project's library. The only place in reference/ that reads impl's private
attributes on behalf of the generic checks (``Tensor._data``: the numpy array itself, so ``to_numpy`` is one
attribute access and the checks cost what they cost before the adapter existed)."""
from __future__ import annotations

import numpy as np

from reference.targets.base import Target


class ImplTarget(Target):
    name = "impl"
    messages = True  # impl's messages name the op, the argument and the shapes: the error inputs' patterns
    known_divergences = True  # OpSpec.divergences and reference/open_findings.py describe impl

    def __init__(self):
        import impl
        import impl.nn.functional  # noqa: F401  (reachable as lib.nn.functional)
        import impl.optim  # noqa: F401

        self._impl = impl
        self._tensor_type = impl.Tensor

    @property
    def lib(self):
        return self._impl

    def to_numpy(self, t) -> np.ndarray:
        return t._data

    def tensor_from_numpy(self, array, requires_grad=False):
        t = self._impl.tensor(array)
        return t.requires_grad_(True) if requires_grad else t

    def is_tensor(self, x) -> bool:
        return isinstance(x, self._tensor_type)

    def dtype_name(self, t) -> str:
        return t.dtype.name

    def wrap_numpy(self, array):
        return self._impl.from_numpy(array)

    def version(self, t) -> int:
        return t._version[0]  # impl keeps the counter in a one-element list shared by views of the same storage

    def shares_memory(self, a, b) -> bool:
        return bool(np.may_share_memory(a._data, b._data))


TARGET = ImplTarget
