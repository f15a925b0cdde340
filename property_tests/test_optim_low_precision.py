"""Every optimizer but L-BFGS on float16/bfloat16 parameters, step by step against torch's.

torch's CPU kernels compute each in-place op of the update in float32 and round once (``add_``'s alpha taken in the
tensor's dtype first); an update computed in the low dtype itself rounds each product and sum, a 1-ulp difference in
a fifth of the elements after one step. The library under test (reference.targets) must agree with torch's
parameters after three steps (eight for RAdam's rectified branch) to within two ulps (of the larger of the result and
the starting value) everywhere, and differ in no more than 1% of them (torch's vectorised kernels contract some
multiply-adds into FMAs, which numpy cannot reproduce). Those allowances are for another library's kernels: torch as
the target runs the same kernels on the same inputs and must reproduce its parameters bit for bit.
"""
import numpy as np
import pytest

from reference import targets
from reference.low_precision import is_oracle

TARGET = targets.current()

CASES = {
    "sgd": ("SGD", {"lr": 0.1}),
    "sgd_momentum": ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    "sgd_nesterov_wd": ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    "adam": ("Adam", {"lr": 0.1}),
    "adam_amsgrad_wd": ("Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    "adamw": ("AdamW", {"lr": 0.1}),
    "rmsprop": ("RMSprop", {"lr": 0.01}),
    "rmsprop_centered_momentum_wd": ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.01}),
    "adagrad": ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01}),
    "adamax_wd": ("Adamax", {"lr": 0.1, "weight_decay": 0.01}),
    "nadam": ("NAdam", {"lr": 0.1}),
    "nadam_decoupled_wd": ("NAdam", {"lr": 0.1, "weight_decay": 0.01, "decoupled_weight_decay": True}),
    "radam": ("RAdam", {"lr": 0.1}),
    "radam_wd": ("RAdam", {"lr": 0.1, "weight_decay": 0.01}),
    "radam_rectified": ("RAdam", {"lr": 0.1, "betas": (0.9, 0.9)}),  # rho_t > 5 from step 6: the adaptive branch
    "adadelta_wd": ("Adadelta", {"lr": 1.0, "weight_decay": 0.01}),
    "asgd_wd": ("ASGD", {"lr": 0.1, "weight_decay": 0.01, "t0": 1}),
}
EPS = {"float16": 2.0**-10, "bfloat16": 2.0**-7}
TINY = {"float16": 2.0**-24, "bfloat16": 2.0**-133}  # smallest subnormal: the ulp near 0
STEPS = {"radam_rectified": 8}  # 3 steps for the others
MAX_DIFFERING = 0.01
# 2 ulps: an element where an FMA made torch's momentum buffer differ by 1 ulp carries it into the later steps
ULPS = 2.0
if is_oracle(TARGET):  # torch against torch: no other kernels, no FMA apart
    MAX_DIFFERING, ULPS = 0.0, 0.0


@pytest.mark.parametrize("low", ["float16", "bfloat16"])
@pytest.mark.parametrize("case", list(CASES))
def test_low_precision_update_as_torch(case, low):
    name, kw = CASES[case]
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(1000)
    grads = [rng.standard_normal(1000) for _ in range(STEPS.get(case, 3))]
    result = []
    for side in (targets.oracle(), TARGET):
        lib = side.lib
        p = lib.nn.Parameter(side.tensor_from_numpy(w0).to(side.dtype(low)))
        opt = getattr(lib.optim, name)([p], **kw)
        for g in grads:
            p.grad = side.tensor_from_numpy(g).to(side.dtype(low))
            opt.step()
        assert side.dtype_name(p) == low, f"{case} {low}: {side.name}'s parameter became {p.dtype}"
        result.append(np.array(side.to_numpy(p.detach().double()), copy=True))
    want, got = result
    assert np.array_equal(np.isnan(got), np.isnan(want)), f"{case} {low}: {TARGET.name}'s nan positions differ from torch's"
    ok = ~np.isnan(want)
    with np.errstate(invalid="ignore"):  # inf - inf where both overflowed (float16 Adam: eps rounds to 0)
        diff = np.where(got[ok] == want[ok], 0.0, np.abs(got[ok] - want[ok]))
    # ulps of the larger of the result and the starting value: an update that cancels most of a parameter leaves
    # the rounding error of the terms that cancelled
    allowed = ULPS * (EPS[low] * np.maximum(np.abs(want[ok]), np.abs(w0[ok])) + TINY[low]) if ULPS else 0.0
    assert (diff <= allowed).all(), f"{case} {low}: {TARGET.name} off torch's by more than {ULPS:g} ulps (max {diff.max():.3g})"
    differing = float(np.mean(diff > 0))
    assert differing <= MAX_DIFFERING, f"{case} {low}: {differing:.1%} of {TARGET.name}'s parameters differ from torch's"
