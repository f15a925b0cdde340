"""Shape, view and indexing primitives and their compositions.

Every op here is linear in its tensor inputs, so each derivative is another shape op applied to the gradient
(written with impl ops, hence differentiable again). The scatters that some of them need (a slice or an index
written into zeros) are small primitives below whose own derivative is the matching gather.
"""
import builtins

import numpy as np

from .. import _dtype
from .._autograd import _GradMode, apply
from .._tensor import Tensor
from ._common import ensure_tensor, norm_dim, norm_dims
from ._registry import op
from ._views import ViewMeta


def _root(a):
    while a.base is not None:
        a = a.base
    return a


def _aliases(out, x):
    """``out`` is a view of ``x``'s memory. An empty array overlaps nothing, yet an empty slice of a tensor is still a
    view of it in torch: then the owner of the memory decides."""
    if out.size and x.size:
        return np.may_share_memory(out, x)
    return out.base is not None and _root(out) is _root(x)


def _view(name, out, input, backward):
    """A result sharing storage with ``input``: it shares the version counter too (as torch's views)."""
    t = apply(name, out, (input,), backward)
    if _aliases(out, input._data):
        t._version = input._version
        t._base = input if input._base is None else input._base
        t._view_meta = ViewMeta(not _GradMode.enabled, t._version[0], getattr(input, "_view_meta", None))
        if not t.requires_grad and input.requires_grad:
            t.requires_grad = True  # torch: a view of a tensor that requires grad does, even made under no_grad
    return t


def _multi_views(name, views):
    """Views returned together (unbind, split, chunk): torch refuses in-place autograd on them."""
    for v in views:
        meta = getattr(v, "_view_meta", None)
        if meta is not None:
            meta.multi = name
    return views


def _grad_view(name, out, g, backward):
    """A view of a gradient inside a backward closure. Only a recorded (create_graph) backward makes it a full view;
    a first-order backward hands plain arrays on, so it skips the aliasing check."""
    return _view(name, out, g, backward) if _GradMode.enabled else apply(name, out, (g,), backward)


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


@op
def reshape(input, *shape):
    ensure_tensor(input, "reshape")
    shape = _shape_arg(shape)
    x = input._data
    if shape and min(shape) < -1:  # numpy reads any negative size as "infer this one"
        i = next(i for i, s in enumerate(shape) if s < -1)
        raise RuntimeError(f"reshape(): invalid shape dimension {shape[i]} at index {i} of shape {list(shape)}")
    try:
        out = x.reshape(shape)
    except ValueError:
        raise RuntimeError(f"reshape: shape '{list(shape)}' is invalid for input of size {x.size} (input shape {tuple(x.shape)})") from None
    return _view("ViewBackward0", out, input, _reshape_back(x.shape))


# Backward closures call these internal forms (arguments already checked): they run once per node in every
# backward pass, so each saves the public op's argument parsing.
# Without a graph (a first-order backward runs in no-grad mode) these hand back the array itself: a view op's
# derivative is the inverse view, and skipping the Tensor wrapping saves the per-node dispatch on the many small
# view nodes of attention blocks.
def _reshape_back(in_shape):
    def back(g):
        out = g._data.reshape(in_shape)
        return (_grad_view("ViewBackward0", out, g, _reshape_back(g._data.shape)) if _GradMode.enabled else out,)

    return back


def _permute_back(axes):
    inv = [0] * len(axes)
    for i, a in enumerate(axes):
        inv[a] = i
    inv = tuple(inv)

    def back(g):
        out = g._data.transpose(inv)
        return (_grad_view("PermuteBackward0", out, g, _permute_back(inv)) if _GradMode.enabled else out,)

    return back


def _transpose_back(a, b):
    def back(g):
        out = np.swapaxes(g._data, a, b)
        return (_grad_view("TransposeBackward0", out, g, _transpose_back(a, b)) if _GradMode.enabled else out,)

    return back


@op(function=False)
def view(input, *shape):
    """reshape that never copies: torch refuses a shape the input's strides cannot express."""
    out = reshape(input, *shape)
    if out._base is None and input._data.size:
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one dimension spans across two "
            f"contiguous subspaces). Use .reshape(...) instead. (input shape {tuple(input._data.shape)}, strides "
            f"{tuple(s // input._data.itemsize for s in input._data.strides)}, view shape {tuple(out._data.shape)})"
        )
    return out


@op(function=False)
def view_as(input, other):
    return view(input, other.shape)


@op(function=False)
def reshape_as(input, other):
    return reshape(input, other.shape)


@op
def flatten(input, start_dim=0, end_dim=-1):
    nd = input._data.ndim
    s, e = norm_dim(start_dim, nd, "flatten"), norm_dim(end_dim, nd, "flatten")  # a 0-d input's dims: -1 and 0
    if nd == 0:
        return reshape(input, (1,))
    if s > e:
        raise RuntimeError(f"flatten() has invalid args: start_dim ({start_dim}) cannot come after end_dim ({end_dim})")
    if s == e:  # nothing to merge: the input itself, as torch
        return input
    shp = input._data.shape
    n = 1
    for d in shp[s : e + 1]:
        n *= d
    return reshape(input, shp[:s] + (n,) + shp[e + 1 :])


@op
def unflatten(input, dim, sizes):
    shp = input._data.shape
    d = norm_dim(dim, len(shp), "unflatten")
    sizes = tuple(sizes)
    if -1 not in sizes and int(np.prod(sizes)) != shp[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} ({shp[d]}) in the input tensor")
    if sizes.count(-1) == 1:  # infer it here: numpy cannot infer -1 when the tensor is empty, torch can
        rest = int(np.prod([s for s in sizes if s != -1]))
        if rest == 0 or shp[d] % rest:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} ({shp[d]}) in the input tensor")
        sizes = tuple(shp[d] // rest if s == -1 else s for s in sizes)
    return reshape(input, shp[:d] + sizes + shp[d + 1 :])


@op
def permute(input, *dims):
    ensure_tensor(input, "permute")
    dims = _shape_arg(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    axes = tuple(norm_dim(d, nd, "permute") for d in dims)
    if len(set(axes)) != nd:
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {dims})")
    return _view("PermuteBackward0", input._data.transpose(axes), input, _permute_back(axes))


@op(aliases=("swapaxes", "swapdims"))
def transpose(input, dim0, dim1):
    ensure_tensor(input, "transpose")
    nd = input._data.ndim
    if nd == 0:
        norm_dim(dim0, 0, "transpose"), norm_dim(dim1, 0, "transpose")
        return _view("TransposeBackward0", input._data, input, lambda g: (g,))
    a, b = norm_dim(dim0, nd, "transpose"), norm_dim(dim1, nd, "transpose")
    return _view("TransposeBackward0", np.swapaxes(input._data, a, b), input, _transpose_back(a, b))


@op
def t(input):
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    if input._data.ndim == 2:
        return transpose(input, 0, 1)
    return _view("TBackward0", input._data, input, lambda g: (g,))  # a view, not the input itself (as torch)


def T(input):
    # Of a 0-d or 1-d tensor too a view (not the tensor itself), as torch's.
    return permute(input, tuple(range(input._data.ndim - 1, -1, -1)))


def mT(input):
    if input._data.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {input._data.ndim}-D tensor.")
    return transpose(input, -2, -1)


@op(aliases=("moveaxis",))
def movedim(input, source, destination):
    nd = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [norm_dim(s, nd, "movedim") for s in src]
    dst = [norm_dim(d, nd, "movedim") for d in dst]
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


@op
def squeeze(input, dim=None):
    ensure_tensor(input, "squeeze")
    x = input._data
    if dim is None:
        axes = tuple(i for i, n in enumerate(x.shape) if n == 1)
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axes = tuple(i for i in (norm_dim(d, x.ndim, "squeeze") for d in dims) if x.ndim and x.shape[i] == 1)
    return reshape(input, tuple(n for i, n in enumerate(x.shape) if i not in axes))


@op
def unsqueeze(input, dim):
    ensure_tensor(input, "unsqueeze")
    nd = input._data.ndim
    d = norm_dim(dim, nd + 1, "unsqueeze")
    shp = input._data.shape
    return reshape(input, shp[:d] + (1,) + shp[d:])


@op(function=False)
def expand(input, *sizes):
    ensure_tensor(input, "expand")
    sizes = _shape_arg(sizes)
    x = input._data
    if len(sizes) < x.ndim:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({x.ndim})"
        )
    lead = len(sizes) - x.ndim
    target = tuple(
        (x.shape[i - lead] if s == -1 else s) if i >= lead else s for i, s in enumerate(sizes)
    )
    try:
        out = np.broadcast_to(x, target)
    except ValueError:
        raise RuntimeError(
            f"expand: The expanded size of the tensor ({list(target)}) must match the existing size {tuple(x.shape)} at non-singleton dimensions"
        ) from None
    if out.size == x.size and x.size:
        # Nothing is repeated (only unit dims added): a writable view, as torch's -- an in-place op on it writes
        # through to the input instead of failing on broadcast_to's read-only array (regression 053).
        out = x.reshape(target)
    # Identity backward: the engine sums the gradient back to the input's shape.
    return _view("ExpandBackward0", out, input, lambda g: (g,))


@op(function=False)
def expand_as(input, other):
    return expand(input, other.shape)


@op
def broadcast_to(input, shape):
    return expand(input, shape)


@op(method=False)
def broadcast_tensors(*tensors):
    shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    # A tensor already of the broadcast shape comes back as itself (as torch), the others as expand views.
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


@op(function=False)
def repeat(input, *sizes):
    sizes = _shape_arg(sizes)
    x = input._data
    if len(sizes) < x.ndim:
        raise RuntimeError("repeat: Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    shp = (1,) * (len(sizes) - x.ndim) + x.shape
    # (s0, s1) -> (1, s0, 1, s1) -> expand (r0, s0, r1, s1) -> (r0*s0, r1*s1): no backward of its own.
    # Ends with a copy: torch's repeat always allocates, and the reshape of an expand can stay a read-only
    # view of the input (repeat(1), size-0 results: regression 051).
    out = tuple(r * s for r, s in zip(sizes, shp))
    if any(n < 0 for n in out):  # a negative count (times a non-empty dim): torch's error, not expand's -1 "keep"
        raise RuntimeError(f"repeat(): Trying to create tensor with negative dimension {min(out)}: {list(out)} "
                           f"(repeats {list(sizes)} of a tensor of shape {tuple(x.shape)})")
    inter = tuple(v for s in shp for v in (1, s))
    big = tuple(v for r, s in zip(sizes, shp) for v in (r, s))
    return reshape(expand(reshape(input, inter), big), out).clone()


@op(function=False)
def contiguous(input, memory_format=None):
    if input._data.flags.c_contiguous:
        return input
    return apply("CloneBackward0", input._data.copy(order="C"), (input,), lambda g: (g,))  # copy(): keeps bfloat16


@op
def clone(input, *, memory_format=None):
    ensure_tensor(input, "clone")
    return apply("CloneBackward0", input._data.copy(), (input,), lambda g: (g,))


# ---- joining and splitting ---------------------------------------------------------------------
@op(method=False, aliases=("concat", "concatenate"))
def cat(tensors, dim=0, out=None):
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        ensure_tensor(t, "cat", f"tensors[{i}]")
    nd = tensors[0]._data.ndim
    if nd == 0:
        raise RuntimeError("cat(): zero-dimensional tensor (at position 0) cannot be concatenated")
    axis = norm_dim(dim, nd, "cat")
    ref = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        s = t._data.shape
        if len(s) != nd:
            raise RuntimeError(f"cat(): Tensors must have same number of dimensions: got {nd} and {len(s)} (tensor {i} has shape {tuple(s)})")
        for d in range(nd):
            if d != axis and s[d] != ref[d]:
                raise RuntimeError(
                    f"cat(): Sizes of tensors must match except in dimension {axis}. Expected size {ref[d]} but got size {s[d]} for tensor number {i} in the list (shapes {tuple(ref)} and {tuple(s)})."
                )
    from .._dtype import cast_array, result_type

    dt = result_type(*tensors)
    out_arr = np.concatenate([cast_array(t._data, dt) for t in tensors], axis=axis)
    lead = (slice(None),) * axis
    pieces, start = [], 0
    for t in tensors:
        n = t._data.shape[axis]
        pieces.append(lead + (slice(start, start + n),))
        start += n
    return apply("CatBackward0", out_arr, tuple(tensors), lambda g: tuple(_index(g, p, True, _grad_view) for p in pieces))


@op(method=False)
def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {tuple(s0)} at entry 0 and {tuple(t._data.shape)} at entry {i}")
    d = norm_dim(dim, len(s0) + 1, "stack")
    return cat([unsqueeze(t, d) for t in tensors], dim=d)


@op(method=False)
def hstack(tensors):
    tensors = [t if t._data.ndim else reshape(t, (1,)) for t in tensors]  # atleast_1d, as torch
    return cat(tensors, dim=0 if tensors[0]._data.ndim == 1 else 1)


@op(method=False)
def vstack(tensors):
    return cat([t if t._data.ndim >= 2 else reshape(t, (1, -1)) for t in tensors], dim=0)


@op
def narrow(input, dim, start, length):
    d = norm_dim(dim, input._data.ndim, "narrow")
    n = input._data.shape[d] if input._data.ndim else 1
    start, length = int(start), int(length)
    if not -n <= start <= n:
        raise IndexError(f"narrow(): start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:  # counts from the end, as torch (a plain slice would start there but stop at start + length < 0)
        start += n
    if length < 0:
        raise RuntimeError(f"narrow(): length must be non-negative (got {length})")
    if start + length > n:
        raise RuntimeError(f"narrow(): start ({start}) + length ({length}) exceeds dimension size ({n}).")
    idx = (slice(None),) * d + (slice(start, start + length),)
    return getitem(input, idx)


@op
def select(input, dim, index):
    d = norm_dim(dim, input._data.ndim, "select")
    return getitem(input, (slice(None),) * d + (index,))


def _split_method(self, split_size, dim=0):  # Tensor.split names its argument split_size (torch.split does not)
    return split(self, split_size, dim)


@op(method=_split_method)
def split(tensor, split_size_or_sections, dim=0):
    d = norm_dim(dim, tensor._data.ndim, "split")
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and n > 0:
            raise RuntimeError(f"split: split_size must be positive, got {step}")
        starts = list(range(0, n, step)) if n else [0]
        sizes = [builtins.min(step, n - s) for s in starts]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension {d}), but got split_sizes={sizes}")
        starts = list(np.cumsum([0] + sizes[:-1]))
    return _multi_views("SplitWithSizesBackward0", tuple(narrow(tensor, d, int(s), int(z)) for s, z in zip(starts, sizes)))


@op
def chunk(input, chunks, dim=0):
    d = norm_dim(dim, input._data.ndim, "chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input._data.shape[d]
    if n == 0:  # torch: `chunks` empty pieces
        return tuple(narrow(input, d, 0, 0) for _ in range(chunks))
    step = -(-n // chunks)
    return split(input, step, d)


@op
def unbind(input, dim=0):
    d = norm_dim(dim, input._data.ndim, "unbind")
    return _multi_views("UnbindBackward0", tuple(select(input, d, i) for i in range(input._data.shape[d])))


@op
def flip(input, dims):
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    axes = norm_dims(dims, input._data.ndim, "flip")  # sorted: flipping is the same in any order
    return apply("FlipBackward0", np.flip(input._data, axes).copy(), (input,), lambda g: (flip(g, axes),))


@op
def roll(input, shifts, dims=None):
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    given = () if dims is None else (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if not shifts:
        raise RuntimeError("roll(): `shifts` required")
    if dims is None and len(shifts) == 1:  # the flattened tensor, rolled and put back in shape
        return reshape(roll(flatten(input), shifts, 0), input.shape)
    if len(shifts) != len(given):  # numpy would broadcast one shift over several dims
        raise RuntimeError(f"roll(): shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(given)}")
    nd = input._data.ndim
    if nd == 0:
        raise IndexError(f"roll(): Dimension specified as {given[0]} but tensor has no dimensions")
    dims = tuple(norm_dim(d, nd, "roll") for d in given)
    out = np.roll(input._data, shifts, dims)
    neg = tuple(-s for s in shifts)
    return apply("RollBackward0", out, (input,), lambda g: (roll(g, neg, dims),))


def _tri(np_fn, name):
    def f(input, diagonal=0):
        if input._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions (got shape {tuple(input._data.shape)})")
        return apply(name.capitalize() + "Backward0", np_fn(input._data, diagonal), (input,), lambda g: (f(g, diagonal),))

    f.__name__ = f.__qualname__ = name
    return f


tril = op(_tri(np.tril, "tril"))
triu = op(_tri(np.triu, "triu"))


@op
def masked_fill(input, mask, value):
    from .elementwise import where

    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {m.dtype}")
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {value._data.ndim} dimension(s).")
        value = value.to(input.dtype)
    else:
        value = Tensor._wrap(_dtype.cast_array(np.asarray(value), input.dtype))  # a Python scalar takes input's dtype
    try:
        np.broadcast_shapes(m.shape, input._data.shape)
    except ValueError:
        raise RuntimeError(f"masked_fill: The size of the mask {tuple(m.shape)} must be broadcastable to the input {tuple(input._data.shape)}") from None
    # torch saves the mask (the where below saves its condition): the user's mask tensor itself
    out = where(mask if isinstance(mask, Tensor) else Tensor._wrap(m), value, input)
    if out._data.shape != input._data.shape:
        raise RuntimeError(f"masked_fill: mask {tuple(m.shape)} can't broadcast the input {tuple(input._data.shape)} to a larger shape")
    return out


# ---- indexing -----------------------------------------------------------------------------------
def _convert_index(idx, x_shape):
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    basic = True
    for i in idx:
        if isinstance(i, Tensor):
            a = i._data
            if a.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if a.ndim == 0 and a.dtype.kind in "iu":
                out.append(int(a))
                continue
            out.append(a)
            basic = False
        elif isinstance(i, (list, np.ndarray)):
            a = np.asarray(i)
            if isinstance(i, list) and a.size == 0:
                a = a.astype(np.int64)  # x[[]]: an empty integer index (numpy would make it float64)
            if a.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(a)
            basic = False
        elif i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer)):
            if isinstance(i, bool):
                basic = False
            if isinstance(i, slice) and i.step is not None and i.step <= 0:
                raise ValueError("step must be greater than zero")
            out.append(i)
        else:
            raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {type(i).__name__})")
    return tuple(out), basic


@op(function=False, method=False, operators=("__getitem__",))
def getitem(input, key, /):
    x = input._data
    index, basic = _convert_index(key, x.shape)
    # torch saves the index tensors (their values pick where the gradient goes), but reads a 0-d integer one as
    # a Python int (a select, as _convert_index does)
    saved = tuple(i for i in (key if isinstance(key, tuple) else (key,))
                  if isinstance(i, Tensor) and not (i._data.ndim == 0 and i._data.dtype.kind in "iu"))
    try:
        return _index(input, index, basic, saved=saved)
    except IndexError as e:
        masks = [a for a in index if isinstance(a, np.ndarray) and a.dtype == np.bool_]
        if masks and "boolean index" in str(e):
            raise IndexError(
                f"index: The shape of the mask {list(masks[0].shape)} does not match the shape of the indexed "
                f"tensor {list(x.shape)} ({e})"
            ) from None
        raise IndexError(f"index: {e} (tensor of shape {tuple(x.shape)})") from None


def _index(input, index, basic, view=_view, saved=()):
    """``input[index]`` for an index already converted by _convert_index; ``basic``: a view (no arrays in it).
    Backward closures pass ``view=_grad_view``. ``saved``: the index Tensors the index came from."""
    shape = input._data.shape
    if basic:
        # A trailing ``...`` keeps numpy from turning a full integer index into a scalar copy: x[0] of a 1-d tensor
        # is then a 0-d view, as torch's select.
        at = index if any(i is Ellipsis for i in index) else (*index, Ellipsis)
        return view("SliceBackward0", input._data[at], input, lambda g: (_index_embed(g, shape, index),))
    return apply("IndexBackward0", np.asanyarray(input._data[index]), (input,),
                 lambda g: (_index_add(g, shape, index),), saved=saved)


def _index_embed(g, shape, index):
    """Zeros of ``shape`` with ``g`` written at the basic ``index``: the derivative of a basic index (a slice is
    never repeated, so a plain assignment); its own derivative is that index again."""
    z = np.zeros(shape, dtype=g._data.dtype)
    z[index] = g._data
    return apply("SliceBackwardBackward0", z, (g,), lambda gg: (_index(gg, index, True, _grad_view),))


def _index_add(g, shape, index):
    """Zeros of ``shape`` with ``g`` added at the advanced ``index`` (repeated positions accumulate): the derivative
    of an advanced index, gather and index_select; its own derivative is the gather ``gg[index]``."""
    z = np.zeros(shape, dtype=g._data.dtype)
    np.add.at(z, index, g._data)
    return apply("IndexBackwardBackward0", z, (g,), lambda gg: (_index(gg, index, False),))


def index_put(input, idx, values):
    """Out-of-place ``input[idx] = values`` (the autograd form of __setitem__)."""
    index, basic = _convert_index(idx, input._data.shape)
    return _index_put(input, index, basic, values)


def _index_put(input, index, basic, values):
    x = input._data
    if isinstance(values, Tensor):
        v = values._data.astype(x.dtype, copy=False)
    else:
        v = np.asarray(values, dtype=x.dtype)
        values = None
    out = x.copy()
    try:
        out[index] = v
    except (ValueError, IndexError) as e:
        raise (IndexError if isinstance(e, IndexError) else RuntimeError)(
            f"index_put: {e} (tensor shape {tuple(x.shape)}, value shape {tuple(v.shape)})") from None

    # The overwritten positions get no gradient (g with zeros written there: this same op again); the values get
    # g at those positions, at the indexed shape (the engine sums it down to a broadcast value's shape).
    def backward(g):
        return _index_put(g, index, basic, 0), (_index(g, index, basic, _grad_view) if values is not None else None)

    return apply("IndexPutBackward0", out, (input, values), backward)


@op
def index_select(input, dim, index):
    d = norm_dim(dim, input._data.ndim, "index_select")
    index_t = index
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector (got shape {tuple(idx.shape)})")
    idx = idx.reshape(-1)  # a 0-d index selects one entry and keeps the dim, as torch
    x = input._data
    n = x.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= n):  # negative indices included
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        if n == 0 and x.ndim > 1:
            raise RuntimeError(f"index_select(): self indexing axis dim should be positive (dimension {d} of input "
                               f"shape {tuple(x.shape)} is empty)")
        if d == 1:  # torch's CPU kernel for dim 1 checks with a RuntimeError, the general one with an IndexError
            raise RuntimeError(f"index_select(): index out of range: {bad} for dimension {d} with size {n} (INDICES "
                               f"element is out of DATA bounds; input shape {tuple(x.shape)})")
        raise IndexError(f"index_select(): index out of range: {bad} for dimension {d} with size {n} (index out of "
                         f"range in self; input shape {tuple(x.shape)})")
    out = np.take(x, idx, axis=d)
    index = (slice(None),) * d + (idx,)  # the same selection as an advanced index, for the derivative
    shape = x.shape
    return apply("IndexSelectBackward0", out, (input,), lambda g: (_index_add(g, shape, index),),
                 saved=_tensors(index_t))  # torch saves the index, not the input


@op
def gather(input, dim, index, sparse_grad=False):
    x = input._data
    d = norm_dim(dim, x.ndim, "gather")
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype != np.int64:
        raise RuntimeError(f"gather(): Expected dtype int64 for index (got {idx.dtype})")
    if idx.ndim != x.ndim:
        raise RuntimeError(f"gather(): Index tensor must have the same number of dimensions as input tensor (index {tuple(idx.shape)}, input {tuple(x.shape)})")
    for k in range(x.ndim):
        if k != d and idx.shape[k] > x.shape[k]:
            raise RuntimeError(f"gather(): Size does not match at dimension {k} expected index {tuple(idx.shape)} to be smaller than self {tuple(x.shape)} apart from dimension {d}")
    if idx.size and (idx.min() < 0 or idx.max() >= x.shape[d]):  # negative indices too: torch's gather refuses them
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise RuntimeError(f"gather(): index {bad} is out of bounds for dimension {d} with size {x.shape[d]}")
    grid = list(np.indices(idx.shape, sparse=True))
    grid[d] = idx
    grid = tuple(grid)
    shape = x.shape
    # torch saves the input (its gather_backward reads only its shape, but saves the tensor) and the index
    return apply("GatherBackward0", x[grid], (input,), lambda g: (_index_add(g, shape, grid),),
                 saved=(input,) + _tensors(index))


@op
def take_along_dim(input, indices, dim=None):
    """gather along ``dim`` after broadcasting ``input`` and ``indices`` on the other dims (torch's rule), where
    negative indices count from the end (gather itself refuses them); with ``dim=None`` along the flattened input."""
    ensure_tensor(input, "take_along_dim")
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if dim is None:
        input, idx, d = reshape(input, (-1,)), idx.reshape(-1), 0
    else:
        x = input._data
        d = norm_dim(dim, x.ndim, "take_along_dim")
        if idx.ndim != x.ndim:
            raise RuntimeError(f"take_along_dim(): input and indices should have the same number of dimensions, but "
                               f"got {x.ndim} dimensions for input, and {idx.ndim} dimensions for indices")
        try:
            b = np.broadcast_shapes(x.shape[:d] + (1,) + x.shape[d + 1:], idx.shape[:d] + (1,) + idx.shape[d + 1:])
        except ValueError:
            raise RuntimeError(f"take_along_dim(): the shapes of input {tuple(x.shape)} and indices "
                               f"{tuple(idx.shape)} do not broadcast apart from dimension {d}") from None
        if b[:d] + b[d + 1:] != x.shape[:d] + x.shape[d + 1:]:
            input = expand(input, b[:d] + (x.shape[d],) + b[d + 1:])
        idx = np.broadcast_to(idx, b[:d] + (idx.shape[d],) + b[d + 1:])
        if idx.dtype.kind == "i" and idx.size and idx.min() < 0:  # torch wraps them here (not with dim=None)
            idx = np.where(idx < 0, idx + input._data.shape[d], idx)
    # dim=None gathers from a view of the indices (torch saves it: an in-place edit of them raises); along a dim
    # torch gathers from a wrapped copy of them (an edit is harmless)
    return gather(input, d, _alias(idx, indices) if dim is None else Tensor._wrap(idx))


@op
def nonzero(input, as_tuple=False):
    x = input._data
    if x.ndim == 0:  # torch: a 0-d tensor is one element with no coordinates
        if as_tuple:
            return (Tensor._wrap(np.zeros(int(bool(x)), dtype=np.int64)),)
        return Tensor._wrap(np.zeros((int(bool(x)), 0), dtype=np.int64))
    nz = np.nonzero(x)
    if as_tuple:
        return tuple(Tensor._wrap(a.astype(np.int64)) for a in nz)
    return Tensor._wrap(np.stack(nz, axis=1).astype(np.int64) if nz else np.zeros((0, 0), np.int64))


@op
def argwhere(input):
    """torch.argwhere: the indices of the non-zero elements, one row each (nonzero's default form)."""
    return nonzero(input)


@op
def masked_select(input, mask):
    shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
    # Broadcast the mask too: a 0-d or smaller mask must still select elements (a 1-D result), not add a dim.
    index = (np.broadcast_to(mask._data, shape),)
    out = np.broadcast_to(input._data, shape)[index]
    # A primitive: torch saves the input and the mask (the engine sums the gradient down to a broadcast input).
    return apply("MaskedSelectBackward0", out, (input,), lambda g: (_index_add(g, shape, index),), saved=(input, mask))


def _tensors(*ts):
    """The Tensors among ``ts`` (an index may be a Tensor, a list or an array): what an op can save."""
    return tuple(t for t in ts if isinstance(t, Tensor))


def _alias(arr, t):
    """``arr`` (derived from Tensor ``t``'s values: broadcast, reshaped) as a Tensor sharing ``t``'s version counter,
    as torch's view of it would: an op that saves it sees an in-place edit of ``t``."""
    a = Tensor._wrap(arr)
    if isinstance(t, Tensor):
        a._version = t._version
    return a


@op
def diagonal(input, offset=0, dim1=0, dim2=1):
    x = input._data
    a, b = norm_dim(dim1, x.ndim, "diagonal"), norm_dim(dim2, x.ndim, "diagonal")
    if a == b:
        raise RuntimeError(f"diagonal(): diagonal dimensions cannot be identical {dim1}, {dim2} (shape {tuple(x.shape)})")
    out = np.diagonal(x, offset, a, b)  # a view, as torch's: writing into it writes into the input
    if x.flags.writeable:
        out.flags.writeable = True  # numpy hands the diagonal view out read-only by default
    shape = x.shape
    return _view("DiagonalBackward0", out, input, lambda g: (_diagonal_embed(g, shape, offset, a, b),))


def _diagonal_embed(g, shape, offset, a, b):
    """Zeros of ``shape`` with ``g`` on the diagonal: diagonal's derivative, whose own derivative is diagonal."""
    z = np.zeros(shape, dtype=g._data.dtype)
    zm = np.moveaxis(z, (a, b), (-2, -1))  # a writable view of z
    n = g._data.shape[-1]
    zm[..., np.arange(n) + builtins.max(-offset, 0), np.arange(n) + builtins.max(offset, 0)] = g._data
    return apply("DiagonalBackwardBackward0", z, (g,), lambda gg: (diagonal(gg, offset, a, b),))
