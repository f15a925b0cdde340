"""Activations and softmax with torch.nn.functional's signatures (inplace=, _stacklevel=).

The math lives in impl.ops (elementwise / reduce); these are thin wrappers adding the functional
signatures, the ``inplace=True`` forms and a few composites (relu6, hardtanh, softmin, glu, ...).
"""
from ..._autograd import OUTPUT, apply
from ...ops import elementwise as ew
from ...ops import inplace as ip
from ...ops import reduce, shape
from ...ops._common import norm_dim

tanh = ew.tanh
sigmoid = ew.sigmoid
logsigmoid = ew.logsigmoid
gelu = ew.gelu
softplus = ew.softplus


def _result_saved(fn, node):
    """``fn`` followed by an identity node that saves its output. torch's elu_, leaky_relu_, celu_, selu_ and
    rrelu_ compute their derivative from the result they wrote (EluBackward1, ...), so an in-place edit of that
    result makes backward raise (regression 081); the out-of-place forms read their input and do not."""
    def run(x, *args, **kwargs):
        out = fn(x, *args, **kwargs)
        return apply(node, out._data, (out,), lambda g, o: (g,), saved=(OUTPUT,))

    return run


def _maybe_inplace(input, inplace, name, fn, *args, **kwargs):
    if inplace:
        return ip.inplace(input, name, fn, *args, **kwargs)
    return fn(input, *args, **kwargs)


def relu(input, inplace=False):
    return _maybe_inplace(input, inplace, "relu_", ew.relu)


def relu_(input):
    return relu(input, inplace=True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    fn = _result_saved(ew.leaky_relu, "LeakyReluBackward1") if inplace else ew.leaky_relu
    return _maybe_inplace(input, inplace, "leaky_relu_", fn, negative_slope)


def elu(input, alpha=1.0, inplace=False):
    return _maybe_inplace(input, inplace, "elu_", _result_saved(ew.elu, "EluBackward1") if inplace else ew.elu, alpha)


def silu(input, inplace=False):
    return _maybe_inplace(input, inplace, "silu_", ew.silu)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, inplace, "hardtanh_", ew._hardtanh, min_val, max_val)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def softsign(input):
    return ew.div(input, ew.add(ew.abs(input), 1))


def mish(input, inplace=False):
    return _maybe_inplace(input, inplace, "mish_", lambda x: ew.mul(x, ew.tanh(ew.softplus(x))))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return reduce.softmax(input, dim=dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return reduce.log_softmax(input, dim=dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    return reduce.softmax(ew.neg(input if dtype is None else input.to(dtype)), dim=dim)


def glu(input, dim=-1):
    if input._data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = norm_dim(dim, input._data.ndim, "glu")
    n = input._data.shape[d]
    if n % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size {n}")
    a = shape.narrow(input, d, 0, n // 2)
    b = shape.narrow(input, d, n // 2, n // 2)
    return ew.mul(a, ew.sigmoid(b))
