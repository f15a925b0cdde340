"""Losses with torch's reductions, weights and edge cases.

cross_entropy is one fused primitive (log-softmax and the weighted class sum together): the gradient
``softmax * sum(q) - q`` never forms exp(log p) round trips, and one pass serves index targets (with
weight / ignore_index / label smoothing folded into a per-class weight tensor q) and probability targets.
"""
import warnings

import numpy as np

from ... import _dtype
from ..._autograd import also_saves, apply, apply_fused, is_grad_enabled, needed
from ..._tensor import Tensor
from ...ops import elementwise as ew
from ...ops import reduce as red
from ...ops import shape
from ._utils import check_float, check_reduction, legacy_reduction, reduce_loss, size_str, torch_type_name


def _not_differentiable(fn, arg, t):
    """torch refuses a requires_grad tensor where its kernel has no derivative (e.g. loss weights)."""
    if t is not None and t.requires_grad and is_grad_enabled():
        raise RuntimeError(
            f"The function '{fn}' is not differentiable with respect to argument '{arg}'. "
            "This input cannot have requires_grad True."
        )


def _warn_size(input, target, op):
    if input._data.shape != target._data.shape:
        warnings.warn(
            f"{op}: Using a target size ({tuple(target._data.shape)}) that is different to the input size "
            f"({tuple(input._data.shape)}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )


def _broadcast(input, target, op):
    try:
        return shape.broadcast_tensors(input, target)
    except Exception:
        raise RuntimeError(
            f"{op}: The size of tensor a {size_str(input._data.shape)} must match the size of tensor b "
            f"{size_str(target._data.shape)}"
        ) from None


def _weighted(loss, weight, input, reduction, op, mean_by_weight=True):
    """torch's manual weighted path for mse/l1 (sum(w*l)/sum(w)) and huber (mean(w*l))."""
    if weight._data.shape != input._data.shape:
        raise ValueError(f"{op}: Weights and input must have the same size. (weight {size_str(weight._data.shape)}, input {size_str(input._data.shape)})")
    wl = ew.mul(loss, weight)
    if reduction == "none":
        return wl
    if reduction == "sum":
        return red.sum(wl)
    if reduction == "mean":
        return ew.div(red.sum(wl), red.sum(weight)) if mean_by_weight else red.mean(wl)
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_size(input, target, "mse_loss")
    reduction = legacy_reduction(size_average, reduce, reduction)
    a, b = _broadcast(input, target, "mse_loss")
    d = ew.sub(a, b)
    loss = ew.mul(d, d)
    if weight is not None:  # torch's weighted form is a composite too
        return _weighted(loss, weight, input, reduction, "mse_loss")
    return also_saves(reduce_loss(loss, reduction), a, b)  # torch's mse_loss is one node saving input and target


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_size(input, target, "l1_loss")
    reduction = legacy_reduction(size_average, reduce, reduction)
    a, b = _broadcast(input, target, "l1_loss")
    loss = ew.abs(ew.sub(a, b))
    if weight is not None:
        return _weighted(loss, weight, input, reduction, "l1_loss")
    return reduce_loss(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    _warn_size(input, target, "smooth_l1_loss")
    reduction = legacy_reduction(size_average, reduce, reduction)
    if not beta >= 0:  # nan too
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta. (beta={beta})")
    a, b = _broadcast(input, target, "smooth_l1_loss")
    d = ew.sub(a, b)
    ad = ew.abs(d)
    if beta == 0:
        return reduce_loss(ad, reduction)
    quad = ew.mul(ew.mul(d, d), 0.5 / beta)
    loss = ew.where(ew.lt(ad, beta), quad, ew.sub(ad, 0.5 * beta))
    return also_saves(reduce_loss(loss, reduction), a, b)  # one node in torch, saving input and target


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    _warn_size(input, target, "huber_loss")
    if not delta > 0:  # nan too
        raise RuntimeError(f"huber_loss does not support non-positive values for delta. (delta={delta})")
    a, b = _broadcast(input, target, "huber_loss")
    d = ew.sub(a, b)
    ad = ew.abs(d)
    loss = ew.where(ew.lt(ad, delta), ew.mul(ew.mul(d, d), 0.5), ew.mul(ew.sub(ad, 0.5 * delta), delta))
    if weight is not None:
        loss = _weighted(loss, weight, input, reduction, "huber_loss", mean_by_weight=False)
    else:
        loss = reduce_loss(loss, reduction)
    return also_saves(loss, a, b)  # torch's huber_loss node saves input and target (weighted or not)


# ---- binary cross entropy -----------------------------------------------------------------------
def _bce_elementwise(input, target, weight):
    """Primitive: torch's exact clamped forward (log >= -100) and its eps-guarded backward."""
    x, t = input._data, target._data.astype(input._data.dtype, copy=False)
    w = None if weight is None else weight._data
    with np.errstate(divide="ignore", invalid="ignore"):
        logx = np.maximum(np.log(x), -100)
        log1mx = np.maximum(np.log1p(-x), -100)
    loss = (t - 1) * log1mx - t * logx
    if w is not None:
        loss = loss * w
    loss = loss.astype(x.dtype, copy=False)

    def backward(g):
        gx = gt = None
        if input.requires_grad:
            gx = g * (x - t) / np.maximum((1 - x) * x, x.dtype.type(1e-12))
            if w is not None:
                gx = gx * w
        if target.requires_grad:
            with np.errstate(divide="ignore", invalid="ignore"):
                gt = g * (np.log1p(-x) - np.log(x))  # -logit(x), as torch
            if w is not None:
                gt = gt * w
        return gx, gt

    def composite(input, target):
        """The clamped logs in impl ops; their derivative (1 - t) / (1 - x) - t / x is the kernel's (x - t) / (x (1 - x))
        on 0 < x < 1. At x = 0 or 1 exactly the clamp's slope is 0 where the kernel's eps-guarded one is
        +-1e12 (torch's too): only there do the two differ."""
        t = target if target.dtype == input.dtype else target.to(input.dtype)
        logx = ew.clamp_min(ew.log(input), -100.0)
        log1mx = ew.clamp_min(ew.log1p(ew.neg(input)), -100.0)
        loss = ew.sub(ew.mul(ew.sub(t, 1.0), log1mx), ew.mul(t, logx))
        return loss if weight is None else ew.mul(loss, weight)

    return apply_fused("BinaryCrossEntropyBackward0", loss, (input, target), backward, saved=(input, target, weight),
                       composite=composite)  # torch saves the weight too


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    op = "binary_cross_entropy"
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_float(input, op)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Using a target size ({tuple(target._data.shape)}) that is different to the input size "
            f"({tuple(input._data.shape)}) is deprecated. Please ensure they have the same size."
        )
    _not_differentiable(op, "weight", weight)
    x = input._data
    if x.size and (np.any(x < 0) or np.any(x > 1)):
        raise RuntimeError(f"{op}: all elements of input should be between 0 and 1")
    if weight is not None:
        try:
            np.broadcast_shapes(weight._data.shape, x.shape)
        except ValueError:
            raise RuntimeError(f"{op}: weight of size {size_str(weight._data.shape)} is not broadcastable to input {size_str(x.shape)}") from None
    check_reduction(reduction)
    return reduce_loss(_bce_elementwise(input, target, weight), reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
    """(1 - t) x - lw * logsigmoid(x), lw = 1 + (pos_weight - 1) t (torch's formula; composite)."""
    op = "binary_cross_entropy_with_logits"
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_float(input, op)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({tuple(target._data.shape)}) must be the same as input size ({tuple(input._data.shape)})")
    _not_differentiable(op, "weight", weight)
    _not_differentiable(op, "pos_weight", pos_weight)
    check_reduction(reduction)
    ls = ew.logsigmoid(input)
    if pos_weight is not None:
        ls = ew.mul(ls, ew.add(ew.mul(ew.sub(pos_weight, 1), target), 1))
    loss = ew.sub(ew.mul(ew.rsub(target, 1), input), ls)
    if weight is not None:
        loss = ew.mul(loss, weight)
    # torch's is one node that saves all four tensors
    return also_saves(reduce_loss(loss, reduction), input, target, weight, pos_weight)


# ---- cross entropy / nll ------------------------------------------------------------------------
def _soft_ce(input, q, axis, index=None):
    """Primitive: loss = -sum_c q_c * log_softmax(x)_c along ``axis``; q is a Tensor (may need grad).

    Class-index targets pass ``q=None`` and ``index=(ts, qt, valid, b, wc)`` instead: the same q, kept
    sparse, q_c = qt [c == ts] + b * valid * wc_c (qt = (1 - eps) w_target, b = eps / C). Fused for speed: a dense one-hot q costs
    ~5 extra passes over (N, C) in each direction; here the target term is a gather and a scatter."""
    x = input._data
    m = np.max(x, axis=axis, keepdims=True) if x.size else np.zeros(x.shape[:axis] + (1,) + x.shape[axis + 1:], x.dtype)
    m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)
    shifted = x - m
    e = np.exp(shifted)
    se = np.sum(e, axis=axis, keepdims=True)
    if index is not None:
        ts, qt, valid, b, wc = index
        C = x.shape[axis]
        tk = np.expand_dims(ts, axis)
        with np.errstate(divide="ignore", invalid="ignore"):
            lse = np.log(se)
            picked = np.squeeze(np.take_along_axis(shifted, tk, axis), axis) - np.squeeze(lse, axis)  # log p_target
            # qt == 0 (ignored, zero class weight, or full smoothing): no contribution, even at logit -inf.
            loss = -np.where(qt == 0, 0, qt * picked)
            sumq = qt
            if b:
                wcs = np.ones(C, dtype=x.dtype) if wc is None else wc
                wck = wcs.reshape((C,) + (1,) * (x.ndim - 1 - axis))
                smooth = np.sum(np.where(wck == 0, 0, wck * (shifted - lse)), axis=axis)
                loss = loss - np.where(valid, b * smooth, 0)
                sumq = sumq + np.where(valid, b * wcs.sum(dtype=x.dtype), 0)
        loss = loss.astype(x.dtype, copy=False)

        def backward(g):
            gk = np.expand_dims(g, axis)
            with np.errstate(divide="ignore", invalid="ignore"):
                gx = e * (gk * np.expand_dims(sumq, axis) / se)  # softmax * sum(q), scaled by g
                at_t = np.take_along_axis(gx, tk, axis) - gk * np.expand_dims(qt, axis)  # minus q at the target
                np.put_along_axis(gx, tk, at_t, axis)
                if b:
                    gx -= (gk * np.expand_dims(np.where(valid, b, 0), axis)) * wck
            return gx.astype(x.dtype, copy=False), None

        def composite(input, _):
            """log_softmax, a gather at the targets and the smoothing sum, with the same constant weights."""
            logp = red.log_softmax(input, axis)
            picked = shape.squeeze(shape.gather(logp, axis, Tensor._wrap(tk.astype(np.int64))), axis)
            zero = Tensor._wrap(np.zeros((), dtype=x.dtype))
            loss = ew.mul(ew.where(Tensor._wrap(qt != 0), picked, zero), Tensor._wrap(-qt))
            if b:
                smooth = red.sum(ew.mul(ew.where(Tensor._wrap(wck != 0), logp, zero), Tensor._wrap(wck)), axis)
                loss = ew.sub(loss, ew.where(Tensor._wrap(np.asarray(valid)), ew.mul(smooth, float(b)), zero))
            return loss

        # torch's log_softmax + nll_loss save the log-probabilities, not the input (the caller adds the targets)
        return apply_fused("CrossEntropyLossBackward0", loss, (input, None), backward, composite=composite)
    qa = q._data
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = shifted - np.log(se)
        # 0 * -inf: a class with zero target weight contributes nothing, even at logit -inf.
        terms = np.where(qa == 0, 0, qa * logp)
    loss = -np.sum(terms, axis=axis).astype(x.dtype, copy=False)

    def backward(g):
        gk = np.expand_dims(g, axis)
        gx = gq = None
        if input.requires_grad:
            with np.errstate(divide="ignore", invalid="ignore"):
                p = e / se
            gx = gk * (p * np.sum(qa, axis=axis, keepdims=True) - qa)
        if q.requires_grad:
            gq = -gk * logp
        return gx, gq

    def composite(input, q):
        """-sum(q * log_softmax(x)); where q is 0 at a logit of -inf the term is 0 (not 0 * -inf)."""
        logp = red.log_softmax(input, axis)
        dead = (q._data == 0) & (logp._data == -np.inf)
        if dead.any():
            logp = ew.where(Tensor._wrap(dead), Tensor._wrap(np.zeros((), dtype=x.dtype)), logp)
        return ew.neg(red.sum(ew.mul(q, logp), axis))

    # torch's -(log_softmax(x) * q) saves q for the input's gradient (and log_softmax's result, not the input)
    return apply_fused("CrossEntropyLossBackward0", loss, (input, q), backward, saved=(needed(q, input),),
                       composite=composite)


def _index_targets(op, input, target, weight, ignore_index):
    """Validate class-index targets: (ts, valid, wt, w, C, cls_shape) for the batched view (N, C, ...).

    ts: targets with ignored ones set to 0; wt: the target's class weight, 0 where ignored."""
    _not_differentiable("nll_loss_forward", "weight", weight)
    x = input._data
    t = target._data
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected target dtype to be Long or Byte, but got {torch_type_name(t)} (target {size_str(t.shape)})")
    if x.ndim == 1:
        if t.ndim != 0:
            raise RuntimeError(f"{op}: 1D input (C,) expects a 0D target, got target of size {size_str(t.shape)}")
        C = x.shape[0]
        xb, tb = x[None], t[None]
    else:
        if t.ndim == 0 or x.shape[0] != t.shape[0]:
            raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0] if t.ndim else 0}).")
        if t.shape != x.shape[:1] + x.shape[2:]:
            if x.ndim == 2:
                raise RuntimeError(f"{op}: 1D target tensor expected, multi-target not supported (input {size_str(x.shape)}, target {size_str(t.shape)})")
            if x.ndim == 4:
                raise RuntimeError(f"{op}: size mismatch (got input: {size_str(x.shape)} , target: {size_str(t.shape)}")
            raise RuntimeError(f"{op}: Expected target size {size_str(x.shape[:1] + x.shape[2:])}, got {size_str(t.shape)}")
        C = x.shape[1]
        xb, tb = x, t
    w = None
    if weight is not None:
        w = weight._data
        if w.ndim != 1 or w.shape[0] != C:
            raise RuntimeError(
                f"{op}: weight tensor should be defined either for all {C} classes or no classes but got weight "
                f"tensor of shape: {size_str(w.shape)}"
            )
    valid = tb != ignore_index
    bad = valid & ((tb < 0) | (tb >= C))
    if bad.any():
        raise IndexError(f"Target {int(tb[bad].flat[0])} is out of bounds. ({op}: {C} classes)")
    ts = np.where(valid, tb, 0)
    wt = np.ones(ts.shape, dtype=x.dtype) if w is None else w.astype(x.dtype)[ts]
    wt = np.where(valid, wt, 0).astype(x.dtype)
    cls_shape = (1, C) + (1,) * (xb.ndim - 2)
    return ts, valid, wt, w, C, cls_shape


def _index_target_weights(op, input, target, weight, ignore_index):
    """For class-index targets (nll_loss): (q ndarray shaped like input, denominator of the weighted mean).

    q_c = w_t [c == t] on non-ignored positions, 0 on ignored ones; the mean divides by sum of w_t over
    non-ignored positions, as torch's nll_loss. (cross_entropy's label smoothing is ``_soft_ce``'s ``index``.)"""
    x = input._data
    ts, valid, wt, _, C, cls_shape = _index_targets(op, input, target, weight, ignore_index)
    # one-hot over the class axis (axis 1 of the batched view)
    classes = np.arange(C).reshape(cls_shape)
    onehot = (np.expand_dims(ts, 1) == classes) & np.expand_dims(valid, 1)
    q = (onehot * np.expand_dims(wt, 1)).astype(x.dtype, copy=False)
    if x.ndim == 1:
        q = q[0]
    return q, wt.sum(dtype=np.float64)


def _finish(loss_none, reduction, denom, all_ignored=False):
    if reduction == "none":
        return loss_none
    total = red.sum(loss_none)
    if reduction == "sum":
        return total
    if all_ignored:
        # Every target is ignore_index: torch returns nan (0/0) but an all-zero gradient (its backward only
        # writes -w/total_weight at non-ignored targets); total / 0 would backprop nan everywhere.
        return ew.add(ew.mul(total, 0.0), float("nan"))
    with np.errstate(divide="ignore", invalid="ignore"):
        return ew.div(total, Tensor._wrap(_dtype.full_array((), denom, total.dtype)))  # bfloat16 too


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean", label_smoothing=0.0):
    op = "cross_entropy"
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    check_float(input, op)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"{op}: label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    x = input._data
    if x.ndim == 0:
        raise RuntimeError(f"{op}: input must be at least 1-D (C,) or (N, C, ...), got a 0-D tensor")
    axis = 0 if x.ndim == 1 else 1
    C = x.shape[axis]
    t = target._data
    if t.shape == x.shape:
        # class probabilities (soft targets), as torch whenever the shapes agree
        if t.dtype.kind != "f":
            raise RuntimeError(f"{op}: Expected floating point type for target with class probabilities, got {torch_type_name(t)}")
        if ignore_index >= 0:
            raise RuntimeError(f"{op}: ignore_index is not supported for floating point target")
        q = target
        if label_smoothing > 0:
            q = ew.add(ew.mul(q, 1 - label_smoothing), label_smoothing / C)
        if weight is not None:
            if weight._data.ndim != 1 or weight._data.shape[0] != C:
                raise RuntimeError(
                    f"{op}: weight tensor should be defined either for all {C} classes or no classes but got weight "
                    f"tensor of shape: {size_str(weight._data.shape)}"
                )
            q = ew.mul(q, shape.reshape(weight, (C,) + (1,) * (x.ndim - 1 - axis)))
        loss = _finish(_soft_ce(input, q, axis), reduction, (x.size // C) if C else 0)
        # torch multiplies the log-probabilities by the target itself (saved where they require grad) unless it
        # smooths it first, then by the weight (saved)
        return also_saves(loss, needed(target, input) if weight is not None and not label_smoothing else None,
                          needed(weight, input, target))
    ts, valid, wt, w, C, _ = _index_targets(op, input, target, weight, ignore_index)
    if x.ndim == 1:
        ts, valid, wt = ts[0], valid[0], wt[0]
    dt = x.dtype.type
    wc = None if w is None else w.astype(x.dtype)
    qt = wt * dt(1 - label_smoothing)
    loss = _soft_ce(input, None, axis, index=(ts, qt, valid, dt(label_smoothing / C if label_smoothing else 0), wc))
    loss = _finish(loss, reduction, wt.sum(dtype=np.float64), all_ignored=not np.any(target._data != ignore_index))
    return also_saves(loss, target, weight)  # torch's nll_loss saves the target and the weight


def _pick(input, q, axis):
    """Primitive: -sum_c q_c x_c along ``axis`` with constant q (nll_loss's weighted gather)."""
    x = input._data
    with np.errstate(invalid="ignore"):
        loss = -np.sum(np.where(q == 0, 0, q * x), axis=axis).astype(x.dtype, copy=False)
    neg_q = Tensor._wrap(-q)  # the gradient is linear in g with constant weights: differentiable to any order
    return apply("NllLossBackward0", loss, (input,), lambda g: (shape.unsqueeze(g, axis) * neg_q,))


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    op = "nll_loss"
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    check_float(input, op)
    x = input._data
    if x.ndim == 0:
        raise RuntimeError(f"{op}: input must be at least 1-D (C,) or (N, C, ...), got a 0-D tensor")
    q, denom = _index_target_weights(op, input, target, weight, ignore_index)
    loss = _pick(input, q, 0 if x.ndim == 1 else 1)
    loss = _finish(loss, reduction, denom, all_ignored=not np.any(target._data != ignore_index))
    return also_saves(loss, input, target, weight)  # torch's nll_loss saves its input, the target and the weight


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """target * (log target - input) (0 where target == 0), or exp(t) * (t - input) with log_target."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, ("none", "mean", "sum", "batchmean"))
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            stacklevel=2,
        )
    if log_target:
        loss = ew.mul(ew.exp(target), ew.sub(target, input))
    else:
        pos = ew.gt(target, 0)
        safe = ew.where(pos, target, Tensor._wrap(np.ones((), dtype=target._data.dtype)))
        xlogx = ew.mul(target, ew.log(safe))  # xlogy(t, t): 0 at t == 0
        loss = ew.sub(xlogx, ew.mul(target, input))
    if reduction == "batchmean":
        total = red.sum(loss)
        return ew.div(total, input._data.shape[0]) if input._data.ndim else total
    return reduce_loss(loss, reduction)
