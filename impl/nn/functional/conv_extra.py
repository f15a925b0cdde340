"""unfold, fold, conv_transpose1d, conv_transpose2d, conv3d.

unfold (im2col) and fold (col2im) are each other's adjoint: each is a numpy primitive whose derivative is the
other one, so both are differentiable to any order. A transposed convolution is the adjoint of a convolution:
its forward is ``W^T x`` followed by col2im, its input gradient a convolution and its weight gradient a
correlation of the input with the im2col of the output gradient; the numpy kernel does both from one im2col,
and its composite (matmul, fold, pad) is what create_graph and forward mode differentiate. conv3d sums one
2-D convolution per depth tap of the kernel, with the depth positions folded into the batch.
Every loop runs over kernel taps only, never over batch, channels or pixels.
"""
import numpy as np

from ..._autograd import also_saves, apply, apply_fused
from ...ops import elementwise as ew
from ...ops import linalg, shape
from ...ops._common import ensure_tensor
from ...ops._lowprec import rounded_once
from ._utils import ntuple, size_str, torch_type_name
from .conv import _conv2d_core, _conv_common, _conv_padding
from .sparse import pad


def float_only(t, op, kernel):
    """The input check of kernels torch has no integer version of: NotImplementedError, as torch's dispatch."""
    ensure_tensor(t, op)
    if t._data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{torch_type_name(t._data)}\' ({op} of a {t.dtype} '
                                  f'input of shape {size_str(t._data.shape)})')


# ---- im2col / col2im in numpy (shared by unfold, fold and the transposed convolution) ----------------
def _taps(kernel, stride, dilation, out_size):
    """(i, j, row slice, column slice) of every kernel tap: the strided positions the tap visits."""
    (kh, kw), (sh, sw), (dh, dw), (Ho, Wo) = kernel, stride, dilation, out_size
    return [(i, j, slice(i * dh, i * dh + sh * (Ho - 1) + 1, sh), slice(j * dw, j * dw + sw * (Wo - 1) + 1, sw))
            for i in range(kh) for j in range(kw)]


def _im2col(xp, kernel, stride, dilation, out_size):
    """(A, B, Hp, Wp) padded planes -> (A, B, kh, kw, Ho, Wo) columns, one strided copy per tap."""
    cols = np.empty(xp.shape[:2] + tuple(kernel) + tuple(out_size), dtype=xp.dtype)
    for i, j, rs, cs in _taps(kernel, stride, dilation, out_size):
        cols[:, :, i, j] = xp[:, :, rs, cs]
    return cols


def _col2im(cols, padded_size, stride, dilation):
    """(A, B, kh, kw, Ho, Wo) columns -> (A, B, Hp, Wp): overlapping windows add up, one strided add per tap."""
    A, B, kh, kw, Ho, Wo = cols.shape
    out = np.zeros((A, B) + tuple(padded_size), dtype=cols.dtype)
    for i, j, rs, cs in _taps((kh, kw), stride, dilation, (Ho, Wo)):
        out[:, :, rs, cs] += cols[:, :, i, j]
    return out


def _blocks(size, kernel, dilation, padding, stride):
    return tuple((L + 2 * p - d * (k - 1) - 1) // s + 1 for L, k, d, p, s in zip(size, kernel, dilation, padding, stride))


def _fold_args(op, kernel_size, dilation, padding, stride):
    k = ntuple(kernel_size, 2, "kernel_size", op)
    d = ntuple(dilation, 2, "dilation", op)
    p = ntuple(padding, 2, "padding", op)
    s = ntuple(stride, 2, "stride", op)
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{op}: kernel size should be greater than zero, but got kernel_size={k}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got dilation={d}")
    if any(v < 0 for v in p):
        raise RuntimeError(f"{op}: padding should be non-negative, but got padding={p}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"{op}: stride should be greater than zero, but got stride={s}")
    return k, d, p, s


# ---- unfold / fold ---------------------------------------------------------------------------------
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) -> (N, C*kh*kw, L) sliding blocks (3-D unbatched input -> 2-D)."""
    op = "unfold"
    float_only(input, op, "im2col_out_cpu")
    k, d, p, s = _fold_args(op, kernel_size, dilation, padding, stride)
    x = input._data
    if x.ndim not in (3, 4) or any(v == 0 for v in x.shape[1:]):
        if x.ndim < 3:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-x.ndim}, {x.ndim - 1}], but got 2) "
                             f"(unfold: input of size {size_str(x.shape)})")
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for "
            f"input, but got: {size_str(x.shape)}")
    x4 = x if x.ndim == 4 else x[None]
    N, C, H, W = x4.shape
    Ho, Wo = _blocks((H, W), k, d, p, s)
    if Ho < 1 or Wo < 1:
        raise RuntimeError(
            f"Given input with spatial size ({H}, {W}), kernel_size={k}, dilation={d}, padding={p}, calculated shape "
            f"of the array of sliding blocks as ({Ho}, {Wo}), but its components must be at least one.")
    xp = np.pad(x4, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1]))) if any(p) else x4
    out = _im2col(xp, k, s, d, (Ho, Wo)).reshape(N, C * k[0] * k[1], Ho * Wo)
    if x.ndim == 3:
        out = out[0]
    return apply("Im2ColBackward0", out, (input,), lambda g: (fold(g, (H, W), k, d, p, s),))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: (N, C*kh*kw, L) sliding blocks -> (N, C, H, W), overlapping blocks summed (2-D input -> 3-D)."""
    op = "fold"
    float_only(input, op, "col2im_out_cpu")
    k, d, p, s = _fold_args(op, kernel_size, dilation, padding, stride)
    H, W = ntuple(output_size, 2, "output_size", op)
    x = input._data
    if x.ndim not in (2, 3) or any(v == 0 for v in x.shape[1:]):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for "
            f"input, but got: {size_str(x.shape)}")
    x3 = x if x.ndim == 3 else x[None]
    N, CK, L = x3.shape
    kk = k[0] * k[1]
    if CK % kk:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got "
            f"input.size(1)={CK} and kernel_size={k}.")
    Ho, Wo = _blocks((H, W), k, d, p, s)
    if Ho < 1 or Wo < 1 or Ho * Wo != L:
        raise RuntimeError(
            f"Given output_size=({H}, {W}), kernel_size={k}, dilation={d}, padding={p}, stride={s}, expected size of "
            f"input's dimension 2 to match the calculated number of sliding blocks {Ho} * {Wo} = {Ho * Wo}, but got "
            f"input.size(2)={L}.")
    C = CK // kk
    full = _col2im(x3.reshape(N, C, k[0], k[1], Ho, Wo), (H + 2 * p[0], W + 2 * p[1]), s, d)
    out = np.ascontiguousarray(full[:, :, p[0]: p[0] + H, p[1]: p[1] + W])
    if x.ndim == 2:
        out = out[0]
    return apply("Col2ImBackward0", out, (input,), lambda g: (unfold(g, k, d, p, s),))


# ---- transposed convolution ------------------------------------------------------------------------
def _conv_transpose_args(op, nd, input, weight, bias, stride, padding, output_padding, groups, dilation):
    stride, dilation, groups = _conv_common(op, nd, input, weight, bias, stride, dilation, groups)
    for name, v in (("padding", padding), ("output_padding", output_padding)):
        if isinstance(v, str):
            raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not str")
    padding = ntuple(padding, nd, "padding", op)
    output_padding = ntuple(output_padding, nd, "output_padding", op)
    if any(v < 0 for v in padding):
        raise RuntimeError(f"{op}: negative padding is not supported (padding={list(padding)})")
    if any(v < 0 for v in output_padding):
        raise RuntimeError(f"{op}: negative output_padding is not supported (output_padding={list(output_padding)})")
    x, w = input._data, weight._data
    xs = x.shape if x.ndim == nd + 2 else (1,) + x.shape
    Cin = w.shape[0]
    if Cin % groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight "
            f"of size {size_str(w.shape)} instead")
    if xs[1] != Cin:
        raise RuntimeError(
            f"{op}: Given transposed=1, weight of size {size_str(w.shape)}, expected input{size_str(xs)} to have "
            f"{Cin} channels, but got {xs[1]} channels instead")
    Cout = w.shape[1] * groups
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != Cout):
        raise RuntimeError(
            f"{op}: Given transposed=1, weight of size {size_str(w.shape)}, expected bias to be 1-dimensional with "
            f"{Cout} elements, but got bias of size {size_str(bias._data.shape)} instead")
    if any(op_ >= s and op_ >= d for op_, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(
            f"{op}: output padding must be smaller than either stride or dilation, but got "
            f"output_padding={list(output_padding)}, stride={list(stride)}, dilation={list(dilation)}")
    if any(v == 0 for v in xs[2:]):
        raise RuntimeError(
            f"{op}: Only zero batch or zero channel inputs are supported, but got input shape: {size_str(xs)}")
    out = [(L - 1) * s - 2 * p + d * (k - 1) + op_ + 1
           for L, s, p, d, k, op_ in zip(xs[2:], stride, padding, dilation, w.shape[2:], output_padding)]
    if any(v < 1 for v in out):
        raise RuntimeError(
            f"{op}: Given input size per channel: ({' x '.join(map(str, xs[2:]))}). Calculated output size per "
            f"channel: ({' x '.join(map(str, out))}). Output size is too small")
    return stride, padding, output_padding, groups, dilation


def _conv_transpose2d_core(x_t, w_t, b_t, stride, padding, output_padding, groups, dilation):
    """The primitive on a 4-D input: y = col2im(x^T W) cropped by the padding, plus the bias.

    The forward and both gradients are one matmul each (batched over groups only): ``x^T W`` gives the columns
    that col2im adds up, one strided add per kernel tap; the backward makes one im2col of the output gradient
    and uses it twice: ``gx = cols(g) W^T`` (a convolution) and ``gw = cols(g)^T x`` (a correlation).
    Images are channels-last inside (N, H, W, C), so each tap moves whole contiguous channel rows, and every
    product has its long side (the N*H*W positions) as its rows: both are 2-4x faster than the channels-first
    layout here (OpenBLAS is slow on short, very wide outputs)."""
    x, w = x_t._data, w_t._data
    dt = x.dtype
    N, Cin, H, W = x.shape
    _, Cog, kh, kw = w.shape
    g = groups
    Cig, Cout = Cin // g, Cog * g
    K, M = Cog * kh * kw, N * H * W
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = stride, padding, output_padding, dilation
    Hf, Wf = (H - 1) * sh + dh * (kh - 1) + 1, (W - 1) * sw + dw * (kw - 1) + 1  # col2im extent
    Ho, Wo = Hf + oph - 2 * ph, Wf + opw - 2 * pw
    Hp, Wp = Ho + 2 * ph, Wo + 2 * pw  # = (Hf + oph, Wf + opw)
    xm = x.reshape(N, g, Cig, H, W).transpose(1, 0, 3, 4, 2).reshape(g, M, Cig)  # rows = positions (n, h, w)
    wg = w.reshape(g, Cig, K)
    taps = _taps((kh, kw), stride, dilation, (H, W))
    cols = np.matmul(xm, wg).reshape(g, N, H, W, Cog, kh, kw)
    full = np.zeros((N, Hp, Wp, g, Cog), dtype=dt)  # channels-last
    for i, j, rs, cs in taps:
        full[:, rs, cs] += cols[..., i, j].transpose(1, 2, 3, 0, 4)
    out = full[:, ph: ph + Ho, pw: pw + Wo].reshape(N, Ho, Wo, Cout).transpose(0, 3, 1, 2)
    if b_t is not None:
        out = np.add(out, b_t._data.reshape(1, Cout, 1, 1), out=np.empty(out.shape, dtype=dt))
    else:
        out = np.ascontiguousarray(out)

    def backward(gout):
        gx = gw = gb = None
        if x_t.requires_grad or w_t.requires_grad:
            gp = np.zeros((N, Hp, Wp, g, Cog), dtype=dt)
            gp[:, ph: ph + Ho, pw: pw + Wo] = gout.transpose(0, 2, 3, 1).reshape(N, Ho, Wo, g, Cog)
            gcols = np.empty((N, H, W, g, Cog, kh, kw), dtype=dt)  # im2col of the gradient, channels-last
            for i, j, rs, cs in taps:
                gcols[..., i, j] = gp[:, rs, cs]
            gcols = gcols.transpose(3, 0, 1, 2, 4, 5, 6).reshape(g, M, K)  # a view when groups == 1
            if x_t.requires_grad:  # (M, Cig) = cols(g) W^T
                gx = np.matmul(gcols, wg.transpose(0, 2, 1)).reshape(g, N, H, W, Cig)
                gx = gx.transpose(1, 0, 4, 2, 3).reshape(N, Cin, H, W)
            if w_t.requires_grad:  # (K, Cig) = cols(g)^T x
                gw = np.matmul(gcols.transpose(0, 2, 1), xm).transpose(0, 2, 1).reshape(Cin, Cog, kh, kw)
        if b_t is not None and b_t.requires_grad:
            gb = gout.sum(axis=(0, 2, 3))
        return gx, gw, gb

    def composite(x_t, w_t, b_t):
        return _conv_transpose2d_composite(x_t, w_t, b_t, stride, padding, output_padding, groups, dilation)

    return apply_fused("ConvolutionBackward0", out, (x_t, w_t, b_t), backward, saved=(x_t, w_t), composite=composite)


def _conv_transpose2d_composite(x_t, w_t, b_t, stride, padding, output_padding, groups, dilation):
    """The transposed convolution in impl ops: ``W^T x`` as one matmul batched over groups, col2im by ``fold``
    over the full extent, then ``pad`` with negative amounts crops the padding (and adds output_padding)."""
    N, Cin, H, W = x_t.shape
    _, Cog, kh, kw = w_t.shape
    g = groups
    Cig, Cout, kk = Cin // g, Cog * g, kh * kw
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = stride, padding, output_padding, dilation
    Hf, Wf = (H - 1) * sh + dh * (kh - 1) + 1, (W - 1) * sw + dw * (kw - 1) + 1
    xc = shape.reshape(shape.permute(shape.reshape(x_t, (N, g, Cig, H * W)), (1, 2, 0, 3)), (g, Cig, N * H * W))
    cols = linalg.matmul(shape.transpose(shape.reshape(w_t, (g, Cig, Cog * kk)), 1, 2), xc)  # (g, Cog*kk, N*H*W)
    cols = shape.reshape(shape.permute(shape.reshape(cols, (Cout * kk, N, H * W)), (1, 0, 2)), (N, Cout * kk, H * W))
    full = fold(cols, (Hf, Wf), (kh, kw), dilation, 0, stride)
    out = pad(full, (-pw, opw - pw, -ph, oph - ph))
    return out if b_t is None else ew.add(out, shape.reshape(b_t, (1, Cout, 1, 1)))


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    op = "conv_transpose2d"
    args = _conv_transpose_args(op, 2, input, weight, bias, stride, padding, output_padding, groups, dilation)
    if input._data.ndim == 3:
        return shape.squeeze(_conv_transpose2d_core(shape.unsqueeze(input, 0), weight, bias, *args), 0)
    return _conv_transpose2d_core(input, weight, bias, *args)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """conv_transpose2d on a height-1 image."""
    op = "conv_transpose1d"
    (s,), (p,), (op_,), groups, (d,) = _conv_transpose_args(op, 1, input, weight, bias, stride, padding,
                                                           output_padding, groups, dilation)
    batched = input._data.ndim == 3
    x = shape.unsqueeze(input if batched else shape.unsqueeze(input, 0), 2)
    out = _conv_transpose2d_core(x, shape.unsqueeze(weight, 2), bias, (1, s), (0, p), (0, op_), groups, (1, d))
    out = shape.squeeze(out, 2)
    return out if batched else shape.squeeze(out, 0)


# ---- conv3d ----------------------------------------------------------------------------------------
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Composite: one 2-D convolution (the fused kernel) per depth tap, with the output depth positions folded
    into the batch, summed over the taps."""
    op = "conv3d"
    stride, dilation, groups = _conv_common(op, 3, input, weight, bias, stride, dilation, groups)
    x, w = input._data, weight._data
    xs = x.shape if x.ndim == 5 else (1,) + x.shape
    O, Cg = w.shape[:2]
    kernel = w.shape[2:]
    pads = _conv_padding(padding, 3, kernel, dilation, stride, op)
    if O % groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size {size_str(w.shape)} instead")
    if xs[1] != Cg * groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, weight of size {size_str(w.shape)}, expected input{size_str(xs)} to have "
            f"{Cg * groups} channels, but got {xs[1]} channels instead")
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != O):
        raise RuntimeError(
            f"{op}: Given weight of size {size_str(w.shape)}, expected bias to be 1-dimensional with {O} elements, "
            f"but got bias of size {size_str(bias._data.shape)} instead")
    padded = [s + lo + hi for s, (lo, hi) in zip(xs[2:], pads)]
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(
            f"{op}: Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
            f"({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input size")
    N, C, _, H, W = xs
    (dlo, dhi), (hlo, hhi), (wlo, whi) = pads
    sd, dd, kd = stride[0], dilation[0], kernel[0]
    Do = (padded[0] - eff[0]) // sd + 1

    def taps_summed(input, weight, bias):
        xt = input if x.ndim == 5 else shape.unsqueeze(input, 0)
        if dlo or dhi:
            xt = pad(xt, (0, 0, 0, 0, dlo, dhi))
        out = None
        for i in range(kd):  # kernel depth taps only
            xs_i = xt[:, :, i * dd: i * dd + sd * (Do - 1) + 1: sd]  # (N, C, Do, H, W)
            x2 = shape.reshape(shape.permute(xs_i, (0, 2, 1, 3, 4)), (N * Do, C, H, W))
            o = _conv2d_core(x2, weight[:, :, i], bias if i == 0 else None, stride[1:], (hlo, hhi, wlo, whi),
                             dilation[1:], groups)
            out = o if out is None else ew.add(out, o)
        Ho, Wo = out.shape[2:]
        out = shape.permute(shape.reshape(out, (N, Do, O, Ho, Wo)), (0, 2, 1, 3, 4))
        out = out if x.ndim == 5 else shape.squeeze(out, 0)
        return out.contiguous()  # a fresh tensor, as torch's (not a view of the depth-major sum)

    # float16/bfloat16: the taps summed in float32 and rounded once, as torch's kernel
    # The 2-D kernels save depth slices of the input (copies once padded or folded into the batch); torch's one node
    # saves the input and the weight themselves, whichever gradients are needed: version-check those.
    return also_saves(rounded_once(taps_summed, input, weight, bias), input, weight)
