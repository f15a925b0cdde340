"""More torch.* ops, built from existing ones: diagflat, fliplr/flipud, logaddexp2, sgn, take,
numel, and the factories logspace, normal and randint_like."""
import numpy as np

from .. import _dtype, random
from .._autograd import OUTPUT, also_saves, apply
from .._tensor import Tensor
from . import elementwise as ew
from . import linalg
from . import shape as sh
from ._common import ensure_tensor
from ._registry import op

_LN2 = float(np.log(2.0))
_TORCH_TYPE = {"int64": "Long", "bool": "Bool", "float32": "Float", "float64": "Double"}  # as torch prints them


def _rng(generator):
    return generator.rng if generator is not None else random.generator()


def _finish(arr, requires_grad):
    t = Tensor._wrap(arr)
    return t.requires_grad_(True) if requires_grad else t


@op
def diagflat(input, offset=0):
    """The flattened input on the ``offset`` diagonal of a square matrix: (S_r^T * x) @ S_c with constant 0/1
    selection matrices S (n, m) placing element k at row k + max(-offset, 0), column k + max(offset, 0)."""
    ensure_tensor(input, "diagflat")
    x = sh.reshape(input, (-1,))
    n = x._data.shape[0]
    m = n + abs(int(offset))
    k = np.arange(n)
    rows = _dtype.full_array((n, m), 0, input.dtype)
    cols = _dtype.full_array((n, m), 0, input.dtype)
    rows[k, k + max(-offset, 0)] = 1
    cols[k, k + max(offset, 0)] = 1
    return linalg.matmul(sh.transpose(ew.mul(Tensor._wrap(rows), sh.unsqueeze(x, 1)), 0, 1), Tensor._wrap(cols))


@op
def fliplr(input):
    ensure_tensor(input, "fliplr")
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return sh.flip(input, (1,))


@op
def flipud(input):
    ensure_tensor(input, "flipud")
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return sh.flip(input, (0,))


@op
def logaddexp2(input, other):
    """log2(2**x + 2**y) = logaddexp(x ln 2, y ln 2) / ln 2: logaddexp's overflow-free primitive does the work."""
    ensure_tensor(input, "logaddexp2")
    ensure_tensor(other, "logaddexp2", "other")  # torch takes no Python scalar here
    out = ew.div(ew.logaddexp(ew.mul(input, _LN2), ew.mul(other, _LN2)), _LN2)
    return also_saves(out, input, other)  # torch's node reads both for both gradients; logaddexp saves the scaled ones


@op
def sgn(input):
    """x / |x| (0 at 0): for real tensors, sign. A primitive rather than sign(): torch's SgnBackward0 saves its
    result (an in-place change of the output makes backward raise), sign's saves nothing."""
    ensure_tensor(input, "sgn")
    out = ew.sign(input.detach())._data
    # torch's sgn_backward reads the input and the result
    return apply("SgnBackward0", out, (input,), lambda g, out: (ew.mul(g, 0.0),), saved=(input, OUTPUT))


@op
def take(input, index):
    """input viewed as 1-D, gathered at ``index`` (negative indices count from the end); the result has index's
    shape."""
    ensure_tensor(input, "take")
    ensure_tensor(index, "take", "index")
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {index.dtype}")
    n = input._data.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    flat_idx = Tensor._wrap(np.where(idx < 0, idx + n, idx).reshape(-1))
    # torch's take_backward reads the index the user passed (the gather saves its own wrapped copy)
    return also_saves(sh.reshape(sh.gather(sh.reshape(input, (-1,)), 0, flat_idx), idx.shape), index)


@op(method=False)
def numel(input) -> int:
    ensure_tensor(input, "numel")
    return int(input._data.size)


@op(method=False)
def logspace(start, end, steps, base=10.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """base ** linspace(start, end, steps), computed in float64 and rounded once to the result dtype."""
    np_dtype = _dtype.to_np(dtype) if dtype is not None else np.dtype(np.float32)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    exps = np.linspace(float(start), float(end), int(steps), dtype=np.float64)
    return _finish(np.power(float(base), exps).astype(np_dtype), requires_grad)


def _normal_sample(mean, std, generator, shape, np_dtype):
    if isinstance(std, Tensor):
        s = std._data
        if s.size and not (s >= 0).all():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    return (m + s * _rng(generator).standard_normal(shape)).astype(np_dtype)


@op(method=False)
def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Draws from N(mean, std), elementwise for tensor mean/std (broadcast), or of ``size`` for two floats.

    The tensor forms are differentiable with a zero gradient, as torch's (derivatives.yaml gives ``normal`` zero
    derivatives for mean and std: it is not the reparameterised ``mean + std * eps``)."""
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got (float, float), "
                            "but expected a size for the (float mean, float std, tuple of ints size) form")
        shape = tuple(size) if isinstance(size, (tuple, list)) else (size,)
        np_dtype = _dtype.to_np(dtype) if dtype is not None else np.dtype(np.float32)
        return _finish(_normal_sample(mean, std, generator, shape, np_dtype), requires_grad)
    for t in tensors:
        if t._data.dtype.kind != "f":
            raise NotImplementedError(f'"normal_kernel_cpu" not implemented for \'{_TORCH_TYPE[t._data.dtype.name]}\'')
    shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    np_dtype = np.result_type(*(t._data.dtype for t in tensors))
    out = _normal_sample(mean, std, generator, shape, np_dtype)

    def backward(g):  # zero derivatives, as torch's
        return tuple(ew.mul(g, 0.0) if isinstance(t, Tensor) else None for t in (mean, std))

    inputs = tuple(t if isinstance(t, Tensor) else None for t in (mean, std))
    return apply("NormalBackward3", out, inputs, backward)


@op(method=False)
def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    """Integers uniform on [low, high) in input's shape and (by default) dtype; ``randint_like(x, high)``."""
    ensure_tensor(input, "randint_like")
    if high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    np_dtype = _dtype.to_np(dtype) if dtype is not None else input._data.dtype
    arr = _rng(generator).integers(int(low), int(high), input._data.shape).astype(np_dtype)
    return _finish(arr, requires_grad)

