"""058: default_collate turned a field of strings into a list where torch keeps the tuple.

**Symptom:** For samples like ``("cat", image)`` a batch's first field was the list ``["cat", "dog"]``;
torch's ``default_collate`` gives the tuple ``("cat", "dog")`` there (and a list only when the samples
themselves are strings). Code that checks ``isinstance(names, tuple)``, or compares batches with torch's,
behaved differently.

**Root cause:** the tuple/list and namedtuple branches transposed the batch with ``zip`` and converted every
field to a list before recursing; for strings the recursion returns its input unchanged, so the list leaked
out where torch returns the tuple ``zip`` made.

**Fix:** ``impl.utils.data.collate.default_collate`` recurses on each field exactly as ``zip`` yields it.

**How this test catches it:** collates samples with string fields inside tuples, lists, namedtuples and
dicts with impl and with torch, and compares the container types field by field.

**Seen in:** found while developing (notes/bugs_found.md), by ``property_tests/test_data.py::test_default_collate_matches_torch`` (2026-12-01).

**Generic tests catch it too:** yes — with the bug reintroduced, property_tests/test_data.py::test_default_collate_matches_torch[string_fields_in_tuples] fails (measured by `python -m regression.crosscheck --only 058 --suites property_tests/test_data.py`).
"""
import collections
import contextlib

import torch.utils.data as tdata

from impl.utils.data import collate
from regression._util import rewrite_source, swap_function

FAILS_WITH = r"impl's container types .*'list', \['str'.*torch's .*'tuple', \['str'"

Named = collections.namedtuple("Named", "name value")


@contextlib.contextmanager
def reintroduce(variant=None):
    """Every transposed field is turned into a list before recursing (the historical version)."""
    broken = rewrite_source(
        collate.default_collate,
        ("type(elem)(*(default_collate(s) for s in zip(*batch)))",
         "type(elem)(*(default_collate(list(s)) for s in zip(*batch)))"),
        ("collated = [default_collate(s) for s in zip(*batch)]",
         "collated = [default_collate(list(s)) for s in zip(*batch)]"),
    )
    with swap_function(collate.default_collate, broken):
        yield


def _types(x):
    if isinstance(x, dict):
        return {k: _types(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_types(v) for v in x])
    return type(x).__name__


def guard():
    cases = {
        "tuple": [("cat", 1), ("dog", 2)],
        "list": [["cat", 1.0], ["dog", 2.0]],
        "namedtuple": [Named("cat", 1), Named("dog", 2)],
        "dict_of_tuples": [{"k": ("cat", "x")}, {"k": ("dog", "y")}],
    }
    for name, batch in cases.items():
        got, want = _types(collate.default_collate(batch)), _types(tdata.default_collate(batch))
        if got != want:
            raise AssertionError(f"collated {name} samples: impl's container types {got}, torch's {want}")


def test_guard():
    guard()
