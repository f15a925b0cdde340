"""parameters_to_vector / vector_to_parameters (torch.nn.utils.convert_parameters)."""

from ... import _dtype
from ..._tensor import Tensor
from ...ops import shape as _shape

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """One flat vector of all parameters (differentiable, as torch's cat of views)."""
    return _shape.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copy slices of ``vec`` into the parameters' data (torch replaces ``param.data``; no autograd)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        param._data = _dtype.cast_array(vec._data[pointer:pointer + n].reshape(param._data.shape), param.dtype).copy()
        param._version[0] += 1
        pointer += n
