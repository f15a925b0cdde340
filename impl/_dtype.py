"""dtypes: torch's real dtypes, its type-promotion rules, finfo/iinfo and the default dtype.

Storage: every dtype but bfloat16 is the numpy dtype of the same name. NumPy has no bfloat16, so a bfloat16
tensor stores a float32 array of the subclass :class:`BFloat16Array` whose values are always exactly
representable in bfloat16: every numpy operation on such an array computes in float32 and rounds its floating
result to bfloat16 (round to nearest even on the upper 16 bits, as torch's CPU float->bfloat16 conversion).
That mirrors torch's CPU kernels, which compute bfloat16 ops in float32 ("opmath") and round the result.
"""
import builtins as _b

import numpy as np


class dtype:
    """A torch-like dtype: compares by identity, prints as ``impl.float32``."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "is_complex")

    def __init__(self, name, np_dtype, itemsize=None):
        self.name = name
        self.np = np.dtype(np_dtype)  # the storage dtype (float32 for bfloat16)
        self.is_floating_point = self.np.kind == "f"
        self.is_signed = self.np.kind in "fi"
        self.is_complex = False
        self.itemsize = itemsize if itemsize is not None else self.np.itemsize

    def __repr__(self):
        return f"impl.{self.name}"

    def to_real(self):
        return self

    def __reduce__(self):  # pickle as the module-level singleton
        return (_lookup_by_name, (self.name,))


bool_ = dtype("bool", np.bool_)
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
float16 = dtype("float16", np.float16)
bfloat16 = dtype("bfloat16", np.float32, itemsize=2)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
# torch's other names for the same objects
half, short, long, float, double = float16, int16, int64, float32, float64  # noqa: A001
int_ = int32  # torch.int (exported as impl.int)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64)
_BY_NAME = {d.name: d for d in ALL}
_BY_NP = {d.np: d for d in ALL if d is not bfloat16}
# numpy dtypes torch has no (full) counterpart of are mapped onto the closest supported one when data enters impl.
_COERCE = {"f": np.float32, "i": np.int64, "u": np.int64, "b": np.bool_}


def _lookup_by_name(name):
    return _BY_NAME[name]


# ---- bfloat16 storage ----------------------------------------------------------------------------------------
def _round_bf16_inplace(a):
    """Round a float32 array (owned, writeable) to bfloat16 precision in place: torch's round_to_nearest_even."""
    u = a.view(np.uint32)
    nan = np.isnan(a)
    u += ((u >> np.uint32(16)) & np.uint32(1)) + np.uint32(0x7FFF)
    u &= np.uint32(0xFFFF0000)
    if nan.any():
        a[nan] = np.nan
    return a


def to_bfloat16(arr):
    """A new :class:`BFloat16Array` holding ``arr`` rounded to bfloat16 (values computed in float32 first)."""
    a = np.array(arr, dtype=np.float32, copy=True)
    return _round_bf16_inplace(a).view(BFloat16Array)


def _plain(x):
    if isinstance(x, BFloat16Array):
        return x.view(np.ndarray)
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(e) for e in x)
    return x


def _root(a):
    while isinstance(a, np.ndarray) and a.base is not None:
        a = a.base
    return a


def _bf16_roots(args, out):
    for x in args:
        if isinstance(x, BFloat16Array):
            out.add(id(_root(x)))
        elif isinstance(x, (list, tuple)):
            _bf16_roots(x, out)
    return out


def _as_result(r, roots=frozenset()):
    """A numpy result computed from bfloat16 data: floating results are bfloat16 again, others stay as they are.
    ``roots``: ids of the bfloat16 inputs' memory; a view into it is already rounded and stays a view."""
    if isinstance(r, tuple):
        return tuple(_as_result(e, roots) for e in r)
    if isinstance(r, list):
        return [_as_result(e, roots) for e in r]
    if isinstance(r, np.ndarray):
        if r.dtype.kind != "f":
            return r
        if r.dtype == np.float32 and r.base is not None and id(_root(r)) in roots:
            return r.view(BFloat16Array)  # a view of bfloat16 data (reshape, transpose, broadcast): already rounded
        a = r.astype(np.float32) if r.dtype != np.float32 else r
        if not a.flags.writeable or a.base is not None:  # never round another array's memory in place
            a = a.copy()
        return _round_bf16_inplace(a).view(BFloat16Array)
    if isinstance(r, np.floating):
        return _round_bf16_inplace(np.array(r, dtype=np.float32)).view(BFloat16Array)
    return r


class BFloat16Array(np.ndarray):
    """float32 storage of a bfloat16 tensor (see the module docstring): values always bfloat16-exact."""

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        args = [_plain(x) for x in inputs]
        if out is not None:
            kwargs["out"] = tuple(_plain(o) for o in out)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # torch never warns on inf/nan results
            result = getattr(ufunc, method)(*args, **kwargs)
        if method == "at":
            targets = (inputs[0],)
        elif out is not None:
            targets = out
        else:
            return _as_result(result)
        for o in targets:
            if isinstance(o, BFloat16Array):
                _round_bf16_inplace(o.view(np.ndarray))
        if method == "at":
            return None
        return out[0] if len(out) == 1 else out

    def __array_function__(self, func, types, args, kwargs):
        result = func(*_plain(args), **{k: _plain(v) for k, v in kwargs.items()})
        if func is np.copyto or func is np.put or func is np.place or func is np.putmask:
            if isinstance(args[0], BFloat16Array):
                _round_bf16_inplace(args[0].view(np.ndarray))
            return result
        return _as_result(result, _bf16_roots(args, _bf16_roots(tuple(kwargs.values()), set())))

    def __setitem__(self, key, value):
        v = np.asarray(value)
        if v.dtype.kind in "fiub" and not isinstance(value, BFloat16Array):
            v = to_bfloat16(v)
        np.ndarray.__setitem__(self.view(np.ndarray), key, _plain(v))

    def fill(self, value):
        self.view(np.ndarray).fill(to_bfloat16(value).item())

    def astype(self, dt, *args, **kwargs):
        """float32 keeps bfloat16 (code casting ``.astype(x.dtype)`` means "the same dtype"); others are plain."""
        nd = np.dtype(dt)
        if nd == np.float32:
            return np.ndarray.astype(self, nd, *args, **kwargs)
        return self.view(np.ndarray).astype(nd, *args, **kwargs)

    def __reduce__(self):  # pickle the values; unpickle as bfloat16 again
        return (to_bfloat16, (self.view(np.ndarray).copy(),))


# ---- numpy <-> impl ------------------------------------------------------------------------------------------
def of_array(a):
    """The impl dtype of a storage array."""
    if type(a) is BFloat16Array:
        return bfloat16
    return _BY_NP[a.dtype]


def from_np(np_dtype):
    if isinstance(np_dtype, dtype):  # already an impl dtype
        return np_dtype
    return _BY_NP[np.dtype(np_dtype)]


def to_np(d):
    """Accept an impl dtype, a numpy dtype/type, a Python type or None; return the storage numpy dtype or None."""
    if d is None:
        return None
    return to_impl(d).np


def to_impl(d):
    """Accept an impl dtype, a numpy dtype/type or a Python type (float/int/bool); return the impl dtype."""
    if isinstance(d, dtype):
        return d
    if d is _b.float:
        return float64  # torch: dtype=float is torch.float64
    if d is _b.int:
        return int64
    if d is _b.bool:
        return bool_
    try:
        nd = np.dtype(d)
    except TypeError:
        raise TypeError(f"impl: unsupported dtype {d!r}") from None
    if nd not in _BY_NP:
        raise TypeError(f"impl: unsupported dtype {d!r}; supported: {', '.join(x.name for x in ALL)}")
    return _BY_NP[nd]


def cast_array(a, d):
    """``a`` (any storage array) as a storage array of dtype ``d`` (an impl dtype, or anything ``to_impl`` accepts;
    a new array unless it already is)."""
    d = to_impl(d)
    if d is bfloat16:
        if type(a) is BFloat16Array:
            return a
        return to_bfloat16(a)
    if type(a) is BFloat16Array:
        a = a.view(np.ndarray)
    if a.dtype == d.np:
        return a
    with np.errstate(over="ignore", invalid="ignore"):  # out-of-range values become inf / wrap, as torch's casts
        return a.astype(d.np)


def empty_array(shape, d):
    """An uninitialised storage array of impl dtype ``d``."""
    a = np.empty(shape, dtype=d.np)
    return a.view(BFloat16Array) if d is bfloat16 else a


def full_array(shape, value, d):
    """A storage array of impl dtype ``d`` filled with ``value`` (converted as torch does)."""
    if d is bfloat16:
        return np.full(shape, to_bfloat16(value).item(), dtype=np.float32).view(BFloat16Array)
    if d.np.kind in "iu" and not isinstance(value, (_b.bool, np.bool_)):
        return np.full(shape, np.array(value).astype(d.np))  # out-of-range integers wrap, as torch's
    return np.full(shape, value, dtype=d.np)


# ---- the default dtype ---------------------------------------------------------------------------------------
_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d, /):
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def default_np():
    return _default[0].np


# ---- promotion (torch's c10::promoteTypes and at::native::result_type) ----------------------------------------
def category(d):
    """bool < integer < floating: a Python scalar or 0-d tensor never promotes within a category."""
    return 0 if d is bool_ else (2 if d.is_floating_point else 1)


_INT_ORDER = (uint8, int8, int16, int32, int64)
_FLOAT_RANK = {float16: 0, bfloat16: 0, float32: 1, float64: 2}


def promote_types(type1, type2):
    """torch.promote_types: the smallest dtype both can be converted to without leaving their category."""
    a, b = to_impl(type1), to_impl(type2)
    if a is b:
        return a
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    if ca == 2:
        if {a, b} == {float16, bfloat16}:
            return float32
        return a if _FLOAT_RANK[a] > _FLOAT_RANK[b] else b
    # integers: numpy's table agrees with torch's (uint8 with int8 gives int16; uint8 with int64, int64)
    return _BY_NP[np.promote_types(a.np, b.np)]


def _promote_all(ds):
    out = None
    for d in ds:
        out = d if out is None else promote_types(out, d)
    return out


def _combine_categories(higher, lower):
    """torch's combine_categories: a lower-priority group counts only if it brings a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def operand_dtype(op):
    """(impl dtype, priority) of one operand: 0 dimensioned tensor, 1 zero-dim tensor, 2 Python scalar."""
    a = getattr(op, "_data", None)
    if a is not None:
        return of_array(a), (0 if a.ndim else 1)
    if isinstance(op, (_b.bool, np.bool_)):
        return bool_, 2
    if isinstance(op, (_b.int, np.integer)):
        return int64, 2
    if isinstance(op, (_b.float, np.floating)):
        return _default[0], 2  # a Python float counts as the default dtype, as torch's wrapped numbers
    if isinstance(op, np.ndarray):
        return of_array(op), (0 if op.ndim else 1)
    raise TypeError(f"impl: unsupported operand type {type(op).__name__}")


def result_type(*operands):
    """torch.result_type over Tensors, 0-d Tensors and Python scalars (an impl dtype).

    Each group (dimensioned tensors, 0-d tensors, Python scalars) is promoted on its own; a lower group changes
    the result only when it brings a higher category (bool < int < float), so ``float16_tensor * 2.0`` stays
    float16 and ``int32_tensor + float64_zero_dim`` is float64, but ``int8_tensor + int64_zero_dim`` is int8.
    """
    groups = ([], [], [])
    for op in operands:
        d, prio = operand_dtype(op)
        groups[prio].append(d)
    dim, zero, wrapped = (_promote_all(g) for g in groups)
    return _combine_categories(dim, _combine_categories(zero, wrapped))


def can_cast(from_, to):
    """torch.can_cast: casting is allowed unless it lowers the category (float to int, int to bool)."""
    return category(to_impl(from_)) <= category(to_impl(to))


# ---- finfo / iinfo -------------------------------------------------------------------------------------------
class finfo:
    """torch.finfo: machine limits of a floating dtype (default: the default dtype)."""

    _BF16 = dict(bits=16, eps=2.0**-7, max=3.3895313892515355e38, tiny=2.0**-126, resolution=0.01)

    def __init__(self, type=None):  # noqa: A002 - torch's argument name
        d = _default[0] if type is None else to_impl(type)
        if not d.is_floating_point:
            raise TypeError(f"impl.finfo() requires a floating point input type. Use impl.iinfo to handle "
                            f"'impl.finfo' (got {d})")
        if d is bfloat16:
            v = self._BF16
            self.bits, self.eps, self.max, self.tiny, self.resolution = (
                v["bits"], v["eps"], v["max"], v["tiny"], v["resolution"])
        else:
            f = np.finfo(d.np)
            self.bits, self.eps, self.max = f.bits, _b.float(f.eps), _b.float(f.max)
            self.tiny, self.resolution = _b.float(f.smallest_normal), 10.0 ** -f.precision  # torch's: a power of ten
        self.min = -self.max
        self.smallest_normal = self.tiny
        self.dtype = d.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """torch.iinfo: limits of an integer dtype."""

    def __init__(self, type):  # noqa: A002 - torch's argument name
        d = to_impl(type)
        if d.is_floating_point:
            raise TypeError(f"impl.iinfo() requires an integer input type. Use impl.finfo to handle 'impl.iinfo' "
                            f"(got {d})")
        if d is bool_:
            raise TypeError("impl.bool is not supported by impl.iinfo")
        i = np.iinfo(d.np)
        self.bits, self.min, self.max = i.bits, _b.int(i.min), _b.int(i.max)
        self.dtype = d.name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


# ---- legacy tensor type names (Tensor.type()) ----------------------------------------------------------------
TENSOR_TYPE_NAMES = {"bool": "BoolTensor", "uint8": "ByteTensor", "int8": "CharTensor", "int16": "ShortTensor",
                     "int32": "IntTensor", "int64": "LongTensor", "float16": "HalfTensor", "bfloat16": "BFloat16Tensor",
                     "float32": "FloatTensor", "float64": "DoubleTensor"}
_BY_TENSOR_TYPE = {tn: _BY_NAME[name] for name, tn in TENSOR_TYPE_NAMES.items()}


def from_tensor_type_name(name):
    """The dtype of a legacy type name: ``impl.HalfTensor`` (or torch's spelling ``torch.HalfTensor``)."""
    module, _, tn = name.rpartition(".")
    if module not in ("impl", "torch") or tn not in _BY_TENSOR_TYPE:
        raise ValueError(f"invalid type: {name!r}")
    return _BY_TENSOR_TYPE[tn]
