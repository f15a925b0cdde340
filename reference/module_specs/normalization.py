"""BatchNorm, LayerNorm, GroupNorm, InstanceNorm, RMSNorm, LocalResponseNorm.

The batch/instance norms run several passes per example: the running statistics (and num_batches_tracked, and
momentum=None's cumulative average) must keep tracking torch's. LayerNorm over one or a few nearly equal values is
ill-conditioned in float32 (rstd = 1/sqrt(var + eps) amplifies roundoff): the float64 judge of run_twins settles
those elements (e.g. over ONE element the exact input gradient is 0, impl gives 0, torch float32 ~1.5e-5)."""
import numpy as np

from reference.module_specs._common import ModuleSample, randn, rng_of, st
from reference.modulespec import ModuleSpec


@st.composite
def _batchnorm(draw, nd):
    rng = rng_of(draw)
    c = draw(st.integers(1, 4))
    shape = draw(st.sampled_from([(4, c), (3, c, 4)])) if nd == 1 else (2, c, 3, 2)
    kw = dict(num_features=c, eps=draw(st.sampled_from([1e-5, 1e-3])), momentum=draw(st.sampled_from([0.1, 0.5, None])),
              affine=draw(st.booleans()), track_running_stats=draw(st.sampled_from([True, False])))
    return ModuleSample(kw, (randn(rng, shape, 2.0) + 1.0,))


@st.composite
def _normalized_shape(draw):
    rng = rng_of(draw)
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    n = min(draw(st.integers(1, 3)), len(shape))
    normalized = shape[len(shape) - n:]
    arg = normalized[0] if (n == 1 and draw(st.booleans())) else tuple(normalized)  # int or tuple, both accepted
    return rng, shape, arg


@st.composite
def _layernorm(draw):
    rng, shape, arg = draw(_normalized_shape())
    kw = dict(normalized_shape=arg, eps=draw(st.sampled_from([1e-5, 1e-2])), elementwise_affine=draw(st.booleans()),
              bias=draw(st.booleans()))
    return ModuleSample(kw, (randn(rng, shape, 2.0),))


@st.composite
def _rmsnorm(draw):
    rng, shape, arg = draw(_normalized_shape())
    kw = dict(normalized_shape=arg, eps=draw(st.sampled_from([None, 1e-5, 1e-2])), elementwise_affine=draw(st.booleans()))
    return ModuleSample(kw, (randn(rng, shape) + 0.5,))


@st.composite
def _groupnorm(draw):
    rng = rng_of(draw)
    groups, per_group = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    spatial = draw(st.lists(st.integers(1, 3), max_size=2))
    if per_group * int(np.prod(spatial)) == 1:
        spatial = [*spatial, 2]  # torch needs more than one value per group
    c = groups * per_group
    kw = dict(num_groups=groups, num_channels=c, eps=draw(st.sampled_from([1e-5, 1e-2])), affine=draw(st.booleans()))
    return ModuleSample(kw, (randn(rng, (draw(st.integers(1, 3)), c, *spatial), 2.0),))


@st.composite
def _instancenorm(draw, nd):
    rng = rng_of(draw)
    c = draw(st.integers(1, 3))
    shape = ((2,) if draw(st.booleans()) else ()) + (c, *(draw(st.integers(2, 3)) for _ in range(nd)))
    kw = dict(num_features=c, momentum=draw(st.sampled_from([0.1, None])), affine=draw(st.booleans()),
              track_running_stats=draw(st.sampled_from([True, False])))
    return ModuleSample(kw, (randn(rng, shape, 2.0) + 1.0,))


@st.composite
def _lrn(draw):
    rng = rng_of(draw)
    shape = (2, draw(st.integers(1, 5))) + (3,) * (draw(st.integers(3, 4)) - 2)
    return ModuleSample(dict(size=draw(st.integers(1, 4)), alpha=0.5, beta=0.75, k=1.0), (randn(rng, shape),))


SPECS = [
    ModuleSpec("BatchNorm1d", _batchnorm(1), has_buffers=True, steps=3, max_examples=10),
    ModuleSpec("BatchNorm2d", _batchnorm(2), has_buffers=True, steps=3, max_examples=8),
    ModuleSpec("LayerNorm", _layernorm(), max_examples=10),
    ModuleSpec("GroupNorm", _groupnorm(), max_examples=8),
    *[ModuleSpec(f"InstanceNorm{nd}d", _instancenorm(nd), has_buffers=True, steps=2, max_examples=5) for nd in (1, 2, 3)],
    ModuleSpec("RMSNorm", _rmsnorm(), max_examples=8),
    ModuleSpec("LocalResponseNorm", _lrn(), max_examples=4),
]
