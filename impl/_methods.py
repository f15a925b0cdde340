"""Bind every declared op on Tensor (impl/ops/_registry.py): its methods, aliases and Python operators."""
from ._tensor import Tensor
from .ops import _registry, elementwise, inplace, linalg, reduce, shape  # noqa: F401 - importing declares their ops


def bind():
    for name, fn in _registry.methods().items():
        setattr(Tensor, name, fn)
    Tensor.__pos__ = lambda self: self  # +x is x itself, as torch's
    Tensor.T = property(shape.T)
    Tensor.mT = property(shape.mT)
    Tensor.__hash__ = lambda self: id(self)  # __eq__ is elementwise, as torch
