"""OpSpecs for deterministic creation ops, conversions and tensor metadata: forward only (shape, dtype, values).

Creation is excluded from gradient checks (``differentiable=()``, ``gradcheck=False``); what is checked is the
dtype inference (Python ints -> int64, floats -> float32, bools -> bool, float64 numpy stays float64), the
shapes (0-d and size-0 included) and the values. Random creation ops draw from impl's own generator: their shapes
and dtypes are compared with torch's (property_tests/test_ops.py::test_random_creation_shape_and_dtype), their
values are tested as distributions (property_tests/test_random_distributions.py).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from reference.opspec import ErrorInput, OpSpec
from reference.strategies import rarely, rng_of, sample, shapes, values

DTYPE_NAMES = st.sampled_from(["float32", "float64", "int64", "bool"])


def C(name, fn, strategy, **kw):
    return OpSpec(name, fn, strategy, differentiable=(), gradcheck=False, **kw)


@st.composite
def _size(draw):
    return sample(size=draw(shapes()), dt=draw(DTYPE_NAMES))


@st.composite
def _like(draw):
    r = rng_of(draw)
    shape = draw(shapes())
    x = values(r, shape) if draw(st.booleans()) else r.integers(-3, 4, shape)
    return sample(x, dt=draw(DTYPE_NAMES))


@st.composite
def _arange(draw):
    start = draw(st.integers(-4, 4))
    length = 0 if draw(rarely()) else draw(st.integers(1, 8))  # an empty range: rare
    return sample(start=start, end=start + length, step=draw(st.integers(1, 3)))


@st.composite
def _linspace(draw):
    return sample(start=draw(st.sampled_from([0.0, -1.5, 2.0, 1])), end=draw(st.sampled_from([1.0, 3.25, -2.0, 10])),
                  steps=0 if draw(rarely()) else draw(st.integers(1, 7)))  # steps=0 (empty): rare


@st.composite
def _data(draw):
    """Nested Python lists (or a scalar) of floats, ints, bools or a mix of ints and floats."""
    r = rng_of(draw)
    shape = draw(shapes(max_dims=3, max_side=3))
    kind = draw(st.sampled_from(["float", "int", "bool", "mixed"]))
    if kind == "float":
        a = values(r, shape)
    elif kind == "int":
        a = r.integers(-5, 6, shape)
    elif kind == "bool":
        a = r.random(shape) < 0.5
    else:
        a = r.integers(-5, 6, shape).astype(object)
        if a.size:
            a.flat[0] = 2.5  # one float among ints: float32, as torch
    data = a.tolist()
    return sample(data=data)


@st.composite
def _float_x(draw, min_dims=0, min_side=0, with_int=False):
    r = rng_of(draw)
    shape = draw(shapes(min_dims=min_dims, min_side=min_side))
    if with_int:
        return sample(values(r, shape), r.integers(0, 4, shape[:1]))
    return sample(values(r, shape))


SPECS = [
    C("zeros_ones_full_empty", lambda lib, size, dt: (
        lib.zeros(size), lib.ones(size, dtype=getattr(lib, dt)), lib.zeros(*size, dtype=getattr(lib, dt)) if size else lib.zeros(size),
        lib.full(size, 2.5), lib.full(size, 3), lib.full(size, True), lib.full(size, 1.5, dtype=lib.float64),
        lib.empty(size).fill_(1.5), lib.empty(*size, dtype=getattr(lib, dt)).shape if size else lib.empty(size).shape), _size(),
      error_inputs=(ErrorInput(lambda lib: ((), {"size": (-1, 2), "dt": "float32"}), RuntimeError,
                               "negative dimension -1", "negative size"),)),
    C("like", lambda lib, x, dt: (lib.zeros_like(x), lib.ones_like(x), lib.full_like(x, 7), lib.full_like(x, 0.5),
                                  lib.empty_like(x).shape, lib.empty_like(x).dtype == x.dtype,
                                  lib.zeros_like(x, dtype=getattr(lib, dt)), lib.ones_like(x, dtype=getattr(lib, dt))),
      _like()),
    C("arange", lambda lib, start, end, step: (lib.arange(end - start), lib.arange(start, end), lib.arange(start, end, step),
                                               lib.arange(0.5 * start, 0.5 * end, 0.25), lib.arange(end - start, dtype=lib.float64)),
      _arange(), error_inputs=(ErrorInput(lambda lib: ((), {"start": 3, "end": 0, "step": 1}), RuntimeError,
                                          "upper bound and lower bound inconsistent with step sign"),)),
    C("linspace", lambda lib, start, end, steps: (lib.linspace(start, end, steps), lib.linspace(start, end, steps, dtype=lib.float64)),
      _linspace(), error_inputs=(ErrorInput(lambda lib: ((), {"start": 0.0, "end": 1.0, "steps": -1}), RuntimeError,
                                            "linspace.*number of steps must be non-negative"),)),
    C("eye", lambda lib, n, m: (lib.eye(n), lib.eye(n, m), lib.eye(n, dtype=lib.int64)),
      st.builds(lambda n, m: sample(n=n, m=m), st.integers(0, 5), st.integers(0, 5)),
      error_inputs=(ErrorInput(lambda lib: ((), {"n": -1, "m": 2}), RuntimeError, "eye.*n must be greater or equal to 0"),
                    ErrorInput(lambda lib: ((), {"n": 2, "m": -1}), RuntimeError, "eye.*m must be greater or equal to 0"))),
    C("tensor_from_data", lambda lib, data: (lib.tensor(data), lib.tensor(data, dtype=lib.float64), lib.as_tensor(data),
                                             lib.tensor(data, dtype=lib.float32)),
      _data(), notes="dtype inference: ints -> int64, floats (or a mix) -> float32, bools -> bool"),
    C("Tensor_constructor", lambda lib, data: lib.Tensor(data), _data().filter(lambda s: isinstance(s.kwargs["data"], list) and s.kwargs["data"] != []),
      notes="torch.Tensor(data) is always float32 (the legacy constructor)"),
    C("numpy_bridge", lambda lib, x: (lib.from_numpy(x.numpy()), lib.as_tensor(x.numpy()), lib.tensor(x.numpy()),
                                      x.numpy(), x.tolist(), x.sum().item(), float(x.sum())), _float_x(),
      notes="from_numpy/numpy keep float64; tolist/item give Python objects"),
    C("metadata", lambda lib, x: (x.shape, x.size(), x.ndim, x.dim(), x.numel(), x.nelement(), x.is_floating_point(),
                                  x.element_size(), x.dtype == lib.float32, x.dtype == lib.float64, x.dtype.is_floating_point,
                                  lib.is_tensor(x), lib.is_tensor(1.0), x.requires_grad, x.is_leaf, x.grad is None,
                                  str(x.device), x.size(-1) if x.ndim else -1, x.shape.numel()),
      _float_x()),
    C("python_protocols", lambda lib, x, i: (len(x), list(x), bool(x[0].sum() > 0), float(x[0].sum()), int(x.sum() > 0),
                                             [10, 20, 30, 40][i[0]], np.asarray(x), x.__array__(), x.tolist()),
      _float_x(min_dims=1, min_side=1, with_int=True)),
]
