"""Every test under regression/ carries the ``regression`` marker (``pytest -m regression``) and ``impl_only``: the
entries guard fixed impl bugs and reintroduce them into impl's source (``reintroduce()``), so they judge impl only."""
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent
_IMPL_ONLY = pytest.mark.impl_only(reason="about impl itself: a guard for a fixed impl bug, reintroduced into impl's source")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.regression)
            item.add_marker(_IMPL_ONLY)
