"""099: float16/bfloat16 linear, convolutions, norms, the addmm family and attention rounded more than once.

**Symptom:** ``F.linear``, ``F.conv2d`` (with bias), ``F.layer_norm``, ``F.group_norm``, ``addmm``, eval-mode
``F.batch_norm``, ``F.rms_norm``, ``F.scaled_dot_product_attention`` and ``F.conv3d`` on float16/bfloat16 tensors
differed from torch's results by one ulp in a quarter to a half of the elements, and were 1.4-3.8x further from the
float64 result than torch's (normwise).

**Root cause:** torch's CPU kernels compute float16/bfloat16 in float32 ("opmath") and round the result once. The
fused kernels of ``impl.nn.functional.conv`` (``_linear_core``, ``_conv2d_core``) rounded the product to the low dtype
before adding the bias, and ``impl.nn.functional.normalization._norm_affine`` computed mean, variance, standardisation
and the affine map in the low dtype, each rounded; the composites (``addmm`` and its family, eval batch norm,
rms_norm, attention, conv3d's per-depth-tap sums) rounded after each of their impl ops.

**Fix:** the fused kernels compute on ``opmath`` copies and round once with ``from_opmath`` (``_norm_affine``'s
backward likewise); the composites go through ``impl.ops._lowprec.rounded_once``, which keeps the composite's graph
and replaces its value by the composite evaluated on float32 copies of the inputs, rounded once.

**How this test catches it:** each op on small fixed float16 arrays must give exactly torch's float16 result; the
variants put back the low-dtype arithmetic of the fused kernels (``kernels``: linear, conv2d, layer_norm, group_norm)
and the step-by-step rounding of the composites (``composites``: addmm, batch_norm, rms_norm, attention, conv3d).

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_low_precision.py::test_long_reductions_as_accurate_as_torch``.

**Generic tests catch it too:** yes -- property_tests/test_low_precision.py::test_long_reductions_as_accurate_as_torch
(linear, conv2d, addmm and eval batch_norm in its bfloat16 cases only; layer_norm, rms_norm, attention and conv3d in
float16 too).
"""
import contextlib

import numpy as np

from impl.nn.functional import conv, normalization
from impl.ops import _lowprec
from regression._util import swap_attr, swap_function

FAILS_WITH = r"float16: \d+ of \d+ elements differ from torch's"
VARIANTS = ("kernels", "composites")


def _low_dtype_arithmetic(a):
    """``opmath`` as it was not: the storage array itself, so the kernels compute and round in float16."""
    return a


def _rounded_every_step(fn, *inputs):
    """``rounded_once`` as it was not: the composite's own value, each of its ops rounded to the low dtype."""
    return fn(*inputs)


@contextlib.contextmanager
def reintroduce(variant=None):
    with contextlib.ExitStack() as stack:
        if variant in (None, "kernels"):
            stack.enter_context(swap_attr(conv, "opmath", _low_dtype_arithmetic))
            stack.enter_context(swap_attr(normalization, "opmath", _low_dtype_arithmetic))
        if variant in (None, "composites"):
            stack.enter_context(swap_function(_lowprec.rounded_once, _rounded_every_step))
        yield


_SHAPES = {"x": (4, 8), "w": (6, 8), "b": (6,), "img": (2, 3, 5, 5), "k": (4, 3, 3, 3), "kb": (4,), "g": (8,),
           "beta": (8,), "m1": (4, 8), "m2": (8, 6), "q": (2, 4, 8), "kk": (2, 4, 8), "v": (2, 4, 8),
           "vol": (1, 2, 4, 4, 4), "k3": (3, 2, 2, 2, 2), "mean": (3,), "var": (3,)}


def _arrays():
    rng = np.random.default_rng(0)
    out = {name: rng.standard_normal(shape) for name, shape in _SHAPES.items()}
    out["var"] = np.abs(out["var"]) + 0.5
    return out


def _cases(lib, arrays):
    F = lib.nn.functional

    def t(name):
        return lib.tensor(arrays[name]).to(lib.float16)

    return {
        "linear": lambda: F.linear(t("x"), t("w"), t("b")),
        "conv2d": lambda: F.conv2d(t("img"), t("k"), t("kb")),
        "layer_norm": lambda: F.layer_norm(t("x"), (8,), t("g"), t("beta")),
        "group_norm": lambda: F.group_norm(t("img"), 3),
        "addmm": lambda: lib.addmm(t("b"), t("m1"), t("m2")),
        "batch_norm (eval)": lambda: F.batch_norm(t("img"), t("mean"), t("var"), training=False),
        "rms_norm": lambda: F.rms_norm(t("x"), (8,), t("g")),
        "scaled_dot_product_attention": lambda: F.scaled_dot_product_attention(t("q"), t("kk"), t("v")),
        "conv3d": lambda: F.conv3d(t("vol"), t("k3")),
    }


def guard():
    import torch

    import impl

    arrays = _arrays()
    got, want = _cases(impl, arrays), _cases(torch, arrays)
    for name in got:
        g, w = got[name](), want[name]()
        assert str(g.dtype) == "impl.float16", f"{name}: impl returned {g.dtype}"
        g, w = g.double().numpy(), w.double().numpy()
        differing = int(np.sum(g != w))
        assert differing == 0, (f"{name} float16: {differing} of {w.size} elements differ from torch's "
                                "(one rounding of the float32 result)")


def test_guard():
    guard()
