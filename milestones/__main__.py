"""python -m milestones [NAME ...] [--seed N] [--json] [--plot] [--out DIR]

Trains the milestones on impl (all of them by default) with a tqdm progress bar and prints a results table;
``--json`` prints one JSON line per milestone instead; ``--plot`` also trains the torch twin from the same
initial weights on the same batches and writes a PNG of both loss curves to ``milestones/out/``.
Exit status 1 if any milestone misses its goal.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import MILESTONES
from ._core import count_steps, learning_problems, max_rel_err, run, twin_losses

OUT = Path(__file__).resolve().parent / "out"


def plot(m, seed: int, out_dir: Path) -> Path:
    """Train impl and torch from identical weights on identical batches (float32) and plot both loss curves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    i_losses, t_losses = twin_losses(m, seed, steps=None, dtype="float32")
    steps = np.arange(1, len(i_losses) + 1)
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(7, 6), sharex=True, gridspec_kw=dict(height_ratios=[3, 1]))
    ax.plot(steps, t_losses, label="torch", lw=3, alpha=0.5)
    ax.plot(steps, i_losses, label="impl", lw=1)
    ax.set_yscale("log")
    ax.set_ylabel("training loss")
    ax.set_title(f"{m.title}\n{m.name}, seed {seed}: impl and torch from identical weights and batches", fontsize=9)
    ax.legend()
    rel = np.abs(np.subtract(i_losses, t_losses)) / np.maximum(np.abs(t_losses), 1e-300)
    ax2.semilogy(steps, np.maximum(rel, 1e-17), color="k", lw=1)
    ax2.set_ylabel("|impl - torch| / torch")
    ax2.set_xlabel(f"step (float32; max rel. diff. {max_rel_err(i_losses, t_losses):.2g})")
    fig.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{m.name}_seed{seed}.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def table(rows) -> str:
    head = ["milestone", "goal", "seed", "accuracy", "loss first -> last", "steps", "seconds", "result"]
    body = [[r["milestone"], r["goal"], str(r["seed"]), f"{r['accuracy']:.4f}",
             f"{r['initial_loss']:.4f} -> {r['final_loss']:.4f}", str(r["steps"]), f"{r['seconds']:.2f}",
             "PASS" if r["passed"] else "FAIL"] for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    fmt = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *map(fmt, body)])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m milestones", description=__doc__.split("\n\n")[1])
    ap.add_argument("names", nargs="*", metavar="NAME", help=f"milestones to run (default: all): {', '.join(MILESTONES)}")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="one JSON line per milestone, no progress bar, no table")
    ap.add_argument("--plot", action="store_true", help="write impl vs torch loss curves as PNG under --out")
    ap.add_argument("--out", type=Path, default=OUT, help="directory for --plot (default: milestones/out)")
    args = ap.parse_args(argv)
    unknown = [n for n in args.names if n not in MILESTONES]
    if unknown:
        ap.error(f"unknown milestone(s) {unknown}; choose from {list(MILESTONES)}")
    chosen = [MILESTONES[n] for n in (args.names or MILESTONES)]

    bar = None
    if not args.json:
        from tqdm import tqdm

        bar = tqdm(total=sum(count_steps(m, args.seed) for m in chosen), unit="step", file=sys.stderr)
    rows = []
    for m in chosen:
        progress = None
        if bar is not None:
            bar.set_description(m.name, refresh=False)
            bar.set_postfix_str("", refresh=True)

            def progress(loss, bar=bar):
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.4f}", refresh=False)

        res = run(m, "impl", args.seed, progress=progress)
        row = dict(res.row(), goal=m.goal)
        problems = learning_problems(m, res)
        row["learning_problems"] = problems
        row["passed"] = bool(res.passed and not problems)
        if args.plot:
            row["plot"] = str(plot(m, args.seed, args.out))
        rows.append(row)
        if args.json:
            print(json.dumps(row), flush=True)
    if bar is not None:
        bar.close()
        print(table(rows))
        for r in rows:
            for p in r["learning_problems"]:
                print(f"{r['milestone']}: {p}")
            if "plot" in r:
                print(f"{r['milestone']}: loss curves -> {r['plot']}")
    return 0 if all(r["passed"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
