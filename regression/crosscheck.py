"""Do the generic suites catch each catalogued bug too?  ``python -m regression.crosscheck``

For every entry (and each of its variants) this runs the generic suites (default: ``property_tests``) in a
subprocess with the bug reintroduced (``regression/_reintroduce_plugin.py``), stopping at the first failure.
A failure means the generic tests catch the bug; a clean run means only the guard does. Tests that already
fail without any bug (the baseline run) are deselected so they cannot count as catches.

Options: ``--suites a b`` (paths), ``--only 007 021:recursive`` (entries/variants), ``--timeout SECONDS``
(per run), ``--write`` (rewrite each entry's "Generic tests catch it too" line from the results, adding the
entry's ``GENERIC_NOTE`` when a variant is missed), ``--json PATH`` (results file; default
regression/generic_coverage.json), ``--write-only`` (rewrite from the JSON without running anything).
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from regression import index

ROOT = Path(__file__).resolve().parents[1]
PER_TEST_TIMEOUT = 120  # seconds: a single generic test that hangs with the bug reintroduced counts as catching it
FAILED_RE = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.M)


def _pytest(suites, env_spec, deselect, timeout):
    cmd = [sys.executable, "-m", "pytest", *suites, "-x", "-q", "-p", "no:cacheprovider", "-p",
           "regression._reintroduce_plugin", "-rfE", "--no-header", "-W", "ignore"]
    for d in deselect:
        cmd += ["--deselect", d]
    env = dict(os.environ)
    env.pop("REGRESSION_REINTRODUCE", None)
    if env_spec:
        env["REGRESSION_REINTRODUCE"] = env_spec
        env["REGRESSION_TEST_TIMEOUT"] = str(PER_TEST_TIMEOUT)
    t0 = time.time()
    try:
        p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", [], time.time() - t0, ""
    failed = FAILED_RE.findall(p.stdout)
    status = "pass" if p.returncode == 0 else ("fail" if failed or p.returncode == 1 else f"error rc={p.returncode}")
    return status, failed, time.time() - t0, p.stdout[-3000:] + p.stderr[-2000:]


def _targets(only):
    out = []
    for p in index.entry_files():
        mod = importlib.import_module(f"regression.{p.stem}")
        variants = (None, *getattr(mod, "VARIANTS", ()))
        for v in variants:
            key = p.stem[5:8] + (f":{v}" if v else "")
            if only and key not in only and p.stem[5:8] not in only:
                continue
            out.append((p.stem, v))
    return out


def _baseline_failures(suites, timeout):
    cmd = [sys.executable, "-m", "pytest", *suites, "-q", "-p", "no:cacheprovider", "-rfE", "--no-header", "-W", "ignore"]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return FAILED_RE.findall(p.stdout)


def _line_for(stem, results):
    """The docstring line from one entry's results {variant: {...}} (plus the entry's GENERIC_NOTE, if any)."""
    mod = importlib.import_module(f"regression.{stem}")
    note = getattr(mod, "GENERIC_NOTE", "")
    named = {v: r for v, r in results.items() if v != "all"} or results
    caught = {v: r for v, r in named.items() if r["status"] == "fail"}
    missed = [v for v, r in named.items() if r["status"] != "fail"]
    if not missed:
        by = sorted({r["by"][0] for r in caught.values()})
        line = "yes -- caught by " + ", ".join(f"`{b}`" for b in by)
        if len(named) > 1:
            line += " (each variant checked separately)"
    elif caught:
        by = sorted({r["by"][0] for r in caught.values()})
        line = (f"partly -- variant(s) {', '.join(sorted(caught))} caught by " + ", ".join(f"`{b}`" for b in by)
                + f"; variant(s) {', '.join(missed)} pass every generic suite")
    else:
        line = "no -- every generic suite passes with this bug reintroduced"
    if missed and note:
        line += f". {note}"
    return line + " (`python -m regression.crosscheck`)."


def write_docstrings(data):
    for p in index.entry_files():
        res = data.get(p.stem)
        if not res:
            continue
        text = p.read_text()
        m = re.search(r"\*\*Generic tests catch it too:\*\*[ \t]*(.*?)(?=\n\n|\n\"\"\")", text, re.S)
        if not m:
            continue
        text = text[: m.start(1)] + _wrap(_line_for(p.stem, res)) + text[m.end(1):]
        p.write_text(text)


def _wrap(s, width=110):
    words, lines, cur = s.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    lines.append(cur)
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--suites", nargs="+", default=["property_tests"])
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--json", default=str(Path(__file__).with_name("generic_coverage.json")))
    ap.add_argument("--write-only", action="store_true")
    args = ap.parse_args(argv)
    if args.write_only:
        write_docstrings(json.loads(Path(args.json).read_text()))
        return index.main([])
    t0 = time.time()
    base = _baseline_failures(args.suites, args.timeout * 2)
    print(f"baseline ({time.time() - t0:.0f}s): {len(base)} pre-existing failure(s) deselected: {base}", flush=True)
    path = Path(args.json)
    data = json.loads(path.read_text()) if path.exists() else {}
    for stem, v in _targets(set(args.only)):
        spec = stem + (f":{v}" if v else "")
        status, failed, secs, tail = _pytest(args.suites, spec, base, args.timeout)
        data.setdefault(stem, {})[v or "all"] = {"status": status, "by": failed[:3], "seconds": round(secs, 1)}
        print(f"{spec:55s} {status:8s} {secs:7.1f}s  {failed[:1]}", flush=True)
        if status.startswith("error"):
            print(tail, flush=True)
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    if args.write:
        write_docstrings(data)
        index.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
