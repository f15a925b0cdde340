"""079: Keyword arguments torch accepts were refused: ``Tensor.split(split_size=)``,
``autograd.grad(materialize_grads=)``, ``nn.Hardtanh(min_value=)``.

**Symptom:** Code written for torch raised ``TypeError: ... unexpected keyword argument``: ``x.split(split_size=2)``
(torch's method names its argument ``split_size``), ``autograd.grad(y, (x, unused), materialize_grads=True)`` (zeros
instead of None for unused inputs, used by gradient-penalty and meta-learning code), and ``nn.Hardtanh(min_value=-2)``
(torch's deprecated spelling, still accepted with a FutureWarning).

**Root cause:** the method ``Tensor.split`` was the function ``split(tensor, split_size_or_sections, dim)`` bound as
is; ``autograd.grad`` stopped at ``allow_unused`` (torch has ``only_inputs`` before it and ``is_grads_batched``,
``materialize_grads`` after it); ``Hardtanh.__init__`` lacked the deprecated keywords.

**Fix:** ``impl.ops.shape._split_method`` is bound as ``Tensor.split``; ``impl._autograd.grad`` takes torch's full
parameter list (``materialize_grads`` fills zeros, ``only_inputs`` is ignored with torch's warning,
``is_grads_batched=True`` raises NotImplementedError); ``impl.nn.Hardtanh`` accepts ``min_value``/``max_value``.

**How this test catches it:** each call, with the keyword, in impl and torch, results compared (variants ``split``,
``grad``, ``hardtanh``).

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_surface.py::test_signatures_match_torch_where_torch_exposes_one`` (2026-12-01).

**Generic tests catch it too:** yes -- the surface test reports each signature difference.
"""
import contextlib
import warnings

import impl
from impl import _autograd
from impl.ops import shape
from regression._util import assert_close, no_crash, rng, swap_attr, swap_function

VARIANTS = ("split", "grad", "hardtanh")
FAILS_WITH = {
    None: r"split_size=|materialize_grads=|min_value=",
    "split": r"split_size=",
    "grad": r"materialize_grads=",
    "hardtanh": r"min_value=",
}


@contextlib.contextmanager
def reintroduce(variant=None):
    orig_grad, orig_init = _autograd.grad, impl.nn.Hardtanh.__init__

    def old_grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None):
        return orig_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused=allow_unused)

    def old_init(self, min_val=-1.0, max_val=1.0, inplace=False):
        orig_init(self, min_val, max_val, inplace)

    with contextlib.ExitStack() as stack:
        if variant in (None, "split"):
            stack.enter_context(swap_attr(impl.Tensor, "split", shape.split))
        if variant in (None, "grad"):
            stack.enter_context(swap_function(orig_grad, old_grad))
        if variant in (None, "hardtanh"):
            stack.enter_context(swap_attr(impl.nn.Hardtanh, "__init__", old_init))
        yield


def _both(fn, what):
    import torch

    out = {}
    for lib in (impl, torch):
        with no_crash(f"{what} ({lib.__name__})"), warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # Hardtanh's deprecation warning, in both
            out[lib.__name__] = fn(lib)
    return out["impl"], out["torch"]


def guard():
    x0 = rng(79).standard_normal((5, 2))
    failures = []
    for what, fn in (
        ("x.split(split_size=2)", lambda lib: lib.cat([p * (k + 1) for k, p in enumerate(
            lib.tensor(x0).split(split_size=2))])),
        ("autograd.grad(materialize_grads=True)", lambda lib: (lambda x, u: lib.autograd.grad(
            (x * x).sum(), (x, u), materialize_grads=True))(lib.tensor(x0, requires_grad=True),
                                                           lib.tensor(x0, requires_grad=True))),
        ("nn.Hardtanh(min_value=-0.5)", lambda lib: lib.nn.Hardtanh(min_value=-0.5)(lib.tensor(x0))),
    ):
        try:
            i, t = _both(fn, what)
            for a, b in zip(i if isinstance(i, tuple) else (i,), t if isinstance(t, tuple) else (t,)):
                assert_close(a, b, what)
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n".join(failures)


def test_guard():
    guard()
