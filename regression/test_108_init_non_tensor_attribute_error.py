"""108: ``nn.init.zeros_`` and ``ones_`` raised TypeError for a non-Tensor where torch raises AttributeError.

**Symptom:** ``impl.nn.init.zeros_([1.0, 2.0])`` raised ``TypeError: nn.init: expected a Tensor, got list``;
torch raises ``AttributeError: 'list' object has no attribute 'zero_'`` (its initialisers call a Tensor method on
the argument), as impl's other initialisers already did. Code that catches torch's class missed impl's.

**Root cause:** ``impl.nn.init._write``, which the filling initialisers share, checked the type itself and chose
TypeError.

**Fix:** ``_write`` raises AttributeError, naming the type it got.

**How this test catches it:** every initialiser both libraries have, called on a list: the same exception class
as torch's, and impl's message names the type it was given.

**Seen in:** found while developing (notes/bugs_found.md): a surviving mutant of ``_write``'s message
(``reference/mutation_sample.py``'s sample of all of impl), whose test had to compare the class with torch first.

**Generic tests catch it too:** no -- the initialisers' error classes are checked here only.
"""
import contextlib

from impl.nn import init
from regression._util import rewrite_source, swap_function

FAILS_WITH = r"nn.init.*raised"


@contextlib.contextmanager
def reintroduce(variant=None):
    # the old check: TypeError
    old = rewrite_source(init._write, ("raise AttributeError(", "raise TypeError("))
    with swap_function(init._write, old):
        yield


def guard():
    import torch

    import impl

    compared = 0
    for name in sorted(n for n in dir(torch.nn.init) if n.endswith("_") and not n.startswith("_")):
        mine = getattr(impl.nn.init, name, None)
        if mine is None:
            continue
        raised = []
        for fn in (getattr(torch.nn.init, name), mine):
            try:
                fn([1.0, 2.0], 0.5) if name == "constant_" else fn([1.0, 2.0])
                raised.append(None)
            except Exception as e:  # noqa: BLE001
                raised.append(e)
        t, i = raised
        assert type(t) is type(i), f"nn.init.{name}([1.0, 2.0]): impl raised {type(i).__name__}: {i}, torch {type(t).__name__}: {t}"
        if name in ("zeros_", "ones_", "constant_"):
            assert "list" in str(i), f"nn.init.{name}: the message should name the type it got: {i}"
        compared += 1
    assert compared >= 12, f"only {compared} initialisers compared"


def test_guard():
    guard()
