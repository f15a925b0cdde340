"""Meta-tests over the whole catalogue (entries discovered by file name, never listed by hand).

For every entry, and every variant it declares: the guard FAILS (AssertionError, with the entry's
FAILS_WITH pattern) while ``reintroduce()`` is active, impl is left exactly as it was afterwards (every
attribute of every impl module and class is the same object again), and the guard PASSES once the
(all-variant) reintroduction has exited. Also: docstrings carry every section, each **Seen in:** takes one of
the forms regression/sources.py lists, numbers are unique and consecutive, README.md is current, and no file
of the repository points outside it (a fresh clone must stand on its own).
"""
import importlib
import re
import subprocess
from pathlib import Path

import pytest

from regression import index, sources
from regression._util import impl_snapshot, snapshot_changes

ROOT = Path(__file__).resolve().parents[1]
ENTRIES = [p.stem for p in index.entry_files()]

# A test named in a **Seen in:** line: a repository path, optionally with ``::test_name``.
TEST_REF = re.compile(r"\b((?:[\w.-]+/)+[\w.-]+\.py)(?:::(\w+))?")
# What a file of a self-contained repository never mentions. The patterns are written so that they do not
# match their own source text.
OUTSIDE = {
    "a path into a shared folder beside the repository": re.compile(r"(?:\.\.|/work)[/\\]shared\b"),
    "a path built onto a folder named shared": re.compile(r"/\s*[\"']shared[\"']"),
    "the seed-notes folder": re.compile(r"shared[/\\]seeds"),
    "a seed-note file name": re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b"),
}


def seen_in_problem(seen):
    """None when a **Seen in:** text takes one of the forms regression/sources.py describes, else what is wrong."""
    if "found while developing" in seen:
        refs = TEST_REF.findall(seen)
        if not refs:
            return "says 'found while developing' but names no test (path/to/test_file.py::test_name)"
        for path, func in refs:
            file = ROOT / path
            if not file.is_file():
                return f"names {path}, which is not a file of this repository"
            # a test function, a test class, or a test bound by assignment (a hypothesis state machine's TestCase)
            if func and not re.search(rf"^\s*(def {func}\(|class {func}\b|{func} = )", file.read_text(), re.M):
                return f"names {path}::{func}, which that file does not define"
        return None
    if sources.CLASSIC_PITFALL in seen:
        if not re.search(r"catalogued \d{4}-\d{2}-\d{2}\b", seen):
            return f"'{sources.CLASSIC_PITFALL}' needs the date it was catalogued ('catalogued YYYY-MM-DD')"
        return None
    if any(project in seen for project in sources.PUBLIC_SOURCES):
        return None
    return ("names no public project of regression/sources.py, is not 'found while developing' with the test "
            f"that found it, and is not '{sources.CLASSIC_PITFALL}, catalogued YYYY-MM-DD'")


def repository_files():
    """Every file a commit would hold: git's tracked and untracked-but-not-ignored files (a plain walk without git)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, check=True).stdout
        names = [n for n in out.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "venv", "__pycache__", ".hypothesis", ".pytest_cache", ".ruff_cache", "build", "dist"}
        names = [str(f.relative_to(ROOT)) for f in ROOT.rglob("*")
                 if f.is_file() and not skip & set(f.relative_to(ROOT).parts)]
    return [ROOT / n for n in names if (ROOT / n).is_file()]


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
    changed = snapshot_changes(before, after)
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


def test_snapshot_names_what_a_patch_left_behind():
    """The restore check can fail: a replaced method, a new and a removed module attribute are each named."""
    import impl
    from impl import _tensor

    before = impl_snapshot()
    add, doc = _tensor.Tensor.add, impl.__doc__
    try:
        _tensor.Tensor.add = lambda *a: None
        impl.left_behind = 1
        del impl.__doc__
        changed = snapshot_changes(before, impl_snapshot())
    finally:
        _tensor.Tensor.add, impl.__doc__ = add, doc
        del impl.left_behind
    assert changed == ["impl.__doc__", "impl.left_behind", "impl._tensor.Tensor.add"], changed
    assert snapshot_changes(before, impl_snapshot()) == []


@pytest.mark.parametrize("name", ENTRIES)
def test_docstring_sections(name):
    path = Path(__file__).with_name(name + ".py")
    num, title, sec = index.parse_docstring(path)
    assert name.startswith(f"test_{num}_"), f"{name}: docstring number {num} does not match the file name"
    for s in index.SECTIONS:
        assert sec.get(s), f"{name}: section **{s}:** missing or empty"
    problem = seen_in_problem(sec["Seen in"])
    assert problem is None, f"{name}: **Seen in:** {problem}"
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


@pytest.mark.parametrize("seen, ok", [
    ("TinyTorch's gradient-flow fixes summary (CNN milestone)", True),
    ("MicroGrad+'s troubleshooting guide (softmax)", True),
    ("found while developing, by property_tests/test_ops.py::test_inplace_on_output", True),
    ("found while developing, by regression/test_038_zero_dim_reduction_dim.py::test_guard", True),
    (f"{sources.CLASSIC_PITFALL}, catalogued 2026-11-23", True),
    ("002_" + "0c8ef74e8013b291.txt", False),                     # a file outside the repository
    ("found while developing", False),                            # no test named
    ("found while developing, by property_tests/test_nope.py::test_x", False),
    ("found while developing, by property_tests/test_ops.py::test_does_not_exist", False),
    (sources.CLASSIC_PITFALL, False),                             # no date
    ("an unnamed blog post", False),
])
def test_seen_in_check_accepts_the_documented_forms_only(seen, ok):
    assert (seen_in_problem(seen) is None) == ok, seen_in_problem(seen)


def test_no_file_points_outside_the_repository():
    files = repository_files()
    assert len(files) > 100 and ROOT / "README.md" in files, f"only {len(files)} files found under {ROOT}"
    hits = []
    for f in files:
        data = f.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        text = data.decode("utf-8", "replace")
        for what, pattern in OUTSIDE.items():
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                hits.append(f"{f.relative_to(ROOT)}:{line}: {what}: {m.group(0)!r}")
    assert not hits, "files that point outside the repository:\n" + "\n".join(hits)


# Split literals: this file must not contain what it looks for.
@pytest.mark.parametrize("text", ["see .." + "/shared/DESIGN.md", "/work" + "/shared/x", 'root / "sha' + 'red" / "x"',
                                  "shared" + "/seeds/", "003_" + "e020ef9d54b425a6.txt"])
def test_outside_patterns_catch_each_kind(text):
    assert any(p.search(text) for p in OUTSIDE.values()), text
