"""Matrix products: one primitive (matmul) for 1-D, 2-D and broadcast-batched operands."""
import numpy as np

from .._autograd import apply, apply_fused, needed
from ._common import binary_operands
from ._registry import op


def _shape_error(op, x, y):
    return RuntimeError(
        f"{op}: shapes cannot be multiplied ({'x'.join(map(str, x.shape))} and {'x'.join(map(str, y.shape))}); "
        f"got operands of shape {tuple(x.shape)} and {tuple(y.shape)}"
    )


@op(operators=("__matmul__",), reflected=("__rmatmul__",))
def matmul(input, other):
    a, b, x, y, dt = binary_operands(input, other, "matmul")
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError(f"matmul: both arguments to matmul need to be at least 1D, but they are {x.ndim}D and {y.ndim}D")
    try:
        out = np.matmul(x, y)
    except ValueError:
        raise _shape_error("matmul", x, y) from None
    name = "DotBackward0" if x.ndim == 1 and y.ndim == 1 else "MmBackward0" if x.ndim == 2 and y.ndim == 2 else "MatmulBackward0"
    # First order runs the numpy derivative (a Tensor-op closure measured ~1.5-2x slower on small and mid-sized
    # products); create_graph differentiates the same product recorded with its derivative in impl ops.
    composite = lambda a, b: apply(name, np.matmul(x, y), (a, b), _matmul_backward(a, b), saved=(a, b))  # noqa: E731
    if x.ndim == 1 and y.ndim == 1:
        return apply_fused(name, np.asanyarray(out), (a, b), lambda g: (g * y, g * x), saved=(needed(a, b), needed(b, a)),
                           composite=composite)

    def backward(g):
        # Promote 1-D operands to matrices, then swap the last two axes (never `.T`, which would
        # reverse every axis of a batched operand). The engine sums broadcast batch dims away.
        x2 = x[None, :] if x.ndim == 1 else x
        y2 = y[:, None] if y.ndim == 1 else y
        g2 = g
        if x.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        if y.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        ga = gb = None
        if a.requires_grad:  # no matmul for an operand that needs no gradient (data, frozen weights)
            ga = np.matmul(g2, np.swapaxes(y2, -1, -2))
            if x.ndim == 1:
                ga = ga[..., 0, :]
        if b.requires_grad:
            gb = np.matmul(np.swapaxes(x2, -1, -2), g2)
            if y.ndim == 1:
                gb = gb[..., 0]
        return ga, gb

    a_view, b_view = _saved_as_views(x, y, a.requires_grad, b.requires_grad)
    saved = (needed(a, b) if a_view else None, needed(b, a) if b_view else None)
    return apply_fused(name, out, (a, b), backward, saved=saved, composite=composite)


def _is_view_reshape(arr, shape):
    """Whether reshaping ``arr`` to ``shape`` needs no copy (numpy's rule, as torch's reshape/view)."""
    try:
        np.reshape(arr, shape, copy=False)
        return True
    except ValueError:
        return False


def _saved_as_views(x, y, a_rg, b_rg):
    """Whether torch's matmul saves (a view of) each operand itself, or a copy of it, for ``x @ y`` with one of them
    at least 3-D. torch's matmul is a composite: it folds the batched operand into a matrix for mm (``should_fold``),
    or broadcasts both to a batch and reshapes them for bmm; where that reshape has to copy, the copy is what is saved,
    and an in-place edit of the operand afterwards does not make the backward raise."""
    dx, dy = x.ndim, y.ndim
    if dx == 3 and dy == 3 and (x.shape[0] == 1) != (y.shape[0] == 1):  # torch squeezes the batch of one, then folds
        return _saved_as_views(x[0] if x.shape[0] == 1 else x, y[0] if y.shape[0] == 1 else y, a_rg, b_rg)
    if dx <= 2 and dy <= 2:  # dot, mv, mm: the operands themselves (or views of them)
        return True, True
    big, small, small_rg = (x, y, b_rg) if dx >= dy else (y, x, a_rg)
    fold = big.ndim >= 3 and small.ndim <= 2 and (small_rg or (dx != 2 and (big.size == 0 or all(
        big.strides[i] == big.strides[i + 1] * big.shape[i + 1] for i in range(big.ndim - 2)))))
    if fold:
        if dy > dx:  # the batched operand is the second: it is folded transposed
            return True, _is_view_reshape(np.swapaxes(y, -1, -2), (-1, y.shape[-2]))
        return _is_view_reshape(x, (-1, x.shape[-1])), True
    batch = np.broadcast_shapes(x.shape[:-2], y.shape[:-2])
    n = int(np.prod(batch))
    x_full = np.broadcast_to(x, batch + ((x.shape[-2] if dx > 1 else 1), x.shape[-1]))
    y_full = np.broadcast_to(y, batch + (y.shape[-2:] if dy > 1 else y.shape))
    return (_is_view_reshape(x_full, (n,) + x_full.shape[-2:]),
            _is_view_reshape(y_full, (n,) + y_full.shape[len(batch):]))


def _matmul_backward(a, b):
    """matmul's derivative in impl ops (differentiable again): the numpy closure above, on Tensors."""
    xd, yd = a._data.ndim, b._data.ndim
    if xd == 1 and yd == 1:
        return lambda g: (g * b, g * a)

    def backward(g):
        if xd == 1:
            g = g.unsqueeze(-2)
        if yd == 1:
            g = g.unsqueeze(-1)
        ga = gb = None
        if a.requires_grad:
            ga = matmul(g, b.unsqueeze(0) if yd == 1 else b.mT)
            if xd == 1:
                ga = ga.squeeze(-2)
        if b.requires_grad:
            gb = matmul(a.unsqueeze(-1) if xd == 1 else a.mT, g)
            if yd == 1:
                gb = gb.squeeze(-1)
        return ga, gb

    return backward


def _check_nd(op, t, nd, arg):
    if t._data.ndim != nd:
        raise RuntimeError(f"{op}: {arg} must be a {nd}D tensor (got shape {tuple(t._data.shape)})")


@op
def mm(input, mat2):
    _check_nd("mm", input, 2, "self")
    _check_nd("mm", mat2, 2, "mat2")
    return matmul(input, mat2)


@op
def bmm(input, mat2):
    _check_nd("bmm", input, 3, "batch1")
    _check_nd("bmm", mat2, 3, "batch2")
    if input._data.shape[0] != mat2._data.shape[0]:
        raise RuntimeError(f"bmm: batch1 and batch2 must have same number of batches, got {input._data.shape[0]} and {mat2._data.shape[0]}")
    return matmul(input, mat2)


@op
def mv(input, vec):
    _check_nd("mv", input, 2, "self")
    _check_nd("mv", vec, 1, "vec")
    return matmul(input, vec)


@op
def dot(input, other):
    _check_nd("dot", input, 1, "self")
    _check_nd("dot", other, 1, "other")
    return matmul(input, other)


@op(aliases=("ger",))
def outer(input, vec2):
    from .shape import unsqueeze

    return matmul(unsqueeze(input, 1), unsqueeze(vec2, 0))

