"""Bind ops to Tensor as methods and Python operators (torch's names)."""
from ._tensor import Tensor
from .ops import inplace as ip
from .ops import linalg, reduce, shape


def _swap(fn):
    return lambda self, other: fn(other, self)


_METHODS = {
    # reductions
    "sum": reduce.sum, "mean": reduce.mean, "prod": reduce.prod, "max": reduce.max, "min": reduce.min,
    "amax": reduce.amax, "amin": reduce.amin, "argmax": reduce.argmax, "argmin": reduce.argmin,
    "all": reduce.all, "any": reduce.any, "var": reduce.var, "std": reduce.std,
    "logsumexp": reduce.logsumexp, "norm": reduce.norm, "cumsum": reduce.cumsum,
    "softmax": reduce.softmax, "log_softmax": reduce.log_softmax, "count_nonzero": reduce.count_nonzero,
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
    # linear algebra
    "matmul": linalg.matmul, "mm": linalg.mm, "bmm": linalg.bmm, "mv": linalg.mv, "dot": linalg.dot,
    "outer": linalg.outer,
    # in place
    "add_": ip.add_, "sub_": ip.sub_, "mul_": ip.mul_, "div_": ip.div_, "pow_": ip.pow_,
    "clamp_": ip.clamp_, "clip_": ip.clamp_, "relu_": ip.relu_, "neg_": ip.neg_, "exp_": ip.exp_,
    "sqrt_": ip.sqrt_, "zero_": ip.zero_, "fill_": ip.fill_, "copy_": ip.copy_,
    "masked_fill_": ip.masked_fill_, "uniform_": ip.uniform_, "normal_": ip.normal_,
}

_OPERATORS = {
    "__matmul__": linalg.matmul, "__rmatmul__": _swap(linalg.matmul), "__pos__": lambda self: self,
    "__getitem__": shape.getitem, "__setitem__": ip.setitem,
    "__iadd__": ip.add_, "__isub__": ip.sub_, "__imul__": ip.mul_, "__itruediv__": ip.div_,
    "__ipow__": ip.pow_,
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
