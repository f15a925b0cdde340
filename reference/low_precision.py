"""Low-precision forward checks: an OpSpec run in float16 or bfloat16 on the library under test
(``reference.targets.current()``), judged against its float64 twin (torch in float64).

The inputs are rounded to the low-precision dtype first and the float64 twin runs on exactly those values, so the
only errors measured are the op's own (its roundings), not the input rounding. Torch's low-precision result is
judged against the same float64 twin with the same tolerance. Where torch itself misses it, its kernel rounds an
intermediate result to the low dtype (the table assumes one rounding at the end), and a target other than torch is
held to torch's own error instead (TORCH_SLACK times it): no less accurate than torch, and free to round as torch
does. That allowance is relative to the oracle, so it means nothing when torch is the target (torch's error is its
own error): torch itself is held to the table, and its misses are listed in TORCH_OVER_TABLE.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from reference import targets
from reference.conversion import flatten_outputs

LOW_DTYPES = ("float16", "bfloat16")
# Machine epsilon (spacing of floats at 1): float16 has 10 fraction bits, bfloat16 7.
EPS = {"float16": 2.0**-10, "bfloat16": 2.0**-7}
FAMILIES = ("elementwise", "reduce", "linalg", "shape", "nn.functional", "losses", "creation")  # every float spec

# Tolerance table: an output element passes when |result - float64 twin| <= k * eps * (|twin| + max|twin|), i.e. a
# relative error of k ulps-worth of eps plus the same amount of the output's largest magnitude (a normwise term:
# near-zero outputs of a cancellation carry the rounding error of the terms that cancelled).
#   elementwise: k = 4 -- torch computes in float32 and rounds once (0.5 ulp); impl's composites (rsqrt =
#                reciprocal(sqrt), gelu, softplus, ...) round after each step, a few roundings in all;
#   reduce/linalg: k = 4 * sqrt(n), n = the total number of input elements (an upper bound on the terms an output
#                element sums): rounding errors of a sum of n terms grow like sqrt(n) when they are random; torch
#                accumulates in float32 and meets this easily, and an implementation accumulating in the low
#                precision itself still passes only while n is small.
K_ELEMENTWISE = 4.0
K_REDUCTION = 4.0
# Where torch's own low-precision result misses the table (it rounds intermediate results), a target other than torch
# may be off by this multiple of torch's error: 1.5, as the long-reduction test's allowance for a different order of
# the same roundings. (For torch as the target this would hold torch to itself: it is held to the table instead.)
TORCH_SLACK = 1.5

# (spec, dtype) where torch's own low-precision result misses the table: its kernel rounds an intermediate result to
# the low dtype. With torch as the target these run as strict xfails (torch 2.13, CPU); for any other target they are
# what TORCH_SLACK allows for.
TORCH_OVER_TABLE = {
    ("F.tanhshrink", "float16"): "torch rounds tanh(x) to float16 before x - tanh(x) cancels: "
    "F.tanhshrink(torch.tensor(0.25146484375, dtype=torch.float16)) is 0.005126953125, float64 0.0051697 (one "
    "rounding: 0.0051689), 1.06x the table's 4 eps",
    ("math_inplace_positive", "float16"): "torch rounds 1 - x to float16 in logit: "
    "torch.tensor(0.495849609375, dtype=torch.float16).logit() is -0.01625, float64 -0.016602 (one rounding: "
    "-0.0166016), 2.7x the table's 4 eps",
}


def k_factor(family: str, n_inputs: int) -> float:
    if family == "elementwise":
        return K_ELEMENTWISE
    return K_REDUCTION * math.sqrt(max(1, n_inputs))


@dataclass
class LowPrecisionResult:
    checked: int = 0  # output elements compared against the float64 twin
    skipped: str = ""  # why nothing was compared (torch does not support the op in this dtype on CPU, ...)


def _round_inputs(arrays, low):
    """(torch low-precision tensors, float64 arrays holding exactly their values) for the float arrays."""
    tdt = getattr(torch, low)
    t_low, exact = [], []
    for a in arrays:
        a = np.asarray(a)
        if a.dtype.kind == "f":
            t = torch.from_numpy(np.array(a, dtype=np.float64)).to(tdt)
            t_low.append(t)
            exact.append(t.to(torch.float64).numpy())
        else:
            t_low.append(torch.from_numpy(np.array(a, copy=True)))
            exact.append(a)
    return t_low, exact


def as_f64(target, x) -> np.ndarray:
    """A tensor of ``target``'s library as numpy: float64 (exact) for a floating tensor -- cast by the library, as
    numpy has no bfloat16 -- else its own dtype."""
    x = x.detach()
    if x.is_floating_point():
        x = x.to(target.dtype("float64"))
    return np.array(target.to_numpy(x), copy=True)


def tensor_f64(x) -> np.ndarray:
    """``as_f64`` of a tensor of the library under test or of torch, whichever library it belongs to."""
    target = targets.current()
    return as_f64(target if target.is_tensor(x) else targets.oracle(), x)


def is_oracle(target) -> bool:
    """Whether the target is torch itself: then an allowance relative to torch's own result means nothing."""
    return target.lib is torch


def within(result, twin, k, eps):
    """(ok mask, worst ratio error / allowed) of ``result`` vs ``twin`` (float64 arrays), nan/inf aware."""
    finite = np.isfinite(twin)
    scale = np.max(np.abs(twin[finite])) if finite.any() else 0.0
    allowed = k * eps * (np.abs(twin) + scale)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(result - twin)
        ok = (err <= allowed) | (np.isnan(result) & np.isnan(twin)) | (np.isinf(twin) & (result == twin))
        ratio = np.where(ok, 0.0, np.nan_to_num(err / np.maximum(allowed, 1e-300), nan=np.inf))
    return ok, float(ratio.max()) if ratio.size else 0.0


def check_low_precision(spec, sample, low) -> LowPrecisionResult:
    """Run ``spec`` on ``sample`` in ``low`` (``float16``/``bfloat16``) in torch and the target; compare each float
    output with the float64 twin (torch float64 on the same rounded inputs) and the dtypes with torch's."""
    target = targets.current()
    lib, me = target.lib, target.name
    oracle_is_target = is_oracle(target)
    eps = EPS[low]
    t_low, exact = _round_inputs(sample.arrays, low)
    kwargs = sample.kwargs
    with torch.no_grad():
        try:
            ft = flatten_outputs(spec.fn(torch, *t_low, **kwargs))
        except (RuntimeError, NotImplementedError, TypeError) as e:
            return LowPrecisionResult(0, f"torch {low} on CPU raises {type(e).__name__}: {str(e).splitlines()[0][:90]}")
        f64 = flatten_outputs(spec.fn(torch, *[torch.from_numpy(np.array(a, copy=True)) for a in exact], **kwargs))
    low_dt = target.dtype(low)
    inputs = [target.tensor_from_numpy(np.asarray(a)) for a in exact]
    inputs = [t.to(low_dt) if np.asarray(a).dtype.kind == "f" else t for t, a in zip(inputs, exact)]
    with lib.no_grad():
        fi = flatten_outputs(spec.fn(lib, *inputs, **kwargs))
    where = f"{spec.name} in {low}, input shapes {[tuple(np.shape(a)) for a in exact]}, kwargs {kwargs}"
    assert len(fi) == len(ft), f"{where}: {me} returned {len(fi)} outputs, torch {len(ft)}"
    n_in = sum(int(np.size(a)) for a in exact)
    k = k_factor(spec.family, n_in)
    checked = 0
    for i, (a, b, r) in enumerate(zip(fi, ft, f64)):
        if not isinstance(b, torch.Tensor):  # Python values (sizes, flags, element_size, item()): as torch's
            if isinstance(b, float):
                ok, worst = within(np.asarray([float(a)]), np.asarray([float(r)]), k, eps)
                assert ok.all(), f"{where} output {i}: {me} {a!r} vs float64 {r!r} ({worst:.3g}x the tolerance)"
            elif isinstance(b, (bool, int, str, tuple)):
                assert (tuple(a) if isinstance(b, tuple) else a) == b, f"{where} output {i}: {me} {a!r} vs torch {b!r}"
            else:
                continue
            checked += 1
            continue
        assert tuple(a.shape) == tuple(b.shape), f"{where} output {i}: {me} shape {tuple(a.shape)} vs torch {tuple(b.shape)}"
        assert target.dtype_name(a) == str(b.dtype).removeprefix("torch."), (
            f"{where} output {i}: {me} dtype {a.dtype} vs torch {b.dtype}")
        ai, bt, tw = as_f64(target, a), as_f64(targets.oracle(), b), as_f64(targets.oracle(), r)
        if not b.dtype.is_floating_point:  # indices, masks: exactly torch's on the same low-precision inputs
            bad = ai != bt
            assert not bad.any(), f"{where} output {i}: {int(bad.sum())} of {bad.size} elements differ from torch's"
            checked += ai.size
            continue
        fmax = float(torch.finfo(b.dtype).max)
        # Beyond the dtype's range the twin is finite where both low-precision results overflow: compare those
        # with torch's low-precision result (inf of the same sign) instead of with the twin.
        over = np.isfinite(tw) & (np.abs(tw) > fmax * (1 - eps / 2))
        if over.any():
            assert np.array_equal(ai[over], bt[over]), f"{where} output {i}: overflow differs from torch's"
            tw = np.where(over, np.nan, tw)
            ai, bt = np.where(over, np.nan, ai), np.where(over, np.nan, bt)
        ok_t, worst_t = within(bt, tw, k, eps)
        # Some of torch's low-precision kernels round an intermediate result to the dtype (tanhshrink's tanh before
        # x - tanh(x) cancels, logit's 1 - x): the table's one-rounding premise does not hold for them, and a result
        # rounded as torch's is what a torch user expects. There a target other than torch is held to torch's own error
        # instead, with TORCH_SLACK for an equally rounded but different order of operations. Torch as the target is
        # held to the table itself (its misses are strict xfails: TORCH_OVER_TABLE).
        k_target = k if ok_t.all() or oracle_is_target else k * TORCH_SLACK * worst_t
        ok_i, worst_i = within(ai, tw, k_target, eps)
        if not ok_i.all():
            idx = tuple(int(j) for j in np.argwhere(~ok_i)[0]) if ai.ndim else ()
            raise AssertionError(
                f"{where} output {i}: {me} {low} is off the float64 twin by {worst_i:.3g}x the allowed k={k_target:.3g} eps "
                f"({int((~ok_i).sum())}/{ok_i.size} elements; first at {idx}: {me} {ai[idx]!r}, torch {bt[idx]!r}, "
                f"float64 {tw[idx]!r})")
        checked += ai.size
    return LowPrecisionResult(checked, "" if checked else "empty outputs")
