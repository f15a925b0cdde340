"""Root pytest configuration: hypothesis profiles (selected by HYPOTHESIS_PROFILE), the library under test
(``--target NAME`` or GRADPARITY_TARGET, see reference/targets), the ``impl_only`` marker, and shared fixtures."""
import os
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, Verbosity, settings

from reference.example_database import example_database

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

# CI: derandomized (same examples every run), no example database, failures print a reproduce blob. 20 examples:
# each spec's 20 samples run through every generic check (forward/VJP in two dtypes, gradcheck, ...; the structural
# and second-order checks on a spread subset), which keeps plain `pytest` within its time budget on 2 cores; the
# counts the tests name are per 25 and scale with this (reference.samples.fraction); `thorough` runs 300.
# No database, deliberately (and hypothesis refuses one with derandomize=True): `ci` is the gate every commit and
# pull request must pass, so what it tests is fixed by the commit alone -- a failure the weekly `thorough` job
# found does not turn unrelated pull requests red; it is settled, then pinned with @example (CONTRIBUTING) and
# from then on runs here too. Known failures replay in the randomized profiles below.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, max_examples=20, **_COMMON)
# dev and thorough replay the saved failures of the example database first (GRADPARITY_HYPOTHESIS_DB: a directory
# shared by workers and hosts; GRADPARITY_HYPOTHESIS_GITHUB: plus the weekly job's artifact, read-only; see
# reference/example_database.py), then generate new examples.
_DATABASE = example_database()
# derandomize=False said explicitly: a profile's unset settings come from the profile loaded when it is registered,
# and on a CI machine (CI, GITHUB_ACTIONS, ... set) that is hypothesis's own derandomized "ci" profile, which would
# make the weekly thorough job replay the same examples every week.
# dev: quick local iteration.
settings.register_profile("dev", max_examples=8, print_blob=True, database=_DATABASE, derandomize=False, **_COMMON)
# thorough: randomized and many examples, for scheduled runs, fuzzing on many workers and flakiness hunts.
settings.register_profile("thorough", max_examples=300, print_blob=True, verbosity=Verbosity.normal,
                          database=_DATABASE, derandomize=False, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True, scope="session")
def _torch_single_threaded():
    """torch runs single-threaded in the tests: they use tiny tensors, for which torch's intra-op thread pool costs
    far more than it saves (torch.tril on a 3x3 tensor: ~5 ms with 2 threads on a busy 2-core machine, ~0.05 ms with
    1), and results do not depend on the thread count at these sizes. Set where tests run, not at import: the xdist
    controller, which only hands out tests, then never imports torch (~2 s of start-up before any worker starts)."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed_everything():
    """Every test starts from the same global seeds: CI is deterministic."""
    import impl
    from reference import targets

    impl.manual_seed(0)
    lib = targets.current().lib
    if lib is not impl and getattr(lib, "manual_seed", None):  # another library under test starts seeded too
        lib.manual_seed(0)
    np.random.seed(0)
    try:
        import torch

        # The CPU generator, which is all the suite draws from. torch.manual_seed also queues a seed for every
        # accelerator backend not yet initialised (cuda, xpu, mtia), each with a formatted stack trace: ~1.6 ms a
        # test, 11 CPU-s a run.
        torch.default_generator.manual_seed(0)
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
    _count_run(report)
    if report.when == "teardown":  # the tally joins user_properties in the fixture's teardown, after the call report
        for key, counts in report.user_properties:
            if key == "gradparity_checks":
                for label, n in counts.items():
                    _CHECK_COUNTS[label] = _CHECK_COUNTS.get(label, 0) + n


def pytest_terminal_summary(terminalreporter):
    """The tests run for the target (and the impl-only ones); one line per check: the examples that compared
    something and those that compared nothing (and why)."""
    from reference import targets

    name = targets.current().name
    if name == "impl":
        line = (f"gradparity target impl: {_RUN['target'] + _RUN['impl_only']} tests ran, {_RUN['impl_only']} of "
                f"them impl-only (they do not run for another target)")
    else:
        line = (f"gradparity target {name}: {_RUN['target']} tests ran for the target; {_DESELECTED['impl_only']} "
                f"impl-only tests deselected")
    terminalreporter.write_sep("-", line)
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


# ---- the library under test (reference/targets) and the impl_only marker ------------------------------------------
def pytest_addoption(parser):
    parser.addoption("--target", default=None, metavar="NAME",
                     help="library under test: impl (default), torch, or dotted.module:object (a reference.targets."
                          "Target); sets GRADPARITY_TARGET. Tests marked impl_only run for impl only.")


_RUN = {"target": 0, "impl_only": 0}  # tests that ran (controller side: also the xdist workers' reports)
_DESELECTED = {"impl_only": 0}


def pytest_configure(config):
    from reference import targets

    name = config.getoption("--target")
    if name:
        targets.select(name)  # also into the environment: xdist workers inherit it
    targets.current()  # fail at start-up, not in the first test, on a bad GRADPARITY_TARGET


def pytest_report_header(config):
    from reference import targets

    t = targets.current()
    return [f"gradparity target: {t.name} (error messages {'checked' if t.messages else 'not checked'}; impl's "
            f"documented divergences {'apply' if t.known_divergences else 'do not apply'})",
            f"hypothesis example database: {settings.default.database!r}"]


def _imports_impl(module) -> bool:
    """Whether a test module holds impl (or something of impl) at module level: it would judge impl whatever the
    target, so for another target it must be marked impl_only."""
    for value in vars(module).values():
        name = getattr(value, "__name__", "") if isinstance(value, type(sys)) else getattr(value, "__module__", "")
        if isinstance(name, str) and (name == "impl" or name.startswith("impl.")):
            return True
    return False


@pytest.hookimpl(trylast=True)  # after the directory conftests have added their markers
def pytest_collection_modifyitems(session, config, items):
    """The target's own open findings (``Target.known_failures``) become strict xfails of the generic tests of their
    spec. For a target other than impl, deselect the impl_only tests (counted in the summary); a test module that
    imports impl but is not impl_only is a collection error there (it would judge impl under another name)."""
    from reference import targets

    # pytest reports a backslash in a parametrize id doubled, and the node id it prints then selects nothing when
    # given back (`pytest ID`, the last-failed cache, mutmut's per-mutant runs): ids must not contain one.
    unaddressable = [item.nodeid for item in items if "\\" in item.nodeid]
    if unaddressable:
        raise pytest.UsageError(f"test ids with a backslash cannot be selected by their node id: {unaddressable[:5]}")
    if targets.current().known_failures:
        for item in items:
            spec = getattr(getattr(item, "callspec", None), "params", {}).get("spec")
            for mark in targets.known_failure_marks(getattr(item, "originalname", ""), getattr(spec, "name", "")):
                item.add_marker(mark)
    if targets.current().name == "impl":
        return
    keep, dropped, unmarked = [], [], set()
    for item in items:
        if item.get_closest_marker("impl_only"):
            dropped.append(item)
            continue
        module = getattr(item, "module", None)
        if module is not None and _imports_impl(module):
            unmarked.add(module.__name__)
        keep.append(item)
    if unmarked:
        raise pytest.UsageError(f"test modules that import impl without the impl_only marker (route them through "
                                f"reference.targets or mark them): {sorted(unmarked)}")
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
    _DESELECTED["impl_only"] = len(dropped)
    if hasattr(config, "workeroutput"):  # an xdist worker: the controller sums nothing, it takes the count
        config.workeroutput["gradparity_impl_only_deselected"] = len(dropped)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):  # xdist controller: every worker collected (and deselected) the same tests
    n = getattr(node, "workeroutput", {}).get("gradparity_impl_only_deselected", 0)
    _DESELECTED["impl_only"] = max(_DESELECTED["impl_only"], n)


def _count_run(report):
    if report.when == "call" or (report.when == "setup" and report.skipped):
        _RUN["impl_only" if "impl_only" in report.keywords else "target"] += 1


# ---- exit ------------------------------------------------------------------------------------------------------------
def pytest_sessionfinish(session):
    """One full garbage collection, then freeze what survives it. pytest's unraisable-exception check collects five
    times more at exit to surface exceptions raised in finalizers; this collection runs those finalizers (their
    exceptions still reach that check), and the frozen heap -- every worker's cached samples, hypothesis' state,
    torch -- is not traversed again five times over (~0.3 s a pass per worker)."""
    import gc

    gc.collect()
    gc.freeze()
