"""Twins in the library under test (``reference.targets.current()``) of what a test builds in torch: the library's
submodules, the namespaces a build function needs, and modules holding torch's weights.

For the optimizer, scheduler, data, recurrent-layer, checkpoint and model tests, which run the target and torch side
by side. Everything goes through the Target hooks, so the same test judges impl (the default) or any torch-like
library, torch included.
"""
from __future__ import annotations

import importlib
from types import SimpleNamespace

from reference import targets


def submodule(lib, name: str):
    """``lib.<name>`` (e.g. "utils.data", "nn.utils.rnn"), imported where the library imports it lazily."""
    return importlib.import_module(f"{lib.__name__}.{name}")


def namespace(lib):
    """What a build or call function needs from one library (torch's names): ``nn``, ``F``, ``rnn``, ``top``, ``name``
    (the shape of ``reference.module_twins.Lib``)."""
    return SimpleNamespace(name=lib.__name__, nn=lib.nn, F=lib.nn.functional, rnn=submodule(lib, "nn.utils.rnn"),
                           top=lib)


def _signature(module, dtype_name):
    return [(k, tuple(v.shape), dtype_name(v)) for k, v in module.state_dict().items()]


def copy_weights(torch_module, module):
    """Load ``torch_module``'s parameters and persistent buffers into ``module`` (of the target library) by key, after
    checking that both state_dicts have the same keys in the same order, shapes and dtypes. Returns ``module``."""
    target = targets.current()
    want = _signature(torch_module, lambda t: str(t.dtype).rsplit(".", 1)[-1])
    got = _signature(module, target.dtype_name)
    if got != want:
        diff = [f"torch {w} vs {target.name} {g}" for w, g in zip(want, got) if w != g]
        raise AssertionError(f"{type(torch_module).__name__} / {type(module).__name__} are not twins: "
                             f"{len(want)} vs {len(got)} entries; {diff[:5]}")
    module.load_state_dict({k: target.tensor_from_numpy(v.detach().cpu().numpy())
                            for k, v in torch_module.state_dict().items()}, strict=True)
    return module
