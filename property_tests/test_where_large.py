"""impl.where on arrays large enough for its branch-free kernel (impl/ops/elementwise.py ``_select``, used from
4096 elements on; the op specs draw small arrays, which take np.where): bit-exact against torch.where, including
nan, inf and -0.0 on either side, broadcasting of the condition and of each operand, and a Python-scalar branch
(how the derivatives of relu, clamp and maximum call it)."""
import numpy as np
import pytest
import torch

import impl

pytestmark = pytest.mark.impl_only(reason="about impl itself: impl's branch-free where kernel for large arrays (impl/ops/elementwise.py)")

SPECIALS = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.5, -2.0, 5e-324])

CASES = {  # name: (condition shape, input shape or a Python scalar, other shape or a Python scalar)
    "same shapes": ((4, 2048), (4, 2048), (4, 2048)),
    "scalar +0.0 other": ((4, 2048), (4, 2048), 0.0),
    "scalar +0.0 input": ((4, 2048), 0.0, (4, 2048)),
    "scalar -0.0 other": ((4, 2048), (4, 2048), -0.0),
    "scalar nonzero other": ((4, 2048), (4, 2048), 2.5),
    "broadcast condition": ((1, 2048), (4, 2048), (4, 2048)),
    "broadcast input": ((4, 2048), (2048,), (4, 1)),
    "0-d condition": ((), (4, 2048), (4, 2048)),
}


def _operand(rng, spec, dtype):
    if isinstance(spec, float):
        return spec, spec
    a = rng.choice(SPECIALS, spec).astype(dtype)
    return impl.tensor(a), torch.tensor(a)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", list(CASES))
def test_where_large_is_bit_exact(case, dtype):
    rng = np.random.default_rng(list(CASES).index(case))
    cshape, ishape, oshape = CASES[case]
    cond = rng.random(cshape) > 0.5  # an unpredictable mask: the case the kernel exists for
    xi, xt = _operand(rng, ishape, dtype)
    yi, yt = _operand(rng, oshape, dtype)
    got = impl.where(impl.tensor(cond), xi, yi).numpy()
    want = torch.where(torch.tensor(cond), xt, yt).numpy()
    assert got.shape == want.shape and got.dtype == want.dtype
    assert max(got.size, 1) >= 4096, "the case must be large enough to reach the branch-free kernel"
    np.testing.assert_array_equal(got.view(np.uint8), np.ascontiguousarray(want).view(np.uint8))


def test_relu_and_clamp_gradients_on_large_inputs_with_infinite_cotangents():
    """The derivative closures select with where: an infinite cotangent in the cut-off region gives 0, as torch."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(10_000)
    v = np.where(rng.random(10_000) < 0.1, np.inf, rng.standard_normal(10_000))
    for fn in (lambda t: t.relu(), lambda t: t.clamp(-0.5, 0.5), lambda t: t.clamp(min=0.2)):
        xi, xt = impl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        fn(xi).backward(impl.tensor(v))
        fn(xt).backward(torch.tensor(v))
        np.testing.assert_array_equal(xi.grad.numpy(), xt.grad.numpy())
