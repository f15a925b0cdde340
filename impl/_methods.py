"""Bind ops to Tensor as methods and Python operators (torch's names)."""
from ._tensor import Tensor
from .ops import elementwise as ew
from .ops import inplace as ip
from .ops import shape


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
    # shape and indexing
    "reshape": shape.reshape, "view": shape.view, "view_as": shape.view_as, "reshape_as": shape.reshape_as,
    "flatten": shape.flatten, "unflatten": shape.unflatten, "permute": shape.permute,
    "transpose": shape.transpose, "swapaxes": shape.transpose, "swapdims": shape.transpose, "t": shape.t,
    "movedim": shape.movedim, "moveaxis": shape.movedim,
    "squeeze": shape.squeeze, "unsqueeze": shape.unsqueeze, "expand": shape.expand,
    "expand_as": shape.expand_as, "broadcast_to": shape.broadcast_to, "repeat": shape.repeat,
    "contiguous": shape.contiguous, "split": shape.split, "chunk": shape.chunk, "unbind": shape.unbind,
    "flip": shape.flip, "roll": shape.roll, "tril": shape.tril, "triu": shape.triu,
    "masked_fill": shape.masked_fill, "gather": shape.gather, "index_select": shape.index_select,
    "narrow": shape.narrow, "select": shape.select, "nonzero": shape.nonzero,
    "masked_select": shape.masked_select, "diagonal": shape.diagonal,
    "take_along_dim": shape.take_along_dim,
    # in place
    "add_": ip.add_, "sub_": ip.sub_, "mul_": ip.mul_, "div_": ip.div_, "pow_": ip.pow_,
    "clamp_": ip.clamp_, "clip_": ip.clamp_, "relu_": ip.relu_, "neg_": ip.neg_, "exp_": ip.exp_,
    "sqrt_": ip.sqrt_, "zero_": ip.zero_, "fill_": ip.fill_, "copy_": ip.copy_,
    "masked_fill_": ip.masked_fill_, "uniform_": ip.uniform_, "normal_": ip.normal_,
}

_OPERATORS = {
    "__add__": ew.add, "__radd__": _swap(ew.add), "__sub__": ew.sub, "__rsub__": _swap(ew.sub),
    "__mul__": ew.mul, "__rmul__": _swap(ew.mul), "__truediv__": ew.div, "__rtruediv__": _swap(ew.div),
    "__floordiv__": ew.floor_divide, "__rfloordiv__": _swap(ew.floor_divide),
    "__mod__": ew.remainder, "__rmod__": _swap(ew.remainder),
    "__pow__": ew.pow, "__rpow__": _swap(ew.pow), "__neg__": ew.neg, "__pos__": lambda self: self,
    "__abs__": ew.abs, "__eq__": ew.eq, "__ne__": ew.ne, "__lt__": ew.lt, "__le__": ew.le,
    "__gt__": ew.gt, "__ge__": ew.ge,
    "__getitem__": shape.getitem, "__setitem__": ip.setitem,
    "__iadd__": ip.add_, "__isub__": ip.sub_, "__imul__": ip.mul_, "__itruediv__": ip.div_,
    "__ipow__": ip.pow_,
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
