"""CPU time per step of one case in two source trees, side by side in one process (impl only, no torch).

    python -m benchmarks.compare_trees TREE_A TREE_B --case "MLP train step" [--rounds 3] [--steps 60]

Each tree's ``impl`` is loaded as its own package (``impl_a``, ``impl_b``; impl uses relative imports only), in a
fresh process pinned to one BLAS/OpenMP thread before numpy loads. Steps alternate A B A B ..., each timed with
``time.process_time``: on a shared machine CPU time is what other processes disturb least, one thread keeps a BLAS
kernel from stalling on a busy core, and alternating single steps lets both trees see the same machine state. The
case is read from *this* tree's benchmarks/cases.py, so both trees run the same code. Printed per round: the median
step of each tree and the ratio B/A; then the range of the ratios over the rounds (each round a new process; odd
rounds set up and step B first, so an order effect shows up as a spread).

The allocator is the largest confounder: glibc raises its mmap threshold as large blocks are freed, and whether a
step's big arrays come from the heap or from fresh zeroed pages varied one CNN step between 10 and 17 ms in the same
tree, depending on what the process had allocated before. ``--heap`` fixes the thresholds high (every block from the
heap, none returned), which measures the work itself; without it the ratios include the allocator's state.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

_CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.py")

_WORKER = r"""
import importlib.util, json, os, sys, time
import numpy as np

def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod

cases_file, case, steps, warmup, tree_a, tree_b, b_first = sys.argv[1:]
cases = load('_bench_cases', cases_file)
order = (1, 0) if b_first == '1' else (0, 1)
trees = (('impl_a', tree_a), ('impl_b', tree_b))
libs, fns = {}, {}
for k in order:
    libs[k] = load(trees[k][0], os.path.join(trees[k][1], 'impl', '__init__.py'))
for k in order:
    fns[k] = cases.ALL[case](libs[k], np.random.default_rng(0))
for _ in range(int(warmup)):
    for k in order:
        fns[k]()
times = [[], []]
for _ in range(int(steps)):
    for k in order:
        t0 = time.process_time()
        fns[k]()
        times[k].append(time.process_time() - t0)
print(json.dumps(times))
"""

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


_HEAP = {"MALLOC_MMAP_THRESHOLD_": str(1 << 30), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}


def run_round(tree_a, tree_b, case, steps, warmup, b_first=False, heap=False):
    """(median A, median B) seconds per step from one process that alternates the two trees step by step."""
    env = dict(os.environ, **{v: "1" for v in _THREAD_VARS}, **(_HEAP if heap else {}))
    argv = [_CASES, case, str(steps), str(warmup), os.path.abspath(tree_a), os.path.abspath(tree_b), str(int(b_first))]
    out = subprocess.run([sys.executable, "-c", _WORKER, *argv], env=env, capture_output=True, text=True, check=True)
    a, b = json.loads(out.stdout.strip().splitlines()[-1])
    return statistics.median(a), statistics.median(b)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("tree_a")
    p.add_argument("tree_b")
    p.add_argument("--case", action="append", required=True, help="a name from benchmarks/cases.py ALL (repeatable)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--heap", action="store_true", help="fixed malloc thresholds: every block from the heap")
    args = p.parse_args(argv)
    for case in args.case:
        ratios = []
        for r in range(args.rounds):
            a, b = run_round(args.tree_a, args.tree_b, case, args.steps, args.warmup, b_first=r % 2 == 1, heap=args.heap)
            ratios.append(b / a)
            first = "B" if r % 2 else "A"
            print(f"{case}: A {a * 1e3:9.3f} ms  B {b * 1e3:9.3f} ms  B/A {b / a:.3f}  ({first} first)", flush=True)
        print(f"{case}: B/A median {statistics.median(ratios):.3f}, range {min(ratios):.3f}-{max(ratios):.3f}",
              flush=True)


if __name__ == "__main__":
    main()
