"""032: ``impl.tensor(np.float64 scalar)`` became float32 (torch keeps float64).

**Symptom:** ``impl.tensor(np.float64(1.5))`` was float32, and so were ``impl.tensor([np.float64(1.5)])`` and
``impl.tensor(a * 2.0)`` for a 0-d float64 array ``a`` (numpy returns a float64 *scalar* from 0-d
arithmetic). Found by the optimizer twins: a 0-d float64 parameter's state arrived as float32, so SGD's
momentum buffer had a different dtype (and rounding) than torch's.

**Root cause:** ``impl/_tensor.py:_to_array`` treated numpy scalars like Python floats ("Python floats
become the default dtype") because only ``np.ndarray`` took the keep-the-dtype branch.

**Fix:** ``np.generic`` takes the ndarray branch; a list/tuple holding a float64 numpy scalar keeps float64
(torch's inference); Python floats still become float32.

**How this test catches it:** the dtype and value of ``impl.tensor`` on a numpy float64 scalar, a list of
them, a 0-d float64 product and a Python float must equal torch's; and three SGD-with-momentum steps on a
0-d float64 parameter built from a numpy scalar must match torch's parameter and momentum buffer, dtype
included.

**Seen in:** found while developing (notes/bugs_found.md), by the optimizer twins,
``property_tests/test_optim.py::test_optimizer_matches_torch_every_step`` (a 0-d float64 parameter).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_meta.py::test_planted_backward_ignoring_its_gradient_is_caught, property_tests/test_ops.py::test_gradcheck fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

import impl
from impl import _tensor
from regression._util import assert_close, swap_function

FAILS_WITH = r": dtype\]"


@contextlib.contextmanager
def reintroduce(variant=None):
    orig = _tensor._to_array

    def to_array_scalars_as_python_floats(data, dtype=None):
        if isinstance(data, np.generic) and data.dtype.kind == "f":
            data = float(data)
        elif isinstance(data, (list, tuple)):
            data = [float(v) if isinstance(v, np.floating) else v for v in data]
        return orig(data, dtype)

    with swap_function(orig, to_array_scalars_as_python_floats):
        yield


def guard():
    import torch

    a = np.array(0.75)
    for what, data in (("np.float64(1.5)", np.float64(1.5)), ("[np.float64(1.5), np.float64(2.0)]",
                       [np.float64(1.5), np.float64(2.0)]), ("0-d float64 * 2.0", a * 2.0), ("1.5 (Python float)", 1.5),
                       ("np.float32(1.5)", np.float32(1.5))):
        assert_close(impl.tensor(data), torch.tensor(data), f"impl.tensor({what})")

    pt = torch.nn.Parameter(torch.tensor(np.float64(0.3)))
    pi = impl.nn.Parameter(impl.tensor(np.float64(0.3)))
    topt = torch.optim.SGD([pt], lr=0.1, momentum=0.9)
    iopt = impl.optim.SGD([pi], lr=0.1, momentum=0.9)
    for _ in range(3):
        topt.zero_grad()
        (pt * pt * 1.7).backward()
        topt.step()
        iopt.zero_grad()
        (pi * pi * 1.7).backward()
        iopt.step()
    assert_close(pi, pt.detach(), "0-d float64 parameter after 3 SGD(momentum) steps", 1e-7, 1e-7)
    assert_close(iopt.state[pi]["momentum_buffer"], topt.state[pt]["momentum_buffer"], "momentum buffer", 1e-7, 1e-7)


def test_guard():
    guard()
