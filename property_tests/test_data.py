"""The library under test's utils.data (impl's by default; reference.targets): epochs cover the dataset exactly
once, seeded shuffles repeat, batches have the right shapes and dtypes, and default_collate / random_split agree with
torch's."""
import collections
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata
from hypothesis import given
from hypothesis import strategies as st

from reference import targets
from reference.module_twins import submodule

pytestmark = [pytest.mark.optim]

T = targets.current()  # the library under test; torch is the oracle
lib = T.lib
D = submodule(lib, "utils.data")


def _dataset(n, dtype=np.float32):
    """Row i of x is (i, 2i, 3i): every batch says which samples it holds, and x and y must stay aligned."""
    idx = np.arange(n)
    x = T.tensor_from_numpy((idx[:, None] * np.array([1, 2, 3])).astype(dtype))
    y = T.tensor_from_numpy(idx.astype(np.int64))
    return D.TensorDataset(x, y)


def _epoch(loader):
    return [(xb, yb) for xb, yb in loader]


def _order(batches):
    return np.concatenate([T.to_numpy(yb) for _, yb in batches]) if batches else np.zeros(0, np.int64)


loader_args = st.fixed_dictionaries(dict(
    n=st.integers(1, 60), batch_size=st.integers(1, 20), shuffle=st.booleans(), drop_last=st.booleans(),
    seed=st.integers(0, 2**31 - 1), dtype=st.sampled_from([np.float32, np.float64]),
))


@given(a=loader_args)
def test_epoch_covers_dataset_once_with_right_batches(a):
    n, bs, drop = a["n"], a["batch_size"], a["drop_last"]
    ds = _dataset(n, a["dtype"])
    gen = lib.Generator().manual_seed(a["seed"]) if a["shuffle"] else None
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
            assert xb.dtype == (lib.float32 if a["dtype"] is np.float32 else lib.float64) and yb.dtype == lib.int64
            assert T.is_tensor(xb) and not xb.requires_grad
            np.testing.assert_array_equal(T.to_numpy(xb),
                                          (T.to_numpy(yb)[:, None] * np.array([1, 2, 3])).astype(a["dtype"]))


@given(n=st.integers(8, 60), bs=st.integers(1, 8), seed=st.integers(0, 2**31 - 2), drop=st.booleans())
def test_seeded_shuffle_repeats_and_different_seeds_differ(n, bs, seed, drop):
    ds = _dataset(n)

    def order(s, epochs=1):
        loader = D.DataLoader(ds, batch_size=bs, shuffle=True, drop_last=drop, generator=lib.Generator().manual_seed(s))
        return [_order(_epoch(loader)).tolist() for _ in range(epochs)]

    first = order(seed, epochs=2)
    assert first == order(seed, epochs=2), "the same seed must repeat the same order, epoch by epoch"
    assert first[0] != first[1], "the second epoch must be a new shuffle"
    assert first[0] != order(seed + 1)[0], "different seeds must give different orders"
    # without a generator the library's global generator drives the shuffle: manual_seed repeats it
    lib.manual_seed(seed)
    g1 = _order(_epoch(D.DataLoader(ds, batch_size=bs, shuffle=True))).tolist()
    lib.manual_seed(seed)
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
                                generator=lib.Generator().manual_seed(a["seed"]))
    for (x1, y1), (x2, y2) in zip(_epoch(mk(ds)), _epoch(mk(_PlainDataset(ds))), strict=True):
        assert x1.dtype == x2.dtype and y1.dtype == y2.dtype
        np.testing.assert_array_equal(T.to_numpy(x1), T.to_numpy(x2))
        np.testing.assert_array_equal(T.to_numpy(y1), T.to_numpy(y2))


def test_subclass_overriding_getitem_is_not_bypassed():
    class Doubled(D.TensorDataset):
        def __getitem__(self, i):
            x, y = super().__getitem__(i)
            return x * 2, y

    ds = Doubled(lib.tensor(np.arange(4.0, dtype=np.float32)), lib.arange(4))
    (xb, yb), = list(D.DataLoader(ds, batch_size=4))
    np.testing.assert_array_equal(T.to_numpy(xb), np.arange(4.0, dtype=np.float32) * 2)


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
    "string_fields_in_tuples": [("cat", 1), ("dog", 2)],
    "string_fields_in_lists": [["cat", 1.0], ["dog", 2.0]],
    "string_fields_in_namedtuples": [P("cat", 1), P("dog", 2)],
    "ordered_dicts": [collections.OrderedDict(b=1, a=2.0), collections.OrderedDict(b=3, a=4.0)],
    "defaultdicts": [collections.defaultdict(int, x=1), collections.defaultdict(int, x=2)],
}


def _same_structure(a, b, path="batch"):
    if isinstance(b, torch.Tensor):
        assert T.is_tensor(a), f"{path}: {type(a)} instead of a tensor"
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1], f"{path}: dtype {a.dtype} vs {b.dtype}"
        np.testing.assert_array_equal(T.to_numpy(a), b.numpy(), err_msg=path)
    elif isinstance(b, dict):
        assert type(a) is type(b) and list(a) == list(b), f"{path}: {type(a).__name__} vs {type(b).__name__}"
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
    out = D.default_collate([lib.ones(2, 3), lib.zeros(2, 3)])
    assert tuple(out.shape) == (2, 2, 3) and out.dtype == lib.float32
    with pytest.raises(RuntimeError):
        D.default_collate([lib.ones(2), lib.ones(3)])
    with pytest.raises(RuntimeError):
        D.default_collate([[1, 2], [3]])


@given(n=st.integers(0, 40), fracs=st.sampled_from([[0.5, 0.5], [0.7, 0.2, 0.1], [1 / 3] * 3, [0.25] * 4, [1.0]]),
       seed=st.integers(0, 1000))
def test_random_split_lengths_match_torch_and_partition(n, fracs, seed):
    ds = _dataset(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Length of split at index k is 0" for tiny n, from both libraries
        parts = D.random_split(ds, fracs, generator=lib.Generator().manual_seed(seed))
        tparts = tdata.random_split(range(n), fracs, generator=torch.Generator().manual_seed(seed))
        again = D.random_split(ds, [len(p) for p in parts], generator=lib.Generator().manual_seed(seed))
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


def _raises_like_torch(make_target, make_torch):
    with pytest.raises(Exception) as ei:
        make_target()
    with pytest.raises(Exception) as et:
        make_torch()
    assert ei.type is et.type, (ei.type, et.type)


def test_errors_match_torch():
    ds, tds = _dataset(4), tdata.TensorDataset(torch.zeros(4, 3), torch.zeros(4))
    _raises_like_torch(lambda: D.TensorDataset(lib.zeros(3), lib.zeros(4)),
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


class _ListSample(list):
    """A list subclass: torch's collate rebuilds mutable sequences with their own type."""


def test_collate_keeps_mutable_sequence_type_and_convert_matches_torch():
    batch = [_ListSample([1, 2.0]), _ListSample([3, 4.0])]
    _same_structure(D.default_collate(batch), tdata.default_collate(batch))
    for sample in [(1, np.arange(2)), {"a": (np.ones(2), "s")}, collections.OrderedDict(z=[1, 2]), P(np.zeros(1), 2),
                   _ListSample([np.ones(1)]), "text", 3.5]:
        _same_structure(D.default_convert(sample), tdata.default_convert(sample), path=repr(sample))


def test_default_collate_keeps_the_graph_as_torch():
    """torch stacks samples that require grad with torch.stack: the batch carries their graph (regression 057)."""
    rng = np.random.default_rng(0)
    a, s, v = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((3, 3, 2))
    grads = []
    for side, collate in ((lib, D.default_collate), (torch, tdata.default_collate)):
        ta, ts = side.tensor(a, requires_grad=True), side.tensor(s, requires_grad=True)
        batch = collate([ta * ts, ta, ts.expand(3, 2)])
        assert batch.requires_grad and batch.grad_fn is not None
        (batch * side.tensor(v)).sum().backward()
        grads.append((batch.detach().numpy(), ta.grad.numpy(), ts.grad.numpy()))
    for got, want in zip(*grads):
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-7)  # float64 inputs: torch's float64 defaults
    plain = D.default_collate([lib.ones(2), lib.zeros(2)])
    assert not plain.requires_grad and plain.is_leaf


# ---- iterable datasets ----------------------------------------------------------------------------------------
def _range_stream(lib_data):
    """The same IterableDataset for the target and torch: range(start, end), sharded by worker as in torch's docs."""

    class RangeStream(lib_data.IterableDataset):
        def __init__(self, start, end):
            self.start, self.end = start, end

        def __iter__(self):
            info = lib_data.get_worker_info()
            if info is None:
                return iter(range(self.start, self.end))
            per_worker = -(-(self.end - self.start) // info.num_workers)
            lo = self.start + info.id * per_worker
            return iter(range(lo, min(lo + per_worker, self.end)))

        def __len__(self):
            return self.end - self.start

    return RangeStream


def _as_lists(batches):
    return [b.tolist() if hasattr(b, "tolist") else b for b in batches]


@given(n=st.integers(0, 25), bs=st.sampled_from([None, 1, 3, 7]), drop=st.booleans())
def test_iterable_dataset_batches_match_torch(n, bs, drop):
    drop = drop and bs is not None
    got = D.DataLoader(_range_stream(D)(0, n), batch_size=bs, drop_last=drop)
    want = tdata.DataLoader(_range_stream(tdata)(0, n), batch_size=bs, drop_last=drop)
    assert _as_lists(got) == _as_lists(want)
    assert len(got) == len(want)
    chained = D.ChainDataset([_range_stream(D)(0, 2), _range_stream(D)(5, 7)])
    assert list(chained) == [0, 1, 5, 6] == list(_range_stream(D)(0, 2) + _range_stream(D)(5, 7))


# ---- samplers -------------------------------------------------------------------------------------------------
class _EveryOther(D.Sampler):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(list(range(0, self.n, 2)) + list(range(1, self.n, 2)))

    def __len__(self):
        return self.n


@given(n=st.integers(1, 30), bs=st.integers(1, 8), drop=st.booleans())
def test_samplers_and_batch_composition_match_torch(n, bs, drop):
    ds, tds = _dataset(n), tdata.TensorDataset(torch.arange(n))
    assert list(D.SequentialSampler(ds)) == list(tdata.SequentialSampler(tds))
    order = list(_EveryOther(n))
    assert list(D.BatchSampler(order, bs, drop)) == list(tdata.BatchSampler(order, bs, drop))
    assert len(D.BatchSampler(order, bs, drop)) == len(tdata.BatchSampler(order, bs, drop))
    got = [yb.tolist() for _, yb in D.DataLoader(ds, batch_size=bs, drop_last=drop, sampler=_EveryOther(n))]
    want = [b[0].tolist() for b in tdata.DataLoader(tds, batch_size=bs, drop_last=drop, sampler=_EveryOther(n))]
    assert got == want
    perm = list(D.RandomSampler(ds, generator=lib.Generator().manual_seed(n)))
    assert sorted(perm) == list(range(n))
    more = list(D.RandomSampler(ds, num_samples=2 * n + 1, generator=lib.Generator().manual_seed(n)))
    assert len(more) == 2 * n + 1 and sorted(more[:n]) == sorted(more[n:2 * n]) == list(range(n))
    repl = list(D.RandomSampler(ds, replacement=True, num_samples=3 * n, generator=lib.Generator().manual_seed(n)))
    assert len(repl) == 3 * n and set(repl) <= set(range(n))


def test_every_epoch_draws_from_the_generator_as_torch():
    """torch draws each epoch's base seed (for the workers) from the loader's generator even without shuffling
    or workers; the library under test must too, so num_workers does not change which permutation a seed gives."""
    def state(g):  # torch's is a uint8 tensor, impl's numpy's bit-generator dict
        s = g.get_state()
        return s.tolist() if hasattr(s, "tolist") else repr(s)

    for side, data in ((lib, D), (torch, tdata)):
        g = side.Generator().manual_seed(0)
        before = state(g)
        list(data.DataLoader(list(range(4)), batch_size=2, generator=g))
        assert state(g) != before, f"{side.__name__}: an epoch left the loader's generator untouched"


# Weighted sampling. Each chi-square test below fails when the statistic's p-value is below 0.5e-6, so the two
# together fail with probability < 1e-6 on a correct sampler were the seed drawn at random; with the fixed seeds
# here they are deterministic. The p-value is the chi-square tail, gammaincc(df / 2, statistic / 2) (torch's).
_ALPHA = 0.5e-6


def _chi_square_p_value(counts, probs):
    counts, expected = np.asarray(counts, float), np.asarray(probs, float) * np.sum(counts)
    assert expected.min() >= 50, "keep every expected count large for the chi-square approximation"
    statistic = float(((counts - expected) ** 2 / expected).sum())
    df = len(counts) - 1
    p_value = float(torch.special.gammaincc(torch.tensor(df / 2, dtype=torch.float64),
                                            torch.tensor(statistic / 2, dtype=torch.float64)))
    return statistic, p_value


def test_weighted_sampler_with_replacement_frequencies():
    weights = [1.0, 2.0, 0.0, 3.0, 4.0, 10.0]
    n = 40_000
    draws = np.array(list(D.WeightedRandomSampler(weights, n, generator=lib.Generator().manual_seed(1))))
    counts = np.bincount(draws, minlength=len(weights))
    assert counts[2] == 0, "a zero-weight index was drawn"
    keep = [0, 1, 3, 4, 5]
    probs = np.array(weights)[keep] / sum(weights)
    statistic, p_value = _chi_square_p_value(counts[keep], probs)
    assert p_value > _ALPHA, f"chi-square {statistic:.1f} (p = {p_value:.2g}): frequencies {counts} for weights {weights}"


def test_weighted_sampler_without_replacement_is_successive_sampling():
    """Ordered pairs (first, second) must follow P(i, j) = p_i p_j / (1 - p_i), torch.multinomial's law."""
    weights = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    p = weights / weights.sum()
    trials = 6_000  # the smallest cell still expects 57 pairs
    sampler = D.WeightedRandomSampler(weights.tolist(), 2, replacement=False, generator=lib.Generator().manual_seed(2))
    pairs = np.array([list(sampler) for _ in range(trials)])
    assert (pairs[:, 0] != pairs[:, 1]).all()
    cells = [(i, j) for i in range(5) for j in range(5) if i != j]
    counts = [np.sum((pairs[:, 0] == i) & (pairs[:, 1] == j)) for i, j in cells]
    probs = [p[i] * p[j] / (1 - p[i]) for i, j in cells]
    statistic, p_value = _chi_square_p_value(counts, probs)
    assert p_value > _ALPHA, f"chi-square {statistic:.1f} (p = {p_value:.2g}) for ordered pairs"
    # all of them, zero weights last (after every positive one), as torch
    full = list(D.WeightedRandomSampler([0.0, 1.0, 0.0, 2.0], 4, replacement=False))
    assert sorted(full[:2]) == [1, 3] and sorted(full[2:]) == [0, 2]


def test_weighted_sampler_generator_and_global_seed_repeat():
    w = [0.5, 0.2, 0.3]

    def draw(seed, replacement, n=20):
        return list(D.WeightedRandomSampler(w, n, replacement, generator=lib.Generator().manual_seed(seed)))

    assert draw(3, True) == draw(3, True) != draw(4, True)
    assert draw(3, False, 3) == draw(3, False, 3) and sorted(draw(3, False, 3)) == [0, 1, 2]
    assert len({tuple(draw(seed, False, 3)) for seed in range(20)}) > 1
    lib.manual_seed(7)
    a = list(D.WeightedRandomSampler(w, 20))
    lib.manual_seed(7)
    assert a == list(D.WeightedRandomSampler(w, 20))
    assert len(D.WeightedRandomSampler(w, 20)) == 20
    batches = list(D.DataLoader(_dataset(3), batch_size=4, sampler=D.WeightedRandomSampler(w, 10)))
    assert [len(b[1]) for b in batches] == [4, 4, 2]


@pytest.mark.parametrize("args", [
    dict(weights=[1.0, 2.0], num_samples=0), dict(weights=[1.0, 2.0], num_samples=2.0),
    dict(weights=[1.0, 2.0], num_samples=True), dict(weights=[1.0, 2.0], num_samples=2, replacement=1),
    dict(weights=[[1.0, 2.0]], num_samples=2),
], ids=["zero_samples", "float_samples", "bool_samples", "int_replacement", "two_d_weights"])
def test_weighted_sampler_construction_errors_match_torch(args):
    _raises_like_torch(lambda: D.WeightedRandomSampler(**args), lambda: tdata.WeightedRandomSampler(**args))


@pytest.mark.parametrize("args", [
    dict(weights=[-1.0, 2.0], num_samples=2), dict(weights=[0.0, 0.0], num_samples=2),
    dict(weights=[1.0, float("nan")], num_samples=1), dict(weights=[1.0, float("inf")], num_samples=1),
    dict(weights=[1.0, 2.0], num_samples=3, replacement=False),
], ids=["negative", "all_zero", "nan", "inf", "more_than_categories"])
def test_weighted_sampler_draw_errors_match_torch(args):
    _raises_like_torch(lambda: list(D.WeightedRandomSampler(**args)), lambda: list(tdata.WeightedRandomSampler(**args)))


def test_loader_argument_errors_match_torch():
    stream_i, stream_t = _range_stream(D)(0, 3), _range_stream(tdata)(0, 3)
    for kwargs in (dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(persistent_workers=True),
                   dict(multiprocessing_context="fork"), dict(num_workers=1, prefetch_factor=-1)):
        _raises_like_torch(lambda kw=kwargs: D.DataLoader(list(range(3)), **kw),
                           lambda kw=kwargs: tdata.DataLoader(list(range(3)), **kw))
    for kwargs in (dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])):
        _raises_like_torch(lambda kw=kwargs: D.DataLoader(stream_i, **kw), lambda kw=kwargs: tdata.DataLoader(stream_t, **kw))
    with pytest.raises(TypeError):
        len(D.DataLoader(type("NoLen", (D.IterableDataset,), {"__iter__": lambda self: iter(())})()))
