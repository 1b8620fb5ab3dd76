"""The public pages make the same number of queries whatever the number of initiatives."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import Department

pytestmark = pytest.mark.django_db

# Upper bounds per page (the counts are the same with 3 and with 54 initiatives).
BOUNDS = {
    "summary": 8,
    "list": 7,
    "list-filtered": 8,
    "detail": 5,
    "ledger": 5,
    "department": 4,
    "archive-cycle": 7,
    "opendata-json": 11,
}


def urls(program):
    department = Department.objects.get(name="行財政改革推進部")
    cycle = program.cycles.get()
    return {
        "summary": reverse("public:summary"),
        "list": reverse("public:initiative-list"),
        "list-filtered": reverse("public:initiative-list") + f"?status=on_schedule&department={department.pk}&q=の&sort=-name",
        "detail": reverse("public:initiative-detail", args=[2]),
        "ledger": reverse("public:ledger"),
        "department": reverse("public:department-detail", args=[department.pk]),
        "archive-cycle": reverse("public:archive-cycle", args=[cycle.pk]),
        "opendata-json": reverse("public:opendata-json"),
    }


def count_queries(client, program) -> dict[str, int]:
    counts = {}
    for name, url in urls(program).items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[name] = len(queries)
    return counts


@pytest.mark.parametrize("page", list(BOUNDS))
def test_query_count_is_bounded_with_the_real_program(client, published_program, page, django_assert_max_num_queries):
    url = urls(published_program)[page]
    with django_assert_max_num_queries(BOUNDS[page]):
        client.get(url)


def test_query_count_does_not_grow_with_the_number_of_initiatives(client, small_program, fixture_document, reviewer):
    from initiatives.opendata import import_program

    from .conftest import publish_program

    with_three = count_queries(client, small_program)
    full = import_program(fixture_document, replace=True)  # the same program with its 54 initiatives
    publish_program(full, reviewer)
    with_54 = count_queries(client, full)
    assert with_54 == with_three
    assert all(with_54[page] <= bound for page, bound in BOUNDS.items()), with_54
