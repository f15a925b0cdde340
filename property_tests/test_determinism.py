"""impl.manual_seed makes weights, dropout masks, DataLoader order and a whole training run bit-identical."""
import numpy as np
import pytest

import impl
import impl.nn as nn
import impl.nn.functional as F

pytestmark = [pytest.mark.reliability,
              pytest.mark.impl_only(reason="about impl itself: impl.manual_seed and impl's generator make runs bit-identical")]


def _weights(seed):
    impl.manual_seed(seed)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def test_weights_repeat_with_the_seed_and_differ_across_seeds():
    a, b, c = _weights(1), _weights(1), _weights(2)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not all(np.array_equal(a[k], c[k]) for k in a)


def test_dropout_masks_repeat_with_the_seed():
    x = impl.ones(64, 64)
    impl.manual_seed(3)
    m1 = F.dropout(x, 0.5, training=True).numpy().copy()
    impl.manual_seed(3)
    m2 = F.dropout(x, 0.5, training=True).numpy().copy()
    m3 = F.dropout(x, 0.5, training=True).numpy().copy()
    assert np.array_equal(m1, m2)
    assert not np.array_equal(m2, m3)


def _order(seed):
    from impl.utils.data import DataLoader, TensorDataset

    ds = TensorDataset(impl.arange(20))
    impl.manual_seed(seed)
    return [b[0].tolist() for b in DataLoader(ds, batch_size=6, shuffle=True)]


def test_dataloader_order_repeats_with_the_seed():
    assert _order(5) == _order(5)
    assert _order(5) != _order(6)


def _train(seed):
    from impl.utils.data import DataLoader, TensorDataset

    impl.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Dropout(0.2), nn.Linear(12, 3))
    opt = impl.optim.Adam(model.parameters(), lr=1e-2)
    x, y = impl.randn(48, 6), impl.randint(0, 3, (48,))
    losses = []
    for _ in range(3):
        for xb, yb in DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True):
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


def test_whole_training_run_is_bit_identical():
    (l1, p1), (l2, p2), (l3, _) = _train(11), _train(11), _train(12)
    assert l1 == l2, "same seed, different loss sequence"
    assert all(np.array_equal(a, b) for a, b in zip(p1, p2))
    assert l1 != l3
