"""Tensor: a numpy array plus autograd metadata. Ops live in ``impl/ops/`` and are bound here as methods."""
from __future__ import annotations

import builtins  # annotations inside Tensor say builtins.int/float/bool: the class has methods with those names
import weakref
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _autograd, _dtype
from ._autograd import _GradMode

if TYPE_CHECKING:  # type checkers see every declared method, alias and operator (python -m impl._stubgen)
    from ._declared import TensorMethods as _DeclaredMethods
else:
    _DeclaredMethods = object


class Tensor(_DeclaredMethods):
    # _hooks, _post_hooks, _inference, _view_meta are set only on tensors that have them (read with getattr and a default).
    __slots__ = ("_data", "requires_grad", "grad", "grad_fn", "_version", "_base", "_hooks", "_post_hooks",
                 "_inference", "_view_meta", "__weakref__")
    _data: np.ndarray
    requires_grad: builtins.bool
    grad: Tensor | None
    grad_fn: _autograd.Node | None

    # Let numpy defer to our reflected operators (np.float32(2) * t -> Tensor).
    __array_priority__ = 1000

    if TYPE_CHECKING:  # the declared ops come from TensorMethods (impl/_declared.pyi); these are bound by hand
        def __pos__(self) -> Tensor: ...
        @property
        def T(self) -> Tensor: ...
        @property
        def mT(self) -> Tensor: ...

    def __init__(self, data: Any, requires_grad: builtins.bool = False) -> None:
        # The legacy constructor (torch.Tensor(data)) always makes the default dtype (float32 unless changed).
        t = tensor(data, dtype=_dtype.get_default_dtype(), requires_grad=requires_grad)
        self._data, self.requires_grad, self.grad, self.grad_fn = t._data, t.requires_grad, None, None
        self._version, self._base = [0], None

    @classmethod
    def _wrap(cls, arr, requires_grad=False):
        """Internal constructor: ``arr`` must already be an ndarray of a supported dtype."""
        t = cls.__new__(cls)
        t._data = arr
        t.requires_grad = requires_grad
        t.grad = None
        t.grad_fn = None
        t._version = [0]
        t._base = None
        if _autograd._Inference.enabled:
            t._inference = True
        return t

    # ---- metadata -------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: builtins.int | None = None) -> Size | builtins.int:
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_norm_dim(dim, self._data.ndim, "size")]

    @property
    def ndim(self) -> builtins.int:
        return self._data.ndim

    def dim(self) -> builtins.int:
        return self._data.ndim

    def numel(self) -> builtins.int:
        return self._data.size

    def nelement(self) -> builtins.int:
        return self._data.size

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.of_array(self._data)

    @property
    def device(self) -> str:
        return "cpu"

    @property
    def is_leaf(self) -> builtins.bool:
        if self._base is not None:  # a view whose base changed: its history first (or torch's refusal)
            _autograd._Views.refresh(self)
        return self.grad_fn is None

    def is_floating_point(self) -> builtins.bool:
        return self._data.dtype.kind == "f"

    def element_size(self) -> builtins.int:
        return self.dtype.itemsize

    def __len__(self) -> builtins.int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", precision=4, prefix="tensor(")
        extra = ""
        if self.dtype not in (_dtype.get_default_dtype(), _dtype.int64, _dtype.bool_):
            extra += f", dtype={self.dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn=<{self.grad_fn.name}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __hash__(self) -> builtins.int:
        return id(self)

    def __bool__(self) -> builtins.bool:
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._data.size} values is ambiguous")
        return bool(self._data)

    def __float__(self) -> builtins.float:
        return float(self.item())

    def __int__(self) -> builtins.int:
        return int(self.item())

    def __index__(self) -> builtins.int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data)

    def __array__(self, dtype: Any = None, copy: builtins.bool | None = None) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data if dtype is None else self._data.astype(dtype)

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    # ---- conversion ------------------------------------------------------------------------
    def numpy(self, force: builtins.bool = False) -> np.ndarray:
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if type(self._data) is _dtype.BFloat16Array:
            raise TypeError("Got unsupported ScalarType BFloat16")  # numpy has no bfloat16 (torch's error)
        return self._data

    def item(self) -> builtins.int | builtins.float | builtins.bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar (shape {tuple(self._data.shape)})"
            )
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(other)`` (its dtype), ``to(device, dtype)``, with ``copy=``: a cast recorded as
        torch's ToCopyBackward0 (the gradient goes back in the input's dtype); the tensor itself when nothing changes."""
        dt = kwargs.get("dtype")
        for a in args:
            if isinstance(a, Tensor):  # first: a Tensor is not compared with the Python types below (== is elementwise)
                dt = a.dtype
            elif isinstance(a, _dtype.dtype) or any(a is t for t in (builtins.float, builtins.int, builtins.bool)):
                dt = a
        copy = kwargs.get("copy", False)
        if dt is None or _dtype.to_impl(dt) is self.dtype:
            if not copy:
                return self
            dt = self.dtype
        from .ops.elementwise import _cast

        return _cast(self, _dtype.to_impl(dt), force_copy=copy)

    def type(self, dtype: _dtype.dtype | str | None = None, non_blocking: builtins.bool = False,
             **kwargs: Any) -> str | Tensor:
        """No argument: the legacy type name (``impl.FloatTensor``, as torch's ``torch.FloatTensor``). Otherwise
        the tensor as that dtype, given as a dtype or a type name (``impl.HalfTensor``; ``torch.HalfTensor`` too)."""
        if dtype is None:
            return f"impl.{_dtype.TENSOR_TYPE_NAMES[self.dtype.name]}"
        if isinstance(dtype, str):
            dtype = _dtype.from_tensor_type_name(dtype)
        return self.to(dtype)

    def float(self) -> Tensor:
        return self.to(_dtype.float32)

    def double(self) -> Tensor:
        return self.to(_dtype.float64)

    def half(self) -> Tensor:
        return self.to(_dtype.float16)

    def bfloat16(self) -> Tensor:
        return self.to(_dtype.bfloat16)

    def long(self) -> Tensor:
        return self.to(_dtype.int64)

    def int(self) -> Tensor:
        return self.to(_dtype.int32)

    def short(self) -> Tensor:
        return self.to(_dtype.int16)

    def char(self) -> Tensor:
        return self.to(_dtype.int8)

    def byte(self) -> Tensor:
        return self.to(_dtype.uint8)

    def bool(self) -> Tensor:
        return self.to(_dtype.bool_)

    def cpu(self) -> Tensor:
        return self

    # ---- autograd --------------------------------------------------------------------------
    def backward(self, gradient: Tensor | None = None, retain_graph: builtins.bool | None = None,
                 create_graph: builtins.bool = False, inputs: Tensor | Sequence[Tensor] | None = None) -> None:
        if retain_graph is None:
            retain_graph = create_graph  # torch's default
        seed = _autograd._seed(self, gradient, "grad", create_graph)
        accumulate = _autograd._accumulate_leaf_graph if create_graph else _autograd._accumulate_leaf
        if inputs is not None:
            inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
            grads = _autograd.run_backward((self,), (seed,), retain_graph=bool(retain_graph), inputs=inputs,
                                           create_graph=create_graph)
            for t, g in zip(inputs, grads):
                if g is not None:
                    accumulate(t, g if create_graph else g._data)
            return
        _autograd.run_backward((self,), (seed,), retain_graph=bool(retain_graph), create_graph=create_graph)

    def detach(self) -> Tensor:
        t = Tensor._wrap(self._data)
        t._version = self._version  # shares storage, so shares the version counter (as torch; not a view: no _base)
        return t

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self.requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        return self.detach()

    @data.setter
    def data(self, value: Tensor | np.ndarray) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    def requires_grad_(self, requires_grad: builtins.bool = True) -> Tensor:
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients (got {self.dtype})"
            )
        if not self.is_leaf and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
            )
        if _autograd._dead_view(self):
            return self  # a view made under no_grad: its requires_grad is its base's, as torch's (regression 055)
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn.retained = weakref.ref(self)

    def __deepcopy__(self, memo: dict) -> Tensor:
        """A leaf's copy: values, requires_grad and a copy of .grad, with a version counter of its own (torch's);
        a non-leaf refuses, as torch's."""
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment.")
        if id(self) in memo:
            return memo[id(self)]
        import copy

        out = type(self)._wrap(self._data.copy(), self.requires_grad)
        memo[id(self)] = out
        if self.grad is not None:
            out.grad = copy.deepcopy(self.grad, memo)
        return out

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` whenever this tensor's gradient is computed; a returned Tensor replaces the gradient.
        Returns a handle whose ``remove()`` unregisters it (torch.Tensor.register_hook)."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from collections import OrderedDict

        from .utils.hooks import add_hook

        if self.grad_fn is not None:
            if self.grad_fn.hooks is None:
                self.grad_fn.hooks = OrderedDict()
            return add_hook(self.grad_fn.hooks, hook)
        if getattr(self, "_hooks", None) is None:
            self._hooks = OrderedDict()
        return add_hook(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Any) -> Any:
        """Call ``hook(tensor)`` after a leaf's ``.grad`` has been accumulated (torch's)."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from collections import OrderedDict

        from .utils.hooks import add_hook

        if getattr(self, "_post_hooks", None) is None:
            self._post_hooks = OrderedDict()
        return add_hook(self._post_hooks, hook)

    def is_inference(self) -> builtins.bool:
        return getattr(self, "_inference", False)

    @property
    def retains_grad(self) -> builtins.bool:
        return self.grad_fn is not None and self.grad_fn.retained is not None

    @property
    def _version_value(self):
        return self._version[0]


class Size(tuple):
    """torch.Size: a tuple that prints like torch's."""

    def __repr__(self) -> str:
        return f"impl.Size([{', '.join(str(d) for d in self)}])"

    # Slicing, concatenation and repetition stay Sizes, as torch's (x.shape[1:].numel(), shape + (1,)).
    def __getitem__(self, index):
        out = tuple.__getitem__(self, index)
        return Size(out) if isinstance(index, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, other)) if isinstance(other, tuple) else NotImplemented

    def __radd__(self, other):
        return Size(tuple.__add__(other, self)) if isinstance(other, tuple) else NotImplemented

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def numel(self) -> int:
        n = 1
        for d in self:
            n *= d
        return n


def _norm_dim(dim, ndim, op):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def _to_array(data, dtype=None, _keep_float64=False):
    if dtype is not None:  # Python floats are converted straight to the dtype asked for (no float32 step)
        d = _dtype.to_impl(dtype)
        arr = _to_array(data, _keep_float64=d.is_floating_point)
        return _dtype.cast_array(arr, d) if _dtype.of_array(arr) is not d else arr
    if isinstance(data, Tensor):
        if type(data._data) is _dtype.BFloat16Array:
            return data._data.copy()
        arr = data._data
    elif isinstance(data, (np.ndarray, np.generic)):  # numpy scalars keep their dtype too (np.float64 -> float64)
        arr = np.asarray(data)
    else:
        keep_f64 = _keep_float64
        if isinstance(data, (list, tuple)):
            flat = list(_flatten(data))
            keep_f64 = keep_f64 or any(isinstance(x, np.floating) and x.dtype.itemsize > 4 for x in flat)
            if any(isinstance(x, Tensor) for x in flat):
                data = _nested_tensors_to_lists(data)
        arr = np.asarray(data)
        if arr.dtype.kind == "f" and not keep_f64:
            arr = arr.astype(_dtype.default_np())  # Python floats become the default dtype, as torch
    if arr.dtype not in _dtype._BY_NP:
        kind = arr.dtype.kind
        if kind not in _dtype._COERCE:
            raise TypeError(f"impl.tensor: can't convert data of dtype {arr.dtype}")
        np_dtype = np.dtype(_dtype._COERCE[kind]) if kind != "f" or arr.dtype.itemsize <= 4 else np.dtype(np.float64)
    else:
        np_dtype = arr.dtype
    return np.array(arr, dtype=np_dtype, copy=True)


def _flatten(x):
    for el in x:
        if isinstance(el, (list, tuple)):
            yield from _flatten(el)
        else:
            yield el


def _nested_tensors_to_lists(x):
    if isinstance(x, Tensor):
        return x._data.tolist()
    if isinstance(x, (list, tuple)):
        return [_nested_tensors_to_lists(e) for e in x]
    return x


def tensor(data: Any, dtype: _dtype.dtype | None = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    t = Tensor._wrap(_to_array(data, dtype))
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data: Any, dtype: _dtype.dtype | None = None, device: Any = None) -> Tensor:
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtype):
        return data
    return tensor(data, dtype=dtype)


def from_numpy(a: np.ndarray) -> Tensor:
    """Share memory with ``a`` (as torch.from_numpy)."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(a).__name__})")
    if a.dtype not in _dtype._BY_NP:
        raise TypeError(f"from_numpy: can't convert np.ndarray of type {a.dtype}; supported: "
                        f"{', '.join(d.name for d in _dtype.ALL if d is not _dtype.bfloat16)}")
    return Tensor._wrap(a)


def is_tensor(obj: object, /) -> bool:
    return isinstance(obj, Tensor)


def _grad_enabled():
    return _GradMode.enabled


_autograd.Tensor = Tensor  # type: ignore[assignment]
