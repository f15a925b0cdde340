"""OpSpecs for diagflat, fliplr/flipud, logaddexp2, nansum/nanmean, sgn, take, numel and logspace (torch.* and the
Tensor methods torch binds for them). The random factories of impl/ops/extra.py (normal, randint_like) are
tested as distributions in property_tests/test_random_extra.py."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from reference.opspec import ErrorInput, OpSpec
from reference.strategies import binary, dims_of, rarely, rng_of, sample, shapes, unary, values

_NAN_FREE = "values are drawn without nans here; nansum_nan/nanmean_nan put nans in on purpose"


@st.composite
def _with_nans(draw, dims=True, nonempty=False):
    """x with about a third of its elements nan (a whole slice may be nan: nanmean gives nan there, as torch)."""
    r = rng_of(draw)
    shape = draw(shapes(min_side=1 if nonempty else 0))
    x = np.array(values(r, shape))
    x[r.random(shape) < 0.3] = np.nan
    kw = dict(dim=dims_of(draw, len(shape)), keepdim=draw(st.booleans())) if dims else {}
    return sample(x, **kw)


@st.composite
def _reduce(draw):
    r = rng_of(draw)
    shape = draw(shapes())
    return sample(values(r, shape), dim=dims_of(draw, len(shape)), keepdim=draw(st.booleans()))


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
    OpSpec("nansum", lambda lib, x, dim, keepdim: (lib.nansum(x, dim, keepdim), x.nansum(dim, keepdim=keepdim)),
           _reduce(), notes=_NAN_FREE),
    OpSpec("nansum_nan", lambda lib, x, dim, keepdim: (lib.nansum(x, dim, keepdim), x.nansum()), _with_nans(),
           notes="nans count as zero with a zero gradient; finite differences at a nan are nan, so no gradcheck",
           gradcheck=False, no_gradgrad="gradgradcheck's finite differences of a nan input are nan",
           no_forward_ad="the tangent of a nan input times zero is nan in torch's JVP and 0 in the composite"),
    OpSpec("nanmean", lambda lib, x, dim, keepdim: (lib.nanmean(x, dim, keepdim), x.nanmean(dim, keepdim=keepdim)),
           _reduce(), notes=_NAN_FREE,
           error_inputs=(ErrorInput(lambda lib: ((lib.tensor([1, 2]), None, False), {}), RuntimeError,
                                    "nanmean\\(\\): expected input to have floating point .* but got Long",
                                    "int64 input"),)),
    OpSpec("nanmean_nan", lambda lib, x, dim, keepdim: (lib.nanmean(x, dim, keepdim), x.nanmean()), _with_nans(),
           notes="a slice of nans only gives nan, as torch", gradcheck=False,
           no_gradgrad="gradgradcheck's finite differences of a nan input are nan",
           no_forward_ad="the tangent of a nan input times zero is nan in torch's JVP and 0 in the composite"),
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
