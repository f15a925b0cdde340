"""068: A view torch cannot regenerate (a piece of split/chunk/unbind, or made under no_grad) kept working after its
base was modified in place.

**Symptom:** ``a, b = y.split(2); y.mul_(2); a.sum().backward()`` (or ``a.backward(g)`` directly) ran in impl and
gave a gradient through the pieces' old history; torch raises "Output 0 of SplitWithSizesBackward0 is a view and its
base or another view of its base has been modified inplace. This view is the output of a function that returns
multiple views." Likewise ``with no_grad(): v = w.view(3, 2)``, then ``with no_grad(): w.mul_(2)``, then ``v * 1``
under grad mode: torch raises "A view was created in no_grad mode and its base or another view of its base has been
modified inplace with grad mode enabled"; impl computed it.

**Root cause:** the engine regenerated the history of any stale view it met as an op input (a no_grad view kept
none), and did not look at the views it started a backward from at all.

**Fix:** ``impl._autograd._refresh_view`` raises torch's errors for a stale view made by split/chunk/unbind or under
no_grad (of a base that requires grad), and ``_run_backward`` refreshes a view that is a backward root too.

**How this test catches it:** split, chunk and unbind of a non-leaf, the base modified in place (values unchanged),
then a piece used in an op and a piece as the backward root; and a no_grad view of a leaf whose base changed in
place, used in an op: both libraries must refuse.

**Seen in:** found while developing (notes/bugs_found.md), by the saved-tensor parity check
``property_tests/test_saved_tensors.py::test_saved_inputs`` (2026-12-01).

**Generic tests catch it too:** yes -- property_tests/test_saved_tensors.py::test_saved_inputs[split], [chunk] and
[unbind] fail with the multi-output variant reintroduced; the no_grad variant only the stateful fuzzer meets.
"""
import contextlib

import numpy as np

from impl import _autograd
from regression._util import rewrite_source, swap_function

FAILS_WITH = r"torch raised, impl ran"
VARIANTS = ("multi_output", "no_grad")
_SNIPPETS = {"multi_output": ("if (meta is not None and meta.multi", "if (False and meta.multi"),
             "no_grad": ("if meta is not None and meta.no_grad and", "if False and")}


@contextlib.contextmanager
def reintroduce(variant=None):
    snippets = [v for k, v in _SNIPPETS.items() if variant in (None, k)]
    # impl refuses a stale view in two places: here for backward roots and recorded inputs, and in
    # _views.refresh_if_stale when the view is read (entry 074); the bug is back only with both taken away.
    from impl.ops import _views

    with swap_function(_autograd._refresh_view, rewrite_source(_autograd._refresh_view, *snippets)), \
            swap_function(_views.refresh_if_stale, rewrite_source(
                _views.refresh_if_stale, ("            _refuse_stale(meta)", "            return"))):
        yield


def _outcome(lib, make, use):
    x = lib.tensor(np.arange(6.0), requires_grad=True)
    y = x.clone()
    pieces = make(y)
    y.mul_(1)
    try:
        use(lib, pieces)
        return "ran"
    except RuntimeError:
        return "raised"


def guard():
    import torch

    import impl

    makes = {"split": lambda y: y.split(2), "chunk": lambda y: y.chunk(3), "unbind": lambda y: y.unbind()}
    uses = {"in an op": lambda lib, p: (p[0] * 2).sum().backward(),
            "as the root": lambda lib, p: p[1].backward(lib.ones_like(p[1]))}
    for mk, make in makes.items():
        for us, use in uses.items():
            t, i = _outcome(torch, make, use), _outcome(impl, make, use)
            assert t == i, f"{mk} piece {us} after its base was modified in place: torch {t}, impl {i}"
    got = {}
    for lib in (torch, impl):
        w = lib.tensor(np.arange(6.0), requires_grad=True)
        with lib.no_grad():
            v = w.view(3, 2)
            w.mul_(1)
        try:
            v * 1
            got[lib.__name__] = "ran"
        except RuntimeError:
            got[lib.__name__] = "raised"
    assert got["torch"] == got["impl"], (f"a no_grad view used after its base was modified in place: torch "
                                         f"{got['torch']}, impl {got['impl']}")


def test_guard():
    guard()
