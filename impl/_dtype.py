"""dtypes: the four torch dtypes impl supports, and torch's type-promotion rules."""
import numpy as np


class dtype:
    """A torch-like dtype: compares by identity, prints as ``impl.float32``."""

    __slots__ = ("name", "np", "is_floating_point", "itemsize")

    def __init__(self, name, np_dtype):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return f"impl.{self.name}"

    def __reduce__(self):  # pickle as the module-level singleton
        return (_lookup_by_name, (self.name,))


float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
int64 = dtype("int64", np.int64)
bool_ = dtype("bool", np.bool_)
float = float32  # noqa: A001 - torch.float
double = float64
long = int64

_BY_NP = {d.np: d for d in (float32, float64, int64, bool_)}
# Other numpy dtypes are mapped onto the closest supported one when data enters impl.
_COERCE = {"f": np.float32, "i": np.int64, "u": np.int64, "b": np.bool_}


def _lookup_by_name(name):
    return {"float32": float32, "float64": float64, "int64": int64, "bool": bool_}[name]


def from_np(np_dtype):
    return _BY_NP[np_dtype]


def to_np(d):
    """Accept an impl dtype, a numpy dtype/type or None; return a numpy dtype or None."""
    if d is None:
        return None
    if isinstance(d, dtype):
        return d.np
    if d is builtins_float:
        return float32.np
    if d is builtins_int:
        return int64.np
    if d is builtins_bool:
        return bool_.np
    nd = np.dtype(d)
    if nd not in _BY_NP:
        raise TypeError(f"impl: unsupported dtype {d!r}; supported: float32, float64, int64, bool")
    return nd


import builtins as _b  # noqa: E402

builtins_float, builtins_int, builtins_bool = _b.float, _b.int, _b.bool

# Category of a dtype kind for torch's promotion: bool < integer < floating.
_CAT = {"b": 0, "i": 1, "u": 1, "f": 2}
_DEFAULT_FOR_CAT = {0: np.dtype(np.bool_), 1: np.dtype(np.int64), 2: np.dtype(np.float32)}


def result_type(*operands):
    """torch.result_type over Tensors (with shape), 0-d Tensors and Python scalars.

    Torch's rule: a higher category (bool < int < float) always wins; within the winning category,
    dimensioned tensors take precedence over 0-d tensors, which take precedence over Python scalars
    (so ``float32_tensor * 2.0`` and ``float32_tensor * float64_scalar_tensor`` stay float32).
    """
    groups = ([], [], [])  # dimensioned, zero-dim, python scalar
    for op in operands:
        a = getattr(op, "_data", None)
        if a is not None:
            groups[0 if a.ndim else 1].append(a.dtype)
        elif isinstance(op, _b.bool):
            groups[2].append(np.dtype(np.bool_))
        elif isinstance(op, _b.int):
            groups[2].append(np.dtype(np.int64))
        elif isinstance(op, _b.float):
            groups[2].append(np.dtype(np.float32))  # the default dtype, as torch
        elif isinstance(op, np.ndarray):
            groups[0 if op.ndim else 1].append(op.dtype)
        else:
            raise TypeError(f"impl: unsupported operand type {type(op).__name__}")
    best = None
    best_cat = -1
    for g in groups:
        if not g:
            continue
        cat = max(_CAT[d.kind] for d in g)
        if cat > best_cat:
            same = [d for d in g if _CAT[d.kind] == cat]
            best = np.result_type(*same) if same else _DEFAULT_FOR_CAT[cat]
            best_cat = cat
    return best
