"""The archive: every released report, its summary and list, frozen once released."""
import pytest
from django.urls import reverse

from initiatives import services
from initiatives.models import Initiative
from tests.reports.conftest import publish
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db


def test_archive_lists_released_cycles_and_their_reports(client, published_program, reviewer):
    released = published_program.cycles.get()
    opened = services.cycle_open(program=published_program, fiscal_year=2025, by=reviewer)  # nothing released yet
    response = client.get(reverse("public:archive-index", args=[REFORM]))
    assert [item["cycle"] for item in response.context["cycles"]] == [released]
    html = response.content.decode()
    assert reverse("public:archive-cycle", args=[REFORM, released.pk]) in html
    assert reverse("public:annual-pdf", args=[REFORM, released.pk]) in html
    assert "2025年4月1日" in html  # 公開日: the report's release date
    assert client.get(reverse("public:archive-cycle", args=[REFORM, opened.pk])).status_code == 404


def test_archived_cycle_shows_its_summary_and_links_to_its_pages(client, published_program):
    cycle = published_program.cycles.get()
    response = client.get(reverse("public:archive-cycle", args=[REFORM, cycle.pk]))
    assert response.context["summary"].total.initiatives == 54
    assert response.context["summary"].total.counts["behind"] == 4
    html = response.content.decode()
    assert reverse("public:archive-initiative", args=[REFORM, cycle.pk, 1]) in html
    assert "公表済み" in html


def test_a_released_cycle_keeps_what_was_published_in_it(client, published_program, reviewer):
    cycle = published_program.cycles.get()
    services.cycle_open(program=published_program, fiscal_year=2025, by=reviewer)
    initiative = Initiative.objects.get(number=5)
    services.initiative_update(initiative=initiative, by=reviewer, data={"name": "改称した取組"})
    record = initiative.years.get(fiscal_year=2025)
    services.record_update(record=record, by=reviewer, data={"plan": "計画", "result": "実績", "status": "on_schedule"})
    for action in (services.record_submit, services.record_approve, services.record_publish):
        action(record=record, by=reviewer)
    assert "改称した取組" in client.get(reverse("public:initiative-detail", args=[REFORM, 5])).content.decode()  # 速報
    archived = client.get(reverse("public:archive-initiative", args=[REFORM, cycle.pk, 5])).content.decode()
    assert "職員の適正配置の推進" in archived and "改称した取組" not in archived
    listing = client.get(reverse("public:archive-cycle", args=[REFORM, cycle.pk])).content.decode()
    assert "改称した取組" not in listing


def test_an_unreleased_cycle_has_no_archive_pages(client, world):
    publish(world, 1)  # a preliminary publication in 令和8年度当初
    assert client.get(reverse("public:archive-cycle", args=[REFORM, world.cycle.pk])).status_code == 404
    assert client.get(reverse("public:archive-initiative", args=[REFORM, world.cycle.pk, 1])).status_code == 404
    assert client.get(reverse("public:archive-initiative", args=[REFORM, world.released.pk, 1])).status_code == 200
    cycles = [item["cycle"] for item in client.get(reverse("public:archive-index", args=[REFORM])).context["cycles"]]
    assert cycles == [world.released]


def test_unknown_cycle_or_number_is_404(client, published_program):
    cycle = published_program.cycles.get()
    assert client.get(reverse("public:archive-cycle", args=[REFORM, 9999])).status_code == 404
    assert client.get(reverse("public:archive-initiative", args=[REFORM, cycle.pk, 999])).status_code == 404
