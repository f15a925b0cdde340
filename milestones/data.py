"""Data for the milestones: generated, or scikit-learn's bundled 8x8 digits (shipped inside the wheel, no download)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ._core import rng


def gaussian_clusters(seed: int, n_per_class: int = 100, margin: float = 0.25):
    """Two 2-D Gaussian clusters around (-1.5, -1.5) and (1.5, 1.5), std 0.5, made strictly linearly
    separable by dropping the (rare) points closer than ``margin`` to the line x0 + x1 = 0 or beyond it.
    Returns (x float64 (n, 2), y float64 (n,) in {0, 1}), shuffled."""
    g = rng(seed, 0)
    xs, ys = [], []
    for label, centre in ((0, -1.5), (1, 1.5)):
        pts = np.empty((0, 2))
        while len(pts) < n_per_class:
            cand = g.normal(centre, 0.5, size=(n_per_class, 2))
            side = (cand.sum(1) / np.sqrt(2)) * (1 if label else -1)  # signed distance to the true boundary
            pts = np.concatenate([pts, cand[side >= margin]])[:n_per_class]
        xs.append(pts)
        ys.append(np.full(n_per_class, float(label)))
    x, y = np.concatenate(xs), np.concatenate(ys)
    perm = g.permutation(len(y))
    return x[perm], y[perm]


XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])


@lru_cache(maxsize=1)
def _digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.data.astype(np.float64) / 16.0, d.target.astype(np.int64)


def digits_split(seed: int, test_size: float = 0.2):
    """sklearn's 1,797 8x8 digits, pixels scaled to [0, 1] (/16), stratified 80/20 split seeded by ``seed``.
    Returns (x_train, y_train, x_test, y_test); x rows are the 64 pixels."""
    from sklearn.model_selection import train_test_split

    x, y = _digits()
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_size, stratify=y, random_state=seed)
    return x_tr, y_tr, x_te, y_te


def reversal_task(length: int, vocab: int, n_test: int, seed: int):
    """Sequence reversal for a decoder-only model.

    A sample is ``a_1 .. a_L SEP a_L .. a_1`` over tokens 0..vocab-1 with SEP = vocab; the model reads the first
    2L tokens and predicts the next token at every position, the loss and the accuracy count only the L output
    positions. Returns (test_sequences (n_test, L), sampler) where ``sampler(gen, n)`` draws n training
    sequences that are guaranteed not to be any test sequence.
    """
    if vocab**length < 2 * n_test:
        raise ValueError(f"reversal_task: {vocab}**{length} sequences are too few to hold out {n_test}")
    g = rng(seed, 0)
    held_out, rows = set(), []
    while len(rows) < n_test:  # distinct test sequences, in drawing order
        for row in g.integers(0, vocab, size=(n_test, length)):
            if row.tobytes() not in held_out and len(rows) < n_test:
                held_out.add(row.tobytes())
                rows.append(row)
    test = np.stack(rows)

    def sampler(gen: np.random.Generator, n: int) -> np.ndarray:
        seqs = gen.integers(0, vocab, size=(n, length))
        clash = np.array([row.tobytes() in held_out for row in seqs])
        while clash.any():  # re-draw the (vanishingly rare, ~n_test / vocab**L) collisions with the test set
            seqs[clash] = gen.integers(0, vocab, size=(int(clash.sum()), length))
            clash = np.array([row.tobytes() in held_out for row in seqs])
        return seqs

    return test, sampler


def reversal_io(seqs: np.ndarray, vocab: int):
    """(inputs (n, 2L), targets (n, 2L) with -100 = ignore on the L input-side positions)."""
    n, length = seqs.shape
    full = np.concatenate([seqs, np.full((n, 1), vocab), seqs[:, ::-1]], axis=1)  # (n, 2L + 1)
    inputs, targets = full[:, :-1], full[:, 1:].copy()
    # The input half is random (unpredictable) and SEP is constant: only the L reversed tokens are scored.
    targets[:, :length] = -100
    return inputs, targets
