"""The mutation score of all of impl, from a seeded uniform sample of mutmut's mutants, with a 95% interval.

mutmut 3 makes ~37,500 mutants of impl's undecorated functions; each runs the tests that executed its function, from
seconds (killed by the first) to minutes (a survivor runs them all), so a full run takes days on two cores (the weekly
job, `.github/workflows/mutation.yml`, works through it from a cache). A uniform random sample of n mutants estimates
the score of the whole in an hour or two: the fraction killed in the sample, with its Wilson 95% interval (about
+-5.5 points at n = 200 and a score near 80%). CONTRIBUTING.md, "Mutation testing"::

    mutmut run "impl._dtype.x_*__mutmut_1"              # once: generates mutants/, records which tests run what
    python -m reference.mutation_sample pick --n 200 --seed 0 > sample.txt
    mutmut run --max-children 2 $(cat sample.txt)
    python -m reference.mutation_sample score sample.txt

Reads mutmut's own records (``mutants/**/*.meta``); needs the ``mutation`` extra.
"""
import argparse
import json
import math
import random
import sys
from collections import Counter
from pathlib import Path
from statistics import NormalDist

NOT_KILLED = ("survived", "no tests")  # what the score counts against the suite
KILLED = ("killed", "timeout")  # a timeout is a mutant the tests noticed (an endless loop, say)


def exit_codes(root: Path = Path("mutants")) -> dict:
    """Every mutant's name -> mutmut's recorded exit code (None: not run yet)."""
    codes = {}
    for meta in sorted(root.rglob("*.meta")):
        codes.update(json.loads(meta.read_text())["exit_code_by_key"])
    if not codes:
        raise FileNotFoundError(f"no mutmut records under {root.resolve()}: run `mutmut run` once first")
    return codes


def pick(names, n: int, seed: int) -> list:
    """``n`` mutant names drawn uniformly without replacement, the same for the same names and seed."""
    return sorted(random.Random(seed).sample(sorted(names), n))


Z95 = NormalDist().inv_cdf(0.975)


def wilson(k: int, n: int, z: float = Z95) -> tuple:
    """Wilson score interval for a binomial proportion k/n (95% by default)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def score(sample, codes: dict) -> dict:
    """Counts by mutmut status over the sampled names, and the score (killed / decided) with its interval."""
    from mutmut.stats import status_by_exit_code

    status = Counter(status_by_exit_code[codes[name]] for name in sample)
    killed = sum(status[s] for s in KILLED)
    decided = killed + sum(status[s] for s in NOT_KILLED)
    low, high = wilson(killed, decided)
    return {"sampled": len(sample), "by status": dict(status), "killed": killed, "decided": decided,
            "score": killed / decided if decided else float("nan"), "interval 95%": (low, high)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reference.mutation_sample", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pick", help="print n mutant names, one per line")
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    s = sub.add_parser("score", help="score the names in a file (one per line) from mutmut's records")
    s.add_argument("sample", type=Path)
    args = ap.parse_args(argv)
    codes = exit_codes()
    if args.command == "pick":
        print("\n".join(pick(codes, args.n, args.seed)))
        return 0
    sample = args.sample.read_text().split()
    missing = [name for name in sample if name not in codes]
    if missing:
        print(f"not in mutmut's records (regenerated since the pick?): {missing[:5]} ...", file=sys.stderr)
        return 2
    r = score(sample, codes)
    low, high = r["interval 95%"]
    print(f"{r['sampled']} sampled of {len(codes)} mutants: {r['by status']}")
    print(f"score {r['killed']}/{r['decided']} = {100 * r['score']:.1f}% (95% interval {100 * low:.1f}-{100 * high:.1f}%)")
    from mutmut.stats import status_by_exit_code

    for name in sample:
        if status_by_exit_code[codes[name]] not in KILLED:
            print(f"  {status_by_exit_code[codes[name]]:>11}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
