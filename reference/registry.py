"""The registry: every OpSpec, from every module of reference/specs/, by name.

``all_specs()`` is what the generic tests parametrize over and what ``python -m reference.parity`` runs.
Spec names are unique; each spec's ``family`` defaults to its module (core_elementwise -> "elementwise",
nn_functional -> "nn.functional", losses -> "losses").
"""
from __future__ import annotations

import dataclasses
import functools
import importlib

# Order = the order of the parity table.
SPEC_MODULES = (
    "reference.specs.core_elementwise",
    "reference.specs.core_reduce",
    "reference.specs.core_shape",
    "reference.specs.core_linalg",
    "reference.specs.core_creation",
    "reference.specs.nn_functional",
    "reference.specs.losses",
    "reference.specs.core_sorting",
    "reference.specs.nn_conv_extra",
    "reference.specs.nn_blocks_extra",
    "reference.specs.losses_extra",
    "reference.specs.core_scatter",
    "reference.specs.core_combine",
    "reference.specs.core_math",
    "reference.specs.nn_activation_extra",
    "reference.specs.extra",
)
_FAMILY = {"nn_functional": "nn.functional", "nn_activation_extra": "nn.functional", "core_math": "elementwise"}


@functools.cache
def all_specs() -> tuple:
    specs, seen = [], {}
    for modname in SPEC_MODULES:
        mod = importlib.import_module(modname)
        short = modname.rsplit(".", 1)[-1]
        family = _FAMILY.get(short, short.removeprefix("core_"))
        for spec in mod.SPECS:
            if spec.name in seen:
                raise ValueError(f"duplicate OpSpec name {spec.name!r} (in {seen[spec.name]} and {modname})")
            seen[spec.name] = modname
            specs.append(spec if spec.family else dataclasses.replace(spec, family=family))
    return tuple(specs)


def get_spec(name):
    for s in all_specs():
        if s.name == name:
            return s
    raise KeyError(f"no OpSpec named {name!r}")


def all_divergences() -> list:
    """[(spec name or module, Divergence)]: per-spec divergences and each module's DIVERGENCES."""
    out = [(s.name, d) for s in all_specs() for d in s.divergences]
    for modname in SPEC_MODULES:
        mod = importlib.import_module(modname)
        out += [(modname.rsplit(".", 1)[-1], d) for d in getattr(mod, "DIVERGENCES", ())]
    return out


# ---- coverage: which public impl functions / Tensor methods the specs call --------------------------
def public_api():
    """{qualified name: the object behind it} for impl's public functions and Tensor's methods/properties.

    Names are "impl.<name>" and "Tensor.<name>"; properties map to their getter. Aliases (impl.subtract is
    impl.sub) share the object, so covering one covers all of them."""
    import types

    import impl

    out = {}
    for name in dir(impl):
        obj = getattr(impl, name)
        if name.startswith("_") or isinstance(obj, (type, types.ModuleType, impl.dtype)) or not callable(obj):
            continue
        out[f"impl.{name}"] = obj
    for name, obj in vars(impl.Tensor).items():
        if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
            continue
        if isinstance(obj, property):
            out[f"Tensor.{name}"] = obj.fget
        elif callable(obj) and name not in ("__class__", "__new__", "__init_subclass__", "__subclasshook__"):
            out[f"Tensor.{name}"] = obj
    return out


def traced_coverage(specs, n_examples=3):
    """The public names (see ``public_api``) that some spec's ``fn`` calls *directly* on impl.

    Every public impl function and Tensor attribute is wrapped for the duration; a call counts only when it
    comes straight from a spec's lambda (so ``rsqrt`` does not cover the ``reciprocal`` it is built from).
    Each spec runs on ``n_examples`` deterministic samples."""
    import sys
    import types

    import impl
    from reference.conversion import cast_arrays, make_inputs
    from reference.strategies import draw_examples

    api = public_api()
    called = set()
    spec_codes = set()

    def codes_of(code):
        spec_codes.add(code)
        for c in code.co_consts:
            if isinstance(c, types.CodeType):
                codes_of(c)

    for s in specs:
        codes_of(s.fn.__code__)

    def wrap(original):
        def wrapper(*args, **kwargs):
            if sys._getframe(1).f_code in spec_codes:
                called.add(id(original))
            return original(*args, **kwargs)

        return wrapper

    patched = []
    try:
        for qual, obj in api.items():
            owner_name, name = qual.split(".", 1)
            owner = impl if owner_name == "impl" else impl.Tensor
            current = owner.__dict__[name] if owner is impl.Tensor else getattr(owner, name)
            patched.append((owner, name, current))
            if isinstance(current, property):
                setattr(owner, name, property(wrap(current.fget), current.fset))
            else:
                setattr(owner, name, wrap(obj))
        for s in specs:
            for sample in draw_examples(s.sample, n_examples):
                dtype = s.dtypes[0]
                arrays = cast_arrays(sample.arrays, dtype)
                try:
                    s.fn(impl, *make_inputs(impl, arrays, s.differentiable), **sample.kwargs)
                except Exception:  # noqa: BLE001 - failures are the other tests' business
                    pass
    finally:
        for owner, name, current in reversed(patched):
            setattr(owner, name, current)
    return {qual for qual, obj in api.items() if id(obj) in called}


_ENGINE = "autograd API, tested in property_tests/test_engine.py::{}"
_API = "autograd API, tested against torch in property_tests/test_autograd_api.py::{}"
_RANDOM = ("random: values come from impl's own generator, not torch's; shapes, dtypes and ranges are compared in "
           "property_tests/test_ops.py::test_random_creation_shape_and_dtype")
_RNG = "generator state, tested in property_tests/test_ops.py::test_rng_state_roundtrip_and_manual_seed"
_DTYPE_API = "dtype API, tested against torch in property_tests/test_dtype_promotion.py::{}"
_NN = ("torch has no top-level torch.{0}: spec F.{0} runs it through impl.nn.functional.{0} (the same function or "
       "a thin wrapper of it)")

# Public names no spec calls directly, each with its reason. A reason that names a test ("path.py::test") or a
# spec ("spec F.x") is checked by property_tests/test_meta.py: the test must exist, the spec must be registered.
COVERAGE_EXCLUSIONS = {
    "Tensor.__hash__": "identity hash (tensors are dict/set keys by identity, as torch): nothing to compare",
    "Tensor.__repr__": "printing: impl's format is its own (impl.float64, grad_fn=<...>), not a parity target",
    "Tensor.backward": _ENGINE.format("test_retain_graph_allows_second_backward"),
    "Tensor.data": _ENGINE.format("test_detach_requires_grad_and_leaves"),
    "Tensor.detach_": _ENGINE.format("test_detach_requires_grad_and_leaves"),
    "Tensor.requires_grad_": _ENGINE.format("test_detach_requires_grad_and_leaves"),
    "Tensor.retain_grad": _ENGINE.format("test_retain_grad"),
    "Tensor.retains_grad": _ENGINE.format("test_retain_grad"),
    "impl.is_grad_enabled": _ENGINE.format("test_no_grad_enable_grad_set_grad_enabled"),
    "Tensor.normal_": _RANDOM,
    "Tensor.uniform_": _RANDOM,
    "impl.bernoulli": _RANDOM,
    "impl.multinomial": _RANDOM,
    "Tensor.bernoulli": _RANDOM,
    "Tensor.multinomial": _RANDOM,
    "impl.rand": _RANDOM,
    "impl.rand_like": _RANDOM,
    "impl.randint": _RANDOM,
    "impl.randn": _RANDOM,
    "impl.randn_like": _RANDOM,
    "impl.randperm": _RANDOM,
    "impl.manual_seed": _RNG,
    "impl.seed": _RNG,
    "impl.get_rng_state": _RNG,
    "impl.set_rng_state": _RNG,
    "impl.elu": _NN.format("elu"),
    "impl.gelu": _NN.format("gelu"),
    "impl.leaky_relu": _NN.format("leaky_relu"),
    "impl.logsigmoid": _NN.format("logsigmoid"),
    "impl.silu": _NN.format("silu"),
    "impl.softplus": _NN.format("softplus"),
    "Tensor.register_hook": _API.format("test_hooks_on_leaf_and_non_leaf_see_and_replace_gradients_in_order"),
    "Tensor.register_post_accumulate_grad_hook": _API.format("test_post_accumulate_grad_hook_sees_the_accumulated_grad"),
    "Tensor.is_inference": _API.format("test_inference_mode_tensors_cannot_be_saved_for_backward"),
    "Tensor.__deepcopy__": "copying, not an op: regression/test_054_deepcopy_non_leaf.py::test_guard",
    "impl.is_inference_mode_enabled": _API.format("test_inference_mode_tensors_cannot_be_saved_for_backward"),
    "impl.save": "serialization, not an op: property_tests/test_serialization.py::test_requires_grad_and_parameters_kept_as_torch",
    "impl.load": "serialization, not an op: property_tests/test_serialization.py::test_tampered_or_foreign_files_are_refused_without_running_code",
    "impl.promote_types": _DTYPE_API.format("test_promote_types_result_type_can_cast_tables"),
    "impl.result_type": _DTYPE_API.format("test_promote_types_result_type_can_cast_tables"),
    "impl.can_cast": _DTYPE_API.format("test_promote_types_result_type_can_cast_tables"),
    "impl.get_default_dtype": _DTYPE_API.format("test_default_dtype_governs_python_floats_and_integer_division"),
    "impl.set_default_dtype": _DTYPE_API.format("test_default_dtype_governs_python_floats_and_integer_division"),
    "Tensor.bfloat16": ("numpy has no bfloat16 for the generic comparison: "
                        "property_tests/test_dtype_promotion.py::test_casts_between_every_pair_of_dtypes"),
    "impl.normal": "random: tested as distributions, with its zero gradient and std check against torch, in "
                   "property_tests/test_random_extra.py",
    "impl.randint_like": "random: tested as a distribution with torch's dtype rule in property_tests/test_random_extra.py",
}
COVERAGE_EXCLUSIONS.update({
    name: ("autograd API, tested against torch in property_tests/test_anomaly_queries.py::"
           "test_anomaly_queries_follow_detect_anomaly_and_set_detect_anomaly_as_torch")
    for name in ("impl.is_anomaly_enabled", "impl.is_anomaly_check_nan_enabled")
})
