"""impl.save / impl.load: checkpoints in a format that loading cannot turn into code execution.

The file is a zip archive (stored, not compressed) holding

* ``impl_save/format.json``: the structure of the saved object as tagged JSON nodes (dicts, lists, tuples,
  numbers, strings, tensors by reference to an array entry), and
* ``impl_save/arrays/<k>.npy``: one NumPy ``.npy`` file per tensor, read back with ``allow_pickle=False``.

What is allowed, as torch's ``weights_only=True`` allow-list: ``None``, ``bool``, ``int``, ``float``,
``complex``, ``str``, ``bytes``, ``bytearray``, ``list``, ``tuple``, ``set``, ``dict``, ``OrderedDict``
(with a module state_dict's ``_metadata``), ``impl.Size``, impl dtypes, ``impl.Tensor`` and
``impl.nn.Parameter``, nested in any way. That covers module and optimizer state_dicts. Any other object
(a numpy array, a user class, a subclass of an allowed type) is still written, as torch's ``save`` writes
anything, but as a separate pickle entry that ``load`` refuses with ``pickle.UnpicklingError`` (torch's class
for weights-only violations) unless called with ``weights_only=False``: only then, and only for those entries,
is pickle run, and only do that for files you trust.

Divergences from torch, on purpose:

* ``impl.load`` reads only files written by ``impl.save`` (not torch's files, nor plain pickles); anything
  else raises ``pickle.UnpicklingError`` (an empty file ``EOFError``, as torch).
* A non-contiguous tensor is saved as its own elements (torch saves its whole storage and its strides); the
  loaded tensor is contiguous with equal values.
* Tensors keep ``requires_grad`` (a non-leaf loads as a leaf that requires grad, as torch) but not ``.grad``
  (torch does not save it either). The same tensor object saved twice loads as one object, as torch; distinct
  tensors viewing exactly the same memory load sharing one array; other overlapping views load as independent
  copies (torch keeps one shared storage).
* Containers are saved as trees: a container referenced twice loads as two equal copies (pickle, and so torch,
  keeps one object), and a container that contains itself is refused at save time with ``ValueError``.
"""
from __future__ import annotations

import base64
import collections
import io
import json
import os
import pickle
import zipfile

import numpy as np

from . import _dtype
from ._tensor import Size, Tensor

__all__ = ["save", "load"]

_ROOT = "impl_save/"
_FORMAT_FILE = _ROOT + "format.json"
_FORMAT_NAME = "impl.save"
_FORMAT_VERSION = 1

_DTYPES = {d.name: d for d in vars(_dtype).values() if isinstance(d, _dtype.dtype)}
_SCALARS = {type(None): "none", bool: "bool", int: "int", str: "str"}
# frozenset is not among them: torch's weights_only allow-list refuses it, so it is saved pickled (refused by default).
_SEQUENCES = {list: "list", tuple: "tuple", set: "set"}


def _parameter_class():
    from .nn.parameter import Parameter  # impl.nn builds on this module's siblings: import when used

    return Parameter


# ---- save ---------------------------------------------------------------------------------------------------
class _Encoder:
    """Turns an object into JSON nodes, collecting the tensor arrays and the pickled leftovers on the way."""

    def __init__(self, pickle_module, pickle_protocol):
        self.arrays = []            # ndarray per array entry
        self.blobs = []             # bytes per pickled entry
        self._tensor_ref = {}       # id(tensor) -> node index, so the same tensor loads as one object
        self._array_ref = {}        # memory region -> array entry, so identical views load sharing one array
        self._tensors = 0
        self._active = set()        # ids of the containers being encoded (self-reference detection)
        self._pickle = (pickle_module, pickle_protocol)

    def encode(self, obj):
        kind = type(obj)
        if kind in _SCALARS:
            return {"type": _SCALARS[kind]} if obj is None else {"type": _SCALARS[kind], "value": obj}
        if kind is float:
            return {"type": "float", "value": repr(obj)}  # repr round-trips exactly, nan and inf included
        if kind is complex:
            return {"type": "complex", "value": [repr(obj.real), repr(obj.imag)]}
        if kind is bytes or kind is bytearray:
            return {"type": kind.__name__, "value": base64.b64encode(obj).decode("ascii")}
        if kind is Size:
            return {"type": "size", "value": [int(d) for d in obj]}
        if kind is _dtype.dtype:
            return {"type": "dtype", "value": obj.name}
        if kind is Tensor or kind is _parameter_class():
            return self._tensor(obj, parameter=kind is not Tensor)
        if kind in _SEQUENCES or kind in (dict, collections.OrderedDict):
            return self._container(obj, kind)
        return self._pickled(obj)

    def _container(self, obj, kind):
        if id(obj) in self._active:
            raise ValueError(f"impl.save: a {kind.__name__} contains itself; impl.save saves trees only")
        self._active.add(id(obj))
        try:
            if kind in _SEQUENCES:
                return {"type": _SEQUENCES[kind], "items": [self.encode(v) for v in obj]}
            node = {"type": "dict" if kind is dict else "ordered_dict",
                    "items": [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
            if kind is collections.OrderedDict and hasattr(obj, "_metadata"):  # Module.state_dict() versions
                node["metadata"] = self.encode(obj._metadata)
            return node
        finally:
            self._active.discard(id(obj))

    def _tensor(self, t, parameter):
        if id(t) in self._tensor_ref:
            return {"type": "ref", "index": self._tensor_ref[id(t)]}
        arr = t._data
        region = (arr.__array_interface__["data"][0], arr.shape, arr.strides, arr.dtype.str)
        if arr.size == 0 or region not in self._array_ref:  # size-0 arrays may share any address
            self._array_ref[region] = len(self.arrays)
            self.arrays.append(arr if arr.flags.c_contiguous else np.array(arr, order="C"))  # keeps 0-d
        index = self._tensors
        self._tensors += 1
        self._tensor_ref[id(t)] = index
        return {"type": "tensor", "index": index, "array": self._array_ref[region], "dtype": t.dtype.name,
                "requires_grad": bool(t.requires_grad), "parameter": parameter}

    def _pickled(self, obj):
        module, protocol = self._pickle
        self.blobs.append(module.dumps(obj, protocol=protocol))
        kind = type(obj)
        return {"type": "pickled", "blob": len(self.blobs) - 1, "class": f"{kind.__module__}.{kind.__qualname__}"}


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` (tensors, state_dicts, nested containers of them and of Python scalars/strings) to ``f``.

    ``f`` is a path (``str`` or ``os.PathLike``) or a binary file object opened for writing. The file can be
    read back by :func:`impl.load` only (it is not torch's format). Objects outside the allowed types are
    pickled with ``pickle_module`` into their own entries, which ``load`` refuses unless ``weights_only=False``
    (see the module docstring for the format and the list of allowed types).
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("impl.save: only the zip archive format exists (_use_new_zipfile_serialization=False "
                                  "asks for torch's legacy format)")
    # _disable_byteorder_record has nothing to disable: every array entry records its byte order (.npy header).
    enc = _Encoder(pickle_module, pickle_protocol)
    root = enc.encode(obj)
    header = {"format": _FORMAT_NAME, "version": _FORMAT_VERSION, "root": root}
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            _write_archive(fh, header, enc)
    else:
        _write_archive(f, header, enc)
        if hasattr(f, "flush"):
            f.flush()


def _write_archive(fh, header, enc):
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(_FORMAT_FILE, json.dumps(header, allow_nan=False))
        for k, arr in enumerate(enc.arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, arr, allow_pickle=False)
            zf.writestr(f"{_ROOT}arrays/{k}.npy", buf.getvalue())
        for k, blob in enumerate(enc.blobs):
            zf.writestr(f"{_ROOT}pickled/{k}.pkl", blob)


# ---- load ---------------------------------------------------------------------------------------------------
def _refuse(message):
    return pickle.UnpicklingError(f"impl.load: {message}")


class _Decoder:
    """Rebuilds the object from JSON nodes; every malformed or disallowed node raises UnpicklingError."""

    def __init__(self, zf, weights_only, restore, pickle_module, pickle_load_args):
        self.zf = zf
        self.weights_only = weights_only
        self.restore = restore
        self.pickle_module = pickle_module
        self.pickle_load_args = pickle_load_args
        self._arrays = {}
        self._tensors = {}

    def decode(self, node):
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            raise _refuse(f"malformed node {str(node)[:80]!r}")
        handler = getattr(self, "_decode_" + node["type"], None)
        if handler is None:
            raise _refuse(f"unknown node type {node['type']!r}")
        return handler(node)

    @staticmethod
    def _value(node, *types):
        value = node.get("value")
        if type(value) not in types:
            raise _refuse(f"malformed {node['type']} node {str(node)[:80]!r}")
        return value

    def _decode_none(self, node):
        return None

    def _decode_bool(self, node):
        return self._value(node, bool)

    def _decode_int(self, node):
        return self._value(node, int)

    def _decode_str(self, node):
        return self._value(node, str)

    def _decode_float(self, node):
        return self._float(self._value(node, str))

    def _decode_complex(self, node):
        value = self._value(node, list)
        if len(value) != 2 or not all(isinstance(v, str) for v in value):
            raise _refuse(f"malformed complex node {node!r}")
        return complex(self._float(value[0]), self._float(value[1]))

    @staticmethod
    def _float(text):
        try:
            return float(text)
        except ValueError:
            raise _refuse(f"malformed float {text[:40]!r}") from None

    def _decode_bytes(self, node):
        try:
            return base64.b64decode(self._value(node, str), validate=True)
        except ValueError:
            raise _refuse("malformed bytes node") from None

    def _decode_bytearray(self, node):
        return bytearray(self._decode_bytes(node))

    def _decode_size(self, node):
        value = self._value(node, list)
        if not all(type(d) is int and d >= 0 for d in value):
            raise _refuse(f"malformed size node {node!r}")
        return Size(value)

    def _decode_dtype(self, node):
        name = self._value(node, str)
        if name not in _DTYPES:
            raise _refuse(f"unknown dtype {name!r}")
        return _DTYPES[name]

    def _items(self, node):
        items = node.get("items")
        if not isinstance(items, list):
            raise _refuse(f"malformed {node['type']} node")
        return items

    def _decode_list(self, node):
        return [self.decode(v) for v in self._items(node)]

    def _decode_tuple(self, node):
        return tuple(self.decode(v) for v in self._items(node))

    def _decode_set(self, node):
        return {self._key(v) for v in self._items(node)}

    def _decode_frozenset(self, node):  # written by earlier versions: refused with weights_only, as torch refuses it
        if self.weights_only:
            raise _refuse("Weights only load failed: the file holds a frozenset, which weights_only=True does not "
                          "allow (as torch's allow-list). Re-running impl.load with weights_only=False loads it.")
        return frozenset(self._key(v) for v in self._items(node))

    def _key(self, node):
        key = self.decode(node)
        try:
            hash(key)
        except TypeError:
            raise _refuse(f"unhashable {type(key).__name__} as a dict key or set element") from None
        return key

    def _pairs(self, node):
        for pair in self._items(node):
            if not isinstance(pair, list) or len(pair) != 2:
                raise _refuse("malformed dict item")
            yield self._key(pair[0]), self.decode(pair[1])

    def _decode_dict(self, node):
        return dict(self._pairs(node))

    def _decode_ordered_dict(self, node):
        out = collections.OrderedDict(self._pairs(node))
        if "metadata" in node:
            out._metadata = self.decode(node["metadata"])
        return out

    def _decode_ref(self, node):
        index = node.get("index")
        if type(index) is not int or index not in self._tensors:
            raise _refuse(f"reference to an unknown tensor {index!r}")
        return self._tensors[index]

    def _decode_tensor(self, node):
        index, key, name = node.get("index"), node.get("array"), node.get("dtype")
        requires_grad, parameter = node.get("requires_grad"), node.get("parameter")
        if (type(index) is not int or index in self._tensors or type(key) is not int or name not in _DTYPES
                or type(requires_grad) is not bool or type(parameter) is not bool):
            raise _refuse(f"malformed tensor node {str(node)[:120]!r}")
        dtype = _DTYPES[name]
        if requires_grad and not dtype.is_floating_point:
            raise _refuse(f"a tensor of dtype {name} cannot require grad")
        arr = self._array(key)
        if arr.dtype != dtype.np:
            raise _refuse(f"array {key} holds {arr.dtype}, but its tensor is declared {name}")
        if dtype is _dtype.bfloat16:  # float32 storage (impl/_dtype.py); rounding keeps a tampered file's values bfloat16
            arr = (_dtype._round_bf16_inplace(arr) if arr.flags.writeable else _dtype.to_bfloat16(arr)).view(
                _dtype.BFloat16Array)
        if parameter:
            t = _parameter_class()(Tensor._wrap(arr), requires_grad=requires_grad)
        else:
            t = Tensor._wrap(arr, requires_grad=requires_grad)
        t = self.restore(t)
        self._tensors[index] = t
        return t

    def _array(self, key):
        if key not in self._arrays:
            name = f"{_ROOT}arrays/{key}.npy"
            try:
                data = self.zf.read(name)
            except KeyError:
                raise _refuse(f"missing array entry {name}") from None
            try:
                arr = np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
            except ValueError as e:  # object arrays (which would need pickle) and malformed headers
                raise _refuse(f"array entry {name} refused: {e}") from None
            if arr.dtype.byteorder not in "=|":
                arr = arr.astype(arr.dtype.newbyteorder("="))
            if not arr.flags.writeable or not arr.flags.c_contiguous:
                arr = np.array(arr, order="C", copy=True)
            self._arrays[key] = arr
        return self._arrays[key]

    def _decode_pickled(self, node):
        blob, cls = node.get("blob"), node.get("class")
        if self.weights_only:
            raise _refuse(
                f"Weights only load failed: the file holds an object of type {cls!s}, which weights_only=True "
                "does not allow (allowed: tensors, Parameters, dtypes, Size, None, bool, int, float, complex, "
                "str, bytes, bytearray, list, tuple, set, dict, OrderedDict). Re-running impl.load with "
                "weights_only=False would unpickle it, which can execute arbitrary code: do that only if you "
                "trust the source of the file."
            )
        if type(blob) is not int:
            raise _refuse("malformed pickled node")
        try:
            data = self.zf.read(f"{_ROOT}pickled/{blob}.pkl")
        except KeyError:
            raise _refuse(f"missing pickled entry {blob}") from None
        return self.pickle_module.loads(data, **self.pickle_load_args)


def _restorer(map_location):
    """impl has one device, the CPU: map_location may only keep tensors there (or be a callable, see load)."""
    def check(device):
        if not isinstance(device, str) or device.split(":")[0] != "cpu":
            raise RuntimeError(f"impl.load: map_location {device!r}: impl has only the 'cpu' device")

    if map_location is None:
        return lambda t: t
    if isinstance(map_location, str):
        check(map_location)
        return lambda t: t
    if isinstance(map_location, dict):
        check(map_location.get("cpu", "cpu"))
        return lambda t: t
    if callable(map_location):
        def call(t):
            result = map_location(t, "cpu")
            return t if result is None else result
        return call
    check(str(map_location))
    return lambda t: t


_NOT_OURS = "not a file written by impl.save (impl.load reads only those; nothing was unpickled)"


def _open_zip(fh):
    start = fh.tell()
    empty = not fh.read(1)
    fh.seek(start)
    if empty:
        raise EOFError("Ran out of input")
    if not zipfile.is_zipfile(fh):
        raise _refuse(_NOT_OURS)
    fh.seek(start)
    zf = zipfile.ZipFile(fh)
    names = zf.namelist()
    if _FORMAT_FILE not in names:
        zf.close()
        torch_file = any(n.endswith("/data.pkl") for n in names)
        raise _refuse(("a file written by torch.save: " if torch_file else "") + _NOT_OURS)
    return zf


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved by :func:`impl.save` from ``f`` (a path or a binary file object).

    Only files written by ``impl.save`` can be read (not torch's files). With ``weights_only=True`` (the
    default: ``None`` means True, as torch since 2.6) nothing is unpickled: a file holding objects outside the allowed types (see the
    module docstring) raises ``pickle.UnpicklingError``, as torch does for a weights-only violation, and so does
    a malformed or tampered file. ``weights_only=False`` unpickles those objects with ``pickle_module``
    (default ``pickle``) and ``pickle_load_args``: do that only for files you trust.

    ``map_location`` may be ``None``, ``"cpu"``, a dict mapping ``"cpu"`` to ``"cpu"``, or a callable called
    as ``map_location(tensor, "cpu")`` for each loaded tensor (impl has no storages; a ``None`` result keeps the
    tensor). Other devices raise ``RuntimeError``. ``mmap=True`` is not supported (``NotImplementedError``).
    """
    weights_only = True if weights_only is None else bool(weights_only)  # None means the default, as torch
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if mmap:
        raise NotImplementedError("impl.load: mmap=True is not supported (arrays are stored inside a zip archive)")
    restore = _restorer(map_location)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return _load_from(fh, weights_only, restore, pickle_module or pickle, pickle_load_args)
    fh = f if _seekable(f) else io.BytesIO(f.read())
    return _load_from(fh, weights_only, restore, pickle_module or pickle, pickle_load_args)


def _seekable(f):
    try:
        return f.seekable()
    except AttributeError:
        return False


def _load_from(fh, weights_only, restore, pickle_module, pickle_load_args):
    try:
        return _load_archive(fh, weights_only, restore, pickle_module, pickle_load_args)
    except zipfile.BadZipFile as e:  # a damaged archive (a bad CRC, a truncated entry, ...)
        raise _refuse(f"damaged archive: {e}") from None


def _load_archive(fh, weights_only, restore, pickle_module, pickle_load_args):
    with _open_zip(fh) as zf:
        try:
            header = json.loads(zf.read(_FORMAT_FILE), parse_constant=_no_constants)
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            raise _refuse(f"malformed {_FORMAT_FILE}: {type(e).__name__}: {e}") from None
        if not isinstance(header, dict) or header.get("format") != _FORMAT_NAME or "root" not in header:
            raise _refuse(f"malformed {_FORMAT_FILE}")
        if header.get("version") != _FORMAT_VERSION:
            raise _refuse(f"format version {header.get('version')!r} is not supported (this impl reads "
                          f"version {_FORMAT_VERSION})")
        decoder = _Decoder(zf, weights_only, restore, pickle_module, pickle_load_args)
        try:
            return decoder.decode(header["root"])
        except RecursionError:
            raise _refuse("the structure is nested too deeply") from None


def _no_constants(name):
    raise ValueError(f"non-standard JSON constant {name}")
