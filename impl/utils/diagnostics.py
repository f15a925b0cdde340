"""Gradient-flow diagnostics: which parameters got a gradient, how large, and how much a step moved them.

The historical failure this exists for: conv, attention and embedding layers whose forward re-wrapped raw
arrays, so their parameters silently never received a gradient while the loss still moved a little.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


def _named(model_or_params):
    if hasattr(model_or_params, "named_parameters"):
        return list(model_or_params.named_parameters())
    items = list(model_or_params)
    if items and isinstance(items[0], tuple):
        return items
    return [(str(i), p) for i, p in enumerate(items)]


@dataclass
class GradientFlowReport:
    """Per-parameter gradient norms after backward, and (optionally) update-to-weight ratios after a step."""

    grad_norms: dict = field(default_factory=dict)  # name -> L2 norm of .grad, or None if .grad is None
    missing: list = field(default_factory=list)  # parameters whose .grad is None
    zero: list = field(default_factory=list)  # parameters whose .grad is all zero
    nonfinite: list = field(default_factory=list)  # parameters whose .grad has nan/inf
    update_ratios: dict = field(default_factory=dict)  # name -> ||w_after - w_before|| / ||w_before||

    @property
    def dead(self):
        """Parameters that would not learn from this backward: no gradient, or an all-zero one."""
        return self.missing + self.zero

    @property
    def ok(self):
        return not self.dead and not self.nonfinite

    def unchanged(self, tol=0.0):
        """Parameters a step did not move (ratio <= tol)."""
        return [n for n, r in self.update_ratios.items() if r <= tol]

    def assert_flows(self):
        if not self.ok:
            raise AssertionError("gradient flow is broken:\n" + self.format())

    def format(self):
        lines = [f"{'parameter':<40} {'grad norm':>12} {'update/weight':>14}"]
        for name, norm in self.grad_norms.items():
            g = "None" if norm is None else f"{norm:.4e}"
            r = self.update_ratios.get(name)
            flag = ""
            if name in self.missing:
                flag = "  <- no gradient"
            elif name in self.zero:
                flag = "  <- zero gradient"
            elif name in self.nonfinite:
                flag = "  <- non-finite gradient"
            lines.append(f"{name:<40} {g:>12} {'' if r is None else f'{r:.3e}':>14}{flag}")
        return "\n".join(lines)

    __str__ = format


def gradient_flow(model_or_params):
    """Inspect ``.grad`` of every parameter (call after ``backward()``)."""
    report = GradientFlowReport()
    for name, p in _named(model_or_params):
        if p.grad is None:
            report.grad_norms[name] = None
            report.missing.append(name)
            continue
        g = p.grad._data
        norm = float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))
        report.grad_norms[name] = norm
        if not np.all(np.isfinite(g)):
            report.nonfinite.append(name)
        elif not np.any(g):
            report.zero.append(name)
    return report


class track_updates:
    """Context manager: snapshot the weights on entry; on exit fill ``report.update_ratios``.

    >>> rep = gradient_flow(model)
    >>> with track_updates(model, rep):
    ...     opt.step()
    """

    def __init__(self, model_or_params, report=None):
        self.params = _named(model_or_params)
        self.report = report if report is not None else GradientFlowReport()

    def __enter__(self):
        self._before = {n: p._data.copy() for n, p in self.params}
        return self.report

    def __exit__(self, *exc):
        for name, p in self.params:
            before = self._before[name]
            denom = float(np.linalg.norm(before.astype(np.float64)))
            delta = float(np.linalg.norm((p._data - before).astype(np.float64)))
            self.report.update_ratios[name] = delta / denom if denom > 0 else (math.inf if delta else 0.0)
        return False
