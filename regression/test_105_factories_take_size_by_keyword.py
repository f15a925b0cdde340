"""105: ``zeros(size=(2, 3))`` and the other factories refused ``size`` given by keyword, which torch accepts.

**Symptom:** ``impl.zeros(size=(2, 3))`` (and ``ones``, ``empty``, ``rand``, ``randn``) raised ``TypeError: zeros()
got an unexpected keyword argument 'size'``, and ``impl.randint(high=5, size=(2, 3))`` raised a missing ``low``;
torch's factories take ``size`` by keyword (and ``randint``'s ``low`` defaults to 0), so code written for torch failed
in impl before it made a tensor.

**Root cause:** the factories were declared ``zeros(*size, ...)``: a Python ``*size`` cannot also be named by
keyword, so the name torch's argument parser gives the shape did not exist; ``randint``'s ``low`` had no default.

**Fix:** ``impl._creation._factory_size`` reads the shape from ``*sizes`` or the keyword-only ``size=`` (refusing
both at once, and a bare int by keyword, with torch's TypeError) for ``zeros``, ``ones``, ``empty``, ``rand`` and
``randn``; ``impl._creation.randint`` takes ``low=0`` and ``size`` by keyword in both of torch's forms.

**How this test catches it:** each factory called with ``size=(2, 3)`` must make a (2, 3) tensor as torch's does,
``randint(high=5, size=...)`` too, and the size given twice must raise TypeError in both libraries.

**Seen in:** found while developing (notes/bugs_found.md), by
``property_tests/test_factory_size_keyword.py::test_factories_make_the_shape_torch_makes``, written for torch's
documented keyword ``size``.

**Generic tests catch it too:** yes -- caught by
``property_tests/test_factory_size_keyword.py::test_factories_make_the_shape_torch_makes`` (its finder).
"""
import contextlib

import numpy as np

from impl import _creation, random
from regression._util import stack, swap_attr, swap_function

FAILS_WITH = r"size by keyword: impl raised TypeError"


def _keyword_refused(sizes, size, name):
    if size is not None:
        raise TypeError(f"{name}() got an unexpected keyword argument 'size'")
    return _creation._required_size(sizes, name)


def _randint_without_default_low(low, high=None, size=None, dtype=None, requires_grad=False, generator=None,
                                 device=None):
    if size is None:
        low, high, size = 0, low, high
    rng = generator.rng if generator is not None else random.generator()
    return _creation._finish(rng.integers(low, high, _creation._size((size,))).astype(_creation._np(dtype, np.int64)),
                             requires_grad, dtype)


@contextlib.contextmanager
def reintroduce(variant=None):
    # no keyword size: the shape only through *size; randint's low required
    with stack(swap_attr(_creation, "_factory_size", _keyword_refused),
               swap_function(_creation.randint, _randint_without_default_low)):
        yield


def guard():
    import torch

    import impl

    calls = {name: (lambda lib, name=name: getattr(lib, name)(size=(2, 3)))
             for name in ("zeros", "ones", "empty", "rand", "randn")}
    calls["randint(high=, size=)"] = lambda lib: lib.randint(high=5, size=(2, 3))
    for name, call in calls.items():
        for lib in (torch, impl):
            try:
                shape = tuple(call(lib).shape)
            except TypeError as e:
                raise AssertionError(f"{name}: size by keyword: {lib.__name__} raised TypeError ({e})") from e
            assert shape == (2, 3), f"{name}: {lib.__name__} made {shape}"
    for lib in (torch, impl):
        try:
            lib.zeros((2, 3), size=(2, 3))
        except TypeError as e:
            assert "got multiple values for argument 'size'" in str(e), f"{lib.__name__}: {e}"
        else:
            raise AssertionError(f"zeros((2, 3), size=(2, 3)): {lib.__name__} made a tensor, torch raises TypeError")


def test_guard():
    guard()
