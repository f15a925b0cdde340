"""clip_grad_norm_ and clip_grad_value_ (torch.nn.utils.clip_grad), in place on ``.grad`` without autograd.

The total norm is the norm of the per-tensor norms, accumulated in each gradient's dtype (torch's
_foreach_norm then vector_norm); the scale is ``clamp(max_norm / (total + 1e-6), max=1)``. ``foreach`` is
accepted and ignored (there is no fused kernel to choose)."""
import types
import warnings

import numpy as np

from ..._tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_"]


def _vector_norm(a, norm_type):
    a = np.abs(a)
    if abs(norm_type) == np.inf and a.size == 0:
        raise RuntimeError(
            "clip_grad_norm_: cannot compute the infinity norm on an empty tensor (shape "
            f"{tuple(a.shape)}) because the operation does not have an identity"
        )
    if norm_type == np.inf:
        return a.max()
    if norm_type == -np.inf:
        return a.min()
    if norm_type == 0:
        return np.asarray((a != 0).sum(), dtype=a.dtype)
    if norm_type == 1:
        return a.sum()
    if norm_type == 2:
        return np.sqrt((a * a).sum())
    return (a**norm_type).sum() ** (1.0 / norm_type)


def _get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor._wrap(np.zeros((), dtype=np.float32))
    norms = [_vector_norm(g._data, norm_type) for g in tensors]
    dtype = np.result_type(*[n.dtype for n in norms])
    total = _vector_norm(np.stack([np.asarray(n, dtype=dtype) for n in norms]), norm_type)
    total = np.asarray(total, dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return Tensor._wrap(total)


def _clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    parameters = [parameters] if isinstance(parameters, Tensor) else parameters
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    t = total_norm._data
    coef = np.minimum(np.asarray(float(max_norm), dtype=t.dtype) / (t + np.asarray(1e-6, dtype=t.dtype)), 1.0)
    coef = np.asarray(coef, dtype=t.dtype)
    for g in grads:
        g._data *= coef.astype(g._data.dtype)
        g._version[0] += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale all gradients so their joint ``norm_type`` norm is at most ``max_norm``; return the total norm
    (before clipping) as a 0-d tensor."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = _get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    _clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn(
        "`impl.nn.utils.clip_grad_norm` is now deprecated in favor of `impl.nn.utils.clip_grad_norm_`.",
        FutureWarning, stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    for p in parameters:
        if p.grad is not None:
            np.clip(p.grad._data, -clip_value, clip_value, out=p.grad._data)
            p.grad._version[0] += 1
