"""067: Ops saved for backward other tensors than torch's: in-place edits raised where torch runs, and vice versa.

**Symptom:** ``d = a * b; d += d * 2 + c; d.sum().backward()`` raised "one of the variables needed for gradient
computation has been modified by an inplace operation" in impl; torch runs it (``d * 2`` multiplies by a Python
scalar and saves nothing). Likewise ``y = x @ w`` with a ``w`` that needs no gradient, then ``x.add_(1)`` (torch saves
only ``w``); a batched ``(1, 2, 3) @ (4, 3, 2)`` product (torch saves reshaped copies); an in-place edit of
``F.cross_entropy``'s logits (torch saves log_softmax's result). The other way round, ``v = x.var(); x.mul_(2);
v.backward()`` ran on the new values where torch raises, and so did edits of index tensors (``x[idx]``,
``index_select``, ``gather``, ``F.embedding``), masks (``masked_fill``, ``masked_select``, ``where``), the losses'
inputs, targets and weights (nll, mse, huber, smooth_l1, bce, bce_with_logits), layer norm's bias, batch norm's input
and running statistics, pooled and reflection/replication-padded inputs, ``F.bilinear``'s operands, lerp's weight and
the fused attention kernel's inputs.

**Root cause:** every binary primitive listed both operands in ``saved`` whatever they were and whether or not the
other operand required grad; matmul saved operands torch's matmul (a composite) copies; the fused cross entropy saved
its logits. And composites (var, the losses, batch norm in eval mode, pad) saved intermediates where torch's op is
one node saving its inputs, while index and mask primitives saved nothing.

**Fix:** ``impl._autograd.needed(t, *by)`` saves ``t`` only when an input whose gradient reads it requires grad
(torch's ``should_compute_output`` guard); ``impl.ops.linalg._saved_as_views`` decides which operands torch's matmul
saves as views; ``_soft_ce`` saves no logits; var, masked_select and lerp (tensor weight) are primitives saving what
torch saves; index ops save their index tensors; ``impl._autograd.also_saves`` marks what a composite's torch
counterpart saves (losses, batch norm, pad, adaptive pooling, bilinear, attention).

**How this test catches it:** each case runs in impl and torch, modifies one input in place without changing its
values, then backward (``reference.saved_tensors.check_saved_inputs``): impl must raise iff torch raises, and
otherwise give torch's gradients.

**Seen in:** found while developing (notes/bugs_found.md), by the saved-tensor parity check
``property_tests/test_saved_tensors.py::test_saved_inputs`` (2026-12-01).

**Generic tests catch it too:** yes -- property_tests/test_saved_tensors.py::test_saved_inputs (add, sub, matmul,
F.cross_entropy, var, getitem_tensor, F.nll_loss and their neighbours) fails under each variant.
"""
import contextlib

import numpy as np

from impl.nn.functional import loss
from impl.ops import elementwise, linalg, reduce, shape
from reference.opspec import OpSpec
from reference.saved_tensors import check_saved_inputs
from reference.strategies import Sample
from regression._util import rewrite_source, swap_function

MORE, LESS = r"impl saves more than torch", r"impl saves less than torch"
VARIANTS = ("mul_scalar", "matmul", "cross_entropy", "var", "index", "nll_loss")
FAILS_WITH = {"mul_scalar": MORE, "matmul": MORE, "cross_entropy": MORE, "var": LESS, "index": LESS,
              "nll_loss": LESS, None: "impl saves (more|less) than torch"}
_PATCHES = {
    "mul_scalar": (elementwise.mul, ("saved = (needed(HIDDEN if b is None else b, a), needed(HIDDEN if a is None else a, b))",
                                     "saved = (a, b)")),
    "matmul": (linalg.matmul, ("saved = (needed(a, b) if a_view else None, needed(b, a) if b_view else None)",
                               "saved = (a, b)")),
    "cross_entropy": (loss._soft_ce, ("(input, None), backward, composite=composite)",
                                      "(input, None), backward, saved=(input,), composite=composite)")),
    "var": (reduce.var, ('apply("VarBackward0", out, (input,), backward, saved=(input,))',
                         'apply("VarBackward0", out, (input,), backward)')),
    "index": (shape.getitem, ("return _index(input, index, basic, saved=saved)", "return _index(input, index, basic)")),
    "nll_loss": (loss.nll_loss, ("return also_saves(loss, input, target, weight)", "return loss")),
}


@contextlib.contextmanager
def reintroduce(variant=None):
    with contextlib.ExitStack() as stack:
        for name, (fn, snippet) in _PATCHES.items():
            if variant in (None, name):
                stack.enter_context(swap_function(fn, rewrite_source(fn, snippet)))
        yield


def _case(name, fn, arrays, differentiable, refused=False):
    spec = OpSpec(name, fn, None, differentiable=differentiable)
    res = check_saved_inputs(spec, Sample(tuple(arrays), {}), "float64")
    assert res.cases, f"{name}: nothing was compared"
    assert res.raised_both or not refused, f"{name}: no case where both libraries refused (nothing saved was checked)"


def guard():
    r = np.random.default_rng(67)
    a, b, c = r.standard_normal((3,)), r.standard_normal((3,)), r.standard_normal((3,))

    def accumulate(lib, a, b, c):
        d = a * b
        d += d * 2 + c  # torch: the scalar product saves nothing, so d may change afterwards
        return d

    # saved too much
    _case("d = a * b; d += d * 2 + c", accumulate, (a, b, c), (0, 1, 2))
    _case("x * 2.0", lambda lib, x: x * 2.0, (a,), (0,))
    _case("x @ w", lambda lib, x, w: x @ w, (r.standard_normal((2, 3)), r.standard_normal((3, 4))), (0, 1))
    _case("batched x @ w", lambda lib, x, w: x @ w, (r.standard_normal((1, 2, 3)), r.standard_normal((4, 3, 2))), (0, 1))
    _case("F.cross_entropy", lambda lib, x, t: lib.nn.functional.cross_entropy(x, t),
          (r.standard_normal((4, 3)), np.array([0, 2, 1, 1])), (0,))
    # saved too little
    x = r.standard_normal((3, 4))
    _case("x.var()", lambda lib, x: x.var(), (x,), (0,), refused=True)
    _case("x[idx]", lambda lib, x, i: x[i], (x, np.array([2, 0, 2])), (0,), refused=True)
    _case("F.nll_loss", lambda lib, x, t: lib.nn.functional.nll_loss(x, t), (x, np.array([0, 3, 1])), (0,),
          refused=True)


def test_guard():
    guard()
