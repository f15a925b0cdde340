"""embedding, one_hot, dropout, pad, scaled_dot_product_attention."""
import math

import numpy as np

from ... import _dtype
from ... import random as _random
from ..._autograd import also_saves, apply, apply_fused, no_grad
from ..._tensor import Tensor
from ...ops import elementwise as ew
from ...ops import inplace as ip
from ...ops import linalg, reduce, shape
from ...ops._lowprec import rounded_once
from ._utils import check_dropout_p, check_float, grad_scaled, size_str, torch_type_name


# ---- embedding ----------------------------------------------------------------------------------
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    """weight[input]; repeated ids accumulate their gradients, row ``padding_idx`` gets none."""
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    W = weight._data
    if W.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D, got weight of shape {size_str(W.shape)}")
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got {torch_type_name(idx)} tensor instead (while checking arguments for embedding)"
        )
    num = W.shape[0]
    if padding_idx is not None:
        if padding_idx > 0 and padding_idx >= num or padding_idx < 0 and padding_idx < -num:
            raise AssertionError(f"Padding_idx must be within num_embeddings (padding_idx={padding_idx}, num_embeddings={num})")
        padding_idx = padding_idx % num
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        bad = int(idx.max()) if idx.max() >= num else int(idx.min())
        raise IndexError(f"index out of range in self (embedding: index {bad} with num_embeddings={num})")
    if max_norm is not None:
        _embedding_renorm_(weight, idx, max_norm, norm_type)
        W = weight._data
    out = W[idx]
    D = W.shape[1]
    flat = idx.reshape(-1)

    def backward(g):
        g2 = g.reshape(-1, D)
        if scale_grad_by_freq:
            counts = np.bincount(flat, minlength=num)
            g2 = g2 / counts[flat][:, None].astype(g.dtype)
        gw = np.zeros(W.shape, dtype=g.dtype)
        np.add.at(gw, flat, g2)  # repeated ids accumulate
        if padding_idx is not None:
            gw[padding_idx] = 0
        return (gw,)

    def composite(weight):
        rows = shape.reshape(shape.index_select(weight, 0, flat), idx.shape + (D,))
        if padding_idx is None and not scale_grad_by_freq:
            return rows
        # The gradient rules that are not the derivative of the forward, as a constant factor per looked-up row.
        scale = np.ones(idx.shape + (1,), dtype=W.dtype)
        if scale_grad_by_freq:
            scale /= np.bincount(flat, minlength=num)[idx][..., None]
        if padding_idx is not None:
            scale[idx == padding_idx] = 0
        return grad_scaled(rows, scale)

    # torch saves the indices (not the weight, whose gradient does not read it)
    return apply_fused("EmbeddingBackward0", out, (weight,), backward, composite=composite,
                       saved=(input,) if isinstance(input, Tensor) else ())


def _embedding_renorm_(weight, idx, max_norm, norm_type):
    """torch.embedding_renorm_: rows referenced by ``idx`` with norm > max_norm are rescaled in place."""
    with no_grad():
        rows = np.unique(idx)
        W = weight._data
        norms = np.linalg.norm(W[rows], ord=norm_type, axis=1)
        big = norms > max_norm
        scale = (max_norm / (norms[big] + 1e-7)).astype(W.dtype)
        W[rows[big]] *= scale[:, None]
        weight._version[0] += 1


def one_hot(tensor, num_classes=-1):
    t = tensor._data
    if t.dtype != np.int64:
        raise RuntimeError(f"one_hot is only applicable to index tensor of type LongTensor. (got {tensor.dtype})")
    if num_classes == -1:
        if t.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(t.max()) + 1
    if t.size and t.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if t.size and t.max() >= num_classes:
        raise RuntimeError(f"Class values must be smaller than num_classes. (max {int(t.max())}, num_classes={num_classes})")
    return Tensor._wrap((t[..., None] == np.arange(num_classes)).astype(np.int64))


# ---- dropout ------------------------------------------------------------------------------------
def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p); identity in eval and at p=0.

    Composite: ``input * noise`` with a constant noise tensor, so the backward is masked exactly as the
    forward (mul's own backward). The mask comes from impl's global generator (impl.manual_seed)."""
    check_dropout_p(p)
    if not training or p == 0.0:
        return input
    check_float(input, "dropout")
    x = input._data
    if p == 1.0:
        noise = np.zeros(x.shape, dtype=x.dtype)
    else:
        keep = _random.generator().random(x.shape) >= p
        noise = keep.astype(x.dtype) / x.dtype.type(1.0 - p)
    noise_t = Tensor._wrap(_dtype.cast_array(noise, input.dtype))  # bfloat16 too (float32 storage)
    if inplace:
        return ip.mul_(input, noise_t)
    return ew.mul(input, noise_t)


# ---- pad ----------------------------------------------------------------------------------------
def _pad_constant(input, pads, value):
    x = input._data
    nd = x.ndim
    k = len(pads) // 2
    new_shape = list(x.shape)
    src, dst = [slice(None)] * nd, [slice(None)] * nd
    for i in range(k):
        d = nd - 1 - i
        lo, hi = pads[2 * i], pads[2 * i + 1]
        L = x.shape[d]
        n = L + lo + hi
        if L + min(lo, 0) + min(hi, 0) < 0:  # torch crops the negative pads first: they may not take more than L
            raise RuntimeError(
                f"pad: The input size {L}, plus negative padding {lo} and {hi} resulted in a negative output size, "
                f"which is invalid. Check dimension {d} of your input (shape {size_str(x.shape)})."
            )
        new_shape[d] = n
        # Negative pads crop the source; positive pads shift the destination.
        s0, s1 = max(-lo, 0), L - max(-hi, 0)
        d0 = max(lo, 0)
        if s1 <= s0:
            s0 = s1 = d0 = 0
        src[d] = slice(s0, s1)
        dst[d] = slice(d0, d0 + (s1 - s0))
    src, dst = tuple(src), tuple(dst)
    out = _dtype.full_array(new_shape, value, _dtype.of_array(x))  # bfloat16 too
    out[dst] = x[src]

    # The adjoint of constant padding is padding by the negated amounts (a crop where the forward padded, zeros
    # where it cropped): linear in the gradient, so differentiable to any order.
    back_pads = [-v for v in pads]
    return apply("ConstantPadNdBackward0", out, (input,), lambda g: (_pad_constant(g, back_pads, 0.0),))


def _pad_index(mode, L, lo, hi):
    pos = np.arange(-lo, L + hi)
    if mode == "reflect":
        pos = np.abs(pos)
        return np.where(pos > L - 1, 2 * (L - 1) - pos, pos)
    if mode == "replicate":
        return np.clip(pos, 0, L - 1)
    # circular: torch crops negative pads first, then wraps around the cropped signal.
    c0, c1 = max(-lo, 0), L - max(-hi, 0)
    rel = np.arange(L + lo + hi) - max(lo, 0)
    return c0 + rel % max(c1 - c0, 1)


def pad(input, pad, mode="constant", value=None):
    pads = [int(v) for v in pad]
    x = input._data
    if len(pads) % 2:
        raise RuntimeError(f"pad: Padding length must be divisible by 2 (got pad={pads})")
    if len(pads) // 2 > x.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but got padding "
            f"length {len(pads)} and input of dimension {x.ndim}"
        )
    if mode == "constant":
        return _pad_constant(input, pads, 0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pads) // 2
    if k > 3 or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pads)} is not supported for {x.ndim}D input tensor (mode={mode}). Supported: "
            "2D or 3D input with padding size 2, 3D or 4D with 4, 4D or 5D with 6."
        )
    out = input
    for i in range(k):
        d = x.ndim - 1 - i
        lo, hi = pads[2 * i], pads[2 * i + 1]
        L = x.shape[d]
        if mode == "reflect" and (lo >= L or hi >= L):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input dimension, but got: "
                f"padding ({lo}, {hi}) at dimension {d} of input {size_str(x.shape)}"
            )
        if mode == "circular" and (lo > L - max(-hi, 0) or hi > L - max(-lo, 0)):
            raise RuntimeError(f"pad: Padding value causes wrapping around more than once (padding ({lo}, {hi}) at dimension {d} of input {size_str(x.shape)})")
        if L == 0:
            raise RuntimeError(f"pad: input dimension {d} is empty (shape {size_str(x.shape)}); {mode} padding needs values")
        if L + lo + hi < (0 if mode == "circular" else 1):  # reflect and replicate: at least one element
            raise RuntimeError(f"pad: input (size {L} at dimension {d}) is too small. Calculated output size: "
                               f"{L + lo + hi} (padding ({lo}, {hi}), mode {mode})")
        # A gather along d: repeated source positions accumulate their gradients (index_select backward).
        out = shape.index_select(out, d, _pad_index(mode, L, lo, hi))
    # torch's reflection and replication pads are one node that saves the input (circular padding is a composite)
    return also_saves(out, input) if mode != "circular" else out


# ---- attention ----------------------------------------------------------------------------------
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    """softmax(q k^T * scale + mask) v, batched over every leading (batch, head) dim by matmul.

    Bool masks keep the True positions; float masks are added; is_causal excludes attn_mask (as torch).
    Rows with every position masked give zeros (torch's safe softmax), not nan."""
    op = "scaled_dot_product_attention"
    check_float(query, op, "query")
    q, k = query._data, key._data
    if q.ndim < 2 or k.ndim < 2 or value._data.ndim < 2:
        raise RuntimeError(f"{op}: query, key and value must be at least 2-D, got {size_str(q.shape)}, {size_str(k.shape)}, {size_str(value._data.shape)}")
    if q.shape[-1] != k.shape[-1]:
        raise RuntimeError(f"{op}: query and key must have the same embedding dimension, got query {size_str(q.shape)} and key {size_str(k.shape)}")
    if k.shape[-2] != value._data.shape[-2]:
        raise RuntimeError(f"{op}: key and value must have the same sequence length, got key {size_str(k.shape)} and value {size_str(value._data.shape)}")
    L, S, E = q.shape[-2], k.shape[-2], q.shape[-1]
    flash = _flash_kernel(query, key, value, attn_mask, dropout_p, enable_gqa)
    saved = (query, key, value)  # what the fused kernel saves: the inputs themselves (before any head repetition)

    def attend(query, key, value, attn_mask):
        if enable_gqa and q.ndim >= 3 and k.shape[-3] != q.shape[-3]:
            hq, hk = q.shape[-3], k.shape[-3]
            if hq % hk:
                raise RuntimeError(f"{op}: number of query heads {hq} must be divisible by key/value heads {hk}")
            rep = np.repeat(np.arange(hk), hq // hk)
            key = shape.index_select(key, key._data.ndim - 3, rep)
            value = shape.index_select(value, value._data.ndim - 3, rep)
        sf = 1.0 / math.sqrt(E) if scale is None else scale
        # torch's math path scales both operands by sqrt(scale) before the product: it saves those scaled copies, so an
        # in-place edit of the query or the key does not make its backward raise
        root = math.sqrt(abs(sf))
        scores = linalg.matmul(ew.mul(query, root if sf >= 0 else -root), ew.mul(shape.transpose(key, -2, -1), root))
        if is_causal and attn_mask is not None:
            raise RuntimeError(f"{op}: Explicit attn_mask should not be set when is_causal=True")
        keep = None  # bool mask of allowed positions
        if is_causal:
            keep = np.tril(np.ones((L, S), dtype=bool))
        if attn_mask is not None:
            m = attn_mask._data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
            try:
                ok = np.broadcast_shapes(m.shape, scores._data.shape) == scores._data.shape
            except ValueError:
                ok = False
            if not ok:
                raise RuntimeError(
                    f"{op}: attn_mask of shape {size_str(m.shape)} must broadcast to the attention scores of shape "
                    f"{size_str(scores._data.shape)} (query {size_str(q.shape)}, key {size_str(k.shape)})"
                )
            if m.dtype == np.bool_:
                keep = m if keep is None else (keep & m)
            else:
                scores = ew.add(scores, attn_mask)
        if keep is not None:
            scores = ew.where(Tensor._wrap(np.asarray(keep)), scores, Tensor._wrap(_dtype.full_array((), -np.inf, scores.dtype)))
        dead = np.all(scores._data == -np.inf, axis=-1, keepdims=True)
        if dead.any():
            # Safe softmax: fully-masked rows become 0 with 0 gradient instead of nan.
            zero = Tensor._wrap(_dtype.full_array((), 0.0, scores.dtype))
            alive = Tensor._wrap(_dtype.cast_array(~dead, scores.dtype))  # bfloat16 too
            attn = ew.mul(reduce.softmax(ew.where(Tensor._wrap(dead), zero, scores), dim=-1), alive)
        else:
            attn = reduce.softmax(scores, dim=-1)
        if dropout_p > 0.0:
            attn = dropout(attn, dropout_p, training=True)
        return linalg.matmul(attn, value)

    # float16/bfloat16: computed in float32 and rounded once, as torch's kernels (not with a random dropout mask)
    out = attend(query, key, value, attn_mask) if dropout_p > 0.0 else rounded_once(attend, query, key, value, attn_mask)
    if flash:  # torch's fused kernel saves the query, key, value and a float mask
        float_mask = attn_mask if isinstance(attn_mask, Tensor) and attn_mask._data.dtype != np.bool_ else None
        return also_saves(out, *saved, float_mask)
    return out


def _flash_kernel(query, key, value, attn_mask, dropout_p, enable_gqa):
    """Whether torch's CPU dispatch picks its fused (flash) kernel for these inputs rather than the math path: 4-D
    inputs of one head size, equal batch and head counts (or grouped heads), no empty sequence, a mask that needs no
    gradient, unit stride on the last dim. The values are the same either way; what each path saves differs."""
    q, k, v = query._data, key._data, value._data
    if not (q.ndim == k.ndim == v.ndim == 4 and q.shape[-1] == k.shape[-1] == v.shape[-1] > 0 and dropout_p == 0.0):
        return False
    heads_ok = q.shape[1] == k.shape[1] == v.shape[1] or (enable_gqa and k.shape[1] == v.shape[1] and k.shape[1]
                                                           and q.shape[1] % k.shape[1] == 0)
    return (q.shape[0] == k.shape[0] == v.shape[0] and heads_ok and q.shape[2] > 0 and k.shape[2] > 0
            and not (isinstance(attn_mask, Tensor) and attn_mask.requires_grad)
            and all(a.strides[-1] == a.itemsize or a.shape[-1] == 1 for a in (q, k, v)))
