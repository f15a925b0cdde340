"""OpSpec: everything the generic tests need to know about one op, in one declarative record.

Adding an op = its forward+backward in ``impl`` and one OpSpec in ``reference/specs/``; every generic
check in ``property_tests/`` then runs over it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

# Baseline tolerances: torch.testing.assert_close's defaults per dtype.
DEFAULT_TOL = {"float32": dict(rtol=1.3e-6, atol=1e-5), "float64": dict(rtol=1e-7, atol=1e-7)}


@dataclass(frozen=True)
class ErrorInput:
    """An input on which both libraries must raise ``exc`` (impl's message must match ``match``)."""

    make: Callable[[Any], tuple]  # lib (impl or torch module) -> (args, kwargs)
    exc: type
    match: str
    note: str = ""


@dataclass(frozen=True)
class Divergence:
    """A known, documented way impl differs from torch, with its reason."""

    what: str
    reason: str


@dataclass(frozen=True)
class OpSpec:
    name: str
    # Called as fn(lib, *tensors, **kwargs) so that one lambda runs unchanged on impl and torch.
    fn: Callable[..., Any]
    # Hypothesis strategy producing a Sample (see reference/strategies.py): numpy arrays + kwargs.
    sample: Any
    differentiable: tuple = (0,)  # positions of tensor args that get gradients
    dtypes: tuple = ("float32", "float64")
    fwd_tol: dict = field(default_factory=dict)  # dtype name -> dict(rtol=, atol=, reason=)
    bwd_tol: dict = field(default_factory=dict)
    error_inputs: tuple = ()
    divergences: tuple = ()
    gradcheck: bool = True  # float64 finite differences on impl alone
    notes: str = ""

    def tol(self, kind: str, dtype: str) -> dict:
        """Tolerance for a forward ('fwd') or backward ('bwd') comparison; default is assert_close's."""
        spec = (self.fwd_tol if kind == "fwd" else self.bwd_tol).get(dtype)
        base = dict(DEFAULT_TOL[dtype])
        if spec:
            base.update({k: v for k, v in spec.items() if k in ("rtol", "atol")})
        return base
