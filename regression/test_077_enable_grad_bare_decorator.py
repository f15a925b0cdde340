"""077: ``@impl.enable_grad`` without parentheses raised instead of decorating the function.

**Symptom:** ``@impl.enable_grad`` on a function (torch accepts the decorator with or without parentheses) raised
``TypeError: enable_grad() takes no arguments`` at import time, so code written for torch, e.g. a gradient
penalty helper meant to work inside ``no_grad`` evaluation loops, could not even be defined.

**Root cause:** ``enable_grad`` shared the grad-mode context class of ``no_grad``, whose constructor takes no
argument; torch's ``enable_grad(orig_func=None)`` returns ``orig_func`` decorated when it is given one.

**Fix:** ``impl._autograd.enable_grad.__new__(cls, orig_func=None)``: with a function, it returns the function
wrapped in a fresh ``enable_grad()`` scope (torch's ``_NoParamDecoratorContextManager``).

**How this test catches it:** defines a function with the bare decorator, calls it inside ``no_grad`` and takes
the gradient it builds, in impl and torch (values and gradient compared), and compares the signature with torch's.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_surface.py::test_signatures_match_torch_where_torch_exposes_one`` (2026-12-01).

**Generic tests catch it too:** yes -- the surface test reports enable_grad's missing ``orig_func`` parameter.
"""
import contextlib
import inspect

import numpy as np

from impl import _autograd
from regression._util import assert_close, no_crash, swap_attr

FAILS_WITH = r"bare @enable_grad|signature"


@contextlib.contextmanager
def reintroduce(variant=None):
    def __new__(cls, *args):  # the old class: object's constructor, no argument accepted
        if args:
            raise TypeError("enable_grad() takes no arguments")
        return object.__new__(cls)

    with swap_attr(_autograd.enable_grad, "__new__", __new__):
        yield


def guard():
    import torch

    import impl

    x0 = np.array([0.5, -1.0, 2.0])
    grads = {}
    for lib in (impl, torch):
        with no_crash(f"bare @enable_grad ({lib.__name__})"):
            @lib.enable_grad
            def square_grad(x, lib=lib):
                y = (x * x).sum()
                return lib.autograd.grad(y, x)[0]

            x = lib.tensor(x0, requires_grad=True)
            with lib.no_grad():
                grads[lib.__name__] = square_grad(x)
    assert_close(grads["impl"], grads["torch"], "bare @enable_grad: the gradient computed inside no_grad")
    i_sig, t_sig = inspect.signature(impl.enable_grad), inspect.signature(torch.enable_grad)
    assert list(i_sig.parameters) == list(t_sig.parameters), f"signature: impl {i_sig} vs torch {t_sig}"


def test_guard():
    guard()
