"""Linear, Bilinear, Identity, Flatten/Unflatten, Embedding, EmbeddingBag, CosineSimilarity, PairwiseDistance."""
import numpy as np
import torch

from reference.module_specs._common import ModuleSample, randn, rng_of, st
from reference.modulespec import ModuleSpec


@st.composite
def _linear(draw):
    rng = rng_of(draw)
    i, o = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    batch = draw(st.lists(st.integers(1, 3), max_size=3))
    return ModuleSample(dict(in_features=i, out_features=o, bias=draw(st.booleans())), (randn(rng, (*batch, i)),))


@st.composite
def _bilinear(draw):
    rng = rng_of(draw)
    i1, i2, o, n = (draw(st.integers(1, 4)) for _ in range(4))
    return ModuleSample(dict(in1_features=i1, in2_features=i2, out_features=o, bias=draw(st.booleans())),
                        (randn(rng, (n, i1)), randn(rng, (n, i2))))


@st.composite
def _shaped(draw, min_dims=0):
    rng = rng_of(draw)
    return rng, draw(st.lists(st.integers(1, 3), min_size=min_dims, max_size=4))


@st.composite
def _identity(draw):
    rng, shape = draw(_shaped())
    return ModuleSample({}, (randn(rng, shape),))


@st.composite
def _flatten(draw):
    rng, shape = draw(_shaped(min_dims=2))
    start = min(draw(st.integers(0, 3)), len(shape) - 1)
    end = draw(st.integers(start, len(shape) - 1))  # any dim from start on, the last one and earlier ones
    if draw(st.booleans()):
        end -= len(shape)  # counted from the end
    return ModuleSample(dict(start_dim=start, end_dim=end), (randn(rng, shape),))


@st.composite
def _unflatten(draw):
    rng, shape = draw(_shaped(min_dims=1))
    dim = draw(st.integers(0, len(shape) - 1))
    size = shape[dim]
    sizes = draw(st.sampled_from([(size, 1), (1, size), (-1, 1), (size,)]))
    return ModuleSample(dict(dim=dim, unflattened_size=sizes), (randn(rng, shape),))


@st.composite
def _embedding(draw):
    rng = rng_of(draw)
    num, dim = draw(st.integers(2, 8)), draw(st.integers(1, 4))
    ids = rng.integers(0, num, size=draw(st.lists(st.integers(1, 4), max_size=2))).astype(np.int64)  # repeats
    return ModuleSample(dict(num_embeddings=num, embedding_dim=dim, padding_idx=draw(st.one_of(st.none(), st.integers(-2, 1))),
                             scale_grad_by_freq=draw(st.booleans()),
                             max_norm=draw(st.one_of(st.none(), st.sampled_from([0.5, 1.5]))),
                             norm_type=draw(st.sampled_from([2.0, 1.0]))), (ids,))


@st.composite
def _embedding_bag(draw):
    rng = rng_of(draw)
    mode, num, dim = draw(st.sampled_from(["sum", "mean", "max"])), draw(st.integers(2, 6)), draw(st.integers(1, 3))
    two_d, psw, last = draw(st.booleans()), draw(st.booleans()) and mode == "sum", draw(st.booleans())
    if two_d:
        ids = rng.integers(0, num, (int(rng.integers(1, 4)), int(rng.integers(1, 4))))
        extra, last = [], False
    else:
        m, b = int(rng.integers(0, 8)), int(rng.integers(1, 4))
        ids = rng.integers(0, num, m)
        offsets = np.concatenate([[0], np.sort(rng.integers(0, m + 1, b - 1))]).astype(np.int64)
        extra = [np.append(offsets, m) if last else offsets]
    inputs = [ids.astype(np.int64), *extra] + ([randn(rng, ids.shape)] if psw else [])
    kw = dict(num_embeddings=num, embedding_dim=dim, mode=mode, include_last_offset=last,
              padding_idx=draw(st.one_of(st.none(), st.integers(-2, 1))))
    return ModuleSample(kw, tuple(inputs), dict(has_offsets=not two_d, psw=psw), grad=(len(inputs) - 1,) if psw else ())


def _call_embedding_bag(m, xs, lib, has_offsets, psw):
    return m(xs[0], xs[1] if has_offsets else None, per_sample_weights=xs[-1] if psw else None)


@st.composite
def _cosine(draw):
    rng = rng_of(draw)
    dim, eps = draw(st.sampled_from([(1, 1e-8), (-1, 1e-8), (0, 0.5)]))
    shape = (*draw(st.sampled_from([(), (1,), (2,)])), 3, draw(st.integers(1, 4)))
    # norms away from 0: 1/||x|| is in the gradient
    return ModuleSample(dict(dim=dim, eps=eps), (rng.normal(size=shape) + 0.5, rng.normal(size=shape) - 0.5))


@st.composite
def _pairwise(draw):
    rng = rng_of(draw)
    x1 = rng.normal(size=(*draw(st.sampled_from([(), (1,), (2,)])), draw(st.integers(1, 4))))
    x2 = x1 - rng.uniform(0.2, 1.5, x1.shape) * rng.choice([-1.0, 1.0], x1.shape)  # |x1 - x2| away from the kink
    return ModuleSample(dict(p=draw(st.sampled_from([2.0, 1.0, 3.0])), eps=draw(st.sampled_from([1e-6, 0.0])),
                             keepdim=draw(st.booleans())), (x1, x2))


def _ndq_linear(lib, **kw):
    # torch keeps this Linear subclass (MultiheadAttention's out_proj) in torch.nn.modules.linear, not torch.nn
    return (torch.nn.modules.linear if lib.name == "torch" else lib.nn).NonDynamicallyQuantizableLinear(**kw)


SPECS = [
    ModuleSpec("Linear", _linear()),
    ModuleSpec("NonDynamicallyQuantizableLinear", _linear(), build=_ndq_linear, max_examples=3,
               notes="a Linear under another name; few examples"),
    ModuleSpec("Bilinear", _bilinear()),
    ModuleSpec("Identity", _identity(), build=lambda lib: lib.nn.Identity(3, foo=1), max_examples=3,
               notes="any constructor arguments are accepted and ignored"),
    ModuleSpec("Flatten", _flatten(), max_examples=4),
    ModuleSpec("Unflatten", _unflatten(), max_examples=4),
    ModuleSpec("Embedding", _embedding(), max_examples=10,
               notes="max_norm renormalises the weight in place during forward: parameter values compared after"),
    ModuleSpec("EmbeddingBag", _embedding_bag(), call=_call_embedding_bag, max_examples=12),
    ModuleSpec("CosineSimilarity", _cosine(), max_examples=4),
    ModuleSpec("PairwiseDistance", _pairwise(), max_examples=4),
]
