"""impl: a small PyTorch in NumPy. Names, signatures and defaults follow torch."""
from . import _methods
from ._autograd import (
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled,
)
from ._creation import (
    arange, bernoulli, empty, empty_like, eye, full, full_like, linspace, multinomial, ones, ones_like,
    rand, rand_like, randint, randn, randn_like, randperm, zeros, zeros_like,
)
from ._dtype import bool_ as bool  # noqa: A001 - torch.bool
from ._dtype import double, dtype, float, float32, float64, int64, long  # noqa: A001
from ._tape import Tape as tape
from ._tensor import Size, Tensor, as_tensor, from_numpy, is_tensor, tensor
from .ops.elementwise import (
    abs, add, allclose, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, ceil, clamp, clamp_max, clamp_min,
    clip, cos, div, elu, eq, equal, exp, expm1, floor, floor_divide, fmod, ge, gelu, greater, greater_equal,
    gt, hypot, isclose, isfinite, isinf, isnan, le, leaky_relu, lerp, less, less_equal, log, log1p, log2, log10,
    logical_and, logical_not, logical_or, logical_xor, logsigmoid, lt, maximum, minimum, mul, ne, neg, not_equal,
    pow, reciprocal, relu, remainder, round, rsqrt, rsub, sigmoid, sign, silu, sin, softplus, sqrt, square,
    sub, tan, tanh, trunc, where,
)
from .ops.linalg import bmm, dot, ger, matmul, mm, mv, outer
from .ops.reduce import (
    all, amax, amin, any, argmax, argmin, count_nonzero, cumsum, logsumexp, max, mean, min, norm, prod,
    softmax, log_softmax, std, std_mean, sum, var, var_mean,
)
from .random import Generator, get_rng_state, manual_seed, seed, set_rng_state

from . import autograd  # noqa: E402  (after Tensor exists)

_methods.bind()
from .ops._registry import functions as _declared_functions  # noqa: E402

globals().update(_declared_functions())  # every declared op's impl.name and aliases (impl/ops/_registry.py)

from . import nn, optim, utils  # noqa: E402  (they build on the tensor API bound above)

subtract, multiply, divide, true_divide, negative, absolute = sub, mul, div, div, neg, abs

__version__ = "0.1.0"
from .serialization import load, save  # noqa: E402
