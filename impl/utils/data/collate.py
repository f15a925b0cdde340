"""Collation: default_collate stacks a list of samples into a batch, default_convert converts one sample."""
from __future__ import annotations

import collections.abc
import copy
import numbers

import numpy as np

from ..._dtype import float64
from ..._tensor import Tensor, tensor

__all__ = ["default_collate", "default_convert"]


_ERR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def default_collate(batch):
    """Stack a list of samples as torch's default_collate: tensors and arrays are stacked, Python floats become
    float64, ints int64 and bools bool tensors, strings stay a list, mappings/namedtuples/sequences recurse
    (a tuple sample collates to a *list*, as torch; a mapping or mutable sequence keeps its own type)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack_tensors(batch)
    if isinstance(elem, (np.ndarray, np.generic)) and not isinstance(elem, (np.str_, np.bytes_)):
        if np.asarray(elem).dtype.kind in "OSUV":
            raise TypeError(_ERR.format(np.asarray(elem).dtype))
        return tensor(np.stack([np.asarray(b) for b in batch]))
    if isinstance(elem, bool):
        return tensor(batch)
    if isinstance(elem, float):
        return tensor(batch, dtype=float64)
    if isinstance(elem, numbers.Integral):
        return tensor(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {k: default_collate([d[k] for d in batch]) for k in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        size = len(next(it))
        if not all(len(e) == size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        # each field's values stay the tuple zip makes: a field of strings collates to that tuple, as torch
        collated = [default_collate(s) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return collated
        return _rebuild_sequence(elem, collated)
    raise TypeError(_ERR.format(type(elem)))


def _stack_tensors(batch):
    shapes = {tuple(b.shape) for b in batch}
    if len(shapes) != 1:
        raise RuntimeError(f"default_collate: stack expects each tensor to be equal size, but got shapes {sorted(shapes)}")
    if any(b.requires_grad for b in batch):  # torch.stack keeps the graph (StackBackward0), so must we
        from ... import stack

        return stack(batch)
    return Tensor._wrap(np.stack([b._data for b in batch]))


def _rebuild_mapping(elem, collated):
    """torch keeps the sample's mapping type (OrderedDict, defaultdict, ...) when it can rebuild one."""
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(collated)
            return clone
        return type(elem)(collated)
    except TypeError:
        return collated


def _rebuild_sequence(elem, collated):
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, value in enumerate(collated):
                clone[i] = value
            return clone
        return type(elem)(collated)
    except TypeError:
        return collated


def default_convert(data):
    """torch's default_convert (the collate_fn when batch_size=None): numpy arrays become tensors, containers
    recurse (a plain tuple becomes a list, as torch)."""
    if isinstance(data, np.ndarray) and data.dtype.kind not in "OSUV":
        return tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data
