"""ModuleSpecs, one module per family; ``all_module_specs()`` collects them (in MODULE_SPEC_FAMILIES order).

linear.py (Linear, Bilinear, Identity, Flatten, Embedding, EmbeddingBag, distances), conv.py (convolutions,
fold/unfold, pixel shuffle, upsampling, padding layers), pooling.py, normalization.py, activation.py, dropout.py,
loss.py, transformer.py (attention, encoder, decoder), rnn.py (recurrent layers and cells), container.py.

How to add a spec: see CONTRIBUTING.md "Adding a module". In short, append a ``ModuleSpec`` to ``SPECS`` of the
family module: its ``sample`` strategy draws a ``ModuleSample`` (constructor kwargs, forward inputs as numpy
arrays, forward kwargs); the template property_tests/test_module_template.py does the rest.
"""
from __future__ import annotations

import functools
import importlib

MODULE_SPEC_FAMILIES = ("linear", "conv", "pooling", "normalization", "activation", "dropout", "loss", "transformer",
                        "rnn", "container")

# impl.nn Module classes without a spec of their own, and why.
COVERAGE_EXCLUSIONS = {
    "Module": "the abstract base: its forward raises NotImplementedError; its mechanics are "
              "property_tests/test_module_api.py's subject, and every spec's module is one",
    "RNNBase": "the base class of RNN/LSTM/GRU (torch's too); covered through their specs",
    "RNNCellBase": "the base class of RNNCell/LSTMCell/GRUCell (torch's too); covered through their specs",
}


@functools.cache
def all_module_specs() -> tuple:
    specs, seen = [], {}
    for family in MODULE_SPEC_FAMILIES:
        modname = f"reference.module_specs.{family}"
        for spec in importlib.import_module(modname).SPECS:
            if spec.name in seen:
                raise ValueError(f"duplicate ModuleSpec name {spec.name!r} (in {seen[spec.name]} and {modname})")
            seen[spec.name] = modname
            specs.append(spec)
    return tuple(specs)
