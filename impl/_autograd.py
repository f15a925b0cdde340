"""The engine: grad mode, graph nodes, and the one backward walk.

Every differentiable primitive records itself with one of two calls:

- :func:`apply`: its derivative is a closure written with impl ops (Tensors in, Tensors out). Without
  ``create_graph`` the engine runs it in no-grad mode, so it costs a few plain numpy calls; with
  ``create_graph=True`` it runs with grad mode on and the backward pass records a graph of its own
  (gradients of gradients, to any order).
- :func:`apply_fused`: a fused kernel whose derivative is a numpy closure (arrays in, arrays out) for
  speed; its ``composite`` (the same op written with impl ops) is what ``create_graph`` differentiates.

The engine reduces each returned gradient to its input's shape and dtype — the only place where
broadcasting is undone — and walks the graph in an iterative topological order.
"""
import sys
import traceback
import warnings
import weakref
from collections import OrderedDict

import numpy as np

from . import _dtype, _tape

Tensor = None  # set by impl/_tensor.py once the class exists (avoids an import per op)
_new_tensor = object.__new__


class _GradMode:
    enabled = True


class _Anomaly:
    """impl.autograd.detect_anomaly / set_detect_anomaly: record forward tracebacks, check gradients for nan."""
    enabled = False
    check_nan = True


def _dead_view(t):
    """A view made under no_grad of a tensor that requires grad: it requires grad (its base's flag) but no gradient
    reaches it or through it, and a backward from it raises, as torch's (regression 055)."""
    if t.grad_fn is not None or t._base is None:
        return False
    meta = getattr(t, "_view_meta", None)
    return meta is not None and meta.no_grad and t._base.requires_grad


class _Views:
    """An op input that is a view whose base changed since its history was made gets that history regenerated
    first (impl/ops/_views.py sets ``refresh``)."""
    refresh = None


class _Inference:
    """impl.inference_mode: ``enabled`` while inside; ``used`` once any inference tensor exists (until then the
    engine skips looking for them)."""
    enabled = False
    used = False


def retain_follows(t, old):
    """``t`` got a new history in place (its node was ``old``): a ``retain_grad`` on ``t`` follows it to the new node,
    as torch re-registers its retain-grad hook, so ``.grad`` is the gradient of ``t``'s current value."""
    if old is not None and old is not t.grad_fn and old.retained is not None and old.retained() is t:
        old.retained = None
        if t.grad_fn is not None:
            t.grad_fn.retained = weakref.ref(t)


def _refresh_view(t):
    """Bring view ``t``'s history up to date with its base's before it is used (an op input, a backward root). A view
    made under no_grad, or one of several views returned together (split, chunk, unbind), whose base changed in place
    has no history to regenerate: torch raises then, and so does this."""
    meta = getattr(t, "_view_meta", None)
    if meta is not None and meta.no_grad and meta.version != t._version[0] and t._base.requires_grad:
        raise RuntimeError(
            "A view was created in no_grad mode and its base or another view of its base has been modified inplace "
            "with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can "
            "clarify your code by moving both the view and the inplace either both inside the no_grad block (if you "
            "don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."
        )
    if (meta is not None and meta.multi is not None and meta.version != t._version[0] and not meta.no_grad
            and t._base.requires_grad):
        raise RuntimeError(
            f"Output 0 of {meta.multi} is a view and its base or another view of its base has been modified inplace. "
            "This view is the output of a function that returns multiple views. Such functions do not allow the output "
            "views to be modified inplace. You should replace the inplace operation by an out-of-place one."
        )
    _Views.refresh(t)


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

    def __new__(cls, orig_func=None):  # torch's: @enable_grad without parentheses decorates the function itself
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class inference_mode(_GradModeContext):
    """torch.inference_mode: no graph is recorded, and tensors made inside are inference tensors, which autograd
    refuses to save for a backward later (``is_inference()``). ``inference_mode(False)`` is a no-op scope."""

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def __enter__(self):
        self._prev = (_GradMode.enabled, _Inference.enabled)
        if self.mode:
            _GradMode.enabled = False
            _Inference.enabled = _Inference.used = True
        else:
            _Inference.enabled = False

    def __exit__(self, *exc):
        _GradMode.enabled, _Inference.enabled = self._prev
        return False

    def __call__(self, fn):
        import functools

        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return fn(*args, **kwargs)

        return wrapper


def is_inference_mode_enabled():
    return _Inference.enabled


class set_grad_enabled(_GradModeContext):
    def __init__(self, mode):
        self._value = bool(mode)
        self._prev = _GradMode.enabled
        _GradMode.enabled = self._value  # torch applies it on construction too

    def __enter__(self):
        pass


class Node:
    """One recorded op: its inputs, its backward closure and the versions of what it saved.

    ``fused``: the closure maps arrays to arrays and ``composite`` (or None) re-expresses the op in impl ops
    for ``create_graph``. Otherwise the closure maps Tensors to Tensors; ``out_data`` is set when it reads the
    op's output (it is then called as ``backward(g, out)``)."""

    __slots__ = ("name", "inputs", "edges", "backward", "saved", "retained", "fused", "composite", "out_data", "hooks",
                 "node_hooks", "trace", "released", "hidden", "__weakref__")

    def __init__(self, name, inputs, backward, saved, fused=False, composite=None, out_data=None):
        self.name = name
        self.inputs = inputs
        # Where each input's gradient goes, fixed now (torch's edges): the node that made it, the leaf itself, or
        # None if it did not require grad. A later in-place op gives the tensor a new history; this node keeps the
        # one its input had when it ran (regression 056).
        # A view made under no_grad (a leaf with a base) requires grad but accumulates nothing, as torch's.
        # (A loop, not a generator: this runs for every recorded op, and the generator's frame cost more than the
        # checks; _dead_view is asked only about a leaf that has a base.)
        edges = []
        for i in inputs:
            if i is None or not i.requires_grad:
                edges.append(None)
            elif i.grad_fn is not None:
                edges.append(i.grad_fn)
            else:
                edges.append(None if i._base is not None and _dead_view(i) else i)
        self.edges = tuple(edges)
        self.backward = backward
        self.saved = saved
        self.retained = None
        self.fused = fused
        self.composite = composite
        self.out_data = out_data
        self.hooks = None  # Tensor.register_hook on this node's output: run on its gradient before the closure
        self.node_hooks = None  # register_prehook / register_hook on the node itself (_NodeHooks), made on first use
        self.trace = None  # the forward traceback, kept under anomaly detection
        self.released = False  # a backward without retain_graph released what it saved: running it again raises
        self.hidden = False  # torch's node saves a tensor no user holds (HIDDEN in ``saved``)

    def name_(self):
        return self.name

    def register_prehook(self, fn):
        """torch's Node.register_prehook: ``fn(grad_outputs)`` runs before the node, after the tensor hooks of its
        output; a returned tuple replaces ``grad_outputs``. Returns a handle whose ``remove()`` unregisters it."""
        return _add_node_hook(self, fn, pre=True)

    def register_hook(self, fn):
        """torch's Node.register_hook: ``fn(grad_inputs, grad_outputs)`` runs after the node, ``grad_inputs`` holding
        None for each input that does not require grad; a returned tuple replaces ``grad_inputs``."""
        return _add_node_hook(self, fn, pre=False)

    @property
    def next_functions(self):
        return tuple((e if isinstance(e, Node) else None, 0) for e in (self.edges or ()))

    def __repr__(self):
        return f"<{self.name} object>"


class _NodeHooks:
    """A node's own hooks (torch's Node pre-hooks and post-hooks), each an OrderedDict of handle id -> hook. They sit
    in one slot so that a node without any costs the engine a single attribute check."""

    __slots__ = ("pre", "post")

    def __init__(self):
        self.pre, self.post = OrderedDict(), OrderedDict()


def _add_node_hook(node, fn, pre):
    from .utils.hooks import add_hook

    if node.node_hooks is None:
        node.node_hooks = _NodeHooks()
    return add_hook(node.node_hooks.pre if pre else node.node_hooks.post, fn)


# In ``saved``: the closure reads the op's own output array. An in-place op on the output must then make the
# backward raise, as torch's saved-result check does (regression 048).
class _Output:
    __slots__ = ()

    def __repr__(self):
        return "OUTPUT"


OUTPUT = _Output()


# In ``saved``: torch's node saves a tensor that no user holds -- a Python scalar it wrapped into a tensor (``x * 2``),
# indices it computed (``max(dim)``) -- so nothing can modify it, but the node is released after a backward without
# retain_graph like any node that saved something, and running it again raises, as torch's.
class _Hidden:
    __slots__ = ()

    def __repr__(self):
        return "HIDDEN"


HIDDEN = _Hidden()


class _SavedOutput:
    """What a node keeps of its output to version-check it: the shared version counter and the shape. Not the
    tensor itself -- that would be a reference cycle (output -> grad_fn -> output)."""

    __slots__ = ("_version", "shape")

    def __init__(self, t):
        self._version = t._version
        self.shape = t._data.shape


def needed(t, *by):
    """``t`` if one of the inputs ``by`` requires grad, else None (which ``saved`` ignores): torch saves a tensor only
    for the gradients that read it (derivatives.yaml, ``should_compute_output``), so ``x * w`` with a ``w`` that does
    not require grad saves ``w`` and not ``x``, and an in-place edit of ``x`` afterwards is allowed. (torch guards a
    tensor this way only when a single gradient reads it; one read by two is listed in ``saved`` directly.)"""
    if _GradMode.enabled:
        for b in by:  # a loop, not any(<generator>): this runs for most recorded ops
            if b is not None and b.requires_grad:
                return t
    return None


def also_saves(t, *tensors):
    """Make the node that produced ``t`` version-check ``tensors`` too, and return ``t``: for a composite whose torch
    counterpart is one node that saves an input the composite's own nodes do not read (an input torch's backward reads
    only for its shape, or reads where the composite's derivative reads an intermediate instead)."""
    node = t.grad_fn
    if node is not None and not node.released:
        node.saved = node.saved + tuple((s, s._version[0]) for s in tensors if s is not None)
    return t


def apply(name, out, inputs, backward, saved=()):
    """Wrap a primitive's forward result ``out`` (ndarray) into a Tensor and record it if needed.

    ``inputs`` are the Tensors (or None) the closure ``backward(g) -> tuple`` returns gradients for, one per
    input, written with impl ops on Tensors; ``saved`` are the input Tensors whose *values* the closure reads
    (version-checked at backward), and ``OUTPUT`` if it reads the output, which it then receives as its second
    argument: ``backward(g, out)``.
    """
    return _record(name, out, inputs, backward, saved, False, None)


def apply_fused(name, out, inputs, backward, saved=(), composite=None):
    """Like :func:`apply` for a fused kernel whose derivative is a numpy closure (ndarrays in, ndarrays out).

    ``composite(*inputs)`` recomputes the op with impl ops; ``create_graph`` differentiates it. Without a
    composite the op is differentiable once, and a ``create_graph`` backward through it raises.
    """
    return _record(name, out, inputs, backward, saved, True, composite)


def _all_bfloat16(inputs):
    seen = False
    for i in inputs:
        if i is not None and i._data.dtype.kind == "f":
            if type(i._data) is not _dtype.BFloat16Array:
                return False
            seen = True
    return seen


def _record(name, out, inputs, backward, saved, fused, composite):
    if type(out) is np.ndarray and out.dtype == np.float32 and name != "ToCopyBackward0" and _all_bfloat16(inputs):
        # An op whose floating inputs are all bfloat16 but which computed a plain float32 array (numpy has no
        # bfloat16: windows, pads and scratch buffers are plain arrays) gets its result rounded once, as torch's.
        out = _dtype.cast_array(out, _dtype.bfloat16)
    t = _new_tensor(Tensor)
    # numpy turns 0-d results into numpy scalars (np.float32(1) * 2): keep _data an ndarray always.
    t._data = out if isinstance(out, np.ndarray) else np.asarray(out)
    t.grad = None
    t._version = [0]
    t._base = None
    t.requires_grad = False
    t.grad_fn = None
    if _GradMode.enabled:
        for i in inputs:  # one pass: refresh stale views, and see whether any input requires grad
            if i is not None:
                if i._base is not None:
                    _refresh_view(i)
                if i.requires_grad:
                    t.requires_grad = True
        if t.requires_grad:
            t.grad_fn = _node(t, name, inputs, backward, saved, fused, composite)
    if _Inference.enabled:
        t._inference = True
    if _forward_ad_level is not None:
        _forward_ad_level.propagate(t, name, inputs, backward, saved, fused, composite)
    if _tape.active is not None:
        _tape.active.record(name, inputs, t)
    return t


def _node(t, name, inputs, backward, saved, fused, composite):
    """The graph node of output ``t``: what it saved, at which versions (``OUTPUT``: ``t`` itself)."""
    reads_out = hidden = False
    saved_versions = []
    for s in saved:
        if s is HIDDEN:
            hidden = True
        elif s is OUTPUT:
            reads_out = True
            saved_versions.append((_SavedOutput(t), 0))
        elif s is not None:
            saved_versions.append((s, s._version[0]))
    node = Node(name, inputs, backward, tuple(saved_versions), fused, composite,
                t._data if reads_out and not fused else None)
    node.hidden = hidden
    if _Inference.used:
        _refuse_inference_tensors(name, saved)
    if _Anomaly.enabled:
        node.trace = traceback.format_stack()[:-4]
    return node


def _refuse_inference_tensors(name, saved):
    for s in saved:
        if s is not None and s is not OUTPUT and s is not HIDDEN and getattr(s, "_inference", False):
            raise RuntimeError(
                f"{name}: Inference tensors cannot be saved for backward. To work around you can make a clone to get "
                "a normal tensor and use it in autograd."
            )


# The active forward-mode AD level (impl.autograd.forward_ad sets it); None costs one check per op.
_forward_ad_level = None


def unbroadcast(g, shape):
    """Sum ``g`` down to ``shape``: the inverse of broadcasting, done only here. ``g`` is an ndarray, or under
    ``create_graph`` a Tensor (then the sum is recorded, so it is differentiated again)."""
    if tuple(g.shape) == shape:
        return g
    array = isinstance(g, np.ndarray)
    extra = g.ndim - len(shape)
    if extra < 0:
        return np.broadcast_to(g, shape) if array else g.expand(shape)
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and g.shape[i + extra] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True) if array else g.sum(dim=axes, keepdim=True)
    if extra:
        g = g.reshape(shape)
    return g


_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors after they have "
          "already been freed). Specify retain_graph=True if you need to backward through the graph a second time.")


def _topological_order(roots):
    """Nodes reachable from ``roots`` in reverse post-order (iterative: deep graphs must not recurse). A released
    node keeps its edges, as torch's: the walk goes through it, and only running it raises."""
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
        for e in node.edges:
            if type(e) is Node and id(e) not in visited:
                stack.append((e, False))
    order.reverse()
    return order


def _needed(order, wanted):
    """The nodes a backward for the ``wanted`` inputs must run (torch's exec_info): those some wanted input lies
    beyond. A wanted non-leaf's own node runs only if another wanted input lies beyond it (its gradient is captured
    before it), so ``grad(y, y)`` runs nothing -- even after ``y``'s graph was released."""
    needed = set()
    for node in reversed(order):  # every node after the nodes its edges lead to
        for e in node.edges:
            if e is not None and (id(e) in wanted or id(e) in needed):
                needed.add(id(node))
                break
    return needed


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
    return g if type(g) is np.ndarray else np.asanyarray(g)


def _node_output(node, graph):
    """The output a closure reads, rebuilt from the array the node kept (a Tensor whose history is ``node`` when a
    graph is being built, so that derivatives through it reach the inputs; torch's saved-variable unpacking)."""
    o = Tensor._wrap(node.out_data)
    if graph:
        o.requires_grad = True
        o.grad_fn = node
    return o


def _call_array(node, g):
    """First-order backward of one node: ndarrays in, ndarrays (or None) out, no graph recorded."""
    if node.fused:
        return list(node.backward(g))
    prev, tape = _GradMode.enabled, _tape.active
    _GradMode.enabled, _tape.active = False, None  # the ops of a derivative are part of its backward record
    try:
        gt = Tensor._wrap(g)
        res = node.backward(gt) if node.out_data is None else node.backward(gt, _node_output(node, False))
    finally:
        _GradMode.enabled, _tape.active = prev, tape
    return [r._data if isinstance(r, Tensor) else (None if r is None else _as_array(r)) for r in res]


def _call_graph(node, g):
    """``create_graph`` backward of one node (grad mode is on): Tensors in, Tensors out, recorded."""
    if node.fused:
        if node.composite is None:
            raise NotImplementedError(
                f"{node.name}: this op is differentiable once in impl; backward with create_graph=True "
                "(a gradient of its gradient) is not supported through it"
            )
        return _composite_grads(node, g)
    res = node.backward(g) if node.out_data is None else node.backward(g, _node_output(node, True))
    return [Tensor._wrap(_as_array(r)) if isinstance(r, np.ndarray) else r for r in res]


def _composite_grads(node, g):
    """Differentiate a fused op's composite at the node's inputs, building the graph of that backward."""
    want = []
    for i, t in enumerate(node.inputs):  # an input passed twice gets its whole gradient once
        if t is not None and t.requires_grad and all(t is not node.inputs[j] for j in want):
            want.append(i)
    out = node.composite(*node.inputs)
    found = run_backward((out,), (g,), retain_graph=True, inputs=[node.inputs[i] for i in want], create_graph=True)
    res = [None] * len(node.inputs)
    for i, gi in zip(want, found):
        res[i] = gi
    return res


def run_backward(outputs, grad_outputs, retain_graph=False, inputs=None, create_graph=False):
    """Backpropagate. With ``inputs`` given (autograd.grad), return their gradients instead of
    accumulating into leaves' ``.grad``. With ``create_graph`` gradients are Tensors whose history is the
    backward pass itself (recorded whatever the caller's grad mode, as torch's); otherwise the walk carries plain
    arrays, and hooks run with grad mode off (what they compute records no graph), as in torch."""
    prev = _GradMode.enabled
    _GradMode.enabled = create_graph  # torch's engine: grad mode is create_graph for the walk, hooks included
    try:
        return _run_backward(outputs, grad_outputs, retain_graph, inputs, create_graph)
    finally:
        _GradMode.enabled = prev


def _run_backward(outputs, grad_outputs, retain_graph, inputs, create_graph):
    grads = {}  # id(node) -> accumulated gradient of that node's output
    roots = []
    hooked = {}  # id(leaf) -> [leaf, gradient]: leaves with hooks get their summed gradient once, at the end
    accumulate = _accumulate_leaf_graph if create_graph else _accumulate_leaf

    def to_leaf(t, g):
        if not t.requires_grad:
            return  # requires_grad_(False) since the graph was made: torch's AccumulateGrad then accumulates nothing
        if getattr(t, "_hooks", None) or getattr(t, "_post_hooks", None):
            entry = hooked.get(id(t))
            if entry is None:
                hooked[id(t)] = [t, g]
            else:
                entry[1] = entry[1] + g
        else:
            accumulate(t, g)

    for out, g in zip(outputs, grad_outputs):
        if out._base is not None:
            _refresh_view(out)  # a view whose base changed in place since: its history is regenerated first, as torch
        if not out.requires_grad or _dead_view(out):
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        if out.grad_fn is None:  # a leaf: its gradient is the seed itself
            if inputs is None:
                to_leaf(out, g)
            continue
        key = id(out.grad_fn)
        grads[key] = grads[key] + g if key in grads else g
        roots.append(out.grad_fn)
        if out.grad_fn.released and out.grad_fn.retained is not None and out.grad_fn.retained() is out:
            _retain(out, g, create_graph)  # torch's retain-grad hook runs before the freed node raises

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

    order = _topological_order(roots)
    if wanted is None:
        if any(n.released for n in order):  # a plain backward runs every node: refuse before anything accumulates
            raise RuntimeError(_FREED)
        needed = None
    else:
        needed = _needed(order, wanted)
    for node in order:
        g = grads.pop(id(node), None)
        if g is None:
            continue
        if not create_graph:
            g = _as_array(g)
        if node.hooks:
            g = _run_hooks(node.hooks, g, create_graph)
        if wanted is not None and id(node) in wanted:
            captured[id(node)] = g
        skipped = needed is not None and id(node) not in needed
        if skipped and id(node) not in wanted:
            continue  # not run, and its output's gradient is not asked for: its retain-grad hook does not run either
        if node.retained is not None:
            t = node.retained()
            if t is not None:
                _retain(t, g, create_graph)
        if skipped:
            continue
        node_hooks = node.node_hooks
        if node_hooks is not None:
            g = _run_node_prehooks(node_hooks, g, create_graph)
        if node.released:
            raise RuntimeError(_FREED)
        _check_versions(node)
        if g is None:  # a node pre-hook took the gradient away: the node's inputs get none
            in_grads = [None] * len(node.edges)
        else:
            if _tape.active is not None:
                _tape.active.record_backward(node, g if not create_graph else g._data)
            in_grads = _call_graph(node, g) if create_graph else _call_array(node, g)
        if node_hooks is not None:
            in_grads = _run_node_posthooks(node, node_hooks, in_grads, g, create_graph)
        if _Anomaly.enabled and _Anomaly.check_nan:
            _check_nan(node, in_grads, node.inputs)
        n_in = len(in_grads)
        edges = node.edges
        for k, inp in enumerate(node.inputs):
            if k >= n_in:
                break
            gi = in_grads[k]
            in_grads[k] = None  # so that a leaf can take ownership of a fresh gradient (_accumulate_leaf)
            edge = edges[k]
            if gi is None or edge is None:
                continue
            gi = _fit_grad(gi, inp, create_graph)
            if type(edge) is not Node:  # a leaf
                if wanted is None:
                    if not edge.requires_grad or getattr(edge, "_hooks", None) or getattr(edge, "_post_hooks", None):
                        to_leaf(edge, gi)
                    else:  # called from here, so that _accumulate_leaf sees gi's references as _SOLE_REFS counts
                        accumulate(edge, gi)
                elif id(edge) in wanted:
                    key = id(edge)
                    captured[key] = captured[key] + gi if key in captured else gi
            else:
                key = id(edge)
                grads[key] = grads[key] + gi if key in grads else gi
        if not retain_graph:
            _release(node)

    for t, g in hooked.values():
        hooks = getattr(t, "_hooks", None)
        if hooks:
            g = _run_hooks(hooks, g, create_graph)
        accumulate(t, g)
        for hook in list((getattr(t, "_post_hooks", None) or {}).values()):
            hook(t)

    if inputs is not None:
        result = [None] * len(inputs)
        for key, idxs in wanted.items():
            if key in captured:
                for i in idxs:
                    c = captured[key]
                    leaf_hooks = getattr(inputs[i], "_hooks", None) if inputs[i].grad_fn is None else None
                    if leaf_hooks:
                        c = _run_hooks(leaf_hooks, c, create_graph)
                    if create_graph:
                        result[i] = c if c._data.dtype == inputs[i]._data.dtype else c.to(inputs[i].dtype)
                    else:
                        result[i] = Tensor._wrap(np.array(c, dtype=inputs[i]._data.dtype, subok=True))
        return tuple(result)
    return None


class _Shell:
    """What a released node keeps of an input: its shape and dtype and its flag. ``_data`` (a zero-stride array: no
    memory) is made only if the node runs again: every backward without retain_graph shells the inputs of each node
    that saved nothing, and building the array there cost more than running a view node's derivative."""

    __slots__ = ("_shape", "_dtype_of", "requires_grad")

    def __init__(self, t):
        self._shape = t._data.shape
        # the tensor's dtype (bfloat16's storage class too: a gradient is cast to its input's storage type)
        self._dtype_of = _dtype.of_array(t._data)
        self.requires_grad = t.requires_grad

    @property
    def _data(self):
        return np.broadcast_to(_dtype.full_array((), 0, self._dtype_of), self._shape, subok=True)

    @property
    def dtype(self):
        return self._dtype_of


def _release(node):
    """After a backward without retain_graph: torch releases what each node saved; a node that saved tensors cannot
    run again ("backward through the graph a second time"), one that saved none still can (``grad(x + x, x)``
    twice). Edges are kept either way; the inputs of a node that can run again are reduced to shells."""
    if node.released:
        return
    if node.saved or node.out_data is not None or node.hidden:
        node.released = True
        node.inputs = None
        node.backward = None
        node.saved = ()
        node.composite = None
        node.out_data = None
    elif not node.fused:  # a fused node's composite needs its real inputs (a create_graph pass through it)
        node.inputs = tuple(None if i is None else _Shell(i) for i in node.inputs)


def _retain(t, g, graph):
    """A retained non-leaf's .grad accumulates across backward passes, as a leaf's (regression 066)."""
    if not graph:
        g = Tensor._wrap(np.array(g, dtype=t._data.dtype, subok=True))
    t.grad = g if t.grad is None else (t.grad + g if graph else Tensor._wrap(t.grad._data + g._data))


def _run_hooks(hooks, g, graph):
    """Tensor hooks in registration order; a hook returning a Tensor replaces the gradient."""
    for hook in list(hooks.values()):
        r = hook(g if graph else Tensor._wrap(g))
        if r is not None:
            if tuple(r.shape) != tuple(g.shape):
                raise RuntimeError(f"hook '{getattr(hook, '__name__', hook)}' has changed the size of value: "
                                   f"expected {list(g.shape)}, got {list(r.shape)}")
            g = r if graph else _as_array(r._data)
    return g


def _hook_replacement(hook, r, n, graph):
    """A node hook's returned tuple, checked as torch checks it, its Tensors as the engine carries them (arrays
    unless a graph is being built)."""
    if not isinstance(r, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(r).__name__}'")
    if len(r) != n:
        raise RuntimeError(f"hook '{getattr(hook, '__name__', hook)}' has returned an incorrect number of values "
                           f"(got {len(r)}, but expected {n})")
    return [v if v is None or graph else _as_array(v._data) for v in r]


def _run_node_prehooks(hooks, g, graph):
    """Node pre-hooks in registration order on ``(g,)``; each sees what the one before returned. The gradient may
    come back None: the node then receives none (its inputs get none)."""
    if not hooks.pre:
        return g
    for hook in list(hooks.pre.values()):  # grad mode is create_graph's here, as for every hook (run_backward)
        r = hook((g if graph or g is None else Tensor._wrap(g),))
        if r is not None:
            (g,) = _hook_replacement(hook, r, 1, graph)
    return g


def _fit_grad(gi, inp, graph):
    """``gi`` reduced to its input's shape and cast to its dtype: what the engine does to every gradient before
    passing it on, and what node post-hooks see (torch validates a node's outputs before its post-hooks run)."""
    d = inp._data
    if graph:
        if tuple(gi.shape) != d.shape:
            gi = unbroadcast(gi, d.shape)
        if gi._data.dtype != d.dtype or type(gi._data) is not type(d):  # bfloat16 is a float32 subclass
            gi = gi.to(inp.dtype)
        return gi
    if gi.shape != d.shape:
        gi = unbroadcast(gi, d.shape)
    if gi.dtype != d.dtype or type(gi) is not type(d):  # bfloat16 is a float32 subclass
        gi = _dtype.cast_array(gi, _dtype.of_array(d))
    return gi


def _run_node_posthooks(node, hooks, in_grads, g, graph):
    """Node post-hooks in registration order on ``(grad_inputs, grad_outputs)``: one gradient per input, None where
    the input does not require grad (or got none); a returned tuple replaces ``grad_inputs``."""
    if not hooks.post:
        return in_grads
    edges, inputs = node.edges, node.inputs
    fitted = []
    for k, edge in enumerate(edges):
        gi = in_grads[k] if in_grads is not None and k < len(in_grads) else None
        fitted.append(None if gi is None or edge is None else _fit_grad(gi, inputs[k], graph))
    grad_outputs = (g if graph or g is None else Tensor._wrap(g),)
    for hook in list(hooks.post.values()):
        shown = tuple(v if graph or v is None else Tensor._wrap(v) for v in fitted)
        r = hook(shown, grad_outputs)
        if r is not None:
            fitted = _hook_replacement(hook, r, len(edges), graph)
    return fitted


def _check_nan(node, in_grads, inputs):
    for k, (gi, inp) in enumerate(zip(in_grads, inputs)):
        if gi is None or inp is None or not inp.requires_grad:
            continue
        arr = gi._data if isinstance(gi, Tensor) else gi
        if arr.dtype.kind == "f" and np.isnan(arr).any():
            if node.trace:
                warnings.warn(f"Error detected in {node.name}. Traceback of forward call that caused the error:\n"
                              + "".join(node.trace), stacklevel=2)
            raise RuntimeError(f"Function '{node.name}' returned nan values in its {k}th output.")


def _accumulate_leaf_graph(t, g):
    """create_graph: the leaf's .grad keeps the history of its gradient; accumulation is out of place, as torch."""
    if not isinstance(g, Tensor):
        g = Tensor._wrap(_as_array(g))
    t.grad = g if t.grad is None else t.grad + g


def _accumulate_leaf(t, g):
    if t.grad is None:
        if sys.getrefcount(g) <= _SOLE_REFS and g.base is None and g.dtype == t._data.dtype and g.flags.writeable:
            # Nothing but the engine's locals holds this fresh array: take it as the .grad (as torch steals a
            # uniquely-owned gradient) instead of copying it.
            t.grad = Tensor._wrap(g)
        else:
            # Copy: closures may hand the same array to several inputs, or return one they keep.
            t.grad = Tensor._wrap(np.array(g, dtype=t._data.dtype, copy=True, subok=True))  # subok: keeps bfloat16
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


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """torch.autograd.grad: gradients of ``outputs`` w.r.t. ``inputs``, leaving ``.grad`` untouched.

    ``only_inputs`` is deprecated and ignored (as torch); ``materialize_grads=True`` returns zeros instead of None
    for inputs the outputs do not depend on; ``is_grads_batched=True`` (torch's vmap over the cotangents) is not
    supported."""
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate "
                      "gradient for other parts of the graph, please use torch.autograd.backward.", FutureWarning,
                      stacklevel=2)
    if is_grads_batched:
        raise NotImplementedError("autograd.grad: is_grads_batched=True needs vmap, which impl does not have")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
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
    if retain_graph is None:
        retain_graph = create_graph  # torch's default
    seeds = [_seed(o, g, "grad", create_graph) for o, g in zip(outputs, grad_outputs)]
    result = run_backward(outputs, seeds, retain_graph=bool(retain_graph), inputs=inputs, create_graph=create_graph)
    if not allow_unused:
        for r in result:
            if r is None:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
    if materialize_grads:
        result = tuple(Tensor._wrap(np.zeros_like(t._data)) if r is None else r for r, t in zip(result, inputs))
    return result


def _seed(out, gradient, who, graph=False):
    """The gradient that starts a backward pass from ``out``: an ndarray, or with ``graph`` a Tensor (a given
    ``gradient`` is kept as it is, so that gradients with respect to it can be taken)."""
    if gradient is None:
        if out._data.size != 1:
            raise RuntimeError(
                f"{who} can be implicitly created only for scalar outputs "
                f"(got output of shape {tuple(out.shape)}); pass gradient="
            )
        g = np.ones_like(out._data)
        return Tensor._wrap(g) if graph else g
    g = gradient._data if hasattr(gradient, "_data") else np.asarray(gradient, dtype=out._data.dtype)
    if g.shape != out._data.shape:
        raise RuntimeError(
            f"{who}: Mismatch in shape: grad_output has shape {tuple(g.shape)} "
            f"and output has shape {tuple(out._data.shape)}"
        )
    if graph:
        if not isinstance(gradient, Tensor):
            return Tensor._wrap(_dtype.cast_array(g, _dtype.of_array(out._data)))
        return gradient if gradient.dtype is out.dtype else gradient.to(out.dtype)
    return _dtype.cast_array(g, _dtype.of_array(out._data))
