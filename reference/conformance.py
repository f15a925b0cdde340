"""The conformance report of a target other than impl: which specs pass, fail or are missing in that library.

    python -m reference.report --target tinygrad    # writes notes/conformance/tinygrad.md
    python -m reference.report --target torch       # torch against itself: every spec must pass

Every OpSpec runs through the generic checks of reference/compare.py on the target (forward and VJP vs torch in
each of the spec's dtypes, the float64 gradcheck of the target alone, the error inputs' exception classes) on
``samples`` derandomized samples. Each spec is then

* **pass**     every check ran and agreed with torch;
* **fail**     some check disagreed (forward, VJP, gradcheck or an error input), with the max errors and the first
  messages;
* **missing**  nothing failed, but some case could not be called: the name is not in the library (AttributeError),
  the adapter maps no counterpart for an argument (``NotMapped``-style exceptions whose class name is NotMapped),
  or the library's function does not take torch's arguments (TypeError "unexpected keyword argument" / "positional
  argument").

An error input whose call is missing in the library is counted as missing, not failed. The target's ``findings``
(what looks like a bug in the library, with a standalone reproducer) are run and reported with whether they still
reproduce. The run's counts and time are kept in the file's run history (one row per run).
"""
from __future__ import annotations

import datetime
import re
import sys
import time
import traceback
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from reference import targets
from reference.compare import check_error_input, check_forward, check_gradcheck, check_vjp
from reference.strategies import draw_examples

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "notes" / "conformance"
DEFAULT_SAMPLES = 2  # per spec, each in every dtype of the spec: hypothesis's first derandomized example is the smallest
# (often 0-d), the second is not. Three (the parity report's number) took tinygrad 7.7 CPU minutes, two about two thirds
_SIGNATURE = re.compile(r"unexpected keyword argument|positional argument|required keyword-only argument")
RUNS_HEAD = "| run (UTC) | seconds | samples | specs | pass | fail | missing |"


def missing_reason(exc) -> str:
    """Why ``exc`` (or an exception it was raised from) means "this call does not exist in the library" ("" if it
    does not)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if type(exc).__name__ == "NotMapped":
            return f"not mapped: {exc}"
        if isinstance(exc, AttributeError):
            return f"missing name: {exc}"
        if isinstance(exc, TypeError) and _SIGNATURE.search(str(exc)):
            return f"signature: {exc}"
        exc = exc.__cause__ or exc.__context__
    return ""


@dataclass
class SpecResult:
    spec: object
    fwd: dict = field(default_factory=dict)  # dtype -> max abs error
    bwd: dict = field(default_factory=dict)
    gc: float | None = None  # max abs error of the gradcheck, None where it did not run
    failed: dict = field(default_factory=dict)  # check ("forward", "VJP", "gradcheck", "errors") -> first messages
    missing: list = field(default_factory=list)  # reasons, one per distinct reason
    cases: int = 0  # (sample, dtype) forward calls attempted
    cases_missing: int = 0
    errors: list = field(default_factory=lambda: [0, 0, 0])  # error inputs passed, total, missing
    seconds: float = 0.0

    @property
    def status(self) -> str:
        return "fail" if self.failed else ("missing" if self.cases_missing else "pass")

    def fail(self, check, exc):
        self.failed.setdefault(check, []).append(_first_lines(exc))

    def miss(self, reason):
        if reason not in self.missing:
            self.missing.append(reason)


def _first_lines(exc, n=2) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: " + " | ".join(lines[:n])[:400]


def run_spec(spec, samples) -> SpecResult:
    """Every check of one spec on the current target, classified."""
    r = SpecResult(spec)
    try:
        drawn = draw_examples(spec.sample, samples)
    except Exception as e:  # noqa: BLE001
        r.fail("forward", e)
        return r
    gc_applicable = spec.gradcheck and bool(spec.differentiable) and "float64" in spec.dtypes
    for s in drawn:
        callable_here = False
        for dtype in spec.dtypes:
            r.cases += 1
            try:
                res = check_forward(spec, s, dtype)
            except Exception as e:  # noqa: BLE001
                why = missing_reason(e)
                if why:
                    r.cases_missing += 1
                    r.miss(why)
                    continue
                r.fail("forward", e)  # the VJP is its own check: it still runs
            else:
                if res.checked:
                    r.fwd[dtype] = max(r.fwd.get(dtype, 0.0), float(res.err))
            callable_here = True
            try:
                res = check_vjp(spec, s, dtype)
            except Exception as e:  # noqa: BLE001
                r.fail("VJP", e)
                continue
            if res.checked:
                r.bwd[dtype] = max(r.bwd.get(dtype, 0.0), float(res.err))
        if gc_applicable and callable_here:
            try:
                res = check_gradcheck(spec, s)
            except Exception as e:  # noqa: BLE001
                r.fail("gradcheck", e)
            else:
                if res.checked:
                    r.gc = max(r.gc or 0.0, float(res.err))
    for ei in spec.error_inputs:
        r.errors[1] += 1
        try:
            check_error_input(spec, ei)
            r.errors[0] += 1
        except Exception as e:  # noqa: BLE001
            why = missing_reason(e)
            if why:
                r.errors[2] += 1
            else:
                r.fail("errors", e)
    return r


def run_findings(target) -> list:
    """[(Finding, "reproduces" | "does not reproduce: ..." )] for the target's findings, each run standalone."""
    out = []
    for f in target.findings:
        try:
            exec(compile(f.code, f"<finding {f.title}>", "exec"), {"__name__": "__finding__"})  # noqa: S102
        except AssertionError as e:
            out.append((f, f"does not reproduce (an assert failed: {e or 'see the code'})"))
        except Exception as e:  # noqa: BLE001
            out.append((f, f"does not run: {type(e).__name__}: {e}"))
        else:
            out.append((f, "reproduces"))
    return out


@dataclass
class Conformance:
    target: object
    results: list
    samples: int
    started: datetime.datetime
    seconds: float
    versions: dict
    findings: list

    def counts(self, results=None) -> dict:
        results = self.results if results is None else results
        c = {"specs": len(results), "pass": 0, "fail": 0, "missing": 0}
        for k in ("forward", "VJP", "gradcheck", "errors"):
            c[k] = 0
        for r in results:
            c[r.status] += 1
            for k in r.failed:
                c[k] += 1
        return c

    def by_family(self) -> dict:
        fam = defaultdict(list)
        for r in self.results:
            fam[r.spec.family or "other"].append(r)
        return fam


def measure(specs, samples=DEFAULT_SAMPLES, progress=True) -> Conformance:
    import numpy as np
    import torch

    target = targets.current()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    np.random.seed(0)
    started = datetime.datetime.now(datetime.timezone.utc)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(specs), unit="spec", file=sys.stderr, desc=f"{target.name} conformance",
                   dynamic_ncols=True)
    t0 = time.time()
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for spec in specs:
            if bar is not None:
                bar.set_postfix_str(spec.name, refresh=False)
            t_spec = time.time()
            results.append(run_spec(spec, samples))
            results[-1].seconds = time.time() - t_spec
            if bar is not None:
                bar.update()
    if bar is not None:
        bar.close()
    seconds = time.time() - t0
    return Conformance(target, results, samples, started, seconds, _versions(target), run_findings(target))


def _versions(target) -> dict:
    import platform
    from importlib import metadata

    import numpy as np
    import torch

    out = {"torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version()}
    try:
        out[target.name] = metadata.version(target.name)
    except metadata.PackageNotFoundError:
        out[target.name] = "?"
    out.update(getattr(target, "environment", lambda: {})())
    return out


# ---- Markdown -----------------------------------------------------------------------------------------------
def _num(x):
    return "-" if x is None else ("0" if x == 0 else f"{x:.1e}")


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _errs(r):
    passed, total, missing = r.errors
    if not total:
        return "-"
    return f"{passed}/{total}" + (f" ({missing} missing)" if missing else "")


def _max_errors(r):
    f = " / ".join(_num(r.fwd.get(d)) for d in r.spec.float_dtypes) or ("exact" if r.fwd else "-")
    b = " / ".join(_num(r.bwd.get(d)) for d in r.spec.float_dtypes) or "-"
    return f, b


def _previous_runs(path: Path) -> list:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    if RUNS_HEAD not in lines:
        return []
    rows = []
    for line in lines[lines.index(RUNS_HEAD) + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def render(report: Conformance, previous_runs=()) -> str:
    t, c, v = report.target, report.counts(), report.versions
    name = t.name
    when = report.started.strftime("%Y-%m-%d %H:%M UTC")
    env = ", ".join(f"{k} {val}" for k, val in v.items() if k not in ("torch", "numpy", "python", name))
    lines = [f"# {name} conformance report", "",
             f"Generated by `python -m reference.report --target {name}` on {when} ({report.seconds:.0f} s): "
             f"{c['specs']} specs x {report.samples} derandomized sample(s) each, every sample in each of the spec's "
             f"dtypes; {name} {v.get(name, '?')}" + (f" ({env})" if env else "") + f" vs torch {v['torch']} "
             f"(numpy {v['numpy']}, Python {v['python']}).", "",
             "Checks per spec (reference/compare.py): forward and VJP (random cotangent) vs torch at "
             "torch.testing.assert_close's default tolerances (or the spec's written loosening), the float64 "
             "central-difference gradcheck of the library alone, and the error inputs (torch's exception class; "
             "messages are not compared). **pass**: all ran and agreed. **fail**: a check disagreed. **missing**: "
             "nothing failed but some case could not be called (the name, or torch's argument, does not exist in "
             f"{name}, or its adapter maps no counterpart). An error input whose call is missing is counted apart. "
             "Failing and missing specs are the library's conformance, not a gate: `pytest` judges impl.", "",
             "## Summary", "",
             f"**{c['pass']} pass, {c['fail']} fail, {c['missing']} missing** of {c['specs']} specs. Failing checks: "
             f"forward {c['forward']}, VJP {c['VJP']}, gradcheck {c['gradcheck']}, error inputs {c['errors']} "
             "(a spec can fail several).", "",
             "| family | specs | pass | fail | forward | VJP | gradcheck | errors | missing |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for fam, rs in report.by_family().items():
        k = report.counts(rs)
        lines.append(f"| {fam} | {k['specs']} | {k['pass']} | {k['fail']} | {k['forward']} | {k['VJP']} | "
                     f"{k['gradcheck']} | {k['errors']} | {k['missing']} |")
    lines.append(f"| **total** | {c['specs']} | {c['pass']} | {c['fail']} | {c['forward']} | {c['VJP']} | "
                 f"{c['gradcheck']} | {c['errors']} | {c['missing']} |")
    row = (f"| {when} | {report.seconds:.0f} | {report.samples} | {c['specs']} | {c['pass']} | {c['fail']} | "
           f"{c['missing']} |")
    lines += ["", "## Runs", "", "Every regeneration of this file adds its row.", "", RUNS_HEAD,
              "|---|---:|---:|---:|---:|---:|---:|", *previous_runs, row, "",
              "Slowest specs of this run: " + ", ".join(
                  f"`{r.spec.name}` {r.seconds:.1f} s" for r in sorted(report.results, key=lambda r: -r.seconds)[:5])
              + ".", ""]
    lines += ["## Findings", ""]
    if not report.findings:
        lines += ["None recorded for this target.", ""]
    for f, outcome in report.findings:
        lines += [f"### {f.title}", "", f.detail, "", f"Reproducer ({outcome} with {name} {v.get(name, '?')}):", "",
                  "```python", f.code.strip(), "```", ""]
    failing = [r for r in report.results if r.status == "fail"]
    lines += ["## Failing specs", "",
              "Max abs errors per dtype (f32 / f64) where the comparison ran; the first message of each failing check.",
              "", "| spec | family | failing checks | fwd max abs | bwd max abs | gradcheck | error inputs | first message |",
              "|---|---|---|---:|---:|---:|---:|---|"]
    for r in failing:
        fwd, bwd = _max_errors(r)
        first = "; ".join(f"{k}: {msgs[0]}" for k, msgs in r.failed.items())
        lines.append(f"| `{_cell(r.spec.name)}` | {r.spec.family} | {', '.join(r.failed)} | {fwd} | {bwd} | "
                     f"{_num(r.gc)} | {_errs(r)} | {_cell(first[:500])} |")
    lines += ["", "## Missing specs", "", "| spec | family | cases missing | why |", "|---|---|---:|---|"]
    for r in (r for r in report.results if r.status == "missing"):
        lines.append(f"| `{_cell(r.spec.name)}` | {r.spec.family} | {r.cases_missing}/{r.cases} | "
                     f"{_cell('; '.join(r.missing)[:300])} |")
    lines += ["", "## Passing specs", "", "| spec | family | fwd max abs | bwd max abs | gradcheck | error inputs |",
              "|---|---|---:|---:|---:|---:|"]
    for r in (r for r in report.results if r.status == "pass"):
        fwd, bwd = _max_errors(r)
        lines.append(f"| `{_cell(r.spec.name)}` | {r.spec.family} | {fwd} | {bwd} | {_num(r.gc)} | {_errs(r)} |")
    return "\n".join(lines) + "\n"


def write(specs, samples=DEFAULT_SAMPLES, out_dir=OUT_DIR, progress=True):
    """Measure ``specs`` on the current target and write ``out_dir/<target>.md``. Returns (report, path)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{targets.current().name}.md"
    report = measure(list(specs), samples=samples, progress=progress)
    path.write_text(render(report, _previous_runs(path)), encoding="utf-8")
    return report, path


def load_target(name):
    """The target ``name``, selected, or SystemExit with the reason (e.g. its optional extra is not installed)."""
    try:
        return targets.select(name)
    except ImportError as e:
        raise SystemExit(f"target {name!r} cannot be loaded: {e}") from e
    except Exception:  # noqa: BLE001
        raise SystemExit(f"target {name!r} cannot be loaded:\n{traceback.format_exc(limit=2)}") from None
