"""Smoke tests for the benchmark runner: every case runs on both libraries, and the outputs parse.

No timing is asserted here (the machine may be loaded); `python -m benchmarks` is the measurement."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import impl
from benchmarks import cases, compare_trees, runner

pytestmark = pytest.mark.impl_only(reason="about impl itself: the benchmark runner's impl cases")


@pytest.mark.parametrize("name", list(cases.ALL))
def test_case_runs_on_both_libraries(name):
    for lib in (impl, torch):
        step = cases.ALL[name](lib, np.random.default_rng(0))
        step()
        step()


def test_targets_name_existing_cases():
    assert set(cases.TARGETS) <= set(cases.ALL)
    assert set(cases.ALL) == set(cases.OPS) | set(cases.STEPS)


def test_json_and_markdown_output(capsys):
    threads = torch.get_num_threads()
    runner.main(["--json", "--repeats", "1", "--threads", "1", "tiny op"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    case, mach = lines
    assert case["case"] == "tiny op x100" and case["target"] == 3.0
    for lib in ("impl", "torch"):
        assert case[lib]["min"] <= case[lib]["median"] <= case[lib]["max"]
    assert case["ratio"] == pytest.approx(case["impl"]["median"] / case["torch"]["median"])
    assert mach["machine"]["torch_threads"] == 1 and "loadavg_1m" in mach["machine"]
    assert torch.get_num_threads() == threads  # the runner restores the thread settings it changed
    runner.main(["--markdown", "--repeats", "1", "--threads", "1", "tiny op"])
    out = capsys.readouterr().out
    assert out.startswith("machine: cpu=")
    assert "| tiny op x100 |" in out and "us/op" in out


def test_compare_trees_times_one_case_in_two_trees(capsys):
    """Both "trees" are this one: the run must load impl twice under two names and time each, in both orders."""
    here = str(Path(__file__).resolve().parent.parent)
    compare_trees.main([here, here, "--case", "tiny op x100", "--rounds", "2", "--steps", "3", "--warmup", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].endswith("(A first)") and lines[1].endswith("(B first)")
    for line in lines[:2]:
        a, b = (float(line.split(f"{k} ")[1].split()[0]) for k in ("A", "B"))
        assert a > 0 and b > 0 and float(line.split("B/A ")[1].split()[0]) == pytest.approx(b / a, rel=0.01)
    assert "B/A median" in lines[2]
