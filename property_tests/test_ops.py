"""Generic op-level differential tests, generated from every OpSpec in reference/registry.py.

Per spec (ids = spec names):
  test_forward_and_vjp               forward vs torch (shape, dtype, values) and the VJP vs torch with a random
                                     cotangent, incl. the gradients' shape and dtype (= the input's) and the
                                     outputs' grad_fn names (torch's, or a composition of torch's node listed in
                                     reference/node_names.py), in every dtype of the spec (float32 and float64) on
                                     the same drawn sample;
  test_gradcheck                     float64 central differences of the target alone;
  test_noncontiguous_and_grad_mode   transposed / strided / negative-stride numpy inputs give the target's
                                     contiguous results; requires_grad / grad_fn / is_leaf as torch's; nothing
                                     recorded under no_grad;
  test_inplace_on_output             each output doubled in place, without autograd (torch's values or torch's
                                     RuntimeError) and before the backward (all together, then each on its own
                                     for an op with several): where torch refuses (version counter,
                                     views of leaves) the target refuses at the same step; where torch allows it, the
                                     gradients are torch's (regressions 046, 048-053);
  test_error_input                   the spec's error inputs: torch's exception class; impl's message names the op
                                     (the message is checked for a target that promises impl's messages).
The side under test is the current target (reference/targets: impl by default, ``--target torch`` or
GRADPARITY_TARGET for another library); every test here runs for any target.
Every check of a spec runs on the spec's samples, drawn once per process (reference/samples.py: drawing costs more
than most checks): forward/VJP and gradcheck on all of the profile's examples (20 under ci), the structural checks
on 8 of them spread over the draw. All tests of one spec run on one xdist worker (``spec_group``).
The check functions live in reference/compare.py (the meta-tests call them directly on planted bugs). Each returns
what it really compared (a ``Checked``); every example records it (``record``: "gradcheck: checked" or "gradcheck:
skipped (empty output)"), and the run ends with the counts per check, examples that compared something and those
that compared nothing and why. test_forward_and_vjp and test_gradcheck fail when fewer than 80% of their examples
compared any value or gradient entry (``assert_mostly_checked``): a strategy that mostly draws empty tensors would
pass while checking nothing (property_tests/test_meta.py::test_mostly_empty_strategy_fails_the_gradient_tests
shows it failing).
Random creation ops: shapes and dtypes here; their distributions in property_tests/test_random_distributions.py.
"""
import numpy as np
import pytest
import torch

from reference import targets
from reference.assertions import assert_mostly_checked
from reference.compare import (
    check_argument_errors,
    check_error_input,
    check_forward,
    check_grad_mode,
    check_gradcheck,
    check_inplace_on_output,
    check_noncontiguous,
    check_vjp,
)
from reference.registry import all_specs
from reference.samples import fraction, over_samples, record, spec_group

SPECS = all_specs()
# torch warns when a reduction's output is empty (numel 0 / numel 0 "degrees of freedom"): expected, not a problem.
# Likewise torch's warning when a loss spec deliberately broadcasts its target.
pytestmark = [pytest.mark.filterwarnings("ignore:.*degrees of freedom:UserWarning"),
              pytest.mark.filterwarnings("ignore:.*Using a target size:UserWarning")]
# The structural checks (layout, grad-mode flags, in-place on outputs) need fewer examples than the numerical ones:
# 8 of the profile's 20 (fraction(10)), spread over the draw.
FEW = fraction(10)


def _record(checked, dtype=""):
    """Count what the check compared on this example, or that it compared nothing and why."""
    record(checked.event.replace(": ", f" {dtype}: ", 1) if dtype else checked.event)
    return checked


def _p(spec, *extra, suffix=""):
    return pytest.param(spec, *extra, id=spec.name + suffix, marks=spec_group(spec))


@pytest.mark.parametrize("spec", [_p(s) for s in SPECS])
def test_forward_and_vjp(spec):
    """Forward and VJP vs torch, in every dtype of the spec (float32 and float64 for float ops), same sample; most
    examples must compare forward values and, for a differentiable spec, gradients (not only empty tensors)."""

    def body(sample):
        out = {}
        for dtype in spec.dtypes:
            out["forward"] = _record(check_forward(spec, sample, dtype), dtype)
            out["backward"] = _record(check_vjp(spec, sample, dtype), dtype)
        return out

    results = over_samples(spec, body)
    assert_mostly_checked([r["forward"] for r in results], f"forward {spec.name}")
    if spec.differentiable and spec.float_dtypes:
        assert_mostly_checked([r["backward"] for r in results], f"backward {spec.name}")


@pytest.mark.parametrize("spec", [_p(s) for s in SPECS if s.gradcheck and s.differentiable and "float64" in s.dtypes])
def test_gradcheck(spec):
    """float64 finite differences of the target alone; at least 80% of the examples check gradient entries."""
    results = over_samples(spec, lambda sample: _record(check_gradcheck(spec, sample)))
    assert_mostly_checked(results, f"gradcheck {spec.name}")


@pytest.mark.parametrize("spec", [_p(s) for s in SPECS])
def test_noncontiguous_and_grad_mode(spec):
    """Non-contiguous numpy inputs give the contiguous results; requires_grad/no_grad propagate as torch's."""

    def body(sample):
        _record(check_noncontiguous(spec, sample, "float64" if "float64" in spec.dtypes else spec.dtypes[0]))
        _record(check_grad_mode(spec, sample, spec.dtypes[0]))

    # A 0-d or one-element input is contiguous whatever its strides: the samples with a larger input come first.
    over_samples(spec, body, FEW, prefer=lambda sample: any(np.asarray(a).size > 1 for a in sample.arrays))


@pytest.mark.parametrize("spec", [_p(s) for s in SPECS if s.differentiable and s.float_dtypes])
def test_inplace_on_output(spec):
    """Modify every differentiable output in place, then backward: same refusals as torch, or torch's gradients."""
    over_samples(spec, lambda sample: _record(check_inplace_on_output(spec, sample, spec.float_dtypes[-1])), FEW)


@pytest.mark.parametrize("spec", [_p(s) for s in SPECS])
def test_out_of_range_arguments(spec):
    """Every integer or float keyword argument of the samples set out of range (ints -1, -9, 9, 0; a tuple's entries
    one at a time -2 or 9, or all equal; floats -1, nan, +-inf, 0): wherever torch refuses, the same exception
    class. Specs whose samples have no such argument are counted as skipped; their error inputs are the declared
    ones only."""
    over_samples(spec, lambda sample: _record(check_argument_errors(spec, sample)), FEW)


@pytest.mark.parametrize("spec,index", [_p(s, i, suffix=f"-{i}") for s in SPECS for i in range(len(s.error_inputs))])
def test_error_input(spec, index):
    assert check_error_input(spec, spec.error_inputs[index]).checked


# ---- random creation: shapes and dtypes vs torch (values: property_tests/test_random_distributions.py) ---------
RANDOM_CREATION = [
    ("randn", lambda lib: lib.randn(2, 3)),
    ("randn_size_tuple", lambda lib: lib.randn((4,), dtype=lib.float64)),
    ("rand", lambda lib: lib.rand(3, 0)),
    ("rand_0d", lambda lib: lib.rand(())),
    ("randint", lambda lib: lib.randint(0, 5, (3, 2))),
    ("randint_high_only", lambda lib: lib.randint(7, (4,))),
    ("randperm", lambda lib: lib.randperm(6)),
    ("randn_like", lambda lib: lib.randn_like(lib.zeros(2, 3, dtype=lib.float64))),
    ("rand_like", lambda lib: lib.rand_like(lib.zeros(5))),
    ("bernoulli", lambda lib: lib.bernoulli(lib.full((3, 4), 0.5))),
    ("multinomial", lambda lib: lib.multinomial(lib.tensor([0.2, 0.3, 0.5]), 5, replacement=True)),
    ("uniform_", lambda lib: lib.zeros(3, 2).uniform_(-1, 1)),
    ("normal_", lambda lib: lib.zeros(4, dtype=lib.float64).normal_(0.0, 2.0)),
]


@pytest.mark.parametrize("name,make", RANDOM_CREATION, ids=[n for n, _ in RANDOM_CREATION])
def test_random_creation_shape_and_dtype(name, make):
    target = targets.current()
    a, b = make(target.lib), make(torch)
    me = target.name
    assert tuple(a.shape) == tuple(b.shape), f"{name}: {me} shape {tuple(a.shape)} vs torch {tuple(b.shape)}"
    assert target.dtype_name(a) == str(b.dtype).removeprefix("torch."), f"{name}: {me} dtype {a.dtype} vs torch {b.dtype}"
    v = target.to_numpy(a)
    assert np.isfinite(v).all()
    if name == "uniform_":
        assert ((v >= -1) & (v <= 1)).all()
    if name == "randperm":
        assert sorted(v.tolist()) == list(range(6))
    if name.startswith("randint"):
        assert ((v >= 0) & (v < (5 if name == "randint" else 7))).all()


def test_rng_state_roundtrip_and_manual_seed():
    target = targets.current()
    lib, values = target.lib, lambda t: target.to_numpy(t).copy()
    lib.manual_seed(123)
    a = values(lib.randn(5))
    state = lib.get_rng_state()
    b = values(lib.rand(4))
    lib.set_rng_state(state)
    np.testing.assert_array_equal(values(lib.rand(4)), b)
    lib.manual_seed(123)
    np.testing.assert_array_equal(values(lib.randn(5)), a)
    assert isinstance(lib.seed(), int)
    assert not np.array_equal(values(lib.randn(5)), a)  # seed() reseeded from entropy
