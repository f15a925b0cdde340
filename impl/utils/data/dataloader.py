"""DataLoader: batches from a map-style or iterable dataset, in the main process or in worker processes.

Every ``iter(loader)`` starts an epoch and, as torch, first draws a base seed from ``generator`` (or impl's
global generator), then iterates the sampler. With ``num_workers > 0`` worker ``i`` seeds Python's ``random``
and impl with ``base_seed + i`` and numpy's global generator with torch's hash of the two, runs
``worker_init_fn(i)``, and serves the batches the main process hands out in turn; the main process puts them
back in sampler order, so a map-style dataset gives the same batches as ``num_workers=0``. Each worker of an
IterableDataset iterates its own copy of it (shard with ``get_worker_info``); its batches arrive interleaved
worker by worker, as torch's.

Accepted and ignored: ``pin_memory``/``pin_memory_device`` (no devices), ``persistent_workers`` (workers are
started anew every epoch, so their seeds change with each epoch's base seed, where torch's persistent workers
keep their first ones) and ``in_order=False`` (batches still come in order, one of the orders it allows).
"""
from __future__ import annotations

import itertools
import multiprocessing
import pickle
import queue

import numpy as np

from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, _rng
from .worker import ExceptionWrapper, IterableEnded, make_fetcher, worker_loop

__all__ = ["DataLoader"]

_JOIN_SECONDS = 5.0


class _InfiniteConstantSampler:
    """The 'indices' of an IterableDataset: there are none, only requests for the next sample."""

    def __iter__(self):
        while True:
            yield None


class DataLoader:
    """Iterate over ``dataset`` in batches (torch.utils.data.DataLoader).

    ``len(loader)`` is the number of batches per epoch; every ``iter(loader)`` is a new epoch (a new shuffle).
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                             "to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None:
            if num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process loading (num_workers "
                                 f"> 0), but got num_workers={num_workers}")
            if isinstance(multiprocessing_context, str):
                multiprocessing_context = multiprocessing.get_context(multiprocessing_context)

        self.iterable = isinstance(dataset, IterableDataset)
        if self.iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, but got "
                                     f"{name}={value}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        if sampler is None:
            if self.iterable:
                sampler = _InfiniteConstantSampler()
            else:
                sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.pin_memory = pin_memory
        self.in_order = in_order
        self.generator = generator
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if batch_sampler is not None else default_convert)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        return _MultiProcessIter(self)

    def __len__(self):
        if self.iterable:  # the dataset's own length, in batches (TypeError if it has none, as torch)
            length = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else -(-length // self.batch_size)
            return length
        return len(self._index_sampler)


class _BaseIter:
    def __init__(self, loader):
        self._loader = loader
        self._auto_collation = loader._auto_collation
        # As torch: every epoch draws a base seed first (it seeds the workers), then iterates the sampler.
        self._base_seed = int(_rng(loader.generator).integers(0, 2**63, dtype=np.int64))
        self._sampler_iter = iter(loader._index_sampler)
        self._num_yielded = 0

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._loader)

    def _next_index(self):
        return next(self._sampler_iter)


class _SingleProcessIter(_BaseIter):
    def __init__(self, loader):
        super().__init__(loader)
        self._fetcher = make_fetcher(loader.dataset, self._auto_collation, loader.collate_fn, loader.drop_last)

    def __next__(self):
        data = self._fetcher.fetch(self._next_index())  # StopIteration ends the epoch
        self._num_yielded += 1
        return data


class _MultiProcessIter(_BaseIter):
    """Hands out requests round-robin (at most prefetch_factor per worker outstanding) and returns the
    results in request order (torch's _MultiProcessingDataLoaderIter, without pinning or persistence)."""

    def __init__(self, loader):
        super().__init__(loader)
        ctx = loader.multiprocessing_context or multiprocessing
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._iterable = loader.iterable
        self._result_queue = ctx.Queue()
        self._done_event = ctx.Event()
        self._index_queues, self._workers = [], []
        for i in range(self._num_workers):
            index_queue = ctx.Queue()
            index_queue.cancel_join_thread()
            w = ctx.Process(target=worker_loop, daemon=True, args=(
                loader.dataset, index_queue, self._result_queue, self._done_event, self._auto_collation,
                loader.collate_fn, loader.drop_last, self._base_seed, loader.worker_init_fn, i, self._num_workers))
            w.start()
            self._index_queues.append(index_queue)
            self._workers.append(w)
        self._active = [True] * self._num_workers
        self._cycle = itertools.cycle(range(self._num_workers))
        self._send_idx = self._rcvd_idx = 0
        self._task_info = {}  # task idx -> (worker id,) while pending, (worker id, data) once arrived early
        self._shutdown = False
        try:
            for _ in range(max(1, loader.prefetch_factor) * self._num_workers):
                self._try_put_index()
        except BaseException:
            self._shutdown_workers()
            raise

    def _try_put_index(self):
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker = next(self._cycle)
            if self._active[worker]:
                break
        else:
            return  # every worker's iterable is exhausted
        self._index_queues[worker].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker,)
        self._send_idx += 1

    def _get_result(self):
        while True:
            try:
                payload = self._result_queue.get(timeout=self._timeout if self._timeout > 0 else _JOIN_SECONDS)
                return pickle.loads(payload)
            except queue.Empty:
                if self._timeout > 0:
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None
                dead = [w.pid for w in self._workers if not w.is_alive()]
                if dead:
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) exited "
                                       "unexpectedly") from None

    def __next__(self):
        if self._shutdown:  # the epoch ended (or failed): its workers are gone
            raise StopIteration
        try:
            return self._next_data()
        except BaseException:
            self._shutdown_workers()
            raise

    def _next_data(self):
        while True:
            # skip requests to workers whose iterable ended before answering them
            while self._rcvd_idx < self._send_idx:
                info = self._task_info[self._rcvd_idx]
                if len(info) == 2 or self._active[info[0]]:
                    break
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:
                return self._process(self._task_info.pop(self._rcvd_idx)[1])
            idx, data = self._get_result()
            if isinstance(data, IterableEnded):
                self._active[data.worker_id] = False
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                self._task_info[idx] += (data,)
                continue
            del self._task_info[idx]
            return self._process(data)

    def _process(self, data):
        self._rcvd_idx += 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        self._num_yielded += 1
        return data

    def _shutdown_workers(self):
        if self._shutdown:
            return
        self._shutdown = True
        self._done_event.set()
        for q in self._index_queues:
            try:
                q.put(None)
            except (OSError, ValueError):
                pass
        for w in self._workers:
            w.join(timeout=_JOIN_SECONDS)
            if w.is_alive():
                w.terminate()
        for q in self._index_queues:
            q.close()
        self._result_queue.cancel_join_thread()
        self._result_queue.close()

    def __del__(self):
        if getattr(self, "_workers", None) is not None and not getattr(self, "_shutdown", True):
            try:
                self._shutdown_workers()
            except Exception:  # noqa: BLE001 - at interpreter exit the queues may already be gone
                pass
