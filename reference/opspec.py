"""OpSpec: everything the generic tests need to know about one op, in one declarative record.

Adding an op = its forward+backward in ``impl`` and one OpSpec in ``reference/specs/``; every generic
check in ``property_tests/`` then runs over it (see reference/specs/__init__.py).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Baseline tolerances: torch.testing.assert_close's defaults per dtype.
DEFAULT_TOL = {"float32": dict(rtol=1.3e-6, atol=1e-5), "float64": dict(rtol=1e-7, atol=1e-7)}
FLOAT_DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class ErrorInput:
    """An input on which both libraries must raise ``exc`` (impl's message must match ``match``).

    ``make(lib) -> (args, kwargs)``; the test calls ``spec.fn(lib, *args, **kwargs)``. ``make`` itself may be
    the part that raises (e.g. ``lib.tensor([1, 2], requires_grad=True)``)."""

    make: Callable[[Any], tuple]  # lib (impl or torch module) -> (args, kwargs)
    exc: type
    match: str
    note: str = ""


@dataclass(frozen=True)
class Divergence:
    """A known, documented way impl differs from torch, with its reason."""

    what: str
    reason: str


@dataclass(frozen=True, repr=False)
class OpSpec:
    name: str
    # Called as fn(lib, *tensors, **kwargs) so that one lambda runs unchanged on impl and torch.
    fn: Callable[..., Any]
    # Hypothesis strategy producing a Sample (see reference/strategies.py): numpy arrays + kwargs.
    sample: Any
    differentiable: tuple = (0,)  # positions of tensor args that get gradients
    # Float dtypes the float arrays are cast to; ("int64",) / ("bool",) for ops on integer/bool inputs only.
    dtypes: tuple = ("float32", "float64")
    fwd_tol: dict = field(default_factory=dict)  # dtype name -> dict(rtol=, atol=, reason=)
    bwd_tol: dict = field(default_factory=dict)
    error_inputs: tuple = ()
    divergences: tuple = ()
    gradcheck: bool = True  # float64 finite differences on impl alone
    # Why the generic second-order (gradgrad) / forward-mode (jvp) tests cannot run for this spec; empty = they run.
    no_gradgrad: str = ""
    no_forward_ad: str = ""
    # Why the float16/bfloat16 forward test (property_tests/test_low_precision.py) cannot run this spec; empty = it runs.
    no_low_precision: str = ""
    notes: str = ""
    family: str = ""  # grouping for the parity summary (set by the registry from the spec module if empty)

    def __post_init__(self):
        for kind, table in (("fwd_tol", self.fwd_tol), ("bwd_tol", self.bwd_tol)):
            for dtype, entry in table.items():
                if dtype not in DEFAULT_TOL:
                    raise ValueError(f"OpSpec {self.name}: {kind} for unknown dtype {dtype!r}")
                if not str(entry.get("reason", "")).strip():
                    raise ValueError(f"OpSpec {self.name}: {kind}[{dtype!r}] loosens the tolerance without a reason")

    def __repr__(self):  # short: hypothesis prints it in every falsifying example
        return f"OpSpec({self.name!r})"

    def _repr_pretty_(self, printer, cycle):  # hypothesis' pretty-printer
        printer.text(repr(self))

    @property
    def float_dtypes(self) -> tuple:
        return tuple(d for d in self.dtypes if d in FLOAT_DTYPES)

    def tol(self, kind: str, dtype: str) -> dict:
        """Tolerance for a forward ('fwd') or backward ('bwd') comparison; default is assert_close's."""
        if dtype not in DEFAULT_TOL:  # integer/bool outputs compare exactly anyway
            dtype = "float64"
        spec = (self.fwd_tol if kind == "fwd" else self.bwd_tol).get(dtype)
        base = dict(DEFAULT_TOL[dtype])
        if spec:
            base.update({k: v for k, v in spec.items() if k in ("rtol", "atol")})
        return base

    def loosened(self) -> list:
        """[(kind, dtype, rtol, atol, reason)] for every tolerance above the baseline."""
        out = []
        for kind, table in (("fwd", self.fwd_tol), ("bwd", self.bwd_tol)):
            for dtype, entry in table.items():
                t = self.tol(kind, dtype)
                out.append((kind, dtype, t["rtol"], t["atol"], entry["reason"]))
        return out
