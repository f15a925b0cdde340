"""linear, bilinear, conv1d, conv2d.

conv2d is one primitive: im2col via ``sliding_window_view`` and one matmul (batched over groups only);
its backward is the two transposed matmuls plus a col2im that accumulates slices, one per kernel offset
(kh*kw iterations; never a loop over batch, pixels or channels). conv1d is conv2d on a
height-1 image.
"""
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..._autograd import also_saves, apply_fused, needed
from ...ops import elementwise as ew
from ...ops import linalg, shape
from ...ops._common import ensure_tensor, from_opmath, opmath
from ._utils import check_float, ntuple, same_dtype, size_str, window_taps
from .sparse import pad


# ---- linear ---------------------------------------------------------------------------------------
def linear(input, weight, bias=None):
    """y = x W^T + b: the fused primitive ``_linear_core``; a 1-D weight or odd bias takes the composite."""
    check_float(input, "linear")
    if weight._data.ndim not in (1, 2):
        raise RuntimeError(f"linear: weight must be 1-D or 2-D, but got weight of shape {tuple(weight._data.shape)}")
    x, w = input._data, weight._data
    if x.ndim == 0:
        raise RuntimeError("linear: both arguments to linear need to be at least 1D, but input is 0D")
    if x.shape[-1] != w.shape[-1]:
        rows = int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
        raise RuntimeError(
            f"linear: mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
            f"{w.shape[-1]}x{w.shape[0] if w.ndim == 2 else 1}) (input {tuple(x.shape)}, weight {tuple(w.shape)})"
        )
    same_dtype("linear", ("input", input), ("weight", weight), ("bias", bias))
    if w.ndim == 2 and (bias is None or bias._data.shape == (w.shape[0],)):
        return _linear_core(input, weight, bias)
    out = linalg.matmul(input, shape.t(weight) if w.ndim == 2 else weight)
    if bias is not None:
        out = out + bias
    return out


def _linear_core(input, weight, bias):
    """Primitive y = x W^T + b on x (..., in) flattened to rows: one node and one matmul per gradient,
    where the composite records transpose + matmul + add nodes and sums a broadcast bias gradient."""
    x, w = input._data, weight._data
    lead = x.shape[:-1]
    rows = math.prod(lead)
    x2 = x.reshape(rows, x.shape[-1])
    # float16/bfloat16: products, sums and the bias add in float32, rounded once at the end (torch's addmm)
    out = np.matmul(opmath(x2), opmath(w).T)
    if bias is not None:
        out += opmath(bias._data)
    out = from_opmath(out, x).reshape(lead + (w.shape[0],))

    def backward(g):
        g2 = g.reshape(rows, w.shape[0])
        gx = gw = gb = None
        if input.requires_grad:
            gx = np.matmul(g2, w).reshape(x.shape)
        if weight.requires_grad:
            gw = np.matmul(g2.T, x2)
        if bias is not None and bias.requires_grad:
            gb = g2.sum(axis=0)
        return gx, gw, gb

    name = "MmBackward0" if bias is None else "AddmmBackward0"
    # as torch's addmm: the input for the weight's gradient, the weight for the input's
    return apply_fused(name, out, (input, weight, bias), backward, saved=(needed(input, weight), needed(weight, input)),
                       composite=_linear_composite)


def _linear_composite(input, weight, bias):
    out = linalg.matmul(input, shape.t(weight))
    return out if bias is None else ew.add(out, bias)


def bilinear(input1, input2, weight, bias=None):
    """y_k = x1^T A_k x2 + b_k with weight (out, in1, in2); composite of two broadcast matmuls."""
    check_float(input1, "bilinear", "input1")
    w = weight._data
    if w.ndim != 3:
        raise RuntimeError(f"bilinear: weight must be 3-D (out_features, in1_features, in2_features), got shape {tuple(w.shape)}")
    if input1._data.shape[-1] != w.shape[1] or input2._data.shape[-1] != w.shape[2]:
        raise RuntimeError(
            f"bilinear: input1 size {input1._data.shape[-1]} and input2 size {input2._data.shape[-1]} do not match "
            f"weight of shape {tuple(w.shape)} (input1 {tuple(input1._data.shape)}, input2 {tuple(input2._data.shape)})"
        )
    if input1._data.shape[:-1] != input2._data.shape[:-1]:
        raise RuntimeError(
            f"bilinear: input1 and input2 must have the same batch dimensions, got {tuple(input1._data.shape)} "
            f"and {tuple(input2._data.shape)}"
        )
    x1 = shape.unsqueeze(shape.unsqueeze(input1, -2), -3)  # (..., 1, 1, in1)
    t = linalg.matmul(x1, weight)  # (..., out, 1, in2)
    x2 = shape.unsqueeze(shape.unsqueeze(input2, -1), -3)  # (..., 1, in2, 1)
    out = linalg.matmul(t, x2)  # (..., out, 1, 1)
    out = shape.squeeze(shape.squeeze(out, -1), -1)
    if bias is not None:
        out = out + bias
    # torch's bilinear is one _trilinear node: it saves each of input1, weight, input2 that another one's gradient
    # reads (any of the other two requires grad)
    return also_saves(out, needed(input1, weight, input2), needed(weight, input1, input2), needed(input2, input1, weight))


# ---- convolution ----------------------------------------------------------------------------------
def _grad_weight(G, cols):
    """G (g, Og, M) @ cols^T (g, M, K): one 2-D product for a single group (BLAS reads the transposed view in
    place; the stacked product goes through numpy's batched loop, ~15% slower at these sizes), same sums."""
    if G.shape[0] == 1:
        return np.matmul(G[0], cols[0].T)[None]
    return np.matmul(G, cols.transpose(0, 2, 1))


def _conv2d_core(x_t, w_t, b_t, stride, pads, dilation, groups):
    """The primitive on a 4-D input. ``pads`` = (top, bottom, left, right), zero padding.

    Columns are laid out channels-first, ``cols[g, Cg*kh*kw, positions]``, so the forward is one matmul
    (batched over groups only) ``w @ cols`` and the weight gradient one long-reduction matmul ``G @ cols^T``
    (N per-image matmuls are ~2x slower). With stride 1 the whole padded batch is one flat row per channel
    and the outputs are computed at every padded position: each kernel offset is then a constant shift, so
    im2col copies kh*kw long contiguous slices, and the input gradient is kh*kw shifted matmuls
    ``w[:, :, i, j]^T @ G`` (a transposed convolution) instead of a 10x larger column gradient plus col2im
    (~2x faster overall). The junk outputs at padding positions are dropped; their gradient is zero.
    """
    x, w = x_t._data, w_t._data
    dt = x.dtype
    N, C, H, W = x.shape
    O, Cg, kh, kw = w.shape
    g = groups
    Og = O // g
    sh, sw = stride
    dh, dw = dilation
    pt, pb, pl, pr = pads
    Hp, Wp = H + pt + pb, W + pl + pr
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    Ho, Wo = (Hp - eh) // sh + 1, (Wp - ew) // sw + 1
    kk = kh * kw
    K = Cg * kk
    xc = x.transpose(1, 0, 2, 3)  # (C, N, H, W): channels first, the layout of the columns
    flat = sh == 1 and sw == 1
    if flat:
        P = Hp * Wp
        M = N * P  # output positions, junk included
        offs = [i * dh * Wp + j * dw for i in range(kh) for j in range(kw)]
        m0 = offs[-1]  # the largest shift: margin after the input (forward) and before the gradient (backward)
        xpf = np.zeros((C, M + m0), dtype=dt)
        xpf[:, :M].reshape(C, N, Hp, Wp)[:, :, pt: pt + H, pl: pl + W] = xc
        # im2col: kh*kw contiguous slice copies -> (C, kh*kw, N*Hp*Wp).
        cols = np.empty((C, kk, M), dtype=dt)
        for idx, s in enumerate(offs):
            cols[:, idx] = xpf[:, s: s + M]
        out = np.matmul(opmath(w).reshape(g, Og, K), opmath(cols).reshape(g, K, M)).reshape(O, N, Hp, Wp)[:, :, :Ho, :Wo]
    else:
        M = N * Ho * Wo
        xp = np.pad(xc, ((0, 0), (0, 0), (pt, pb), (pl, pr))) if any(pads) else xc
        win = sliding_window_view(xp, (eh, ew), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]  # (C, N, Ho, Wo, kh, kw)
        cols = np.ascontiguousarray(win.transpose(0, 4, 5, 1, 2, 3))  # (C, kh, kw, N, Ho, Wo)
        out = np.matmul(opmath(w).reshape(g, Og, K), opmath(cols).reshape(g, K, M)).reshape(O, N, Ho, Wo)
    cols = cols.reshape(g, K, M)
    out = out.transpose(1, 0, 2, 3)
    # float16/bfloat16: the products, sums and bias add in float32 (opmath), rounded once at the end, as torch's
    if b_t is not None:
        out = np.add(out, opmath(b_t._data).reshape(1, O, 1, 1), out=np.empty(out.shape, dtype=out.dtype))
    else:
        out = np.ascontiguousarray(out)
    out = from_opmath(out, x)

    def backward(gout):
        gx = gw = gb = None
        gc = gout.transpose(1, 0, 2, 3)  # (O, N, Ho, Wo)
        if flat:
            Gf = np.zeros((O, m0 + M), dtype=dt)  # zero at junk positions and in the leading margin
            Gf[:, m0:].reshape(O, N, Hp, Wp)[:, :, :Ho, :Wo] = gc
            Gf = Gf.reshape(g, Og, m0 + M)
            G = Gf[:, :, m0:]
        else:
            G = np.ascontiguousarray(gc).reshape(g, Og, M)
        if w_t.requires_grad:
            with np.errstate(invalid="ignore"):  # junk inf * 0 is redone below
                gw = _grad_weight(G, cols)
            if flat and not np.isfinite(gw).all():
                # Junk columns hold (finite) padding-row input values that only meet zero gradients,
                # unless the input itself is inf/nan: then exclude them exactly as the valid sum would.
                cols.reshape(g, K, N, Hp, Wp)[:, :, :, Ho:] = 0
                cols.reshape(g, K, N, Hp, Wp)[..., Wo:] = 0
                gw = _grad_weight(G, cols)
            gw = gw.reshape(O, Cg, kh, kw)
        if b_t is not None and b_t.requires_grad:
            gb = gout.sum(axis=(0, 2, 3))
        if x_t.requires_grad:
            wT = w.reshape(g, Og, Cg, kk).transpose(3, 0, 2, 1)  # (kk, g, Cg, Og)
            if flat and np.isfinite(w).all():  # (inf weights times the zero junk gradients would make nan)
                # Transposed convolution: gx_padded[q] = sum over offsets s of w_s^T @ G[q - s].
                gxf = np.matmul(wT[0], G)
                tmp = np.empty_like(gxf)
                for idx in range(1, kk):
                    s = offs[idx]
                    gxf += np.matmul(wT[idx], Gf[:, :, m0 - s: m0 - s + M], out=tmp)
                gxp = gxf.reshape(C, N, Hp, Wp)
            else:
                if flat:
                    G = np.ascontiguousarray(gc).reshape(g, Og, N * Ho * Wo)
                dc = np.matmul(w.reshape(g, Og, K).transpose(0, 2, 1), G).reshape(C, kk, N, Ho, Wo)
                gxp = np.zeros((C, N, Hp, Wp), dtype=dt)
                # col2im: one strided accumulation per kernel offset (overlapping windows add up).
                for i in range(kh):
                    for j in range(kw):
                        gxp[:, :, i * dh: i * dh + sh * (Ho - 1) + 1: sh, j * dw: j * dw + sw * (Wo - 1) + 1: sw] += dc[:, i * kw + j]
            gx = np.ascontiguousarray(gxp[:, :, pt: pt + H, pl: pl + W].transpose(1, 0, 2, 3))
        return gx, gw, gb

    def composite(x_t, w_t, b_t):
        return _conv2d_composite(x_t, w_t, b_t, stride, pads, dilation, groups, (Ho, Wo))

    return apply_fused("ConvolutionBackward0", out, (x_t, w_t, b_t), backward, saved=(x_t, w_t), composite=composite)


def _conv2d_composite(x_t, w_t, b_t, stride, pads, dilation, groups, out_size):
    """The convolution in impl ops (what create_graph differentiates): zero padding, im2col as kh*kw strided
    slices stacked next to the channels, then one matmul batched over images and groups."""
    N, C = x_t.shape[:2]
    O, Cg, kh, kw = w_t.shape
    Ho, Wo = out_size
    pt, pb, pl, pr = pads
    xp = pad(x_t, (pl, pr, pt, pb)) if any(pads) else x_t
    taps = window_taps(xp, (kh, kw), stride, dilation, out_size)
    cols = shape.reshape(shape.stack(taps, 2), (N, groups, Cg * kh * kw, Ho * Wo))  # rows ordered (c, i, j) as w
    out = linalg.matmul(shape.reshape(w_t, (groups, O // groups, Cg * kh * kw)), cols)  # (N, g, Og, Ho*Wo)
    out = shape.reshape(out, (N, O, Ho, Wo))
    return out if b_t is None else ew.add(out, shape.reshape(b_t, (1, O, 1, 1)))


def _conv_padding(padding, nd, kernel, dilation, stride, op):
    """Resolve int/tuple/'same'/'valid' into (lo, hi) pairs per spatial dim."""
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * nd
        if padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError(f"{op}: padding='same' is not supported for strided convolutions (stride={list(stride)})")
            out = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                # As torch: an odd total puts the extra element on the right/bottom.
                out.append((total // 2, total - total // 2))
            return out
        raise RuntimeError(f"{op}: Invalid padding string: '{padding}' (expected 'same', 'valid' or ints)")
    p = ntuple(padding, nd, "padding", op)
    if any(v < 0 for v in p):
        raise RuntimeError(f"{op}: negative padding is not supported (padding={list(p)})")
    return [(v, v) for v in p]


# ---- argument checks shared by conv1d/2d, the transposed convolutions and conv3d ------------------------------
def _conv_common(op, nd, input, weight, bias, stride, dilation, groups):
    check_float(input, op)
    ensure_tensor(weight, op, "weight")
    x, w = input._data, weight._data
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, but got input of size: {size_str(x.shape)}")
    if w.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected weight to be {nd + 2}-dimensional, but got weight of size {size_str(w.shape)}")
    same_dtype(op, ("input", input), ("weight", weight), ("bias", bias))
    stride = ntuple(stride, nd, "stride", op)
    dilation = ntuple(dilation, nd, "dilation", op)
    if any(v <= 0 for v in stride):
        raise RuntimeError(f"{op}: non-positive stride is not supported (stride={list(stride)})")
    if any(v <= 0 for v in dilation):
        raise RuntimeError(f"{op}: dilation should be greater than zero (dilation={list(dilation)})")
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported (groups={groups})")
    return stride, dilation, groups


def _convnd(op, nd, input, weight, bias, stride, padding, dilation, groups):
    stride, dilation, groups = _conv_common(op, nd, input, weight, bias, stride, dilation, groups)
    x, w = input._data, weight._data
    kernel = w.shape[2:]
    pads = _conv_padding(padding, nd, kernel, dilation, stride, op)
    batched = x.ndim == nd + 2
    xs = x.shape if batched else (1,) + x.shape
    O, Cg = w.shape[0], w.shape[1]
    if O % groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size {size_str(w.shape)} instead"
        )
    if xs[1] != Cg * groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, weight of size {size_str(w.shape)}, expected input{size_str(xs)} to have "
            f"{Cg * groups} channels, but got {xs[1]} channels instead"
        )
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != O):
        raise RuntimeError(
            f"{op}: Given weight of size {size_str(w.shape)}, expected bias to be 1-dimensional with {O} elements, "
            f"but got bias of size {size_str(bias._data.shape)} instead"
        )
    padded = [s + lo + hi for s, (lo, hi) in zip(xs[2:], pads)]
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(
            f"{op}: Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
            f"({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input size"
        )
    if not batched:
        input = shape.unsqueeze(input, 0)
    if nd == 1:
        # conv1d = conv2d on a height-1 image.
        out = _conv2d_core(
            shape.unsqueeze(input, 2), shape.unsqueeze(weight, 2), bias, (1, stride[0]),
            (0, 0) + pads[0], (1, dilation[0]), groups,
        )
        out = shape.squeeze(out, 2)
    else:
        out = _conv2d_core(input, weight, bias, stride, pads[0] + pads[1], dilation, groups)
    if not batched:
        out = shape.squeeze(out, 0)
    return out


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)
