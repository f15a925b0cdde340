"""OpSpecs for diagflat, fliplr/flipud, logaddexp2, sgn, take, numel and logspace (torch.* and the
Tensor methods torch binds for them). The random factories of impl/ops/extra.py (normal, randint_like) are
tested as distributions in property_tests/test_random_extra.py."""
from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import strategies as st

from reference.opspec import ErrorInput, OpSpec
from reference.strategies import binary, distinct, rarely, rng_of, sample, shapes, unary, values


@st.composite
def _take(draw):
    r = rng_of(draw)
    shape = draw(shapes(min_side=1))
    n = int(np.prod(shape))
    ishape = draw(shapes(max_dims=2))
    return sample(values(r, shape), r.integers(-n, n, ishape))


@st.composite
def _logspace(draw):
    return sample(start=draw(st.sampled_from([0.0, -1.5, 2, 1.25])), end=draw(st.sampled_from([1.0, 3.0, -2.0, 0])),
                  steps=0 if draw(rarely()) else draw(st.integers(1, 6)),
                  base=draw(st.sampled_from([10.0, 2.0, 0.5, 3])))


def _numel_shape(draw):
    return sample(values(rng_of(draw), draw(shapes())))


_SCALAR_OTHER = ErrorInput(lambda lib: ((lib.ones(2), 1.0), {}), TypeError,
                           r"logaddexp2\(\): argument 'other' .*must be Tensor, not float", "a Python scalar other")

SPECS = [
    OpSpec("diagflat", lambda lib, x, offset: (lib.diagflat(x, offset), x.diagflat(offset), lib.diagflat(x)),
           unary(max_dims=2, offset=st.integers(-2, 2))),
    OpSpec("fliplr_flipud", lambda lib, x: (lib.fliplr(x), x.fliplr(), lib.flipud(x), x.flipud()), unary(min_dims=2),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(3),), {}), RuntimeError, r"Input must be >= 2-d", "fliplr of 1-D"),)),
    OpSpec("flipud", lambda lib, x: (lib.flipud(x), x.flipud()), unary(min_dims=1),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.tensor(1.0),), {}), RuntimeError, r"Input must be >= 1-d", "0-d input"),)),
    OpSpec("logaddexp2", lambda lib, x, y: (lib.logaddexp2(x, y), x.logaddexp2(y)), binary(), differentiable=(0, 1),
           error_inputs=(_SCALAR_OTHER,)),
    OpSpec("sgn", lambda lib, x: (lib.sgn(x), x.sgn()), unary(domain="nonzero")),
    OpSpec("take", lambda lib, x, i: (lib.take(x, i), x.take(i)), _take(),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(2, 3), lib.tensor([6])), {}), IndexError,
                          "out of range: tried to access index 6 on a tensor of 6 elements", "index past the end"),
               ErrorInput(lambda lib: ((lib.ones(2, 3), lib.tensor([-7])), {}), IndexError,
                          "out of range: tried to access index -7 on a tensor of 6 elements", "index before the start"),
           )),
    OpSpec("numel", lambda lib, x: (lib.numel(x), x.numel()), st.composite(_numel_shape)(), differentiable=(),
           gradcheck=False, notes="a Python int: compared exactly"),
    OpSpec("logspace", lambda lib, **kw: (lib.logspace(**kw), lib.logspace(**kw, dtype=lib.float64)), _logspace(),
           differentiable=(), gradcheck=False),
]


# ---- impl.nn.functional ---------------------------------------------------------------------------------
def _F(lib):
    return lib.nn.functional


def _batch(draw):
    return draw(st.sampled_from([(), (1,), (2,)]))


@st.composite
def _adaptive1d(draw, distinct_values=False):
    r = rng_of(draw)
    shape = (*_batch(draw), draw(st.integers(1, 3)), draw(st.integers(1, 6)))
    o = draw(st.integers(0, 7)) if draw(rarely()) else draw(st.integers(1, 7))
    x = distinct(r, shape) if distinct_values else values(r, shape)
    return sample(x, output_size=(o,) if draw(st.booleans()) else o)


@st.composite
def _unpool1d(draw):
    """Windows that do not overlap (stride >= kernel): each output position is written at most once, where
    torch leaves a repeated index's winner unspecified."""
    r = rng_of(draw)
    k = draw(st.integers(1, 3))
    s = draw(st.integers(k, k + 1))
    p = draw(st.integers(0, (k - 1) // 2))
    shape = (*_batch(draw), draw(st.integers(1, 2)), draw(st.integers(1, 4)))
    Lin = shape[-1]
    default = (Lin - 1) * s + k - 2 * p
    size = default + draw(st.integers(0, s - 1))
    start = np.arange(Lin) * s - p
    idx = np.clip(start + r.integers(0, k, shape), 0, size - 1)
    kw = dict(kernel_size=k, stride=s if draw(st.booleans()) or s != k else None, padding=p)
    if size != default or draw(st.booleans()):
        kw["output_size"] = (*shape[:-1], size) if len(shape) == 3 and draw(st.booleans()) else (size,)
    return sample(values(r, shape), idx.astype(np.int64), **kw)


@st.composite
def _pairwise(draw):
    r = rng_of(draw)
    shape = (*_batch(draw), draw(st.integers(1, 4)))
    x1 = values(r, shape)
    # x1 - x2 at least 0.1 from 0 (the norm's kink for p <= 1 and its 1/||d|| for p = 2)
    x2 = x1 - values(r, shape, "nonzero")
    if shape[:-1] and draw(st.booleans()):
        x2 = x2[:1]  # broadcasts over the batch
    return sample(x1, x2, p=draw(st.sampled_from([2.0, 1.0, 3.0, 1.5])), eps=draw(st.sampled_from([1e-6, 0.0, 0.01])),
                  keepdim=draw(st.booleans()))


@st.composite
def _upsample(draw):
    r = rng_of(draw)
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 4)))
    mode = draw(st.sampled_from(["nearest", "linear"]))
    kw = dict(mode=mode)
    if draw(st.booleans()):
        kw["size"] = draw(st.integers(1, 7))
    else:
        kw["scale_factor"] = draw(st.sampled_from([2, 3, 1.5]))
    if mode == "linear":
        kw["align_corners"] = draw(st.booleans())
    return sample(values(r, shape), **kw)


def _upsample_quietly(lib, x, **kw):
    import warnings

    with warnings.catch_warnings():  # the deprecation warning is checked in property_tests/test_module_api.py
        warnings.simplefilter("ignore")
        return _F(lib).upsample(x, **kw)


_NN = [
    OpSpec("F.adaptive_avg_pool1d", lambda lib, x, output_size: _F(lib).adaptive_avg_pool1d(x, output_size),
           _adaptive1d(),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(3),), {"output_size": 2}), RuntimeError,
                          r"Expected 2 to 3 dimensions, but got 1-dimensional tensor .*adaptive_avg_pool1d", "1-D input"),
               ErrorInput(lambda lib: ((lib.ones(1, 2, 3),), {"output_size": (2, 2)}), RuntimeError,
                          r"adaptive_avg_pool1d\(\) argument 'output_size' should contain one int \(got 2\)"),
               ErrorInput(lambda lib: ((lib.ones(1, 2, 0),), {"output_size": 2}), RuntimeError,
                          r"Expected input to have non-zero size for non-batch dimensions", "empty length"),
               ErrorInput(lambda lib: ((lib.ones(2, 3, dtype=lib.int64),), {"output_size": 2}), NotImplementedError,
                          "\"adaptive_avg_pool2d\" not implemented for 'Long'", "int64 input"),
           )),
    OpSpec("F.adaptive_max_pool1d",
           lambda lib, x, output_size: (_F(lib).adaptive_max_pool1d(x, output_size),
                                        *_F(lib).adaptive_max_pool1d(x, output_size, return_indices=True)),
           _adaptive1d(distinct_values=True), notes="distinct values: each window has one maximum",
           error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(3),), {"output_size": 2}), RuntimeError,
                          r"Expected 2 to 3 dimensions, but got 1-dimensional tensor .*adaptive_max_pool1d", "1-D input"),
               ErrorInput(lambda lib: ((lib.ones(1, 2, 3),), {"output_size": (2, 2)}), RuntimeError,
                          r"adaptive_max_pool1d\(\) argument 'output_size' should contain one int \(got 2\)"),
               ErrorInput(lambda lib: ((lib.ones(1, 2, 0),), {"output_size": 2}), RuntimeError,
                          r"adaptive_max_pool1d\(\): Expected input to have non-zero size .*\[1, 2, 0\] with dimension 2",
                          "empty length"),
           )),
    OpSpec("F.max_unpool1d", lambda lib, x, i, **kw: _F(lib).max_unpool1d(x, i, **kw), _unpool1d(),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(1, 2, 3), lib.zeros(1, 2, 3, dtype=lib.int64)),
                                       {"kernel_size": 2, "output_size": (9,)}), ValueError,
                          r'invalid output_size "\(9,\)" \(dim 0 must be between 4 and 8\)'),
               ErrorInput(lambda lib: ((lib.ones(1, 2, 3), lib.zeros(1, 2, 3, dtype=lib.int64)),
                                       {"kernel_size": 2, "output_size": (1, 2, 3, 4)}), ValueError,
                          "output_size should be a sequence containing 1 or 3 elements, but it has a length of '4'"),
               ErrorInput(lambda lib: ((lib.ones(1, 2, 3), lib.full((1, 2, 3), 7)), {"kernel_size": 2}), RuntimeError,
                          r"Found an invalid max index: 7 \(output volumes are of size 6x1", "index past the end"),
           )),
    OpSpec("F.pairwise_distance", lambda lib, x1, x2, **kw: _F(lib).pairwise_distance(x1, x2, **kw), _pairwise(),
           differentiable=(0, 1),
           error_inputs=(
               ErrorInput(lambda lib: ((lib.ones(2, 3), lib.ones(2, 4)), {}), RuntimeError,
                          r"The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1"),
           )),
    OpSpec("F.upsample", _upsample_quietly, _upsample()),
]
# Each spec in the family of the ops it sits beside (the parity table's grouping, the meta-tests' family list).
_FAMILY = {"diagflat": "shape", "fliplr_flipud": "shape", "flipud": "shape", "take": "shape", "logaddexp2": "elementwise",
           "sgn": "elementwise", "numel": "creation", "logspace": "creation"}
SPECS = [dataclasses.replace(s, family=_FAMILY[s.name]) for s in SPECS]
SPECS += [dataclasses.replace(s, family="nn.functional") for s in _NN]
