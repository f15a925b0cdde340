"""``is_anomaly_enabled()`` and ``is_anomaly_check_nan_enabled()`` at the top level, on the library under test
(reference.targets) and torch side by side: what they report through ``autograd.detect_anomaly(check_nan=...)`` and
``autograd.set_detect_anomaly(mode, check_nan=...)``, nested, applied at once, and restored on exit (also when the
block raises)."""
import warnings

import pytest
import torch

from reference import targets

T = targets.current()  # the library under test; torch is the oracle
lib = T.lib


def state(side):
    return side.is_anomaly_enabled(), side.is_anomaly_check_nan_enabled()


def trace(side):
    """The (enabled, check_nan) pairs seen through a sequence of anomaly-mode scopes of ``side``."""
    ad = side.autograd
    seen = [state(side)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that anomaly detection slows everything down
        with ad.detect_anomaly(check_nan=False):
            seen.append(state(side))
            with ad.detect_anomaly():
                seen.append(state(side))
                with ad.set_detect_anomaly(False):
                    seen.append(state(side))
                seen.append(state(side))
            seen.append(state(side))
        seen.append(state(side))
        ad.set_detect_anomaly(True, check_nan=False)  # applies at once, without a with block
        seen.append(state(side))
        ad.set_detect_anomaly(False)
        seen.append(state(side))
        with ad.set_detect_anomaly(True, check_nan=False):
            seen.append(state(side))
        seen.append(state(side))
        with pytest.raises(ValueError), ad.detect_anomaly(check_nan=False):
            raise ValueError("leaving the block by an exception restores the state too")
        seen.append(state(side))
    return seen


def test_anomaly_queries_follow_detect_anomaly_and_set_detect_anomaly_as_torch():
    ours, theirs = trace(lib), trace(torch)
    assert theirs[0] == (False, True), "anomaly detection must start off (another test left it on?)"
    assert len(ours) == len(theirs) == 12
    assert ours == theirs, f"{T.name}: {ours}\ntorch: {theirs}"
    assert all(type(v) is bool for pair in ours for v in pair), f"the queries return bools: {ours}"


@pytest.mark.parametrize("name", ["is_anomaly_enabled", "is_anomaly_check_nan_enabled"])
def test_anomaly_queries_take_no_arguments(name):
    for side in (lib, torch):
        with pytest.raises(TypeError):
            getattr(side, name)(True)
