"""Parameter: a leaf Tensor that a Module registers automatically (torch.nn.Parameter).

Like torch's, ``Parameter(t)`` shares ``t``'s storage (and version counter), is a leaf and requires grad by
default; ops on a Parameter return plain Tensors.
"""
import numpy as np

from .._tensor import Tensor


class Parameter(Tensor):
    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            arr = np.empty((0,), dtype=np.float32)
            version = [0]
        elif isinstance(data, Tensor):
            arr = data._data
            version = data._version
        else:
            raise TypeError(f"Parameter: expected a Tensor as data, got {type(data).__name__}")
        if requires_grad and arr.dtype.kind != "f":
            raise RuntimeError(
                f"Only Tensors of floating point dtype can require gradients (Parameter of dtype {arr.dtype})"
            )
        t = Tensor.__new__(cls)
        t._data = arr
        t.requires_grad = bool(requires_grad)
        t.grad = None
        t.grad_fn = None
        t._version = version
        t._base = None
        return t

    def __init__(self, data=None, requires_grad=True):  # everything happens in __new__ (Tensor.__init__ would copy)
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(Tensor._wrap(self._data.copy()), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data, self.requires_grad))

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


def _rebuild_parameter(arr, requires_grad):
    return Parameter(Tensor._wrap(np.array(arr)), requires_grad)


class Buffer:
    """torch.nn.Buffer: marks a tensor to be registered as a buffer when assigned to a Module attribute.

    (torch's is a Tensor subclass that unwraps to a plain tensor on registration; here it is a thin marker.)
    """

    def __init__(self, data=None, *, persistent=True):
        if data is None:
            data = Tensor._wrap(np.empty((0,), dtype=np.float32))
        self.data = data
        self.persistent = persistent
