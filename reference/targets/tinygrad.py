"""tinygrad (https://github.com/tinygrad/tinygrad, the version pinned in pyproject's ``tinygrad`` extra) as a target.

``lib`` is reference/targets/tinygrad_torch.py: torch's names mapped onto tinygrad where the semantics are the same.
The tensors are tinygrad's own. tinygrad has no ``requires_grad``: its backward differentiates every floating-point
tensor of the graph, so every float tensor counts as requiring grad and marking a leaf is a no-op. It runs on the
CPU device (clang) unless ``DEV`` says otherwise.

Install with ``pip install -e ".[tinygrad]"``; ``python -m reference.report --target tinygrad`` writes its
conformance report (notes/conformance/tinygrad.md).
"""
from __future__ import annotations

import numpy as np

from reference.targets.base import Finding, Target

# What the conformance run found in tinygrad itself. Each reproducer imports tinygrad only; its asserts hold while the
# behaviour is there (torch's results in the comments).
FINDINGS = (
    Finding(
        "backward() skips a 0-d tensor made from a numpy scalar array",
        detail="`Tensor(np.array(0.5))` is a device-less constant, and `Tensor.backward` fills `.grad` only for "
               "tensors with a device: the gradient is silently lost (`Tensor.gradient` does compute it). The "
               "adapter makes 0-d inputs as a one-element buffer viewed as 0-d, so the checks measure the ops and "
               "not this.",
        code="""
import os
os.environ.setdefault("DEV", "PYTHON")
import numpy as np
from tinygrad import Tensor

x = Tensor(np.array(0.5))
x.exp().backward()
assert x.grad is None                                    # torch: tensor(1.6487)
assert abs(x.exp().gradient(x)[0].item() - 1.6487212707) < 1e-6   # gradient() sees it
"""),
    Finding(
        "reading or realizing a tensor silently cuts it from the graph: later gradients are zero",
        detail="After `y.realize()` -- and after `y.numpy()` when `y` ends in `.contiguous()` -- `y.gradient(x)` "
               "returns zeros and `y.backward()` leaves `x.grad` None, without an error; torch's gradients do not "
               "depend on whether a value was read. The gradcheck reads its outputs before differentiating them, "
               "so it fails where this happens (`view`, `inplace_operators`).",
        code="""
import os
os.environ.setdefault("DEV", "PYTHON")
from tinygrad import Tensor

x = Tensor([0.3, 0.5])
y = (x * 2).contiguous()
assert y.gradient(x, gradient=Tensor([1.0, 1.0]))[0].tolist() == [2.0, 2.0]
y.numpy()                                                # read the value
assert y.gradient(x, gradient=Tensor([1.0, 1.0]))[0].tolist() == [0.0, 0.0]   # torch: [2.0, 2.0]
z = x.exp()
z.realize()
assert z.gradient(x, gradient=Tensor([1.0, 1.0]))[0].tolist() == [0.0, 0.0]   # torch: exp(x)
"""),
    Finding(
        "selu uses truncated constants (relative error up to 3e-6 in float64)",
        detail="`Tensor.selu(alpha=1.67326, gamma=1.0507)`; SELU's constants (Klambauer et al., torch) are "
               "alpha = 1.6732632423543772 and scale = 1.0507009873554805.",
        code="""
import math, os
os.environ.setdefault("DEV", "PYTHON")
from tinygrad import Tensor, dtypes

alpha, scale = 1.6732632423543772, 1.0507009873554805
got = Tensor([-0.5], dtype=dtypes.float64).selu().item()
want = scale * alpha * math.expm1(-0.5)                  # torch: -0.6917581939...
assert abs(got - want) / abs(want) > 1e-6
"""),
    Finding(
        "erf is a 1.5e-7 approximation in float64 too (a precision limit rather than a bug)",
        detail="`Tensor.erf` is Abramowitz and Stegun 7.1.26 in every dtype: in float64 its error (~1.4e-7) is "
               "above float64's default tolerance (atol 1e-7, rtol 1e-7); float32 passes.",
        code="""
import math, os
os.environ.setdefault("DEV", "PYTHON")
from tinygrad import Tensor, dtypes

got = Tensor([0.25], dtype=dtypes.float64).erf().item()
assert abs(got - math.erf(0.25)) > 1e-7                  # torch: math.erf(0.25) to 1e-16
"""),
)


class TinygradTarget(Target):
    name = "tinygrad"
    messages = False  # judged by the exception class only
    known_divergences = False
    findings = FINDINGS

    def __init__(self):
        try:
            from reference.targets import tinygrad_torch
        except ImportError as e:
            raise ImportError(f"the tinygrad target needs tinygrad: pip install -e \".[tinygrad]\" ({e})") from e
        self._lib = tinygrad_torch
        self._tensor_type = tinygrad_torch._Tensor

    @property
    def lib(self):
        return self._lib

    def environment(self) -> dict:
        """What the conformance report states about the run: tinygrad's device."""
        from tinygrad import Device

        return {"device": Device.DEFAULT}

    def to_numpy(self, t) -> np.ndarray:
        return t.numpy()

    def tensor_from_numpy(self, array, requires_grad=False):
        # any float tensor is differentiable in tinygrad: requires_grad has nothing to set
        array = np.array(array, copy=True)
        if array.ndim == 0:
            # tinygrad makes a 0-d array a device-less constant, which Tensor.backward() skips (FINDINGS[0]): a
            # one-element buffer viewed as 0-d is differentiated like any other tensor
            return self._tensor_type(array.reshape(1)).reshape(())
        return self._tensor_type(array)

    def is_tensor(self, x) -> bool:
        return isinstance(x, self._tensor_type)

    def requires_grad_(self, t):
        return t

    def requires_grad(self, t) -> bool:
        return t.is_floating_point()

    def dtype_name(self, t) -> str:
        return t.numpy().dtype.name

    def wrap_numpy(self, array):
        return None  # tinygrad copies numpy arrays into its own buffers: no view of a given layout

    def view_base(self, t):
        return None  # tinygrad has no views sharing storage with a base tensor

    def shares_memory(self, a, b) -> bool:
        return False


TARGET = TinygradTarget
