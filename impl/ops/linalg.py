"""Matrix products: one primitive (matmul) for 1-D, 2-D and broadcast-batched operands."""
import numpy as np

from .._autograd import apply, apply_fused
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
        return apply_fused(name, np.asanyarray(out), (a, b), lambda g: (g * y, g * x), saved=(a, b), composite=composite)

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

    return apply_fused(name, out, (a, b), backward, saved=(a, b), composite=composite)


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

