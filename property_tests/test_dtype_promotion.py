"""Type promotion against torch: every pair of dtypes, as tensors, 0-d tensors and Python scalars, through the
binary ops, where, maximum, comparisons, cat and stack -- the result's dtype and values; torch's promote_types,
result_type and can_cast tables; casts between every pair of dtypes (bfloat16 and float16 rounding bit for bit).

Values are chosen so that integer results overflow (int8 100 + 100, uint8 200 * 3, int64 2**62 * 3): they must
wrap as torch's do. Where torch raises (bool - bool, an overflowing scalar in where), the library under test
(reference.targets) must raise the same class.
Float results must match torch's to one unit in the last place of their dtype (both compute these small cases
exactly, up to the final rounding; float16/bfloat16 ops compute in float32 and round once, as torch's CPU kernels).
Everything runs on 3-element tensors: the whole file takes a few seconds although it checks ~6000 combinations.
"""
import itertools

import numpy as np
import pytest
import torch

from reference import targets
from reference.low_precision import tensor_f64 as as_f64

TARGET = targets.current()
LIB = TARGET.lib  # the library under test (``lib`` names a parameter of the op lambdas)

DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64")
VALUES = {
    "bool": [True, False, True],
    "uint8": [200, 3, 7],
    "int8": [100, -100, 7],
    "int16": [30000, -3, 7],
    "int32": [2**31 - 5, -3, 7],
    "int64": [2**62, -3, 7],
}
FLOAT_VALUES = [1.5, -2.25, 3.0]
SCALARS = {"int": 3, "int_wraps": 1000, "float": 2.5, "bool": True}


def _values(name):
    return VALUES.get(name, FLOAT_VALUES)


def make(lib, name, kind):
    """An operand of ``lib``: kind "tensor" (shape (3,)), "zero_dim", or a Python scalar kind of SCALARS."""
    if kind in SCALARS:
        return SCALARS[kind]
    vals = _values(name)
    return lib.tensor(vals if kind == "tensor" else vals[0], dtype=getattr(lib, name))


def dtype_name(x):
    """The torch name of a tensor's dtype or of a dtype object ("float32")."""
    return str(getattr(x, "dtype", x)).rsplit(".", 1)[-1]


def same(fn, *operands, what):
    """Run ``fn(lib, *made operands)`` in both libraries: the same exception class, or the same dtype and values."""
    try:
        expected = fn(torch, *[make(torch, *o) for o in operands])
    except Exception as e:  # noqa: BLE001 - torch refuses: the target must refuse with the same class
        with pytest.raises(type(e)):
            fn(LIB, *[make(LIB, *o) for o in operands])
        return "raises"
    actual = fn(LIB, *[make(LIB, *o) for o in operands])
    assert dtype_name(actual) == dtype_name(expected), f"{what}: {TARGET.name} dtype {actual.dtype} vs torch {expected.dtype}"
    a, e = as_f64(actual), as_f64(expected)
    assert a.shape == e.shape, f"{what}: {TARGET.name} shape {a.shape} vs torch {e.shape}"
    if e.dtype.kind == "f":
        eps = float(torch.finfo(expected.dtype).eps)
        with np.errstate(invalid="ignore"):
            ok = (np.abs(a - e) <= eps * np.abs(e)) | (np.isnan(a) & np.isnan(e)) | (a == e)
        assert ok.all(), f"{what}: {TARGET.name} {a.tolist()} vs torch {e.tolist()} ({expected.dtype})"
    else:
        assert np.array_equal(a, e), f"{what}: {TARGET.name} {a.tolist()} vs torch {e.tolist()} ({expected.dtype})"
    return "compared"


BINARY = {
    "add": lambda lib, a, b: a + b if isinstance(a, lib.Tensor) else lib.add(b, a),
    "sub": lambda lib, a, b: lib.sub(a, b),
    "mul": lambda lib, a, b: a * b if isinstance(a, lib.Tensor) else b * a,
    "div": lambda lib, a, b: lib.div(a, b),
    "true_divide": lambda lib, a, b: lib.true_divide(a, b),
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "lt": lambda lib, a, b: a < b,
    "eq": lambda lib, a, b: lib.eq(a, b),
    "where": lambda lib, a, b: lib.where(lib.tensor([True, False, False]), a, b),
}
TENSOR_KINDS = ("tensor", "zero_dim")
LEFT = [(d, k) for d in DTYPES for k in TENSOR_KINDS]
RIGHT = LEFT + [(None, s) for s in SCALARS]


@pytest.mark.parametrize("op", list(BINARY))
def test_binary_promotion_all_pairs(op):
    """Every dtype x {tensor, 0-d tensor} against every dtype x {tensor, 0-d tensor} and every Python scalar kind,
    both operand orders (a scalar comes second; add/mul also put it first)."""
    fn = BINARY[op]
    outcomes = []
    for left, right in itertools.product(LEFT, RIGHT):
        outcomes.append(same(fn, left, right, what=f"{op}({left}, {right})"))
        if right[0] is None and op in ("add", "mul", "where"):
            outcomes.append(same(lambda lib, a, b: fn(lib, b, a), left, right, what=f"{op}({right}, {left})"))
    assert outcomes.count("compared") >= len(LEFT) * len(RIGHT) // 2  # most pairs are defined in torch


@pytest.mark.parametrize("op", ["cat", "stack"])
def test_cat_stack_promotion_all_pairs(op):
    fn = (lambda lib, a, b: lib.cat([a, b])) if op == "cat" else (lambda lib, a, b: lib.stack([a, b]))
    kinds = ("tensor",) if op == "cat" else TENSOR_KINDS
    n = 0
    for (da, ka), (db, kb) in itertools.product([(d, k) for d in DTYPES for k in kinds], repeat=2):
        if ka == kb:
            n += same(fn, (da, ka), (db, kb), what=f"{op}([{da} {ka}, {db} {kb}])") == "compared"
    assert n == (len(DTYPES) * len(kinds)) ** 2 // len(kinds)


def test_promote_types_result_type_can_cast_tables():
    for a, b in itertools.product(DTYPES, repeat=2):
        ia, ib, ta, tb = getattr(LIB, a), getattr(LIB, b), getattr(torch, a), getattr(torch, b)
        assert dtype_name(LIB.promote_types(ia, ib)) == dtype_name(torch.promote_types(ta, tb)), (a, b)
        assert LIB.can_cast(ia, ib) == torch.can_cast(ta, tb), (a, b)
    for left, right in itertools.product(LEFT, RIGHT):
        got = LIB.result_type(make(LIB, *left), make(LIB, *right))
        want = torch.result_type(make(torch, *left), make(torch, *right))
        assert dtype_name(got) == dtype_name(want), (left, right)


def test_default_dtype_governs_python_floats_and_integer_division():
    assert LIB.get_default_dtype() is LIB.float32
    LIB.set_default_dtype(LIB.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for d in ("bool", "int8", "int64", "float16", "bfloat16", "float32"):
            same(BINARY["add"], (d, "tensor"), (None, "float"), what=f"add({d}, 2.5) under float64 default")
            same(BINARY["div"], (d, "tensor"), (d, "tensor"), what=f"div({d}, {d}) under float64 default")
        for make_t in (lambda lib: lib.tensor([1.5, 2.0]), lambda lib: lib.zeros(2), lambda lib: lib.arange(0.0, 2.0),
                       lambda lib: lib.full((2,), 1.5)):
            assert dtype_name(make_t(LIB)) == dtype_name(make_t(torch))
        assert LIB.get_default_dtype() is LIB.float64
    finally:
        LIB.set_default_dtype(LIB.float32)
        torch.set_default_dtype(torch.float32)
    with pytest.raises(TypeError):
        LIB.set_default_dtype(LIB.int32)
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int32)


CAST_VALUES = {  # in range of every target (float -> unsigned of a negative value is undefined behaviour in C)
    "float": [1.5, 2.75, 0.0, 100.7, 3.0],
    "bool": [True, False, True, True, False],
    "uint8": [200, 3, 0, 255, 7],
    "int8": [100, -100, 0, -128, 7],
    "int16": [30000, -3, 0, 300, 7],
    "int32": [2**31 - 5, -3, 0, 70000, 7],
    "int64": [2**62, -3, 0, 2**40 + 1, 7],
}
METHODS = {"half": "float16", "bfloat16": "bfloat16", "float": "float32", "double": "float64", "byte": "uint8",
           "char": "int8", "short": "int16", "int": "int32", "long": "int64", "bool": "bool"}


def test_casts_between_every_pair_of_dtypes():
    for a, b in itertools.product(DTYPES, repeat=2):
        vals = CAST_VALUES.get(a, CAST_VALUES["float"])
        got = LIB.tensor(vals, dtype=getattr(LIB, a)).to(getattr(LIB, b))
        want = torch.tensor(vals, dtype=getattr(torch, a)).to(getattr(torch, b))
        assert dtype_name(got) == b
        assert np.array_equal(as_f64(got), as_f64(want)), f"{a} -> {b}: {TARGET.name} {as_f64(got)} vs torch {as_f64(want)}"
    for method, name in METHODS.items():
        for src in DTYPES:
            x = LIB.tensor(CAST_VALUES.get(src, CAST_VALUES["float"]), dtype=getattr(LIB, src))
            t = torch.tensor(CAST_VALUES.get(src, CAST_VALUES["float"]), dtype=getattr(torch, src))
            got, want = getattr(x, method)(), getattr(t, method)()
            assert dtype_name(got) == dtype_name(want) == name
            assert np.array_equal(as_f64(got), as_f64(want)), f"{src}.{method}()"


@pytest.mark.parametrize("low", ["float16", "bfloat16"])
def test_rounding_to_low_precision_bit_for_bit(low):
    """float32/float64 -> float16/bfloat16 rounds to nearest even as torch's (ties, subnormals, overflow, nan)."""
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2**32, size=20000, dtype=np.uint64).astype(np.uint32)
    f32 = bits.view(np.float32)
    ties = (np.arange(-300, 300, dtype=np.int64).astype(np.uint32) << 16 | 0x8000).view(np.float32)  # bf16 ties
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 65504.0, 65520.0, 65519.99, 6e-8, 3e-8, 1e-45,
                        3.3895313892515355e38, 3.4e38, 1 + 2.0**-8, 1 + 3 * 2.0**-8], dtype=np.float32)
    for arr in (f32, ties, special, rng.standard_normal(5000)):
        got = as_f64(LIB.tensor(arr).to(getattr(LIB, low)))
        want = as_f64(torch.from_numpy(arr).to(getattr(torch, low)))
        same_val = (got == want) | (np.isnan(got) & np.isnan(want))
        assert same_val.all(), f"{arr.dtype} -> {low}: {int((~same_val).sum())} values differ, e.g. {arr[~same_val][:3]}"
        assert (np.signbit(got) == np.signbit(want))[~np.isnan(want)].all()


def test_dtype_objects_and_limits():
    for name in DTYPES:
        i, t = getattr(LIB, name), getattr(torch, name)
        assert (i.is_floating_point, i.is_signed, i.itemsize) == (t.is_floating_point, t.is_signed, t.itemsize), name
        assert LIB.zeros(2, dtype=i).element_size() == torch.zeros(2, dtype=t).element_size()
        assert LIB.zeros(2, dtype=i).is_floating_point() == LIB.is_floating_point(LIB.zeros(1, dtype=i)) == \
            torch.is_floating_point(torch.zeros(1, dtype=t))
        if t.is_floating_point:
            fi, ft = LIB.finfo(i), torch.finfo(t)
            for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
                assert getattr(fi, attr) == getattr(ft, attr), (name, attr)
        elif name != "bool":
            ii, it = LIB.iinfo(i), torch.iinfo(t)
            assert (ii.bits, ii.min, ii.max, ii.dtype) == (it.bits, it.min, it.max, it.dtype), name
    for alias, name in (("half", "float16"), ("short", "int16"), ("int", "int32"), ("long", "int64"),
                        ("float", "float32"), ("double", "float64")):
        assert getattr(LIB, alias) is getattr(LIB, name)
        assert getattr(torch, alias) is getattr(torch, name)
    for py in (float, int, bool):  # Python types as dtypes: float is float64, as torch's
        for make_t in (lambda lib, py=py: lib.zeros(2, dtype=py), lambda lib, py=py: lib.tensor([1, 0], dtype=py),
                       lambda lib, py=py: lib.ones(2).to(py)):
            assert dtype_name(make_t(LIB)) == dtype_name(make_t(torch)), py
    with pytest.raises(TypeError):
        LIB.finfo(LIB.int32)
    with pytest.raises(TypeError):
        LIB.iinfo(LIB.float32)
    assert LIB.finfo().eps == torch.finfo().eps


@pytest.mark.parametrize("low", ["float16", "bfloat16"])
def test_low_precision_gradients_have_their_tensors_dtype(low):
    """Gradients come back in the input's dtype through casts both ways (as torch's)."""
    for lib in (LIB, torch):
        x = lib.tensor([1.5, -2.0, 0.25], dtype=getattr(lib, low), requires_grad=True)
        y = lib.tensor([0.5, 1.0, 3.0], requires_grad=True)
        ((x * 3.1).float() * y + x.to(lib.float64).tanh().to(getattr(lib, low))).sum().backward()
        assert dtype_name(x.grad) == low and dtype_name(y.grad) == "float32"
    xi = LIB.tensor([1.5, -2.0, 0.25], dtype=getattr(LIB, low), requires_grad=True)
    xt = torch.tensor([1.5, -2.0, 0.25], dtype=getattr(torch, low), requires_grad=True)
    for lib, x in ((LIB, xi), (torch, xt)):
        ((x * 3.1).float() * 2 + x.to(lib.float64).tanh().to(getattr(lib, low))).sum().backward()
    assert np.array_equal(as_f64(xi.grad), as_f64(xt.grad))


def test_a_non_dtype_is_refused_as_torch_refuses_it():
    bad = object()
    with pytest.raises(TypeError):
        torch.zeros(2, dtype=bad)
    with pytest.raises(TypeError) as info:
        LIB.zeros(2, dtype=bad)
    if TARGET.messages:  # impl's message says what it was given
        assert "dtype" in str(info.value) and repr(bad) in str(info.value), str(info.value)
