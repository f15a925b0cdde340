"""Memory and scale: the graph is freed after backward, training memory stays flat, and the op tape costs
nothing when off. (The 100,000-op chain lives in property_tests/test_engine.py and regression/test_021.)"""
import gc
import time
import weakref

import numpy as np
import pytest

import impl
from impl import nn
from reference.memory import frozen_heap, traced_growth

pytestmark = [pytest.mark.reliability,
              pytest.mark.impl_only(reason="about impl itself: impl's graph freeing and op tape cost (engine mechanics)")]


@pytest.fixture(autouse=True, scope="module")
def _young_heap():
    """The collections below walk only what this module's tests allocate (reference.memory.frozen_heap)."""
    with frozen_heap():
        yield


def test_graph_is_freed_after_backward():
    x = impl.randn(64, 64, requires_grad=True)
    h = (x @ x).tanh()
    ref = weakref.ref(h)
    node_ref = weakref.ref(h.grad_fn)
    loss = h.sum()
    del h
    gc.collect()
    assert ref() is not None, "before backward the loss's graph keeps the intermediate alive"
    loss.backward()
    gc.collect()
    assert ref() is None, "an intermediate tensor is still referenced by the graph after backward"
    # The released nodes keep their edges, as torch's (a node that saved nothing can run again), so the loss's node
    # keeps h's node alive -- holding nothing big -- until the loss itself goes.
    assert node_ref() is not None and node_ref().saved == () and node_ref().released, "h's node kept what it saved"
    del loss
    gc.collect()
    assert node_ref() is None, "a graph node is still alive after its graph's last tensor went"


def test_retain_graph_keeps_the_graph_until_the_last_backward():
    x = impl.randn(8, requires_grad=True)
    h = x.exp()
    ref = weakref.ref(h)
    loss = (h * h).sum()
    del h
    loss.backward(retain_graph=True)
    gc.collect()
    assert ref() is not None
    loss.backward()
    gc.collect()
    assert ref() is None
    np.testing.assert_allclose(x.grad.numpy(), 2 * 2 * np.exp(2 * x.detach().numpy()), rtol=1e-5)


def test_second_backward_through_freed_graph_raises():
    x = impl.randn(3, requires_grad=True)
    y = (x * x).sum()  # x * x saves x; x * 2 saves nothing and may run again, as torch's
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_training_memory_stays_flat():
    """200 SGD steps of a small MLP: traced memory after the warm-up may not keep growing."""
    impl.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))
    opt = impl.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = impl.randn(32, 16), impl.randint(0, 4, (32,))

    def step():
        opt.zero_grad()
        impl.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    growth, samples = traced_growth(step, warmup=50, steps=200)
    # A leak of even one activation per step (32x32 float32 = 4 KiB) would add ~0.7 MB over 175 steps, 3.5x the bound
    # (tracemalloc makes each step ~20x slower: more steps cost seconds of the suite's budget).
    assert growth < 200_000, f"traced memory grew by {growth} bytes over 175 steps: {samples}"


def test_tape_is_off_by_default_and_keeps_nothing():
    from impl import _tape

    assert _tape.active is None
    x = impl.randn(4, 4, requires_grad=True)
    with impl.tape() as tp:
        (x @ x).sum().backward()
    assert _tape.active is None
    assert len(tp.records) == 4  # matmul, sum forward; sum, matmul backward
    assert all(isinstance(s, tuple) or s is None for r in tp.records for s in r.inputs), "the tape holds shapes, not arrays"


def test_tape_costs_nothing_when_off():
    """Per-op cost with the tape off equals the cost of the engine with the tape check removed."""
    a, b = impl.randn(4), impl.randn(4)

    def bench():
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(2000):
                a + b
            best = min(best, time.perf_counter() - t0)
        return best

    off = bench()
    with impl.tape():
        on = bench()
    # Recording does real work (timestamps, shape tuples); when off it is one global lookup per op.
    assert off < on, f"tape off ({off:.4f}s) should be cheaper than tape on ({on:.4f}s)"
