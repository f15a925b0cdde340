"""Saved-tensor parity: an op saves for its backward exactly what torch's does (torch's derivatives.yaml).

Torch version-checks every tensor a node saved when the backward unpacks it: modifying a saved input in place after
the forward makes the backward raise "one of the variables needed for gradient computation has been modified by an
inplace operation" (a RuntimeError); modifying one it did not save is harmless. So an op that saves more than torch
refuses code torch runs (``d = a * b; d += d * 2 + c`` with a Python-scalar factor), and one that saves less
silently reads a changed value where torch refuses.

``check_saved_inputs(spec, sample, dtype)`` runs, once per tensor input of the op and requires-grad mode (a fresh
forward each time):

1. the inputs as torch's users meet them: a differentiable float input that requires grad in this mode is a
   non-leaf (``leaf.clone()``, so that it may be modified in place), any other tensor input (an index, a target,
   a differentiable input left out by the mode) a plain tensor. The modes (``MODES``): every differentiable input
   requires grad; only the modified one does; all but the modified one do -- torch saves a tensor only for the
   gradients that read it;
2. the spec's ``fn`` on the inputs, in the target (``reference.targets.current()``: impl by default) and in torch;
3. that one input modified in place without changing its values (``mul_(1)``, ``copy_`` of itself for integer and
   bool tensors), so that only its version counter moves;
4. the backward of every differentiable output with a fixed random cotangent.

The outcome -- which step raised (and the exception class), or the gradients of the leaves -- must be torch's: the
target raises iff torch raises, with torch's class, and otherwise its gradients equal torch's at the spec's tolerance. The
in-place edit of an *output* is ``reference.compare.check_inplace_on_output`` (each output on its own as well as
all together).

The result is a ``SavedCheck``: per case (input, mode) whether both raised or the gradients were compared (and how
many elements), and why a case was not run -- so that a spec that checked nothing cannot pass unnoticed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reference import targets
from reference.assertions import Checked, Context, assert_close
from reference.compare import _cotangent_rng, _run
from reference.conversion import cast_arrays, is_torch, to_numpy

# Which differentiable inputs require grad in a case, besides the default "all of them": torch saves a tensor only for
# the gradients that read it (x * w saves w for x's gradient and x for w's), so the modified input is also tried as
# the only one that requires grad, and as the only one that does not.
MODES = ("all", "alone", "others")


@dataclass
class SavedCheck:
    """What ``check_saved_inputs`` compared on one sample: one entry (input position, mode) per case run."""

    raised_both: list = field(default_factory=list)  # cases where both libraries raised (same class, same step)
    grads_equal: list = field(default_factory=list)  # cases where neither raised and the gradients agree
    grad_elements: int = 0  # gradient elements compared over those cases
    diverged: list = field(default_factory=list)  # (case, reason): a documented divergence, not compared
    skipped: str = ""  # why no case ran at all

    @property
    def cases(self) -> int:
        return len(self.raised_both) + len(self.grads_equal)

    def as_checked(self) -> Checked:
        if not self.cases:
            return Checked.skip("saved inputs", self.skipped or (self.diverged[0][1] if self.diverged else "no case"))
        return Checked("saved inputs", self.cases,
                       outcome=f"{len(self.raised_both)} raised in both, {len(self.grads_equal)} grads equal")


def _inputs(side, arrays, grad):
    """(leaves, op inputs) of ``side`` (a Target): inputs at positions ``grad`` are non-leaf clones of leaves that
    require grad; the rest are plain tensors."""
    leaves, ins = [], []
    for i, a in enumerate(arrays):
        t = side.tensor_from_numpy(a)
        if i in grad:
            t.requires_grad_(True)
            leaves.append(t)
            t = t.clone()
        ins.append(t)
    return leaves, ins


def _touch(t):
    """Bump ``t``'s version counter in place without changing its values."""
    if t.is_floating_point():
        t.mul_(1)
    else:
        t.copy_(t.clone())


def _outcome(step_fns):
    """Run the steps in order; (step name, exception) of the first that raised, or None."""
    for step, fn in step_fns:
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the class is compared with torch's
            return step, e
    return None


def _grad_sets(diff, pos):
    """{mode: positions that require grad} for modifying input ``pos``, without repeating a set or leaving none."""
    sets = {"all": diff, "alone": (pos,) if pos in diff else (), "others": tuple(i for i in diff if i != pos)}
    out, seen = {}, set()
    for mode in MODES:
        g = sets[mode]
        if g and g not in seen:
            seen.add(g)
            out[mode] = g
    return out


def check_saved_inputs(spec, sample, dtype="float64", modes=MODES) -> SavedCheck:
    """For each tensor input and each requires-grad mode: forward, modify that input in place (values unchanged),
    backward; the raise (step and class) or the gradients must be torch's. See the module docstring."""
    arrays = cast_arrays(sample.arrays, dtype)
    ctx = Context(spec, arrays, sample.kwargs, dtype)
    diff = tuple(i for i in spec.differentiable if i < len(arrays) and arrays[i].dtype.kind == "f")
    result = SavedCheck()
    if not diff:
        result.skipped = "no float input to differentiate"
        return result
    tol = spec.tol("bwd", dtype)
    rng_key = _cotangent_rng(spec, arrays).bit_generator.state
    for pos in range(len(arrays)):
        for mode, grad in _grad_sets(diff, pos).items():
            if mode in modes:
                _one_case(spec, arrays, sample.kwargs, ctx, tol, pos, mode, grad, rng_key, result)
    if not result.cases and not result.skipped and not result.diverged:
        result.skipped = "no output requires grad"
    return result


def _one_case(spec, arrays, kwargs, ctx, tol, pos, mode, grad, rng_key, result):
    target = targets.current()
    sides = {"torch": targets.oracle(), "target": target}  # keyed by role: the target may be torch itself
    me = target.name
    what = f"input {pos} modified in place after the forward (inputs {list(grad)} require grad)"
    runs = {}
    for role, side in sides.items():
        leaves, ins = _inputs(side, arrays, grad)
        try:
            outs = _run(spec, side.lib, ins, kwargs)
        except Exception as e:  # noqa: BLE001
            ctx.fail(f"saved inputs: forward ({side.name})", f"{what}: raised {type(e).__name__}: {e}")
        runs[role] = (leaves, ins, outs)
    ft, fi = runs["torch"][2], runs["target"][2]
    live = [k for k, b in enumerate(ft) if is_torch(b) and b.requires_grad]
    if not live:
        return
    for k in live:
        if not (target.is_tensor(fi[k]) and fi[k].requires_grad):
            ctx.fail("saved inputs: requires_grad", f"{what}: torch output {k} requires grad, {me}'s does not")
    rng = np.random.default_rng()
    rng.bit_generator.state = rng_key
    cts = [rng.standard_normal(tuple(ft[k].shape)).astype(to_numpy(ft[k]).dtype) for k in live]
    got = {}
    for role, side in sides.items():
        leaves, ins, outs = runs[role]
        seeds = [side.tensor_from_numpy(c) for c in cts]
        got[role] = _outcome((
            ("inplace", lambda ins=ins: _touch(ins[pos])),
            ("backward", lambda lib=side.lib, outs=outs, seeds=seeds: lib.autograd.backward([outs[k] for k in live], seeds)),
        ))
    te, ie = got["torch"], got["target"]
    case = (pos, mode)
    if te is not None and ie is not None:
        if te[0] != ie[0] or type(ie[1]) is not type(te[1]):
            ctx.fail("saved inputs", f"{what}: torch raised {type(te[1]).__name__} at {te[0]} "
                     f"({str(te[1])[:160]!r}); {me} raised {type(ie[1]).__name__} at {ie[0]} ({str(ie[1])[:160]!r})")
        result.raised_both.append(case)
        return
    if target.known_divergences and te is not None and "is a view" in str(te[1]) and not any(
            target.shares_memory(fi[k], runs["target"][1][pos]) for k in live):
        # torch's outputs are views of the input (one of several returned together), impl's are copies sharing no
        # memory with it (size 0): nothing of the input can reach them (the documented divergence of
        # reference.compare.check_inplace_on_output)
        result.diverged.append((case, "torch's view is impl's copy (divergence)"))
        return
    if (te is None) != (ie is None):
        t_said = f"raised {type(te[1]).__name__} at {te[0]}: {str(te[1])[:160]!r}" if te else "ran"
        i_said = f"raised {type(ie[1]).__name__} at {ie[0]}: {str(ie[1])[:160]!r}" if ie else "ran"
        ctx.fail("saved inputs", f"{what}: torch {t_said}; {me} {i_said} -- {me} saves "
                 f"{'more' if ie else 'less'} than torch for this input")
    for j, li, lt in zip(grad, runs["target"][0], runs["torch"][0]):
        a = to_numpy(li.grad) if li.grad is not None else np.zeros_like(arrays[j])
        e = to_numpy(lt.grad) if lt.grad is not None else np.zeros_like(arrays[j])
        assert_close(a, e, tol["rtol"], tol["atol"], "saved inputs: backward", ctx, f"grad of input {j} ({what})")
        result.grad_elements += a.size
    result.grads_equal.append(case)
