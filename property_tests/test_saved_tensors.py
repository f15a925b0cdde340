"""Saved-tensor parity, generated from every differentiable OpSpec: an op saves for its backward what torch's does.

  test_saved_inputs   for each tensor input of the op -- a differentiable one as a non-leaf (``leaf.clone()``), any
                      other (an index, a target, a running statistic) as a plain tensor -- run the op, modify that
                      input in place without changing its values (a version-counter bump), then backward with a
                      fixed random cotangent. The target raises iff torch raises (same class, same step), and otherwise
                      its gradients are torch's. Each input is tried with every differentiable input requiring
                      grad, as the only one that does, and as the only one that does not: torch saves a tensor only
                      for the gradients that read it (``x * w`` with a ``w`` that needs no gradient saves ``w``,
                      not ``x``). The check lives in reference/saved_tensors.py.

Modifying an op's *output* in place is property_tests/test_ops.py::test_inplace_on_output (each output on its own
and all together). Each example records its outcome (``record``: "saved inputs: checked (2 raised in both, 1 grads
equal)" or why it compared nothing), and each spec must compare something on most of its examples.

The side under test is the current target (reference/targets: impl by default). impl's open findings
(reference/open_findings.py) run as strict xfails for impl only: they describe impl, so for any other target
(``Target.known_divergences`` false) the same specs run as ordinary tests and must pass -- torch judged against
itself passes them all.
"""
import pytest

from reference import open_findings, targets
from reference.assertions import assert_mostly_checked
from reference.registry import all_specs
from reference.samples import fraction, over_samples, record, spec_group
from reference.saved_tensors import check_saved_inputs

DIFFERENTIABLE = [s for s in all_specs() if s.differentiable and s.float_dtypes]
# Every input of the op is modified in turn, in up to three requires-grad modes, each a forward and a backward in
# both libraries: 3 of the profile's 20 examples (36 under thorough), spread over the spec's draw, as the
# other second-pass tests.
FEW = fraction(3)
# With 3 examples a spec may spend one on a case that compares nothing by design (a size-0 split, whose torch views
# are impl's copies: a documented divergence); at least two of three must compare something.
MIN_CHECKED = 0.6

pytestmark = [pytest.mark.filterwarnings("ignore:.*degrees of freedom:UserWarning"),
              pytest.mark.filterwarnings("ignore:.*Using a target size:UserWarning")]


def _p(spec):
    if targets.current().known_divergences and spec.name in open_findings.SAVED_TENSORS:
        # impl's listed open findings: strict, so a fix shows as XPASS
        return pytest.param(spec, id=spec.name, marks=[spec_group(spec), pytest.mark.xfail(
            strict=True, reason="open finding: saved set differs from torch's (reference/open_findings.py)")])
    return pytest.param(spec, id=spec.name, marks=spec_group(spec))


@pytest.mark.parametrize("spec", [_p(s) for s in DIFFERENTIABLE])
def test_saved_inputs(spec):
    """An in-place edit of any input after the forward raises at backward iff torch's does; else torch's gradients."""

    def body(sample):
        checked = check_saved_inputs(spec, sample, spec.float_dtypes[-1]).as_checked()
        record(checked.event)
        return checked

    results = over_samples(spec, body, FEW)
    assert_mostly_checked(results, f"saved inputs {spec.name}", min_fraction=MIN_CHECKED)


def test_every_differentiable_spec_is_covered():
    """The parametrization is not empty (a broken registry would make the generic test vacuous)."""
    assert len(DIFFERENTIABLE) > 100, f"only {len(DIFFERENTIABLE)} differentiable specs found: the registry is broken"
