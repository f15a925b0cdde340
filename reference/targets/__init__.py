"""The library the suite judges: ``impl`` by default, or any torch-like library through a ``Target`` adapter.

Selection, first match wins: ``select(name)`` (what the root conftest's ``--target NAME`` calls), else the
environment variable ``GRADPARITY_TARGET``:

* ``impl`` (default)  this project's library (reference/targets/impl.py);
* ``torch``           torch itself, judged against torch (reference/targets/torch.py);
* ``tinygrad``        tinygrad through torch's names (reference/targets/tinygrad.py; the ``tinygrad`` extra);
* ``pkg.module:obj``  any other library: ``obj`` is a ``Target`` subclass or instance (reference/targets/base.py).

``current()`` returns the selected target (built once; the checks call it on every example, so it is one global
read). Torch stays the oracle whatever the target (``oracle()``).
"""
from __future__ import annotations

import importlib
import os

from reference.targets.base import Finding, Target

ENV = "GRADPARITY_TARGET"
BUILTIN = {"impl": "reference.targets.impl:TARGET", "torch": "reference.targets.torch:TARGET",
           "tinygrad": "reference.targets.tinygrad:TARGET"}

_current: Target | None = None
_built: dict = {}


def load(spec: str) -> Target:
    """The target named by ``spec`` ("impl", "torch" or "dotted.module:object"), built once per process."""
    path = BUILTIN.get(spec, spec)
    if path not in _built:
        module, sep, attr = path.partition(":")
        if not sep:
            raise ValueError(f"{ENV}={spec!r}: expected {', '.join(BUILTIN)} or 'dotted.module:object'")
        obj = getattr(importlib.import_module(module), attr)
        target = obj() if isinstance(obj, type) else obj
        if not isinstance(target, Target):
            raise TypeError(f"{ENV}={spec!r}: {obj!r} is not a reference.targets.Target")
        if not target.name:
            raise ValueError(f"{ENV}={spec!r}: the target has no name")
        _built[path] = target
    return _built[path]


def current() -> Target:
    global _current
    if _current is None:
        _current = load(os.environ.get(ENV, "") or "impl")
    return _current


def select(spec: str) -> Target:
    """Make ``spec`` the current target (also in the environment, so that subprocesses and xdist workers agree)."""
    global _current
    os.environ[ENV] = spec
    _current = load(spec or "impl")
    return _current


def for_lib(lib) -> Target:
    """The target whose ``lib`` is ``lib`` (the current one, torch or impl): checks that take a library module."""
    t = current()
    if lib is t.lib:
        return t
    for name in ("impl", "torch"):  # the current target was checked above; these two are always installed
        cand = load(name)
        if lib is cand.lib:
            return cand
    raise ValueError(f"no target for library {lib!r}")


def known_failure_marks(test: str, spec_name: str) -> list:
    """pytest marks for a generic test of one spec: a strict xfail when the current target lists it in
    ``known_failures`` (its reason in the mark), else none."""
    reason = current().known_failures.get((test, spec_name))
    if not reason:
        return []
    import pytest

    return [pytest.mark.xfail(strict=True, reason=f"{current().name} open finding: {reason}")]


def oracle() -> Target:
    """torch: the reference every target is compared with."""
    return load("torch")


__all__ = ["ENV", "Finding", "Target", "current", "for_lib", "known_failure_marks", "load", "oracle", "select"]
