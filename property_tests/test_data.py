"""impl.utils.data: epochs cover the dataset exactly once, seeded shuffles repeat, batches have the right
shapes and dtypes, and default_collate / random_split agree with torch's."""
import collections
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata
from hypothesis import given
from hypothesis import strategies as st

import impl
from impl.utils import data as D

pytestmark = pytest.mark.optim


def _dataset(n, dtype=np.float32):
    """Row i of x is (i, 2i, 3i): every batch says which samples it holds, and x and y must stay aligned."""
    idx = np.arange(n)
    x = impl.tensor((idx[:, None] * np.array([1, 2, 3])).astype(dtype))
    y = impl.tensor(idx.astype(np.int64))
    return D.TensorDataset(x, y)


def _epoch(loader):
    return [(xb, yb) for xb, yb in loader]


def _order(batches):
    return np.concatenate([yb._data for _, yb in batches]) if batches else np.zeros(0, np.int64)


loader_args = st.fixed_dictionaries(dict(
    n=st.integers(1, 60), batch_size=st.integers(1, 20), shuffle=st.booleans(), drop_last=st.booleans(),
    seed=st.integers(0, 2**31 - 1), dtype=st.sampled_from([np.float32, np.float64]),
))


@given(a=loader_args)
def test_epoch_covers_dataset_once_with_right_batches(a):
    n, bs, drop = a["n"], a["batch_size"], a["drop_last"]
    ds = _dataset(n, a["dtype"])
    gen = impl.Generator().manual_seed(a["seed"]) if a["shuffle"] else None
    loader = D.DataLoader(ds, batch_size=bs, shuffle=a["shuffle"], drop_last=drop, generator=gen)
    n_batches = n // bs if drop else -(-n // bs)
    assert len(loader) == n_batches == len(tdata.DataLoader(range(n), batch_size=bs, drop_last=drop))
    for _ in range(2):  # two epochs: each covers the data exactly once
        batches = _epoch(loader)
        assert len(batches) == n_batches
        order = _order(batches)
        assert len(np.unique(order)) == len(order), "a sample appeared twice in one epoch"
        if drop:
            assert len(order) == n_batches * bs and set(order.tolist()) <= set(range(n))
        else:
            assert sorted(order.tolist()) == list(range(n)), "an epoch must cover the dataset exactly once"
        if not a["shuffle"]:
            assert order.tolist() == list(range(len(order)))
        for k, (xb, yb) in enumerate(batches):
            size = bs if (drop or k < n_batches - 1 or n % bs == 0) else n % bs
            assert tuple(xb.shape) == (size, 3) and tuple(yb.shape) == (size,)
            assert xb.dtype == (impl.float32 if a["dtype"] is np.float32 else impl.float64) and yb.dtype == impl.int64
            assert isinstance(xb, impl.Tensor) and not xb.requires_grad
            np.testing.assert_array_equal(xb._data, (yb._data[:, None] * np.array([1, 2, 3])).astype(a["dtype"]))


@given(n=st.integers(8, 60), bs=st.integers(1, 8), seed=st.integers(0, 2**31 - 2), drop=st.booleans())
def test_seeded_shuffle_repeats_and_different_seeds_differ(n, bs, seed, drop):
    ds = _dataset(n)

    def order(s, epochs=1):
        loader = D.DataLoader(ds, batch_size=bs, shuffle=True, drop_last=drop, generator=impl.Generator().manual_seed(s))
        return [_order(_epoch(loader)).tolist() for _ in range(epochs)]

    first = order(seed, epochs=2)
    assert first == order(seed, epochs=2), "the same seed must repeat the same order, epoch by epoch"
    assert first[0] != first[1], "the second epoch must be a new shuffle"
    assert first[0] != order(seed + 1)[0], "different seeds must give different orders"
    # without a generator the global impl generator drives the shuffle: impl.manual_seed repeats it
    impl.manual_seed(seed)
    g1 = _order(_epoch(D.DataLoader(ds, batch_size=bs, shuffle=True))).tolist()
    impl.manual_seed(seed)
    g2 = _order(_epoch(D.DataLoader(ds, batch_size=bs, shuffle=True))).tolist()
    assert g1 == g2


class _PlainDataset(D.Dataset):
    """Same samples as a TensorDataset but without its batched fast path (per-sample fetch + default_collate)."""

    def __init__(self, ds):
        self.ds = ds

    def __getitem__(self, i):
        return self.ds[i]

    def __len__(self):
        return len(self.ds)


@given(a=loader_args)
def test_fast_tensor_path_equals_per_sample_collate(a):
    ds = _dataset(a["n"], a["dtype"])
    mk = lambda d: D.DataLoader(d, batch_size=a["batch_size"], shuffle=a["shuffle"], drop_last=a["drop_last"],  # noqa: E731
                                generator=impl.Generator().manual_seed(a["seed"]))
    for (x1, y1), (x2, y2) in zip(_epoch(mk(ds)), _epoch(mk(_PlainDataset(ds))), strict=True):
        assert x1.dtype == x2.dtype and y1.dtype == y2.dtype
        np.testing.assert_array_equal(x1._data, x2._data)
        np.testing.assert_array_equal(y1._data, y2._data)


def test_subclass_overriding_getitem_is_not_bypassed():
    class Doubled(D.TensorDataset):
        def __getitem__(self, i):
            x, y = super().__getitem__(i)
            return x * 2, y

    ds = Doubled(impl.tensor(np.arange(4.0)), impl.arange(4))
    (xb, yb), = list(D.DataLoader(ds, batch_size=4))
    np.testing.assert_array_equal(xb._data, np.arange(4.0, dtype=np.float32) * 2)


P = collections.namedtuple("P", "a b")
COLLATE_CASES = {
    "floats": [1.5, 2.5, -1.0],
    "ints": [1, 2, 3],
    "bools": [True, False],
    "np_float32_scalars": [np.float32(1.5), np.float32(2)],
    "np_arrays": [np.arange(3.0), np.ones(3)],
    "tuples": [(np.float32(1), 2, 3.5), (np.float32(4), 5, 6.5)],
    "lists": [[1, 2], [3, 4]],
    "dicts": [{"x": 1.0, "y": 2}, {"x": 3.0, "y": 4}],
    "namedtuples": [P(1, 2.0), P(3, 4.0)],
    "strings": ["a", "b"],
    "nested": [({"k": np.ones(2)}, [1, 2.0]), ({"k": np.zeros(2)}, [3, 4.0])],
}


def _same_structure(a, b, path="batch"):
    if isinstance(b, torch.Tensor):
        assert isinstance(a, impl.Tensor), f"{path}: {type(a)} instead of a tensor"
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1], f"{path}: dtype {a.dtype} vs {b.dtype}"
        np.testing.assert_array_equal(a._data, b.numpy(), err_msg=path)
    elif isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b), path
        for k in b:
            _same_structure(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), f"{path}: {type(a).__name__} vs {type(b).__name__}"
        for i, (x, y) in enumerate(zip(a, b)):
            _same_structure(x, y, f"{path}[{i}]")
    else:
        assert a == b, path


@pytest.mark.parametrize("case", list(COLLATE_CASES))
def test_default_collate_matches_torch(case):
    batch = COLLATE_CASES[case]
    _same_structure(D.default_collate(batch), tdata.default_collate(batch))


def test_collate_of_tensors_and_unequal_sizes():
    out = D.default_collate([impl.ones(2, 3), impl.zeros(2, 3)])
    assert tuple(out.shape) == (2, 2, 3) and out.dtype == impl.float32
    with pytest.raises(RuntimeError):
        D.default_collate([impl.ones(2), impl.ones(3)])
    with pytest.raises(RuntimeError):
        D.default_collate([[1, 2], [3]])


@given(n=st.integers(0, 40), fracs=st.sampled_from([[0.5, 0.5], [0.7, 0.2, 0.1], [1 / 3] * 3, [0.25] * 4, [1.0]]),
       seed=st.integers(0, 1000))
def test_random_split_lengths_match_torch_and_partition(n, fracs, seed):
    ds = _dataset(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Length of split at index k is 0" for tiny n, from both libraries
        parts = D.random_split(ds, fracs, generator=impl.Generator().manual_seed(seed))
        tparts = tdata.random_split(range(n), fracs, generator=torch.Generator().manual_seed(seed))
        again = D.random_split(ds, [len(p) for p in parts], generator=impl.Generator().manual_seed(seed))
    assert [len(p) for p in parts] == [len(p) for p in tparts]
    idx = [i for p in parts for i in p.indices]
    assert sorted(idx) == list(range(n))
    for p in parts:
        for j in range(len(p)):
            assert int(p[j][1]) == p.indices[j]
    assert [p.indices for p in again] == [p.indices for p in parts]


def test_subset_concat_and_batch_size_none():
    ds = _dataset(5)
    sub = D.Subset(ds, [4, 0, 2])
    assert len(sub) == 3 and int(sub[0][1]) == 4
    cat = D.ConcatDataset([sub, ds])
    assert len(cat) == 8 and int(cat[3][1]) == 0 and int(cat[-1][1]) == 4
    samples = list(D.DataLoader(ds, batch_size=None))
    assert len(samples) == 5 and int(samples[3][1]) == 3 and tuple(samples[3][0].shape) == (3,)
    batches = list(D.DataLoader(sub, batch_size=2))
    assert [b[1].tolist() for b in batches] == [[4, 0], [2]]


def _raises_like_torch(make_impl, make_torch):
    with pytest.raises(Exception) as ei:
        make_impl()
    with pytest.raises(Exception) as et:
        make_torch()
    assert ei.type is et.type, (ei.type, et.type)


def test_errors_match_torch():
    ds, tds = _dataset(4), tdata.TensorDataset(torch.zeros(4, 3), torch.zeros(4))
    _raises_like_torch(lambda: D.TensorDataset(impl.zeros(3), impl.zeros(4)),
                       lambda: tdata.TensorDataset(torch.zeros(3), torch.zeros(4)))
    _raises_like_torch(lambda: D.DataLoader(ds, shuffle=True, sampler=D.SequentialSampler(ds)),
                       lambda: tdata.DataLoader(tds, shuffle=True, sampler=tdata.SequentialSampler(tds)))
    _raises_like_torch(lambda: D.DataLoader(ds, batch_size=0), lambda: tdata.DataLoader(tds, batch_size=0))
    _raises_like_torch(lambda: D.DataLoader(ds, batch_size=None, drop_last=True),
                       lambda: tdata.DataLoader(tds, batch_size=None, drop_last=True))
    bs_i, bs_t = D.BatchSampler(D.SequentialSampler(ds), 2, False), tdata.BatchSampler(tdata.SequentialSampler(tds), 2, False)
    _raises_like_torch(lambda: D.DataLoader(ds, batch_size=2, batch_sampler=bs_i),
                       lambda: tdata.DataLoader(tds, batch_size=2, batch_sampler=bs_t))
    _raises_like_torch(lambda: D.random_split(ds, [1, 1]), lambda: tdata.random_split(tds, [1, 1]))
