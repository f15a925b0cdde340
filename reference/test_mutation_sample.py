"""reference/mutation_sample.py: the sample is uniform, without repeats and reproducible; the interval is Wilson's."""
import json

import pytest

from reference import mutation_sample as ms


def test_wilson_interval_matches_scipy():
    from scipy.stats import binomtest

    for n in (1, 7, 50, 200, 1000):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
            low, high = ms.wilson(k, n)
            assert abs(low - ci.low) < 1e-12 and abs(high - ci.high) < 1e-12, (k, n, (low, high), ci)


def test_pick_is_reproducible_without_repeats_and_spread_over_all_names():
    names = [f"impl.m{i // 100}.x_f__mutmut_{i}" for i in range(10_000)]
    a = ms.pick(reversed(names), 500, seed=3)
    assert a == ms.pick(names, 500, seed=3), "the sample depends on the order the records were read in"
    assert len(set(a)) == 500 and set(a) <= set(names)
    assert a != ms.pick(names, 500, seed=4)
    modules = {n.split(".")[1] for n in a}
    assert len(modules) > 90, f"500 of 10,000 names in 100 modules should touch nearly all; touched {len(modules)}"


def test_score_counts_timeouts_as_killed_and_no_tests_against_the_suite(tmp_path, monkeypatch):
    pytest.importorskip("mutmut", reason="the mutation extra is not installed (pip install -e '.[mutation]')")
    codes = {"a": 1, "b": 0, "c": 33, "d": 36, "e": None}
    (tmp_path / "mutants" / "impl").mkdir(parents=True)
    (tmp_path / "mutants" / "impl" / "x.py.meta").write_text(json.dumps({"exit_code_by_key": codes}))
    monkeypatch.chdir(tmp_path)
    r = ms.score(["a", "b", "c", "d", "e"], ms.exit_codes())
    assert (r["killed"], r["decided"]) == (2, 4)
    assert r["by status"] == {"killed": 1, "survived": 1, "no tests": 1, "timeout": 1, "not checked": 1}
