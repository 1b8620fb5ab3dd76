"""The top page: the report's page 1 from the published versions, the chart, the ledger's progress."""
import pytest
from django.urls import reverse

from programs.statuses import Status
from initiatives.opendata.importer import import_program
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db


def test_summary_equals_page_one_of_the_report(client, published_program):
    response = client.get(reverse("public:summary", args=[REFORM]))
    total = response.context["summary"].total
    assert total.initiatives == 54
    assert total.counts == {
        Status.IMPLEMENTED: 0, Status.ON_SCHEDULE: 50, Status.BEHIND: 4, Status.NOT_YET_DUE: 0, Status.INFEASIBLE: 0,
    }
    html = response.content.decode()
    for figure in ["92.6%", "7.41%", "0.00%"]:
        assert figure in html
    assert [row.initiatives for row in response.context["summary"].rows] == [6, 9, 11, 15, 2, 11]


def test_summary_lists_the_initiatives_behind_schedule(client, published_program):
    html = client.get(reverse("public:summary", args=[REFORM])).content.decode()
    for number in [30, 42, 49, 52]:
        assert reverse("public:initiative-detail", args=[REFORM, number]) in html


def test_summary_shows_the_ledger_progress(client, published_program):
    html = client.get(reverse("public:summary", args=[REFORM])).content.decode()
    assert "89.0億円" in html
    assert "35.5億円" in html
    assert "39.9%" in html  # 35.5 / 89.0


def test_summary_draws_an_svg_chart_without_style_attributes(client, published_program):
    html = client.get(reverse("public:summary", args=[REFORM])).content.decode()
    assert '<svg class="status-chart" role="img"' in html
    assert "style=" not in html
    assert "<script" not in html


def test_summary_states_the_as_of_date_and_explains_the_terms(client, published_program):
    html = client.get(reverse("public:summary", args=[REFORM])).content.decode()
    assert "令和7年度当初時点" in html
    assert '<dl class="terms">' in html


def test_summary_links_the_annual_reports_of_the_released_cycle(client, published_program):
    response = client.get(reverse("public:summary", args=[REFORM]))
    cycle = response.context["cycle"]
    assert cycle.label == "令和7年度当初" and cycle.is_released
    html = response.content.decode()
    assert reverse("public:annual-pdf", args=[REFORM, cycle.pk]) in html
    assert reverse("public:annual-xlsx", args=[REFORM, cycle.pk]) in html
    assert "最新の報告：令和7年度当初" in html
    assert '公開日：<time datetime="2025-04-01">2025年4月1日</time>' in html  # the report's date, not the load's


def test_summary_shows_the_status_mix_of_each_released_report(client, published_program):
    response = client.get(reverse("public:summary", args=[REFORM]))
    assert [column.cycle.label for column in response.context["columns"]] == ["令和7年度当初"]
    mix = {row["key"]: [cell["count"] for cell in row["cells"]] for row in response.context["status_mix"]}
    assert mix == {"implemented": [0], "on_schedule": [50], "behind": [4], "not_yet_due": [0], "infeasible": [0]}
    html = response.content.decode()
    assert '<svg class="status-chart" role="img" aria-labelledby="cycles-chart-title cycles-chart-desc"' in html
    table = html.split('class="data-table status-mix-table"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="col" class="num">令和7年度当初</th>' in table
    assert "50 <span class=\"percent\">(92.6%)</span>" in table and "4 <span class=\"percent\">(7.41%)</span>" in table
    assert "未報告" not in table  # only when some report has an initiative without a publication


def test_without_a_program_the_front_page_says_nothing_is_published_and_program_pages_are_not_found(client, db):
    response = client.get(reverse("public:program-index"))
    assert response.status_code == 200
    assert "公開されたデータはまだありません" in response.content.decode()
    for name in ["public:summary", "public:initiative-list", "public:archive-index"]:
        assert client.get(reverse(name, args=[REFORM])).status_code == 404
    assert client.get("/initiatives/").status_code == 404  # the earlier address leads nowhere either


def test_an_imported_but_unpublished_program_shows_nothing(client, fixture_document):
    import_program(fixture_document)
    for name in ["public:summary", "public:initiative-list", "public:ledger", "public:department-index", "public:archive-index"]:
        html = client.get(reverse(name, args=[REFORM])).content.decode()
        assert "公開されたデータはまだありません" in html, name
        assert "職員の新しい働き方の実現" not in html
    assert client.get(reverse("public:initiative-detail", args=[REFORM, 1])).status_code == 404
