"""Memory: views, in-place ops on views (CopySlices) and hooks keep no graph alive after backward and ``del``, and a
removed hook handle drops its hook. Each scenario runs on the library under test (impl by default; reference.targets)
and on torch: a Python object captured by a hook (``Payload``) is alive in the target exactly when it is in torch, or
freed earlier (the target may free a graph sooner, never later). An intermediate tensor's Python object must be freed
once backward is done and the graph deleted (torch keeps the C++ tensor of a saved variable, not its Python object)."""
import gc
import weakref

import pytest
import torch

from reference import targets
from reference.memory import frozen_heap, traced_growth

pytestmark = [pytest.mark.reliability]


@pytest.fixture(autouse=True, scope="module")
def _young_heap():
    """The collections below walk only what this module's tests allocate (reference.memory.frozen_heap)."""
    with frozen_heap():
        yield

T = targets.current()  # the library under test; torch is the oracle
lib = T.lib
# Each scenario on the target; that torch itself behaves so is what the run with torch as the target checks.
LIBS = [pytest.param(lib, id=T.name)]


class Payload:
    """Something a hook closure holds: alive while the hook is reachable."""


def _alive(ref):
    gc.collect()
    return ref() is not None


def _hooked_graph(side, remove_before_backward=False):
    """x -> h = exp(x) (a hook on h) -> b = h * 1 -> b[1:].mul_(2) (CopySlices) -> loss. Returns the loss, the
    handle, and weak references to the payload and to h."""
    x = side.ones(4, requires_grad=True)
    h = x.exp()
    p = Payload()
    handle = h.register_hook(lambda g, p=p: g * 1)
    b = h * 1
    b[1:].mul_(2)
    loss = (b * b).sum()
    refs = weakref.ref(p), weakref.ref(h)
    if remove_before_backward:
        handle.remove()
    return x, loss, handle, refs


@pytest.mark.parametrize("side", LIBS)
def test_hook_and_copy_slices_graph_die_after_backward_and_del(side):
    x, loss, handle, (payload, h) = _hooked_graph(side)
    assert _alive(payload), "before backward the graph holds the hook"
    loss.backward()
    del loss, handle
    assert not _alive(payload), "the hook (and the graph holding it) outlived backward and del"
    assert not _alive(h), "an intermediate tensor outlived backward and del"
    assert x.grad is not None


@pytest.mark.parametrize("side", LIBS)
def test_removed_tensor_hook_is_dropped(side):
    x, loss, handle, (payload, _) = _hooked_graph(side, remove_before_backward=True)
    assert not _alive(payload), "a removed hook is still referenced while its graph is alive"
    loss.backward()
    assert x.grad is not None


def test_target_frees_no_later_than_torch_after_backward():
    """With the loss still alive after backward: whatever the target keeps of the hooked graph, torch keeps too."""
    alive = []
    for side in (lib, torch):
        x, loss, handle, (payload, _) = _hooked_graph(side)
        loss.backward()
        del handle
        alive.append(_alive(payload))
        del loss
    assert alive[0] <= alive[1], f"{T.name} keeps the hooked graph after backward, torch does not: {alive}"


@pytest.mark.parametrize("side", LIBS)
def test_post_accumulate_hook_dropped_on_remove(side):
    x = side.ones(3, requires_grad=True)
    p, seen = Payload(), []
    handle = x.register_post_accumulate_grad_hook(lambda t, p=p: seen.append(1))
    ref = weakref.ref(p)
    del p
    (x * 2).sum().backward()
    assert seen == [1]
    assert _alive(ref), "a registered post-accumulate hook lives as long as its leaf"
    handle.remove()
    assert not _alive(ref), "a removed post-accumulate hook is still referenced"
    (x * 2).sum().backward()
    assert seen == [1], "a removed post-accumulate hook still ran"


@pytest.mark.parametrize("side", LIBS)
def test_module_full_backward_hook_dropped_on_remove_and_keeps_no_graph(side):
    m = side.nn.Linear(3, 2)
    p, seen = Payload(), []
    handle = m.register_full_backward_hook(lambda mod, gin, gout, p=p: seen.append(len(gout)))
    ref = weakref.ref(p)
    del p
    out = m(side.ones(4, 3, requires_grad=True))
    out_ref = weakref.ref(out)
    out.sum().backward()
    assert seen == [1]
    del out
    gc.collect()
    assert out_ref() is None, "the module's backward hook keeps its output alive after backward"
    assert _alive(ref), "a registered module hook lives as long as its module"
    handle.remove()
    assert not _alive(ref), "a removed module backward hook is still referenced"
    m(side.ones(4, 3, requires_grad=True)).sum().backward()
    assert seen == [1], "a removed module backward hook still ran"


@pytest.mark.parametrize("side", LIBS)
def test_view_keeps_its_base_alive_until_deleted(side):
    x = side.ones(4, 4)
    v = x[1:, ::2].t()
    ref = weakref.ref(x)
    del x
    assert _alive(ref), "a view's base must live as long as the view (it shares its memory)"
    assert targets.for_lib(side).view_base(v) is ref()
    del v
    assert not _alive(ref), "a base outlived its last view"


@pytest.mark.impl_only(reason="tracemalloc traces numpy's buffers (impl's tensors) but not torch's C++ allocator: "
                               "for torch it would see no tensor memory at all")
def test_stale_view_regeneration_and_copy_slices_keep_memory_flat():
    """150 steps of: non-leaf base, in-place on a view (CopySlices), a stale sibling view used again (its history
    regenerated from the base), backward. Traced memory after warm-up may not keep growing."""
    w = lib.randn(32, 32, requires_grad=True)

    def step():
        b = w * 1
        v, u = b[:16], b.t()[:, :8]
        v.mul_(2)
        (u * u).sum().backward()
        w.grad = None

    growth, samples = traced_growth(step, warmup=20, steps=150)
    # One leaked 32x32 float32 array per step would add ~0.5 MB over 125 steps.
    assert growth < 100_000, f"traced memory grew by {growth} bytes over 125 steps: {samples}"


@pytest.mark.impl_only(reason="holds a weak reference to an autograd node: torch's nodes cannot be weakly referenced "
                               "(TypeError: cannot create weak reference to 'CopySlices' object)")
def test_copy_slices_nodes_die_after_backward():
    x = lib.randn(4, 4, requires_grad=True)
    b = x * 1
    b[0].mul_(2)
    b.t()[1].add_(1)
    node = weakref.ref(b.grad_fn)
    assert b.grad_fn.name == "CopySlices"
    loss = b.sum()
    del b
    loss.backward()
    del loss
    assert not _alive(node), "a CopySlices node outlived backward and del"
