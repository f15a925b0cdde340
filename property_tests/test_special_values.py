"""Special values: 0, -0.0, ±inf, nan and empty tensors through every elementwise op and reduction, on the library
under test (reference.targets).

Forward values and gradients must equal torch's — nan where torch has nan, the same infinities, the same
signed zeros — or, for impl only, be listed in DIVERGENCES with the reason (any other target is compared on those
cases too).
"""
import warnings

import numpy as np
import pytest
import torch

from reference import targets

pytestmark = [pytest.mark.reliability]
TARGET, ORACLE = targets.current(), targets.oracle()

SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -2.0]

ELEMENTWISE = {
    "neg": lambda L, x: -x,
    "abs": lambda L, x: x.abs(),
    "exp": lambda L, x: x.exp(),
    "log": lambda L, x: x.log(),
    "log1p": lambda L, x: x.log1p(),
    "expm1": lambda L, x: x.expm1(),
    "sqrt": lambda L, x: x.sqrt(),
    "rsqrt": lambda L, x: x.rsqrt(),
    "sin": lambda L, x: x.sin(),
    "cos": lambda L, x: x.cos(),
    "tanh": lambda L, x: x.tanh(),
    "sigmoid": lambda L, x: x.sigmoid(),
    "relu": lambda L, x: x.relu(),
    "reciprocal": lambda L, x: x.reciprocal(),
    "square": lambda L, x: x.square(),
    "sign": lambda L, x: x.sign(),
    "floor": lambda L, x: x.floor(),
    "ceil": lambda L, x: x.ceil(),
    "round": lambda L, x: x.round(),
    "clamp": lambda L, x: x.clamp(-1.0, 1.0),
    "pow_2": lambda L, x: x**2,
    "pow_3": lambda L, x: x**3,
    "pow_-1": lambda L, x: x**-1,
    "add_scalar": lambda L, x: x + 1.0,
    "mul_scalar": lambda L, x: x * 3.0,
    "div_by_zero": lambda L, x: x / 0.0,
    "rdiv": lambda L, x: 1.0 / x,
    "maximum_0": lambda L, x: L.maximum(x, L.zeros_like(x)),
    "minimum_0": lambda L, x: L.minimum(x, L.zeros_like(x)),
    "where_pos": lambda L, x: L.where(x > 0, x, x * 2.0),
    "leaky_relu": lambda L, x: L.nn.functional.leaky_relu(x, 0.1),
    "elu": lambda L, x: L.nn.functional.elu(x),
    "gelu": lambda L, x: L.nn.functional.gelu(x),
    "gelu_tanh": lambda L, x: L.nn.functional.gelu(x, approximate="tanh"),
    "silu": lambda L, x: L.nn.functional.silu(x),
    "softplus": lambda L, x: L.nn.functional.softplus(x),
}

REDUCTIONS = {
    "sum": lambda L, x: x.sum(),
    "mean": lambda L, x: x.mean(),
    "prod": lambda L, x: x.prod(),
    "amax": lambda L, x: x.amax(),
    "amin": lambda L, x: x.amin(),
    "max": lambda L, x: x.max(),
    "min": lambda L, x: x.min(),
    "max_dim": lambda L, x: x.max(dim=0).values,
    "logsumexp": lambda L, x: x.logsumexp(dim=0),
    "softmax": lambda L, x: x.softmax(dim=0),
    "log_softmax": lambda L, x: x.log_softmax(dim=0),
    "norm": lambda L, x: x.norm(),
    "norm_p3": lambda L, x: x.norm(p=3),  # general p: the masked derivative at zero (regression 047)
    "norm_p0.5": lambda L, x: x.norm(p=0.5),
    "var": lambda L, x: x.var(),
    "std": lambda L, x: x.std(),
    "cumsum": lambda L, x: x.cumsum(dim=0),
}

# (op, value) -> reason: impl's documented divergences (they exempt impl only, TARGET.known_divergences).
DIVERGENCES = {
    ("prod", np.inf): "torch computes d prod/dx as prod/x = inf/inf = nan for a single element; impl uses the "
    "product of the other elements (the empty product, 1), which float64 finite differences confirm",
    ("prod", -np.inf): "as for +inf",
    ("prod", np.nan): "torch: nan/nan; impl: the product of the other elements (1): the gradient of x is 1",
    ("amax", np.nan): "torch's amax backward counts `x == result` (0 for nan) and returns nan; impl routes the "
    "gradient to the nan entries as torch's own max() does",
    ("amin", np.nan): "as for amax",
    ("cumsum", -0.0): "torch accumulates from +0.0, so cumsum([-0.0]) is +0.0; numpy returns the first "
    "element unchanged (-0.0). Equal as numbers; only the sign bit of a zero differs",
    ("maximum_0", -0.0): "maximum(-0.0, 0.0): torch returns the first operand (-0.0), numpy's maximum the second "
    "(+0.0); equal as numbers",
    ("minimum_0", -0.0): "minimum(-0.0, +0.0): which zero is returned differs; equal as numbers",
    ("var", np.nan): "single-element var has denominator n-1 = 0: torch's backward gives inf*... = inf, impl "
    "gives nan (0/0). Both are undefined; the forward (nan) agrees",
}


def _same(a, b):
    """Same nan positions, same infinities, same signed zeros (a nan's sign is not compared); finite
    non-zero values equal at assert_close's float64 tolerance (libm implementations differ by an ulp)."""
    if a.shape != b.shape:
        return False
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    special = np.isinf(a) | np.isinf(b) | (a == 0) | (b == 0)
    if not np.array_equal(a[special], b[special]) or not np.array_equal(np.signbit(a[special]), np.signbit(b[special])):
        return False
    finite = ~special & ~np.isnan(a)
    return bool(np.all(np.abs(a[finite] - b[finite]) <= 1e-7 + 1e-7 * np.abs(b[finite])))


def _run_all(side, fn, arrays, cotangent=np.ones):
    """(forward, [gradient of each input]) of ``fn(lib, *inputs)`` on float64 copies of ``arrays`` in ``side`` (a
    Target: the oracle or the target), backpropagating ``cotangent(output shape)``."""
    lib = side.lib
    xs = [side.tensor_from_numpy(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        y = fn(lib, *xs)
        y.backward(side.tensor_from_numpy(cotangent(tuple(y.shape))))
    return np.array(side.to_numpy(y.detach()), copy=True), [np.array(side.to_numpy(x.grad), copy=True) for x in xs]


def _run(side, fn, arr):
    """(forward, gradient) of ``fn`` on a float64 copy of ``arr`` in ``side``, for a cotangent of ones."""
    y, (g,) = _run_all(side, fn, [arr])
    return y, g


def _documented(name, value):
    """Whether (name, value) is in DIVERGENCES, telling -0.0 from 0.0 (a dict lookup would not: -0.0 == 0.0)."""
    return any(n == name and (d == value or (np.isnan(d) and np.isnan(value))) and np.signbit(d) == np.signbit(value)
               for n, d in DIVERGENCES)


# impl's documented divergences are not compared for impl; test_divergences_are_real checks they still diverge.
CASES = [
    (name, fn, v)
    for table in (ELEMENTWISE, REDUCTIONS)
    for name, fn in table.items()
    for v in SPECIALS
    if not (TARGET.known_divergences and _documented(name, v))
]


@pytest.mark.parametrize("name,fn,value", CASES, ids=[f"{n}-{v}" for n, _, v in CASES])
def test_special_value(name, fn, value):
    arr = np.array([value])
    ty, tg = _run(ORACLE, fn, arr)
    iy, ig = _run(TARGET, fn, arr)
    assert _same(ty, iy), f"{name}({value}) forward: torch {ty}, {TARGET.name} {iy}"
    assert _same(tg, ig), f"{name}({value}) gradient: torch {tg}, {TARGET.name} {ig}"


@pytest.mark.impl_only(reason="checks that impl's documented divergences (DIVERGENCES) still diverge from torch")
def test_divergences_are_real():
    """A divergence entry that torch and impl actually agree on is stale and must be removed."""
    table = {**ELEMENTWISE, **REDUCTIONS}
    stale = []
    for (name, value), _ in DIVERGENCES.items():
        arr = np.array([value])
        (ty, tg), (iy, ig) = _run(ORACLE, table[name], arr), _run(TARGET, table[name], arr)
        if _same(ty, iy) and _same(tg, ig):
            stale.append((name, value))
    assert not stale, f"documented divergences that no longer diverge: {stale}"


EMPTY_OK = [n for n in REDUCTIONS if n not in ("amax", "amin", "max", "min", "max_dim")]


@pytest.mark.parametrize("name", list(ELEMENTWISE) + EMPTY_OK)
def test_empty_tensor(name):
    fn = {**ELEMENTWISE, **REDUCTIONS}[name]
    arr = np.zeros((0,))
    ty, tg = _run(ORACLE, fn, arr)
    iy, ig = _run(TARGET, fn, arr)
    assert _same(ty, iy), f"{name}(empty) forward: torch {ty!r}, {TARGET.name} {iy!r}"
    assert _same(tg, ig), f"{name}(empty) gradient: torch {tg!r}, {TARGET.name} {ig!r}"


@pytest.mark.parametrize("name", ["amax", "amin", "max", "min", "max_dim"])
def test_empty_reduction_without_identity_raises_like_torch(name):
    fn = REDUCTIONS[name]
    with pytest.raises((RuntimeError, IndexError)) as t_err:
        fn(torch, torch.zeros(0, dtype=torch.float64))
    with pytest.raises(type(t_err.value)) as i_err:
        fn(TARGET.lib, TARGET.lib.zeros(0, dtype=TARGET.dtype("float64")))
    if TARGET.messages:  # impl's messages name the op
        assert name.split("_")[0] in str(i_err.value)


@pytest.mark.parametrize("value", [1.5, 0.0])
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_constant_input(name, value):
    """Every reduction over a constant tensor (a padded row, a dead channel): zero spread and all-way ties.
    std's composite sqrt(var) backpropagated 0 * inf = nan here (regression 045); torch's answer is 0."""
    fn = REDUCTIONS[name]
    arr = np.full((2, 3), value)
    ty, tg = _run(ORACLE, fn, arr)
    iy, ig = _run(TARGET, fn, arr)
    assert _same(ty, iy), f"{name}(constant {value}, shape (2, 3)) forward: torch {ty}, {TARGET.name} {iy}"
    assert _same(tg, ig), f"{name}(constant {value}, shape (2, 3)) gradient: torch {tg}, {TARGET.name} {ig}"


# ---- special values in the incoming gradient --------------------------------------------------------------------
# A backward that routes or masks its gradient (max pooling's winners, relu's gate, clamp's range, a selected max)
# must keep an inf or nan of the incoming gradient where torch keeps it: multiplying by a 0/1 mask turns
# 0 * inf into nan in places torch leaves at 0.
_X = np.array([[[[0.3, -1.2, 2.5, 0.7], [1.1, 0.2, -0.4, 3.0], [-2.0, 0.9, 1.4, -0.6], [0.5, 2.2, -1.7, 0.1]]]])
ROUTING = {
    "max_pool2d_overlapping": lambda L, x: L.nn.functional.max_pool2d(x, 2, stride=1),
    "max_pool2d": lambda L, x: L.nn.functional.max_pool2d(x, 2),
    "avg_pool2d_overlapping": lambda L, x: L.nn.functional.avg_pool2d(x, 2, stride=1),
    "relu": lambda L, x: x.relu(),
    "clamp": lambda L, x: x.clamp(-1.0, 1.0),
    "abs": lambda L, x: x.abs(),
    "maximum": lambda L, x: L.maximum(x, L.zeros_like(x)),
    "where": lambda L, x: L.where(x > 0, x, x * 2.0),
    "max_dim": lambda L, x: x.max(dim=-1).values,
    "amax_dim": lambda L, x: x.amax(dim=-1),
    "sort": lambda L, x: x.sort(dim=-1).values,
    "getitem": lambda L, x: x[..., 1:3, ::2],
}


def _vjp(side, fn, cotangent_value):
    """The gradient of ``fn`` at _X for a cotangent of ones with ``cotangent_value`` at its first entry."""
    def cotangent(shape):
        g = np.ones(shape)
        g.flat[0] = cotangent_value
        return g

    return _run_all(side, fn, [_X], cotangent)[1][0]


@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("name", list(ROUTING))
def test_special_value_in_the_incoming_gradient(name, value):
    tg, ig = _vjp(ORACLE, ROUTING[name], value), _vjp(TARGET, ROUTING[name], value)
    assert _same(tg, ig), f"{name}, incoming gradient with {value} at its first entry: torch {tg}, {TARGET.name} {ig}"


# ---- special values in a convolution's input --------------------------------------------------------------------
# A stride-1 convolution computes its weight gradient over padded rows too (where the gradient is zero); an inf or
# nan in the input then meets those zeros, and must be excluded as the valid sum would, as torch does.
CONVS = {
    "conv2d_stride1": lambda L, x, w: L.nn.functional.conv2d(x, w, padding=1),
    "conv2d_stride1_dilated": lambda L, x, w: L.nn.functional.conv2d(x, w, dilation=2, padding=2),
    "conv2d_stride2": lambda L, x, w: L.nn.functional.conv2d(x, w, stride=2, padding=1),
}
_W = np.array([[[[0.5, -1.0], [2.0, 0.25]]], [[[1.5, 0.75], [-0.5, 1.0]]]])


@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("name", list(CONVS))
def test_special_value_in_a_convolution_input(name, value):
    x0 = _X.copy()
    x0[0, 0, 1, 2] = value
    results = [(y, *grads) for y, grads in (_run_all(side, CONVS[name], [x0, _W]) for side in (ORACLE, TARGET))]
    for what, t, i in zip(("forward", "input gradient", "weight gradient"), *results):
        assert _same(t, i), f"{name} with {value} in the input, {what}: torch {t}, {TARGET.name} {i}"
