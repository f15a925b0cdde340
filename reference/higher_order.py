"""Second-order and forward-mode checks, derived from any OpSpec (nothing per op).

``check_gradgrad``     with a random cotangent v on every differentiable output and a random w on every input
                       gradient, the gradient of <vjp(f, x)(v), w> with respect to the inputs and to v, vs torch;
``check_gradgradcheck`` float64 central differences of the VJP function (x, v) -> vjp(f, x)(v) on the target
                       alone (torch.autograd.gradgradcheck's idea: the double backward is the VJP of the VJP);
``check_jvp``          forward mode: the target's ``autograd.forward_ad`` dual numbers with a random tangent on every
                       differentiable input, vs torch.func.jvp.

The side under test is the current target (``reference.targets.current()``: impl by default); torch is the oracle.

float64 compares at the spec's float64 tolerance. float32 second derivatives compound two backward passes of
rounding, so a float32 mismatch is judged by torch in float64: the target passes when its error against float64 is within
the tolerance plus 4x torch's own float32 error there (the module and model twins use the same judge).
Each check returns the number of gradient entries it compared (0: the sample had nothing to check).
"""
from __future__ import annotations

import zlib

import numpy as np

from reference import targets
from reference.assertions import Context, assert_close
from reference.conversion import _torch, cast_arrays, flatten_outputs, make_inputs, to_numpy
from reference.gradcheck import gradcheck

JUDGE_FACTOR = 4.0


def _diff_positions(spec, arrays):
    return tuple(i for i in spec.differentiable if i < len(arrays) and arrays[i].dtype.kind == "f" and arrays[i].size)


def _rng(spec, arrays, salt):
    return np.random.default_rng([zlib.crc32(spec.name.encode()), salt, *(a.size for a in arrays)])


def _float_outputs(lib, out):
    return [o for o in flatten_outputs(out) if hasattr(o, "requires_grad") and o.requires_grad and o.numel()]


def _second_order(lib, spec, arrays, kwargs, diff, v_arrays, w_arrays):
    """(gradients w.r.t. the inputs, gradients w.r.t. the cotangents) of <vjp(v), w>, as numpy (None = no path)."""
    xs = make_inputs(lib, arrays, diff)
    outs = _float_outputs(lib, spec.fn(lib, *xs, **kwargs))
    if len(outs) != len(v_arrays):
        return None
    vs = [_tensor(lib, v, requires_grad=True) for v in v_arrays]
    wrt = [xs[i] for i in diff]
    vjps = lib.autograd.grad(outs, wrt, vs, create_graph=True, allow_unused=True)
    total = None
    for g, w in zip(vjps, w_arrays):
        if g is None or not g.requires_grad:
            continue
        term = (g * _tensor(lib, w)).sum()
        total = term if total is None else total + term
    if total is None:  # the VJP is constant in x and v (e.g. zero almost everywhere): nothing to differentiate
        return [None] * len(wrt), [None] * len(vs)
    grads = lib.autograd.grad(total, wrt + vs, allow_unused=True)
    as_np = [None if g is None else to_numpy(g) for g in grads]
    return as_np[: len(wrt)], as_np[len(wrt):]


def _tensor(lib, a, requires_grad=False):
    return targets.for_lib(lib).tensor_from_numpy(a, requires_grad=requires_grad)


def _cotangents(lib_out_shapes, rng, dtype):
    return [rng.standard_normal(s).astype(dtype) for s in lib_out_shapes]


def _output_shapes(spec, arrays, kwargs, diff):
    torch = _torch()
    xs = make_inputs(torch, arrays, diff)
    return [tuple(o.shape) for o in _float_outputs(torch, spec.fn(torch, *xs, **kwargs))]


def check_gradgrad(spec, sample, dtype) -> int:
    """The target's second derivatives (w.r.t. inputs and cotangents) vs torch's. Returns entries compared."""
    torch, target = _torch(), targets.current()
    arrays = cast_arrays(sample.arrays, dtype)
    diff = _diff_positions(spec, arrays)
    if not diff:
        return 0
    ctx = Context(spec, arrays, sample.kwargs, dtype)
    shapes = _output_shapes(spec, arrays, sample.kwargs, diff)
    if not shapes:
        return 0
    rng = _rng(spec, arrays, 2)
    v = _cotangents(shapes, rng, dtype)
    w = [rng.standard_normal(arrays[i].shape).astype(dtype) for i in diff]
    expected = _second_order(torch, spec, arrays, sample.kwargs, diff, v, w)
    try:
        actual = _second_order(target.lib, spec, arrays, sample.kwargs, diff, v, w)
    except Exception as e:  # noqa: BLE001 - any crash in the target's double backward is a failed check
        ctx.fail("gradgrad: raised", f"{target.name} raised {type(e).__name__}: {e}")
    if actual is None:
        ctx.fail("gradgrad: structure", f"{target.name} has a different number of differentiable outputs than torch ({len(v)})")
    reference64 = None
    if dtype != "float64":
        a64 = cast_arrays(sample.arrays, "float64")
        reference64 = _second_order(torch, spec, a64, sample.kwargs, diff, [x.astype(np.float64) for x in v],
                                    [x.astype(np.float64) for x in w])
    tol = spec.tol("bwd", dtype)
    n = 0
    names = [f"d/d input {i}" for i in diff] + [f"d/d cotangent {k}" for k in range(len(v))]
    shapes_all = [arrays[i].shape for i in diff] + [x.shape for x in v]
    flat_a = actual[0] + actual[1]
    flat_e = expected[0] + expected[1]
    flat_r = [None] * len(flat_a)
    if reference64 is not None:
        flat_r = [np.zeros(s) if r is None else r for s, r in zip(shapes_all, reference64[0] + reference64[1])]
    for name, shape, a, e, r in zip(names, shapes_all, flat_a, flat_e, flat_r):
        a = np.zeros(shape, dtype) if a is None else a
        e = np.zeros(shape, dtype) if e is None else e
        if r is not None and not np.allclose(a, e, rtol=tol["rtol"], atol=tol["atol"], equal_nan=True):
            allowed = tol["atol"] + tol["rtol"] * np.abs(r) + JUDGE_FACTOR * np.abs(e.astype(np.float64) - r)
            excess = np.abs(a.astype(np.float64) - r) - allowed
            if not np.all(excess <= 0):
                assert_close(a, e, tol["rtol"], tol["atol"], "gradgrad (float32, judged by float64)", ctx, name)
        else:
            assert_close(a, e, tol["rtol"], tol["atol"], "gradgrad", ctx, name)
        n += a.size
    return n


def check_gradgradcheck(spec, sample) -> int:
    """float64 finite differences of the target's VJP function (x, v) -> vjp(f, x)(v): checks its double backward
    without torch. Returns the number of Jacobian entries checked."""
    target = targets.current()
    lib = target.lib
    arrays = cast_arrays(sample.arrays, "float64")
    diff = _diff_positions(spec, arrays)
    if not diff:
        return 0
    shapes = _output_shapes(spec, arrays, sample.kwargs, diff)
    if not shapes:
        return 0
    with lib.no_grad():
        outs = flatten_outputs(spec.fn(lib, *make_inputs(lib, arrays, (), False), **sample.kwargs))
    dtypes = [target.to_numpy(o).dtype for o in outs if target.is_tensor(o)]
    if any(d.kind == "f" and d != np.float64 for d in dtypes):
        return 0  # a float32 output (a cast): differences at eps = 1e-6 are below its rounding, as for gradcheck
    ctx = Context(spec, arrays, sample.kwargs, "float64")
    v = _cotangents(shapes, _rng(spec, arrays, 3), "float64")
    n_in = len(arrays)

    def vjp_fn(*ts):
        # The finite differences evaluate this under no_grad on plain tensors: the VJP needs a graph anyway, so
        # inputs that do not require grad become fresh leaves (those that do are kept: their graph is the point).
        with lib.enable_grad():
            xs = [x if i not in diff or x.requires_grad else x.detach().requires_grad_(True)
                  for i, x in enumerate(ts[:n_in])]
            vs = ts[n_in:]
            outs = _float_outputs(lib, spec.fn(lib, *xs, **sample.kwargs))
            wrt = [xs[i] for i in diff]
            grads = lib.autograd.grad(outs, wrt, list(vs), create_graph=True, allow_unused=True)
        return tuple(g if g is not None else lib.zeros_like(x) for g, x in zip(grads, wrt))

    try:
        res = gradcheck(vjp_fn, list(arrays) + v, diff + tuple(range(n_in, n_in + len(v))),
                        what=f"{spec.name} (its VJP)", seed=zlib.crc32(spec.name.encode()))
    except AssertionError as e:
        ctx.fail("gradgradcheck", str(e))
    return res.n_checked


def check_jvp(spec, sample, dtype) -> int:
    """The target's forward-mode JVP (dual numbers) vs torch.func.jvp with the same random tangents."""
    torch, target = _torch(), targets.current()
    lib = target.lib
    fwad = lib.autograd.forward_ad
    arrays = cast_arrays(sample.arrays, dtype)
    diff = _diff_positions(spec, arrays)
    if not diff:
        return 0
    ctx = Context(spec, arrays, sample.kwargs, dtype)
    rng = _rng(spec, arrays, 4)
    tangents = {i: rng.standard_normal(arrays[i].shape).astype(dtype) for i in diff}

    def torch_fn(*primals):
        xs = make_inputs(torch, arrays, (), requires_grad=False)
        for i, p in zip(diff, primals):
            xs[i] = p
        return tuple(o for o in flatten_outputs(spec.fn(torch, *xs, **sample.kwargs))
                     if isinstance(o, torch.Tensor) and o.dtype.is_floating_point)

    primals = tuple(torch.from_numpy(arrays[i].copy()) for i in diff)
    _, expected = torch.func.jvp(torch_fn, primals, tuple(torch.from_numpy(tangents[i].copy()) for i in diff))
    try:
        with fwad.dual_level():
            xs = make_inputs(lib, arrays, (), requires_grad=False)
            for i in diff:
                xs[i] = fwad.make_dual(xs[i], target.tensor_from_numpy(tangents[i]))
            outs = [o for o in flatten_outputs(spec.fn(lib, *xs, **sample.kwargs))
                    if target.is_tensor(o) and target.to_numpy(o).dtype.kind == "f"]
            actual = [fwad.unpack_dual(o).tangent for o in outs]
    except Exception as e:  # noqa: BLE001 - a crash in the target's forward mode is a failed check
        ctx.fail("jvp: raised", f"{target.name} raised {type(e).__name__}: {e}")
    if len(actual) != len(expected):
        ctx.fail("jvp: structure", f"{target.name} has {len(actual)} float outputs, torch {len(expected)}")
    tol = spec.tol("bwd", dtype)
    n = 0
    for k, (a, e) in enumerate(zip(actual, expected)):
        e = to_numpy(e)
        a = np.zeros_like(e) if a is None else to_numpy(a)
        assert_close(a, e, tol["rtol"], tol["atol"], "jvp", ctx, f"tangent of output {k}")
        n += a.size
    return n
