"""The summary of a program whose frame is a year roadmap (the dX policy) shows the roadmap as a grid: the
released report's, from what each release kept, in both languages; a program without a 将来像 shows none."""
import re

import pytest
from django.urls import reverse

from initiatives.models import ScheduleStep
from tests.conftest import create_reviewer, module_data
from tests.helpers import DX_LATER_PRIORITY, DX_LATER_STEP, dx_roadmap_in_two_cycles

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.xdist_group("dx_roadmap")]


@pytest.fixture(scope="module")
def dx(django_db_setup, django_db_blocker):
    """The dX roadmap released twice (tests.helpers.dx_roadmap_in_two_cycles), built once for the module."""
    with module_data(django_db_blocker):
        yield dx_roadmap_in_two_cycles(create_reviewer())


def roadmap_html(client, slug: str, cycle=None, **headers) -> str:
    url = reverse("public:archive-cycle", args=[slug, cycle.pk]) if cycle else reverse("public:summary", args=[slug])
    html = client.get(url, **headers).content.decode()
    match = re.search(r'<section class="roadmap".*?</section>', html, re.S)
    assert match, "no roadmap on the summary"
    return match.group(0)


def cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html, re.S)]


def test_the_summary_shows_the_latest_released_roadmap_as_a_table_of_years(client, dx):
    program, first, second = dx
    html = roadmap_html(client, program.slug)
    assert "<caption>旭川市dX加速化方針のロードマップ（令和7年度）</caption>" in html  # the second release
    headings = re.findall(r'<th scope="col">(.*?)</th>', html)
    assert [re.sub(r"<[^>]+>", "", h) for h in headings] == ["取組内容", "～R5", "R6", "R7", "R8", "R9", "将来像"]
    assert html.count('<th scope="row">') == 15 and html.count('<th scope="rowgroup"') == 3
    row = cells(html)[cells(html).index("電子入札・電子契約システムの導入"):][:7]
    assert row == ["電子入札・電子契約システムの導入", "導入検討・課題整理, 事務フローの検討, 仕様検討", "システム環境設定, 構築",
                   "試行", "運用開始", DX_LATER_STEP, "工事契約に係る事務処理をデータで完結できる。 物品購入・委託契約等での導入を検討する。"]
    assert f"重点取組3　{DX_LATER_PRIORITY}" in html
    assert 'href="/dx/initiatives/1-2/"' in html


def test_the_summary_keeps_what_the_release_kept_when_the_plan_changes_afterwards(client, dx):
    program, first, second = dx
    ScheduleStep.objects.filter(initiative__program=program, fiscal_year=2024, initiative__number=1,
                                initiative__pillar__key="1").update(step="公表後に書き換えた工程")
    program.pillars.filter(key="1").update(name="公表後に書き換えた重点取組")
    html = roadmap_html(client, program.slug)
    assert "公表後に書き換えた" not in html
    assert "重点取組1　オンラインで24時間365日手続き可能" in html and "AIチャットボットの運用" in html


def test_the_earlier_reports_page_shows_its_own_roadmap_as_released(client, dx):
    program, first, second = dx
    html = roadmap_html(client, program.slug, first)
    assert "<caption>旭川市dX加速化方針のロードマップ（令和7年1月）</caption>" in html
    assert DX_LATER_STEP not in html and DX_LATER_PRIORITY not in html
    assert "重点取組3　選ばれる・続けられる・誇れる職場" in html
    assert f'href="/dx/archive/{first.pk}/initiatives/1-2/"' in html  # that report's page of the item
    assert DX_LATER_STEP in roadmap_html(client, program.slug, second)


def test_the_roadmap_in_english_has_english_headings_and_the_plans_japanese_texts(client, dx):
    program, first, second = dx
    html = roadmap_html(client, program.slug, HTTP_ACCEPT_LANGUAGE="en")
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r'<th scope="col">(.*?)</th>', html)]
    assert headings[2:6] == ["FY2024", "FY2025", "FY2026", "FY2027"] and headings[0] == "Action"
    assert 'lang="ja" data-label="FY2025 (Reiwa 7)">試行</td>' in html


def test_a_program_whose_items_state_no_future_has_no_roadmap(client, world):
    html = client.get(reverse("public:summary", args=[world.program.slug])).content.decode()
    assert "summary-table" in html and "roadmap-table" not in html
