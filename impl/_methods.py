"""Bind ops to Tensor as methods and Python operators (torch's names)."""
from ._tensor import Tensor
from .ops import inplace, linalg, reduce, shape  # noqa: F401 - inplace is imported for its @op declarations


def _swap(fn):
    return lambda self, other: fn(other, self)


_METHODS = {
    # reductions
    "sum": reduce.sum, "mean": reduce.mean, "prod": reduce.prod, "max": reduce.max, "min": reduce.min,
    "amax": reduce.amax, "amin": reduce.amin, "argmax": reduce.argmax, "argmin": reduce.argmin,
    "all": reduce.all, "any": reduce.any, "var": reduce.var, "std": reduce.std,
    "logsumexp": reduce.logsumexp, "norm": reduce.norm, "cumsum": reduce.cumsum,
    "softmax": reduce.softmax, "log_softmax": reduce.log_softmax, "count_nonzero": reduce.count_nonzero,
    # linear algebra
    "matmul": linalg.matmul, "mm": linalg.mm, "bmm": linalg.bmm, "mv": linalg.mv, "dot": linalg.dot,
    "outer": linalg.outer,
}

_OPERATORS = {
    "__matmul__": linalg.matmul, "__rmatmul__": _swap(linalg.matmul), "__pos__": lambda self: self,
}


def bind():
    """Bind every declared op (impl/ops/_registry.py) on Tensor; the hand-kept tables below only hold what is not
    declared yet, and a declaration wins over them."""
    from .ops import _registry

    declared = _registry.methods()
    for name, fn in {**_METHODS, **_OPERATORS, **declared}.items():
        setattr(Tensor, name, fn)
    Tensor.T = property(shape.T)
    Tensor.mT = property(shape.mT)
    Tensor.__hash__ = lambda self: id(self)  # __eq__ is elementwise, as torch
