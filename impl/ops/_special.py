"""Special functions numpy lacks. erf is needed by exact GELU."""
import math

import numpy as np

_erf_scalar = np.frompyfunc(math.erf, 1, 1)


def erf(x):
    return _erf_scalar(x).astype(x.dtype)
