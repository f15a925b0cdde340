"""Bind ops to Tensor as methods and Python operators (torch's names)."""
from ._tensor import Tensor
from .ops import elementwise as ew
from .ops import inplace, linalg, reduce, shape  # noqa: F401 - inplace is imported for its @op declarations


def _swap(fn):
    return lambda self, other: fn(other, self)


_METHODS = {
    # elementwise
    "add": ew.add, "sub": ew.sub, "subtract": ew.sub, "mul": ew.mul, "multiply": ew.mul, "div": ew.div,
    "divide": ew.div, "true_divide": ew.div, "floor_divide": ew.floor_divide, "remainder": ew.remainder,
    "fmod": ew.fmod, "hypot": ew.hypot, "neg": ew.neg, "negative": ew.neg, "pow": ew.pow, "exp": ew.exp, "log": ew.log,
    "log2": ew.log2, "log10": ew.log10, "log1p": ew.log1p, "expm1": ew.expm1, "sqrt": ew.sqrt,
    "rsqrt": ew.rsqrt, "sin": ew.sin, "cos": ew.cos, "tan": ew.tan, "tanh": ew.tanh,
    "sigmoid": ew.sigmoid, "relu": ew.relu, "abs": ew.abs, "absolute": ew.abs, "sign": ew.sign,
    "floor": ew.floor, "ceil": ew.ceil, "round": ew.round, "trunc": ew.trunc, "clamp": ew.clamp,
    "clip": ew.clamp, "clamp_min": ew.clamp_min, "clamp_max": ew.clamp_max, "reciprocal": ew.reciprocal,
    "square": ew.square, "maximum": ew.maximum, "minimum": ew.minimum, "lerp": ew.lerp,
    "eq": ew.eq, "ne": ew.ne, "lt": ew.lt, "le": ew.le, "gt": ew.gt, "ge": ew.ge,
    "logical_and": ew.logical_and, "logical_or": ew.logical_or, "logical_xor": ew.logical_xor,
    "logical_not": ew.logical_not, "isnan": ew.isnan, "isinf": ew.isinf, "isfinite": ew.isfinite,
    "isclose": ew.isclose, "allclose": ew.allclose, "equal": ew.equal,
    "where": lambda self, condition, other: ew.where(condition, self, other),
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
    "__add__": ew.add, "__radd__": _swap(ew.add), "__sub__": ew.sub, "__rsub__": _swap(ew.sub),
    "__mul__": ew.mul, "__rmul__": _swap(ew.mul), "__truediv__": ew.div, "__rtruediv__": _swap(ew.div),
    "__floordiv__": ew.floor_divide, "__rfloordiv__": _swap(ew.floor_divide),
    "__mod__": ew.remainder, "__rmod__": _swap(ew.remainder),
    "__pow__": ew.pow, "__rpow__": _swap(ew.pow), "__matmul__": linalg.matmul,
    "__rmatmul__": _swap(linalg.matmul), "__neg__": ew.neg, "__pos__": lambda self: self,
    "__abs__": ew.abs, "__eq__": ew.eq, "__ne__": ew.ne, "__lt__": ew.lt, "__le__": ew.le,
    "__gt__": ew.gt, "__ge__": ew.ge,
}


def _bool_or_bitwise(logical, bitwise):
    def f(self, other):
        o = other._data.dtype if isinstance(other, Tensor) else None
        if self._data.dtype.kind == "b" and (o is None or o.kind == "b"):
            return logical(self, other)
        return bitwise(self, other)

    return f


_OPERATORS["__and__"] = _bool_or_bitwise(ew.logical_and, ew.bitwise_and)
_OPERATORS["__or__"] = _bool_or_bitwise(ew.logical_or, ew.bitwise_or)
_OPERATORS["__xor__"] = _bool_or_bitwise(ew.logical_xor, ew.bitwise_xor)
_OPERATORS["__rand__"] = _OPERATORS["__and__"]
_OPERATORS["__ror__"] = _OPERATORS["__or__"]
_OPERATORS["__rxor__"] = _OPERATORS["__xor__"]
_OPERATORS["__invert__"] = lambda self: ew.logical_not(self) if self._data.dtype.kind == "b" else ew.bitwise_not(self)


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
