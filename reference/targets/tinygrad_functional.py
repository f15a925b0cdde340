"""torch.nn.functional's names over tinygrad's Tensor methods (the tinygrad target's ``lib.nn.functional``).

As reference/targets/tinygrad_torch.py: a name is here only where tinygrad has the same function; a torch argument
without a counterpart raises ``NotMapped`` (counted as missing by the conformance report).
"""
from __future__ import annotations

from tinygrad import Tensor

from reference.targets.tinygrad_torch import NotMapped


def _unmapped(what):
    raise NotMapped(f"tinygrad has no counterpart of {what}")


def _inplace(inplace):
    if inplace:
        _unmapped("inplace=True")


def relu(input, inplace=False):
    _inplace(inplace)
    return input.relu()


def relu6(input, inplace=False):
    _inplace(inplace)
    return input.relu6()


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    _inplace(inplace)
    return input.hardtanh(min_val, max_val)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _inplace(inplace)
    return input.leaky_relu(negative_slope)


def elu(input, alpha=1.0, inplace=False):
    _inplace(inplace)
    return input.elu(alpha)


def celu(input, alpha=1.0, inplace=False):
    _inplace(inplace)
    return input.celu(alpha)


def selu(input, inplace=False):
    _inplace(inplace)
    return input.selu()  # tinygrad's defaults are torch's constants (to the 5 digits tinygrad writes)


def gelu(input, approximate="none"):
    # tinygrad's gelu is the tanh approximation; torch's default is the exact erf form
    if approximate != "tanh":
        _unmapped(f"gelu(approximate={approximate!r}) (tinygrad's gelu is the tanh approximation)")
    return input.gelu()


def silu(input, inplace=False):
    _inplace(inplace)
    return input.silu()


def mish(input, inplace=False):
    _inplace(inplace)
    return input.mish()


def softplus(input, beta=1.0, threshold=20.0):
    if threshold != 20.0:
        _unmapped("softplus(threshold=) other than the default")
    return input.softplus(beta)


def logsigmoid(input):
    return input.logsigmoid()


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def softsign(input):
    return input.softsign()


def hardsigmoid(input, inplace=False):
    _inplace(inplace)
    return input.hardsigmoid()


def hardswish(input, inplace=False):
    _inplace(inplace)
    return input.hardswish()


def _dim(dim, _stacklevel=3, dtype=None):
    if dim is None:
        _unmapped("softmax without dim (torch's legacy implicit dim)")
    return dim


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return input.softmax(axis=_dim(dim), dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return input.log_softmax(axis=_dim(dim), dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    return input.softmin(axis=_dim(dim), dtype=dtype) if dtype is not None else input.softmin(axis=_dim(dim))


def linear(input, weight, bias=None):
    out = input.matmul(weight.transpose(-1, -2) if weight.ndim == 2 else weight)  # torch's weight is (out, in)
    return out if bias is None else out + bias


def pad(input, pad, mode="constant", value=None):
    if mode == "circular":
        _unmapped("pad(mode='circular')")
    # tinygrad's flat padding is torch's: (left, right) of the last dim first
    return input.pad(tuple(pad), mode=mode, value=0.0 if value is None else value)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    if tuple(input.shape[input.ndim - len(normalized_shape):]) != tuple(normalized_shape):
        _unmapped("layer_norm whose normalized_shape is not the input's trailing dims (tinygrad takes axes only)")
    out = input.layernorm(axis=tuple(range(-len(normalized_shape), 0)), eps=eps)
    if weight is not None:
        out = out * weight
    return out if bias is None else out + bias


def dropout(input, p=0.5, training=True, inplace=False):
    _inplace(inplace)
    return input if not training or p == 0 else _unmapped("dropout in training (tinygrad's own generator)")


def one_hot(tensor, num_classes=-1):
    if num_classes < 0:
        _unmapped("one_hot without num_classes")
    return tensor.one_hot(num_classes)


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    if weight is not None or size_average is not None or reduce is not None:
        _unmapped("binary_cross_entropy(weight= / size_average= / reduce=)")
    return input.binary_crossentropy(target, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    if weight is not None or pos_weight is not None or size_average is not None or reduce is not None:
        _unmapped("binary_cross_entropy_with_logits(weight= / pos_weight= / size_average= / reduce=)")
    return input.binary_crossentropy_logits(target, reduction=reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    if weight is not None or size_average is not None or reduce is not None or ignore_index != -100:
        _unmapped("cross_entropy(weight= / size_average= / reduce= / ignore_index=)")
    if not isinstance(target, Tensor):
        _unmapped("cross_entropy with a non-tensor target")
    return input.cross_entropy(target, reduction=reduction, label_smoothing=label_smoothing)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    if size_average is not None or reduce is not None:
        _unmapped("nll_loss(size_average= / reduce=)")
    return input.nll_loss(target, weight=weight, ignore_index=ignore_index, reduction=reduction)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return input.max_pool2d(kernel_size, stride, dilation, padding, ceil_mode, return_indices)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    if divisor_override is not None:
        _unmapped("avg_pool2d(divisor_override=)")
    return input.avg_pool2d(kernel_size, stride, 1, padding, ceil_mode, count_include_pad)


def _conv(input, weight, bias, stride, padding, dilation, groups, nd):
    if isinstance(padding, str):
        _unmapped(f"conv padding={padding!r}")
    if input.ndim != nd + 2:
        _unmapped("an unbatched convolution input")
    return input.conv2d(weight, bias, groups=groups, stride=stride, dilation=dilation, padding=padding)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    if scale is not None or enable_gqa:
        _unmapped("scaled_dot_product_attention(scale= / enable_gqa=)")
    return query.scaled_dot_product_attention(key, value, attn_mask=attn_mask, dropout_p=dropout_p,
                                              is_causal=is_causal)
