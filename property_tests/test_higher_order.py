"""Generic second-order and forward-mode tests, generated from every differentiable OpSpec (nothing per op).

  test_gradgrad          the gradient of <vjp(f, x)(v), w> with respect to the inputs and to v vs torch, with a
                         random cotangent v and a random w, in every float dtype of the spec (float32 judged by
                         torch in float64, see reference/higher_order.py);
  test_gradgradcheck     float64 central differences of impl's VJP function (x, v) -> vjp(f, x)(v), impl alone;
  test_forward_ad_jvp    impl.autograd.forward_ad dual numbers with a random tangent vs torch.func.jvp;
  test_every_differentiable_spec_has_higher_order_coverage
                         a differentiable spec either runs the three tests or says why not (``no_gradgrad``,
                         ``no_forward_ad``).
Each test records with hypothesis.event whether an example compared anything, so a spec whose samples check
nothing shows in the statistics (``--hypothesis-show-statistics``).
"""
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from reference.higher_order import check_gradgrad, check_gradgradcheck, check_jvp
from reference.registry import all_specs

SPECS = all_specs()
DIFFERENTIABLE = [s for s in SPECS if s.differentiable and s.float_dtypes]
# Second order costs two to three backward passes and a torch twin per example, over every differentiable spec:
# 1/8 of the profile's examples (3 under ci, 37 under thorough). The first-order tests draw 25 samples per spec.
FEW = settings(max_examples=max(3, settings.default.max_examples // 8))

pytestmark = [pytest.mark.filterwarnings("ignore:.*degrees of freedom:UserWarning"),
              pytest.mark.filterwarnings("ignore:.*Using a target size:UserWarning")]


def _p(spec):
    return pytest.param(spec, id=spec.name)


def _record(n):
    event("checked" if n else "nothing to check (empty or non-float sample)")


@pytest.mark.parametrize("spec", [_p(s) for s in DIFFERENTIABLE if not s.no_gradgrad])
@FEW
@given(data=st.data())
def test_gradgrad(spec, data):
    sample = data.draw(spec.sample, label="sample")
    for dtype in spec.float_dtypes:
        _record(check_gradgrad(spec, sample, dtype))


# Specs drawn at ties ("*_ties") sit on kinks on purpose: central differences straddle them, so only the comparison
# with torch (test_gradgrad) judges their second derivatives.
@pytest.mark.parametrize("spec", [_p(s) for s in DIFFERENTIABLE if not s.no_gradgrad and s.gradcheck
                                  and "float64" in s.dtypes and not s.name.endswith("_ties")])
@FEW
@given(data=st.data())
def test_gradgradcheck(spec, data):
    _record(check_gradgradcheck(spec, data.draw(spec.sample, label="sample")))


@pytest.mark.parametrize("spec", [_p(s) for s in DIFFERENTIABLE if not s.no_forward_ad])
@FEW
@given(data=st.data())
def test_forward_ad_jvp(spec, data):
    sample = data.draw(spec.sample, label="sample")
    _record(check_jvp(spec, sample, spec.float_dtypes[-1]))


def test_every_differentiable_spec_has_higher_order_coverage():
    """A differentiable spec runs the gradgrad and jvp tests, or gives a reason (a real sentence) why it cannot."""
    short = [(s.name, r) for s in DIFFERENTIABLE for r in (s.no_gradgrad, s.no_forward_ad) if r and len(r) < 20]
    assert not short, f"exclusions from the higher-order tests need a real reason: {short}"
    assert DIFFERENTIABLE, "no differentiable specs found: the registry is broken"
