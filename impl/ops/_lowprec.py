"""One rounding for composites in float16/bfloat16, as torch's CPU kernels (which compute those dtypes in float32,
"opmath", and round the result once).

A composite built from impl ops rounds after every step in the low dtype: a few roundings where torch's fused kernel
has one (addmm's product then its bias add, eval batch norm's four steps, attention's scores, softmax and product).
:func:`rounded_once` keeps the composite's graph -- what autograd differentiates -- and replaces only its value by the
same composite evaluated on float32 copies of the inputs, rounded once to the low dtype.
"""
from .. import _dtype
from .._autograd import no_grad
from .._tensor import Tensor

_LOW = (_dtype.float16, _dtype.bfloat16)


def rounded_once(fn, *inputs):
    """``fn(*inputs)``; when its floating inputs and its result are float16/bfloat16, the result's value is
    ``fn`` of the float32 inputs rounded once to its dtype. ``fn`` must be deterministic (no random draws)."""
    out = fn(*inputs)
    if not isinstance(out, Tensor) or out.dtype not in _LOW or out._base is not None or any(out is t for t in inputs):
        return out
    floats = [t for t in inputs if isinstance(t, Tensor) and t.dtype.is_floating_point]
    if not floats or any(t.dtype not in _LOW for t in floats):
        return out
    with no_grad():
        exact = fn(*(t.float() if isinstance(t, Tensor) and t.dtype in _LOW else t for t in inputs))
    out._data = _dtype.cast_array(exact._data, out.dtype)
    return out
