"""The parity report: every OpSpec against torch on fixed seeded samples, written as Markdown and HTML.

    python -m reference.report                # writes parity-report.md and parity-report.html here
    python -m reference.report --target tinygrad  # another library's conformance: notes/conformance/tinygrad.md
    gradparity-report --samples 5 -k softmax  # the console script; only specs whose name contains "softmax"

Per op: family, dtypes, the max absolute and relative forward and backward (random cotangent) errors vs torch
in each dtype, the worst error as a percentage of its tolerance, how many samples each check really compared
something on ("checked n/N": a check that compared nothing is shown as such, never as "ok"), the float64
gradcheck of impl alone, the error inputs, known divergences and loosened tolerances with their reasons. Above the table: summary counts and the
failures; below it: the API surface (reference/surface.py: the torch names impl lists, which are present or
missing, and the signatures that differ from torch's), every divergence and loosened tolerance, and the milestone loss curves (impl vs torch) when
``python -m milestones --plot`` has written them to ``milestones/out/``.

The measurements are ``reference.parity.run_spec``'s (the one-screen parity check): this module only
renders them. Samples come from each spec's strategy, derandomized (the same on every run and machine).
Exit code 1 if any op fails parity.
"""
from __future__ import annotations

import argparse
import base64
import datetime
import html
import os
import platform
import sys
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from reference import conformance, registry
from reference.parity import run_spec
from reference.registry import SPEC_MODULES, all_divergences, all_specs

MD_NAME, HTML_NAME = "parity-report.md", "parity-report.html"
DEFAULT_SAMPLES = 3  # as reference.parity: the same numbers in both; leaves room under the 60 s budget as specs grow
ROOT = Path(__file__).resolve().parents[1]
PLOTS_DIR = ROOT / "milestones" / "out"
SHORT_DTYPE = {"float32": "f32", "float64": "f64", "int64": "i64", "bool": "bool"}


@dataclass
class Report:
    rows: list
    samples: int
    seconds: float
    module_divergences: list = field(default_factory=list)  # [(module, Divergence)]
    plots: list = field(default_factory=list)  # [Path] of milestone loss-curve PNGs
    versions: dict = field(default_factory=dict)
    surface: object = None  # reference.surface.SurfaceResult: the API surface vs torch

    @property
    def failed(self):
        return [r for r in self.rows if not r.ok]

    @property
    def unchecked(self):
        """Ops that fail nothing but have a check that compared nothing on every sample."""
        return [r for r in self.rows if r.ok and r.unchecked]

    def counts(self) -> dict:
        rows = self.rows
        gcs = [r for r in rows if r.gc is not None]
        return {
            "specs": len(rows),
            "passing": sum(r.status == "ok" for r in rows),
            "failing": sum(not r.ok for r in rows),
            "nothing checked": len(self.unchecked),
            # specs whose gradcheck passed on at least one sample that had gradient entries to check
            "gradcheck": (sum(bool(r.gc) and r.checked.get("gradcheck", [0])[0] > 0 for r in gcs), len(gcs)),
            "checked samples": {c: _checked_total(rows, c) for c in ("forward", "backward", "gradcheck")},
            "error inputs": (sum(r.errors[0] for r in rows), sum(r.errors[1] for r in rows)),
            "divergences": sum(len(r.spec.divergences) for r in rows) + len(self.module_divergences),
            "loosened": sum(len(r.spec.loosened()) for r in rows),
        }


# ---- measuring --------------------------------------------------------------------------------------------
def _seed_everything(seed=0):
    import numpy as np
    import torch

    import impl

    impl.manual_seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def module_divergences(specs) -> list:
    """[(module, Divergence)]: the module-level ``DIVERGENCES`` of the spec modules the selected specs come from."""
    families = {s.family for s in specs}
    modules = {m.rsplit(".", 1)[-1] for m in SPEC_MODULES}
    return [(where, d) for where, d in all_divergences()
            if where in modules and registry._FAMILY.get(where, where.removeprefix("core_")) in families]


def find_plots(plots_dir=PLOTS_DIR) -> list:
    plots_dir = Path(plots_dir)
    return sorted(plots_dir.glob("*.png")) if plots_dir.is_dir() else []


def measure(specs, samples=DEFAULT_SAMPLES, progress=True, plots_dir=PLOTS_DIR) -> Report:
    """Run ``reference.parity.run_spec`` on every spec (tqdm progress on stderr) and collect the report data."""
    import numpy as np
    import torch

    torch.set_num_threads(1)  # tiny tensors: torch's thread pool only adds overhead (as reference.parity)
    _seed_everything(0)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(specs), unit="spec", file=sys.stderr, desc="parity report", dynamic_ncols=True)
    t0 = time.time()
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's broadcast/degrees-of-freedom warnings on deliberate inputs
        for spec in specs:
            if bar is not None:
                bar.set_postfix_str(spec.name, refresh=False)
            rows.append(run_spec(spec, samples))
            if bar is not None:
                bar.update()
    if bar is not None:
        bar.close()
    import impl
    from reference.surface import check

    return Report(rows=rows, samples=samples, seconds=time.time() - t0, module_divergences=module_divergences(specs),
                  plots=find_plots(plots_dir), surface=check(),
                  versions={"torch": torch.__version__, "numpy": np.__version__, "impl": impl.__version__,
                            "python": platform.python_version()})


# ---- formatting helpers -----------------------------------------------------------------------------------
def _num(x):
    if x is None:
        return "-"
    if x == 0:
        return "0"
    if x == float("inf"):
        return "inf"
    return f"{x:.1e}"


def _per_dtype(row, table):
    """One number per dtype of the spec, in the order of ``row.spec.dtypes`` ("-" where nothing was measured)."""
    return " / ".join(_num(table.get(d)) for d in row.spec.dtypes)


def _dtypes(row):
    return " / ".join(SHORT_DTYPE.get(d, d) for d in row.spec.dtypes)


def _checked_total(rows, prefix):
    """(samples on which checks named ``prefix``... compared something, samples they ran on), over ``rows``."""
    k = n = 0
    for r in rows:
        for c, (a, b) in r.checked.items():
            if c.startswith(prefix):
                k, n = k + a, n + b
    return k, n


def _gc(row):
    """'n/a', 'FAIL', or the samples it checked: 'checked 3/3' ('checked 0/3' is a check of nothing, never ok)."""
    if row.gc is None:
        return "n/a"
    return "FAIL" if not row.gc else f"checked {row.checked_text('gradcheck')}"


def _checked(row):
    """Samples with real comparisons, per check: 'fwd 6/6 · bwd 6/6' ('-' where a check does not apply)."""
    parts = [f"fwd {_ratio(_checked_total([row], 'forward'))}"]
    if any(c.startswith("backward") for c in row.checked):
        parts.append(f"bwd {_ratio(_checked_total([row], 'backward'))}")
    return " · ".join(parts)


def _ratio(kn):
    return f"{kn[0]}/{kn[1]}" if kn[1] else "-"


def _status(row):
    return {"ok": "ok", "FAIL": "**FAIL**"}.get(row.status, f"**{row.status}** ({', '.join(row.unchecked)})")


def _errs(row):
    return f"{row.errors[0]}/{row.errors[1]}" if row.errors[1] else "-"


def _loosened_text(kind, dtype, rtol, atol, reason):
    return f"{'forward' if kind == 'fwd' else 'backward'} {dtype}: rtol={rtol:g}, atol={atol:g} — {reason}"


def _by_family(rows):
    fam = defaultdict(list)
    for r in rows:
        fam[r.spec.family or "other"].append(r)
    return fam


def _family_summary(rows):
    """[(family, specs, passing, fwd abs max, bwd abs max, tol% max)] (abs errors as 'f32 / f64' maxima)."""
    out = []
    def mx(rs, attr, d):
        vals = [getattr(r, attr)[d] for r in rs if d in getattr(r, attr)]
        return max(vals) if vals else None

    for name, rs in _by_family(rows).items():

        out.append((name, len(rs), sum(r.status == "ok" for r in rs),
                    f"{_num(mx(rs, 'fwd', 'float32'))} / {_num(mx(rs, 'fwd', 'float64'))}",
                    f"{_num(mx(rs, 'bwd', 'float32'))} / {_num(mx(rs, 'bwd', 'float64'))}",
                    f"{100 * max((r.ratio for r in rs), default=0):.0f}"))
    return out


def _title(report):
    return "gradparity: impl vs torch parity report"


def _meta_line(report):
    v = report.versions
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (f"{len(report.rows)} specs x {report.samples} derandomized samples each; impl {v.get('impl', '?')} vs "
            f"torch {v.get('torch', '?')} (numpy {v.get('numpy', '?')}, Python {v.get('python', '?')}); "
            f"checks took {report.seconds:.1f} s; generated {when} by `python -m reference.report`.")


LEGEND = (
    "Errors are maxima over the samples and over all outputs (forward) or all input gradients (backward, with a "
    "random cotangent), one number per dtype in the order of the dtypes column. abs = |impl - torch|; "
    "rel = |impl - torch| / |torch| over the elements where |torch| > atol (smaller reference values are judged by abs "
    "alone). tol% = the worst error as a percentage of its tolerance (torch.testing.assert_close's defaults "
    "unless loosened below). checked = the samples on which the forward and backward comparisons compared at least "
    "one value (summed over dtypes); an empty output compares nothing and is not counted. gradcheck = float64 "
    "central differences of impl alone, with the samples that had gradient entries to check (n/a: not "
    "differentiable). A check that compared nothing on every sample makes the status NOTHING CHECKED, never ok. "
    "error inputs = inputs on which both libraries must raise the same exception class (passed/total)."
)


# ---- the API surface ------------------------------------------------------------------------------------------
SURFACE_LEGEND = ("The torch names reference/surface.py lists (from real PyTorch code: tutorials, nanoGPT/minGPT, "
                  "torchvision's ResNet, HuggingFace BERT/GPT-2, the array API standard, tinygrad's torch "
                  "cross-check) and whether impl has each at the same place; for callables in both, whether the "
                  "parameters (names, order, kinds, defaults) equal torch's inspect.signature. Torch's C++ builtins "
                  "expose no signature and are counted apart.")
SURFACE_HEAD = ("namespace", "listed", "present", "missing", "signatures equal", "signatures differ",
                "no signature in torch")


def _surface_missing(res):
    from reference.surface import SURFACE

    return [(ns, res.missing[ns]) for ns in SURFACE if res.missing.get(ns)]


def _surface_markdown(res) -> list:
    if res is None:
        return []
    from reference.surface import namespace_rows

    c = res.counts()
    lines = ["## API surface", "", SURFACE_LEGEND, "",
             f"**{c['present']} of {c['listed']} listed names present, {c['missing']} missing; "
             f"{c['signature differences']} signature differences** ({c['signatures equal']} equal, "
             f"{c['deliberate differences']} deliberate, {c['no signature in torch']} without a signature in torch).",
             "", "| " + " | ".join(SURFACE_HEAD) + " |", "|---|" + "---:|" * (len(SURFACE_HEAD) - 1)]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in namespace_rows(res)]
    lines += ["", "Missing from impl:", ""]
    lines += [f"- `{ns}` ({len(names)}): {', '.join(f'`{n}`' for n in names)}" for ns, names in _surface_missing(res)] \
        or ["- none"]
    lines += ["", "Signature differences:", ""]
    lines += [f"- `{ns}.{name}`: {_md_cell('; '.join(d))}" for (ns, name), d in res.differences.items()] or ["- none"]
    lines += [f"- `{ns}.{name}` (deliberate): {_md_cell('; '.join(d))}" for (ns, name), d in res.excepted.items()]
    return lines + [""]


def _surface_html(res) -> list:
    if res is None:
        return []
    from reference.surface import namespace_rows

    c = res.counts()
    out = ['<h2 id="surface">API surface</h2>', f"<p class=legend>{_h(SURFACE_LEGEND)}</p>",
           f"<p><b>{c['present']} of {c['listed']} listed names present, {c['missing']} missing; "
           f"{c['signature differences']} signature differences</b> ({c['signatures equal']} equal, "
           f"{c['deliberate differences']} deliberate, {c['no signature in torch']} without a signature in "
           "torch).</p><table><tr>" + "".join(f"<th>{_h(h)}</th>" for h in SURFACE_HEAD) + "</tr>"]
    for row in namespace_rows(res):
        bad = row[3] or row[5]
        out.append(f'<tr class="{"fail" if bad else ""}"><td>{_h(row[0])}</td>'
                   + "".join(f'<td class="n">{x}</td>' for x in row[1:]) + "</tr>")
    out.append("</table><p>Missing from impl:</p><ul>")
    out += [f"<li><b>{_h(ns)}</b> ({len(names)}): <code>{_h(' '.join(names))}</code></li>"
            for ns, names in _surface_missing(res)] or ["<li>none</li>"]
    out.append("</ul><p>Signature differences:</p><ul>")
    out += [f"<li><code>{_h(ns)}.{_h(name)}</code>: {_h('; '.join(d))}</li>"
            for (ns, name), d in res.differences.items()] or ["<li>none</li>"]
    out += [f"<li><code>{_h(ns)}.{_h(name)}</code> (deliberate): {_h('; '.join(d))}</li>"
            for (ns, name), d in res.excepted.items()]
    out.append("</ul>")
    return out


# ---- Markdown -----------------------------------------------------------------------------------------------
def _md_cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report, out_dir=".") -> str:
    c = report.counts()
    lines = [f"# {_title(report)}", "", _meta_line(report), ""]
    verdict = ("**All ops agree with torch.**" if not c["failing"] and not c["nothing checked"]
               else f"**{c['failing']} of {c['specs']} ops FAIL parity.**" if c["failing"]
               else f"**{c['nothing checked']} of {c['specs']} ops had a check that compared nothing.**")
    cs = c["checked samples"]
    lines += ["## Summary", "", verdict, "", "| | |", "|---|---|",
              f"| specs | {c['specs']} |",
              f"| ops passing | {c['passing']} |",
              f"| ops failing | {c['failing']} |",
              f"| ops with a check of nothing | {c['nothing checked']} |",
              f"| samples checked (forward / backward / gradcheck) | "
              f"{' / '.join(_ratio(cs[k]) for k in ('forward', 'backward', 'gradcheck'))} |",
              f"| gradcheck passing (with gradient entries checked) | {c['gradcheck'][0]}/{c['gradcheck'][1]} |",
              f"| error inputs passing | {c['error inputs'][0]}/{c['error inputs'][1]} |",
              f"| known divergences | {c['divergences']} |",
              f"| loosened tolerances | {c['loosened']} |", ""]
    if report.failed:
        lines += ["## Failures", ""]
        for r in report.failed:
            lines.append(f"- **{r.spec.name}** ({r.spec.family}):")
            for f in r.failures[:3]:
                lines.append(f"  - `{f[:400].replace('`', chr(39))}`")
            if len(r.failures) > 3:
                lines.append(f"  - (+{len(r.failures) - 3} more failing checks)")
        lines.append("")
    lines += ["## Families", "", "| family | specs | passing | fwd max abs (f32 / f64) | bwd max abs (f32 / f64) | tol% |",
              "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {n} | {k} | {p} | {f} | {b} | {t} |" for n, k, p, f, b, t in _family_summary(report.rows)]
    lines += ["", "## Ops", "", LEGEND, ""]
    head = ("| op | family | dtypes | fwd abs | fwd rel | bwd abs | bwd rel | tol% | checked | gradcheck | "
            "error inputs | divergences and loosened tolerances | status |")
    for fam, rs in _by_family(report.rows).items():
        lines += [f"### {fam}", "", head, "|---|---|---|---:|---:|---:|---:|---:|---|---|---|---|---|"]
        for r in rs:
            notes = [f"divergence: {d.what} — {d.reason}" for d in r.spec.divergences]
            notes += [f"loosened: {_loosened_text(*lo)}" for lo in r.spec.loosened()]
            lines.append(
                f"| `{_md_cell(r.spec.name)}` | {r.spec.family} | {_dtypes(r)} | {_per_dtype(r, r.fwd)} | "
                f"{_per_dtype(r, r.fwd_rel)} | {_per_dtype(r, r.bwd)} | {_per_dtype(r, r.bwd_rel)} | "
                f"{100 * r.ratio:.0f} | {_checked(r)} | {_gc(r)} | {_errs(r)} | {_md_cell('<br>'.join(notes)) or '-'} | "
                f"{_status(r)} |")
        lines.append("")
    lines += _surface_markdown(report.surface)
    lines += ["## Known divergences", "",
              "Documented, deliberate differences from torch, each with its reason (per spec and per spec module).", ""]
    divs = [(r.spec.name, d) for r in report.rows for d in r.spec.divergences] + report.module_divergences
    lines += [f"- **{_md_cell(where)}**: {d.what} — {d.reason}" for where, d in divs] or ["- none"]
    lines += ["", "## Loosened tolerances", "",
              "Every tolerance above torch.testing.assert_close's defaults (float32 rtol 1.3e-6 atol 1e-5; float64 "
              "rtol 1e-7 atol 1e-7), with the reason written next to it in the spec.", ""]
    lines += [f"- **{r.spec.name}** {_loosened_text(*lo)}" for r in report.rows for lo in r.spec.loosened()] or ["- none"]
    lines += ["", "## Milestone loss curves", ""]
    if report.plots:
        lines += ["impl and torch trained from identical initial weights on identical batches (float32); the lower "
                  "panel is their relative difference. Regenerate with `python -m milestones --plot`.", ""]
        for p in report.plots:
            rel = os.path.relpath(p, out_dir).replace(os.sep, "/")
            lines += [f"![{p.stem}]({rel})", ""]
    else:
        lines += ["No plots found in `milestones/out/`: run `python -m milestones --plot` to produce them.", ""]
    return "\n".join(lines)


# ---- HTML ---------------------------------------------------------------------------------------------------
CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:20px 24px;color:#1f2328;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}.meta{color:#57606a;margin:0 0 16px}
.verdict{display:inline-block;padding:6px 14px;border-radius:6px;font-weight:600;margin:6px 0 12px}
.verdict.ok{background:#dafbe1;color:#116329}.verdict.fail{background:#ffebe9;color:#a40e26}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}
.card{border:1px solid #d0d7de;border-radius:8px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:22px}.card span{color:#57606a;font-size:12px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:12.5px}
th,td{border:1px solid #d0d7de;padding:3px 7px;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0;text-align:left}
td.n{text-align:right;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;white-space:nowrap;font-size:12px}
td.dt{white-space:nowrap}nav{margin:4px 0 8px;font-size:13px}nav a{margin-right:14px}
td.op{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;min-width:180px;max-width:260px}
tr.fail td{background:#fff1f0}.ok{color:#116329;font-weight:600}.bad{color:#a40e26;font-weight:700}
.na{color:#8c959f}.note{font-size:12px;color:#3d444d;min-width:180px;max-width:480px}
.legend{color:#57606a;font-size:12.5px;max-width:1100px}
ul.fails code{font-size:12px;white-space:pre-wrap}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:12px;max-width:1500px}
figure{margin:0;border:1px solid #d0d7de;border-radius:6px;padding:6px}
figure img{width:100%;height:auto;display:block}figcaption{color:#57606a;font-size:12px;text-align:center}
"""


def _h(x):
    return html.escape(str(x))


def _status_html(ok_text, ok):
    return f'<span class="{"ok" if ok else "bad"}">{_h(ok_text)}</span>'


def _gc_html(row):
    if row.gc is None:
        return '<span class="na">n/a</span>'
    k = row.checked.get("gradcheck", [0, 0])
    return _status_html(_gc(row), bool(row.gc) and k[0] > 0)


def _breakable(name):
    """An op name that may wrap after '_' and '.' (long F.* names would otherwise widen the table)."""
    return _h(name).replace("_", "_<wbr>").replace(".", ".<wbr>")


def _img_src(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def render_html(report: Report) -> str:
    c = report.counts()
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_h(_title(report))}</title><style>{CSS}</style></head><body>",
           f"<h1>{_h(_title(report))}</h1>", f'<p class="meta">{_h(_meta_line(report))}</p>']
    if c["failing"]:
        out.append(f'<div class="verdict fail">{c["failing"]} of {c["specs"]} ops FAIL parity</div>')
    elif c["nothing checked"]:
        out.append(f'<div class="verdict fail">{c["nothing checked"]} of {c["specs"]} ops had a check that '
                   "compared nothing</div>")
    else:
        out.append(f'<div class="verdict ok">All {c["specs"]} ops agree with torch</div>')
    cs = c["checked samples"]
    cards = [("specs", c["specs"]), ("ops passing", c["passing"]), ("ops failing", c["failing"]),
             ("ops with a check of nothing", c["nothing checked"]),
             ("samples checked fwd / bwd / gradcheck", " / ".join(_ratio(cs[k]) for k in ("forward", "backward", "gradcheck"))),
             ("gradcheck passing", "{}/{}".format(*c["gradcheck"])),
             ("error inputs passing", "{}/{}".format(*c["error inputs"])),
             ("known divergences", c["divergences"]), ("loosened tolerances", c["loosened"])]
    out.append('<nav><a href="#summary">Summary</a>' + ('<a href="#failures">Failures</a>' if report.failed else "")
               + '<a href="#families">Families</a><a href="#ops">Ops</a><a href="#surface">API surface</a>'
               '<a href="#divergences">Known divergences</a>'
               '<a href="#loosened">Loosened tolerances</a><a href="#milestones">Milestone loss curves</a></nav>')
    out.append('<h2 id="summary">Summary</h2><div class="cards">' + "".join(
        f'<div class="card"><b>{_h(v)}</b><span>{_h(k)}</span></div>' for k, v in cards) + "</div>")
    if report.failed:
        out.append('<h2 id="failures">Failures</h2><ul class="fails">')
        for r in report.failed:
            items = "".join(f"<li><code>{_h(f[:600])}</code></li>" for f in r.failures[:3])
            more = f"<li>(+{len(r.failures) - 3} more failing checks)</li>" if len(r.failures) > 3 else ""
            out.append(f'<li><b class="bad">{_h(r.spec.name)}</b> ({_h(r.spec.family)})<ul>{items}{more}</ul></li>')
        out.append("</ul>")
    out.append('<h2 id="families">Families</h2><table>'
               "<tr><th>family</th><th>specs</th><th>passing</th>"
               "<th>fwd max abs (f32 / f64)</th><th>bwd max abs (f32 / f64)</th><th>tol%</th></tr>")
    for n, k, p, f, b, t in _family_summary(report.rows):
        out.append(f'<tr class="{"" if p == k else "fail"}"><td>{_h(n)}</td><td class="n">{k}</td>'
                   f'<td class="n">{p}</td><td class="n">{_h(f)}</td><td class="n">{_h(b)}</td><td class="n">{t}</td></tr>')
    out.append("</table>")
    out.append(f'<h2 id="ops">Ops</h2><p class="legend">{_h(LEGEND)}</p>')
    head = ("<tr><th>op</th><th>dtypes</th><th>fwd abs</th><th>fwd rel</th><th>bwd abs</th><th>bwd rel</th>"
            "<th>tol%</th><th>checked</th><th>gradcheck</th><th>error inputs</th>"
            "<th>divergences and loosened tolerances</th><th>status</th></tr>")
    for fam, rs in _by_family(report.rows).items():
        out.append(f"<h3>{_h(fam)} ({sum(r.status == 'ok' for r in rs)}/{len(rs)} passing)</h3><table>{head}")
        for r in rs:
            notes = [f"<b>divergence</b>: {_h(d.what)} — {_h(d.reason)}" for d in r.spec.divergences]
            notes += [f"<b>loosened</b>: {_h(_loosened_text(*lo))}" for lo in r.spec.loosened()]
            title = f' title="{_h(r.spec.notes)}"' if r.spec.notes else ""
            out.append(
                f'<tr class="{"" if r.ok else "fail"}"><td class="op"{title}>{_breakable(r.spec.name)}</td>'
                f'<td class="dt">{_h(_dtypes(r))}</td><td class="n">{_h(_per_dtype(r, r.fwd))}</td>'
                f'<td class="n">{_h(_per_dtype(r, r.fwd_rel))}</td><td class="n">{_h(_per_dtype(r, r.bwd))}</td>'
                f'<td class="n">{_h(_per_dtype(r, r.bwd_rel))}</td><td class="n">{100 * r.ratio:.0f}</td>'
                f'<td class="n">{_h(_checked(r))}</td>'
                f"<td>{_gc_html(r)}</td><td class=\"n\">{_h(_errs(r))}</td>"
                f'<td class="note">{"<br>".join(notes) or "<span class=na>-</span>"}</td>'
                f"<td>{_status_html(r.status, r.status == 'ok')}</td></tr>")
        out.append("</table>")
    out += _surface_html(report.surface)
    divs = [(r.spec.name, d) for r in report.rows for d in r.spec.divergences] + report.module_divergences
    out.append('<h2 id="divergences">Known divergences</h2>'
               "<p class=legend>Documented, deliberate differences from torch, each with its "
               "reason (per spec and per spec module).</p><ul>")
    out += [f"<li><b>{_h(w)}</b>: {_h(d.what)} — {_h(d.reason)}</li>" for w, d in divs] or ["<li>none</li>"]
    out.append('</ul><h2 id="loosened">Loosened tolerances</h2>'
               "<p class=legend>Every tolerance above torch.testing.assert_close's "
               "defaults (float32 rtol 1.3e-6 atol 1e-5; float64 rtol 1e-7 atol 1e-7), with the reason written next to "
               "it in the spec.</p><ul>")
    out += [f"<li><b>{_h(r.spec.name)}</b> {_h(_loosened_text(*lo))}</li>" for r in report.rows
            for lo in r.spec.loosened()] or ["<li>none</li>"]
    out.append('</ul><h2 id="milestones">Milestone loss curves</h2>')
    if report.plots:
        out.append("<p class=legend>impl and torch trained from identical initial weights on identical batches "
                   "(float32); the lower panel is their relative difference. Regenerate with "
                   "<code>python -m milestones --plot</code>.</p>")
        out.append('<div class="plots">')
        for p in report.plots:
            out.append(f'<figure><img alt="{_h(p.stem)}" src="{_img_src(p)}"><figcaption>{_h(p.name)}</figcaption></figure>')
        out.append("</div>")
    else:
        out.append("<p>No plots found in <code>milestones/out/</code>: run <code>python -m milestones --plot</code> "
                   "to produce them.</p>")
    out.append("</body></html>")
    return "\n".join(out)


# ---- entry points -----------------------------------------------------------------------------------------
def write_report(specs, out_dir=".", samples=DEFAULT_SAMPLES, progress=True, plots_dir=PLOTS_DIR):
    """Measure ``specs`` and write both files into ``out_dir``. Returns (report, md_path, html_path)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = measure(list(specs), samples=samples, progress=progress, plots_dir=plots_dir)
    md, page = out_dir / MD_NAME, out_dir / HTML_NAME
    md.write_text(render_markdown(report, out_dir), encoding="utf-8")
    page.write_text(render_html(report), encoding="utf-8")
    return report, md, page


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reference.report", description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=None,
                    help=f"derandomized samples per spec (default {DEFAULT_SAMPLES}; for another target "
                         f"{conformance.DEFAULT_SAMPLES})")
    ap.add_argument("-k", default="", help="only specs whose name contains this string")
    ap.add_argument("--out", type=Path, default=None,
                    help="directory for the files (default: here; for another target notes/conformance/)")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    ap.add_argument("--target", default="impl",
                    help="the library judged: impl (the parity report), or torch, tinygrad, 'pkg.module:obj' "
                         "(its conformance report, notes/conformance/<name>.md: specs passing, failing, missing)")
    args = ap.parse_args(argv)
    specs = [s for s in all_specs() if args.k in s.name]
    if not specs:
        ap.error(f"no spec name contains {args.k!r}")
    if args.target != "impl":
        return _conformance_main(args, specs)
    args.samples = DEFAULT_SAMPLES if args.samples is None else args.samples
    args.out = Path(".") if args.out is None else args.out
    t0 = time.time()
    report, md, page = write_report(specs, args.out, samples=args.samples, progress=not args.no_progress)
    c = report.counts()
    print(f"parity report: {c['specs']} specs, {c['passing']} passing, {c['failing']} failing, "
          f"{c['nothing checked']} with a check of nothing, "
          f"{c['divergences']} known divergences, {c['loosened']} loosened tolerances, "
          f"{len(report.plots)} milestone plots ({time.time() - t0:.1f}s)")
    print(f"wrote {md} and {page}")
    for r in report.failed:
        print(f"  FAIL {r.spec.name}: {r.failures[0][:300]}")
    return 1 if report.failed else 0


def _conformance_main(args, specs) -> int:
    """``--target NAME`` (not impl): the conformance report of that library. Exit code 0 whatever it finds (its
    failures are the point), 2 when the target cannot be loaded."""
    try:
        target = conformance.load_target(args.target)
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 2
    samples = conformance.DEFAULT_SAMPLES if args.samples is None else args.samples
    out = conformance.OUT_DIR if args.out is None else args.out
    report, path = conformance.write(specs, samples=samples, out_dir=out, progress=not args.no_progress)
    c = report.counts()
    print(f"{target.name} conformance: {c['specs']} specs, {c['pass']} pass, {c['fail']} fail (forward {c['forward']}, "
          f"VJP {c['VJP']}, gradcheck {c['gradcheck']}, error inputs {c['errors']}), {c['missing']} missing "
          f"({report.seconds:.0f} s)")
    for f, outcome in report.findings:
        print(f"  finding: {f.title}: {outcome}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
