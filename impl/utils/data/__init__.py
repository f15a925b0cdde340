"""torch.utils.data look-alikes: datasets, samplers, collation and the DataLoader (single- or multi-process).

Shuffling and weighted sampling draw from ``generator`` (an ``impl.Generator``) or, without one, from impl's
global generator, so ``impl.manual_seed(n)`` repeats the order. The modules: ``dataset`` (Dataset,
IterableDataset, TensorDataset, Subset, ConcatDataset, ChainDataset, random_split), ``sampler``, ``collate``
(default_collate, default_convert), ``worker`` (get_worker_info and what runs in a worker process) and
``dataloader``.
"""
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .worker import WorkerInfo, get_worker_info

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset", "random_split",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
    "BatchSampler", "default_collate", "default_convert", "DataLoader", "WorkerInfo", "get_worker_info",
]
