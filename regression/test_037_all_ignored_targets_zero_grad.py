"""037: cross_entropy / nll_loss with every target ignored backpropagated nan instead of zeros.

**Symptom:** With ``reduction='mean'`` and every target equal to ``ignore_index`` (a padding-only batch in a
language model, a fully masked segmentation crop) the loss is ``nan`` in both libraries, but torch's input
gradient is all zeros while impl's was all ``nan`` -- poisoning every parameter through one backward.

**Root cause:** The mean was ``sum(loss) / total_weight`` as a composite division; with ``total_weight = 0``
its backward is ``g / 0 = inf``, times the zero weights of the ignored rows = ``nan``. torch's NllLoss
backward only writes ``-w / total_weight`` at non-ignored targets, so nothing is written and the gradient
stays 0.

**Fix:** ``impl.nn.functional.loss._finish(..., all_ignored=True)`` returns ``sum(loss) * 0 + nan``: a ``nan``
forward with a zero gradient, when no target differs from ``ignore_index``.

**How this test catches it:** loss value (``nan``) and input gradient (zeros) against torch for
``nll_loss`` and ``cross_entropy`` (with and without label smoothing) when every target is ignored, and
the same comparisons when only some targets are ignored (which must keep working).

**Seen in:** found while developing (notes/bugs_found.md), by
the module twin test of the classification losses under the thorough hypothesis profile (NLLLoss, every
target equal to ``ignore_index``), now ``property_tests/test_module_template.py::test_twins`` (the NLLLoss and
CrossEntropyLoss specs, whose explicit example is this case).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_functional.py::test_cross_entropy_all_targets_ignored, property_tests/test_module_template.py::test_twins (NLLLoss and CrossEntropyLoss specs) fail (measured by `python -m regression.crosscheck`).
"""
import contextlib

import numpy as np

from impl.nn.functional import loss as loss_mod
from regression._util import check_vs_torch, rewrite_source, rng, swap_function

FAILS_WITH = r"grad of input 0"


@contextlib.contextmanager
def reintroduce(variant=None):
    broken = rewrite_source(loss_mod._finish, ("    if all_ignored:\n", "    if False:\n"))
    with np.errstate(divide="ignore", invalid="ignore"), swap_function(loss_mod._finish, broken):
        yield


def guard():
    r = rng(37)
    x = r.standard_normal((3, 4)).astype(np.float32)
    logp = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    all_ignored = np.array([1, 1, 1])
    some_ignored = np.array([1, 3, 0])
    grad_x = [True, False]
    for tag, t in (("every target ignored", all_ignored), ("some targets ignored", some_ignored)):
        check_vs_torch(lambda lib, x, t: lib.nn.functional.nll_loss(x, t, ignore_index=1), logp, t,
                       requires_grad=grad_x, what=f"nll_loss, {tag}")
        check_vs_torch(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, ignore_index=1), x, t,
                       requires_grad=grad_x, what=f"cross_entropy, {tag}")
        check_vs_torch(lambda lib, x, t: lib.nn.CrossEntropyLoss(ignore_index=1, label_smoothing=0.2)(x, t), x, t,
                       requires_grad=grad_x, what=f"CrossEntropyLoss(label_smoothing=0.2), {tag}")


def test_guard():
    guard()
