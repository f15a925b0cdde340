"""Tensor factories with torch's names, signatures and defaults."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _dtype, random
from ._tensor import Tensor
from .ops._registry import op

# One size argument: ``zeros(2, 3)`` (ints) or ``zeros((2, 3))`` (one sequence), as torch.
_SizeArg = int | Sequence[int]
_Number = bool | int | float
_DType = _dtype.dtype | None


def _required_size(size, name):
    """``_size`` of a factory's ``*size``, which torch requires: ``zeros()`` raises where ``zeros(())`` is 0-d."""
    if not size:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    return _size(size)


def _factory_size(sizes, size, name):
    """The shape a factory is asked for: its ``*sizes``, or the ``size=`` keyword torch's factories accept too
    (``zeros(size=(2, 3))``); never both."""
    if size is None:
        return _required_size(sizes, name)
    if sizes:
        if name in ("rand", "randn"):  # torch's overloads with a generator: its argument parser reports these
            got = ", ".join(type(s).__name__ for s in sizes)
            raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}, size="
                            f"{type(size).__name__}), but expected one of:\n * (tuple of ints size, *, "
                            "torch.Generator generator, torch.dtype dtype = None, bool requires_grad = False)\n")
        raise TypeError(f"{name}() got multiple values for argument 'size'")
    return _size((_size_sequence(size, name),))


def _size_sequence(size, name):
    """torch's ``size=`` is a sequence of ints: ``zeros(size=2)`` raises where ``zeros(2)`` is a shape."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{name}(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    return size


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)):
            raise TypeError(f"size must be a tuple of ints, but got an element of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def _finish(arr, requires_grad, dtype=None):
    """``arr`` as a new Tensor; ``dtype`` bfloat16 rounds the float32 values (numpy has no bfloat16: impl/_dtype.py)."""
    if dtype is _dtype.bfloat16:
        arr = _dtype.to_bfloat16(arr)
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _np(dtype, default=None):
    """The storage numpy dtype of ``dtype``, else of ``default`` (None: the default float dtype)."""
    if dtype is not None:
        return _dtype.to_np(dtype)
    return _dtype.default_np() if default is None else np.dtype(default)


@op(method=False)
def zeros(*sizes: _SizeArg, size: Sequence[int] | None = None, dtype: _DType = None, requires_grad: bool = False,
          device: Any = None) -> Tensor:
    return _finish(np.zeros(_factory_size(sizes, size, "zeros"), dtype=_np(dtype)), requires_grad, dtype)


@op(method=False)
def ones(*sizes: _SizeArg, size: Sequence[int] | None = None, dtype: _DType = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    return _finish(np.ones(_factory_size(sizes, size, "ones"), dtype=_np(dtype)), requires_grad, dtype)


@op(method=False)
def empty(*sizes: _SizeArg, size: Sequence[int] | None = None, dtype: _DType = None, requires_grad: bool = False,
          device: Any = None) -> Tensor:
    return _finish(np.empty(_factory_size(sizes, size, "empty"), dtype=_np(dtype)), requires_grad, dtype)


def _infer_scalar_dtype(value):
    if isinstance(value, bool):
        return np.bool_
    if isinstance(value, (int, np.integer)):
        return np.int64
    return None  # the default float dtype


@op(method=False)
def full(size: _SizeArg, fill_value: _Number, dtype: _DType = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    return _finish(np.full(_size((size,)), fill_value, dtype=_np(dtype, _infer_scalar_dtype(fill_value))), requires_grad, dtype)


@op(method=False)
def zeros_like(input: Tensor, dtype: _DType = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _finish(np.zeros(input._data.shape, dtype=_np(dtype, input._data.dtype)), requires_grad, dtype or input.dtype)


@op(method=False)
def ones_like(input: Tensor, dtype: _DType = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _finish(np.ones(input._data.shape, dtype=_np(dtype, input._data.dtype)), requires_grad, dtype or input.dtype)


@op(method=False)
def empty_like(input: Tensor, dtype: _DType = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _finish(np.empty(input._data.shape, dtype=_np(dtype, input._data.dtype)), requires_grad, dtype or input.dtype)


@op(method=False)
def full_like(input: Tensor, fill_value: _Number, dtype: _DType = None, requires_grad: bool = False,
              device: Any = None) -> Tensor:
    return _finish(np.full(input._data.shape, fill_value, dtype=_np(dtype, input._data.dtype)), requires_grad, dtype or input.dtype)


@op(method=False)
def arange(start: float, end: float | None = None, step: float = 1, dtype: _DType = None, requires_grad: bool = False,
           device: Any = None) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:  # as torch: an empty range must still point the way of the step
        raise RuntimeError(
            f"arange: upper bound and lower bound inconsistent with step sign (start={start}, end={end}, step={step})"
        )
    vals = (start, end, step)
    default = np.int64 if all(isinstance(v, (int, np.integer)) for v in vals) else None
    np_dtype = _np(dtype, default)
    n = int(np.ceil((end - start) / step))
    arr = (start + np.arange(max(n, 0), dtype=np.float64) * step).astype(np_dtype)
    return _finish(arr, requires_grad, dtype)


@op(method=False)
def linspace(start: float, end: float, steps: int, dtype: _DType = None, requires_grad: bool = False,
             device: Any = None) -> Tensor:
    if steps < 0:
        raise RuntimeError(f"linspace(): number of steps must be non-negative, got {steps}")
    return _finish(np.linspace(start, end, steps, dtype=np.float64).astype(_np(dtype)), requires_grad, dtype)


@op(method=False)
def eye(n: int, m: int | None = None, dtype: _DType = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    for name, v in (("n", n), ("m", m)):
        if v is not None and v < 0:
            raise RuntimeError(f"eye(): {name} must be greater or equal to 0, got {v}")
    return _finish(np.eye(n, m, dtype=_np(dtype)), requires_grad, dtype)


@op(method=False)
def randn(*sizes: _SizeArg, size: Sequence[int] | None = None, dtype: _DType = None, requires_grad: bool = False,
          generator: random.Generator | None = None, device: Any = None) -> Tensor:
    rng = generator.rng if generator is not None else random.generator()
    return _finish(rng.standard_normal(_factory_size(sizes, size, "randn")).astype(_np(dtype)), requires_grad, dtype)


@op(method=False)
def rand(*sizes: _SizeArg, size: Sequence[int] | None = None, dtype: _DType = None, requires_grad: bool = False,
         generator: random.Generator | None = None, device: Any = None) -> Tensor:
    rng = generator.rng if generator is not None else random.generator()
    return _finish(rng.random(_factory_size(sizes, size, "rand")).astype(_np(dtype)), requires_grad, dtype)


@op(method=False)
def randint(low: int = 0, high: int | _SizeArg | None = None, size: _SizeArg | None = None, dtype: _DType = None,
            requires_grad: bool = False, generator: random.Generator | None = None, device: Any = None) -> Tensor:
    # torch's two forms, randint(high, size) and randint(low, high, size), size positional or by keyword
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None and size is not None:  # randint(high, size=...)
        low, high = 0, low
    if high is None or size is None:
        raise TypeError("randint() received an invalid combination of arguments: expected one of (int high, tuple "
                        "of ints size) or (int low, int high, tuple of ints size)")
    size = _size_sequence(size, "randint")
    if low >= high:
        raise RuntimeError(f"randint(): random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    rng = generator.rng if generator is not None else random.generator()
    return _finish(rng.integers(low, high, _size((size,))).astype(_np(dtype, np.int64)), requires_grad, dtype)


@op(method=False)
def randn_like(input: Tensor, dtype: _DType = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return randn(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)  # a tuple: 0-d too


@op(method=False)
def rand_like(input: Tensor, dtype: _DType = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return rand(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)  # a tuple: 0-d too


@op(method=False)
def randperm(n: int, dtype: _DType = None, requires_grad: bool = False, generator: random.Generator | None = None,
             device: Any = None) -> Tensor:
    rng = generator.rng if generator is not None else random.generator()
    return _finish(rng.permutation(n).astype(_np(dtype, np.int64)), requires_grad, dtype)


@op
def multinomial(input: Tensor, num_samples: int, replacement: bool = False,
                generator: random.Generator | None = None) -> Tensor:
    rng = generator.rng if generator is not None else random.generator()
    p = input._data.astype(np.float64)
    p2 = p.reshape(-1, p.shape[-1])
    p2 = p2 / p2.sum(axis=1, keepdims=True)
    if replacement:  # inverse-CDF sampling, all rows at once
        u = rng.random((p2.shape[0], num_samples))
        out = (u[:, :, None] > np.cumsum(p2, axis=1)[:, None, :]).sum(axis=2)
        out = np.minimum(out, p2.shape[1] - 1)
    else:  # Gumbel top-k: sampling without replacement, all rows at once
        if num_samples > p2.shape[1]:
            raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement (got {num_samples} > {p2.shape[1]})")
        with np.errstate(divide="ignore"):
            keys = np.log(p2) + rng.gumbel(size=p2.shape)
        out = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    return Tensor._wrap(out.astype(np.int64).reshape(p.shape[:-1] + (num_samples,)))


@op
def bernoulli(input: Tensor, generator: random.Generator | None = None) -> Tensor:
    rng = generator.rng if generator is not None else random.generator()
    return Tensor._wrap(_dtype.cast_array(rng.random(input._data.shape) < input._data, input.dtype))  # bfloat16 too
