"""The summary's glossary (ことばの説明) holds the terms its program's pages use, read from the program's data;
the front page's card of a program shows the headline its summary leads with."""
import re

import pytest
from django.urls import reverse

from initiatives import services
from programs.statuses import Status
from tests.addresses import REFORM
from tests.factories import (
    InitiativeFactory,
    PillarFactory,
    ProgramFactory,
    YearlyRecordFactory,
    released_list_of_projects,
    released_roadmap,
)
from tests.helpers import publish
from tests.reports.conftest import release

pytestmark = pytest.mark.django_db


def terms(client, slug: str) -> list[str]:
    """The terms the summary of program `slug` explains, in order."""
    html = client.get(reverse("public:summary", args=[slug])).content.decode()
    glossary = html.split('<dl class="terms">', 1)[1].split("</dl>", 1)[0]
    return [re.sub(r"<[^>]+>", "", term).strip() for term in re.findall(r"<dt[^>]*>(.*?)</dt>", glossary, re.S)]


def normalized(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def summary_headline(client, slug: str) -> str:
    html = client.get(reverse("public:summary", args=[slug])).content.decode()
    section = re.search(r'<section class="headline"[^>]*>\s*<h2[^>]*>.*?</h2>(.*?)</section>', html, re.S)
    return normalized(section.group(1))


def card(client, slug: str) -> str:
    html = client.get(reverse("public:program-index")).content.decode()
    return next(c for c in html.split('<li class="program-card">')[1:] if f'href="/{slug}/"' in c)


def card_headline(client, slug: str) -> str:
    return normalized(re.search(r'<div class="headline">(.*?)</div>\s*</li>', card(client, slug), re.S).group(1))


# --- the glossary ----------------------------------------------------------------------------------


def test_the_glossary_explains_relisting_only_where_an_item_of_the_report_is_listed_again(client, reviewer):
    released_list_of_projects(reviewer, "listed", listed_again=True)
    released_list_of_projects(reviewer, "not-listed")
    assert "再掲" in terms(client, "listed")
    assert "再掲" not in terms(client, "not-listed")  # the same frame, numbered per 施策, but nothing listed again


def test_the_glossary_explains_the_units_of_money_the_program_shows(client, world):
    released_list_of_projects(world.reviewer, "projects")
    released_roadmap(world.reviewer, "roadmap")
    assert "千円・億円" in terms(client, REFORM)  # amounts secured in 千円, the ledger in 億円
    projects = terms(client, "projects")
    assert "千円" in projects and "千円・億円" not in projects  # 予算事業費 in 千円, no ledger
    roadmap = terms(client, "roadmap")
    assert not any("円" in term for term in roadmap)  # no amount at all
    assert "年度" in roadmap


def test_the_glossary_explains_the_statuses_of_the_programs_own_vocabulary(client, three_programs):
    released_roadmap(three_programs.reviewer, "roadmap")
    reform = terms(client, REFORM)
    assert {"実施済み", "予定どおり進んでいる", "予定より遅れている", "実施年度未到来", "実施不可"} <= set(reform)
    dx = terms(client, three_programs.dx.slug)
    assert {"未着手", "取組中", "遅延"} <= set(dx)
    assert "予定どおり進んでいる" not in dx and "実施済み" not in dx
    roadmap = terms(client, "roadmap")  # reports no statuses
    assert not {"未着手", "予定どおり進んでいる", "実施済み"} & set(roadmap)


def test_the_glossary_explains_only_the_reform_statuses_a_program_uses(client, reviewer):
    program = ProgramFactory(slug="two-statuses", status_codes="on_schedule,behind", has_ledger=False,
                             fiscal_target_thousand_yen=None, figure_label="", figure_label_en="")
    pillar = PillarFactory(perspective__program=program, program=program, numeral="1", name="柱1")
    YearlyRecordFactory(initiative=InitiativeFactory(pillar=pillar, number=1, name="取組1"), status=Status.BEHIND,
                        delay_reason="調整に時間を要した。")
    services.cycle_release_imported(program=program, by=reviewer)
    explained = terms(client, "two-statuses")
    assert "予定どおり進んでいる" in explained and "予定より遅れている" in explained
    assert not {"実施済み", "実施年度未到来", "実施不可"} & set(explained)


def test_the_glossary_names_the_programs_own_levels_and_items(client, reviewer):
    released_list_of_projects(reviewer, "projects")
    released_roadmap(reviewer, "roadmap")
    projects = client.get(reverse("public:summary", args=["projects"])).content.decode().split('<dl class="terms">')[1]
    assert "基本目標と、その下の施策ごとに、事業を掲げています。" in projects
    roadmap = client.get(reverse("public:summary", args=["roadmap"])).content.decode().split('<dl class="terms">')[1]
    assert "重点取組ごとに、取組内容を掲げています。" in roadmap


# --- the front page's cards --------------------------------------------------------------------------


def test_each_card_shows_the_headline_of_its_programs_summary(client, three_programs):
    released_list_of_projects(three_programs.reviewer, "projects", listed_again=True)
    released_roadmap(three_programs.reviewer, "roadmap")
    for slug in (REFORM, three_programs.strategy.slug, three_programs.dx.slug, "projects", "roadmap"):
        assert card_headline(client, slug) == summary_headline(client, slug), slug
    assert "4,000千円" in card_headline(client, "projects")
    assert "3件の取組内容" in card(client, "roadmap")


def test_the_reform_card_names_the_initiatives_behind_in_the_city_report(client, published_program):
    headline = card_headline(client, REFORM)
    assert "予定どおり進んでいる取組" in headline and "92.6%" in headline and "(50 / 54)" in headline
    assert "予定より遅れている取組" in headline and "4件" in headline
    links = re.findall(r'<a href="([^"]+)"><span class="number">', headline)
    assert links == [reverse("public:initiative-detail", args=[REFORM, number]) for number in (30, 42, 49, 52)]


def test_the_cards_initiatives_behind_are_the_released_reports_not_a_later_cycles(client, world):
    """令和8年度当初 open: 取組1 published behind (速報) is not yet on the card; released, it is; in 令和9年度当初 it
    is published on schedule again, and the card still names it until that cycle is released."""
    link = f'href="{reverse("public:initiative-detail", args=[REFORM, 1])}"'
    publish(world, 1, {"plan": "計画", "result": "実績", "status": Status.BEHIND, "delay_reason": "調整に時間を要した。"})
    assert link not in card(client, REFORM)
    release(world.cycle, world.reviewer)
    assert link in card_headline(client, REFORM)
    services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer)
    publish(world, 1, {"plan": "計画", "result": "実績", "status": Status.ON_SCHEDULE}, year=2026)
    assert link in card_headline(client, REFORM)
    assert card_headline(client, REFORM) == summary_headline(client, REFORM)
