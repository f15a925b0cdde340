"""Float64 central-difference gradient check of the library under test alone (no torch): the arbiter of disputes.

The library is the current target (``reference.targets.current()``: impl by default); ``f`` is called on its tensors.

``gradcheck(f, arrays, differentiable)`` compares the target's backward with central differences
``(f(x + eps e) - f(x - eps e)) / 2 eps`` in float64:

* small problems (every input element and output element fits ``FULL_LIMIT``): the full Jacobian, column by
  column numerically and row by row analytically (one VJP per output element with a basis cotangent), plus one
  VJP with a random cotangent (basis cotangents cannot see a backward that ignores its incoming gradient when
  the output has a single element);
* larger ones: ``N_PROJ`` random projections ``v^T J u`` (unit-norm u over the inputs, v over the outputs with a
  norm between 1.5 and 2.5, so that a one-element output does not get the cotangent 1),
  numerically from two forward passes along u and analytically from one VJP with cotangent v.

Tolerances are torch.autograd.gradcheck's (eps 1e-6, atol 1e-5, rtol 1e-3). A failure raises
``GradcheckError`` (an AssertionError) naming the input, the index, and both numbers. A pass returns a
``GradcheckResult`` saying what was really checked: ``n_checked`` Jacobian entries (full) or projections, or
mode "skipped" with the ``reason`` (no float64 input to differentiate, an empty input or output) -- a check of
nothing is never reported as a pass of something.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference import targets

EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3
# Max input elements and max output elements for the full Jacobian (2 forwards per input element and one VJP per
# output element). 16 covers every 4x4 case; from 24 down to 16 the generic gradcheck of every spec's samples
# costs ~40% less (19.3 -> 11.9 CPU-s), the larger ones get random projections instead.
FULL_LIMIT = 16
N_PROJ = 3


class GradcheckError(AssertionError):
    pass


@dataclass
class GradcheckResult:
    mode: str  # "full" | "projection" | "skipped"
    max_abs_err: float
    n_checked: int  # Jacobian entries compared (full) or random projections v^T J u (projection); 0 when skipped
    reason: str = ""  # why nothing was checked (mode "skipped")

    @property
    def checked(self) -> bool:
        return self.n_checked > 0


def _float_outputs(out):
    """The float64 tensors of an op's result, in order (tuples are flattened). Integer/bool outputs have no
    gradient; float32 outputs (e.g. ``x.float()``) are too coarse for eps = 1e-6 differences, as in torch's
    gradcheck, which wants double precision."""
    flat = []
    target = targets.current()

    def walk(o):
        if target.is_tensor(o):
            if target.to_numpy(o).dtype == np.float64:
                flat.append(o)
        elif isinstance(o, (tuple, list)):
            for e in o:
                walk(e)

    walk(out)
    return flat


def _tensors(arrays, diff, requires_grad):
    target = targets.current()
    return [target.tensor_from_numpy(a, requires_grad=requires_grad and i in diff) for i, a in enumerate(arrays)]


def _central(f, arrays_plus, arrays_minus, diff, eps):
    """(f(x + eps d) - f(x - eps d)) / 2 eps; outputs equal on both sides (incl. the same inf) differ by 0."""
    plus, minus = _eval(f, arrays_plus, diff), _eval(f, arrays_minus, diff)
    with np.errstate(invalid="ignore"):
        return np.where(plus == minus, 0.0, plus - minus) / (2 * eps)


def _eval(f, arrays, diff):
    """f at ``arrays`` (no graph): its float outputs concatenated into one float64 vector."""
    target = targets.current()
    with target.lib.no_grad():
        outs = _float_outputs(f(*_tensors(arrays, diff, False)))
    if not outs:
        return np.zeros(0)
    return np.concatenate([target.to_numpy(o).astype(np.float64).ravel() for o in outs])


def _vjp(outs, inputs, vec):
    """Gradients of <outs, vec> w.r.t. ``inputs`` (zeros where unused); graph retained."""
    target = targets.current()
    grads, start = [], 0
    for o in outs:
        a = target.to_numpy(o)
        grads.append(target.tensor_from_numpy(vec[start:start + a.size].reshape(a.shape).astype(a.dtype)))
        start += a.size
    live = [(o, g) for o, g in zip(outs, grads) if target.requires_grad(o)]
    if not live:
        return [np.zeros(tuple(t.shape)) for t in inputs]
    res = target.lib.autograd.grad([o for o, _ in live], inputs, grad_outputs=[g for _, g in live],
                                   retain_graph=True, allow_unused=True)
    return [np.zeros(tuple(t.shape)) if r is None else target.to_numpy(r).astype(np.float64) for t, r in zip(inputs, res)]


def gradcheck(f, arrays, differentiable, eps=EPS, atol=ATOL, rtol=RTOL, full_limit=FULL_LIMIT, n_proj=N_PROJ,
              seed=0, what="") -> GradcheckResult:
    """Check the target's gradients of ``f(*tensors)`` w.r.t. the ``differentiable`` positions of ``arrays``."""
    arrays = [np.array(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else np.asarray(a) for a in arrays]
    diff = tuple(i for i in differentiable if i < len(arrays) and arrays[i].dtype.kind == "f")
    if not diff:
        return GradcheckResult("skipped", 0.0, 0, "no float input to differentiate")
    inputs = _tensors(arrays, diff, True)
    outs = _float_outputs(f(*inputs))
    n_out = sum(targets.current().to_numpy(o).size for o in outs)
    n_in = sum(arrays[i].size for i in diff)
    reason = skip_reason(n_in, n_out, bool(outs))
    if reason:
        return GradcheckResult("skipped", 0.0, 0, reason)
    diff_inputs = [inputs[i] for i in diff]

    def perturbed(direction, sign):
        new = list(arrays)
        for k, i in enumerate(diff):
            new[i] = arrays[i] + sign * eps * direction[k]
        return new

    if n_in <= full_limit and n_out <= full_limit:
        analytic = np.stack([np.concatenate([g.ravel() for g in _vjp(outs, diff_inputs, e)]) for e in np.eye(n_out)])
        numeric = np.zeros((n_out, n_in))
        col = 0
        for k, i in enumerate(diff):
            for j in range(arrays[i].size):
                direction = [np.zeros(arrays[m].shape) for m in diff]
                direction[k].flat[j] = 1.0
                numeric[:, col] = _central(f, perturbed(direction, 1), perturbed(direction, -1), diff, eps)
                col += 1
        err = np.abs(analytic - numeric)
        bad = ~(err <= atol + rtol * np.abs(numeric))  # nan counts as bad
        if bad.any():
            r, c = np.unravel_index(np.argmax(np.where(bad, np.nan_to_num(err, nan=np.inf), -1)), err.shape)
            k, j = _locate(c, [arrays[i].size for i in diff])
            raise GradcheckError(
                f"[gradcheck full Jacobian] {what}: {int(bad.sum())}/{bad.size} Jacobian entries differ "
                f"(eps={eps}, atol={atol}, rtol={rtol}); worst d out[{r}] / d input{diff[k]}"
                f"{np.unravel_index(j, arrays[diff[k]].shape) if arrays[diff[k]].ndim else ()}: "
                f"analytic {analytic[r, c]!r} vs numeric {numeric[r, c]!r}"
            )
        # Basis cotangents hide a backward that ignores its incoming gradient when the output has one element
        # (e_0 == ones): also compare one random-cotangent row combination v^T J.
        v = np.random.default_rng(seed).standard_normal(n_out)
        vjp = np.concatenate([g.ravel() for g in _vjp(outs, diff_inputs, v)])
        want = v @ numeric
        verr = np.abs(vjp - want)
        vbad = ~(verr <= atol + rtol * np.abs(want))
        if vbad.any():
            c = int(np.argmax(np.where(vbad, np.nan_to_num(verr, nan=np.inf), -1)))
            k, j = _locate(c, [arrays[i].size for i in diff])
            raise GradcheckError(
                f"[gradcheck full Jacobian, random cotangent] {what}: v^T J differs at {int(vbad.sum())}/{vbad.size} "
                f"input elements; worst input{diff[k]} element {j}: analytic {vjp[c]!r} vs numeric {want[c]!r}"
            )
        return GradcheckResult("full", float(np.max(err)) if err.size else 0.0, err.size)

    rng = np.random.default_rng(seed)
    worst = 0.0
    for p in range(n_proj):
        u = [rng.standard_normal(arrays[i].shape) for i in diff]
        scale = np.sqrt(sum(float((x * x).sum()) for x in u)) or 1.0
        u = [x / scale for x in u]
        v = rng.standard_normal(n_out)
        # Norm drawn in [1.5, 2.5], not 1: a single output element would otherwise get the cotangent +-1, and a
        # backward that ignores its incoming gradient (uses ones) would pass whenever the sign is +.
        v *= rng.uniform(1.5, 2.5) / (np.linalg.norm(v) or 1.0)
        numeric = float(v @ _central(f, perturbed(u, 1), perturbed(u, -1), diff, eps))
        grads = _vjp(outs, diff_inputs, v)
        analytic = float(sum((g * x).sum() for g, x in zip(grads, u)))
        err = abs(analytic - numeric)
        if not err <= atol + rtol * abs(numeric):
            raise GradcheckError(
                f"[gradcheck random projection {p}] {what}: v^T J u analytic {analytic!r} vs numeric {numeric!r} "
                f"(abs err {err:.3g}; eps={eps}, atol={atol}, rtol={rtol}; {n_in} input and {n_out} output elements)"
            )
        worst = max(worst, err)
    return GradcheckResult("projection", worst, n_proj)


def skip_reason(n_in, n_out, any_float_output=True) -> str:
    """Why a gradient check of ``n_in`` input and ``n_out`` output elements would check nothing ("" if it checks)."""
    if not any_float_output:
        return "no float64 output"
    if n_in == 0:
        return "empty input"
    if n_out == 0:
        return "empty output"
    return ""


def _locate(col, sizes):
    for k, s in enumerate(sizes):
        if col < s:
            return k, col
        col -= s
    raise IndexError(col)
