"""Fused kernels vs their composites (first order), generated from the OpSpecs of impl.nn.functional and the
losses (nothing per op).

  test_composite_matches_kernel   for every fused node in the graph of a spec's output (float64 sample drawn from
                                  the spec's strategy): the composite's forward equals the kernel's output and its
                                  VJP equals the numpy closure's for a random cotangent (reference/composites.py);
                                  a fused node of impl.nn.functional without a composite fails unless it is listed
                                  in NO_COMPOSITE with its reason;
  test_every_functional_kernel_declares_a_composite
                                  the same rule read from the source: every ``apply_fused`` call under
                                  impl/nn/functional passes ``composite=`` (or its op is listed), so a kernel that no
                                  spec reaches cannot slip through;
  test_checks_can_fail            a planted wrong composite and a planted kernel without one are caught.
"""
import ast
import pathlib

import numpy as np
import pytest

import impl
from impl._autograd import apply_fused
from reference.composites import check_composite, defined_in, fused_nodes
from reference.conversion import cast_arrays, flatten_outputs, make_inputs
from reference.registry import all_specs
from reference.samples import fraction, over_samples, record, spec_group

FUNCTIONAL = "impl/nn/functional/"
# Fused ops of impl.nn.functional that have no composite, by node name, each with the reason. A create_graph
# backward through one raises NotImplementedError (never a silently wrong second derivative).
NO_COMPOSITE = {}

# The families whose fused kernels this file judges (the core families' fused ops are checked to second order
# against torch in test_higher_order.py).
FAMILIES = ("nn.functional", "losses")
SPECS = [s for s in all_specs() if s.family in FAMILIES and "float64" in s.dtypes and s.differentiable]
# Each example runs impl alone (no torch) and differentiates small graphs; the composites are few per spec: 10 of
# the spec's 25 shared samples (reference/samples.py), spread over the draw.
FEW = fraction(10)

pytestmark = [pytest.mark.filterwarnings("ignore:.*degrees of freedom:UserWarning"),
              pytest.mark.filterwarnings("ignore:.*Using a target size:UserWarning"),
              pytest.mark.impl_only(reason="about impl itself: impl's fused kernels against their own composites (impl/_autograd.py apply_fused)")]


def missing_composites(nodes, folder):
    """Names of fused nodes whose closure lives in ``folder`` and that have neither a composite nor a reason."""
    return sorted({n.name for _, n in nodes if n.composite is None and defined_in(n, folder) and n.name not in NO_COMPOSITE})


@pytest.mark.parametrize("spec", [pytest.param(s, id=s.name, marks=spec_group(s)) for s in SPECS])
def test_composite_matches_kernel(spec):
    over_samples(spec, lambda sample: _composite_matches_kernel(spec, sample), FEW)


def _composite_matches_kernel(spec, sample):
    arrays = cast_arrays(sample.arrays, "float64")
    outs = flatten_outputs(spec.fn(impl, *make_inputs(impl, arrays, spec.differentiable), **sample.kwargs))
    nodes = fused_nodes(outs)
    missing = missing_composites(nodes, FUNCTIONAL)
    assert not missing, f"{spec.name}: fused ops without a composite (and not in NO_COMPOSITE): {missing}"
    rng = np.random.default_rng(len(nodes))
    checked = 0
    for t, node in nodes:
        if node.composite is not None:
            checked += check_composite(t, node, rng, what=spec.name)
    record("composite: checked" if checked else "composite: skipped (no fused op with a composite in this graph)")


def _apply_fused_calls():
    for path in sorted(pathlib.Path(FUNCTIONAL).glob("*.py")):
        for call in ast.walk(ast.parse(path.read_text())):
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "apply_fused":
                yield path, call


def test_every_functional_kernel_declares_a_composite():
    calls = list(_apply_fused_calls())
    assert calls, f"no apply_fused call found under {FUNCTIONAL}: the scan is broken"
    bad = []
    for path, call in calls:
        if any(k.arg == "composite" for k in call.keywords):
            continue
        name = call.args[0].value if call.args and isinstance(call.args[0], ast.Constant) else None
        if name not in NO_COMPOSITE:
            bad.append(f"{path}:{call.lineno} ({name})")
    assert not bad, f"apply_fused without composite= and not listed in NO_COMPOSITE: {bad}"
    assert all(len(reason) >= 20 for reason in NO_COMPOSITE.values()), "NO_COMPOSITE entries need a real reason"


def test_checks_can_fail():
    x = impl.tensor([0.5, -1.0, 2.0], dtype=impl.float64, requires_grad=True)

    def kernel(composite):  # y = x**2 with the closure 2 x g
        return apply_fused("PlantedBackward0", x._data ** 2, (x,), lambda g: (2 * x._data * g,), composite=composite)

    rng = np.random.default_rng(0)
    right = kernel(lambda a: a * a)
    assert check_composite(right, right.grad_fn, rng) == 6
    wrong_value = kernel(lambda a: a * a + 1e-6)
    with pytest.raises(AssertionError, match="composite forward"):
        check_composite(wrong_value, wrong_value.grad_fn, rng)
    wrong_slope = kernel(lambda a: a * a.detach())  # same value, half the derivative
    with pytest.raises(AssertionError, match="composite VJP"):
        check_composite(wrong_slope, wrong_slope.grad_fn, rng)
    bare = kernel(None)
    assert missing_composites(fused_nodes([bare * 2.0]), "property_tests/") == ["PlantedBackward0"]


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2, stride=1), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=2, stride=1, dilation=2, ceil_mode=True)])
def test_max_pool_composite_keeps_the_first_maximum(kwargs):
    """Tied windows (the specs draw continuous values, so none there): the composite's gradient goes to the first
    maximum of each window, as the kernel's and torch's do; a nan wins its window."""
    import torch

    x = np.random.default_rng(7).integers(0, 3, (2, 1, 6, 7)).astype(np.float64)
    x[1, 0, 2, 3] = np.nan
    v = np.random.default_rng(8).standard_normal(impl.nn.functional.max_pool2d(impl.tensor(x), **kwargs).shape)
    xi = impl.tensor(x, requires_grad=True)
    out = impl.nn.functional.max_pool2d(xi, **kwargs)
    (node,) = [n for _, n in fused_nodes([out]) if n.name == "MaxPool2DWithIndicesBackward0"]
    assert check_composite(out, node, np.random.default_rng(0)) > 0
    composite_grad = impl.autograd.grad(node.composite(xi), xi, impl.tensor(v))[0]
    xt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(xt, **kwargs).backward(torch.tensor(v))
    np.testing.assert_allclose(composite_grad._data, xt.grad.numpy(), rtol=1e-7, atol=1e-7)
