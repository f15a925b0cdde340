"""Time impl and torch interleaved in one process, on the same thread count.

Each case builds one step per library; samples alternate impl, torch, impl, torch, ... so that both see the
same machine state (load from other processes hits both). Reported: median/min/max seconds per step and the
ratio of medians impl/torch. ``--threads N`` sets torch.set_num_threads and numpy's BLAS pool (threadpoolctl)
to N for both; on a shared or loaded machine ``--threads 1`` gives the most stable ratios, because a
2-thread BLAS/OpenMP kernel stalls whenever another process holds one of the cores.
"""
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

from . import cases


def _time(fn, n):
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def _calls_per_sample(fn, budget=0.05):
    """How many calls make one sample of about ``budget`` seconds (fast ops need several)."""
    fn()
    t = _time(fn, 1)
    return max(1, int(budget / max(t, 1e-9)))


def run_case(name, setup, repeats=7, seed=0):
    import torch

    import impl

    steps = {}
    for lib in (impl, torch):
        steps[lib.__name__] = setup(lib, np.random.default_rng(seed))
    n = min(_calls_per_sample(s) for s in steps.values())
    samples = {k: [] for k in steps}
    for _ in range(repeats):  # interleaved: both see the same machine state
        for k, s in steps.items():
            samples[k].append(_time(s, n))
    out = {"case": name}
    for k, v in samples.items():
        out[k] = {"median": statistics.median(v), "min": min(v), "max": max(v)}
    out["ratio"] = out["impl"]["median"] / out["torch"]["median"]
    out["target"] = cases.TARGETS.get(name)
    return out


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine():
    import torch

    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(f"{i['internal_api']} {i.get('version')} {i.get('num_threads')}t" for i in threadpool_info()
                         if i["user_api"] == "blas")
    except Exception:  # threadpoolctl is optional
        blas = "unknown"
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas": blas,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }


def _ms(r, lib, key="median"):
    return r[lib][key] * 1e3


def _verdict(r):
    tgt = r["target"]
    return "" if tgt is None else ("ok" if r["ratio"] <= tgt else "MISS")


def format_table(results):
    head = (f"{'case':<36} {'impl ms (min-max)':>24} {'torch ms (min-max)':>24} {'ratio':>6} {'target':>7}")
    lines = [head, "-" * len(head)]
    for r in results:
        tgt = r["target"]
        cols = []
        for lib in ("impl", "torch"):
            cols.append(f"{_ms(r, lib):.3f} ({_ms(r, lib, 'min'):.3f}-{_ms(r, lib, 'max'):.3f})")
        lines.append(f"{r['case']:<36} {cols[0]:>24} {cols[1]:>24} {r['ratio']:>6.2f} "
                     f"{'' if tgt is None else f'<={tgt}':>7} {_verdict(r)}")
    lines += _tiny_op_note(results)
    return "\n".join(lines)


def format_markdown(results):
    lines = ["| case | impl ms, median (min-max) | torch ms, median (min-max) | impl/torch | target |",
             "|---|---:|---:|---:|---|"]
    for r in results:
        tgt = r["target"]
        cols = [f"{_ms(r, lib):.3f} ({_ms(r, lib, 'min'):.3f}-{_ms(r, lib, 'max'):.3f})" for lib in ("impl", "torch")]
        verdict = "" if tgt is None else f"<= {tgt} {_verdict(r)}"
        lines.append(f"| {r['case']} | {cols[0]} | {cols[1]} | {r['ratio']:.2f} | {verdict} |")
    lines += [""] + _tiny_op_note(results)
    return "\n".join(lines)


def _tiny_op_note(results):
    for r in results:
        if r["case"] == "tiny op x100":  # 100 adds per step
            return [f"tiny op dispatch: impl {_ms(r, 'impl') * 10:.2f} us/op, torch {_ms(r, 'torch') * 10:.2f} us/op"]
    return []


def _run(a, threads):
    load_before = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    if threads > 1 and load_before > 0.5 * cores:
        print(f"note: load average {load_before:.2f} on {cores} cores; multi-threaded kernels stall under contention, "
              "--threads 1 gives stabler ratios", file=sys.stderr)
    selected = {k: v for k, v in cases.ALL.items() if not a.cases or any(s in k for s in a.cases)}
    results = []
    for name, setup in selected.items():
        r = run_case(name, setup, repeats=a.repeats)
        results.append(r)
        if a.json:
            print(json.dumps(r), flush=True)
    m = machine()
    m["loadavg_1m"] = f"{load_before:.2f} -> {m['loadavg_1m']:.2f}"
    if a.json:
        print(json.dumps({"machine": m}))
    else:
        print("machine: " + ", ".join(f"{k}={v}" for k, v in m.items()))
        print(format_markdown(results) if a.markdown else format_table(results))
    return results


def main(argv=None):
    import argparse

    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="one JSON line per case, then one with the machine")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown (for README.md)")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--threads", type=int, default=None,
                   help="threads for both libraries (torch.set_num_threads and numpy's BLAS); default: all cores")
    p.add_argument("cases", nargs="*", help="substring filter on case names")
    a = p.parse_args(argv)
    import torch

    threads = a.threads or os.cpu_count() or 1
    prev_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    limiter = None
    try:  # numpy's BLAS on the same thread count as torch
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(threads, user_api="blas")
    except ImportError:
        pass
    try:
        results = _run(a, threads)
    finally:  # leave the process as it was (the tests call main in-process); threadpoolctl first, it resets OpenMP
        if limiter is not None:
            limiter.restore_original_limits()
        torch.set_num_threads(prev_threads)
    return results
