"""The gradient-flow diagnostic and the op tape.

The diagnostic must flag a model whose graph was cut midway — the historical failure where conv, attention
and embedding layers silently never learned — and stay quiet on a healthy one.
"""
import numpy as np
import pytest

import impl
import impl.nn as nn
import impl.nn.functional as F
from impl.utils.diagnostics import gradient_flow, track_updates

pytestmark = [pytest.mark.models,
              pytest.mark.impl_only(reason="about impl itself: impl's gradient-flow diagnostic and op tape")]


class _CNN(nn.Module):
    """conv -> pool -> (cut?) -> flatten -> linear; ``cut`` re-wraps or detaches the activation."""

    def __init__(self, cut=None):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.emb = nn.Embedding(10, 4)
        self.fc = nn.Linear(4 * 4 * 4 + 4, 3)
        self.cut = cut

    def forward(self, x, ids):
        h = F.max_pool2d(self.conv(x).relu(), 2)
        if self.cut == "rewrap":
            h = impl.tensor(h.detach().numpy())  # the historical bug: a fresh tensor from raw data
        elif self.cut == "detach":
            h = h.detach()
        e = self.emb(ids).mean(dim=1)
        return self.fc(impl.cat([h.flatten(1), e], dim=1))


def _backward(model):
    impl.manual_seed(0)
    x, ids, y = impl.randn(5, 1, 8, 8), impl.randint(0, 10, (5, 3)), impl.randint(0, 3, (5,))
    F.cross_entropy(model(x, ids), y).backward()


def test_healthy_model_has_full_gradient_flow():
    impl.manual_seed(0)
    model = _CNN()
    _backward(model)
    rep = gradient_flow(model)
    assert rep.ok, rep.format()
    assert set(rep.grad_norms) == {n for n, _ in model.named_parameters()}
    for name, p in model.named_parameters():
        assert rep.grad_norms[name] == pytest.approx(float(np.linalg.norm(p.grad.numpy().astype(np.float64))))


@pytest.mark.parametrize("cut", ["rewrap", "detach"])
def test_cut_graph_is_flagged(cut):
    impl.manual_seed(0)
    model = _CNN(cut=cut)
    _backward(model)
    rep = gradient_flow(model)
    assert not rep.ok
    assert set(rep.missing) == {"conv.weight", "conv.bias"}, rep.format()
    assert "fc.weight" not in rep.dead and "emb.weight" not in rep.dead
    with pytest.raises(AssertionError, match="conv.weight"):
        rep.assert_flows()
    assert "<- no gradient" in rep.format()


def test_zero_gradient_is_flagged():
    lin = nn.Linear(3, 2)
    out = lin(impl.randn(4, 3)) * 0.0
    out.sum().backward()
    rep = gradient_flow(lin)
    assert set(rep.zero) == {"weight", "bias"}


def test_update_ratios_after_a_step():
    impl.manual_seed(0)
    model = _CNN()
    opt = impl.optim.SGD(model.parameters(), lr=0.1)
    _backward(model)
    rep = gradient_flow(model)
    before = {n: p.detach().numpy().copy() for n, p in model.named_parameters()}
    with track_updates(model, rep):
        opt.step()
    for name, p in model.named_parameters():
        expect = np.linalg.norm(p.detach().numpy() - before[name]) / np.linalg.norm(before[name])
        assert rep.update_ratios[name] == pytest.approx(expect, rel=1e-6)
        assert rep.update_ratios[name] > 0
    assert rep.unchanged() == []


def test_update_ratios_flag_a_frozen_parameter():
    impl.manual_seed(0)
    model = _CNN(cut="detach")
    opt = impl.optim.SGD(model.parameters(), lr=0.1)
    _backward(model)
    with track_updates(model) as rep:
        opt.step()
    assert set(rep.unchanged()) == {"conv.weight", "conv.bias"}


def test_tape_records_mlp_forward_and_backward():
    impl.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    x, y = impl.randn(2, 4), impl.randint(0, 3, (2,))
    with impl.tape() as tp:
        loss = F.cross_entropy(model(x), y)
        n_forward = len(tp.records)
        loss.backward()
    fwd = [r for r in tp.records if r.phase == "forward"]
    bwd = [r for r in tp.records if r.phase == "backward"]
    assert len(fwd) == n_forward
    # Forward: the first linear maps (2,4) -> (2,8), relu keeps (2,8), the second linear gives (2,3),
    # the loss ends in a scalar. (How F.linear decomposes into nodes is not pinned here.)
    assert any((2, 4) in r.inputs and r.output == (2, 8) for r in fwd), tp.format()
    assert any("Relu" in r.op and r.output == (2, 8) for r in fwd), tp.format()
    assert any((2, 8) in r.inputs and r.output == (2, 3) for r in fwd), tp.format()
    assert fwd[-1].output == ()
    # Backward runs every recorded forward node exactly once, starting from the loss.
    from collections import Counter

    assert Counter(r.op for r in bwd) == Counter(r.op for r in fwd)
    assert bwd[0].op == fwd[-1].op
    # A backward record takes the incoming gradient's shape (the node's output shape) as input and the node's
    # input shapes as output: the forward record of the same node, reversed.
    assert Counter((r.op, r.inputs, r.output) for r in bwd) == Counter((r.op, (r.output,), r.inputs) for r in fwd), \
        tp.format()
    assert all(r.seconds >= 0 for r in tp.records)
    text = tp.format()
    assert "forward" in text and "backward" in text and "(2, 4)" in text
    # Outside the context nothing is recorded.
    model(x)
    assert len(tp.records) == len(fwd) + len(bwd)
