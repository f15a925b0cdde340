"""The parity report (reference/report.py): both files are written, name every op, carry the summary counts,
embed the milestone plots, and report a planted broken op as failing (with a non-zero exit code)."""
from __future__ import annotations

import re

import numpy as np
import pytest

import impl
from impl._autograd import apply
from reference import report
from reference.opspec import OpSpec
from reference.registry import get_spec
from reference.strategies import unary

pytestmark = pytest.mark.impl_only(reason="about impl itself: impl's parity report (reference/report.py)")

# Plain ops, one with a documented divergence, one with error inputs (and LOOSENED below).
SUBSET = ("exp", "floor_divide", "F.layer_norm", "neg")


def _planted_exp(lib, x):
    """torch's exp; on impl an exp whose backward is off by a factor of 2 (forward is right)."""
    if lib is impl:
        return apply("PlantedExpBackward", np.exp(x._data), (x,), lambda g: (2 * g * np.exp(x._data),), saved=(x,))
    return x.exp()


PLANTED = OpSpec("planted_broken_exp_backward", _planted_exp, unary(min_dims=1, min_side=1), family="elementwise")
# No registered spec loosens a tolerance any more (the last one was removed on 2026-12-01), so the report's rendering
# of one is exercised with a synthetic spec.
LOOSENED = OpSpec("loosened_tanh", lambda lib, x: x.tanh(), unary(min_dims=1, min_side=1), family="elementwise",
                  bwd_tol={"float32": dict(atol=1e-4, reason="synthetic: how the report shows a loosened tolerance")})
EXTRA = (LOOSENED, PLANTED)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    plots = tmp_path_factory.mktemp("plots")
    (plots / "xor_1986_seed0.png").write_bytes(b"\x89PNG\r\n\x1a\nnot-a-real-image")
    specs = [get_spec(n) for n in SUBSET] + list(EXTRA)
    rep, md, page = report.write_report(specs, out, samples=1, progress=False, plots_dir=plots)
    return rep, md.read_text(encoding="utf-8"), page.read_text(encoding="utf-8"), out


def test_both_files_exist_and_name_every_op(written):
    rep, md, page, out = written
    assert (out / report.MD_NAME).is_file() and (out / report.HTML_NAME).is_file()
    for name in (*SUBSET, *(s.name for s in EXTRA)):
        assert f"`{name}`" in md, f"{name} missing from the Markdown report"
        assert f">{name}</td>" in page.replace("<wbr>", ""), f"{name} missing from the HTML report"


def test_summary_counts(written):
    rep, md, page, _ = written
    c = rep.counts()
    assert c["specs"] == len(SUBSET) + len(EXTRA)
    assert c["failing"] == 1 and c["passing"] == len(SUBSET) + 1
    assert c["loosened"] == 1 and c["divergences"] >= 1  # LOOSENED's bwd float32, floor_divide's backward
    for label, value in (("specs", c["specs"]), ("ops passing", c["passing"]), ("ops failing", c["failing"]),
                         ("known divergences", c["divergences"]), ("loosened tolerances", c["loosened"])):
        assert f"| {label} | {value} |" in md, f"summary row {label!r} = {value} missing from the Markdown"
        assert f"<b>{value}</b><span>{label}</span>" in page, f"summary card {label!r} = {value} missing from the HTML"


def test_planted_failing_spec_is_reported_as_failing(written):
    rep, md, page, _ = written
    assert [r.spec.name for r in rep.failed] == [PLANTED.name]
    assert re.search(rf"\| `{PLANTED.name}` \|.*\| \*\*FAIL\*\* \|$", md, re.M)
    assert "## Failures" in md and "backward" in md.split("## Failures")[1].split("##")[0]
    assert f'<div class="verdict fail">1 of {len(SUBSET) + len(EXTRA)} ops FAIL parity</div>' in page
    for name in (*SUBSET, LOOSENED.name):
        assert re.search(rf"\| `{re.escape(name)}` \|.*\| ok \|$", md, re.M), f"{name} should pass"


def test_reasons_and_plots_are_in_the_report(written):
    rep, md, page, _ = written
    div = get_spec("floor_divide").divergences[0]
    (kind, dtype, rtol, atol, reason), *_ = LOOSENED.loosened()
    for text in (div.reason, reason):
        assert text in md
    assert "xor_1986_seed0.png" in md and "data:image/png;base64," in page
    assert "<style>" in page and "<link" not in page and "<script" not in page  # self-contained


def test_main_exit_code(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "all_specs", lambda: (get_spec("neg"), PLANTED))
    assert report.main(["--samples", "1", "--out", str(tmp_path), "--no-progress"]) == 1
    assert report.main(["--samples", "1", "--out", str(tmp_path), "--no-progress", "-k", "neg"]) == 0
    assert "planted" not in (tmp_path / report.MD_NAME).read_text()


def test_a_check_of_nothing_is_never_reported_ok(tmp_path):
    """A spec whose every sample is empty compares no value: the report says so instead of "ok"."""
    from hypothesis import strategies as st

    from reference.strategies import sample

    empty = OpSpec("always_empty_exp", lambda lib, x: x.exp(), st.just(sample(np.zeros((0, 3)))), family="elementwise")
    rep, md_path, page_path = report.write_report([empty, get_spec("neg")], tmp_path, samples=2, progress=False)
    md, page = md_path.read_text(encoding="utf-8"), page_path.read_text(encoding="utf-8")
    row = rep.rows[0]
    assert row.ok and row.status == "NOTHING CHECKED" and rep.counts()["nothing checked"] == 1
    line = next(ln for ln in md.splitlines() if ln.startswith("| `always_empty_exp` |"))
    # st.just: one distinct sample (draw_examples stops when the strategy is exhausted), in two dtypes
    assert "checked 0/1" in line and "fwd 0/2 · bwd 0/2" in line and "**NOTHING CHECKED**" in line and "| ok |" not in line
    assert "ops had a check that compared nothing" in md and "compared nothing</div>" in page
    assert rep.counts()["passing"] == 1  # neg only
    assert report.main(["--samples", "1", "--out", str(tmp_path), "--no-progress", "-k", "neg"]) == 0


def test_surface_section_counts_and_names_the_missing(written):
    rep, md, page, _ = written
    res = rep.surface
    c = res.counts()
    assert c["listed"] == c["present"] + c["missing"] and c["present"] > 300
    assert "## API surface" in md and '<h2 id="surface">API surface</h2>' in page
    headline = f"{c['present']} of {c['listed']} listed names present, {c['missing']} missing"
    assert headline in md and headline in page
    section = md.split("## API surface")[1].split("\n## ")[0]
    for ns, names in res.missing.items():
        assert f"- `{ns}` ({len(names)}): " in section
        assert all(f"`{n}`" in section for n in names), f"a missing name of {ns} is not listed"
    for ns, name in res.differences:
        assert f"- `{ns}.{name}`: " in section
