"""Fixtures of the public pages: the real program published, a small one, helpers to read pages."""
import pytest

from initiatives.opendata.importer import import_program
from programs.models import ReportingCycle
from tests.reports.conftest import publish_program


@pytest.fixture
def small_program(db, fixture_document, reviewer):
    """The first three initiatives of the city's report, published: for query counts that must not grow."""
    document = {**fixture_document, "initiatives": fixture_document["initiatives"][:3]}
    program = import_program(document)
    publish_program(program, reviewer)
    return program


@pytest.fixture
def real_cycle(published_program):
    return ReportingCycle.objects.get(program=published_program)


def table_numbers(response) -> list[int]:
    """管理番号 of the rows on the page of the list's table."""
    return [row.record.number for row in response.context["table"].paginated_rows]
