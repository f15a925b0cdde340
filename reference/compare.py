"""The generic per-spec checks (the target vs torch). Conversions between the libraries and numpy live in
reference/conversion.py, ``assert_close``, ``Checked`` and the failure messages in reference/assertions.py.

The side under test is the current target (``reference.targets.current()``: impl by default, or any torch-like
library through its adapter); torch is the oracle. Failure messages name the side under test by the target's name.

Every comparison checks shape, then dtype, then values (nan-aware). A failure raises ``AssertionError`` whose
message names the check, the op, the input shapes and dtypes, the number of mismatching elements, the worst
absolute and relative errors with their indices, and a copy-paste reproducer (the inputs as numpy literals,
or an ``.npz`` file for large ones).

The generic checks take an ``OpSpec`` and a ``Sample`` and return a ``Checked``: how many values they really
compared (``n``), the worst error (``err``), and, when they compared nothing (an empty output, no input that
requires grad, a skipped case), ``skipped`` with the reason -- so that a check of nothing is never counted as a pass:

* ``check_forward(spec, sample, dtype)``   forward values vs torch;
* ``check_vjp(spec, sample, dtype)``       backward vs torch with a random cotangent, plus the gradients'
  shape and dtype (= the input's) and the outputs' grad_fn names (torch's, or a known composition of torch's node:
  reference/node_names.py);
* ``check_gradcheck(spec, sample)``        float64 central differences on the target alone;
* ``check_noncontiguous(spec, sample)``    transposed / strided / negative-stride numpy inputs give the target's
  contiguous results;
* ``check_grad_mode(spec, sample)``        requires_grad / grad_fn / is_leaf as torch's, and nothing recorded
  under ``no_grad`` or without inputs that require grad;
* ``check_error_input(spec, error_input)`` both raise torch's exception class; the target's message matches
  (only for a target that promises impl's messages, ``Target.messages``);
* ``check_argument_errors(spec, sample)``  each integer or float keyword argument of the sample set out of range:
  wherever torch refuses, the target raises the same exception class.

``reproduce(name, arrays, kwargs, dtype)`` reruns every check of one spec on given inputs and prints the outcome
("ok" with the count of values checked, "checked nothing" with the reason, or the failure).
"""
from __future__ import annotations

import re
import warnings
import zlib

import numpy as np

from reference import targets
from reference.assertions import Checked, Context, Err, _compare_outputs, assert_close
from reference.conversion import (
    _torch,
    _under_test,
    cast_arrays,
    flatten_outputs,
    is_torch,
    make_inputs,
    to_numpy,
)
from reference.gradcheck import gradcheck as _gradcheck
from reference.node_names import name_mismatch
from reference.opspec import DEFAULT_TOL


def _run(spec, lib, inputs, kwargs):
    return flatten_outputs(spec.fn(lib, *inputs, **kwargs))


def _cotangent_rng(spec, arrays):
    key = spec.name + "|" + "|".join(f"{a.dtype}{a.shape}" for a in arrays)
    return np.random.default_rng(zlib.crc32(key.encode()))


# ---- the generic checks ------------------------------------------------------------------------
def check_forward(spec, sample, dtype) -> Checked:
    """Forward outputs vs torch: structure, shape, dtype, values. Returns the elements compared and the max abs
    error (skipped: "empty outputs" when every output has size 0 -- then only shapes and dtypes were compared)."""
    torch, lib = _torch(), targets.current().lib
    arrays = cast_arrays(sample.arrays, dtype)
    ctx = Context(spec, arrays, sample.kwargs, dtype)
    with lib.no_grad(), torch.no_grad():
        try:
            ft = _run(spec, torch, make_inputs(torch, arrays, (), False), sample.kwargs)
        except Exception as e:  # noqa: BLE001
            ctx.fail("forward: torch raised", f"{type(e).__name__}: {e} -- the spec's strategy makes an input torch "
                     "rejects (such cases belong in error_inputs)")
        try:
            fi = _run(spec, lib, make_inputs(lib, arrays, (), False), sample.kwargs)
        except Exception as e:  # noqa: BLE001
            ctx.fail(f"forward: {_under_test()} raised", f"{type(e).__name__}: {e}")
    worst, n = _compare_outputs(fi, ft, spec.tol("fwd", dtype), "forward", ctx)
    return Checked("forward", n, worst, "" if n else "empty outputs (shapes and dtypes only)")


def check_vjp(spec, sample, dtype, cotangent="random") -> Checked:
    """Backward vs torch with a random cotangent on every differentiable output.

    Also checks that each gradient has its input's shape and dtype, and that the target's outputs require grad
    exactly where torch's do. ``cotangent="ones"`` (the ``.sum()`` cotangent) exists only for the
    meta-tests that show why it is not enough. Returns the gradient elements compared and the max abs error."""
    torch, target = _torch(), targets.current()
    lib, me = target.lib, target.name
    arrays = cast_arrays(sample.arrays, dtype)
    ctx = Context(spec, arrays, sample.kwargs, dtype)
    diff = tuple(i for i in spec.differentiable if i < len(arrays) and arrays[i].dtype.kind == "f")
    if not diff:
        return Checked.skip("backward", "no float input to differentiate")
    ii, tt = make_inputs(lib, arrays, diff), make_inputs(torch, arrays, diff)
    fi, ft = _run(spec, lib, ii, sample.kwargs), _run(spec, torch, tt, sample.kwargs)
    if len(fi) != len(ft):
        ctx.fail("backward: structure", f"{me} returned {len(fi)} outputs, torch {len(ft)}")
    rng = _cotangent_rng(spec, arrays)
    outs_i, outs_t, cts_i, cts_t = [], [], [], []
    for k, (a, b) in enumerate(zip(fi, ft)):
        if not (is_torch(b) and b.requires_grad):
            continue
        if not (target.is_tensor(a) and target.requires_grad(a)):
            ctx.fail("backward: requires_grad", f"torch output {k} requires grad, {me}'s does not")
        if (mismatch := name_mismatch(a, b)) is not None:
            ctx.fail("backward: grad_fn name", f"output {k}: {me}'s {mismatch} (reference/node_names.py)")
        shape = tuple(b.shape)
        ct = np.ones(shape) if cotangent == "ones" else rng.standard_normal(shape)
        ct = ct.astype(to_numpy(b).dtype)
        outs_i.append(a)
        outs_t.append(b)
        cts_i.append(target.tensor_from_numpy(ct))
        cts_t.append(torch.from_numpy(ct.copy()))
    if not outs_t:
        return Checked.skip("backward", "no output requires grad")
    torch.autograd.backward(outs_t, cts_t)
    try:
        lib.autograd.backward(outs_i, cts_i)
    except Exception as e:  # noqa: BLE001 - any crash in the target's backward is a failed check
        ctx.fail("backward: raised", f"{me}'s backward raised {type(e).__name__}: {e}")
    tol = spec.tol("bwd", dtype)
    worst, n = 0.0, 0
    for i in diff:
        gi, gt = ii[i].grad, tt[i].grad
        what = f"grad of input {i}"
        if gi is not None:
            if tuple(gi.shape) != arrays[i].shape:
                ctx.fail(f"backward {what}: shape", f"gradient shape {tuple(gi.shape)} != input shape {arrays[i].shape}")
            if target.to_numpy(gi).dtype != arrays[i].dtype:
                ctx.fail(f"backward {what}: dtype", f"gradient dtype {target.to_numpy(gi).dtype} != input dtype {arrays[i].dtype}")
        if gi is None and gt is None:
            continue
        a = to_numpy(gi) if gi is not None else np.zeros_like(arrays[i])
        e = to_numpy(gt) if gt is not None else np.zeros_like(arrays[i])
        worst = Err.worst(worst, assert_close(a, e, tol["rtol"], tol["atol"], "backward", ctx, what))
        n += a.size
    return Checked("backward", n, worst, "" if n else "empty gradients")


def check_gradcheck(spec, sample) -> Checked:
    """float64 central differences on the target alone (reference/gradcheck.py). Returns the Jacobian entries (full
    Jacobian) or random projections compared and the max abs error, or why nothing was checked."""
    arrays = cast_arrays(sample.arrays, "float64")
    ctx = Context(spec, arrays, sample.kwargs, "float64")
    try:
        lib = targets.current().lib
        res = _gradcheck(lambda *ts: spec.fn(lib, *ts, **sample.kwargs), arrays, spec.differentiable, what=spec.name,
                         seed=zlib.crc32(spec.name.encode()))
    except AssertionError as e:
        ctx.fail("gradcheck", str(e))
    return Checked("gradcheck", res.n_checked, Err.of(res.max_abs_err, 0.0), res.reason, outcome=res.mode)


def noncontiguous_views(arrays, layout):
    """Views with the same values as ``arrays`` but another memory layout.

    layout: "transposed" (column-major: reversed strides), "strided" (every other element of a buffer twice
    as large in each dim), "negative" (negative strides: a flipped copy flipped back)."""
    out = []
    for a in arrays:
        a = np.asarray(a)
        if a.ndim == 0:
            out.append(a.copy())
        elif layout == "transposed":
            out.append(np.ascontiguousarray(a.T).T)
        elif layout == "strided":
            big = np.zeros(tuple(2 * s for s in a.shape), dtype=a.dtype)
            sl = tuple(slice(None, None, 2) for _ in a.shape)
            big[sl] = a
            out.append(big[sl])
        elif layout == "negative":
            out.append(np.flip(np.flip(a).copy()))
        else:
            raise ValueError(layout)
    return out


def check_noncontiguous(spec, sample, dtype="float64", layouts=("transposed", "strided", "negative")):
    """The target on non-contiguous numpy views (no copy: ``Target.wrap_numpy``) == the target on contiguous copies.

    Forward outputs and the gradients of a random cotangent are compared at the float64 baseline tolerance:
    numpy's summation order may depend on the memory layout, so bitwise equality is not promised. Counts the
    elements compared under the layouts that really made some input non-contiguous (a 0-d or one-element array
    is contiguous whatever its strides): skipped when there was none, or nothing to compare. A layout the target
    cannot wrap without a copy (torch.from_numpy refuses negative strides) is left out and named in the outcome."""
    target = targets.current()
    lib, me = target.lib, target.name
    arrays = cast_arrays(sample.arrays, dtype)
    ctx = Context(spec, arrays, sample.kwargs, dtype)
    diff = tuple(i for i in spec.differentiable if i < len(arrays) and arrays[i].dtype.kind == "f")
    tol = DEFAULT_TOL.get(dtype, DEFAULT_TOL["float64"])  # integer/bool outputs compare exactly anyway

    def run(views):
        ins = make_inputs(lib, arrays, diff, views=views)
        if ins is None:
            return None
        outs = _run(spec, lib, ins, sample.kwargs)
        live = [o for o in outs if target.is_tensor(o) and target.requires_grad(o)]
        if live:
            rng = _cotangent_rng(spec, arrays)
            cts = []
            for o in live:
                a = target.to_numpy(o)
                cts.append(target.tensor_from_numpy(rng.standard_normal(a.shape).astype(a.dtype)))
            lib.autograd.backward(live, cts)
        return outs, [ins[i].grad for i in diff]

    ref_outs, ref_grads = run(None)
    n, real_layouts, unwrappable = 0, 0, []
    for layout in layouts:
        views = noncontiguous_views(arrays, layout)
        real = any(not v.flags.c_contiguous for v in views)
        real_layouts += real
        snapshot = [v.copy() for v in views]
        try:
            got = run(views)
        except Exception as e:  # noqa: BLE001
            ctx.fail(f"noncontiguous ({layout})", f"{me} raised {type(e).__name__}: {e}")
        if got is None:
            real_layouts -= real
            unwrappable.append(layout)
            continue
        outs, grads = got
        for k, (a, b) in enumerate(zip(outs, ref_outs)):
            if target.is_tensor(b):
                assert_close(a, b, tol["rtol"], tol["atol"], f"noncontiguous ({layout}) forward", ctx, f"output {k}")
                n += target.to_numpy(b).size if real else 0
        for i, a, b in zip(diff, grads, ref_grads):
            if (a is None) != (b is None):
                ctx.fail(f"noncontiguous ({layout}) backward", f"grad of input {i}: {a!r} vs contiguous {b!r}")
            if a is not None:
                assert_close(a, b, tol["rtol"], tol["atol"], f"noncontiguous ({layout}) backward", ctx, f"grad of input {i}")
                n += target.to_numpy(b).size if real else 0
        for i, (v, s) in enumerate(zip(views, snapshot)):
            if not np.array_equal(v, s, equal_nan=True):
                ctx.fail(f"noncontiguous ({layout})", f"the op wrote into its input {i}")
    if not real_layouts:
        if unwrappable:
            return Checked.skip("noncontiguous", f"{me} cannot wrap the {'/'.join(unwrappable)} layout without a copy")
        return Checked.skip("noncontiguous", "no input can be non-contiguous (0-d or at most one element)")
    outcome = f"{me} cannot wrap {'/'.join(unwrappable)}" if unwrappable else ""
    return Checked("noncontiguous", n, 0.0, "" if n else "empty outputs", outcome=outcome)


IMPL_VIEW_INPLACE = "in-place autograd on a view"  # impl's refusal message (the documented divergence)


def _check_inplace_without_autograd(spec, arrays, kwargs, ctx):
    """No input requires grad: doubling each float output in place (on a fresh forward, so that outputs sharing
    memory cannot interfere) gives torch's values, or torch's refusal -- a RuntimeError, e.g. for an expanded
    tensor whose elements share memory (regression 052), never numpy's ValueError for a read-only array (051)."""
    torch, target = _torch(), targets.current()
    me = target.name

    def fresh(lib):
        with target.lib.no_grad(), torch.no_grad():
            return _run(spec, lib, make_inputs(lib, arrays, (), False), kwargs)

    ft = fresh(torch)
    for k in range(len(ft)):
        ft, fi = (ft if k == 0 else fresh(torch)), fresh(target.lib)
        if not (is_torch(ft[k]) and ft[k].is_floating_point()):
            continue
        try:
            ft[k].mul_(2.0)
            te = None
        except RuntimeError as e:
            te = e
        try:
            fi[k].mul_(2.0)
            ie = None
        except RuntimeError as e:
            ie = e
        except Exception as e:  # noqa: BLE001 - anything but torch's RuntimeError is a failed check
            ctx.fail("inplace on output (no autograd)", f"output {k}: {me} raised {type(e).__name__}: {e} "
                     f"(torch: {'RuntimeError ' + repr(str(te)[:120]) if te else 'no error'})")
        if (te is None) != (ie is None):
            ctx.fail("inplace on output (no autograd)", f"output {k} doubled in place: torch "
                     f"{'raised ' + repr(str(te)[:160]) if te else 'allowed it'}; {me} "
                     f"{'raised ' + repr(str(ie)[:160]) if ie else 'allowed it'}")
        if te is None:
            tol = spec.tol("fwd", ctx.dtype)
            assert_close(fi[k], ft[k], tol["rtol"], tol["atol"], "inplace on output (no autograd)", ctx,
                         f"output {k} after mul_(2)")


def check_inplace_on_output(spec, sample, dtype="float64") -> Checked:
    """Every differentiable output is doubled in place (``out.mul_(2)``) before the backward, in impl and torch: all
    of them together, then (for an op with several) each on its own on a fresh forward, so that an op saving one of
    its outputs where torch saves another is seen.

    Where torch refuses (the output is saved by its own backward -- the version counter -- or it is a view of a
    leaf), impl must refuse too: a RuntimeError at the same step (the in-place call or the backward). Where torch
    allows it, impl's gradients must be torch's: an op whose output shares memory with an array its backward
    reads (regression 046) gives a silently wrong gradient here. Skipped, as documented divergences: impl
    refuses in-place autograd on any view, torch only on some; where torch's result is a view (of a leaf, or
    one of several views) and impl's is a copy sharing no memory with any input, impl allows the in-place op and nothing of the input can change; and a spec with a
    Divergence whose ``what`` starts with "in-place on output" (its reason says why). An impl output that
    does share memory with an input and is modified in place without complaint fails the check. Returns what was
    compared after the in-place step -- the refusal (one per doubled output) or the gradient elements -- with the
    outcome ("refused at inplace", "refused at backward", "grads equal"; one per run, joined), or the reason it
    was skipped. The divergence exemptions apply to a target that has impl's divergences (``Target.known_divergences``)."""
    if targets.current().known_divergences and any(d.what.startswith("in-place on output") for d in spec.divergences):
        return Checked.skip("inplace on output", "spec divergence")
    arrays = cast_arrays(sample.arrays, dtype)
    ctx = Context(spec, arrays, sample.kwargs, dtype)
    _check_inplace_without_autograd(spec, arrays, sample.kwargs, ctx)
    diff = tuple(i for i in spec.differentiable if i < len(arrays) and arrays[i].dtype.kind == "f")
    if not diff:
        return Checked.skip("inplace on output", "no float input to differentiate")
    first = _inplace_outputs_run(spec, arrays, sample.kwargs, ctx, diff, None)
    if not isinstance(first, tuple):
        return first
    n, outcome, live = first
    outcomes = [outcome]
    if len(live) > 1:
        for k in live:
            res = _inplace_outputs_run(spec, arrays, sample.kwargs, ctx, diff, k)
            if isinstance(res, tuple):
                n += res[0]
                outcomes.append(f"output {k}: {res[1]}")
    return Checked("inplace on output", n, skipped="" if n else "empty gradients", outcome="; ".join(outcomes))


def _inplace_outputs_run(spec, arrays, kwargs, ctx, diff, only):
    """One run of check_inplace_on_output: a fresh forward, the live outputs (or output ``only``) doubled in place,
    the backward of every live output. Returns (values compared, outcome, live outputs), or a skipping Checked."""
    torch, target = _torch(), targets.current()
    lib, me = target.lib, target.name
    ii, tt = make_inputs(lib, arrays, diff), make_inputs(torch, arrays, diff)
    fi, ft = _run(spec, lib, ii, kwargs), _run(spec, torch, tt, kwargs)
    live = [k for k, b in enumerate(ft) if is_torch(b) and b.requires_grad and b.is_floating_point()]
    if not live:
        return Checked.skip("inplace on output", "no output requires grad")
    doubled = live if only is None else [only]
    rng = _cotangent_rng(spec, arrays)
    cts = [rng.standard_normal(tuple(ft[k].shape)).astype(to_numpy(ft[k]).dtype) for k in live]

    def attempt(side, outs, step):
        try:
            if step == "inplace":
                for k in doubled:
                    outs[k].mul_(2.0)
            else:
                side.lib.autograd.backward([outs[k] for k in live], [side.tensor_from_numpy(c) for c in cts])
        except RuntimeError as e:
            return e
        return None

    for step in ("inplace", "backward"):
        te = attempt(targets.oracle(), ft, step)
        try:
            ie = attempt(target, fi, step)
        except Exception as e:  # noqa: BLE001 - anything but a RuntimeError is a failed check
            ctx.fail(f"inplace on output: {step}", f"{me} raised {type(e).__name__}: {e} (torch: {te or 'no error'})")
        if target.known_divergences:
            if step == "inplace" and ie is not None and IMPL_VIEW_INPLACE in str(ie):
                return Checked.skip("inplace on output", "impl refuses in-place on any view (divergence)")
            if step == "inplace" and ie is None and te is not None and "view" in str(te) and not any(
                    target.shares_memory(fi[k], t) for k in doubled for t in ii):
                # torch's result is a view, impl's a copy: nothing of the input can change
                return Checked.skip("inplace on output", "torch's view is impl's copy (divergence)")
        if (te is None) != (ie is None):
            ctx.fail(f"inplace on output: {step}", f"torch {'raised ' + repr(str(te)[:160]) if te else 'allowed it'}; "
                     f"{me} {'raised ' + repr(str(ie)[:160]) if ie else 'allowed it'} (outputs {doubled} of {live} "
                     "doubled in place)")
        if te is not None:
            return len(doubled), f"refused at {step}", live
    tol = spec.tol("bwd", ctx.dtype)
    n = 0
    for i in diff:
        gi, gt = ii[i].grad, tt[i].grad
        if gi is None and gt is None:
            continue
        a = to_numpy(gi) if gi is not None else np.zeros_like(arrays[i])
        e = to_numpy(gt) if gt is not None else np.zeros_like(arrays[i])
        assert_close(a, e, tol["rtol"], tol["atol"], "inplace on output: backward", ctx,
                     f"grad of input {i} after outputs {doubled} were doubled in place")
        n += a.size
    return n, "grads equal", live


def check_grad_mode(spec, sample, dtype="float32") -> Checked:
    """requires_grad / grad_fn / is_leaf of every output as torch's; nothing recorded under no_grad or
    when no input requires grad. Counts the tensor outputs checked, over the three modes."""
    torch, target = _torch(), targets.current()
    lib, me = target.lib, target.name
    arrays = cast_arrays(sample.arrays, dtype)
    ctx = Context(spec, arrays, sample.kwargs, dtype)
    diff = tuple(i for i in spec.differentiable if i < len(arrays) and arrays[i].dtype.kind == "f")
    n = 0
    for mode in ("grad", "no_grad", "no_inputs_require_grad"):
        rg = mode != "no_inputs_require_grad"
        ii, tt = make_inputs(lib, arrays, diff, rg), make_inputs(torch, arrays, diff, rg)
        if mode == "no_grad":
            with lib.no_grad(), torch.no_grad():
                fi, ft = _run(spec, lib, ii, sample.kwargs), _run(spec, torch, tt, sample.kwargs)
        else:
            fi, ft = _run(spec, lib, ii, sample.kwargs), _run(spec, torch, tt, sample.kwargs)
        if len(fi) != len(ft):
            ctx.fail(f"grad mode ({mode}): structure", f"{me} returned {len(fi)} outputs, torch {len(ft)}")
        for k, (a, b) in enumerate(zip(fi, ft)):
            if not is_torch(b):
                continue
            if not target.is_tensor(a):
                ctx.fail(f"grad mode ({mode})", f"output {k}: {me} returned {type(a).__name__}, torch a Tensor")
            n += 1
            if mode == "grad":
                got = (a.requires_grad, a.grad_fn is None, a.is_leaf)
                want = (b.requires_grad, b.grad_fn is None, b.is_leaf)
                if got != want:
                    ctx.fail(f"grad mode ({mode})",
                             f"output {k}: {me} (requires_grad, grad_fn is None, is_leaf) = {got}, torch {want}")
            else:
                # Nothing is recorded. A *view* made under no_grad of a tensor that requires grad still requires
                # grad (a leaf with no grad_fn), as torch's (regression 055); so does an op that returns its input
                # itself, like +x or x.float() on float32.
                if a.grad_fn is not None:
                    ctx.fail(f"grad mode ({mode})", f"output {k} records a graph (grad_fn {a.grad_fn!r})")
                is_view = target.is_view(a) or any(a is t for t in ii)
                if a.requires_grad and not is_view:
                    ctx.fail(f"grad mode ({mode})", f"output {k} requires grad but is neither a view nor an input")
                if is_view and a.requires_grad != b.requires_grad:
                    ctx.fail(f"grad mode ({mode})", f"output {k} (a view): requires_grad {me} {a.requires_grad}, "
                             f"torch {b.requires_grad}")
        for i in diff:
            if ii[i].requires_grad != rg or not ii[i].is_leaf:
                ctx.fail(f"grad mode ({mode})", f"input {i} changed its requires_grad/is_leaf")
    return Checked("grad mode", n, skipped="" if n else "no tensor output")


def check_error_input(spec, error_input) -> Checked:
    """Both libraries raise ``error_input.exc``; the target's message matches ``error_input.match`` (impl's pattern),
    when the target promises impl's messages (``Target.messages``; the class is compared for every target)."""
    torch, target = _torch(), targets.current()
    me = target.name
    ei = error_input

    def call(lib):
        args, kwargs = ei.make(lib)
        return spec.fn(lib, *args, **kwargs)

    where = f"[error input] op {spec.name!r}, expecting {ei.exc.__name__} matching {ei.match!r}" + (f" ({ei.note})" if ei.note else "")
    t, i = _raised(call, torch), _raised(call, target.lib, target)
    if not isinstance(t, ei.exc):
        raise AssertionError(f"{where}: torch raised {type(t).__name__ if t else 'nothing'}: {t} -- the spec is wrong")
    if i is None:
        raise AssertionError(f"{where}: {me} raised nothing (torch: {type(t).__name__}: {t})")
    if not isinstance(i, ei.exc):
        raise AssertionError(f"{where}: {me} raised {type(i).__name__}: {i} (torch: {type(t).__name__}: {t})") from i
    if target.messages and not re.search(ei.match, str(i)):
        raise AssertionError(f"{where}: {me}'s message {str(i)!r} does not match (torch's: {str(t)!r})")
    return Checked("error input", 1)


def _raised(call, lib, target=None):
    """The exception ``call(lib)`` raised, or None. With ``target`` (the library under test) its tensor outputs are
    computed too: a lazy library (tinygrad) may raise only when the values are."""
    try:
        out = call(lib)
        if target is not None:
            for o in flatten_outputs(out):
                if target.is_tensor(o):
                    target.to_numpy(o)
    except Exception as e:  # noqa: BLE001
        return e
    return None


# ---- reproducing one case -----------------------------------------------------------------------
def reproduce(name, arrays, kwargs, dtype="float32"):
    """Rerun every generic check of spec ``name`` on these inputs and print what passes and what fails."""
    from reference.registry import get_spec
    from reference.strategies import Sample

    spec = get_spec(name)
    s = Sample(tuple(np.asarray(a) for a in arrays), dict(kwargs))
    checks = [("forward", lambda: check_forward(spec, s, dtype)), ("backward", lambda: check_vjp(spec, s, dtype))]
    if spec.gradcheck:
        checks.append(("gradcheck", lambda: check_gradcheck(spec, s)))
    checks += [("noncontiguous", lambda: check_noncontiguous(spec, s)), ("grad mode", lambda: check_grad_mode(spec, s))]
    ok = True
    for label, run in checks:
        try:
            res = run()
            if res.checked:
                print(f"{label:14s} ok  (checked {res.n}, max abs err {float(res.err):.3g})")
            else:
                print(f"{label:14s} checked nothing: {res.skipped}")
        except AssertionError as e:
            ok = False
            print(f"{label:14s} FAILED\n{str(e).split('Reproducer')[0]}")
    return ok


# Out-of-range stand-ins for an integer argument (a dim, a size, a count), for one entry of a tuple of them, and for
# a float argument (a probability, an eps, a scale, a bound).
_BAD_INTS = (-1, -9, 9, 0)
_BAD_ENTRIES = (-2, 9)
_BAD_FLOATS = (-1.0, float("nan"), float("inf"), -float("inf"), 0.0)


def _out_of_range(value):
    """The substitutes tried for one keyword argument's value: none for anything but ints, floats and tuples/lists
    of ints."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (int, np.integer)):
        return [v for v in _BAD_INTS if v != value]
    if isinstance(value, (float, np.floating)):
        return [v for v in _BAD_FLOATS if not v == value]
    if isinstance(value, (tuple, list)) and value and all(
            isinstance(e, (int, np.integer)) and not isinstance(e, bool) for e in value):
        out = [type(value)(value[:i] + type(value)([r]) + value[i + 1:]) for i in range(len(value))
               for r in _BAD_ENTRIES if r != value[i]]
        if len(value) > 1 and len(set(value)) > 1:
            out.append(type(value)([value[0]] * len(value)))  # repeated entries (dims given twice)
        return out
    return []


def check_argument_errors(spec, sample) -> Checked:
    """Each integer or float keyword argument of the sample (a dim, a size, a count, one entry of a tuple of them;
    a probability, an eps, a scale: -1, nan, +-inf, 0) set to out-of-range values: wherever torch raises, the target must raise the same exception class (a target that takes
    what torch refuses returns a plausible tensor for a bug in the caller's code; another class escapes the caller's
    ``except``). Where torch accepts the value nothing is compared. Returns the refusals compared."""
    torch, target = _torch(), targets.current()
    lib, me = target.lib, target.name
    dtype = spec.dtypes[0]
    arrays = cast_arrays(sample.arrays, dtype)
    ctx = Context(spec, arrays, sample.kwargs, dtype)
    tried = n = 0
    for key, value in sample.kwargs.items():
        for bad in _out_of_range(value):
            tried += 1
            kwargs = {**sample.kwargs, key: bad}

            def call(side, kwargs=kwargs):
                # out-of-range values make numpy and torch warn (division by zero, deprecated forms): expected
                with side.no_grad(), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return _run(spec, side, make_inputs(side, arrays, (), False), kwargs)

            t = _raised(call, torch)
            if t is None:  # torch accepts it: nothing to compare
                continue
            i = _raised(call, lib, target)
            if type(i) is not type(t):
                ctx.fail("argument errors", f"{key}={bad!r} (the sample's {value!r}): torch raised "
                         f"{type(t).__name__}: {str(t)[:160]}; {me} "
                         + (f"raised {type(i).__name__}: {str(i)[:160]}" if i else "raised nothing"))
            n += 1
    if not tried:
        return Checked.skip("argument errors", "no integer or float keyword argument")
    return Checked("argument errors", n, skipped="" if n else "torch accepts every substitute")

