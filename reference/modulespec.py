"""ModuleSpec: everything the generic module tests need to know about one ``nn`` module, as data.

Adding a module = the module in ``impl.nn`` and one ModuleSpec in ``reference/module_specs/``; the generic
template (property_tests/test_module_template.py) then compares the library under test's module (impl's by
default, reference.targets) with its torch twin: forward, every parameter
gradient and input gradient, buffers, state_dict round trip, ``double()``/``float()`` conversion, train/eval.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reference.module_twins import flatten
from reference.opspec import DEFAULT_TOL, FLOAT_DTYPES


@dataclass(frozen=True)
class ModuleSample:
    """One drawn case: constructor kwargs, forward inputs and forward kwargs.

    kwargs: the constructor's keyword arguments; numpy arrays among them become tensors of the library being
    built (a loss's ``weight``). inputs: numpy arrays passed positionally to forward (float arrays are cast to the
    tested dtype, integer/bool arrays kept). forward: extra non-tensor forward kwargs. grad: indices of inputs
    that require grad (None: every float input). mode: "train"/"eval" when the case only makes sense in one of
    them (None: any of the spec's modes). seed: pins run_twins' seed in a spec's explicit ``examples``."""

    kwargs: dict = field(default_factory=dict)
    inputs: tuple = ()
    forward: dict = field(default_factory=dict)
    grad: tuple | None = None
    mode: str | None = None
    seed: int | None = None  # run_twins' seed (weights' perturbation, cotangents) for an explicit example


@dataclass(frozen=True, repr=False)
class ModuleSpec:
    name: str  # unique: the pytest id
    # Hypothesis strategy drawing a ModuleSample.
    sample: Any
    # The torch.nn / impl.nn class name, also what the coverage meta-test counts as covered.
    cls: str = ""
    # build(lib, **kwargs) -> module (default: lib.nn.<cls>(**kwargs)); lib is reference.module_twins.Lib.
    build: Callable | None = None
    # call(module, tensors, lib, **forward) -> output (default: module(*tensors, **forward)).
    call: Callable | None = None
    # Further class names this spec exercises (a container spec covers Sequential and its members' classes).
    also_covers: tuple = ()
    modes: tuple = ("train", "eval")  # the modes the twins run in (drawn per example)
    dtypes: tuple = FLOAT_DTYPES
    has_buffers: bool = False  # whether the state_dict holds buffers (running stats, a loss's weight)
    tol: dict = field(default_factory=dict)  # dtype -> dict(rtol=, atol=, reason=); default DEFAULT_TOL
    divergences: tuple = ()  # reference.opspec.Divergence records: impl's (they apply when the target is impl)
    # Nested outputs -> flat list of tensors (None entries allowed); default: tuples/lists flattened, a
    # PackedSequence counts as its data.
    output_fn: Callable = flatten
    perturb: bool = True  # move parameters/float buffers off their init values before copying them
    steps: int = 1  # forward+backward passes per example (running statistics must keep tracking torch's)
    examples: tuple = ()  # ModuleSamples always run first (cases found once and kept), in every dtype
    max_examples: int = 6  # under the ci profile (scaled by reference.module_twins.examples)
    ignore_warnings: tuple = ()  # message regexes both libraries warn with on purpose
    notes: str = ""

    def __post_init__(self):
        if not self.cls:
            object.__setattr__(self, "cls", self.name.split("-")[0])
        for dtype, entry in self.tol.items():
            if dtype not in DEFAULT_TOL:
                raise ValueError(f"ModuleSpec {self.name}: tolerance for unknown dtype {dtype!r}")
            if not str(entry.get("reason", "")).strip():
                raise ValueError(f"ModuleSpec {self.name}: tol[{dtype!r}] loosens the tolerance without a reason")
        bad = set(self.modes) - {"train", "eval"}
        if bad or not self.modes:
            raise ValueError(f"ModuleSpec {self.name}: modes must be 'train'/'eval', got {self.modes}")

    def __repr__(self):  # short: hypothesis prints it in every falsifying example
        return f"ModuleSpec({self.name!r})"

    def _repr_pretty_(self, printer, cycle):
        printer.text(repr(self))

    @property
    def covers(self) -> tuple:
        return (self.cls, *self.also_covers)

    def tolerance(self, dtype: str) -> dict:
        base = dict(DEFAULT_TOL[dtype])
        base.update({k: v for k, v in self.tol.get(dtype, {}).items() if k in ("rtol", "atol")})
        return base

    def builder(self, sample: ModuleSample) -> Callable:
        """build(lib) -> module for run_twins: the sample's kwargs, arrays made tensors of ``lib``."""

        def build(lib):
            kw = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in sample.kwargs.items()}
            if self.build is not None:
                return self.build(lib, **kw)
            return getattr(lib.nn, self.cls)(**kw)

        return build

    def caller(self, sample: ModuleSample) -> Callable:
        """call(module, tensors, lib) -> flat outputs for run_twins."""

        def call(m, xs, lib):
            out = self.call(m, xs, lib, **sample.forward) if self.call is not None else m(*xs, **sample.forward)
            return self.output_fn(out)

        return call
