"""The API surface (reference/surface.py): every listed torch name exists in impl at the same place, and every
callable present in both has torch's parameters (names, order, kinds, keyword-only markers, defaults) wherever
torch exposes an ``inspect.signature``. Failure messages list every offender, not the first."""
from __future__ import annotations

import pytest

from reference import surface
from reference.surface import SIGNATURE_EXCEPTIONS, SURFACE, check, shared_exports, signature_diff, signature_of

pytestmark = pytest.mark.impl_only(reason="about impl itself: impl's API surface against torch's (reference/surface.py reads impl's namespaces)")

RESULT = check()


@pytest.mark.parametrize("namespace", list(SURFACE))
def test_every_listed_name_exists_in_impl_at_the_same_place(namespace):
    listed = SURFACE[namespace]
    missing = RESULT.missing.get(namespace, [])
    present = RESULT.present.get(namespace, [])
    assert len(present) + len(missing) == len(listed), "every listed name is either present or missing"
    assert not missing, (f"{len(missing)} of {len(listed)} names of {namespace} are missing in impl "
                         f"({surface.NAMESPACES[namespace][1]}): {' '.join(missing)}")


def test_every_listed_name_exists_in_torch():
    assert not RESULT.not_in_torch, f"listed names torch does not have (typos?): {RESULT.not_in_torch}"


def test_signatures_match_torch_where_torch_exposes_one():
    compared = RESULT.counts()["signatures compared"]
    assert compared >= 100, f"only {compared} signatures compared: the comparison is not reaching torch's"
    lines = [f"{ns}.{name}: " + "; ".join(diff) for (ns, name), diff in RESULT.differences.items()]
    assert not lines, f"{len(lines)} signatures differ from torch's:\n" + "\n".join(lines)


def test_signature_exceptions_are_reasoned_and_still_needed():
    for (ns, name), reason in SIGNATURE_EXCEPTIONS.items():
        assert ns in SURFACE and name in SURFACE[ns], f"exception for unlisted name {ns}.{name}"
        assert len(reason) > 30, f"exception {ns}.{name} needs a real reason"
    stale = sorted(f"{ns}.{n}" for ns, n in SIGNATURE_EXCEPTIONS if (ns, n) not in RESULT.excepted
                   and n in RESULT.present.get(ns, []))
    assert not stale, f"signature exceptions that no longer differ from torch (drop them): {stale}"


def test_the_list_names_everything_impl_already_exports_that_torch_has():
    unlisted = {ns: [n for n in names if n not in SURFACE[ns]] for ns, names in shared_exports().items()}
    unlisted = {ns: names for ns, names in unlisted.items() if names}
    assert not unlisted, f"impl exports these torch names that reference/surface.py does not list: {unlisted}"


# ---- the comparison itself can fail ---------------------------------------------------------------------------
def _f(input, dim=None, keepdim=False, *, out=None):
    return input


def test_signature_diff_reports_name_order_kind_and_default_differences():
    def renamed(input, axis=None, keepdim=False, *, out=None):
        return input

    def reordered(input, keepdim=False, dim=None, *, out=None):
        return input

    def not_kw_only(input, dim=None, keepdim=False, out=None):
        return input

    def other_default(input, dim=None, keepdim=True, *, out=None):
        return input

    def int_for_bool(input, dim=None, keepdim=0, *, out=None):
        return input

    ref = signature_of(_f)
    assert signature_diff(ref, signature_of(_f)) == []
    for fn, word in ((renamed, "name"), (reordered, "name"), (not_kw_only, "kind"), (other_default, "default"),
                     (int_for_bool, "default")):
        diff = signature_diff(ref, signature_of(fn))
        assert diff and any(word in d for d in diff), (fn.__name__, diff)
    assert signature_diff(ref, signature_of(lambda input, dim=None: input))[0].startswith("missing parameter")


def test_a_planted_difference_and_a_planted_missing_name_are_reported(monkeypatch):
    import impl

    res = check({"torch.nn.functional": ("normalize",)})
    assert res.matching == {"torch.nn.functional": ["normalize"]}, "the planted difference below must be the only one"
    monkeypatch.setattr(impl.nn.functional, "normalize",
                        lambda input, p=2.0, dim=1, eps=1e-12, out=None, scale=1: input)
    res = check({"torch.nn.functional": ("normalize",), "torch": ("no_such_impl_name_xyz",)})
    assert res.differences == {("torch.nn.functional", "normalize"): ["extra parameter #5 scale=1.0"]}
    assert res.not_in_torch == {"torch": ["no_such_impl_name_xyz"]}
    monkeypatch.delattr(impl, "hypot")
    res = check({"torch": ("hypot",)})
    assert res.missing == {"torch": ["hypot"]}
