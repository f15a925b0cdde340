"""Graph-node hooks, run on the library under test (reference.targets) and torch side by side: ``grad_fn.register_prehook
(fn(grad_outputs))`` and ``grad_fn.register_hook(fn(grad_inputs, grad_outputs))`` -- what they see (None for an input
that does not require grad, gradients already reduced to their input's shape), their order relative to the tensor
hooks and ``retain_grad`` of the node's output, several hooks in registration order, replacement tuples reaching the
leaves, removal, grad mode inside them, ``create_graph`` (hooks on Tensors with history), a fused kernel's node, and
the errors for a malformed replacement."""
import numpy as np
import pytest
import torch

from reference import targets
from reference.assertions import assert_same_log
from reference.conversion import to_numpy

T = targets.current()  # the library under test; torch is the oracle
lib = T.lib
F64 = dict(rtol=1e-12, atol=1e-12)


def t64(side, a, requires_grad=False):
    return side.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def both(fn):
    """fn(library) for the target and torch: (target's result, torch's result)."""
    return fn(lib), fn(torch)


def grads(values):
    """A hook's tuple as numpy arrays (None kept), copied: the engine may reuse the buffers."""
    return tuple(None if v is None else to_numpy(v) for v in values)


def same(a, b, what):
    assert_same_log(a, b, what, T.name, **F64)


def leaf_grad(t):
    return None if t.grad is None else to_numpy(t.grad)


# ---- what the hooks see, and in which order ---------------------------------------------------------------
def test_node_hooks_run_after_tensor_hooks_and_retain_grad_and_see_reduced_grads_with_none():
    """x (3,) * w (2, 3), w not requiring grad: the post-hook sees x's gradient summed to (3,) and None for w."""
    def run(lib):
        log = []
        x = t64(lib, [1.0, 2.0, 3.0], requires_grad=True)
        w = t64(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        y = x * w
        y.register_hook(lambda g: (log.append(("tensor hook", grads((g,)))), g * 2)[1])
        y.retain_grad()
        node = y.grad_fn
        node.register_prehook(lambda go: (log.append(("pre 1", grads(go))), (go[0] + 1,))[1])
        node.register_prehook(lambda go: log.append(("pre 2 sees pre 1's replacement", grads(go))))
        node.register_hook(lambda gi, go: (log.append(("post", grads(gi), grads(go))), (gi[0] * 10, None))[1])
        y.sum().backward()
        return log, leaf_grad(x), leaf_grad(y)

    (log_i, x_i, y_i), (log_t, x_t, y_t) = both(run)
    assert [e[0] for e in log_i] == [e[0] for e in log_t], f"hook order: {log_i} vs torch {log_t}"
    same(log_i, log_t, "what each hook saw")
    same(x_i, x_t, "x.grad after the post-hook's replacement")
    same(y_i, y_t, "y.grad (retain_grad runs before the node's pre-hooks)")


def test_post_hooks_in_registration_order_each_seeing_the_previous_replacement():
    def run(lib):
        log = []
        a = t64(lib, [0.5, -1.0], requires_grad=True)
        b = t64(lib, [2.0, 3.0], requires_grad=True)
        y = a * b + a.exp()  # AddBackward0 at the root, two inputs requiring grad
        node = y.grad_fn
        node.register_hook(lambda gi, go: (log.append(("first", grads(gi), grads(go))), (gi[0] * 3, gi[1] - 1))[1])
        node.register_hook(lambda gi, go: log.append(("second", grads(gi), grads(go))))
        node.register_hook(lambda gi, go: (log.append(("third", grads(gi))), (None, gi[1]))[1])  # a gets no part
        y.backward(t64(lib, [1.0, -2.0]))
        return log, leaf_grad(a), leaf_grad(b)

    (log_i, a_i, b_i), (log_t, a_t, b_t) = both(run)
    same(log_i, log_t, "post-hooks' log")
    same((a_i, b_i), (a_t, b_t), "leaves' gradients after the replacements")


def test_hooks_on_an_inner_node_change_what_reaches_the_leaves():
    def run(lib):
        seen = []
        x = t64(lib, [0.1, 0.2, 0.3], requires_grad=True)
        e = x.exp()
        z = (e * e.sin()).sum()
        e.grad_fn.register_prehook(lambda go: (seen.append(grads(go)), (go[0] * 0.5,))[1])
        e.grad_fn.register_hook(lambda gi, go: seen.append(grads(gi) + grads(go)))
        z.backward()
        return seen, leaf_grad(x)

    same(*both(run), "inner node's hooks and x.grad")


def test_removed_hooks_no_longer_run():
    def run(lib):
        calls = []
        x = t64(lib, [1.0, 2.0], requires_grad=True)
        y = x * 3
        node = y.grad_fn
        pre = node.register_prehook(lambda go: (calls.append("pre"), (go[0] * 100,))[1])
        post = node.register_hook(lambda gi, go: (calls.append("post"), (gi[0] * 100, gi[1]))[1])
        kept = node.register_hook(lambda gi, go: calls.append("kept"))
        y.sum().backward(retain_graph=True)
        first = leaf_grad(x)
        pre.remove()
        post.remove()
        x.grad = None
        y.sum().backward()
        return calls, first, leaf_grad(x), type(kept).__name__

    same(*both(run), "calls, gradients before and after remove(), handle type")


def test_hooks_run_under_autograd_grad_for_the_nodes_it_needs():
    def run(lib):
        calls = []
        x = t64(lib, [1.0, 2.0], requires_grad=True)
        u = t64(lib, [3.0, 4.0], requires_grad=True)
        y = x.sin()
        v = u.cos()  # not on the way to x: its node does not run
        v.grad_fn.register_hook(lambda gi, go: calls.append("cos post"))
        y.grad_fn.register_hook(lambda gi, go: (calls.append(("sin post", grads(gi))), (gi[0] * 2,))[1])
        (gx,) = lib.autograd.grad((y * v).sum(), x)
        return calls, to_numpy(gx)

    same(*both(run), "autograd.grad with node hooks")


def test_grad_mode_inside_node_hooks_follows_create_graph():
    def run(lib):
        modes = []
        x = t64(lib, [1.0, 2.0], requires_grad=True)
        for create_graph in (False, True):
            y = (x * x).sum()
            y.grad_fn.register_prehook(lambda go: modes.append(("pre", lib.is_grad_enabled())))
            y.grad_fn.register_hook(lambda gi, go: modes.append(("post", lib.is_grad_enabled())))
            lib.autograd.grad(y, x, create_graph=create_graph)
        return modes

    same(*both(run), "is_grad_enabled() inside the hooks, without and with create_graph")


def test_create_graph_differentiates_through_the_hooks_replacements():
    """The hooks get Tensors with history: a replacement built from x is differentiated by the second backward."""
    def run(lib):
        x = t64(lib, [0.5, -1.5, 2.0], requires_grad=True)
        y = x.sin()
        y.grad_fn.register_prehook(lambda go: (go[0] * x,))
        y.grad_fn.register_hook(lambda gi, go: (gi[0] + x * x,))
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return to_numpy(g), to_numpy(gg)

    same(*both(run), "first and second derivative through hooked node")


def test_a_fused_kernel_node_reports_none_for_a_missing_bias():
    """conv2d without bias: torch's ConvolutionBackward0 has three inputs, the bias's gradient None."""
    rng = np.random.default_rng(0)
    xa, wa = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))

    def run(lib):
        seen = []
        x, w = t64(lib, xa, requires_grad=True), t64(lib, wa, requires_grad=True)
        y = lib.nn.functional.conv2d(x, w)
        y.grad_fn.register_hook(lambda gi, go: (seen.append(grads(gi)), (gi[0], gi[1] * 0, gi[2]))[1])
        y.sum().backward()
        return seen, leaf_grad(x), leaf_grad(w)

    same(*both(run), "conv2d node's grad_inputs and the leaves' gradients")


def test_a_pre_hook_returning_none_as_the_gradient_leaves_the_inputs_without_one():
    def run(lib):
        seen = []
        x = t64(lib, [1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.grad_fn.register_prehook(lambda go: (None,))
        y.grad_fn.register_hook(lambda gi, go: seen.append((grads(gi), grads(go))))
        y.sum().backward()
        return seen, leaf_grad(x)

    same(*both(run), "post-hook's view and x.grad after a None replacement")


@pytest.mark.parametrize("kind", ["pre", "post"])
@pytest.mark.parametrize("bad, exc, words", [
    ([1.0], TypeError, "expected tuple, but hook returned 'list'"),
    ((1.0, 2.0, 3.0), RuntimeError, "has returned an incorrect number of values (got 3, but expected"),
], ids=["list", "three values"])
def test_malformed_replacements_raise_torchs_error(kind, bad, exc, words):
    def run(lib):
        x = t64(lib, [1.0, 2.0], requires_grad=True)
        y = x * 2
        if kind == "pre":
            y.grad_fn.register_prehook(lambda go: bad)
        else:
            y.grad_fn.register_hook(lambda gi, go: bad)
        with pytest.raises(Exception) as info:
            y.sum().backward()
        return info.type.__name__, str(info.value)

    ours, theirs = both(run)
    assert ours[0] == theirs[0] == exc.__name__, f"{T.name} {ours} vs torch {theirs}"
    assert words in theirs[1], f"the expected words are torch's own: {theirs[1]!r}"
    if T.messages:
        assert words in ours[1], f"{T.name} says {ours[1]!r}, torch {theirs[1]!r}"


def test_hooks_on_the_accumulate_grad_node_of_a_leaf():
    x_probe = t64(lib, [1.0], requires_grad=True)
    if (x_probe * 2).grad_fn.next_functions[0][0] is None:
        pytest.skip(f"{T.name} has no AccumulateGrad node object: next_functions names None for a leaf, so there is "
                    "no node to hook (Tensor.register_hook and register_post_accumulate_grad_hook cover leaves)")

    def run(lib):
        log = []
        x = t64(lib, [1.0, 2.0], requires_grad=True)
        y = x * 3
        acc = y.grad_fn.next_functions[0][0]
        acc.register_prehook(lambda go: (log.append(("pre", grads(go))), (go[0] + 1,))[1])
        acc.register_hook(lambda gi, go: log.append(("post", len(gi), grads(go))))
        y.sum().backward()
        return log, leaf_grad(x)

    same(*both(run), "AccumulateGrad hooks and x.grad")
