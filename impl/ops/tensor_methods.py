"""Tensor methods that are not math: new_* factories, type_as, memory-layout queries (stride, storage_offset,
is_contiguous, nbytes, itemsize) and fill_diagonal_."""
import numpy as np

from .. import _creation
from .._tensor import Tensor, tensor
from . import elementwise as ew
from ._registry import op
from .inplace import _setitem


def _size_args(size, op_name):
    """The size of a new_* factory as one tuple (``()`` for 0-d); torch requires one: ``new_zeros()`` raises."""
    if not size:
        raise TypeError(f'{op_name}() missing 1 required positional arguments: "size"')
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    if not all(isinstance(s, (int, np.integer)) for s in size):
        raise TypeError(f"{op_name}(): argument 'size' must be tuple of ints, not {type(size[0]).__name__}")
    return size


@op(function=False)
def new_zeros(self, *size, dtype=None, requires_grad=False, device=None):
    return _creation.zeros(_size_args(size, "new_zeros"), dtype=dtype or self.dtype, requires_grad=requires_grad)


@op(function=False)
def new_ones(self, *size, dtype=None, requires_grad=False, device=None):
    return _creation.ones(_size_args(size, "new_ones"), dtype=dtype or self.dtype, requires_grad=requires_grad)


@op(function=False)
def new_empty(self, *size, dtype=None, requires_grad=False, device=None):
    return _creation.empty(_size_args(size, "new_empty"), dtype=dtype or self.dtype, requires_grad=requires_grad)


@op(function=False)
def new_full(self, size, fill_value, *, dtype=None, requires_grad=False, device=None):
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"new_full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    return _creation.full(tuple(size), fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)


@op(function=False)
def new_tensor(self, data, *, dtype=None, requires_grad=False, device=None):
    if isinstance(data, Tensor):
        data = data._data.copy()  # torch copies (and warns to use clone().detach())
    return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


@op(function=False)
def type_as(self, other):
    return self.to(other.dtype)


@op(function=False)
def stride(self, dim=None):
    d = self._data
    # numpy's byte strides in elements; torch gives size-1 and size-0 dims the contiguous stride, numpy may not
    st = tuple(s // d.itemsize for s in d.strides)
    if dim is None:
        return st
    from ._common import norm_dim

    return st[norm_dim(dim, d.ndim, "stride")]


def _root(t):
    while t._base is not None:
        t = t._base
    return t


@op(function=False)
def storage_offset(self):
    base = _root(self)
    if base is self or not self._data.size:
        return 0
    start = self._data.__array_interface__["data"][0]
    return (start - base._data.__array_interface__["data"][0]) // self._data.itemsize


@op(function=False)
def is_contiguous(self, memory_format=None):
    return bool(self._data.flags.c_contiguous)


def _nbytes(self):
    return int(self._data.size) * self.dtype.itemsize  # the dtype's size: bfloat16 is stored as float32


def _itemsize(self):
    return self.dtype.itemsize


op("nbytes", function=False, method=property(_nbytes))(_nbytes)
op("itemsize", function=False, method=property(_itemsize))(_itemsize)


@op(function=False)
def fill_diagonal_(self, fill_value, wrap=False):
    d = self._data
    if d.ndim < 2:
        raise RuntimeError(f"fill_diagonal_: dimensions must larger than 1 (got a {d.ndim}-D tensor)")
    if d.ndim > 2 and len(set(d.shape)) != 1:
        raise RuntimeError(f"fill_diagonal_: all dimensions of input must be of equal length (shape {tuple(d.shape)})")
    # numpy.fill_diagonal's walk over the flattened tensor: one step moves along every dim at once
    step = int(np.sum(np.cumprod((1,) + d.shape[:0:-1])))
    end = d.size if (wrap or d.ndim > 2) else min(d.size, d.shape[1] * d.shape[1])
    flat = np.arange(0, end, step)
    idx = tuple(ew._const(i) for i in np.unravel_index(flat, d.shape))
    return _setitem(self, idx, fill_value, "fill_diagonal_")
