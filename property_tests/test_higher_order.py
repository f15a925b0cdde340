"""Generic second-order and forward-mode tests, generated from every differentiable OpSpec (nothing per op).

  test_gradgrad          the gradient of <vjp(f, x)(v), w> with respect to the inputs and to v vs torch, with a
                         random cotangent v and a random w, in every float dtype of the spec (float32 judged by
                         torch in float64, see reference/higher_order.py);
  test_gradgradcheck     float64 central differences of the target's VJP function (x, v) -> vjp(f, x)(v), the
                         target alone;
  test_forward_ad_jvp    the target's autograd.forward_ad dual numbers with a random tangent vs torch.func.jvp;
  test_every_differentiable_spec_has_higher_order_coverage
                         a differentiable spec either runs the three tests or says why not (``no_gradgrad``,
                         ``no_forward_ad``).
Each runs on 3 of the spec's samples (of the 20 drawn once per process for every generic check, spread over the
draw: reference/samples.py) and records whether an example compared anything; the run's summary counts them.
The side under test is the current target (reference/targets: impl by default); every test here runs for any target.
"""
import pytest

from reference.higher_order import check_gradgrad, check_gradgradcheck, check_jvp
from reference.registry import all_specs
from reference.samples import fraction, over_samples, record, spec_group

SPECS = all_specs()
DIFFERENTIABLE = [s for s in SPECS if s.differentiable and s.float_dtypes]
# Second order costs two to three backward passes and a torch twin per example, over every differentiable spec:
# 3 of the profile's 20 examples (36 under thorough), fraction(3). The first-order tests run on all of them.
FEW = fraction(3)

pytestmark = [pytest.mark.filterwarnings("ignore:.*degrees of freedom:UserWarning"),
              pytest.mark.filterwarnings("ignore:.*Using a target size:UserWarning")]


def _p(spec):
    return pytest.param(spec, id=spec.name, marks=spec_group(spec))


def _record(check, n):
    record(f"{check}: checked" if n else f"{check}: skipped (empty or non-float sample)")


@pytest.mark.parametrize("spec", [_p(s) for s in DIFFERENTIABLE if not s.no_gradgrad])
def test_gradgrad(spec):
    def body(sample):
        for dtype in spec.float_dtypes:
            _record(f"gradgrad {dtype}", check_gradgrad(spec, sample, dtype))

    over_samples(spec, body, FEW)


# Specs drawn at ties ("*_ties") sit on kinks on purpose: central differences straddle them, so only the comparison
# with torch (test_gradgrad) judges their second derivatives.
@pytest.mark.parametrize("spec", [_p(s) for s in DIFFERENTIABLE if not s.no_gradgrad and s.gradcheck
                                  and "float64" in s.dtypes and not s.name.endswith("_ties")])
def test_gradgradcheck(spec):
    over_samples(spec, lambda sample: _record("gradgradcheck", check_gradgradcheck(spec, sample)), FEW)


@pytest.mark.parametrize("spec", [_p(s) for s in DIFFERENTIABLE if not s.no_forward_ad])
def test_forward_ad_jvp(spec):
    over_samples(spec, lambda sample: _record("forward AD jvp", check_jvp(spec, sample, spec.float_dtypes[-1])), FEW)


def test_every_differentiable_spec_has_higher_order_coverage():
    """A differentiable spec runs the gradgrad and jvp tests, or gives a reason (a real sentence) why it cannot."""
    short = [(s.name, r) for s in DIFFERENTIABLE for r in (s.no_gradgrad, s.no_forward_ad) if r and len(r) < 20]
    assert not short, f"exclusions from the higher-order tests need a real reason: {short}"
    assert DIFFERENTIABLE, "no differentiable specs found: the registry is broken"
