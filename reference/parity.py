"""The main job: every OpSpec against torch on a few fixed seeded samples, summarised on one screen.

    python -m reference.parity            # family table + the ops closest to their tolerance + any failures
    python -m reference.parity --all      # one row per spec
    python -m reference.parity -k matmul  # only specs whose name contains "matmul"

For each spec: ``--samples`` deterministic samples from its strategy; on each, forward and VJP (random
cotangent) vs torch in each of the spec's dtypes, the float64 gradcheck of impl alone, and the error inputs.
Errors are max absolute differences; "tol%" is the worst error as a percentage of the allowed tolerance.
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

    @property
    def ok(self):
        return not self.failures


def run_spec(spec, n_samples):
    row = Row(spec)
    try:
        samples = draw_examples(spec.sample, n_samples)
    except Exception as e:  # noqa: BLE001
        row.failures.append(f"strategy: {type(e).__name__}: {e}")
        return row
    gc_applicable = spec.gradcheck and bool(spec.differentiable) and "float64" in spec.dtypes
    if gc_applicable:
        row.gc = True
    for s in samples:
        for dtype in spec.dtypes:
            for label, check, store, rel in (("forward", check_forward, row.fwd, row.fwd_rel),
                                             ("backward", check_vjp, row.bwd, row.bwd_rel)):
                try:
                    err = check(spec, s, dtype)
                except Exception as e:  # noqa: BLE001 - report, don't stop
                    row.failures.append(_first_lines(e, label))
                    continue
                store[dtype] = max(store.get(dtype, 0.0), float(err))
                rel[dtype] = max(rel.get(dtype, 0.0), getattr(err, "rel", 0.0))
                row.ratio = max(row.ratio, getattr(err, "ratio", 0.0))
        if gc_applicable:
            try:
                check_gradcheck(spec, s)
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


def print_spec_rows(rows, out):
    out.write(f"{'op':34s} {'dtypes':9s} {'fwd f32':>8s} {'fwd f64':>8s} {'bwd f32':>8s} {'bwd f64':>8s} {'tol%':>5s} "
              f"{'gradchk':>7s} {'errors':>6s}  status\n")
    for r in rows:
        gc = "-" if r.gc is None else ("ok" if r.gc else "FAIL")
        errs = f"{r.errors[0]}/{r.errors[1]}" if r.errors[1] else "-"
        f32, f64 = (_fmt(r.fwd.get("float32")), _fmt(r.fwd.get("float64"))) if r.spec.float_dtypes else ("exact", "")
        out.write(f"{r.spec.name[:34]:34s} {_dt(r.spec.dtypes):9s} {f32:>8s} "
                  f"{f64:>8s} {_fmt(r.bwd.get('float32')):>8s} {_fmt(r.bwd.get('float64')):>8s} "
                  f"{100 * r.ratio:5.0f} {gc:>7s} {errs:>6s}  {'ok' if r.ok else 'FAIL'}\n")


def print_family_table(rows, out):
    fam = defaultdict(list)
    for r in rows:
        fam[r.spec.family].append(r)
    out.write(f"{'family':14s} {'specs':>5s} {'fwd f32':>8s} {'fwd f64':>8s} {'bwd f32':>8s} {'bwd f64':>8s} {'tol%':>5s} "
              f"{'gradcheck':>9s} {'errors':>7s} {'failed':>6s}\n")
    total = []
    for name, rs in list(fam.items()) + [("TOTAL", rows)]:
        def mx(attr, d, rs=rs):
            vals = [getattr(r, attr).get(d) for r in rs if getattr(r, attr).get(d) is not None]
            return max(vals) if vals else None

        gcs = [r.gc for r in rs if r.gc is not None]
        ep, et = sum(r.errors[0] for r in rs), sum(r.errors[1] for r in rs)
        if name == "TOTAL":
            out.write("-" * 86 + "\n")
        out.write(f"{name:14s} {len(rs):5d} {_fmt(mx('fwd', 'float32')):>8s} {_fmt(mx('fwd', 'float64')):>8s} "
                  f"{_fmt(mx('bwd', 'float32')):>8s} {_fmt(mx('bwd', 'float64')):>8s} "
                  f"{100 * max(r.ratio for r in rs):5.0f} {f'{sum(gcs)}/{len(gcs)}':>9s} {f'{ep}/{et}':>7s} "
                  f"{sum(not r.ok for r in rs):6d}\n")
        total = rs
    return total


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
    loosened = [(r.spec.name, lo) for r in rows for lo in r.spec.loosened()]
    out.write(f"\ntolerances loosened: {len(loosened)}" + ("" if not loosened else " (" + ", ".join(
        sorted({f"{n} {k} {d}" for n, (k, d, *_rest) in loosened})) + ")") + "\n")
    if failed:
        out.write(f"\nFAILED: {len(failed)} of {len(rows)} specs\n")
        for r in failed:
            out.write(f"  {r.spec.name}: {r.failures[0][:300]}\n")
            if len(r.failures) > 1:
                out.write(f"    (+{len(r.failures) - 1} more failing checks)\n")
        return 1
    out.write(f"\nall {len(rows)} specs agree with torch.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
