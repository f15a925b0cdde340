"""Shared helpers for ops: operand coercion, dtype promotion and torch-style errors."""
import numpy as np

from .. import _dtype
from .._dtype import result_type
from .._tensor import Tensor


def scalar_array(x, np_dtype):
    """A Python scalar as a 0-d array of ``np_dtype``; an out-of-range integer wraps, as torch's conversion."""
    try:
        return np.asarray(x, dtype=np_dtype)
    except OverflowError:
        return np.asarray(np.array(x).astype(np_dtype))


def as_tensor_operand(x, np_dtype):
    """A Python scalar or array operand as a (non-differentiable) Tensor of ``np_dtype``."""
    if isinstance(x, Tensor):
        return x
    return Tensor._wrap(scalar_array(x, np_dtype))


_KIND_CAT = {"b": 0, "i": 1, "u": 1, "f": 2}
_SCALAR_CAT = {bool: 0, int: 1, float: 2}


def _scalar_default(kind):
    return np.dtype(np.bool_) if kind is bool else np.dtype(np.int64) if kind is int else _dtype.default_np()


def binary_operands(a, b, op):
    """Promote ``a`` and ``b`` as torch does; return (tensor_a, tensor_b, array_a, array_b, numpy dtype).

    A Python-scalar operand comes back as ``None`` in the tensor slot (it never needs a gradient); its array is
    a 0-d array of the result's storage dtype (plain float32 next to bfloat16, so that the op computes in float32
    and rounds once, as torch's CPU kernels do).
    The two fast paths (same-dtype tensors; tensor with a Python scalar) keep per-op overhead low.
    """
    if isinstance(a, Tensor):
        x = a._data
        if isinstance(b, Tensor):
            y = b._data
            if x.dtype == y.dtype and type(x) is type(y):
                return a, b, x, y, x.dtype
        elif type(b) in _SCALAR_CAT:
            dt = x.dtype if _KIND_CAT[x.dtype.kind] >= _SCALAR_CAT[type(b)] else _scalar_default(type(b))
            return a, None, (x if x.dtype == dt else x.astype(dt)), scalar_array(b, dt), dt
    elif isinstance(b, Tensor) and type(a) in _SCALAR_CAT:
        y = b._data
        dt = y.dtype if _KIND_CAT[y.dtype.kind] >= _SCALAR_CAT[type(a)] else _scalar_default(type(a))
        return None, b, scalar_array(a, dt), (y if y.dtype == dt else y.astype(dt)), dt
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{op}(): expected at least one Tensor argument")
    try:
        d = result_type(a, b)
    except TypeError:
        raise TypeError(
            f"{op}(): unsupported operand types {type(a).__name__} and {type(b).__name__}"
        ) from None
    dt = d.np
    ta = as_tensor_operand(a, dt)
    tb = as_tensor_operand(b, dt)
    x = ta._data if not isinstance(a, Tensor) else _dtype.cast_array(ta._data, d)
    y = tb._data if not isinstance(b, Tensor) else _dtype.cast_array(tb._data, d)
    return ta, tb, x, y, dt


def broadcast_error(op, *arrays):
    shapes = [tuple(a.shape) for a in arrays]
    # Name the first mismatching dimension the way torch does.
    nd = max(len(s) for s in shapes)
    padded = [(1,) * (nd - len(s)) + s for s in shapes]
    for i in range(nd):
        sizes = {p[i] for p in padded if p[i] != 1}
        if len(sizes) > 1:
            a, b = (p[i] for p in padded[:2])
            return RuntimeError(
                f"{op}: The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton "
                f"dimension {i} (shapes {shapes[0]} and {shapes[1]})"
            )
    return RuntimeError(f"{op}: shapes {shapes} are not broadcastable")


def float_array(t):
    """The array of ``t`` as floating point (int/bool inputs promote to the default dtype, as torch's float ops)."""
    a = t._data
    return a if a.dtype.kind == "f" else a.astype(_dtype.default_np())


def ensure_tensor(x, op, arg="input", position=None):
    """``x`` if it is a Tensor, else torch's argument-parser TypeError (``position``: the argument's place, which
    torch names for some ops; a type outside builtins by its module, as ``numpy.ndarray``)."""
    if not isinstance(x, Tensor):
        kind = type(x).__name__ if type(x).__module__ == "builtins" else f"{type(x).__module__}.{type(x).__name__}"
        where = f" (position {position})" if position is not None else ""
        raise TypeError(f"{op}(): argument '{arg}'{where} must be Tensor, not {kind}")
    return x


def norm_dim(dim, ndim, op):
    n = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}(): dim must be an int, got {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(
            f"{op}(): Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return int(dim) % n


def norm_dims(dim, ndim, op):
    """``dim`` (None, int, or tuple/list) as a sorted tuple of non-negative axes (None -> all)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (norm_dim(dim, ndim, op),)
    axes = tuple(norm_dim(d, ndim, op) for d in dim)
    if len(set(axes)) != len(axes):
        repeated = next(a for a in axes if axes.count(a) > 1)
        raise RuntimeError(f"{op}(): dim {repeated} appears multiple times in the list of dims {tuple(dim)}")
    return tuple(sorted(axes))


def is_low_precision(a):
    """Whether storage array ``a`` is float16 or bfloat16."""
    return a.dtype == np.float16 or type(a) is _dtype.BFloat16Array


def opmath(a):
    """float16/bfloat16 storage as a plain float32 array: torch's CPU kernels for reductions, cumsum and softmax
    compute these dtypes in float32 and round once at the end (numpy's float16 cumsum would round every step)."""
    if type(a) is _dtype.BFloat16Array:
        return a.view(np.ndarray)
    return a.astype(np.float32) if a.dtype == np.float16 else a


def from_opmath(out, like):
    """A result computed by :func:`opmath` back in the dtype of storage array ``like`` (rounded once)."""
    return _dtype.cast_array(np.asanyarray(out), _dtype.of_array(like)) if is_low_precision(like) else out
