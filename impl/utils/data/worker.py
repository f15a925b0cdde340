"""What runs inside a DataLoader worker process: seeding, get_worker_info, fetching, and the transport of
batches and errors back to the main process."""
from __future__ import annotations

import copyreg
import dataclasses
import io
import os
import pickle
import queue
import random
import sys
import traceback
from typing import Any

import numpy as np

from ... import random as _random
from ..._tensor import Tensor
from .collate import default_collate
from .dataset import IterableDataset, TensorDataset

__all__ = ["WorkerInfo", "get_worker_info"]

_POLL_SECONDS = 5.0  # how often an idle worker checks that its parent is still alive


@dataclasses.dataclass(frozen=True)
class WorkerInfo:
    """What a worker knows about itself (torch.utils.data.WorkerInfo): read-only once made."""

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str | None = "multiprocessing"


_worker_info: WorkerInfo | None = None


def get_worker_info():
    """In a DataLoader worker process: its WorkerInfo (id, num_workers, seed, dataset -- the worker's own copy of
    the dataset). In the main process: None."""
    return _worker_info


def _generate_state(base_seed, worker_id):
    """The 4 x 32-bit numpy seed torch derives from (base_seed, worker_id) for each worker (torch's
    ``_generate_state``, a SeedSequence-style hash), so the workers' numpy streams differ from one another."""
    mask = 0xFFFFFFFF
    mult_a, mult_b, shift = 0x931E8875, 0x58F38DED, 16
    entropy = [worker_id, base_seed & mask, base_seed >> 32, 0]
    hash_const = [0x43B0D7E5]

    def hash32(value):
        value = (value ^ hash_const[0]) & mask
        hash_const[0] = (hash_const[0] * mult_a) & mask
        value = (value * hash_const[0]) & mask
        return (value ^ (value >> shift)) & mask

    def mix(x, y):
        result = ((0xCA01F9DD * x) & mask) - ((0x4973F715 * y) & mask)
        result &= mask
        return (result ^ (result >> shift)) & mask

    pool = [hash32(e) for e in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash32(pool[i_src]))
    const_b, state = 0x8B51F9DD, []
    for value in pool:
        value = (value ^ const_b) & mask
        const_b = (const_b * mult_b) & mask
        value = (value * const_b) & mask
        state.append((value ^ (value >> shift)) & mask)
    return state


def seed_worker(base_seed, worker_id):
    """Seed a worker as torch does: Python's random and impl's generator with base_seed + worker_id, numpy's
    legacy global generator with the hash above. Returns the worker's seed."""
    seed = base_seed + worker_id
    random.seed(seed)
    _random.manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    return seed


# ---- fetching: one batch (or one sample) per request ---------------------------------------------------------
class MapFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        # A TensorDataset batch is one gather per tensor instead of stacking samples (identical result).
        self.fast = (auto_collation and collate_fn is default_collate and isinstance(dataset, TensorDataset)
                     and type(dataset).__getitem__ is TensorDataset.__getitem__  # a subclass may transform samples
                     and not any(t.requires_grad for t in dataset.tensors))

    def fetch(self, index):
        if self.fast:
            return self.dataset._fetch_batch(index)
        if self.auto_collation:
            return self.collate_fn([self.dataset[i] for i in index])
        return self.collate_fn(self.dataset[index])


class IterableFetcher:
    """Pulls from the dataset's iterator; StopIteration when a batch cannot be formed any more."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.it = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.it))
        batch = []
        for _ in index:
            try:
                batch.append(next(self.it))
            except StopIteration:
                self.ended = True
                break
        if not batch or (self.ended and self.drop_last and len(batch) < len(index)):
            raise StopIteration
        return self.collate_fn(batch)


def make_fetcher(dataset, auto_collation, collate_fn, drop_last):
    kind = IterableFetcher if isinstance(dataset, IterableDataset) else MapFetcher
    return kind(dataset, auto_collation, collate_fn, drop_last)


# ---- transport ----------------------------------------------------------------------------------------------
class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process and re-raised there with the worker's
    traceback in its message (torch's ExceptionWrapper)."""

    def __init__(self, where):
        exc_type, exc, tb = sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


class _KeyErrorMessage(str):
    """KeyError prints the repr of its argument; this keeps the traceback in the message readable."""

    def __repr__(self):
        return self


class IterableEnded:
    """Sent by a worker whose IterableDataset copy is exhausted: ask it for nothing more."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


def _reduce_tensor(t):
    if t.grad_fn is not None:
        raise RuntimeError("Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd "
                           "does not support crossing process boundaries.  If you just want to transfer the data, "
                           "call detach() on the tensor before serializing (e.g., putting it on the queue).")
    return (_rebuild_tensor, (type(t) is not Tensor, np.ascontiguousarray(t._data).reshape(t._data.shape),
                              t.requires_grad))


def _rebuild_tensor(is_parameter, arr, requires_grad):
    if is_parameter:
        from ...nn.parameter import Parameter

        return Parameter(Tensor._wrap(arr), requires_grad=requires_grad)
    return Tensor._wrap(arr, requires_grad=requires_grad)


def dumps(obj):
    """Pickle a batch for the trip to the main process: a tensor travels as its own elements (not its view's
    base, nor its autograd graph, as torch refuses non-leaf tensors that require grad)."""
    from ...nn.parameter import Parameter

    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[Tensor] = _reduce_tensor
    pickler.dispatch_table[Parameter] = _reduce_tensor
    pickler.dump(obj)
    return buf.getvalue()


def worker_loop(dataset, index_queue, result_queue, done_event, auto_collation, collate_fn, drop_last,
                base_seed, init_fn, worker_id, num_workers):
    """The body of worker ``worker_id``: serve ``(task_idx, index)`` requests until it is sent None."""
    global _worker_info
    where = f"in DataLoader worker process {worker_id}"
    try:
        seed = seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error, fetcher = None, None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = make_fetcher(dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(where)
        parent, ended = os.getppid(), False
        while True:
            try:
                request = index_queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if os.getppid() != parent:  # the main process died without shutting us down
                    break
                continue
            if request is None:
                break
            if done_event.is_set() or ended:
                continue
            task_idx, index = request
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not isinstance(fetcher, IterableFetcher):
                        data = ExceptionWrapper(where)
                    else:
                        data, ended = IterableEnded(worker_id), True
                except Exception:
                    data = ExceptionWrapper(where)
            try:
                payload = dumps((task_idx, data))
            except Exception:
                payload = dumps((task_idx, ExceptionWrapper(where)))
            result_queue.put(payload)
            del data
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        result_queue.cancel_join_thread()
        result_queue.close()
