"""113: Float parameters torch refuses (nan, inf, a negative eps) were taken: dropout(p=nan), huber_loss(delta=nan), ...

**Symptom:** ``F.dropout(x, p=nan)``, ``F.smooth_l1_loss(..., beta=nan)``, ``F.huber_loss(..., delta=nan)``,
``torch.cdist(a, b, p=nan)``, ``F.softshrink(x, nan)`` or ``inf``, ``F.rrelu(x, nan, ...)`` and, in eval,
``F.rrelu(x, -inf, ...)``, ``F.batch_norm(..., eps=-1.0)`` returned values; torch raises (RuntimeError, or ValueError
for batch_norm's eps). ``F.interpolate(x, scale_factor=nan)`` raised Python's ValueError where torch raises
RuntimeError -- except in area mode or with ``recompute_scale_factor``, where torch computes the size in Python and
raises ValueError (nan) or OverflowError (inf), which impl raised as RuntimeError after the first fix.

**Root cause:** the checks were written as ``p < 0 or p > 1``, ``beta < 0``, ``delta <= 0``, ``p < 0``,
``lambd < 0``, ``lower > upper``: every comparison with nan is False, so nan passed; softshrink's upper bound
(the dtype's max) and rrelu's finiteness in eval were not checked; batch_norm never looked at ``eps``;
interpolate let ``int()`` of a non-finite size raise whatever Python raises.

**Fix:** each check is written as the condition that must hold (``not 0 <= p <= 1``, ``not beta >= 0``, ...),
so nan fails it, with torch's class (dropout: ValueError for a number outside [0, 1], RuntimeError for nan, as
torch's Python check and kernel do); softshrink's lambda must lie in [0, max]; rrelu in eval needs finite
bounds; batch_norm's eps must be positive in training and non-negative in eval (ValueError); interpolate raises
RuntimeError for a non-finite scale, or Python's error where torch computes the size in Python.

**How this test catches it:** each call raises in torch; impl must raise the same class with a message that says
why.

**Seen in:** found while developing (notes/bugs_found.md): property_tests/test_ops.py::test_out_of_range_arguments
once it also set float keyword arguments to -1, nan, +-inf and 0.

**Generic tests catch it too:** yes -- property_tests/test_ops.py::test_out_of_range_arguments found them.
"""
import contextlib

from impl.nn.functional import _utils, activation_extra, loss, normalization, sampling
from impl.ops import math as impl_math
from regression._util import assert_cases_raise_like_torch, rewritten_variants

VARIANTS = ("dropout", "losses", "cdist", "softshrink", "rrelu", "batch_norm", "interpolate")
FAILS_WITH = r"did not raise|raised (ValueError|RuntimeError)"


@contextlib.contextmanager
def reintroduce(variant=None):
    patches = {
        "dropout": (_utils.check_dropout_p, ("    if not 0.0 <= p <= 1.0:", "    if False:")),
        "losses": [(loss.smooth_l1_loss, ("    if not beta >= 0:", "    if beta < 0:")),
                   (loss.huber_loss, ("    if not delta > 0:", "    if delta <= 0:"))],
        "cdist": (impl_math.cdist, ("    if not p >= 0:", "    if p < 0:")),
        "softshrink": (activation_extra._check_lambda, ("    if not 0 <= lambd <= np.finfo(np.float64).max:",
                                                        "    if lambd < 0:")),
        "rrelu": (activation_extra.rrelu, ('if not training else ():  # torch', 'if False else ():  # torch'),
                  ("    if not lower <= upper:", "    if lower > upper:")),
        "batch_norm": (normalization.batch_norm, ("    if training and not eps > 0:", "    if False:"),
                       ("    if not eps >= 0:", "    if False:")),
        "interpolate": (sampling.interpolate, ('            if recompute_scale_factor or mode == "area":', "            if False:")),
    }
    with rewritten_variants(patches, variant):
        yield


nan, inf = float("nan"), float("inf")
CASES = [  # (what, call(lib), the message impl's error must match)
    ("dropout(p=nan)", lambda lib: lib.nn.functional.dropout(lib.ones(3), p=nan), "dropout probability"),
    ("dropout(p=-1.0)", lambda lib: lib.nn.functional.dropout(lib.ones(3), p=-1.0), "dropout probability"),
    ("smooth_l1_loss(beta=nan)", lambda lib: lib.nn.functional.smooth_l1_loss(lib.ones(3), lib.zeros(3), beta=nan),
     "negative values for beta"),
    ("huber_loss(delta=nan)", lambda lib: lib.nn.functional.huber_loss(lib.ones(3), lib.zeros(3), delta=nan),
     "non-positive values for delta"),
    ("cdist(p=nan)", lambda lib: lib.cdist(lib.ones(2, 3), lib.ones(4, 3), p=nan), "non-negative p"),
    ("softshrink(nan)", lambda lib: lib.nn.functional.softshrink(lib.ones(3), nan), "lambda must be in range"),
    ("softshrink(inf)", lambda lib: lib.nn.functional.softshrink(lib.ones(3), inf), "lambda must be in range"),
    ("rrelu(nan, 0.3)", lambda lib: lib.nn.functional.rrelu(lib.ones(3), nan, 0.3), "rrelu"),
    ("rrelu(-inf, 0.3) in eval", lambda lib: lib.nn.functional.rrelu(lib.ones(3), -inf, 0.3), "must be finite"),
    ("batch_norm(eps=-1) in training", lambda lib: lib.nn.functional.batch_norm(lib.ones(3, 2), None, None,
                                                                                training=True, eps=-1.0),
     "eps must be positive during training"),
    ("batch_norm(eps=-1) in eval", lambda lib: lib.nn.functional.batch_norm(lib.ones(3, 2), lib.zeros(2), lib.ones(2),
                                                                            eps=-1.0), "eps must be non-negative"),
    ("interpolate(scale_factor=nan), linear", lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3), scale_factor=nan,
                                                                                       mode="linear"), "int64_t"),
    ("interpolate(scale_factor=nan), area", lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3), scale_factor=nan,
                                                                                     mode="area"), "cannot convert"),
    ("interpolate(scale_factor=inf), nearest, recomputed",
     lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3), scale_factor=inf, recompute_scale_factor=True),
     "cannot convert"),
]


def guard():
    assert_cases_raise_like_torch(CASES)


def test_guard():
    guard()
