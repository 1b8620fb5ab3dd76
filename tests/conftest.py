import json
from pathlib import Path

import pytest

from initiatives.opendata import import_program

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "asahikawa_2024.json"


@pytest.fixture
def fixture_document():
    """The shipped fixture: the city's report as data."""
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def real_program(db, fixture_document):
    """The 54 initiatives and the ledger of the city's report, loaded as `make run` loads them."""
    return import_program(fixture_document)
