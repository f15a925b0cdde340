"""Variable-length sequences for the recurrent layers (torch.nn.utils.rnn): padding and packing.

A ``PackedSequence`` stores the time steps of a batch of sequences one after another, each step holding only
the sequences still running (``batch_sizes[t]`` rows; sequences sorted by decreasing length). Every function
here that moves values is a composite of impl ops (``cat``, indexing, ``reshape``) with index arrays computed
in numpy, so gradients flow back to the padded or listed inputs with no backward written here.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...ops import shape as _shape

__all__ = [
    "PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
    "unpad_sequence", "pack_sequence", "unpack_sequence",
]


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(PackedSequence_):
    """(data, batch_sizes, sorted_indices, unsorted_indices), as torch's; built by pack_padded_sequence or
    pack_sequence. ``unsorted_indices`` defaults to the inverse of ``sorted_indices``."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes), sorted_indices=...)
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def double(self):
        return self.to(dtype=_dtype.float64)

    def float(self):
        return self.to(dtype=_dtype.float32)

    def cpu(self):
        return self

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def _int64(arr) -> Tensor:
    return Tensor._wrap(np.ascontiguousarray(arr, dtype=np.int64))


def invert_permutation(permutation):
    """The inverse permutation (None stays None)."""
    if permutation is None:
        return None
    p = np.asarray(permutation._data, dtype=np.int64)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size, dtype=np.int64)
    return _int64(inv)


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        return np.asarray(lengths._data).astype(np.int64).reshape(-1)
    return np.asarray(list(lengths), dtype=np.int64).reshape(-1)


def _rows_in_packed_order(lengths: np.ndarray, steps: int) -> np.ndarray:
    """Flat indices into a time-major (steps, batch) grid of the cells a PackedSequence holds, in its order:
    step by step, and within a step the (sorted) sequences still running."""
    running = np.arange(steps)[:, None] < lengths[None, :]
    return np.flatnonzero(running.ravel())


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) of sequences of the given lengths."""
    lens = _lengths_array(lengths)
    if enforce_sorted:
        sorted_indices = None
    else:
        # torch sorts with torch.sort(descending=True); a stable sort keeps equal lengths in input order as torch's
        # CPU sort does (checked in property_tests/test_rnn.py)
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = _int64(order)
        input = _shape.index_select(input, 0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = _shape.transpose(input, 0, 1)
    steps, batch = input.shape[0], input.shape[1]
    if lens.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} (batch_size={batch})")
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0")
    if enforce_sorted and np.any(np.diff(lens) > 0):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass "
            "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if "
            "you do not need ONNX exportability."
        )
    if lens.size and lens.max() > steps:
        raise RuntimeError(f"pack_padded_sequence: a length ({int(lens.max())}) exceeds the padded length {steps} of "
                           f"input of shape {tuple(input.shape)}")
    n_steps = int(lens[0]) if lens.size else 0
    batch_sizes = (np.arange(n_steps)[:, None] < lens[None, :]).sum(axis=1)
    flat = _shape.reshape(input, steps * batch, *input.shape[2:])
    data = flat[_int64(_rows_in_packed_order(lens, steps))]
    return PackedSequence(data, _int64(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo pack_padded_sequence: (padded (T, B, *) or (B, T, *), lengths int64 in the original batch order)."""
    bs = np.asarray(sequence.batch_sizes._data, dtype=np.int64)
    max_seq_length = bs.size
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in input, but got "
                f"total_length={total_length} and max sequence length being {max_seq_length}"
            )
        max_seq_length = total_length
    batch = int(bs[0]) if bs.size else 0
    lens = (bs[None, :] > np.arange(batch)[:, None]).sum(axis=1)  # sorted order
    data = sequence.data
    n, feat = data.shape[0], tuple(data.shape[1:])
    # every (t, b) cell of the padded grid reads one row of [data; padding row]: its packed row, or the padding
    source = np.full(max_seq_length * batch, n, dtype=np.int64)
    source[_rows_in_packed_order(lens, max_seq_length)] = np.arange(n)
    pad_row = Tensor._wrap(_dtype.full_array((1, *feat), padding_value, data.dtype))
    padded = _shape.cat([data, pad_row], 0)[_int64(source)]
    padded = _shape.reshape(padded, max_seq_length, batch, *feat)
    if batch_first:
        padded = _shape.transpose(padded, 0, 1)
    lengths = _int64(lens)
    if sequence.unsorted_indices is not None:
        padded = _shape.index_select(padded, 0 if batch_first else 1, sequence.unsorted_indices)
        lengths = _int64(lens[np.asarray(sequence.unsorted_indices._data, dtype=np.int64)])
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of shapes (L_i, *) into (max L, B, *) (or (B, max L, *)), padded on ``padding_side``."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: {type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    for s in sequences:
        if s.ndim == 0:
            raise RuntimeError("pad_sequence: every sequence needs a time dimension, but got a 0-d tensor")
    feat = tuple(sequences[0].shape[1:])
    for s in sequences[1:]:
        if tuple(s.shape[1:]) != feat:
            raise RuntimeError(f"pad_sequence: every sequence must have the trailing shape {feat} of the first, "
                               f"but got one of shape {tuple(s.shape)}")
    lens = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    batch, longest, n = lens.size, int(lens.max()), int(lens.sum())
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    t = np.arange(longest)[None, :]
    offset = (longest - lens)[:, None] if padding_side == "left" else np.zeros((batch, 1), dtype=np.int64)
    pos = t - offset  # the time index inside sequence b that lands at padded position t
    valid = (pos >= 0) & (pos < lens[:, None])
    source = np.where(valid, starts[:, None] + pos, n)  # row n is the padding row
    if not batch_first:
        source = source.T
    pad_row = Tensor._wrap(_dtype.full_array((1, *feat), padding_value, sequences[0].dtype))
    rows = _shape.cat([*sequences, pad_row], 0)[_int64(source.ravel())]
    return _shape.reshape(rows, *source.shape, *feat)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of unpadded sequences. (torch transposes a time-major input in place; this leaves it as it is.)"""
    if not batch_first:
        padded_sequences = _shape.transpose(padded_sequences, 0, 1)
    return [padded_sequences[b, :int(n)] for b, n in enumerate(_lengths_array(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    """pack_padded_sequence(pad_sequence(sequences), their lengths)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences a PackedSequence holds, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
