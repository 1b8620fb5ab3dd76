"""The initiative page: everything published about one initiative, its neighbours, earlier reports."""
import pytest
from django.urls import reverse

import datetime

from initiatives import services
from initiatives.models import Initiative, PublishedVersion
from programs.statuses import Status
from tests.factories import InitiativeFactory
from tests.reports.conftest import publish
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db


def detail(client, number):
    return client.get(reverse("public:initiative-detail", args=[REFORM, number]))


def test_page_shows_the_initiative_as_published(client, published_program):
    html = detail(client, 30).content.decode()
    assert "公共施設の適切な維持管理の推進" in html
    assert "管理番号 30" in html
    assert "Ⅳ 持続可能な行政サービスに向けた歳出削減" in html
    assert "財政健全化" in html  # perspective
    assert "土木部（土木総務課・土木建設課・土木事業所）" in html  # departments as printed
    assert "点検・修繕等の計画的実施" in html  # schedule step and plan
    assert "国の補助事業を活用し実施しているが" in html  # reason
    assert "公開日" in html


def test_schedule_is_an_ordered_list_of_the_four_program_years(client, published_program):
    response = detail(client, 1)
    html = response.content.decode()
    assert '<ol class="timeline">' in html
    for label in ["令和6年度（2024年度）", "令和7年度（2025年度）", "令和8年度（2026年度）", "令和9年度（2027年度）"]:
        assert label in html
    timeline = response.context["initiative"].timeline
    assert [year.fiscal_year for year in timeline] == [2024, 2025, 2026, 2027]
    assert timeline[0].step == "実態分析及び制度等の検討" and timeline[0].state == "reported"
    assert [year.state for year in timeline[1:]] == ["not_due"] * 3  # visibly so, in words
    assert html.count("これからの年度（まだ報告の時期ではありません）") == 3


def test_split_status_is_shown_per_department(client, published_program):
    html = detail(client, 42).content.decode()
    assert "予定どおり進んでいる / 予定より遅れている（市立旭川病院）" in html
    assert "市立旭川病院：" in html


def test_secured_amount_in_thousand_yen_with_its_note(client, published_program):
    html = detail(client, 26).content.decode()
    assert "360,050千円（うち360,000千円再掲）" in html
    assert "1,011,707千円" in detail(client, 40).content.decode()


def test_previous_and_next_links(client, published_program):
    response = detail(client, 30)
    assert response.context["previous"]["number"] == 29
    assert response.context["next"]["number"] == 31
    assert detail(client, 1).context["previous"] is None
    assert detail(client, 54).context["next"] is None


def test_unknown_number_is_404(client, published_program):
    assert detail(client, 999).status_code == 404


def test_unpublished_initiative_is_404(client, world):
    InitiativeFactory(pillar=world.pillar, number=4)  # added after the report: never published
    assert Initiative.objects.filter(number=4).exists()
    assert detail(client, 4).status_code == 404


def test_a_new_publication_links_to_the_earlier_cycle(client, published_program, reviewer):
    old_cycle = published_program.cycles.get()
    services.cycle_open(program=published_program, fiscal_year=2025, by=reviewer)
    record = Initiative.objects.get(number=1).years.get(fiscal_year=2025)
    services.record_update(
        record=record, by=reviewer, data={"plan": "令和7年度の計画", "result": "令和7年度の新しい実績", "status": "on_schedule"}
    )
    services.record_submit(record=record, by=reviewer)
    services.record_approve(record=record, by=reviewer)
    services.record_publish(record=record, by=reviewer)

    html = detail(client, 1).content.decode()
    assert "令和7年度の新しい実績" in html
    archive_url = reverse("public:archive-initiative", args=[REFORM, old_cycle.pk, 1])
    assert archive_url in html
    archived = client.get(archive_url).content.decode()
    assert "令和7年度の新しい実績" not in archived
    assert "令和7年度当初" in archived and "最新の内容を見る" in archived


def test_print_stylesheet_hides_navigation(client, published_program):
    from django.contrib.staticfiles import finders

    css = open(finders.find("public/public.css"), encoding="utf-8").read()
    assert "@media print" in css
    print_rules = css.split("@media print", 1)[1]
    assert ".site-nav" in print_rules and "display: none" in print_rules


# --- two cycles: a preliminary publication (速報) beside the released report -----------------------


def test_a_preliminary_publication_is_labelled_and_links_to_the_released_report(client, world):
    publish(world, 1, result="令和7年度の実績（速報）")
    response = detail(client, 1)
    html = response.content.decode()
    assert "速報：令和8年度当初の報告（3件中1件を公開済み・全体の公表前）" in html
    assert "令和7年度の実績（速報）" in html
    released_url = reverse("public:archive-initiative", args=[REFORM, world.released.pk, 1])
    assert released_url in html and "公表済みの報告（令和7年度当初）での内容を見る" in html
    released = client.get(released_url).content.decode()
    assert "速報" not in released and "令和7年度の実績（速報）" not in released
    assert "速報" not in detail(client, 2).content.decode()  # not yet published in 令和8年度当初


def test_the_page_compares_the_years_published_plan_result_and_status(client, world):
    publish(world, 2, result="一部の工事が遅れた", status=Status.BEHIND, delay_reason="資材不足")
    response = detail(client, 2)
    initiative = response.context["initiative"]
    assert [(y.fiscal_year, y.status) for y in initiative.years] == [(2024, "on_schedule"), (2025, "behind")]
    assert [(y.fiscal_year, y.step, y.state) for y in initiative.timeline] == [
        (2024, "検討", "reported"), (2025, "実施", "reported"), (2026, "", "not_due"), (2027, "", "not_due"),
    ]
    html = response.content.decode()
    table = html.split('class="data-table years-table stack-table"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="row">令和6年度<br>' in table and '<th scope="row">令和7年度<br>' in table
    for text in ["検討", "実施した", "一部の工事が遅れた", "資材不足", "予定どおり進んでいる", "予定より遅れている"]:
        assert text in table
    assert "作業工程の記載はありません" in html  # 2026 and 2027 plan no step


def test_publication_date_is_the_release_date_or_the_preliminary_day_in_japan_time(client, world):
    world.released.released_on = datetime.date(2025, 4, 1)
    world.released.save()
    assert '<time datetime="2025-04-01">' in detail(client, 1).content.decode()
    version = publish(world, 1)
    PublishedVersion.objects.filter(pk=version.pk).update(
        published_at=datetime.datetime(2026, 3, 31, 16, 0, tzinfo=datetime.UTC)  # 2026-04-01 01:00 in Japan
    )
    assert '<time datetime="2026-04-01">' in detail(client, 1).content.decode()
