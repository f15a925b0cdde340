"""049: div and elu computed their gradient from their own output: modifying it in place gave a wrong gradient.

**Symptom:** ``q = a / b; q.mul_(2); q.backward(g)`` gave ``b.grad`` twice torch's (max abs error 28.9 on a
(3, 1, 3) example); ``y = F.elu(x); y.mul_(2)`` gave a wrong ``x.grad`` on the negative side, and so did every
composite built on div (``F.softsign``, ``F.normalize``). torch accepts these in-place ops -- its derivatives of
div and elu are written in terms of the inputs -- and returns the right gradient.

**Root cause:** impl wrote d(a/b)/db as ``-g * out / b`` and elu's derivative as ``g * (out + alpha)``: both read the
output array, which the in-place op on the result overwrote; nothing was version-checked (torch does not save
these results, so there is nothing to check: the formula must not read them).

**Fix:** ``-g * a / (b * b)`` and ``g * alpha * exp(x)`` (impl/ops/elementwise.py:div, elu).

**How this test catches it:** a / b (broadcast), F.elu, F.softsign and F.normalize with their results doubled in
place before backward, compared with torch's gradients (float64 defaults).

**Seen in:** found while developing (notes/bugs_found.md), by the generic in-place-on-output check
``property_tests/test_ops.py::test_inplace_on_output`` (2026-12-01).

**Generic tests catch it too:** yes -- caught by `property_tests/test_ops.py::test_inplace_on_output[F.elu]`,
`property_tests/test_ops.py::test_inplace_on_output[div]` (each variant checked separately) (`python -m
regression.crosscheck`).
"""
import contextlib

from impl.ops import elementwise
from regression._util import check_vs_torch, rewrite_source, rng, stack, swap_function

FAILS_WITH = r"grad of input"
VARIANTS = ("div", "elu")


@contextlib.contextmanager
def reintroduce(variant=None):
    patches = []
    if variant in (None, "div"):
        patches.append(swap_function(elementwise.div, rewrite_source(
            elementwise.div, ("lambda g: (g / y, -g * x / (y * y))", "lambda g: (g / y, -g * out / y)"))))
    if variant in (None, "elu"):
        patches.append(swap_function(elementwise.elu, rewrite_source(
            elementwise.elu, ("g * x.dtype.type(alpha) * np.exp(np.where(x <= 0, x, 0))", "g * (o + x.dtype.type(alpha))"))))
    with stack(*patches):
        yield


def _doubled(fn):
    def run(lib, *xs):
        y = fn(lib, *xs)
        y.mul_(2.0)  # torch allows it: none of these saves its result
        return y

    return run


def guard():
    r = rng(49)
    a, b = r.standard_normal((3, 1, 3)), r.uniform(0.5, 2.0, (4, 1)) * r.choice([-1.0, 1.0], (4, 1))
    check_vs_torch(_doubled(lambda lib, a, b: a / b), a, b, what="a / b, result doubled in place")
    x = r.standard_normal((2, 5))
    F = "nn.functional"
    for name in ("elu", "softsign", "normalize"):
        check_vs_torch(_doubled(lambda lib, x, n=name: getattr(lib.nn.functional, n)(x)), x,
                       what=f"{F}.{name}, result doubled in place")


def test_guard():
    guard()
