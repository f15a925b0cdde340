"""torch's names over tinygrad: the thin namespace the tinygrad target's ``lib`` is.

The suite's specs call ``lib.exp(x)``, ``lib.nn.functional.softmax(x, dim)``, ``lib.float64``; tinygrad spells
most of these as methods of its own ``Tensor`` (``x.softmax(axis)``). A name is mapped here only where tinygrad has
the same operation with the same semantics, its arguments renamed (torch's ``dim`` is tinygrad's ``axis``). A torch
argument tinygrad has no counterpart for raises ``NotMapped``, and a name not defined here raises AttributeError:
the conformance report counts both as *missing*, never as a failure. Tensors are tinygrad's own: a method call
in a spec (``x.sum(dim=1)``) reaches tinygrad's method as it is.

Autograd: tinygrad has no ``requires_grad`` and records no tape -- ``Tensor.gradient`` differentiates the lazy graph
on demand -- so ``no_grad``/``enable_grad`` have nothing to switch off, and ``autograd.backward``/``autograd.grad``
are tinygrad's ``Tensor.gradient`` with torch's arguments.
"""
from __future__ import annotations

import contextlib
import functools
import operator
import os
import types

import numpy as np

# tinygrad picks a GPU, else its CPU device, which compiles every kernel with clang. The suite's tensors are tiny: its
# PYTHON device (tinygrad's own interpreter of the same kernels) needs no compiler and runs them faster. DEV= overrides.
os.environ.setdefault("DEV", "PYTHON")

from tinygrad import Tensor as _Tensor  # noqa: E402  (underscored: lib.Tensor would claim torch.Tensor's constructor)
from tinygrad import dtypes as _dtypes  # noqa: E402


class NotMapped(Exception):  # noqa: N818 - not an error of the op: a name the shim does not provide
    """A torch argument (or argument form) that has no counterpart in tinygrad. Not a RuntimeError (as
    NotImplementedError would be), so that it never passes for the RuntimeError an error input expects."""


def _unmapped(what):
    raise NotMapped(f"tinygrad has no counterpart of {what}")


# ---- dtypes ---------------------------------------------------------------------------------------------
float32 = float = _dtypes.float32
float64 = double = _dtypes.float64
float16 = half = _dtypes.float16
int64 = long = _dtypes.int64
int32 = int = _dtypes.int32
int16 = short = _dtypes.int16
int8 = _dtypes.int8
uint8 = _dtypes.uint8
bool = _dtypes.bool  # noqa: A001 - torch's name


# ---- creation -----------------------------------------------------------------------------------------
def _shape(size):
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)


def _no_grad_flag(requires_grad):
    if requires_grad:
        _unmapped("requires_grad=True (tinygrad differentiates any float tensor on demand)")


def tensor(data, dtype=None, requires_grad=False):
    _no_grad_flag(requires_grad)
    return _Tensor(np.array(data, copy=True) if isinstance(data, np.ndarray) else data, dtype=dtype)


as_tensor = tensor


def from_numpy(array):
    return _Tensor(np.array(array, copy=True))


def is_tensor(x):
    return isinstance(x, _Tensor)


def ones(*size, dtype=None, requires_grad=False):
    _no_grad_flag(requires_grad)
    return _Tensor.ones(*_shape(size), dtype=dtype)


def zeros(*size, dtype=None, requires_grad=False):
    _no_grad_flag(requires_grad)
    return _Tensor.zeros(*_shape(size), dtype=dtype)


def full(size, fill_value, dtype=None, requires_grad=False):
    _no_grad_flag(requires_grad)
    return _Tensor.full(tuple(size), fill_value, dtype=dtype)


def randn(*size, dtype=None, requires_grad=False):
    _no_grad_flag(requires_grad)
    return _Tensor.randn(*_shape(size), dtype=dtype)


def rand(*size, dtype=None, requires_grad=False):
    _no_grad_flag(requires_grad)
    return _Tensor.rand(*_shape(size), dtype=dtype)


def arange(start, end=None, step=1, dtype=None):
    return _Tensor.arange(start, end, step, dtype=dtype)


def linspace(start, end, steps, dtype=None):
    return _Tensor.linspace(start, end, steps, dtype=dtype)


def eye(n, m=None, dtype=None):
    return _Tensor.eye(n, m, dtype=dtype)


def zeros_like(input, dtype=None):
    return _Tensor.zeros_like(input, dtype=dtype) if dtype is not None else _Tensor.zeros_like(input)


def ones_like(input, dtype=None):
    return _Tensor.ones_like(input, dtype=dtype) if dtype is not None else _Tensor.ones_like(input)


def full_like(input, fill_value, dtype=None):
    return _Tensor.full_like(input, fill_value, dtype=dtype) if dtype is not None else _Tensor.full_like(input, fill_value)


# ---- elementwise: torch.f(x) is tinygrad's x.f() ------------------------------------------------------------
def _method(name, tg_name=None):
    tg_name = tg_name or name

    def f(input):
        return getattr(input, tg_name)()

    f.__name__ = name
    return f


_UNARY = ("abs", "neg", "exp", "exp2", "log", "log2", "log10", "sqrt", "rsqrt", "sin", "cos", "tan", "sinh", "cosh",
          "tanh", "asin", "acos", "atan", "asinh", "acosh", "atanh", "sigmoid", "relu", "reciprocal", "square", "sign",
          "floor", "ceil", "trunc", "erf", "isnan", "isinf", "logical_not", "bitwise_not")
for _name in _UNARY:
    globals()[_name] = _method(_name)
negative, arcsin, arccos, arctan = neg, asin, acos, atan  # noqa: F821 - defined by the loop above
arcsinh, arccosh, arctanh = asinh, acosh, atanh  # noqa: F821


def round(input, decimals=0):  # noqa: A001
    # tinygrad's round is round-half-to-even, as torch's
    return input.round() if decimals == 0 else _unmapped("round(decimals=)")


def isfinite(input):
    return input.isfinite()


def add(input, other, alpha=1):
    return input + other if alpha == 1 else input + other * alpha


def sub(input, other, alpha=1):
    return input - other if alpha == 1 else input - other * alpha


subtract = sub


def mul(input, other):
    return input * other


multiply = mul


def div(input, other, rounding_mode=None):
    if not isinstance(input, _Tensor):
        _unmapped("div with a Python number as input")
    return input.div(other, rounding_mode=rounding_mode)


divide, true_divide = div, div


def pow(input, exponent):  # noqa: A001
    return input.pow(exponent) if isinstance(input, _Tensor) else _Tensor(input).pow(exponent)


def maximum(input, other):
    return input.maximum(other)


def minimum(input, other):
    return input.minimum(other)


def where(condition, input, other):
    return condition.where(input, other)


def clamp(input, min=None, max=None):  # noqa: A002
    return input.clamp(min, max)


clip = clamp


def lerp(input, end, weight):
    return input.lerp(end, weight)


def logaddexp(input, other):
    return input.logaddexp(other)


def copysign(input, other):
    return input.copysign(other)


def fmod(input, other):
    return input.fmod(other)


def _compare(op):
    return lambda input, other: op(input, other)


eq, ne, lt, le, gt, ge = (_compare(o) for o in (operator.eq, operator.ne, operator.lt, operator.le, operator.gt,
                                                   operator.ge))


def bitwise_and(input, other):
    return input.bitwise_and(other)


def bitwise_or(input, other):
    return input.bitwise_or(other)


def bitwise_xor(input, other):
    return input.bitwise_xor(other)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return input.isclose(other, rtol=rtol, atol=atol, equal_nan=equal_nan)


# ---- reductions: torch's dim is tinygrad's axis ---------------------------------------------------------
def _reduction(name):
    def f(input, dim=None, keepdim=False):
        return getattr(input, name)(axis=dim, keepdim=keepdim)

    f.__name__ = name
    return f


for _name in ("mean", "prod", "logsumexp", "any", "all"):
    globals()[_name] = _reduction(_name)


def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001
    return input.sum(axis=dim, keepdim=keepdim, dtype=dtype)


def amax(input, dim=(), keepdim=False):
    return input.max(axis=dim if dim != () else None, keepdim=keepdim)


def amin(input, dim=(), keepdim=False):
    return input.min(axis=dim if dim != () else None, keepdim=keepdim)


def max(input, dim=None, keepdim=False):  # noqa: A001
    if isinstance(dim, _Tensor):
        return input.maximum(dim)
    if dim is not None:
        _unmapped("max(dim=) returning (values, indices)")
    return input.max()


def min(input, dim=None, keepdim=False):  # noqa: A001
    if isinstance(dim, _Tensor):
        return input.minimum(dim)
    if dim is not None:
        _unmapped("min(dim=) returning (values, indices)")
    return input.min()


def argmax(input, dim=None, keepdim=False):
    return input.argmax(axis=dim, keepdim=keepdim)


def argmin(input, dim=None, keepdim=False):
    return input.argmin(axis=dim, keepdim=keepdim)


def _correction(unbiased, correction):
    if unbiased is not None and correction is not None:
        _unmapped("both unbiased and correction")
    return correction if correction is not None else (1 if unbiased in (None, True) else 0)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return input.var(axis=dim, keepdim=keepdim, correction=_correction(unbiased, correction))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return input.std(axis=dim, keepdim=keepdim, correction=_correction(unbiased, correction))


def cumsum(input, dim):
    return input.cumsum(axis=dim)


def cumprod(input, dim):
    return input.cumprod(axis=dim)


def logcumsumexp(input, dim):
    return input.logcumsumexp(axis=dim)


def softmax(input, dim, dtype=None):
    return input.softmax(axis=dim, dtype=dtype)


def log_softmax(input, dim, dtype=None):
    return input.log_softmax(axis=dim, dtype=dtype)


# ---- shape and indexing ------------------------------------------------------------------------------------
def reshape(input, shape):
    return input.reshape(shape)


def flatten(input, start_dim=0, end_dim=-1):
    return input.flatten(start_dim, end_dim)


def transpose(input, dim0, dim1):
    return input.transpose(dim0, dim1)


swapaxes = swapdims = transpose


def t(input):
    if input.ndim > 2:
        _unmapped("t() of a tensor with more than 2 dims (torch raises)")
    return input.transpose(0, 1) if input.ndim == 2 else input


def permute(input, dims):
    return input.permute(dims)


def squeeze(input, dim=None):
    if isinstance(dim, (tuple, list)):
        _unmapped("squeeze with a tuple of dims")
    return input.squeeze(dim)


def unsqueeze(input, dim):
    return input.unsqueeze(dim)


def flip(input, dims):
    return input.flip(dims)


def roll(input, shifts, dims=None):
    return input.roll(shifts, dims)


def tril(input, diagonal=0):
    return input.tril(diagonal)


def triu(input, diagonal=0):
    return input.triu(diagonal)


def cat(tensors, dim=0):
    first, *rest = tensors
    return first.cat(*rest, dim=dim)


concat = concatenate = cat


def stack(tensors, dim=0):
    first, *rest = tensors
    return first.stack(*rest, dim=dim)


def split(tensor, split_size_or_sections, dim=0):
    return tuple(tensor.split(split_size_or_sections, dim))


def chunk(input, chunks, dim=0):
    return tuple(input.chunk(chunks, dim))


def gather(input, dim, index):
    return input.gather(dim, index)


def masked_fill(input, mask, value):
    return input.masked_fill(mask, value)


def diagonal(input, offset=0, dim1=0, dim2=1):
    return input.diagonal(offset, dim1, dim2)


def repeat_interleave(input, repeats, dim=None):
    if isinstance(repeats, _Tensor):
        _unmapped("repeat_interleave with a tensor of repeats")
    return input.repeat_interleave(repeats, dim)


def broadcast_to(input, size):
    return input.expand(tuple(size))


def masked_select(input, mask):
    return input.masked_select(mask)


def nonzero(input, as_tuple=False):
    if as_tuple:
        _unmapped("nonzero(as_tuple=True)")
    return input.nonzero()


def numel(input):
    return input.numel()


def diag(input, diagonal=0):
    if input.ndim != 1 or diagonal != 0:
        _unmapped("diag of a matrix or with an offset (tinygrad's diag builds a matrix from a vector)")
    return input.diag()


def meshgrid(*tensors, indexing="ij"):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    first, *rest = tensors
    return first.meshgrid(*rest, indexing=indexing)


def sort(input, dim=-1, descending=False):
    return input.sort(dim, descending)


def argsort(input, dim=-1, descending=False):
    return input.argsort(dim, descending)


def topk(input, k, dim=-1, largest=True, sorted=True):  # noqa: A002
    return input.topk(k, dim, largest, sorted)


# ---- linear algebra ------------------------------------------------------------------------------------
def matmul(input, other):
    return input.matmul(other)


def mm(input, mat2):
    if input.ndim != 2 or mat2.ndim != 2:
        _unmapped("mm of non-matrices (torch raises)")
    return input.matmul(mat2)


def bmm(input, mat2):
    if input.ndim != 3 or mat2.ndim != 3:
        _unmapped("bmm of non-batches (torch raises)")
    return input.matmul(mat2)


def dot(input, tensor):
    if input.ndim != 1 or tensor.ndim != 1:
        _unmapped("dot of non-vectors (torch raises)")
    return input.dot(tensor)


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (tuple, list)):
        operands = tuple(operands[0])
    return _Tensor.einsum(equation, *operands)


# ---- autograd: tinygrad's Tensor.gradient with torch's arguments -------------------------------------------
def _loss(outputs, grad_outputs):
    """One scalar whose gradient is the vector-Jacobian product of ``outputs`` with ``grad_outputs``."""
    terms = [(o * g).sum() for o, g in zip(outputs, grad_outputs)]
    return functools.reduce(operator.add, terms)


def _as_list(x):
    return list(x) if isinstance(x, (tuple, list)) else [x]


def _backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    tensors = _as_list(tensors)
    if grad_tensors is None:
        grads = [None] * len(tensors)
    else:
        grads = _as_list(grad_tensors)
    if len(tensors) == 1:
        tensors[0].backward(grads[0])
    else:
        _loss(tensors, [g if g is not None else o.ones_like() for o, g in zip(tensors, grads)]).backward()


def _grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
          materialize_grads=False):
    outputs, inputs = _as_list(outputs), _as_list(inputs)
    grads = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    if len(outputs) == 1:
        return tuple(outputs[0].gradient(*inputs, gradient=grads[0]))
    return tuple(_loss(outputs, [g if g is not None else o.ones_like() for o, g in zip(outputs, grads)])
                 .gradient(*inputs))


autograd = types.SimpleNamespace(backward=_backward, grad=_grad)


@contextlib.contextmanager
def no_grad():
    yield  # nothing is recorded: gradients are derived from the lazy graph only when asked for


enable_grad = no_grad

from reference.targets import tinygrad_functional as _functional  # noqa: E402

nn = types.SimpleNamespace(functional=_functional)
