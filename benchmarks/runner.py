"""Time impl and torch interleaved in one process, on the same thread count."""
import json
import os
import platform
import statistics
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


def machine():
    import torch

    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(f"{i['internal_api']} {i.get('num_threads')}t" for i in threadpool_info() if i["user_api"] == "blas")
    except Exception:  # threadpoolctl is optional
        blas = "unknown"
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas": blas,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }


def format_table(results):
    lines = [f"{'case':<36} {'impl ms':>10} {'torch ms':>10} {'ratio':>7} {'target':>7}", "-" * 74]
    for r in results:
        tgt = r["target"]
        mark = "" if tgt is None else ("  ok" if r["ratio"] <= tgt else "  MISS")
        unit = 1e3
        lines.append(
            f"{r['case']:<36} {r['impl']['median'] * unit:>10.3f} {r['torch']['median'] * unit:>10.3f} "
            f"{r['ratio']:>7.2f} {'' if tgt is None else f'<={tgt}':>7}{mark}"
        )
    return "\n".join(lines)


def main(argv=None):
    import argparse

    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--json", action="store_true", help="one JSON line per case")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--threads", type=int, default=None,
                   help="threads for both libraries (torch.set_num_threads and numpy's BLAS); default: all cores")
    p.add_argument("cases", nargs="*", help="substring filter on case names")
    a = p.parse_args(argv)
    import torch

    threads = a.threads or os.cpu_count() or 1
    torch.set_num_threads(threads)
    try:  # numpy's BLAS on the same thread count as torch
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads, user_api="blas")
    except ImportError:
        pass
    load_before = os.getloadavg()[0]
    selected = {k: v for k, v in cases.ALL.items() if not a.cases or any(s in k for s in a.cases)}
    results = []
    for name, setup in selected.items():
        r = run_case(name, setup, repeats=a.repeats)
        results.append(r)
        if a.json:
            print(json.dumps(r), flush=True)
    if not a.json:
        m = machine()
        m["loadavg_1m"] = f"{load_before:.2f}->{m['loadavg_1m']:.2f}"
        print("machine: " + ", ".join(f"{k}={v}" for k, v in m.items()))
        print(format_table(results))
    return results
