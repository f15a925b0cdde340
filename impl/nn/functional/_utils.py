"""Argument helpers shared by the functional ops: n-tuples, reductions, dtype checks."""
import warnings

import numpy as np

from ..._autograd import apply
from ..._tensor import Tensor
from ...ops._common import ensure_tensor


def ntuple(x, n, name, op):
    """``x`` as an n-tuple of ints (torch's _pair/_single), with an error naming op and argument."""
    if isinstance(x, (tuple, list)):
        if len(x) == 1:
            return (int(x[0]),) * n
        if len(x) != n:
            raise RuntimeError(f"{op}: expected {name} to be a single integer value or a list of {n} values, but got {name}={list(x)}")
        return tuple(int(v) for v in x)
    if isinstance(x, Tensor):
        x = x.item()
    return (int(x),) * n


def legacy_reduction(size_average, reduce, reduction):
    """torch's _Reduction.legacy_get_string: the deprecated size_average/reduce arguments win when given."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='...' instead.", stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def check_reduction(reduction, allowed=("none", "mean", "sum")):
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def reduce_loss(loss, reduction):
    """Apply ``reduction`` to an elementwise loss (composite: sum/mean carry their own backward)."""
    check_reduction(reduction)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()


_TORCH_NAME = {"float32": "Float", "float64": "Double", "int64": "Long", "bool": "Bool"}


def torch_type_name(arr):
    return _TORCH_NAME.get(np.dtype(arr.dtype).name, str(arr.dtype))


def size_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def check_dropout_p(p):
    """torch's two checks of a dropout probability: its Python one (ValueError outside [0, 1]), then its kernel's,
    which also refuses nan (RuntimeError)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def check_float(t, op, arg="input"):
    ensure_tensor(t, op, arg)
    if t._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected {arg} to be a floating point tensor, but got {t.dtype} (shape {tuple(t._data.shape)})")


def same_dtype(op, *named):
    """torch refuses mixed float32/float64 operands in conv/linear-style kernels."""
    first = None
    for name, t in named:
        if t is None:
            continue
        if first is None:
            first = (name, t)
            continue
        if t._data.dtype != first[1]._data.dtype:
            raise RuntimeError(
                f"{op}: expected scalar type {torch_type_name(first[1]._data)} but found {torch_type_name(t._data)} "
                f"({first[0]} is {first[1].dtype}, {name} is {t.dtype})"
            )


# ---- building blocks of the composites (the fused kernels re-expressed in impl ops for create_graph) ----
def window_taps(xp, kernel, stride, dilation, out_size):
    """Tap (i, j) of every pooling/convolution window of the padded ``xp`` (..., Hp, Wp), as the list of kh*kw
    strided slices (..., Ho, Wo) in row-major tap order: im2col written with impl indexing (one slice per tap,
    never a loop over positions)."""
    (kh, kw), (sh, sw), (dh, dw), (Ho, Wo) = kernel, stride, dilation, out_size
    lead = (slice(None),) * (xp.ndim - 2)
    return [xp[lead + (slice(i * dh, i * dh + sh * (Ho - 1) + 1, sh), slice(j * dw, j * dw + sw * (Wo - 1) + 1, sw))]
            for i in range(kh) for j in range(kw)]


def grad_scaled(t, scale):
    """``t`` unchanged whose gradient is multiplied by the constant array ``scale`` (broadcast to t): torch's
    embedding gradient rules (padding_idx rows get none, scale_grad_by_freq divides by the counts) that are not
    the derivative of the forward. Linear in the gradient, so differentiable to any order."""
    s = Tensor._wrap(np.asarray(scale, dtype=t._data.dtype))
    return apply("EmbeddingBackward0", t._data.copy(), (t,), lambda g: (g * s,))
