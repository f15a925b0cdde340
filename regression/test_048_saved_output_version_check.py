"""048: modifying an op's output in place, when its backward reads that output, gave a silently wrong gradient.

**Symptom:** ``y = x.sigmoid(); y.mul_(2); y.backward(g)`` returned a gradient computed from the doubled ``y``
(``g * 2y * (1 - 2y)``) instead of raising; torch raises "one of the variables needed for gradient computation
has been modified by an inplace operation". The same for every op whose derivative is written in terms of
its result: exp, expm1, sqrt, rsqrt, tan, tanh, sigmoid, relu, reciprocal, pow, hypot, prod, max/min/amax/amin,
std, logsumexp, norm, softmax, log_softmax, scaled_dot_product_attention (42 specs).

**Root cause:** the engine version-checked only the *inputs* a node listed in ``saved``; a backward closure that
reads the output array had no way to say so, and an in-place op on the output writes into that very array.

**Fix:** ``impl._autograd.OUTPUT`` in ``saved`` means "this closure reads the output": the node keeps the
output's version counter (not the tensor: no reference cycle) and checks it at backward, as torch checks a
saved result. Each primitive whose derivative reads its output lists ``OUTPUT``.

**How this test catches it:** for sigmoid, exp, tanh, relu, sqrt, softmax, log_softmax, prod, amax and
logsumexp: forward, double the output in place, backward; impl must raise torch's RuntimeError (version
counter), and an un-modified output must still give torch's gradient.

**Seen in:** found while developing (notes/bugs_found.md), by the generic in-place-on-output check
``property_tests/test_ops.py::test_inplace_on_output`` (2026-12-01), written so that the generic suite catches
entry 046's class of bug.

**Generic tests catch it too:** yes -- caught by `property_tests/test_ops.py::test_inplace_on_output[prod]` (`python -m
regression.crosscheck`).
"""
import contextlib

from impl import _autograd
from regression._util import check_vs_torch, must_raise, rewrite_source, rng, swap_function

FAILS_WITH = r"did not raise RuntimeError"

OPS = {
    "sigmoid": lambda lib, x: x.sigmoid(),
    "exp": lambda lib, x: x.exp(),
    "tanh": lambda lib, x: x.tanh(),
    "relu": lambda lib, x: x.relu(),
    "sqrt": lambda lib, x: x.abs().add(0.5).sqrt(),
    "softmax": lambda lib, x: x.softmax(dim=-1),
    "log_softmax": lambda lib, x: x.log_softmax(dim=-1),
    "prod": lambda lib, x: x.prod(dim=0),
    "amax": lambda lib, x: x.amax(dim=1),
    "logsumexp": lambda lib, x: x.logsumexp(dim=1),
}


@contextlib.contextmanager
def reintroduce(variant=None):
    # The output's version is no longer recorded, so nothing is checked at backward (the closure still reads it).
    broken = rewrite_source(_autograd._node, ("saved_versions.append((_SavedOutput(t), 0))", "pass"))
    with swap_function(_autograd._node, broken):
        yield


def guard():
    import impl

    x = rng(48).standard_normal((3, 4))
    for name, fn in OPS.items():
        xi = impl.tensor(x, requires_grad=True)
        y = fn(impl, xi)
        y.mul_(2.0)
        with must_raise(RuntimeError, "modified by an inplace operation", f"{name}: backward after its output was doubled in place"):
            y.backward(impl.ones_like(y))
        check_vs_torch(fn, x, what=f"{name} with its output left alone")


def test_guard():
    guard()
