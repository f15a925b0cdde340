"""Small helpers shared by the layers: torch's _single/_pair/_reverse_repeat_tuple and factory tensors."""
import collections.abc
from itertools import repeat

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ..parameter import Parameter


def _ntuple(n, name="parse"):
    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")


def _reverse_repeat_tuple(t, n):
    return tuple(x for x in reversed(t) for _ in range(n))


def _np_dtype(dtype):
    d = _dtype.to_np(dtype) if dtype is not None else np.dtype(np.float32)
    return d


def empty(shape, dtype=None):
    """An uninitialised float tensor (filled by reset_parameters right after), as torch.empty."""
    return Tensor._wrap(np.empty(tuple(shape), dtype=_np_dtype(dtype)))


def new_param(shape, dtype=None, requires_grad=True):
    return Parameter(empty(shape, dtype), requires_grad=requires_grad)
