"""The initiative page: everything published about one initiative, its neighbours, earlier reports."""
import pytest
from django.urls import reverse

from initiatives import services
from initiatives.models import Initiative

pytestmark = pytest.mark.django_db


def detail(client, number):
    return client.get(reverse("public:initiative-detail", args=[number]))


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
    assert [step.fiscal_year for step in response.context["initiative"].schedule] == [2024, 2025, 2026, 2027]


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
    assert Initiative.objects.filter(number=1).exists()
    assert detail(client, 1).status_code == 404


def test_a_new_publication_links_to_the_earlier_cycle(client, published_program, reviewer):
    old_cycle = published_program.cycles.get()
    services.cycle_open(program=published_program, fiscal_year=2025, by=reviewer)
    record = Initiative.objects.get(number=1).years.get(fiscal_year=2025)
    services.record_update(record=record, by=reviewer, data={"plan": "令和7年度の計画", "result": "令和7年度の新しい実績"})
    services.record_submit(record=record, by=reviewer)
    services.record_approve(record=record, by=reviewer)
    services.record_publish(record=record, by=reviewer)

    html = detail(client, 1).content.decode()
    assert "令和7年度の新しい実績" in html
    archive_url = reverse("public:archive-initiative", args=[old_cycle.pk, 1])
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
