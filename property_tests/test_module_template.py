"""The generic module template: every ModuleSpec (reference/module_specs/) of the library under test (impl by
default, reference.targets) against its torch twin.

Per spec (ids = spec names):
  test_twins             hypothesis draws the constructor kwargs and inputs (the spec's ``sample``), the dtype and
                         the mode (train/eval, from the spec's ``modes``); the torch module is built under a seed,
                         its parameters and float buffers perturbed, its state_dict copied into the target's; forward
                         outputs, input gradients under a random cotangent, every parameter value and gradient and
                         every buffer are compared (reference.module_twins.run_twins) over ``steps`` passes. On
                         every example's twins, before they run: parameter, buffer, module and child names, module
                         types, repr, and every plain attribute (sizes, flags, eps, modes) of every submodule equal
                         torch's, and so does every parameter's and buffer's version counter (how often
                         construction wrote into it in place). Every other example builds the twins in float32,
                         copies torch's weights, then calls
                         ``double()`` (float64 examples) or ``double()`` and ``float()`` (float32 examples) on both:
                         the state_dict dtypes must follow torch's, and the converted twins are compared as above.
                         The spec's explicit ``examples`` run first, in every dtype. Tolerances: the
                         spec's (torch.testing.assert_close defaults unless a reason is written); float32 is judged
                         by torch in float64 (see reference/twins.py).
  test_state_dict        state_dict keys, order, shapes and dtypes equal torch's; torch -> target and target -> torch
                         strict loads carry the values; every Parameter a leaf requiring grad; train()/eval()
                         reach every submodule; buffers only where the spec declares them (and then present); the
                         classes the spec claims to cover are among those it builds.
  test_every_module_has_a_spec (coverage, impl only): every nn.Module class exported by impl.nn has a spec or a
                         written reason (reference.module_specs.COVERAGE_EXCLUSIONS).
Example counts (``max_examples``, scaled by the hypothesis profile) are per spec: small for modules with little to
vary, larger for those with many option combinations (MultiheadAttention, Conv2d); the shapes stay small.
"""
import inspect
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import targets
from reference.module_specs import COVERAGE_EXCLUSIONS, all_module_specs
from reference.module_twins import TORCH, examples, run_twins, target_lib
from reference.modulespec import ModuleSample
from reference.twins import compare_state_dict_signatures, copy_state_dict, to_numpy

SPECS = all_module_specs()
# dtype -> the Module methods that take twins built in float32 there (after torch's weights are copied into the target's)
CONVERSIONS = {"float64": ("double",), "float32": ("double", "float")}
IDS = [s.name for s in SPECS]
pytestmark = [pytest.mark.modules,
              # torch float32 LSTMs run on oneDNN except with a projection, where torch says so once per process
              pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN"),
              pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")]  # torch's notice at construction


class _quiet(warnings.catch_warnings):
    """The spec's expected warnings silenced (in both libraries), every other one left alone."""

    def __init__(self, spec):
        super().__init__()
        self.patterns = spec.ignore_warnings

    def __enter__(self):
        out = super().__enter__()
        for pattern in self.patterns:
            warnings.filterwarnings("ignore", message=pattern)
        return out


def _run(spec, sample, dtype, mode, seed, **kw):
    train = (sample.mode or mode) == "train"
    with _quiet(spec):
        return run_twins(spec.builder(sample), list(sample.inputs), dtype, call=spec.caller(sample), train=train,
                         grad=None if sample.grad is None else list(sample.grad), perturb=spec.perturb,
                         steps=spec.steps, tol=spec.tolerance(dtype), seed=seed,
                         what=f"{spec.name}({sample.kwargs}) forward={sample.forward} {mode}", **kw)


def _structure(spec):
    """repr and plain attributes vs torch, on every twin test_twins builds: every drawn configuration."""

    def inspect(t, i):
        for attr in ("named_parameters", "named_buffers", "named_modules", "named_children"):
            assert _names(i, attr) == _names(t, attr), f"{spec.name} {attr}"
        assert [type(m).__name__ for m in i.modules()] == [type(m).__name__ for m in t.modules()]
        assert repr(i) == repr(t).replace("torch.", f"{target_lib().top.__name__}."), f"{spec.name} repr"
        _same_plain_attributes(t, i, spec)
        _same_versions(t, i, spec)

    return inspect


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_twins(spec):
    for k, sample in enumerate(spec.examples):
        for dtype in spec.dtypes:
            seed = k if sample.seed is None else sample.seed
            assert _run(spec, sample, dtype, spec.modes[0], seed=seed, inspect=_structure(spec)) > 0, \
                f"{spec.name}: explicit example {k}"

    ran, converted = [], []  # modes alternate, unless a sample needs one (dropout with p > 0: eval)

    @settings(max_examples=examples(spec.max_examples))
    @given(spec.sample, st.sampled_from(spec.dtypes), st.integers(0, 2**16))
    def twins(sample, dtype, seed):
        k = len(ran)
        mode = sample.mode or spec.modes[k % len(spec.modes)]
        ran.append(mode)
        kw = {}
        if k % 2 and dtype in CONVERSIONS:  # every other example reaches its dtype through double() / float()
            kw = dict(build_dtype="float32", convert=CONVERSIONS[dtype])
            converted.append(dtype)
        assert _run(spec, sample, dtype, mode, seed, inspect=_structure(spec), **kw) > 0, \
            f"{spec.name}: nothing compared"

    twins()
    assert set(ran) == set(spec.modes), f"{spec.name}: ran in {sorted(set(ran))} only, declares {spec.modes}"
    assert converted, f"{spec.name}: no example went through double()/float()"


def _names(m, attr):
    return [n for n, _ in getattr(m, attr)()]


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_state_dict(spec):
    seen_buffers = []

    lib = target_lib()

    @settings(max_examples=examples(2))  # test_twins checks names, repr and attributes on all of its examples
    @given(spec.sample, st.integers(0, 2**16))
    def structure(sample, seed):
        build = spec.builder(sample)
        with _quiet(spec):
            torch.manual_seed(seed)
            t, i = build(TORCH), build(lib)
        assert not compare_state_dict_signatures(t, i), compare_state_dict_signatures(t, i)
        _structure(spec)(t, i)
        # the classes the spec claims to cover are built (the coverage meta-test counts claims)
        built = {type(m).__name__ for m in i.modules()}
        assert set(spec.covers) <= built, f"{spec.name}: builds {sorted(built)}, claims {spec.covers}"
        assert all(isinstance(p, lib.nn.Parameter) and p.is_leaf and p.requires_grad for p in i.parameters())
        seen_buffers.append(bool(list(t.buffers())))
        assert spec.has_buffers or not seen_buffers[-1], f"{spec.name}: buffers {_names(t, 'named_buffers')}"
        # torch -> target (strict, by key), then the target's values moved back into a fresh torch twin (strict)
        with torch.no_grad():
            for p in t.parameters():
                p.add_(torch.from_numpy(np.random.default_rng(seed).normal(size=tuple(p.shape))).to(p.dtype))
        copy_state_dict(t, i)
        with _quiet(spec):
            t2 = build(TORCH)
        result = t2.load_state_dict({k: torch.from_numpy(to_numpy(v).copy()) for k, v in i.state_dict().items()})
        assert not result.missing_keys and not result.unexpected_keys
        for (key, a), (_, b) in zip(t.state_dict().items(), t2.state_dict().items()):
            assert torch.equal(a, b), f"{spec.name}: {key} did not survive torch -> {lib.name} -> torch"
        # train/eval reach every submodule, as torch's
        assert i.training and all(m.training for m in i.modules())
        assert i.eval() is i and not any(m.training for m in i.modules())
        assert i.train() is i and all(m.training for m in i.modules())

    structure()
    assert not spec.has_buffers or any(seen_buffers), f"{spec.name} declares buffers but no example had any"


_PLAIN = (bool, int, float, str, type(None))


def _plain(v):
    return isinstance(v, _PLAIN) or (isinstance(v, tuple) and all(isinstance(x, _PLAIN) for x in v))


def _same_plain_attributes(t, i, spec):
    """Every public attribute torch keeps as a plain value (sizes, flags, modes, eps) on every submodule: the target
    has it, with the same value (a tuple stays a tuple, an int an int), unless a documented divergence of impl names
    it (and the target is impl)."""
    name, lib = spec.name, target_lib().name
    divergences = spec.divergences if targets.current().known_divergences else ()
    diverging = {d.what.split()[-1] for d in divergences if d.what.startswith("attribute ")}
    for (path, tm), (_, im) in zip(t.named_modules(), i.named_modules()):
        for attr, tv in vars(tm).items():
            if attr.startswith("_") or attr == "training" or attr in diverging or not _plain(tv):
                continue
            assert hasattr(im, attr), f"{name}: {path or 'module'}.{attr} missing in {lib} (torch: {tv!r})"
            iv = getattr(im, attr)
            assert type(iv) is type(tv) and iv == tv, f"{name}: {path or 'module'}.{attr} {lib} {iv!r} vs torch {tv!r}"


def _same_versions(t, i, spec):
    """Every parameter's and buffer's version counter equals torch's on the fresh twins: construction and
    reset_parameters write into them in place exactly as often as torch's (padding rows zeroed, inits, fills)."""
    version = targets.current().version
    for attr in ("named_parameters", "named_buffers"):
        for (name, tp), (_, ip) in zip(getattr(t, attr)(), getattr(i, attr)()):
            assert version(ip) == tp._version, \
                f"{spec.name}: {name}._version {target_lib().name} {version(ip)} vs torch {tp._version}"


def _exported_module_classes():
    import impl.nn as inn

    names = getattr(inn, "__all__", None) or dir(inn)
    return {n: getattr(inn, n) for n in names
            if inspect.isclass(getattr(inn, n, None)) and issubclass(getattr(inn, n), inn.Module)}


@pytest.mark.impl_only(reason="about impl itself: every nn.Module class impl.nn exports has a ModuleSpec")
def test_every_module_has_a_spec():
    covered = {c for s in SPECS for c in s.covers}
    classes = _exported_module_classes()
    missing = sorted(n for n in classes if n not in covered and n not in COVERAGE_EXCLUSIONS)
    assert not missing, f"impl.nn modules without a ModuleSpec (or a reason in COVERAGE_EXCLUSIONS): {missing}"
    stale = sorted(set(COVERAGE_EXCLUSIONS) & covered)
    assert not stale, f"excluded but covered by a spec: {stale}"
    unknown = sorted(c for c in covered | set(COVERAGE_EXCLUSIONS) if c not in classes)
    assert not unknown, f"specs/exclusions name classes impl.nn does not export: {unknown}"
    assert all(r.strip() for r in COVERAGE_EXCLUSIONS.values())
    assert len(classes) > 100 and len(SPECS) > 100


# ---- the template can fail ------------------------------------------------------------------------------------
def _spec(name):
    return next(s for s in SPECS if s.name == name)


@pytest.mark.impl_only(reason="meta-test planting bugs in impl's Linear (for torch they would be planted in the "
                              "oracle too)")
def test_template_catches_planted_bugs(monkeypatch):
    """A wrong forward, a wrong repr and a wrong attribute each fail test_twins' checks on a Linear."""
    import impl.nn as inn

    spec = _spec("Linear")
    sample = ModuleSample(dict(in_features=3, out_features=2, bias=True), (np.arange(6.0).reshape(2, 3),))
    assert _run(spec, sample, "float64", "eval", 0, inspect=_structure(spec)) > 0  # the healthy module passes
    forward = inn.Linear.forward
    with monkeypatch.context() as m:  # the bias counted twice
        m.setattr(inn.Linear, "forward", lambda self, x: forward(self, x) + self.bias)
        with pytest.raises(AssertionError, match="forward output 0"):
            _run(spec, sample, "float64", "eval", 0)
    with monkeypatch.context() as m:
        m.setattr(inn.Linear, "extra_repr", lambda self: f"in_features={self.in_features}")
        with pytest.raises(AssertionError, match="Linear repr"):
            _run(spec, sample, "float64", "eval", 0, inspect=_structure(spec))
    init = inn.Linear.__init__

    def float_features(self, in_features, out_features, *args, **kwargs):
        init(self, in_features, out_features, *args, **kwargs)
        self.__dict__["in_features"] = float(in_features)  # repr unchanged ("3.0" aside): only the type differs

    with monkeypatch.context() as m:
        m.setattr(inn.Linear, "__init__", float_features)
        m.setattr(inn.Linear, "extra_repr", lambda self: f"in_features={int(self.in_features)}, out_features="
                                                         f"{self.out_features}, bias={self.bias is not None}")
        with pytest.raises(AssertionError, match="in_features impl 3.0 vs torch 3"):
            _run(spec, sample, "float64", "eval", 0, inspect=_structure(spec))
