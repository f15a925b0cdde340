"""The engine: grad mode, graph nodes, and the one backward walk.

Every differentiable primitive calls :func:`apply` with its forward result and a closure that maps
the output gradient to one gradient per input (numpy arrays in, numpy arrays out). The engine then
reduces each of those gradients to its input's shape and dtype — the only place where broadcasting is
undone — and walks the graph in an iterative topological order.
"""
import sys

import numpy as np

from . import _tape

Tensor = None  # set by impl/_tensor.py once the class exists (avoids an import per op)
_new_tensor = object.__new__


class _GradMode:
    enabled = True


def is_grad_enabled():
    return _GradMode.enabled


class _GradModeContext:
    _value = None

    def __enter__(self):
        self._prev = _GradMode.enabled
        _GradMode.enabled = self._value

    def __exit__(self, *exc):
        _GradMode.enabled = self._prev
        return False

    def __call__(self, fn):  # also usable as a decorator, as torch's
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    _value = False


class enable_grad(_GradModeContext):
    _value = True


class set_grad_enabled(_GradModeContext):
    def __init__(self, mode):
        self._value = bool(mode)
        self._prev = _GradMode.enabled
        _GradMode.enabled = self._value  # torch applies it on construction too

    def __enter__(self):
        pass


class Node:
    """One recorded op: its inputs, its backward closure and the versions of what it saved."""

    __slots__ = ("name", "inputs", "backward", "saved", "retained", "__weakref__")

    def __init__(self, name, inputs, backward, saved):
        self.name = name
        self.inputs = inputs
        self.backward = backward
        self.saved = saved
        self.retained = None

    def name_(self):
        return self.name

    @property
    def next_functions(self):
        return tuple((t.grad_fn if t is not None else None, 0) for t in self.inputs)

    def __repr__(self):
        return f"<{self.name} object>"


# In ``saved``: the closure reads the op's own output array. An in-place op on the output must then make the
# backward raise, as torch's saved-result check does (regression 048).
class _Output:
    __slots__ = ()

    def __repr__(self):
        return "OUTPUT"


OUTPUT = _Output()


class _SavedOutput:
    """What a node keeps of its output to version-check it: the shared version counter and the shape. Not the
    tensor itself -- that would be a reference cycle (output -> grad_fn -> output)."""

    __slots__ = ("_version", "shape")

    def __init__(self, t):
        self._version = t._version
        self.shape = t._data.shape


def apply(name, out, inputs, backward, saved=()):
    """Wrap a primitive's forward result ``out`` (ndarray) into a Tensor and record it if needed.

    ``inputs`` are the Tensors (or None) the closure ``backward(g) -> tuple`` returns gradients for;
    ``saved`` are the input Tensors whose *values* the closure reads (version-checked at backward), and
    ``OUTPUT`` if it reads ``out``.
    """
    t = _new_tensor(Tensor)
    # numpy turns 0-d results into numpy scalars (np.float32(1) * 2): keep _data an ndarray always.
    t._data = out if type(out) is np.ndarray else np.asarray(out)
    t.grad = None
    t._version = [0]
    t._base = None
    if _GradMode.enabled:
        for i in inputs:
            if i is not None and i.requires_grad:
                t.requires_grad = True
                t.grad_fn = Node(name, inputs, backward, tuple(
                    (_SavedOutput(t), 0) if s is OUTPUT else (s, s._version[0]) for s in saved if s is not None))
                break
        else:
            t.requires_grad = False
            t.grad_fn = None
    else:
        t.requires_grad = False
        t.grad_fn = None
    if _tape.active is not None:
        _tape.active.record(name, inputs, t)
    return t


def unbroadcast(g, shape):
    """Sum ``g`` down to ``shape``: the inverse of numpy broadcasting, done only here."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra < 0:
        return np.broadcast_to(g, shape)
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and g.shape[i + extra] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if extra:
        g = g.reshape(shape)
    return g


def _topological_order(roots):
    """Nodes reachable from ``roots`` in reverse post-order (iterative: deep graphs must not recurse)."""
    order, visited = [], set()
    stack = [(n, False) for n in roots]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        if node.inputs is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors "
                "after they have already been freed). Specify retain_graph=True if you need to backward "
                "through the graph a second time."
            )
        for inp in node.inputs:
            if inp is not None and inp.grad_fn is not None and id(inp.grad_fn) not in visited:
                stack.append((inp.grad_fn, False))
    order.reverse()
    return order


def _check_versions(node):
    for tensor, version in node.saved:
        if tensor._version[0] != version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: [{node.name}, shape {list(tensor.shape)}] is at version {tensor._version[0]}; "
                f"expected version {version} instead."
            )


def _as_array(g):
    """numpy folds 0-d arithmetic into numpy scalars (np.asarray(2.) * 2 is an np.float64); every backward closure
    receives an ndarray, so none has to guard against scalars when it indexes its gradient (regression 050)."""
    return g if type(g) is np.ndarray else np.asarray(g)


def run_backward(outputs, grad_outputs, retain_graph=False, inputs=None):
    """Backpropagate. With ``inputs`` given (autograd.grad), return their gradients instead of
    accumulating into leaves' ``.grad``."""
    from ._tensor import Tensor

    grads = {}  # id(node) -> accumulated gradient of that node's output
    roots = []
    for out, g in zip(outputs, grad_outputs):
        if not out.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        if out.grad_fn is None:  # a leaf: its gradient is the seed itself
            if inputs is None:
                _accumulate_leaf(out, g)
            continue
        key = id(out.grad_fn)
        grads[key] = grads[key] + g if key in grads else g
        roots.append(out.grad_fn)

    wanted = None
    captured = {}
    if inputs is not None:
        wanted = {}
        for i, t in enumerate(inputs):
            wanted.setdefault(id(t.grad_fn) if t.grad_fn is not None else id(t), []).append(i)
        for out, g in zip(outputs, grad_outputs):
            if out.grad_fn is None and id(out) in wanted:  # a leaf output, possibly listed more than once: sum
                key = id(out)
                captured[key] = captured[key] + g if key in captured else g

    for node in _topological_order(roots):
        g = grads.pop(id(node), None)
        if g is None:
            continue
        g = _as_array(g)
        if wanted is not None and id(node) in wanted:
            captured[id(node)] = g
        if node.retained is not None:
            t = node.retained()
            if t is not None:
                t.grad = Tensor._wrap(np.array(g, dtype=t._data.dtype))
        _check_versions(node)
        if _tape.active is not None:
            _tape.active.record_backward(node, g)
        in_grads = list(node.backward(g))
        n_in = len(in_grads)
        for k, inp in enumerate(node.inputs):
            if k >= n_in:
                break
            gi = in_grads[k]
            in_grads[k] = None  # so that a leaf can take ownership of a fresh gradient (_accumulate_leaf)
            if gi is None or inp is None or not inp.requires_grad:
                continue
            d = inp._data
            if gi.shape != d.shape:
                gi = unbroadcast(gi, d.shape)
            if gi.dtype != d.dtype:
                gi = gi.astype(d.dtype)
            f = inp.grad_fn
            if f is None:
                if wanted is None:
                    _accumulate_leaf(inp, gi)
                elif id(inp) in wanted:
                    key = id(inp)
                    captured[key] = captured[key] + gi if key in captured else gi
            else:
                key = id(f)
                grads[key] = grads[key] + gi if key in grads else gi
        if not retain_graph:
            node.inputs = None
            node.backward = None
            node.saved = ()

    if inputs is not None:
        result = [None] * len(inputs)
        for key, idxs in wanted.items():
            if key in captured:
                for i in idxs:
                    result[i] = Tensor._wrap(np.array(captured[key], dtype=inputs[i]._data.dtype))
        return tuple(result)
    return None


def _accumulate_leaf(t, g):
    if t.grad is None:
        if sys.getrefcount(g) <= _SOLE_REFS and g.base is None and g.dtype == t._data.dtype and g.flags.writeable:
            # Nothing but the engine's locals holds this fresh array: take it as the .grad (as torch steals a
            # uniquely-owned gradient) instead of copying it.
            t.grad = Tensor._wrap(g)
        else:
            # Copy: closures may hand the same array to several inputs, or return one they keep.
            t.grad = Tensor._wrap(np.array(g, dtype=t._data.dtype, copy=True))
    else:
        t.grad._data += g


def _sole_refs():
    """sys.getrefcount of an array inside _accumulate_leaf when only the caller's local ``gi`` holds it
    (measured, not assumed: the count of stack references differs between Python versions)."""

    def probe(g):
        return sys.getrefcount(g)

    gi = np.empty(1)
    return probe(gi)


_SOLE_REFS = _sole_refs()


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None):
    """torch.autograd.grad: gradients of ``outputs`` w.r.t. ``inputs``, leaving ``.grad`` untouched."""
    from ._tensor import Tensor

    if create_graph:
        raise NotImplementedError("impl.autograd.grad: create_graph=True (higher-order gradients) is not supported")
    single_in = isinstance(inputs, Tensor)
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    inputs = (inputs,) if single_in else tuple(inputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    seeds = [_seed(o, g, "grad") for o, g in zip(outputs, grad_outputs)]
    result = run_backward(outputs, seeds, retain_graph=bool(retain_graph), inputs=inputs)
    if not allow_unused:
        for r in result:
            if r is None:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
    return result


def _seed(out, gradient, who):
    if gradient is None:
        if out._data.size != 1:
            raise RuntimeError(
                f"{who} can be implicitly created only for scalar outputs "
                f"(got output of shape {tuple(out.shape)}); pass gradient="
            )
        return np.ones_like(out._data)
    g = gradient._data if hasattr(gradient, "_data") else np.asarray(gradient, dtype=out._data.dtype)
    if g.shape != out._data.shape:
        raise RuntimeError(
            f"{who}: Mismatch in shape: grad_output has shape {tuple(g.shape)} "
            f"and output has shape {tuple(out._data.shape)}"
        )
    return g.astype(out._data.dtype, copy=False)
