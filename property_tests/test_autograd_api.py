"""The autograd API beyond backward, each use run on the library under test (impl by default; reference.targets) and
torch side by side: tensor hooks (leaf, non-leaf,
replacing the gradient, removal, order, post-accumulate), custom autograd.Function (saved tensors and their version
check, needs_input_grad, non-tensor arguments, several outputs, mark_non_differentiable, mark_dirty,
set_materialize_grads, once_differentiable, double backward through a differentiable backward),
detect_anomaly, inference_mode, and autograd.gradcheck/gradgradcheck.
"""
import numpy as np
import pytest
import torch

from reference import targets
from reference.assertions import assert_same_log

T = targets.current()  # the library under test; torch is the oracle
lib = T.lib
F64 = dict(rtol=1e-12, atol=1e-12)
LIBS = (lib, torch)


def t64(side, a, requires_grad=False):
    return side.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def both(fn):
    """fn(library) for the target and torch: (target's result, torch's result)."""
    return fn(lib), fn(torch)


def same(a, b, what):
    assert_same_log(a, b, what, T.name, **F64)


# ---- tensor hooks ------------------------------------------------------------------------------------
def test_hooks_on_leaf_and_non_leaf_see_and_replace_gradients_in_order():
    def run(lib):
        log = []
        x = t64(lib, [1.0, -2.0, 0.5], requires_grad=True)
        y = x * x
        y.register_hook(lambda g: log.append(("y first", g.clone())))
        y.register_hook(lambda g: g * 10)  # replaces y's gradient
        y.register_hook(lambda g: log.append(("y third sees the replacement", g.clone())))
        x.register_hook(lambda g: log.append(("x", g.clone())))
        (y.sin()).sum().backward()
        return [name for name, _ in log], [g for _, g in log], x.grad

    (ni, gi, xi), (nt, gt, xt) = both(run)
    assert ni == nt, f"hook call order: impl {ni} vs torch {nt}"
    same(gi, gt, "gradients seen by hooks")
    same(xi, xt, "x.grad after a replacing hook")


def test_leaf_hook_runs_once_on_the_summed_gradient_and_handle_removes_it():
    def run(lib):
        calls = []
        x = t64(lib, [0.3, 0.7], requires_grad=True)
        h = x.register_hook(lambda g: calls.append(g.clone()) or g + 1)
        (x * x + x.exp()).sum().backward()  # two paths into x: one hook call on their sum
        first = x.grad.clone()
        h.remove()
        x.grad = None
        (x * 3).sum().backward()
        return len(calls), calls, first, x.grad

    ri, rt = both(run)
    assert ri[0] == rt[0] == 1, f"hook calls: impl {ri[0]}, torch {rt[0]}"
    same(list(ri[1:]), list(rt[1:]), "hooked and unhooked gradients")


def test_post_accumulate_grad_hook_sees_the_accumulated_grad():
    def run(lib):
        seen = []
        w = t64(lib, [1.0, 2.0], requires_grad=True)
        w.grad = t64(lib, [0.5, 0.5])
        w.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.clone()))
        (w * w).sum().backward()
        return seen

    same(*both(run), "post-accumulate hook")


def test_hook_errors_match_torch():
    for side in LIBS:
        x = t64(side, [1.0])
        with pytest.raises(RuntimeError):
            x.register_hook(lambda g: g)  # does not require grad
        y = t64(side, [1.0], requires_grad=True) * 2
        with pytest.raises(RuntimeError):
            y.register_post_accumulate_grad_hook(lambda p: None)  # not a leaf


# ---- custom autograd.Function ------------------------------------------------------------------------
def make_functions(lib):
    class ScaledCube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return x * x * x * scale

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return g * 3 * x * x * ctx.scale, None

    class SplitSquare(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x + y, (x > 0).to(lib.int64)

        @staticmethod
        def backward(ctx, ga, gb, gc):
            x, y = ctx.saved_tensors
            return ga * y + gb, ga * x + gb

        @staticmethod
        def jvp(ctx, *args):  # present on purpose: unused by backward mode
            raise AssertionError

    class Once(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.exp()

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.exp()

    return ScaledCube, SplitSquare, Once


def test_function_single_output_and_double_backward():
    def run(lib):
        ScaledCube, _, _ = make_functions(lib)
        x = t64(lib, [0.5, -1.5], requires_grad=True)
        y = ScaledCube.apply(x, 2.0)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return y, g, h, y.grad_fn is not None

    same(*both(run), "ScaledCube output, grad, second derivative")


def test_function_several_outputs_non_differentiable_output_and_partial_use():
    def run(lib):
        _, SplitSquare, _ = make_functions(lib)
        x = t64(lib, [0.5, -1.5], requires_grad=True)
        y = t64(lib, [2.0, 3.0], requires_grad=True)
        a, b, c = SplitSquare.apply(x, y)
        (a.sum() * 2).backward(retain_graph=True)  # b unused: its gradient materializes as zeros
        first = (x.grad.clone(), y.grad.clone())
        (b * b).sum().backward()
        return a, b, c, c.requires_grad, first, x.grad, y.grad

    same(*both(run), "SplitSquare")


def test_function_saved_tensor_modified_in_place_raises():
    for side in LIBS:
        ScaledCube, _, _ = make_functions(side)
        x = t64(side, [0.5, -1.5], requires_grad=True)
        z = x * 1
        y = ScaledCube.apply(z, 1.0)
        with side.no_grad():
            z.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_once_differentiable_refuses_double_backward():
    for side in LIBS:
        _, _, Once = make_functions(side)
        x = t64(side, [0.5, -1.5], requires_grad=True)
        v = t64(side, [1.0, 2.0], requires_grad=True)  # a cotangent that requires grad: the backward is recorded
        (g,) = side.autograd.grad(Once.apply(x), x, v, create_graph=True)
        with pytest.raises(RuntimeError, match="once_differentiable"):
            g.sum().backward()


def test_function_mark_dirty_and_materialize_grads():
    def run(lib):
        class AddOneInPlace(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.add_(1)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g

        class MaybeNone(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, ga, gb):
                seen.append((ga is None, gb is None))
                out = 0
                if ga is not None:
                    out = out + ga * 2
                if gb is not None:
                    out = out + gb * 3
                return out

        seen = []  # per backward call of MaybeNone: (ga is None, gb is None)
        leaf = t64(lib, [1.0, 2.0], requires_grad=True)
        x = leaf * 1
        y = AddOneInPlace.apply(x)
        (y * y).sum().backward()
        a, b = MaybeNone.apply(leaf)
        leaf.grad = None
        a.sum().backward(retain_graph=True)  # the first backward: b unused, its gradient stays None
        first = leaf.grad.clone()
        (b * 2).sum().backward()  # then a unused
        return y is x, y, first, leaf.grad, a.grad_fn is not None, seen

    same(*both(run), "mark_dirty / set_materialize_grads")


# ---- anomaly detection and inference mode --------------------------------------------------------------
def test_detect_anomaly_names_the_node_returning_nan():
    messages = []
    for side in LIBS:
        with side.autograd.detect_anomaly():
            x = t64(side, [-1.0, 4.0], requires_grad=True)
            with pytest.warns(UserWarning, match="Traceback of forward call"):
                with pytest.raises(RuntimeError) as err:
                    (x.sqrt() * 0).sum().backward()
        messages.append(str(err.value))
        # off again after the block: the same nan gradient passes silently
        x = t64(side, [-1.0, 4.0], requires_grad=True)
        (x.sqrt() * 0).sum().backward()
        assert np.isnan(x.grad.detach().numpy()[0]), f"{side.__name__}: anomaly mode still on after the block"
    assert "Function 'SqrtBackward0' returned nan values in its 0th output." in messages[1], messages[1]
    assert messages[0] == "Function 'SqrtBackward0' returned nan values in its 0th output.", messages


def test_inference_mode_tensors_cannot_be_saved_for_backward():
    flags = []
    for side in LIBS:
        with side.inference_mode():
            assert side.is_inference_mode_enabled()
            q = t64(side, [1.0, 2.0]) * 2
            w_inside = t64(side, [1.0, 2.0], requires_grad=True) * 3
        flags.append((q.is_inference(), w_inside.requires_grad, side.is_inference_mode_enabled()))
        w = t64(side, [1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
            w * q

        @side.inference_mode()
        def f(a):
            return a * 2

        assert f(w).requires_grad is False
    assert flags[0] == flags[1], flags


# ---- gradcheck as a public function ---------------------------------------------------------------------
def test_public_gradcheck_accepts_right_and_rejects_wrong_gradients():
    x = t64(lib, [0.3, -0.7, 1.1], requires_grad=True)
    assert lib.autograd.gradcheck(lambda a: (a * a).exp().tanh(), (x,))
    assert lib.autograd.gradgradcheck(lambda a: (a * a).exp().tanh(), (x,))

    class Wrong(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * a

        @staticmethod
        def backward(ctx, g):
            return g  # should be 2 a g

    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        lib.autograd.gradcheck(Wrong.apply, (x,))
    assert lib.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False


# ---- module backward hooks ---------------------------------------------------------------------------
def test_module_full_backward_hooks_and_pre_hooks_match_torch():
    def run(lib):
        log = []
        lin = lib.nn.Linear(3, 2).double()
        with lib.no_grad():
            lin.weight.copy_(t64(lib, [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
            lin.bias.copy_(t64(lib, [0.05, -0.05]))
        x = t64(lib, [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], requires_grad=True)

        def pre(module, grad_output):
            log.append(("pre", [g.clone() for g in grad_output]))
            return (grad_output[0] * 2,)  # doubles what flows into the module

        def full(module, grad_input, grad_output):
            log.append(("full", [g.clone() for g in grad_input], [g.clone() for g in grad_output]))

        h1 = lin.register_full_backward_pre_hook(pre)
        lin.register_full_backward_hook(full)
        (lin(x).tanh() * t64(lib, [[1.0, 2.0], [3.0, 4.0]])).sum().backward()
        h1.remove()
        x2 = x.detach().clone().requires_grad_(True)
        lin(x2).sum().backward()
        return [e[0] for e in log], log, x.grad, x2.grad

    (ni, li, gi, g2i), (nt, lt, gt, g2t) = both(run)
    assert ni == nt == ["pre", "full", "full"], (ni, nt)
    for k, (a, b) in enumerate(zip(li, lt)):
        same(list(a[1:]), list(b[1:]), f"hook call {k} ({a[0]})")
    same([gi, g2i], [gt, g2t], "input gradients with and without the pre-hook")


def test_module_backward_hook_without_input_grad_sees_none():
    def run(lib):
        seen = []
        lin = lib.nn.Linear(2, 2).double()
        lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, len(go))))
        lin(t64(lib, [[1.0, 2.0]])).sum().backward()
        return seen

    si, st_ = both(run)
    assert len(si) == len(st_) == 1 and si[0][0] == st_[0][0] == (None,) and si[0][1] == st_[0][1]
