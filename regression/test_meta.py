"""Meta-tests over the whole catalogue (entries discovered by file name, never listed by hand).

For every entry, and every variant it declares: the guard FAILS (AssertionError, with the entry's
FAILS_WITH pattern) while ``reintroduce()`` is active, impl is left exactly as it was afterwards (every
attribute of every impl module and class is the same object again), and the guard PASSES once the
(all-variant) reintroduction has exited. Also: docstrings carry every section, numbers are unique and consecutive, and README.md is current.
"""
import importlib
import re
from pathlib import Path

import pytest

from regression import index
from regression._util import impl_snapshot

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
ENTRIES = [p.stem for p in index.entry_files()]


def _cases():
    out = []
    for name in ENTRIES:
        mod = importlib.import_module(f"regression.{name}")
        variants = tuple(getattr(mod, "VARIANTS", ()))
        for v in (None, *variants) if variants else (None,):
            out.append(pytest.param(name, v, id=f"{name[5:8]}-{v or 'all'}"))
    return out


@pytest.mark.parametrize("name, variant", _cases())
def test_guard_fails_under_reintroduce_and_passes_without(name, variant):
    mod = importlib.import_module(f"regression.{name}")
    before = impl_snapshot()
    ctx = mod.reintroduce() if variant is None else mod.reintroduce(variant)
    with ctx:
        with pytest.raises(AssertionError) as caught:
            mod.guard()
    after = impl_snapshot()
    changed = [k for k, v in before.items() if after.get(k) != v]
    assert not changed, f"{name}: reintroduce({variant!r}) did not restore impl: {changed[:10]}"
    pattern = getattr(mod, "FAILS_WITH", None)
    if isinstance(pattern, dict):
        pattern = pattern.get(variant, pattern.get(None))
    if pattern:
        assert re.search(pattern, str(caught.value)), (
            f"{name}[{variant}]: the guard failed, but not for the documented reason.\n"
            f"expected /{pattern}/, got: {caught.value}"
        )
    if variant is None:
        mod.guard()  # and passes again once the bug is gone (single variants: the snapshot proves the restore)


@pytest.mark.parametrize("name", ENTRIES)
def test_docstring_sections(name):
    path = Path(__file__).with_name(name + ".py")
    num, title, sec = index.parse_docstring(path)
    assert name.startswith(f"test_{num}_"), f"{name}: docstring number {num} does not match the file name"
    for s in index.SECTIONS:
        assert sec.get(s), f"{name}: section **{s}:** missing or empty"
    seen = sec["Seen in"]
    seeds = re.findall(r"\d{3}_[0-9a-f]{16}\.txt", seen)
    assert seeds or "found here while developing" in seen or "issue 5" in seen, (
        f"{name}: **Seen in:** must name a seed note, 'found here while developing' or the issue 5 catalogue"
    )
    for s in seeds:
        assert (SEEDS / s).exists(), f"{name}: seed note {s} does not exist in {SEEDS}"
    assert re.match(r"(yes|no|partly)\b", sec["Generic tests catch it too"]), (
        f"{name}: **Generic tests catch it too:** must start with yes, no or partly"
    )
    mod = importlib.import_module(f"regression.{name}")
    assert callable(getattr(mod, "guard", None)) and callable(getattr(mod, "reintroduce", None))


def test_numbers_unique_and_consecutive():
    nums = [int(n[5:8]) for n in ENTRIES]
    assert nums == list(range(1, len(nums) + 1)), f"entry numbers must be 1..N without gaps: {nums}"


def test_readme_index_is_current():
    assert index.README.exists(), "regression/README.md missing: run `python -m regression.index`"
    assert index.README.read_text() == index.render(), "regression/README.md is stale: run `python -m regression.index`"
