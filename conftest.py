"""Root pytest configuration: hypothesis profiles (selected by HYPOTHESIS_PROFILE) and shared fixtures."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, Verbosity, settings

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

# CI: derandomized (same examples every run), no example database, failures print a reproduce blob.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, max_examples=25, **_COMMON)
# dev: quick local iteration.
settings.register_profile("dev", max_examples=8, print_blob=True, **_COMMON)
# thorough: randomized and many examples, for scheduled runs and flakiness hunts.
settings.register_profile("thorough", max_examples=300, print_blob=True, verbosity=Verbosity.normal, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _seed_everything():
    """Every test starts from the same global seeds: CI is deterministic."""
    import impl

    impl.manual_seed(0)
    np.random.seed(0)
    try:
        import torch

        torch.manual_seed(0)
    except ImportError:  # pragma: no cover - torch is a test dependency
        pass
    yield


# ---- what the generic checks compared: counted per test (reference.samples.record), summed over the run ----------
_CHECK_COUNTS: dict = {}


@pytest.fixture(autouse=True)
def _check_tally(request):
    from reference.samples import TALLY

    TALLY.clear()
    yield
    if TALLY:  # user_properties travel from xdist workers to the controller with the test report
        request.node.user_properties.append(("gradparity_checks", dict(TALLY)))


def pytest_runtest_logreport(report):
    if report.when == "call":
        for key, counts in report.user_properties:
            if key == "gradparity_checks":
                for label, n in counts.items():
                    _CHECK_COUNTS[label] = _CHECK_COUNTS.get(label, 0) + n


def pytest_terminal_summary(terminalreporter):
    """One line per check: the examples that compared something and those that compared nothing (and why)."""
    if not _CHECK_COUNTS:
        return
    per_check: dict = {}
    for label, n in _CHECK_COUNTS.items():
        check, _, outcome = label.partition(": ")
        checked, skipped = per_check.setdefault(check, [0, {}])
        if outcome.startswith("skipped"):
            skipped[outcome] = skipped.get(outcome, 0) + n
        else:
            per_check[check][0] += n
    terminalreporter.section("gradparity: examples checked per generic check")
    for check, (checked, skipped) in sorted(per_check.items()):
        total = checked + sum(skipped.values())
        why = "; ".join(f"{n} {reason}" for reason, n in sorted(skipped.items(), key=lambda kv: -kv[1])[:3])
        terminalreporter.write_line(f"{check}: {checked}/{total} examples compared something" + (f" ({why})" if why else ""))
