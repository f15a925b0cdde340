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
