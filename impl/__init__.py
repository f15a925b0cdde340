"""impl: a small PyTorch in NumPy. Names, signatures and defaults follow torch."""
from typing import TYPE_CHECKING

from . import _methods
from ._autograd import (
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled,
)
from . import _creation  # noqa: F401  (its factories are declared ops)
from ._dtype import bool_ as bool  # noqa: A001 - torch.bool
from ._dtype import double, dtype, float, float32, float64, int64, long  # noqa: A001
from ._dtype import (  # noqa: F401 - torch's other dtypes and dtype functions
    bfloat16, can_cast, finfo, float16, get_default_dtype, half, iinfo, int8, int16, int32, promote_types,
    result_type, set_default_dtype, short, uint8,
)
from ._dtype import int_ as int  # noqa: A001 - torch.int is int32
from ._tape import Tape as tape
from ._tensor import Size, Tensor, as_tensor, from_numpy, is_tensor, tensor
from .ops import elementwise as _elementwise, linalg as _linalg, reduce as _reduce, shape as _shape  # noqa: F401
from .ops import extra as _extra, sorting as _sorting  # noqa: F401
from .ops import combine as _combine, scatter as _scatter  # noqa: F401
from .ops import math as _math, math_inplace as _math_inplace, tensor_methods as _tensor_methods  # noqa: F401
from .random import Generator, get_rng_state, manual_seed, seed, set_rng_state

from . import autograd  # noqa: E402  (after Tensor exists)

_methods.bind()
from .ops._registry import functions as _declared_functions  # noqa: E402

globals().update(_declared_functions())  # every declared op's impl.name and aliases (impl/ops/_registry.py)
if TYPE_CHECKING:  # the same names for type checkers and editors (generated: python -m impl._stubgen)
    from ._declared import *  # noqa: F403

from . import nn, optim, utils  # noqa: E402  (they build on the tensor API bound above)

__version__ = "0.1.0"
from .serialization import load, save  # noqa: E402
is_floating_point = Tensor.is_floating_point  # torch.is_floating_point(t): the method, as a function
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled  # noqa: E402,F401  (torch.*)
