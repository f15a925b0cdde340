"""impl.save / impl.load: round trips keep values, dtypes, shapes and requires_grad as torch's save/load do;
module and optimizer state_dicts resume training bit for bit; and nothing outside the allowed types is ever
unpickled with weights_only=True (refused with pickle.UnpicklingError, torch's class for that violation)."""
import collections
import io
import json
import pathlib
import pickle
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import impl
from impl import nn

pytestmark = [pytest.mark.reliability,
              pytest.mark.impl_only(reason="not yet routed through reference.targets: runs impl and torch side by side")]

DTYPES = sorted({d for d in vars(impl).values() if isinstance(d, impl.dtype)}, key=lambda d: d.name)


def _roundtrip(obj, **load_kwargs):
    buf = io.BytesIO()
    impl.save(obj, buf)
    buf.seek(0)
    return impl.load(buf, **load_kwargs)


def _values(rng, dtype, shape):
    if dtype.name == "bool":
        return rng.random(shape) < 0.5
    if dtype.is_floating_point:
        arr = rng.standard_normal(shape).astype(dtype.np)
        if arr.size >= 3:  # specials must survive bit for bit too
            arr.flat[:3] = [np.nan, np.inf, -0.0]
        return impl._dtype.to_bfloat16(arr) if dtype is impl.bfloat16 else arr  # float32 storage, bfloat16 values
    return rng.integers(-(2**62), 2**62, size=shape).astype(dtype.np)


# Layouts: (shape of the array drawn, how the saved tensor views it).
LAYOUTS = {
    "zero_dim": ((), lambda a: a),
    "size_zero": ((0,), lambda a: a),
    "size_zero_3d": ((2, 0, 3), lambda a: a),
    "matrix": ((3, 4), lambda a: a),
    "transposed": ((3, 4), lambda a: a.T),
    "strided": ((5, 6), lambda a: a[::2, 1::3]),
    "negative_stride": ((7,), lambda a: a[::-1]),
    "broadcast_view": ((3,), lambda a: np.broadcast_to(a, (2, 3))),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.name)
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_tensor_roundtrip_every_dtype_and_layout(dtype, layout):
    shape, view = LAYOUTS[layout]
    arr = view(_values(np.random.default_rng(0), dtype, shape))
    t = impl.Tensor._wrap(arr)
    before = arr.tobytes()
    out = _roundtrip(t)
    assert type(out) is impl.Tensor and out.dtype == dtype and tuple(out.shape) == arr.shape
    assert out._data.tobytes() == np.ascontiguousarray(arr).tobytes(), "values must survive bit for bit"
    assert not out.requires_grad and out.is_leaf and out.grad is None
    assert out._data.flags.writeable
    out.fill_(1)  # the loaded tensor owns writable memory of its own
    assert t._data.tobytes() == before, "writing to the loaded tensor changed the saved one"


@given(shape=st.lists(st.integers(0, 4), max_size=4), seed=st.integers(0, 2**32 - 1),
       dtype=st.sampled_from(DTYPES))
def test_tensor_roundtrip_random_shapes(shape, seed, dtype):
    arr = _values(np.random.default_rng(seed), dtype, tuple(shape))
    out = _roundtrip(impl.tensor(arr, dtype=dtype))
    assert out.dtype == dtype and out._data.shape == arr.shape
    assert out._data.tobytes() == arr.tobytes()


def _grad_cases(lib):
    """The same tensors built with impl or torch: what save/load must do with requires_grad and Parameters."""
    leaf = lib.ones(3, requires_grad=True)
    leaf.grad = lib.ones(3)  # .grad is not saved by torch
    return {
        "plain": lib.ones(2),
        "leaf_requires_grad": leaf,
        "non_leaf": leaf * 2,
        "int_tensor": lib.arange(3),
        "parameter": lib.nn.Parameter(lib.ones(2)),
        "frozen_parameter": lib.nn.Parameter(lib.ones(2), requires_grad=False),
        "detached": leaf.detach(),
    }


def _grad_facts(t):
    return dict(parameter=isinstance(t, (impl.nn.Parameter, torch.nn.Parameter)), requires_grad=t.requires_grad,
                is_leaf=t.is_leaf, has_grad=t.grad is not None, dtype=str(t.dtype).split(".")[-1],
                values=t.detach().numpy().tolist())


def test_requires_grad_and_parameters_kept_as_torch():
    buf = io.BytesIO()
    torch.save(_grad_cases(torch), buf)
    buf.seek(0)
    expected = torch.load(buf)
    got = _roundtrip(_grad_cases(impl))
    assert list(got) == list(expected)
    for name in expected:
        assert _grad_facts(got[name]) == _grad_facts(expected[name]), name


def test_same_tensor_twice_loads_as_one_object_as_torch():
    t, u = impl.ones(2), impl.ones(2)
    a, b, c = _roundtrip([t, t, u])
    assert a is b and a is not c
    buf = io.BytesIO()
    tt = torch.ones(2)
    torch.save([tt, tt], buf)
    buf.seek(0)
    ta, tb = torch.load(buf)
    assert ta is tb, "torch keeps the identity too (checked so the claim in impl's docstring stays true)"


def test_identical_views_share_one_array_after_load():
    p = nn.Parameter(impl.ones(3))
    a, b = _roundtrip([p.detach(), p.detach()])  # two objects, one memory region
    assert a is not b and np.shares_memory(a._data, b._data)
    a.add_(1)
    assert b.tolist() == [2.0, 2.0, 2.0]
    tp = torch.nn.Parameter(torch.ones(3))
    buf = io.BytesIO()
    torch.save([tp.detach(), tp.detach()], buf)
    buf.seek(0)
    ta, tb = torch.load(buf)
    assert ta.untyped_storage().data_ptr() == tb.untyped_storage().data_ptr(), "torch shares them too"


NESTED = {
    "none": None, "true": True, "int": -(2**70), "float": 0.1, "nan": float("nan"), "inf": float("-inf"),
    "complex": 1.5 - 2j, "str": "é\x00", "bytes": b"\x00\xff", "tuple": (1, (2.0, "x")), "list": [[], [1]],
    "set": {1, "a"}, "frozenset": frozenset({2}), "int_keys": {0: "a", -1: "b"}, "tuple_key": {(1, 2): 3},
    "ordered": collections.OrderedDict([("b", 1), ("a", 2)]), "size": impl.Size([2, 0]), "dtype": impl.float64,
}


def _same(a, b, path="obj"):
    assert type(a) is type(b), f"{path}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            _same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and a != a:
        assert b != b, path
    else:
        assert a == b, path


def test_nested_python_values_roundtrip_with_their_types():
    out = _roundtrip(NESTED)
    _same(out, NESTED)
    assert str(out["float"]) == "0.1" and str(out["inf"]) == "-inf"


def test_paths_file_objects_and_unseekable_streams(tmp_path):
    obj = {"w": impl.arange(4)}
    for target in (str(tmp_path / "a.pt"), tmp_path / "b.pt"):
        impl.save(obj, target)
        assert impl.load(target)["w"].tolist() == [0, 1, 2, 3]
    with open(tmp_path / "c.pt", "wb") as fh:
        impl.save(obj, fh)
    with open(tmp_path / "c.pt", "rb") as fh:
        assert impl.load(fh)["w"].tolist() == [0, 1, 2, 3]

    class Unseekable(io.RawIOBase):
        def __init__(self, data=b""):
            self.data, self.out = io.BytesIO(data), bytearray()

        def readable(self):
            return True

        def writable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, b):
            chunk = self.data.read(len(b))
            b[:len(chunk)] = chunk
            return len(chunk)

        def write(self, b):
            self.out += bytes(b)
            return len(b)

    sink = Unseekable()
    impl.save(obj, sink)
    assert impl.load(Unseekable(bytes(sink.out)))["w"].tolist() == [0, 1, 2, 3]


def _model():
    return nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))


def test_module_state_dict_roundtrip_gives_identical_outputs():
    impl.manual_seed(0)
    src = _model()
    x = impl.randn(8, 4)
    src(x).sum().backward()  # train-mode forward moves the BatchNorm running stats and its counter
    sd = _roundtrip(src.state_dict())
    assert list(sd) == list(src.state_dict()) and isinstance(sd, collections.OrderedDict)
    assert sd._metadata == src.state_dict()._metadata
    assert sd["1.num_batches_tracked"].dtype == impl.int64 and sd["1.num_batches_tracked"].item() == 1
    impl.manual_seed(1)
    dst = _model()
    assert not np.array_equal(dst[0].weight._data, src[0].weight._data)
    dst.load_state_dict(sd)
    for mode in ("train", "eval"):
        getattr(src, mode)()
        getattr(dst, mode)()
        np.testing.assert_array_equal(dst(x)._data, src(x)._data, err_msg=mode)


OPTIMIZERS = {
    "SGD_momentum": lambda p: impl.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "Adam_amsgrad": lambda p: impl.optim.Adam(p, lr=1e-2, betas=(0.8, 0.95), amsgrad=True),
    "AdamW": lambda p: impl.optim.AdamW(p, lr=1e-2, weight_decay=0.1),
    "RMSprop_centered": lambda p: impl.optim.RMSprop(p, lr=1e-2, momentum=0.5, centered=True),
    "Adagrad": lambda p: impl.optim.Adagrad(p, lr=0.1, lr_decay=0.01),
}


def _train(model, opt, steps, seed):
    gen = np.random.default_rng(seed)
    for _ in range(steps):
        x = impl.tensor(gen.standard_normal((8, 4)).astype(np.float32))
        y = impl.tensor(gen.integers(0, 3, 8))
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_state_dict_roundtrip_resumes_training_exactly(name, tmp_path):
    make = OPTIMIZERS[name]
    impl.manual_seed(0)
    ref = _model()
    ref_opt = make(ref.parameters())
    _train(ref, ref_opt, 3, seed=1)
    impl.save({"model": ref.state_dict(), "optim": ref_opt.state_dict()}, tmp_path / "ckpt.pt")
    _train(ref, ref_opt, 3, seed=2)  # the uninterrupted run

    impl.manual_seed(5)
    resumed = _model()
    resumed_opt = make(resumed.parameters())
    ckpt = impl.load(tmp_path / "ckpt.pt")
    assert ckpt["optim"]["param_groups"] == ref_opt.state_dict()["param_groups"]  # hyperparameters, tuples kept
    resumed.load_state_dict(ckpt["model"])
    resumed_opt.load_state_dict(ckpt["optim"])
    _train(resumed, resumed_opt, 3, seed=2)
    for (k, a), b in zip(ref.state_dict().items(), resumed.state_dict().values(), strict=True):
        np.testing.assert_array_equal(a._data, b._data, err_msg=k)
    for k, st_ref in ref_opt.state_dict()["state"].items():
        st_res = resumed_opt.state_dict()["state"][k]
        assert list(st_ref) == list(st_res)
        for key in st_ref:
            np.testing.assert_array_equal(np.asarray(st_ref[key]._data), np.asarray(st_res[key]._data),
                                          err_msg=f"{name} state[{k}][{key}]")


# ---- refusing what could execute code -------------------------------------------------------------------------
class _Payload:
    """Unpickling it writes a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (pathlib.Path.write_text, (pathlib.Path(self.marker), "code ran"))


def test_unknown_objects_are_refused_like_torch_and_never_unpickled(tmp_path):
    marker = tmp_path / "marker"
    buf = io.BytesIO()
    impl.save({"w": impl.ones(2), "evil": _Payload(marker)}, buf)
    buf.seek(0)
    for default in ({}, {"weights_only": None}):  # None means the default (True), as torch
        buf.seek(0)
        with pytest.raises(pickle.UnpicklingError, match="Weights only load failed.*_Payload"):
            impl.load(buf, **default)
    assert not marker.exists()
    # torch raises the same class for the same violation
    tbuf = io.BytesIO()
    torch.save({"evil": _Payload(marker)}, tbuf)
    tbuf.seek(0)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(tbuf)
    assert not marker.exists()
    # the explicit opt-out unpickles (which is why it is only for trusted files)
    buf.seek(0)
    impl.load(buf, weights_only=False)
    assert marker.read_text() == "code ran"


class _MyInt(int):
    pass


@pytest.mark.parametrize("obj", [np.ones(2), np.float64(1.0), collections.defaultdict(int), _MyInt(3)],
                         ids=["ndarray", "numpy_scalar", "defaultdict", "int_subclass"])
def test_near_miss_types_are_refused(obj):
    """Subclasses of allowed types and numpy values are not in the allow-list (torch refuses them too)."""
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        _roundtrip([obj])
    back = _roundtrip([obj], weights_only=False)[0]
    assert type(back) is type(obj) and np.array_equal(back, obj)


def _archive(header=None, entries=None):
    """A hand-made archive in impl.save's layout (for tampered files)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        if header is not None:
            zf.writestr("impl_save/format.json", json.dumps(header))
        for name, data in (entries or {}).items():
            zf.writestr(name, data)
    buf.seek(0)
    return buf


def _header(root):
    return {"format": "impl.save", "version": 1, "root": root}


def _npy(arr, allow_pickle=False):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def _tampered_files(marker):
    evil = pickle.dumps(_Payload(marker))
    evil_array = np.empty(1, dtype=object)
    evil_array[0] = _Payload(marker)
    tensor_node = {"type": "tensor", "index": 0, "array": 0, "dtype": "float32", "requires_grad": False,
                   "parameter": False}
    torch_file = io.BytesIO()
    torch.save(torch.ones(1), torch_file)
    return {
        "plain_pickle": io.BytesIO(evil),
        "torch_file": io.BytesIO(torch_file.getvalue()),
        "zip_without_header": _archive(entries={"data.pkl": evil}),
        "pickled_node": _archive(_header({"type": "pickled", "blob": 0, "class": "builtins.int"}),
                                 {"impl_save/pickled/0.pkl": evil}),
        "object_array": _archive(_header(tensor_node), {"impl_save/arrays/0.npy": _npy(evil_array, True)}),
        "dtype_mismatch": _archive(_header(tensor_node), {"impl_save/arrays/0.npy": _npy(np.ones(2, np.int16))}),
        "missing_array": _archive(_header(tensor_node)),
        "unknown_node": _archive(_header({"type": "global", "value": "os.system"})),
        "int_grad": _archive(_header(dict(tensor_node, dtype="int64", requires_grad=True)),
                             {"impl_save/arrays/0.npy": _npy(np.ones(2, np.int64))}),
        "bad_json": _archive(entries={"impl_save/format.json": b"{not json"}),
        "nan_constant": _archive(entries={"impl_save/format.json": b'{"format": "impl.save", "version": 1, '
                                                                   b'"root": {"type": "float", "value": NaN}}'}),
        "future_version": _archive({"format": "impl.save", "version": 99, "root": {"type": "none"}}),
        "unhashable_key": _archive(_header({"type": "dict", "items": [[{"type": "list", "items": []},
                                                                        {"type": "none"}]]})),
        "garbage": io.BytesIO(b"\x80\x04garbage"),
        "deep_nesting": _archive(entries={"impl_save/format.json": '{"format": "impl.save", "version": 1, "root": '
                                          + '{"type": "list", "items": [' * 100_000 + "]}" * 100_000 + "}"}),
        "corrupted_entry": _corrupted(),
    }


def _corrupted():
    """A real archive with one byte of an array flipped: its CRC no longer matches."""
    buf = io.BytesIO()
    impl.save(impl.arange(64), buf)
    data = bytearray(buf.getvalue())
    at = data.index(np.arange(64).astype(np.int64).tobytes()) + 100
    data[at] ^= 0xFF
    return io.BytesIO(bytes(data))


@pytest.mark.parametrize("case", list(_tampered_files("unused")))
def test_tampered_or_foreign_files_are_refused_without_running_code(case, tmp_path):
    marker = tmp_path / "marker"
    f = _tampered_files(marker)[case]
    with pytest.raises(pickle.UnpicklingError, match="impl.load"):
        impl.load(f)
    assert not marker.exists()


def test_empty_file_is_eof_error_as_torch():
    with pytest.raises(EOFError):
        torch.load(io.BytesIO(b""))
    with pytest.raises(EOFError):
        impl.load(io.BytesIO(b""))


def test_self_containing_container_is_refused_at_save():
    loop = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        impl.save(loop, io.BytesIO())


def test_map_location_and_pickle_module_arguments():
    t = impl.ones(2)
    assert _roundtrip(t, map_location="cpu").tolist() == [1.0, 1.0]
    assert _roundtrip(t, map_location={"cpu": "cpu"}).tolist() == [1.0, 1.0]
    seen = []
    out = _roundtrip([t], map_location=lambda tensor, loc: seen.append(loc))
    assert seen == ["cpu"] and out[0].tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="map_location"):
        _roundtrip(t, map_location="cuda:0")
    with pytest.raises(RuntimeError) as ti:  # torch's class and message for this misuse
        torch.load(io.BytesIO(), pickle_module=pickle, weights_only=True)
    with pytest.raises(RuntimeError, match=ti.value.args[0]):
        _roundtrip(t, pickle_module=pickle, weights_only=True)


_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**80), 2**80), st.floats(allow_nan=True), st.text(max_size=5),
    st.binary(max_size=5), st.complex_numbers(allow_nan=False),
    st.builds(lambda shape, seed: impl.tensor(np.random.default_rng(seed).standard_normal(shape)),
              st.lists(st.integers(0, 3), max_size=3), st.integers(0, 100)),
)
_keys = st.one_of(st.text(max_size=4), st.integers(-5, 5), st.tuples(st.integers(0, 3), st.text(max_size=2)))
_trees = st.recursive(_leaves, lambda kids: st.one_of(
    st.lists(kids, max_size=3), st.tuples(kids, kids), st.dictionaries(_keys, kids, max_size=3),
    st.dictionaries(_keys, kids, max_size=3).map(collections.OrderedDict)), max_leaves=12)


def _same_tree(a, b, path="obj"):
    if isinstance(b, impl.Tensor):
        assert type(a) is impl.Tensor and a.dtype == b.dtype and a._data.tobytes() == b._data.tobytes(), path
        assert a.shape == b.shape, path
    elif isinstance(b, dict):
        assert type(a) is type(b) and list(a) == list(b), path
        for k in b:
            _same_tree(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same_tree(x, y, f"{path}[{i}]")
    elif isinstance(b, float) and b != b:
        assert type(a) is float and a != a, path
    else:
        assert type(a) is type(b) and a == b, path


@given(tree=_trees)
def test_random_nested_structures_roundtrip_without_pickle(tree):
    buf = io.BytesIO()
    impl.save(tree, buf)
    names = zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()
    assert not [n for n in names if n.startswith("impl_save/pickled/")], "allowed types must never be pickled"
    buf.seek(0)
    _same_tree(impl.load(buf), tree)
