"""``Target``: the few hooks the suite needs from a torch-like library under test.

The generic checks (reference/compare.py, gradcheck.py, higher_order.py, saved_tensors.py) run a spec's ``fn`` on
``target.lib`` -- a module with torch's names: tensor and creation functions, the ops, ``autograd`` (``backward``,
``grad``, ``forward_ad``), ``no_grad``/``enable_grad``, ``nn``, ``nn.functional``, ``optim`` -- and torch stays the
oracle. Everything else the checks need to know about the library's tensors goes through the methods below, so
that no check reads a library's private attributes.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np


@dataclass(frozen=True)
class Finding:
    """What the checks found that looks like a bug in a target library, as a minimal standalone reproducer.

    ``code`` imports the library itself (not the suite) and its asserts hold while the behaviour is there: the
    conformance report runs it and says whether it still reproduces."""

    title: str
    code: str
    detail: str = ""


class Target:
    """A library under test. Subclass it and fill in ``name``, ``lib`` and the hooks marked *required*."""

    name: str = ""
    # Whether the library promises impl's error-message patterns (OpSpec error inputs' ``match``). The exception
    # class is compared for every target; the message only where this is true.
    messages: bool = False
    # Whether impl's documented divergences from torch (OpSpec.divergences, reference/open_findings.py) describe this
    # library. Only impl's do: for any other target the checks run without those exemptions and must pass.
    known_divergences: bool = False
    # The library's own open findings in the generic tests: {(test function, spec name): reason}. Each runs as a strict
    # xfail for this target (it must still fail; a fix shows as XPASS and the entry must go).
    known_failures: dict = {}
    # What looks like a bug in the library itself, each with its reproducer (the conformance report runs them).
    findings: tuple = ()

    @property
    def lib(self) -> ModuleType:  # required
        """The top-level module (``torch``-like); ``lib.nn``, ``lib.nn.functional`` and ``lib.optim`` reachable."""
        raise NotImplementedError

    def to_numpy(self, t) -> np.ndarray:  # required
        """The tensor's values as a numpy array, detached. May share memory with the tensor: do not write into it."""
        raise NotImplementedError

    def tensor_from_numpy(self, array, requires_grad: bool = False):  # required
        """A new tensor of the library holding a copy of ``array`` (same dtype), a leaf."""
        raise NotImplementedError

    def is_tensor(self, x) -> bool:  # required
        raise NotImplementedError

    def requires_grad_(self, t):
        """Make the leaf ``t`` one whose gradient the backward computes (torch: ``t.requires_grad_(True)``)."""
        return t.requires_grad_(True)

    def requires_grad(self, t) -> bool:
        """Whether a backward through ``t`` reaches its inputs (torch: ``t.requires_grad``)."""
        return t.requires_grad

    def dtype(self, name: str):
        """The library's dtype for a numpy/torch dtype name ("float32", "int64", "bool", ...)."""
        return getattr(self.lib, "bool" if name == "bool_" else name)

    def dtype_name(self, t) -> str:
        """The torch name of a tensor's dtype ("float32")."""
        return str(t.dtype).rsplit(".", 1)[-1]

    def wrap_numpy(self, array):
        """A tensor sharing ``array``'s memory, its strides kept (the non-contiguous check); ``None`` when the
        library cannot wrap that layout (the check then says so)."""
        return self.lib.from_numpy(array)

    def is_view(self, t) -> bool:
        """Whether ``t`` is a view of another tensor (its storage belongs to a base tensor)."""
        return self.view_base(t) is not None

    def version(self, t) -> int:
        """The tensor's version counter (bumped by every in-place write): torch's ``Tensor._version``."""
        return int(t._version)

    def shares_memory(self, a, b) -> bool:
        """Whether two tensors may share memory."""
        return bool(np.may_share_memory(self.to_numpy(a), self.to_numpy(b)))

    def view_base(self, t):
        """The tensor whose storage the view ``t`` belongs to (torch's ``Tensor._base``); ``None`` when ``t`` is no
        view. Compared by identity with the tensors a test made."""
        return t._base

    def __repr__(self):
        return f"<gradparity target {self.name!r}>"
