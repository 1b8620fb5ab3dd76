"""The long search of the lifecycle machine runs only when asked for: `pytest -m lifecycle_long` or LIFECYCLE_LONG=1."""
import os

import pytest


def pytest_collection_modifyitems(config, items):
    if "lifecycle_long" in (config.getoption("markexpr") or "") or os.environ.get("LIFECYCLE_LONG") == "1":
        return
    skip = pytest.mark.skip(reason="the long search runs with `-m lifecycle_long` or LIFECYCLE_LONG=1")
    for item in items:
        if item.get_closest_marker("lifecycle_long"):
            item.add_marker(skip)
