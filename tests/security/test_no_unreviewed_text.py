"""Publication never carries unreviewed text, from any cycle, into any public output .

Three cycles: 令和7年度当初 released; 令和8年度当初 released with a draft left in it after its
publication; 令和9年度当初 open with a new publication of the same initiative, then its unpublished
approval, a submission never reviewed and a draft. Every draft text carries a marker; none may appear in a page (both
languages), the search, a download, the open data, the sitemap or an annual report.
"""
import pytest
from django.urls import reverse

from initiatives import services
from initiatives.models import PublishedVersion
from programs.statuses import Status
from programs.models import ReportingCycle
from tests.security.test_public_paths import text_of
from tests import helpers
from tests.addresses import REFORM

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # renders every public output in both languages

MARKERS = {
    "draft after publication": "下書き後公開前の実績A",
    "submitted, never reviewed": "提出のみの実績B",
    "approved, never published": "承認のみの実績C",
    "draft of the open cycle": "受付中の下書きD",
}


def report(world, number, year, by, **data):
    record = world.record(number, year)
    data = {"plan": f"{year}年度の計画", "result": f"{year}年度の審査済み実績{number}", "status": Status.ON_SCHEDULE, **data}
    return services.record_update(record=record, by=by, data=data)


def publish(world, number, year, by, **data):
    report(world, number, year, by, **data)
    return helpers.publish(world, number, by=by, year=year)


@pytest.fixture
def three_cycles(world):
    somu, doboku = world.editor_somu, world.editor_doboku
    for number, by in ((1, somu), (2, doboku), (3, somu)):
        publish(world, number, 2025, by)
    report(world, 1, 2025, somu, result=MARKERS["draft after publication"])  # left as a draft in the released cycle
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    services.cycle_release(cycle=world.cycle, by=world.reviewer)
    world.next_cycle = services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer)
    publish(world, 1, 2026, somu)
    report(world, 1, 2026, somu, result=MARKERS["approved, never published"])
    services.record_submit(record=world.record(1, 2026), by=somu)
    services.record_approve(record=world.record(1, 2026), by=world.reviewer)
    report(world, 2, 2026, doboku, result=MARKERS["submitted, never reviewed"])
    services.record_submit(record=world.record(2, 2026), by=doboku)
    report(world, 3, 2026, somu, result=MARKERS["draft of the open cycle"])
    return world


def public_urls(world) -> list[str]:
    cycles = ReportingCycle.objects.released()
    return [*helpers.public_urls(initiatives=(1, 2, 3), departments=[world.somu, world.doboku], cycles=cycles),
            "/sitemap.xml"]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_no_unreviewed_text_reaches_any_public_output(client, three_cycles, language, settings, tmp_path):
    settings.REPORTS_CACHE_DIR = tmp_path
    client.cookies["django_language"] = language
    for url in public_urls(three_cycles):
        response = client.get(url)
        assert response.status_code == 200, url
        text = text_of(response)
        for what, marker in MARKERS.items():
            assert marker not in text, f"{what} in {url}"
    for what, marker in MARKERS.items():
        search = client.get(reverse("public:initiative-list", args=[REFORM]), {"q": marker})
        assert len(search.context["table"].rows) == 0, f"the search finds: {what}"
        assert not PublishedVersion.objects.filter(search_text__contains=marker).exists(), what
        assert not PublishedVersion.objects.filter(data__icontains=marker).exists(), what


def test_annual_reports_of_cycles_not_released_are_not_public(client, three_cycles):
    for cycle in ReportingCycle.objects.exclude(state="released"):
        for name in ("reports:annual-pdf", "reports:annual-xlsx"):
            assert client.get(reverse(name, args=[cycle.pk])).status_code == 404


def test_the_newest_publication_holds_the_earlier_years_as_they_were_published(three_cycles):
    version = PublishedVersion.objects.current().get(number=1)
    assert version.cycle == three_cycles.next_cycle
    results = {y["fiscal_year"]: y["result"] for y in version.data["years"]}
    assert results == {2024: "実施した", 2025: "2025年度の審査済み実績1", 2026: "2026年度の審査済み実績1"}
