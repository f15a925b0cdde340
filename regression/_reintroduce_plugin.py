"""pytest plugin: run any test suite with one catalogue bug reintroduced.

``REGRESSION_REINTRODUCE=test_007_sub_backward[:variant] python -m pytest property_tests -p regression._reintroduce_plugin``

The bug is patched into impl at configure time (before test modules are imported) and removed at unconfigure.
Used by ``python -m regression.crosscheck`` to find out whether the generic suites catch each bug too.
"""
import importlib
import os

_active = None


def pytest_configure(config):
    global _active
    spec = os.environ.get("REGRESSION_REINTRODUCE")
    if not spec:
        return
    name, _, variant = spec.partition(":")
    mod = importlib.import_module(f"regression.{name}")
    _active = mod.reintroduce(variant) if variant else mod.reintroduce()
    _active.__enter__()


def pytest_report_header(config):
    spec = os.environ.get("REGRESSION_REINTRODUCE")
    return f"regression: bug reintroduced: {spec}" if spec else None


def pytest_unconfigure(config):
    global _active
    if _active is not None:
        _active.__exit__(None, None, None)
        _active = None


import signal  # noqa: E402

import pytest  # noqa: E402


class ReintroducedBugTimeout(Exception):
    """A test ran longer than REGRESSION_TEST_TIMEOUT seconds with the bug reintroduced (a hang counts as caught)."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    limit = float(os.environ.get("REGRESSION_TEST_TIMEOUT", "0") or 0)
    if not limit or not hasattr(signal, "SIGALRM"):
        yield
        return

    def _raise(signum, frame):
        raise ReintroducedBugTimeout(f"{item.nodeid} exceeded {limit:.0f}s with the bug reintroduced")

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
