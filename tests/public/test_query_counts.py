"""The public pages make the same number of queries whatever the number of initiatives and of reports."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives import services
from programs.models import Department
from tests.reports.conftest import release
from tests.addresses import REFORM
from tests.factories import released_list_of_projects, released_roadmap

pytestmark = pytest.mark.django_db

# Upper bounds per page (the counts are the same with 3 and with 54 initiatives, and with one or more
# released reports). Pages that show the released report look it up once (department, open data).
# Every page reads the site's identity once (header and footer); the initiative page also reads the
# publication before the one shown (「前回の公表からの変更」).
BOUNDS = {
    "summary": 9,
    "list": 8,
    "list-filtered": 9,
    "detail": 7,
    "detail-preliminary": 11,
    "ledger": 6,
    "department": 6,
    "archive-cycle": 8,
    "opendata-json": 12,
    "feed": 5,
    "department-feed": 6,
    "sitemap": 7,
}


def urls(program, department_name="行財政改革推進部", q="の"):
    department = Department.objects.get(name=department_name)
    cycle = program.cycles.released().order_by("fiscal_year").first()
    return {
        "summary": reverse("public:summary", args=[REFORM]),
        "list": reverse("public:initiative-list", args=[REFORM]),
        "list-filtered": reverse("public:initiative-list", args=[REFORM]) + f"?status=on_schedule&department={department.pk}&q={q}&sort=-name",
        "detail": reverse("public:initiative-detail", args=[REFORM, 2]),
        "detail-preliminary": reverse("public:initiative-detail", args=[REFORM, 3]),
        "ledger": reverse("public:ledger", args=[REFORM]),
        "department": reverse("public:department-detail", args=[REFORM, department.pk]),
        "archive-cycle": reverse("public:archive-cycle", args=[REFORM, cycle.pk]),
        "opendata-json": reverse("public:opendata-json", args=[REFORM]),
        "feed": reverse("public:feed", args=[REFORM]),
        "department-feed": reverse("public:department-feed", args=[REFORM, department.pk]),
        "sitemap": reverse("sitemap"),
    }


def count_queries(client, program, department_name="行財政改革推進部", q="の") -> dict[str, int]:
    counts = {}
    for name, url in urls(program, department_name, q).items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[name] = len(queries)
    return counts


def open_next_cycle_with_a_preliminary_publication(program, reviewer):
    """令和8年度当初 opened beside the released report, with initiative 3 published in it (速報)."""
    from initiatives.models import Initiative

    cycle = services.cycle_open(program=program, fiscal_year=2025, by=reviewer)
    record = Initiative.objects.get(program=program, number=3).years.get(fiscal_year=2025)
    services.record_update(record=record, by=reviewer, data={"plan": "計画", "result": "実績", "status": "on_schedule"})
    for action in (services.record_submit, services.record_approve, services.record_publish):
        action(record=record, by=reviewer)
    return cycle


@pytest.mark.slow
@pytest.mark.parametrize("page", list(BOUNDS))
def test_query_count_is_bounded_with_the_real_program(client, published_program, reviewer, page, django_assert_max_num_queries):
    open_next_cycle_with_a_preliminary_publication(published_program, reviewer)
    url = urls(published_program)[page]
    with django_assert_max_num_queries(BOUNDS[page]):
        assert client.get(url).status_code == 200


@pytest.mark.slow
def test_query_count_does_not_grow_with_the_number_of_initiatives(client, small_program, fixture_document, reviewer):
    from initiatives.opendata.importer import import_program

    from .conftest import publish_program

    open_next_cycle_with_a_preliminary_publication(small_program, reviewer)
    with_three = count_queries(client, small_program)
    full = import_program(fixture_document, replace=True)  # the same program with its 54 initiatives
    publish_program(full, reviewer)
    open_next_cycle_with_a_preliminary_publication(full, reviewer)
    with_54 = count_queries(client, full)
    assert with_54 == with_three
    assert all(with_54[page] <= bound for page, bound in BOUNDS.items()), with_54


def publish_preliminary(world, number, fiscal_year):
    record = world.record(number, fiscal_year)
    services.record_update(record=record, by=world.reviewer, data={"plan": "計画", "result": "実績", "status": "on_schedule"})
    for action in (services.record_submit, services.record_approve, services.record_publish):
        action(record=record, by=world.reviewer)


def test_query_count_does_not_grow_with_the_number_of_released_reports(client, world):
    publish_preliminary(world, 3, 2025)
    with_one = count_queries(client, world.program, "総務部", q="取組")  # 令和7年度当初 released, 3 preliminary in 令和8年度当初
    release(world.cycle, world.reviewer)
    next_cycle = services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer)
    publish_preliminary(world, 3, 2026)
    assert next_cycle.publications.count() == 1
    with_two = count_queries(client, world.program, "総務部", q="取組")  # 令和7・8年度当初 released, 3 preliminary in 令和9年度当初
    assert with_two == with_one
    assert {page: count for page, count in with_two.items() if count > BOUNDS[page]} == {}


# The front page reads each program's headline as its summary does (public.selectors.summary_headline):
# a few queries per program (its report, its summary, the items behind or its figure), none per item.
FRONT_PAGE_PER_PROGRAM = 3


def test_the_front_page_makes_a_few_queries_per_program_however_many_reports(client, world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("public:program-index")).status_code == 200
        return len(queries)

    with_one = count()
    released_list_of_projects(world.reviewer, "list-a")
    released_roadmap(world.reviewer, "roadmap")
    html = client.get(reverse("public:program-index")).content.decode()
    assert html.count('class="program-card"') == 3 and "4,000千円" in html and "3件の取組内容" in html
    with_three = count()
    assert with_three <= with_one + 2 * FRONT_PAGE_PER_PROGRAM
    publish_preliminary(world, 3, 2025)
    release(world.cycle, world.reviewer)  # a second released report, with more publications in it
    assert count() == with_three
    for slug in ("list-a", "roadmap"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("public:summary", args=[slug])).status_code == 200
        assert len(queries) <= BOUNDS["summary"]
