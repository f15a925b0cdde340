"""The main job: every OpSpec against torch on a few fixed seeded samples, summarised on one screen.

    python -m reference.parity            # family table + the ops closest to their tolerance + any failures
    python -m reference.parity --all      # one row per spec
    python -m reference.parity -k matmul  # only specs whose name contains "matmul"

For each spec: ``--samples`` deterministic samples from its strategy; on each, forward and VJP (random
cotangent) vs torch in each of the spec's dtypes, the float64 gradcheck of impl alone, and the error inputs.
Errors are max absolute differences; "tol%" is the worst error as a percentage of the allowed tolerance.
Every check counts the samples on which it really compared something ("checked n/N"): a check that compared
nothing (empty outputs, no input that requires grad) is shown as such, never as "ok".
Exit code 1 if any check fails.
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections import defaultdict

from reference.compare import check_error_input, check_forward, check_gradcheck, check_vjp
from reference.registry import all_specs
from reference.strategies import draw_examples


class Row:
    def __init__(self, spec):
        self.spec = spec
        self.fwd = {}  # dtype -> max abs err
        self.bwd = {}
        self.fwd_rel = {}  # dtype -> max rel err (|err| / |torch's value|)
        self.bwd_rel = {}
        self.ratio = 0.0
        self.gc = None  # None: not applicable; True/False
        self.errors = (0, 0)  # (passed, total)
        self.failures = []
        # check -> [samples on which it compared something, samples it ran on] ("backward" and "gradcheck" only
        # for specs with gradients); a check with 0 of N compared nothing and is never reported as ok
        self.checked = {}

    @property
    def ok(self):
        return not self.failures

    def count(self, check, result):
        k = self.checked.setdefault(check, [0, 0])
        k[0] += bool(result.checked)
        k[1] += 1

    def checked_text(self, check):
        """'n/N' samples checked, '-' where the check does not apply."""
        k = self.checked.get(check)
        return "-" if k is None else f"{k[0]}/{k[1]}"

    @property
    def unchecked(self) -> list:
        """The checks that ran but compared nothing on any sample (a pass of nothing)."""
        return [c for c, (k, n) in self.checked.items() if n and not k]

    @property
    def status(self):
        return "FAIL" if self.failures else ("NOTHING CHECKED" if self.unchecked else "ok")


def run_spec(spec, n_samples):
    row = Row(spec)
    try:
        samples = draw_examples(spec.sample, n_samples)
    except Exception as e:  # noqa: BLE001
        row.failures.append(f"strategy: {type(e).__name__}: {e}")
        return row
    gc_applicable = spec.gradcheck and bool(spec.differentiable) and "float64" in spec.dtypes
    has_grad = bool(spec.differentiable) and bool(spec.float_dtypes)
    if gc_applicable:
        row.gc = True
    for s in samples:
        for dtype in spec.dtypes:
            for label, check, store, rel in (("forward", check_forward, row.fwd, row.fwd_rel),
                                             ("backward", check_vjp, row.bwd, row.bwd_rel)):
                try:
                    res = check(spec, s, dtype)
                except Exception as e:  # noqa: BLE001 - report, don't stop
                    row.failures.append(_first_lines(e, label))
                    continue
                if label == "forward" or has_grad:
                    row.count(f"{label} {dtype}", res)
                if not res.checked:
                    continue
                err = res.err
                store[dtype] = max(store.get(dtype, 0.0), float(err))
                rel[dtype] = max(rel.get(dtype, 0.0), getattr(err, "rel", 0.0))
                row.ratio = max(row.ratio, getattr(err, "ratio", 0.0))
        if gc_applicable:
            try:
                row.count("gradcheck", check_gradcheck(spec, s))
            except Exception as e:  # noqa: BLE001
                row.gc = False
                row.failures.append(_first_lines(e, "gradcheck"))
    passed = 0
    for ei in spec.error_inputs:
        try:
            check_error_input(spec, ei)
            passed += 1
        except Exception as e:  # noqa: BLE001
            row.failures.append(_first_lines(e, "error input"))
    row.errors = (passed, len(spec.error_inputs))
    return row


def _first_lines(e, label, n=2):
    text = str(e).strip().splitlines()
    return f"{label}: {type(e).__name__}: " + " | ".join(text[:n])


def _fmt(x):
    return "-" if x is None else ("0" if x == 0 else f"{x:.1e}")


def _dt(dtypes):
    short = {"float32": "f32", "float64": "f64", "int64": "i64", "bool": "bool"}
    return " ".join(short.get(d, d) for d in dtypes)


def _checked_sum(rows, prefix):
    """'n/N' samples checked over ``rows`` for the checks whose name starts with ``prefix`` ('-' if none ran)."""
    k = n = 0
    for r in rows:
        for c, (a, b) in r.checked.items():
            if c.startswith(prefix):
                k, n = k + a, n + b
    return f"{k}/{n}" if n else "-"


def _gc_text(r):
    """gradcheck: FAIL, or the samples it really checked ("3/3"; "0/3" is a check of nothing, never "ok")."""
    return "-" if r.gc is None else ("FAIL" if not r.gc else r.checked_text("gradcheck"))


def print_spec_rows(rows, out):
    out.write(f"{'op':34s} {'dtypes':9s} {'fwd f32':>8s} {'fwd f64':>8s} {'bwd f32':>8s} {'bwd f64':>8s} {'tol%':>5s} "
              f"{'fwd chk':>7s} {'bwd chk':>7s} {'gradchk':>7s} {'errors':>6s}  status\n")
    for r in rows:
        errs = f"{r.errors[0]}/{r.errors[1]}" if r.errors[1] else "-"
        f32, f64 = (_fmt(r.fwd.get("float32")), _fmt(r.fwd.get("float64"))) if r.spec.float_dtypes else ("exact", "")
        out.write(f"{r.spec.name[:34]:34s} {_dt(r.spec.dtypes):9s} {f32:>8s} "
                  f"{f64:>8s} {_fmt(r.bwd.get('float32')):>8s} {_fmt(r.bwd.get('float64')):>8s} "
                  f"{100 * r.ratio:5.0f} {_checked_sum([r], 'forward'):>7s} {_checked_sum([r], 'backward'):>7s} "
                  f"{_gc_text(r):>7s} {errs:>6s}  {r.status}"
                  + (f" ({', '.join(r.unchecked)})" if r.unchecked and r.ok else "") + "\n")


def print_family_table(rows, out):
    fam = defaultdict(list)
    for r in rows:
        fam[r.spec.family].append(r)
    out.write(f"{'family':14s} {'specs':>5s} {'fwd f32':>8s} {'fwd f64':>8s} {'bwd f32':>8s} {'bwd f64':>8s} {'tol%':>5s} "
              f"{'fwd checked':>11s} {'bwd checked':>11s} {'gc checked':>10s} {'errors':>7s} {'failed':>6s} "
              f"{'unchecked':>9s}\n")
    total = []
    for name, rs in list(fam.items()) + [("TOTAL", rows)]:
        def mx(attr, d, rs=rs):
            vals = [getattr(r, attr).get(d) for r in rs if getattr(r, attr).get(d) is not None]
            return max(vals) if vals else None

        ep, et = sum(r.errors[0] for r in rs), sum(r.errors[1] for r in rs)
        if name == "TOTAL":
            out.write("-" * 124 + "\n")
        out.write(f"{name:14s} {len(rs):5d} {_fmt(mx('fwd', 'float32')):>8s} {_fmt(mx('fwd', 'float64')):>8s} "
                  f"{_fmt(mx('bwd', 'float32')):>8s} {_fmt(mx('bwd', 'float64')):>8s} "
                  f"{100 * max(r.ratio for r in rs):5.0f} {_checked_sum(rs, 'forward'):>11s} "
                  f"{_checked_sum(rs, 'backward'):>11s} {_checked_sum(rs, 'gradcheck'):>10s} {f'{ep}/{et}':>7s} "
                  f"{sum(not r.ok for r in rs):6d} {sum(bool(r.unchecked) for r in rs):9d}\n")
        total = rs
    out.write("(checked = samples on which a check compared at least one value, summed over specs and dtypes; "
              "unchecked = specs with a check that compared nothing on any sample)\n")
    return total


def print_surface(out, limit=40):
    """The surface section: counts, the missing names (the first ``limit`` per namespace) and each signature
    difference."""
    from reference.surface import check, summary_lines

    lines = summary_lines(check(), limit=limit)
    out.write("\nAPI surface (reference/surface.py): " + lines[0] + "\n")
    for line in lines[1:]:
        out.write("  " + line + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m reference.parity", description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=3, help="samples per spec (default 3)")
    ap.add_argument("--all", action="store_true", help="one row per spec instead of the family table")
    ap.add_argument("-k", default="", help="only specs whose name contains this string")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(1)  # tiny tensors: torch's thread pool only adds overhead
    warnings.filterwarnings("ignore")  # torch's broadcast/degrees-of-freedom warnings on deliberate inputs
    out = sys.stdout
    specs = [s for s in all_specs() if args.k in s.name]
    t0 = time.time()
    rows = [run_spec(s, args.samples) for s in specs]
    dt = time.time() - t0
    out.write(f"gradparity op parity: {len(specs)} specs x {args.samples} samples, impl vs torch {torch.__version__} "
              f"({dt:.1f}s)\n\n")
    if args.all:
        print_spec_rows(rows, out)
    else:
        print_family_table(rows, out)
        worst = sorted((r for r in rows if r.ok), key=lambda r: -r.ratio)[:5]
        out.write("\nclosest to tolerance:\n")
        print_spec_rows(worst, out)
    failed = [r for r in rows if not r.ok]
    unchecked = [r for r in rows if r.ok and r.unchecked]
    if unchecked:
        out.write(f"\nNOTHING CHECKED by some check on all {args.samples} samples (not counted as passing): "
                  + ", ".join(f"{r.spec.name} ({', '.join(r.unchecked)})" for r in unchecked) + "\n")
    loosened = [(r.spec.name, lo) for r in rows for lo in r.spec.loosened()]
    out.write(f"\ntolerances loosened: {len(loosened)}" + ("" if not loosened else " (" + ", ".join(
        sorted({f"{n} {k} {d}" for n, (k, d, *_rest) in loosened})) + ")") + "\n")
    print_surface(out)
    if failed:
        out.write(f"\nFAILED: {len(failed)} of {len(rows)} specs\n")
        for r in failed:
            out.write(f"  {r.spec.name}: {r.failures[0][:300]}\n")
            if len(r.failures) > 1:
                out.write(f"    (+{len(r.failures) - 1} more failing checks)\n")
        return 1
    out.write(f"\nall {len(rows) - len(unchecked)} specs with real checks agree with torch"
              + (f"; {len(unchecked)} checked nothing in some check (listed above).\n" if unchecked else ".\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
