"""Twin modules: the same layer in torch and in the library under test (impl by default, reference.targets), with
weights moved by state_dict keys.

``copy_state_dict(torch_module, twin)`` is the one generic bridge: it checks that both state_dicts have the same
keys (in the same order), shapes and dtypes, then loads torch's values into the twin (a module of the current
target, of impl, or of torch) with ``load_state_dict(strict=True)``. Nothing is matched by position or by layer type.
"""
from __future__ import annotations

import numpy as np

import impl
from reference import assertions as _assertions
from reference import targets
from reference.conversion import to_numpy

__all__ = ["TwinMismatch", "to_numpy", "to_impl", "to_target", "to_torch", "state_dict_signature", "compare_state_dict_signatures",
           "copy_state_dict", "assert_close", "assert_close_judged", "rounding_perturbed", "float64_judges"]


class TwinMismatch(AssertionError):
    """The torch module and its twin are not twins (different keys, shapes or dtypes)."""


def to_impl(x, requires_grad: bool = False, dtype=None) -> impl.Tensor:
    """An impl tensor with the values and dtype of a numpy array or torch tensor (always a copy)."""
    arr = to_numpy(x)
    t = impl.tensor(arr, dtype=dtype)  # keeps float64/int64/bool; numpy's other dtypes map as impl.tensor does
    if requires_grad:
        t.requires_grad_(True)
    return t


def to_target(x, requires_grad: bool = False):
    """A tensor of the library under test (``reference.targets.current()``) with the values and dtype of a numpy
    array or torch tensor (always a copy)."""
    return targets.current().tensor_from_numpy(to_numpy(x), requires_grad=requires_grad)


def to_torch(x, requires_grad: bool = False):
    import torch

    t = torch.from_numpy(to_numpy(x))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype_name(t) -> str:
    return str(t.dtype).rsplit(".", 1)[-1]  # torch.float32, impl.float32, <lib>.float32


def _target_of(module):
    """The target whose tensors ``module`` holds: the current one, else torch or impl (None: no tensors at all)."""
    values = list(module.state_dict().values())
    if not values:
        return None
    for t in (targets.current(), targets.oracle(), targets.load("impl")):
        if t.is_tensor(values[0]):
            return t
    raise TypeError(f"{type(module).__name__}: its state_dict holds {type(values[0]).__name__}, a tensor of no target")


def state_dict_signature(module) -> list[tuple[str, tuple[int, ...], str]]:
    """[(key, shape, dtype name)] in state_dict order: what two twins must share."""
    return [(k, tuple(v.shape), _dtype_name(v)) for k, v in module.state_dict().items()]


def compare_state_dict_signatures(torch_module, impl_module) -> list[str]:
    """Human-readable differences between the two state_dicts' keys/order/shapes/dtypes ([] if twins). The second
    module is the twin (a module of the library under test), named by its target in the messages."""
    ts, is_ = state_dict_signature(torch_module), state_dict_signature(impl_module)
    twin = (_target_of(impl_module) or targets.current()).name
    problems = []
    tk, ik = [k for k, _, _ in ts], [k for k, _, _ in is_]
    if set(tk) != set(ik):
        missing = [k for k in tk if k not in ik]
        extra = [k for k in ik if k not in tk]
        if missing:
            problems.append(f"keys only in torch: {missing}")
        if extra:
            problems.append(f"keys only in {twin}: {extra}")
    elif tk != ik:
        problems.append(f"key order differs: torch {tk} vs {twin} {ik}")
    tmap, imap = {k: (s, d) for k, s, d in ts}, {k: (s, d) for k, s, d in is_}
    for k in tk:
        if k in imap:
            if tmap[k][0] != imap[k][0]:
                problems.append(f"{k}: shape torch {tmap[k][0]} vs {twin} {imap[k][0]}")
            if tmap[k][1] != imap[k][1]:
                problems.append(f"{k}: dtype torch {tmap[k][1]} vs {twin} {imap[k][1]}")
    return problems


def copy_state_dict(torch_module, impl_module, check_dtype: bool = True):
    """Copy every parameter and persistent buffer of ``torch_module`` into ``impl_module`` (the twin: a module of
    the current target, of impl or of torch) by key.

    Raises TwinMismatch (listing every difference) unless keys, order, shapes (and dtypes, unless
    ``check_dtype=False``) agree. Returns ``impl_module``.
    """
    problems = compare_state_dict_signatures(torch_module, impl_module)
    if not check_dtype:
        problems = [p for p in problems if ": dtype " not in p]
    if problems:
        raise TwinMismatch(
            f"{type(torch_module).__name__} / {type(impl_module).__name__} are not twins:\n  " + "\n  ".join(problems)
        )
    target = _target_of(impl_module)
    if target is not None:
        impl_module.load_state_dict({k: target.tensor_from_numpy(to_numpy(v)) for k, v in torch_module.state_dict().items()},
                                    strict=True)
    return impl_module


def assert_close(actual, expected, rtol: float, atol: float, what: str = "", reproducer: str = ""):
    """reference.assertions.assert_close (shape, dtype, then nan-aware values; the worst errors and their indices
    on failure), with a module-level reproducer line appended to the message."""
    try:
        with np.errstate(divide="ignore", invalid="ignore"):  # rtol=atol=0 (exact) divides 0 by 0 in the ratio
            _assertions.assert_close(actual, expected, rtol, atol, check="module", what=what)
    except AssertionError as e:
        raise AssertionError(f"{e}\n{reproducer}" if reproducer else str(e)) from None


def assert_close_judged(actual, expected, judge, rtol: float, atol: float, what: str = "", reproducer: str = "",
                        factor: float = 4.0, perturbed=None):
    """Compare a float32 impl result with torch's float32 result, using torch's float64 result as the judge.

    An element passes if ``|impl - torch| <= atol + rtol * |torch|`` (assert_close's rule); if not, it still
    passes when impl is about as accurate as torch float32 is on that tensor:
    ``|impl - judge| <= atol + rtol * |judge| + factor * noise`` with ``noise`` the larger of torch's error on
    the element and torch's largest error on the whole tensor (float32 roundoff is a property of the
    computation; one element where torch happens to round luckily is no standard). Tolerances therefore only
    widen where torch's own float32 result is measurably off the float64 value (ill-conditioned tensors:
    LayerNorm over nearly equal values, long reductions), and by at most ``factor`` times torch's own error.

    ``perturbed``: torch float64 once more, on weights and inputs each moved by up to one float32 rounding
    (relative 2**-24). Its largest distance from ``judge`` on the tensor is the computation's sensitivity to
    float32 rounding -- a noise floor no float32 implementation can be held below, and one that does not
    depend on torch's float32 run happening to round luckily on an ill-conditioned tensor (thorough profile,
    2026-12-01: a post-norm encoder layer with d_model=2, torch err 5.9e-5, impl 1.4e-3, on a gradient of 277).
    ``noise`` is then the larger of the two estimates.
    """
    if judge is None:
        return assert_close(actual, expected, rtol, atol, what, reproducer)
    a, e, j = to_numpy(actual), to_numpy(expected), to_numpy(judge)
    if a.shape != e.shape or a.dtype != e.dtype or a.dtype.kind != "f":
        return assert_close(actual, expected, rtol, atol, what, reproducer)
    a64, e64, j64 = a.astype(np.float64), e.astype(np.float64), j.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        same = (np.isnan(a64) & np.isnan(e64)) | (np.isinf(a64) & (a64 == e64)) | (np.abs(a64 - e64) <= atol + rtol * np.abs(e64))
        torch_err = np.abs(e64 - j64)
        finite = torch_err[np.isfinite(torch_err)]
        noise = np.maximum(torch_err, finite.max() if finite.size else 0.0)
        if perturbed is not None:
            spread = np.abs(to_numpy(perturbed).astype(np.float64) - j64)
            spread = spread[np.isfinite(spread)]
            noise = np.maximum(noise, spread.max() if spread.size else 0.0)
        judged = np.abs(a64 - j64) <= atol + rtol * np.abs(j64) + factor * noise
    bad = ~(same | judged)
    if bad.any():
        name = targets.current().name
        idx = tuple(int(i) for i in np.argwhere(bad)[0]) if a.ndim else ()
        raise AssertionError(
            f"[module {what}: values, float64-judged] {int(bad.sum())}/{bad.size} elements out of tolerance "
            f"(rtol={rtol}, atol={atol}, factor={factor}); shape {a.shape}; first at index {idx}: {name} {a64[idx]!r}, "
            f"torch {e64[idx]!r}, float64 {j64[idx]!r} ({name} err {abs(a64[idx] - j64[idx]):.3g}, torch err "
            f"{abs(e64[idx] - j64[idx]):.3g}, float32 noise on the tensor {noise[idx]:.3g})\n{reproducer}"
        )
    return None


def rounding_perturbed(x, rng):
    """A float64 copy of ``x`` (numpy array or torch module) with every float value -- a module's parameters and
    float buffers -- multiplied by ``1 + u * 2**-24``, ``u`` uniform in [-1, 1]: what rounding to float32 could
    have done to it. Used to measure the float32 noise floor for ``assert_close_judged(perturbed=...)``."""
    if isinstance(x, np.ndarray):
        if x.dtype.kind != "f":
            return x.copy()
        return np.asarray(x.astype(np.float64) * (1.0 + rng.uniform(-1.0, 1.0, x.shape) * 2.0**-24))  # 0-d stays an array
    import copy

    import torch

    module = copy.deepcopy(x)
    with torch.no_grad():
        for t in list(module.parameters()) + [b for b in module.buffers() if b.is_floating_point()]:
            t.mul_(torch.from_numpy(1.0 + rng.uniform(-1.0, 1.0, tuple(t.shape)) * 2.0**-24).to(t.dtype))
    return module


def float64_judges(torch_module, rng):
    """(judge, perturbed) for ``assert_close_judged``: float64 copies of a float32 torch module, the second with
    its weights nudged by one float32 rounding (``rounding_perturbed``; inputs are nudged by the caller)."""
    import copy

    judge = copy.deepcopy(torch_module).double()
    return judge, rounding_perturbed(judge, rng)
