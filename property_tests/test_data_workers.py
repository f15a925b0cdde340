"""The library under test's utils.data (impl's by default; reference.targets) with worker processes: the same
batches as num_workers=0 (and as torch where that is deterministic), torch's worker seeding, worker_init_fn,
get_worker_info, iterable-dataset sharding, and errors raised in a worker re-raised in the main process. Workers are
forked (Linux), and the file stays a few seconds."""
import dataclasses
import gc
import multiprocessing
import random
import sys
import time

import numpy as np
import pytest
import torch
import torch.utils.data as tdata
from torch.utils.data._utils.worker import _generate_state as torch_generate_state

from reference import targets
from reference.module_twins import submodule

pytestmark = [
    pytest.mark.optim,
    pytest.mark.skipif(sys.platform != "linux", reason="worker tests fork their workers (Linux only)"),
]
FORK = dict(multiprocessing_context="fork")
T = targets.current()  # the library under test; torch is the oracle
lib = T.lib
D = submodule(lib, "utils.data")


def _no_workers_left():
    deadline = time.time() + 5
    while multiprocessing.active_children() and time.time() < deadline:
        time.sleep(0.01)
    return not multiprocessing.active_children()


def _plain(x):
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x.tolist() if hasattr(x, "tolist") else x


def _batches(loader):
    return [_plain(batch) for batch in loader]


def test_map_style_batches_equal_single_process_and_torch():
    n = 23
    a = np.arange(2 * n, dtype=np.float32).reshape(n, 2)
    ds, tds = D.TensorDataset(T.tensor_from_numpy(a), lib.arange(n)), tdata.TensorDataset(torch.tensor(a), torch.arange(n))
    configs = [
        dict(batch_size=4),
        dict(batch_size=5, drop_last=True, num_workers_torch=True),
        dict(batch_size=3, shuffle=True, seed=7),
        dict(batch_size=None),
        dict(batch_sampler=[[3, 1], [0], [22, 5, 6], [2, 2]], num_workers_torch=True),
        dict(batch_size=6, collate_fn=lambda samples: [int(s[1]) for s in samples]),
    ]
    for cfg in configs:
        cfg = dict(cfg)
        seed, with_torch_workers = cfg.pop("seed", None), cfg.pop("num_workers_torch", False)

        def loader(lib_data, dataset, workers, cfg=cfg, seed=seed):
            gen = None if seed is None else (lib if lib_data is D else torch).Generator().manual_seed(seed)
            return lib_data.DataLoader(dataset, num_workers=workers, generator=gen, **cfg,
                                       **(FORK if workers else {}))

        single = _batches(loader(D, ds, 0))
        assert _batches(loader(D, ds, 2)) == single, cfg
        if seed is None:  # torch's order is deterministic too: same batches
            want = _batches(loader(tdata, tds, 2 if with_torch_workers else 0))
            assert single == want, cfg
    assert _no_workers_left()


class _Introspect(D.Dataset):
    """Each sample reports which worker made it and what its generators produce there."""

    def __init__(self, n):
        self.n = n
        self.tag = "original"

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = D.get_worker_info()
        try:
            info.id = 3
        except dataclasses.FrozenInstanceError:  # torch's WorkerInfo is a frozen dataclass
            frozen = True
        else:
            frozen = False
        return dict(index=i, id=info.id, num_workers=info.num_workers, seed=info.seed, tag=info.dataset.tag,
                    same_type=type(info.dataset) is _Introspect, lib_rand=float(lib.rand(1)), frozen=frozen,
                    py_rand=random.random(), np_rand=float(np.random.rand()), init=_INIT_CALLS.copy())


_INIT_CALLS = []


def _init(worker_id):
    _INIT_CALLS.append(worker_id)
    D.get_worker_info().dataset.tag = f"initialised by {worker_id}"


def test_worker_seeding_info_and_init_fn_as_torch():
    """Each worker's seed is the epoch's base seed (drawn from the loader's generator: the same generator seed gives
    the same one) plus its id, and seeds the library's, Python's and numpy's generators as torch seeds its workers.
    How the base seed is drawn from the generator is the library's own stream (test_worker_base_seed_draw)."""
    gen_seed = 11

    def epoch():
        return list(D.DataLoader(_Introspect(6), batch_size=None, num_workers=2, worker_init_fn=_init,
                                 generator=lib.Generator().manual_seed(gen_seed), **FORK))

    samples = epoch()
    base_seed = samples[0]["seed"] - samples[0]["id"]
    assert [s["seed"] - s["id"] for s in epoch()] == [base_seed] * 6, "the same generator seed, another base seed"
    assert [s["index"] for s in samples] == list(range(6))
    assert [s["id"] for s in samples] == [0, 1, 0, 1, 0, 1], "requests go round-robin, as torch's"
    for s in samples:
        wid = s["id"]
        assert s["num_workers"] == 2 and s["seed"] == base_seed + wid
        assert s["init"] == [wid] and s["tag"] == f"initialised by {wid}" and s["same_type"]
        assert s["frozen"], "a worker's WorkerInfo must be read-only (a frozen dataclass, as torch's)"
    for wid in (0, 1):  # the first sample of each worker: generators seeded exactly as torch seeds its workers
        first = next(s for s in samples if s["id"] == wid)
        lib.manual_seed(base_seed + wid)
        random.seed(base_seed + wid)
        np.random.seed(torch_generate_state(base_seed, wid))
        assert first["lib_rand"] == float(lib.rand(1))
        assert first["py_rand"] == random.random()
        assert first["np_rand"] == float(np.random.rand())
    assert samples[0]["np_rand"] != samples[1]["np_rand"], "workers must not share a numpy stream"
    assert D.get_worker_info() is None and _INIT_CALLS == [], "the main process is no worker"
    assert _no_workers_left()


@pytest.mark.impl_only(reason="impl's base-seed draw from its own generator stream (numpy's integers)")
def test_worker_base_seed_draw():
    import impl

    samples = list(D.DataLoader(_Introspect(2), batch_size=None, num_workers=2,
                                generator=impl.Generator().manual_seed(11), **FORK))
    base_seed = int(impl.Generator().manual_seed(11).rng.integers(0, 2**63, dtype=np.int64))
    assert [s["seed"] for s in samples] == [base_seed, base_seed + 1]
    assert _no_workers_left()


@pytest.mark.impl_only(reason="impl's private worker-seed hash (impl.utils.data.worker._generate_state) against torch's")
def test_numpy_seed_hash_equals_torchs():
    from impl.utils.data.worker import _generate_state

    rng = np.random.default_rng(0)
    for base_seed in [0, 1, 2**32 - 1, 2**32, 2**63 - 1, *rng.integers(0, 2**63, size=20).tolist()]:
        for worker_id in (0, 1, 7):
            assert _generate_state(base_seed, worker_id) == torch_generate_state(base_seed, worker_id)


def _stream(lib_data):
    class Stream(lib_data.IterableDataset):
        """range(11), sharded across workers with get_worker_info as in torch's documentation."""

        def __iter__(self):
            info = lib_data.get_worker_info()
            if info is None:
                return iter(range(11))
            per_worker = -(-11 // info.num_workers)
            return iter(range(info.id * per_worker, min((info.id + 1) * per_worker, 11)))

    return Stream()


@pytest.mark.filterwarnings("ignore:This DataLoader will create 3 worker processes")  # torch, on 2-core machines
@pytest.mark.parametrize("workers, batch_size, drop_last", [(3, 3, False), (2, 3, True)])
def test_iterable_dataset_sharding_matches_torch(workers, batch_size, drop_last):
    got = _batches(D.DataLoader(_stream(D), batch_size=batch_size, drop_last=drop_last, num_workers=workers, **FORK))
    want = _batches(tdata.DataLoader(_stream(tdata), batch_size=batch_size, drop_last=drop_last,
                                     num_workers=workers, **FORK))
    assert got == want
    assert _no_workers_left()


class _Failing(D.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise KeyError(f"no sample {i}")
        return i


def test_worker_error_reraised_in_main_process_like_torch():
    loader = D.DataLoader(_Failing(), batch_size=2, num_workers=2, **FORK)
    with pytest.raises(KeyError) as ei:
        list(loader)
    message = str(ei.value)
    assert "Caught KeyError in DataLoader worker process 0" in message and "no sample 5" in message
    del ei  # its traceback holds the failed epoch's iterator, which torch shuts its workers down with
    gc.collect()
    assert _no_workers_left(), "a failed epoch must shut its workers down"
    assert _batches(D.DataLoader(_Failing(), batch_size=2, sampler=[0, 1, 2], num_workers=2, **FORK)) == [[0, 1], [2]]
    # an early break (the iterator dropped half way) shuts the workers down too
    it = iter(D.DataLoader(_Failing(), batch_size=1, sampler=range(4), num_workers=2, **FORK))
    assert next(it).tolist() == [0]
    del it
    assert _no_workers_left()


class _Slow(D.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(0.3)
        return i


def test_timeout_and_accepted_options():
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.1 seconds"):
        list(D.DataLoader(_Slow(), num_workers=1, timeout=0.1, **FORK))
    loader = D.DataLoader(list(range(5)), batch_size=2, num_workers=2, persistent_workers=True, prefetch_factor=1,
                          pin_memory=True, in_order=False, **FORK)
    # in_order=False lets batches come back as the workers finish them (torch's do)
    assert sorted(_batches(loader)) == sorted(_batches(loader)) == [[0, 1], [2, 3], [4]]
    del loader  # persistent workers live as long as their loader
    gc.collect()
    assert _no_workers_left()


class _SlowFirst(D.Dataset):
    """Sample 0 takes longest, so worker 1's later batches arrive before worker 0's first one."""

    def __len__(self):
        return 6

    def __getitem__(self, i):
        time.sleep(0.2 if i == 0 else 0.0)
        return i


def test_batches_come_back_in_sampler_order_when_workers_finish_out_of_order():
    got = _batches(D.DataLoader(_SlowFirst(), batch_size=1, num_workers=2, **FORK))
    assert got == [[i] for i in range(6)]
