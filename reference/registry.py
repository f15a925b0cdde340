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
)
_FAMILY = {"nn_functional": "nn.functional"}


@functools.lru_cache(maxsize=None)
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
