"""The scatter family: scatter, scatter_add, scatter_reduce, index_add/copy/fill/put, masked_scatter and their
in-place Tensor methods.

Every op is a composite of three differentiable primitives of shape.py: ``_index_put`` (write values at an advanced
index; its derivative zeroes those positions of the gradient and gathers the values' gradient from them),
``_index_add`` (add values at an advanced index, repeats accumulating; its derivative is the gather) and the advanced
``getitem``. So each op's derivative is torch's (e.g. scatter's src gradient is ``grad.gather(dim, index)``) and is
differentiable again, with no backward written here. Those primitives hold the index as numpy arrays, so each op
marks on its result (``also_saves``) the tensors torch's node saves -- the index whenever a gradient torch computes
reads it, the source where its gradient reads its shape through it (derivatives.yaml) -- so that an in-place edit of
one of them after the forward makes backward raise exactly where torch's does.

A 0-d tensor is handled as a 1-d tensor of one element, as torch's scatter kernels do.
The in-place forms go through ``inplace.inplace`` (version counter, views via CopySlices, leaf checks); their tensor
arguments are passed positionally because that machinery looks at positional arguments for ones requiring grad.
"""
import numpy as np

from .. import _dtype
from .._autograd import OUTPUT, also_saves, apply, needed
from .._tensor import Tensor
from ._common import ensure_tensor, norm_dim
from ._registry import op
from .elementwise import add, div, mul
from .inplace import inplace
from .reduce import amax, amin, prod
from .reduce import sum as _sum
from .shape import _convert_index, _index_add, _index_put, cat, expand, getitem, reshape

_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _as_1d(t):
    return reshape(t, (1,)) if t._data.ndim == 0 else t


def _restore(out, input):
    return reshape(out, ()) if input._data.ndim == 0 else out


def _same_dtype(op, input, src):
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype (self {input.dtype.name}, src "
                           f"{src.dtype.name})")


def _scatter_index(op, input, dim, index, src=None):
    """Check the arguments of a scatter along ``dim`` as torch does; return (input shape, index shape, grid) with 0-d
    shapes as (1,), where ``grid`` is the advanced index (index along dim, positions elsewhere) it writes at."""
    ensure_tensor(input, op)
    ensure_tensor(index, op, "index")
    idx = index._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index (got {idx.dtype})")
    xs, ins = input._data.shape or (1,), idx.shape or (1,)
    d = norm_dim(dim, input._data.ndim, op)
    if len(ins) != len(xs):
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as self tensor "
                           f"(index {tuple(idx.shape)}, self {tuple(input._data.shape)})")
    ss = None
    if src is not None:
        ss = src._data.shape or (1,)
        if len(ss) != len(xs):
            raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as src tensor "
                               f"(index {tuple(idx.shape)}, src {tuple(src._data.shape)})")
    if idx.size:
        if any((k != d and ins[k] > xs[k]) or (ss is not None and ins[k] > ss[k]) for k in range(len(xs))):
            raise RuntimeError(f"{op}(): Expected index {list(ins)} to be no larger than self {list(xs)} apart from "
                               f"dimension {d}" + (f" and to be no larger size than src {list(ss)}" if ss else ""))
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= xs[d]:
            raise RuntimeError(f"{op}(): index {lo if lo < 0 else hi} is out of bounds for dimension {d} with size "
                               f"{xs[d]}")
    grid = list(np.indices(ins, sparse=True))
    grid[d] = idx.reshape(ins).astype(np.int64, copy=False)
    return xs, ins, tuple(grid)


def _src_part(src, ins):
    """The leading ``ins``-shaped block of ``src`` (torch scatters only that much of a larger src)."""
    s = _as_1d(src)
    if s._data.shape == ins:
        return s
    return getitem(s, tuple(slice(0, n) for n in ins))


# ---- scatter ---------------------------------------------------------------------------------------------------
@op
def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    if src is not None and not isinstance(src, Tensor):  # scatter(dim, index, 2.5): the value form
        src, value = None, src
    if src is None and value is None:
        raise TypeError("scatter() missing required argument: 'src' or 'value'")
    if reduce is not None:
        return _scatter_legacy_reduce(input, dim, index, src, value, reduce)
    xs, ins, grid = _scatter_index("scatter", input, dim, index, src)
    if src is None:
        return also_saves(_restore(_index_put(_as_1d(input), grid, False, value), input), index)
    _same_dtype("scatter", input, src)
    # torch saves the index for both gradients (self's scatter of zeros, src's gather)
    return also_saves(_restore(_index_put(_as_1d(input), grid, False, _src_part(src, ins)), input), index)


def _scatter_legacy_reduce(input, dim, index, src, value, reduce):
    """``scatter(..., reduce='add'|'multiply')``: torch computes it but has no derivative for it, so the result is
    recorded with a backward that raises torch's error."""
    if reduce not in ("add", "multiply"):
        raise RuntimeError(f"scatter(): reduce argument must be either add or multiply (got {reduce!r})")
    from .inplace import _NoGrad

    with _NoGrad():
        if src is None:
            xs, ins, _ = _scatter_index("scatter", input, dim, index)
            src = Tensor._wrap(_dtype.full_array(ins, value, input.dtype))
        out = (scatter_add(input, dim, index, src) if reduce == "add"
               else scatter_reduce(input, dim, index, src, "prod"))

    def backward(g):
        raise RuntimeError("derivative for aten::scatter is not implemented (scatter with reduce=)")

    return apply("ScatterReduceBackward0", out._data, (input, src), backward)


@op
def scatter_add(input, dim, index, src):
    xs, ins, grid = _scatter_index("scatter_add", input, dim, index, src)
    _same_dtype("scatter_add", input, src)
    out = _restore(add(_as_1d(input), _index_add(_src_part(src, ins), xs, grid)), input)
    return also_saves(out, needed(index, src))  # only src's gradient (a gather) reads the index


@op
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Each position hit by the index becomes the reduction of the src values sent there (and of its own value if
    ``include_self``). Composite: the values of every hit position are gathered into one row of a padded matrix
    (padding: the reduction's identity), reduced along the rows with sum/prod/amax/amin, and written back. The
    derivatives are those of the row reductions, hence torch's (amax/amin split the gradient evenly among ties,
    self included)."""
    if reduce not in _REDUCES:
        raise RuntimeError(f"scatter_reduce(): reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    xs, ins, grid = _scatter_index("scatter_reduce", input, dim, index, src)
    _same_dtype("scatter_reduce", input, src)
    x = _as_1d(input)
    s = _src_part(src, ins)
    dt = x._data.dtype
    target = np.ravel_multi_index(np.broadcast_arrays(*grid), xs).ravel()  # flat target of each src element
    order = np.argsort(target, kind="stable")
    hit, starts, counts = np.unique(target[order], return_index=True, return_counts=True)
    lead = 1 if include_self else 0
    width = max((int(counts.max()) if hit.size else 0) + lead, 1)
    n_src, n_self = target.size, int(np.prod(xs))
    # ext = [src values, self values, one padding value]; rows[i] lists the positions in ext reduced into hit[i].
    rows = np.full((hit.size, width), n_src + n_self, dtype=np.int64)
    rank = np.arange(n_src) - np.repeat(starts, counts)
    rows[np.repeat(np.arange(hit.size), counts), lead + rank] = order
    if include_self:
        rows[:, 0] = n_src + hit
    pad = {"sum": 0, "mean": 0, "prod": 1, "amax": _lowest(dt), "amin": _highest(dt)}[reduce]
    ext = cat([reshape(s, (-1,)), reshape(x, (-1,)), Tensor._wrap(np.full(1, pad, dtype=dt))])
    grouped = getitem(ext, Tensor._wrap(rows))
    if reduce in ("sum", "mean"):
        r = _sum(grouped, 1)
        if reduce == "mean":
            n = Tensor._wrap((counts + lead).astype(dt))
            r = div(r, n, rounding_mode="floor") if dt.kind in "iub" else div(r, n)
    else:
        r = {"prod": prod, "amax": amax, "amin": amin}[reduce](grouped, 1)
    out = reshape(_index_put(reshape(x, (-1,)), (hit,), False, r), input._data.shape)
    # torch's derivative reads the result, so modifying it in place makes backward raise there; this identity node
    # declares the output saved to give the same refusal (its own derivative needs nothing). torch's one formula
    # for both gradients reads self, the index and src too.
    out = apply("ScatterReduceBackward0", out._data, (out,), lambda g, _out: (g,), saved=(OUTPUT,))
    return also_saves(out, input, index, src)


def _lowest(dt):
    return -np.inf if dt.kind == "f" else np.iinfo(dt).min if dt.kind in "iu" else False


def _highest(dt):
    return np.inf if dt.kind == "f" else np.iinfo(dt).max if dt.kind in "iu" else True


# ---- index_* along one dim ---------------------------------------------------------------------------------------
def _vector_index(op, input, dim, index, wrap=False, exc=IndexError, bounds=True):
    """Check a 1-D (or 0-d) index along ``dim``; return (dim, the index as int64, the size along dim).
    ``wrap``: negative entries count from the end (index_fill); otherwise they are out of range, as in torch.
    ``bounds=False``: the caller checks the entries later (``_check_bounds``), after what torch checks first."""
    ensure_tensor(input, op)
    ensure_tensor(index, op, "index")
    idx = index._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index but got: {idx.dtype}")
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector, but got dim: {idx.ndim} with size: "
                         f"{list(idx.shape)}")
    d = norm_dim(dim, input._data.ndim, op)
    n = (input._data.shape or (1,))[d]
    idx = idx.reshape(-1).astype(np.int64, copy=False)
    if bounds:
        _check_bounds(op, idx, d, n, wrap, exc)
    if wrap:
        idx = np.where(idx < 0, idx + n, idx)
    return d, idx, n


def _check_bounds(op, idx, d, n, wrap=False, exc=IndexError):
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        if hi >= n or lo < (-n if wrap else 0):
            bad = hi if hi >= n else lo
            raise exc(f"{op}(): index {bad} is out of bounds for dimension {d} with size {n} (index out of range "
                      f"in self)")


def _check_source(op, input, d, idx, source, count_exc=RuntimeError):
    ensure_tensor(source, op, "source")
    xs, ss = input._data.shape or (1,), source._data.shape or (1,)
    if len(ss) != len(xs) or any(a != b for k, (a, b) in enumerate(zip(xs, ss)) if k != d):
        raise RuntimeError(f"{op}(): source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension. Got self.shape = {list(xs)} source.shape = {list(ss)}")
    if ss[d] != idx.size:
        raise count_exc(f"{op}(): Number of indices ({idx.size}) should be equal to source.size(dim): ({ss[d]}), "
                        f"for dim: {d}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"{op}(): self ({input.dtype.name}) and source ({source.dtype.name}) must have the same "
                           "scalar type")


@op
def index_add(input, dim, index, source, *, alpha=1):
    # torch raises IndexError for a 0-d or 1-d input and RuntimeError otherwise
    exc = IndexError if input._data.ndim <= 1 else RuntimeError
    d, idx, _ = _vector_index("index_add", input, dim, index, exc=exc)
    _check_source("index_add", input, d, idx, source)
    x, src = _as_1d(input), _as_1d(source)
    if alpha != 1:
        src = mul(src, alpha)
    out = _restore(add(x, _index_add(src, x._data.shape, (slice(None),) * d + (idx,))), input)
    # only the source's gradient reads the index (and the source, for its shape: torch's expand_as(source))
    return also_saves(out, needed(index, source), needed(source, source))


@op
def index_copy(input, dim, index, source):
    d, idx, n = _vector_index("index_copy", input, dim, index, bounds=False)
    _check_source("index_copy", input, d, idx, source, count_exc=IndexError)  # torch checks the shapes first
    _check_bounds("index_copy", idx, d, n)
    out = _restore(_index_put(_as_1d(input), (slice(None),) * d + (idx,), False, _as_1d(source)), input)
    # both gradients read the index; the source's reads the source too (its shape: torch's expand_as(source))
    return also_saves(out, index, needed(source, source))


@op
def index_fill(input, dim, index, value):
    d, idx, _ = _vector_index("index_fill", input, dim, index, wrap=True)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        value = value.to(input.dtype)
    # Each position once: a repeated index must not count the value's gradient twice (torch's derivative uses
    # the unique indices too).
    out = _restore(_index_put(_as_1d(input), (slice(None),) * d + (np.unique(idx),), False, value), input)
    return also_saves(out, index)  # read by every gradient (self's index_fill, the value tensor's index_select)


@op
def index_put(input, indices, values, accumulate=False):
    ensure_tensor(input, "index_put")
    ensure_tensor(values, "index_put", "values")
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got {input.dtype.name} for "
                           f"the destination and {values.dtype.name} for the source.")
    index, _ = _convert_index(tuple(indices), input._data.shape)
    x = input._data
    try:
        target = x[index].shape
    except IndexError as e:
        raise IndexError(f"index_put: {e} (tensor of shape {tuple(x.shape)})") from None
    if not accumulate:
        # A broadcast error names the shapes as torch's does (RuntimeError).
        _broadcast_check(values._data.shape, target)
        # both gradients read the indices (self's index_put of zeros, the values' index)
        return also_saves(_index_put(input, index, False, values), *(i for i in indices if isinstance(i, Tensor)))
    _broadcast_check(values._data.shape, target)
    # Boolean masks as the integer positions they select: add.at accumulates over repeats of those.
    pos = tuple(q for a in index
                for q in (np.nonzero(a) if isinstance(a, np.ndarray) and a.dtype == np.bool_ else (a,)))
    out = add(input, _index_add(expand(values, target), x.shape, pos))
    # accumulating, self's gradient is the gradient itself: only the values' reads the indices
    return also_saves(out, *(needed(i, values) for i in indices if isinstance(i, Tensor)))


def _broadcast_check(vshape, target):
    try:
        if np.broadcast_shapes(vshape, target) != tuple(target):
            raise ValueError
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast to indexing "
                           f"result of shape {list(target)}") from None


@op
def masked_scatter(input, mask, source):
    ensure_tensor(input, "masked_scatter")
    ensure_tensor(mask, "masked_scatter", "mask")
    ensure_tensor(source, "masked_scatter", "source")
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype {m.dtype}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got "
                           f"{input.dtype.name} and {source.dtype.name}")
    try:
        shape = np.broadcast_shapes(input._data.shape, m.shape)
    except ValueError:
        raise RuntimeError(f"masked_scatter: the size of the mask {tuple(m.shape)} must be broadcastable with the "
                           f"input {tuple(input._data.shape)}") from None
    mb = np.broadcast_to(m, shape)
    n = int(mb.sum())
    if source._data.size < n:
        raise RuntimeError(f"masked_scatter: Number of elements of source < number of ones in mask ({source._data.size}"
                           f" < {n})")
    x = input if input._data.shape == shape else expand(input, shape)
    vals = getitem(reshape(source, (-1,)), slice(0, n))
    return also_saves(_index_put(x, (np.array(mb),), False, vals), mask)  # both gradients read the mask


def _broadcast_shape(a, b):
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        return None


# ---- in-place methods --------------------------------------------------------------------------------------------
@op(function=False)
def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    if src is None:
        return inplace(self, "scatter_", lambda t, i: scatter(t, dim, i, value=value, reduce=reduce), index)
    return inplace(self, "scatter_", lambda t, i, s: scatter(t, dim, i, s, reduce=reduce), index, src)


@op(function=False)
def scatter_add_(self, dim, index, src):
    return inplace(self, "scatter_add_", lambda t, i, s: scatter_add(t, dim, i, s), index, src)


@op(function=False)
def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    return inplace(self, "scatter_reduce_",
                   lambda t, i, s: scatter_reduce(t, dim, i, s, reduce, include_self=include_self), index, src)


@op(function=False)
def index_add_(self, dim, index, source, *, alpha=1):
    return inplace(self, "index_add_", lambda t, i, s: index_add(t, dim, i, s, alpha=alpha), index, source)


@op(function=False)
def index_copy_(self, dim, index, source):
    return inplace(self, "index_copy_", lambda t, i, s: index_copy(t, dim, i, s), index, source)


@op(function=False)
def index_fill_(self, dim, index, value):
    return inplace(self, "index_fill_", lambda t, i, v: index_fill(t, dim, i, v), index, value)


@op(function=False)
def index_put_(self, indices, values, accumulate=False):
    return inplace(self, "index_put_", lambda t, v: index_put(t, indices, v, accumulate), values)


@op(function=False)
def masked_scatter_(self, mask, source):
    m = mask._data if isinstance(mask, Tensor) else None
    if m is not None and m.dtype == np.bool_ and _broadcast_shape(m.shape, self._data.shape) != self._data.shape:
        raise RuntimeError(f"masked_scatter_: the mask {tuple(m.shape)} must broadcast to self "
                           f"{tuple(self._data.shape)} (in place, self cannot grow)")
    return inplace(self, "masked_scatter_", masked_scatter, mask, source)
