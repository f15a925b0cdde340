"""Shared machinery for the regression catalogue.

Three kinds of helpers live here:

* **patching** (used by every entry's ``reintroduce()``): :func:`swap_function` replaces one impl function
  everywhere impl holds it (module globals, Tensor methods/operators, closures of the reflected-operator
  wrappers, properties); :func:`swap_attr` swaps one attribute (a method on a class, a module global);
  :func:`rewrite_source` compiles a copy of an impl function with a snippet of its source replaced (it
  refuses to run when the snippet is missing, so a refactor of impl cannot silently turn a reintroduction
  into a no-op);
* **references** (used by the guards): a float64 central-difference VJP check (:func:`gradcheck`), a
  torch comparison of forward and VJP with a random cotangent (:func:`check_vs_torch`), and twin-model
  helpers (:func:`copy_weights`, :func:`assert_param_grads_match`);
* :func:`no_crash`, which turns an unexpected exception inside a guard into an AssertionError naming the
  check, so that "the guard fails" always means an AssertionError (the meta-test insists on it).
"""
from __future__ import annotations

import ast
import contextlib
import inspect
import sys
import textwrap
import types

import numpy as np

import impl
from reference import assertions as _assertions
from reference.opspec import DEFAULT_TOL

# ---- patching ------------------------------------------------------------------------------------


def _impl_modules():
    return [m for name, m in list(sys.modules.items()) if m is not None and (name == "impl" or name.startswith("impl."))]


def _impl_classes():
    seen, out = set(), []
    for m in _impl_modules():
        for v in list(vars(m).values()):
            if isinstance(v, type) and (v.__module__ or "").startswith("impl") and id(v) not in seen:
                seen.add(id(v))
                out.append(v)
    return out


def _rebuild_with_cells(fn, orig, new):
    """A copy of ``fn`` whose closure cells holding ``orig`` hold ``new`` instead (None if none did)."""
    cells = fn.__closure__ or ()
    if not any(_cell_is(c, orig) for c in cells):
        return None
    new_cells = tuple(types.CellType(new) if _cell_is(c, orig) else c for c in cells)
    g = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, new_cells)
    g.__kwdefaults__ = fn.__kwdefaults__
    g.__dict__.update(fn.__dict__)
    g.__qualname__ = fn.__qualname__
    return g


def _cell_is(cell, obj):
    try:
        return cell.cell_contents is obj
    except ValueError:  # empty cell
        return False


@contextlib.contextmanager
def swap_function(orig, new):
    """Replace the function ``orig`` by ``new`` wherever impl holds it, for the duration.

    Covers: globals of every loaded ``impl.*`` module (``from .x import f`` copies and ``mod.f`` lookups),
    attributes of impl classes (Tensor methods and operators bound by ``impl/_methods.py``), wrappers whose
    closure captured ``orig`` (``__rsub__ = _swap(sub)``), and properties whose getter is ``orig``.
    Raises if ``orig`` was found nowhere (the patch would be a silent no-op)."""
    undo = []
    try:
        for m in _impl_modules():
            for k, v in list(vars(m).items()):
                if v is orig:
                    undo.append((m, k, v))
                    setattr(m, k, new)
        for cls in _impl_classes():
            for k, v in list(vars(cls).items()):
                repl = None
                if v is orig:
                    repl = new
                elif isinstance(v, types.FunctionType):
                    repl = _rebuild_with_cells(v, orig, new)
                elif isinstance(v, property) and v.fget is orig:
                    repl = property(new, v.fset, v.fdel, v.__doc__)
                if repl is not None:
                    undo.append((cls, k, v))
                    setattr(cls, k, repl)
        if not undo:
            raise RuntimeError(f"swap_function: {getattr(orig, '__qualname__', orig)!r} is not referenced anywhere in impl")
        yield
    finally:
        for owner, k, v in reversed(undo):
            setattr(owner, k, v)


@contextlib.contextmanager
def swap_attr(owner, name, new):
    """``setattr(owner, name, new)`` for the duration (``new is DELETE`` removes the attribute)."""
    had = name in vars(owner)
    old = vars(owner).get(name)
    if not had and not hasattr(owner, name):
        raise RuntimeError(f"swap_attr: {owner!r} has no attribute {name!r}")
    try:
        if new is DELETE:
            if had:
                delattr(owner, name)
        else:
            setattr(owner, name, new)
        yield
    finally:
        if had:
            setattr(owner, name, old)
        elif name in vars(owner):
            delattr(owner, name)


DELETE = object()


def rewrite_source(fn, *replacements, extra_globals=None):
    """Compile a copy of ``fn`` with each ``(old, new)`` source snippet replaced.

    Each ``old`` must occur exactly once in ``fn``'s source (else RuntimeError). The copy runs in ``fn``'s
    module globals (plus ``extra_globals``), so it sees impl exactly as the original does. Decorators are dropped:
    the copy is the bare function (re-running ``@op`` would declare the op a second time)."""
    src = textwrap.dedent(inspect.getsource(fn))
    for old, new in replacements:
        n = src.count(old)
        if n != 1:
            raise RuntimeError(f"rewrite_source: {old!r} occurs {n} times in {fn.__qualname__} (expected exactly once)")
        src = src.replace(old, new)
    glb = fn.__globals__
    if extra_globals:
        glb = dict(glb)
        glb.update(extra_globals)
    tree = ast.parse(src)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.decorator_list = []
    ns = {}
    exec(compile(tree, f"<reintroduced {fn.__module__}.{fn.__qualname__}>", "exec"), glb, ns)
    out = ns[fn.__name__]
    out.__qualname__ = fn.__qualname__
    return out


@contextlib.contextmanager
def rewritten_variants(patches, variant=None):
    """``reintroduce`` for an entry with source patches per variant: ``patches`` maps a variant name to
    ``(function, (old, new), ...)`` or a list of those; every function of ``variant`` (all of them for None) is
    swapped for its ``rewrite_source`` copy for the duration."""
    chosen = [variant] if variant else list(patches)
    with contextlib.ExitStack() as es:
        for name in chosen:
            for fn, *replacements in patches[name] if isinstance(patches[name], list) else [patches[name]]:
                es.enter_context(swap_function(fn, rewrite_source(fn, *replacements)))
        yield


@contextlib.contextmanager
def stack(*contexts):
    """Enter several patch contexts as one."""
    with contextlib.ExitStack() as es:
        for c in contexts:
            es.enter_context(c)
        yield


def rewrap(t, requires_grad=False):
    """The historical graph cut: ``Tensor(x.data)`` -- the same values, no history."""
    return impl.Tensor._wrap(np.array(t._data, copy=True), requires_grad=requires_grad)


# ---- guard helpers ------------------------------------------------------------------------------


@contextlib.contextmanager
def no_crash(what):
    """Inside a guard: any non-assertion exception becomes an AssertionError naming the check."""
    try:
        yield
    except AssertionError:
        raise
    except Exception as e:  # noqa: BLE001 - that is the point
        raise AssertionError(f"[{what}] raised {type(e).__name__}: {e}") from e


def to_np(x):
    if x is None:
        return None
    if isinstance(x, impl.Tensor):
        return np.array(x._data, copy=True)
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy().copy()
    return np.array(x, copy=True)


def assert_close(actual, expected, what, rtol=DEFAULT_TOL["float32"]["rtol"], atol=DEFAULT_TOL["float32"]["atol"]):
    """The suite's one comparison (reference.assertions.assert_close: shape, dtype, nan-aware values, the worst
    errors on failure), labelled with the guard's ``what``; float32 defaults."""
    if actual is None:
        raise AssertionError(f"[{what}] impl gave None, expected an array of shape {np.shape(to_np(expected))}")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # exact (rtol=atol=0): the error ratio
        _assertions.assert_close(actual, expected, rtol=rtol, atol=atol, what=what)


def rng(seed=0):
    return np.random.default_rng(seed)


def _torch():
    import torch

    return torch


def impl_vjp(fn, arrays, v, requires_grad=None):
    """Run ``fn(impl, *tensors)`` and backpropagate cotangent ``v``; return (out array, [grad or None])."""
    requires_grad = requires_grad or [True] * len(arrays)
    ts = [impl.tensor(a, requires_grad=bool(r) and a.dtype.kind == "f") for a, r in zip(arrays, requires_grad)]
    out = fn(impl, *ts)
    out.backward(impl.tensor(np.asarray(v, dtype=out._data.dtype)))
    return to_np(out), [to_np(t.grad) if t.requires_grad else None for t in ts]


def torch_vjp(fn, arrays, v, requires_grad=None):
    torch = _torch()
    requires_grad = requires_grad or [True] * len(arrays)
    ts = [torch.tensor(a, requires_grad=bool(r) and a.dtype.kind == "f") for a, r in zip(arrays, requires_grad)]
    out = fn(torch, *ts)
    out.backward(torch.tensor(np.asarray(v, dtype=to_np(out).dtype)))
    return to_np(out), [to_np(t.grad) if t.requires_grad else None for t in ts]


def check_vs_torch(fn, *arrays, what, requires_grad=None, rtol=None, atol=None, seed=1):
    """Forward and VJP of ``fn(lib, *tensors)`` in impl vs torch, with a random (never all-ones) cotangent.

    Tolerances default to torch.testing.assert_close's for the arrays' dtype."""
    f64 = any(a.dtype == np.float64 for a in arrays)
    rtol = rtol if rtol is not None else (1e-7 if f64 else 1.3e-6)
    atol = atol if atol is not None else (1e-7 if f64 else 1e-5)
    with no_crash(f"{what}: torch reference"):
        t_out_probe = fn(_torch(), *[_torch().tensor(a) for a in arrays])
    v = rng(seed).standard_normal(tuple(t_out_probe.shape)).astype(to_np(t_out_probe).dtype)
    t_out, t_grads = torch_vjp(fn, arrays, v, requires_grad)
    with no_crash(what):
        i_out, i_grads = impl_vjp(fn, arrays, v, requires_grad)
    assert_close(i_out, t_out, f"{what}: forward", rtol, atol)
    for k, (gi, gt) in enumerate(zip(i_grads, t_grads)):
        if gt is None:
            continue
        assert_close(gi, gt, f"{what}: grad of input {k}", rtol, atol)


def numeric_vjp(fn, arrays, v, eps=1e-6):
    """Central differences in float64: d(sum(v * fn(x)))/dx for every float input."""
    arrays = [np.array(a, dtype=np.float64) if a.dtype.kind == "f" else a for a in arrays]
    out = []
    with impl.no_grad():
        def scalar(xs):
            return float(np.sum(v * to_np(fn(impl, *[impl.tensor(x) for x in xs]))))

        for i, a in enumerate(arrays):
            if a.dtype.kind != "f":
                out.append(None)
                continue
            g = np.zeros_like(a)
            flat = g.reshape(-1)
            for j in range(a.size):
                xs = [x.copy() for x in arrays]
                xs[i].reshape(-1)[j] += eps
                up = scalar(xs)
                xs[i].reshape(-1)[j] -= 2 * eps
                down = scalar(xs)
                flat[j] = (up - down) / (2 * eps)
            out.append(g)
    return out


def gradcheck(fn, *arrays, what, rtol=1e-5, atol=1e-7, seed=2):
    """impl's float64 VJP of ``fn(impl, *tensors)`` against central differences (independent of torch).

    The tolerance is the usual one for eps=1e-6 central differences in float64 (truncation ~1e-10 relative
    to the curvature, rounding ~1e-10): rtol 1e-5 leaves room for both on O(1) values."""
    arrays = [np.array(a, dtype=np.float64) if a.dtype.kind == "f" else a for a in arrays]
    with no_crash(what):
        with impl.no_grad():
            shape = to_np(fn(impl, *[impl.tensor(a) for a in arrays])).shape
        v = rng(seed).standard_normal(shape)
        _, analytic = impl_vjp(fn, arrays, v)
    numeric = numeric_vjp(fn, arrays, v)
    for k, (ga, gn) in enumerate(zip(analytic, numeric)):
        if gn is None:
            continue
        if ga is None:
            raise AssertionError(f"[{what}] input {k} received no gradient; finite differences say {gn.ravel()[:4]}...")
        assert_close(ga, gn, f"{what}: input {k} vs float64 finite differences", rtol, atol)


# ---- twin models ---------------------------------------------------------------------------------


def copy_weights(src_torch, dst_impl):
    """Load the torch model's state_dict into the impl twin by key (the keys must match exactly)."""
    sd = src_torch.state_dict()
    mine = dst_impl.state_dict()
    if list(sd) != list(mine):
        raise AssertionError(f"twins differ in state_dict keys: torch {list(sd)} vs impl {list(mine)}")
    dst_impl.load_state_dict({k: impl.tensor(to_np(v)) for k, v in sd.items()}, strict=True)
    return dst_impl


def assert_param_grads_match(impl_model, torch_model, what, rtol=1e-5, atol=1e-6):
    """EVERY parameter's gradient in impl equals torch's (by name); a missing gradient fails with the list
    of parameters that received none. The default tolerance is looser than assert_close's float32
    default because a model's gradients go through a chain of float32 reductions whose summation
    order differs between numpy and torch's kernels."""
    ip, tp = dict(impl_model.named_parameters()), dict(torch_model.named_parameters())
    if list(ip) != list(tp):
        raise AssertionError(f"[{what}] parameter names differ: impl {list(ip)} vs torch {list(tp)}")
    missing = [n for n in tp if tp[n].grad is not None and ip[n].grad is None]
    if missing:
        raise AssertionError(
            f"[{what}] {len(missing)}/{len(tp)} parameters received no gradient in impl: {missing}"
        )
    for n in tp:
        if tp[n].grad is None:
            if ip[n].grad is not None and np.any(to_np(ip[n].grad)):
                raise AssertionError(f"[{what}] {n}: torch gives no gradient but impl has a nonzero one")
            continue
        assert_close(ip[n].grad, tp[n].grad, f"{what}: grad of {n}", rtol, atol)


def seed_torch(seed=0):
    _torch().manual_seed(seed)


def impl_snapshot():
    """Identity of every attribute of every impl module and class, per namespace: (names, ids of the values).
    Equal before and after a reintroduce() means the patch was fully undone (``snapshot_changes`` names what was
    not). Kept as two tuples per namespace, compared as wholes: ~10x cheaper than one dict entry per attribute,
    and the meta-test takes two snapshots for each of its ~170 cases."""
    spaces = [(m.__name__, m) for m in _impl_modules()]
    spaces += [(f"{cls.__module__}.{cls.__qualname__}", cls) for cls in _impl_classes()]
    snap = {}
    for name, space in spaces:
        d = vars(space)
        snap[name] = (tuple(d), tuple(map(id, d.values())))
    return snap


def snapshot_changes(before, after):
    """The ``namespace.attribute`` names whose value (identity) differs between two ``impl_snapshot()``s."""
    changed = []
    for name, (keys, ids) in before.items():
        if after.get(name) == (keys, ids):
            continue
        new_keys, new_ids = after.get(name, ((), ()))
        old, new = dict(zip(keys, ids)), dict(zip(new_keys, new_ids))
        changed += [f"{name}.{k}" for k in sorted(old.keys() | new.keys())
                    if old.get(k) != new.get(k) and not (k in _LAZY_CACHES and k not in old)]
    return changed


# Attributes Python adds on first use and keeps: copyreg caches a class's slot names at its first copy.deepcopy or
# pickle, the warnings module records in a module which warnings it has shown. Appearing is not a patch left behind.
_LAZY_CACHES = frozenset({"__slotnames__", "__warningregistry__"})


@contextlib.contextmanager
def must_raise(exc_type, match, what):
    """Like pytest.raises, but failing with an AssertionError (pytest's Failed is not one)."""
    import re

    try:
        yield
    except exc_type as e:
        if not re.search(match, str(e)):
            raise AssertionError(f"[{what}] raised {type(e).__name__} but the message {str(e)!r} does not match /{match}/") from e
        return
    except AssertionError:
        raise
    except Exception as e:  # noqa: BLE001
        raise AssertionError(f"[{what}] raised {type(e).__name__}: {e} (torch raises {exc_type.__name__})") from e
    raise AssertionError(f"[{what}] did not raise {exc_type.__name__} (torch does)")


def assert_raises_like_torch(impl_call, torch_call, what, match=None):
    """torch's call raises; impl's must raise the same exception class (and match ``match`` if given)."""
    try:
        torch_call()
    except Exception as e:  # noqa: BLE001
        t_exc = type(e)
    else:
        raise RuntimeError(f"[{what}] the torch reference does not raise; this check needs one that does")
    with must_raise(t_exc, match or "", what):
        impl_call()


def assert_cases_raise_like_torch(cases):
    """Each ``(what, call(lib), match)``: torch's call raises, impl's raises the same class and matches ``match``."""
    import torch

    for what, call, match in cases:
        assert_raises_like_torch(lambda c=call: c(impl), lambda c=call: c(torch), what, match)


def assert_graph_like_torch(i_out, t_out, i_in, t_in, what):
    """Same autograd metadata as torch: requires_grad, is_leaf, grad_fn's name, and whether the op returned
    its input object itself."""
    i = (i_out.requires_grad, i_out.is_leaf, i_out.grad_fn.name if i_out.grad_fn is not None else None, i_out is i_in)
    t = (t_out.requires_grad, t_out.is_leaf, t_out.grad_fn and t_out.grad_fn.name(), t_out is t_in)
    if i != t:
        raise AssertionError(
            f"[{what}] graph metadata (requires_grad, is_leaf, grad_fn, returns its input) differ: impl {i} vs torch {t}"
        )
