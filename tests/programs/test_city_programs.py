"""The city's three programs side by side: the strategy's totals against its seed, a department's items of
both programs in the admin, the public site (the front page lists them, each has its pages under its URL
name, /gyozaisei-2024/, /sousei/, /dx/, in its own words) and each program's annual report.

The three programs are the city's, loaded once for the module by `setup_demo`, as `make run` has them: the
reform report released as 令和7年度当初 and 令和8年度当初 open, the strategy's list of projects released as
令和7年度当初 (FY2025), the dX roadmap released as the policy printed it (令和7年1月, FY2024) and 令和7年度
open; the demo accounts. The first tests check what `setup_demo` loaded."""
import csv
import datetime
import io
import json
import logging

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts import roles
from initiatives.models import Initiative, Listing, PublishedVersion, YearlyRecord
from programs.statuses import Status
from finance.models import LedgerStatement
from initiatives.opendata.export import export_program, export_published_program
from initiatives.opendata.importer import import_program
from initiatives.selectors import figure_totals, published_summary
from programs.demo import DEMO_DEADLINE_DAYS
from programs.models import Department, Program, ReportingCycle
from reports.pdf import build_annual_pdf
from reports.workbook import build_annual_workbook
from tests.addresses import REFORM
from tests.conftest import module_data
from tests.helpers import pdf_text

from .test_strategy_fixture import read_seed

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.xdist_group("three_programs")]


@pytest.fixture(scope="module")
def programs(django_db_setup, django_db_blocker):
    """The city's three programs as `make run` has them (`setup_demo`, run once for the module), with the
    demo accounts and what the command printed."""
    out = io.StringIO()
    with module_data(django_db_blocker):
        with override_settings(DEBUG=True):  # as under `make run`; the test runner turns DEBUG off
            call_command("setup_demo", stdout=out)
        by_slug = {program.slug: program for program in Program.objects.all()}
        yield {"reform": by_slug[REFORM], "strategy": by_slug["sousei"], "dx": by_slug["dx"], "printed": out.getvalue()}


# --- what `setup_demo` loads ---------------------------------------------------------------------------


def test_setup_demo_releases_the_report_and_opens_the_next_cycle_unreported(programs):
    assert PublishedVersion.objects.current().filter(initiative__program__slug="gyozaisei-2024").count() == 54
    released = ReportingCycle.objects.get(state="released", program__slug=REFORM)
    assert (released.label, released.released_on, released.as_of) == ("令和7年度当初", date(2025, 4, 1), date(2025, 4, 1))
    assert "令和７年度当初における取組内容" in released.introduction
    current = ReportingCycle.objects.get(state="open", program__slug=REFORM)
    assert (current.fiscal_year, current.label) == (2025, "令和8年度当初")
    assert set(YearlyRecord.objects.filter(cycle=current).values_list("status", flat=True)) == {""}
    assert "demo-editor-somu" in programs["printed"]


def test_export_data_after_setup_demo_still_gives_the_citys_fy2024_figures(programs, tmp_path):
    target = tmp_path / "program.json"
    call_command("export_data", "--format", "json", "--program", "gyozaisei-2024", "--output", str(target))
    document = json.loads(target.read_text(encoding="utf-8"))
    total = document["summary"]["total"]
    assert document["summary"]["fiscal_year"] == 2024
    assert total["initiatives"] == 54 and total["not_reported"] == 0
    assert total["counts"] == {"implemented": 0, "on_schedule": 50, "behind": 4, "not_yet_due": 0, "infeasible": 0}
    assert total["percentages"] == {"implemented": "0.00%", "on_schedule": "92.6%", "behind": "7.41%"}
    behind = {i["number"]: i["status_notes"] for i in document["initiatives"] if i["status"] == "behind"}
    assert sorted(behind) == [30, 42, 49, 52]
    assert behind[30] == "予定どおり進んでいる / 予定より遅れている（土木部）"


def test_demo_editors_edit_their_own_departments_initiatives(programs):
    users = get_user_model().objects
    somu = users.get(username="editor-somu")
    mine = roles.visible_initiatives(somu, Initiative.objects.all())
    assert mine.exists()
    assert all(roles.can_edit(somu, initiative) for initiative in mine)
    assert not mine.filter(responsibilities__department__name="土木部").exclude(
        responsibilities__department__name="総務部"
    ).exists()
    assert roles.visible_initiatives(users.get(username="editor-doboku"), Initiative.objects.all()).exists()
    assert users.get(username="reviewer").check_password("demo-reviewer-asahikawa")


def test_setup_demo_loads_the_strategy_and_the_dx_roadmap_released_and_twice_changes_nothing(programs):
    strategy = ReportingCycle.objects.get(program__slug="sousei")
    assert (strategy.state, strategy.label, strategy.fiscal_year) == ("released", "令和7年度当初", 2025)
    assert strategy.publications.count() == 158
    roadmap = ReportingCycle.objects.get(program__slug="dx", state="released")
    assert (roadmap.label, roadmap.fiscal_year, roadmap.publications.count()) == ("令和7年1月", 2024, 15)
    assert {version.data["years"][0]["plan"] for version in roadmap.publications.all()} == {
        step for initiative in Initiative.objects.filter(program__slug="dx")
        for step in initiative.schedule_steps.filter(fiscal_year=2024).values_list("step", flat=True)
    }  # each 取組内容's plan is the roadmap's R6 step, as the cycle prefilled it
    dx = ReportingCycle.objects.get(program__slug="dx", state="open")
    assert (dx.label, dx.fiscal_year, dx.records.count()) == ("令和7年度", 2025, 15)
    counts = (Initiative.objects.count(), PublishedVersion.objects.count(), ReportingCycle.objects.count())
    assert counts == (54 + 158 + 15, 54 + 158 + 15, 2 + 1 + 2)
    with override_settings(DEBUG=True):
        call_command("setup_demo")  # a second run changes nothing
    assert (Initiative.objects.count(), PublishedVersion.objects.count(), ReportingCycle.objects.count()) == counts


def page(client, url, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response.content.decode()


def item(program: Program, pillar_key: str, number: int) -> Initiative:
    return Initiative.objects.get(program=program, pillar__key=pillar_key, number=number)


# --- the front page ------------------------------------------------------------------------------


def test_the_front_page_lists_each_program_with_its_headline_figure(client, programs):
    html = page(client, "/")
    reform, strategy, dx = (html.index(f'href="/{slug}/"') for slug in (REFORM, "sousei", "dx"))
    assert reform < strategy < dx  # oldest first
    reform_card, strategy_card, dx_card = html[reform:strategy], html[strategy:dx], html[dx:]
    assert "旭川市行財政改革推進プログラム２０２４" in reform_card
    assert "35.5" in reform_card and "89.0" in reform_card and "39.9%" in reform_card  # the ledger, as the report states it
    assert "92.6%" in reform_card and "(50 / 54)" in reform_card
    assert "旭川市まち・ひと・しごと創生総合戦略" in strategy_card
    assert "予算事業費の合計" in strategy_card and "19,526,650千円" in strategy_card  # each 再掲 事業 counted once
    assert "158件の事業" in strategy_card and "92.6%" not in strategy_card
    assert "旭川市dX加速化方針" in dx_card and "令和7年1月" in dx_card and "15件の取組内容" in dx_card
    assert "財源" not in strategy_card + dx_card


def test_the_front_page_takes_a_bounded_number_of_queries(client, programs, django_assert_max_num_queries):
    # the programs, their statuses, their released reports, the identity; then each program's summary as its own
    # summary page reads it (pillars, publications) and the reform program's items behind and ledger, the
    # strategy's figure totals
    with django_assert_max_num_queries(11):
        page(client, "/")


# --- the strategy's list of projects -------------------------------------------------------------


def test_strategy_totals_per_basic_goal_match_the_seed_and_its_open_data_states_them(programs):
    """The totals recomputed from the seed's text by the parser of test_strategy_fixture."""
    strategy = programs["strategy"]
    seed = read_seed()
    cycle = strategy.cycles.get()
    rows, whole = figure_totals(strategy, cycle)
    assert [r.perspective.order for r in rows] == [1, 2, 3, 4]
    for row in rows:
        goal = row.perspective.order
        printed_rows, printed_reposted, printed_amount = seed.subtotals[goal]  # the seed's 小計
        own = [r.budget for r in seed.rows if r.goal == goal and not r.reposted]
        assert (row.items, row.amount) == (len(own), sum(own))  # each 事業 once, under its own 施策
        assert row.listed_again == printed_reposted and row.items + row.listed_again == printed_rows
        assert row.amount_as_listed == printed_amount  # the 小計 as printed adds the 再掲 rows again
    assert whole.amount_as_listed == seed.total == 20_302_058
    assert whole.amount == sum(r.budget for r in seed.rows if not r.reposted) == 19_526_650
    assert whole.items == 158 and whole.listed_again == 32

    document = export_published_program(strategy)  # the open data: the frame and the same totals
    assert document["format"] == "reformtracker/4"
    frame = document["program"]["frame"]
    assert [level["name"] for level in frame["levels"]] == ["基本目標", "施策"]
    assert frame["item"]["name"] == "事業" and frame["ledger"] is False and frame["statuses"] == []
    assert frame["figure"]["name"] == "予算事業費" and frame["numbering"] == "level"
    totals = document["figure_totals"]
    assert totals["total"]["amount_thousand_yen"] == 19_526_650
    assert totals["total"]["amount_as_listed_thousand_yen"] == 20_302_058
    assert [level["amount_as_listed_thousand_yen"] for level in totals["levels"]] == [
        4_669_809, 3_447_819, 853_641, 11_330_789
    ]
    first = next(item for item in document["initiatives"] if item["pillar"] == "1ア" and item["number"] == 1)
    assert first["name"] == "発達支援相談事業" and first["secured_amount_thousand_yen"] == 28_212
    assert sum(len(item.get("listings", [])) for item in document["initiatives"]) == 32
    # the document reads back as the same program (a copy under another name and URL name)
    copy_document = {**document, "program": {**document["program"], "name": "写し", "slug": "utsushi"}}
    again = import_program(copy_document)
    assert again.initiatives.count() == 158 and Listing.objects.filter(initiative__program=again).count() == 32


def test_beside_the_strategy_a_department_sees_its_items_of_both_and_the_reform_program_is_unchanged(
    client, programs, make_user
):
    strategy, published_program = programs["strategy"], programs["reform"]
    kosodate = Department.objects.get(name="子育て支援部")  # one department, shared by both programs
    editor = make_user("editor-kosodate", role=roles.EDITOR, departments=[kosodate])
    client.force_login(editor)
    response = client.get(reverse("admin:initiatives_initiative_changelist"), {"all": ""})
    assert response.status_code == 200
    names = {(i.program.slug, i.name) for i in response.context["cl"].result_list}
    assert ("sousei", "発達支援相談事業") in names
    assert ("gyozaisei-2024", "市有施設等管理運営手法の見直し") in names  # 管理番号29, 子育て支援部 among others
    assert all(any(r.department_id == kosodate.pk for r in i.responsibilities.all())
               for i in response.context["cl"].result_list)
    page = response.content.decode()
    assert strategy.display_short_name in page and published_program.display_short_name in page  # each row names its program

    summary = published_summary(published_program)
    assert (summary.total.initiatives, summary.total.counts[Status.BEHIND]) == (54, 4)
    assert Program.objects.get(slug="dx").initiatives.count() == 15
    assert Program.objects.get(slug="dx").has_two_levels is False
    assert export_program(published_program)["program"]["frame"]["numbering"] == "program"


# --- the strategy: 基本目標 → 施策 → 事業, 予算事業費, 再掲, no statuses ------------------------------------


def test_the_strategy_summary_shows_its_budget_per_basic_goal_instead_of_a_status_chart(client, programs):
    html = page(client, "/sousei/")
    assert "<h1>旭川市まち・ひと・しごと創生総合戦略の進行状況</h1>" in html
    table = html.split('class="data-table fit-table stack-table figure-table"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="col">基本目標</th>' in table and "再掲を含めた額（一覧表の小計）" in table
    for once, as_listed in [("4,669,809", "4,669,809"), ("3,427,221", "3,447,819"), ("721,006", "853,641"),
                            ("10,708,614", "11,330,789"), ("19,526,650", "20,302,058")]:
        assert f"{once}千円" in table and f"{as_listed}千円" in table
    assert "もとの施策で1回だけ数えています" in html and "20,302,058千円）は、再掲の行も数えた額です" in html
    assert "status-chart" not in html and "予定どおり進んでいる" not in html
    assert "財源確保" not in html  # neither the ledger nor its link
    assert client.get("/sousei/ledger/").status_code == 404


def test_strategy_items_are_found_by_their_measure_and_number(client, programs):
    strategy = programs["strategy"]
    first = item(strategy, "1ア", 1)
    html = page(client, "/sousei/initiatives/1ア-1/")
    assert first.name == "発達支援相談事業" and f'<h1 lang="ja">{first.name}</h1>' in html
    assert "<dt>基本目標</dt><dd>若い世代の結婚・出産・子育ての希望をかなえる</dd>" in html
    assert "<dt>施策</dt><dd>ア 結婚, 妊娠, 出産, 育児への総合的な支援</dd>" in html
    assert "<dt>予算事業費</dt><dd>28,212千円</dd>" in html
    assert "進行状況" not in html.split("<main", 1)[1].split("</dl>", 1)[0]  # no status among the facts
    assert "作業工程" not in html  # the list plans no steps per year
    other = item(strategy, "1イ", 1)  # the same number under the next 施策 is another 事業
    assert other.pk != first.pk and f'<h1 lang="ja">{other.name}</h1>' in page(client, "/sousei/initiatives/1イ-1/")
    for missing in ["1", "1ア", "1ア-", "-1", "1ア-999", "9ア-1", "1ア-１"]:
        assert client.get(f"/sousei/initiatives/{missing}/").status_code == 404, missing


def test_an_item_listed_again_says_where_and_is_counted_once(client, programs):
    listing = Listing.objects.filter(pillar__program=programs["strategy"]).select_related("initiative__pillar", "pillar").first()
    original = listing.initiative
    html = page(client, f"/sousei/initiatives/{original.pillar.key}-{original.number}/")
    assert f"{listing.pillar}の{listing.number}番にも掲げています" in html
    # the number it is listed again under leads to it (the printed list gives both)
    response = client.get(f"/sousei/initiatives/{listing.pillar.key}-{listing.number}/")
    assert response.status_code == 301
    assert response["Location"] == reverse("public:initiative-detail", args=["sousei", f"{original.pillar.key}-{original.number}"])
    rows = list(csv.reader(io.StringIO(page(client, "/sousei/initiatives.csv").lstrip("\ufeff"))))
    assert rows[0] == ["番号", "事業名", "基本目標", "施策", "所管部局", "予算事業費（千円）", "報告期", "公開日"]
    assert len(rows) == 1 + 158 and sum(int(row[5]) for row in rows[1:]) == 19_526_650


def test_the_strategy_list_filters_by_its_own_levels_without_statuses(client, programs):
    response = client.get("/sousei/initiatives/", {"per_page": "200"})
    form = response.context["filter"].form
    assert [form.fields[name].label for name in ("perspective", "pillar", "has_amount")] == ["基本目標", "施策", "予算事業費"]
    assert "status" not in form.fields
    table = response.context["table"]
    assert [str(column.header) for column in table.columns] == ["番号", "事業名", "施策", "所管部局", "予算事業費（千円）"]
    assert table.paginator.count == 158
    keys = [(row.record.pillar.key, row.record.number) for row in table.rows]
    assert keys[:2] == [("1ア", 1), ("1ア", 2)] and len(set(keys)) == 158  # in the list's order, 施策 by 施策
    goal = programs["strategy"].perspectives.get(order=1)
    assert client.get("/sousei/initiatives/", {"perspective": goal.pk}).context["table"].paginator.count == 52
    assert client.get("/sousei/initiatives/", {"q": "12"}).status_code == 200  # a number names no single 事業 here


def test_the_strategy_in_english_uses_its_own_level_names(client, programs):
    html = page(client, "/sousei/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Basic goal" in html and "Project budget" in html
    html = page(client, "/sousei/initiatives/1ア-1/", HTTP_ACCEPT_LANGUAGE="en")
    assert "<dt>Measure</dt>" in html and "<dt>Project budget</dt><dd>28,212千円</dd>" in html


# --- the dX roadmap: one level, a schedule and a 将来像 ------------------------------------------------


def test_the_dx_roadmap_shows_each_action_with_its_four_years_and_its_goal(client, programs):
    html = page(client, "/dx/")
    assert "重点取組ごとの取組内容" in html and "status-chart" not in html
    action = item(programs["dx"], "1", 1)
    html = page(client, "/dx/initiatives/1-1/")
    assert f'<h1 lang="ja">{action.name}</h1>' in html
    assert "将来像" in html and action.goal.splitlines()[0] in html
    assert "作業工程（4か年の計画と進み具合）" in html and "令和9年度（2027年度）" in html
    assert "<dt>視点</dt>" not in html and "所管部局" not in html  # one level; the policy names no department
    assert client.get("/dx/ledger/").status_code == 404


# --- every program's pages, the feeds and the sitemap -------------------------------------------------


@pytest.mark.parametrize("slug", [REFORM, "sousei", "dx"])
def test_each_programs_pages_answer_under_its_name(client, programs, slug):
    program = Program.objects.get(slug=slug)
    cycle = program.cycles.get(state="released")
    names = ["summary", "initiative-list", "department-index", "opendata", "archive-index", "feed"]
    for name in names + (["ledger"] if program.has_ledger else []):
        page(client, reverse(f"public:{name}", args=[slug]))
    archive = page(client, reverse("public:archive-cycle", args=[slug, cycle.pk]))
    assert f'href="/{slug}/archive/{cycle.pk}/annual.pdf"' in archive  # its annual report, under its own name
    document = json.loads(page(client, reverse("public:opendata-json", args=[slug])))
    assert document["program"]["slug"] == slug
    assert client.get(reverse("public:archive-cycle", args=[REFORM if slug != REFORM else "sousei", cycle.pk])).status_code == 404
    assert client.get(f"/{slug}/archive/{cycle.pk + 1000}/annual.pdf").status_code == 404


def test_the_sitemap_lists_every_programs_pages_and_items(client, programs):
    xml = page(client, "/sitemap.xml")
    assert "<loc>http://testserver/</loc>" in xml
    for slug in (REFORM, "sousei", "dx"):
        assert f"<loc>http://testserver/{slug}/</loc>" in xml
    assert "<loc>http://testserver/sousei/ledger/</loc>" not in xml
    assert xml.count("<loc>http://testserver/sousei/initiatives/") == 1 + 158  # the list and each 事業
    assert "<loc>http://testserver/sousei/initiatives/1%E3%82%A2-1/</loc>" in xml
    assert xml.count("<loc>http://testserver/dx/initiatives/") == 1 + 15


@pytest.mark.parametrize("slug, bounds", [
    (REFORM, {"summary": 9, "list": 8, "detail": 7}),
    ("sousei", {"summary": 9, "list": 8, "detail": 8}),
    ("dx", {"summary": 8, "list": 8, "detail": 7}),
])
def test_query_counts_of_each_programs_pages_are_bounded(client, programs, slug, bounds, django_assert_max_num_queries):
    detail = {REFORM: "12", "sousei": "1ア-1", "dx": "1-1"}[slug]
    urls = {
        "summary": reverse("public:summary", args=[slug]),
        "list": reverse("public:initiative-list", args=[slug]),
        "detail": reverse("public:initiative-detail", args=[slug, detail]),
    }
    for name, bound in bounds.items():
        with django_assert_max_num_queries(bound):
            page(client, urls[name])


# --- each program's annual report, in its own frame ---------------------------------------------------


REFORM_WORDS = ["行財政改革", "財源確保", "進行状況", "管理番号"]


def reform_words(text: str) -> list[str]:
    """The reform report's own words in a text, apart from the department called 行財政改革推進部 (the strategy's data)."""
    text = text.replace("行財政改革推進部", "")
    return [word for word in REFORM_WORDS if word in text]


def test_the_strategy_report_is_its_list_with_its_budget_and_no_reform_wording(programs, caplog):
    cycle = programs["strategy"].cycles.get(state="released")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = build_annual_pdf(cycle)
    assert not [record.getMessage() for record in caplog.records if "defined twice" in record.getMessage()]
    text = pdf_text(data, compact=True)
    assert text.startswith("令和7年度旭川市まち・ひと・しごと創生総合戦略関連事業一覧") and "基本目標ごとの予算事業費" in text
    for figure in ["4,669,809", "3,447,819", "11,330,789", "19,526,650", "20,302,058"]:
        assert figure in text
    assert "1発達支援相談事業子育て支援部28,212" in text  # 番号, 事業名, 部局名, 予算事業費 as the list prints them
    listing = Listing.objects.filter(pillar__program=programs["strategy"]).select_related("initiative").first()
    again = listing.initiative.listings.count()
    assert text.count(listing.initiative.name) >= 1 + again  # printed again (再掲) under each other 施策
    assert text.count("再掲") >= 32 + 2
    assert not reform_words(text)

    book = load_workbook(io.BytesIO(build_annual_workbook(cycle)))
    assert book.sheetnames == ["概要", "事業一覧"]
    items = list(book["事業一覧"].iter_rows(values_only=True))
    header = items[0]
    assert header[:5] == ("番号", "基本目標", "施策", "施策の記号", "事業名") and "予算事業費（千円）" in header
    amounts = [row[header.index("予算事業費（千円）")] for row in items[1:]]
    assert len(amounts) == 158 and sum(amounts) == 19_526_650
    cells = [cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    assert not reform_words("\n".join(cells))


def test_the_dx_report_is_its_roadmap(programs):
    cycle = programs["dx"].cycles.get(state="released")
    text = pdf_text(build_annual_pdf(cycle), compact=True)
    assert text.startswith("旭川市dX加速化方針令和7年1月") and "重点取組ごとの取組内容" in text
    assert all(label in text for label in ["ロードマップ", "～R5", "R6", "R9", "将来像"])  # the roadmap's columns, as printed
    assert "行政手続きのオンライン化" in text
    assert not reform_words(text)
    book = load_workbook(io.BytesIO(build_annual_workbook(cycle)))
    assert book.sheetnames == ["概要", "取組内容一覧"]
    header = next(book["取組内容一覧"].iter_rows(values_only=True))
    assert "将来像" in header and "作業工程（令和9年度）" in header and "所管部局" not in header


def test_a_programs_report_downloads_under_its_own_name(client, programs):
    cycle = programs["dx"].cycles.get(state="released")
    response = client.get(reverse("public:annual-xlsx", args=["dx", cycle.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("public:annual-xlsx", args=["sousei", cycle.pk])).status_code == 404


# --- what the documents state, and nothing more ------------------------------------------------------


def test_each_program_records_its_documents_own_title_its_issuer_if_named_and_a_short_name(programs):
    recorded = {
        key: Program.objects.filter(pk=program.pk).values_list("source_title", "issuing_office", "short_name").get()
        for key, program in programs.items() if key != "printed"
    }
    assert recorded == {
        "reform": ("旭川市行財政改革推進プログラム２０２４の進行状況", "旭川市 行財政改革推進部 行政改革課", "行財政改革"),
        "strategy": ("令和7年度旭川市まち・ひと・しごと創生総合戦略関連事業一覧", "", "総合戦略"),
        "dx": ("旭川市dX加速化方針", "", "dX"),
    }


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">'):]


def test_the_pages_credit_the_documents_title_and_no_issuer_the_document_does_not_name(client, programs):
    strategy = footer(page(client, "/sousei/"))
    assert "出典：「令和7年度旭川市まち・ひと・しごと創生総合戦略関連事業一覧」" in strategy
    assert '<p class="issuer-office">旭川市</p>' in strategy and "行政改革課" not in strategy
    assert "の進行状況」" not in strategy  # no title made up from the program's name
    dx = footer(page(client, "/dx/"))
    assert "出典：「旭川市dX加速化方針」" in dx and "行政改革課" not in dx
    reform = footer(page(client, f"/{REFORM}/"))
    assert "出典：「旭川市行財政改革推進プログラム２０２４の進行状況」" in reform
    assert '<p class="issuer-office">旭川市 行財政改革推進部 行政改革課</p>' in reform
    feed = page(client, reverse("public:feed", args=["sousei"]))
    assert "<name>旭川市</name>" in feed and "行政改革課" not in feed


def test_the_reports_are_titled_and_credited_as_the_citys_documents(programs):
    strategy = pdf_text(build_annual_pdf(programs["strategy"].cycles.get(state="released")), compact=True)
    assert "出典：「令和7年度旭川市まち・ひと・しごと創生総合戦略関連事業一覧」" in strategy and "行政改革課" not in strategy
    reform = programs["reform"].cycles.get(state="released")
    book = load_workbook(io.BytesIO(build_annual_workbook(reform)))
    assert book["概要"]["A1"].value == "旭川市行財政改革推進プログラム２０２４の進行状況（令和7年度当初）"


def test_the_dx_policys_date_is_its_month_wherever_it_is_shown(client, programs):
    """The policy is dated 令和7年1月: its summary, archive, PDF and workbook give the month, never a day; the
    reform report, dated 令和7年4月1日, keeps its day."""
    cycle = programs["dx"].cycles.get(state="released")
    html = page(client, "/dx/")
    assert "令和7年1月時点（令和7年1月）のデータです。" in html
    assert '公開日：<time datetime="2025-01">2025年1月</time>' in html and "1月1日" not in html
    archive = page(client, "/dx/archive/") + page(client, f"/dx/archive/{cycle.pk}/")
    assert '<time datetime="2025-01">2025年1月</time>' in archive and "1月1日" not in archive
    text = pdf_text(build_annual_pdf(cycle), compact=True)
    assert "（基準日令和7年1月）" in text and "令和7年1月公表" in text and "1月1日" not in text
    preamble = [cell for row in load_workbook(io.BytesIO(build_annual_workbook(cycle)))["概要"].iter_rows(values_only=True)
                for cell in row if isinstance(cell, str) and "基準日" in cell]
    assert preamble and preamble[0].startswith("基準日: 2025年1月　")
    assert "令和7年度当初時点（令和7年4月1日）のデータです。" in page(client, f"/{REFORM}/")
    assert "January 2025" in page(client, "/dx/", HTTP_ACCEPT_LANGUAGE="en")


def test_a_single_year_programs_period_is_that_year(client, programs):
    front = page(client, "/")
    assert "計画期間：令和7年度<" in front and "計画期間：令和6年度〜令和9年度<" in front
    html = page(client, "/sousei/")
    assert "計画期間：令和7年度<" in html and "（令和7年度（2025年度））" in html and "〜令和7年度" not in html
    assert programs["strategy"].period_label == "令和7年度"


def test_only_the_program_with_a_ledger_has_statements_named_by_their_cycles_budget(client, programs):
    """The reform program's two cycles have a statement each; the strategy and the dX policy, which have no
    ledger, none; 財政課 sees the reform program's statements only."""
    statements = LedgerStatement.objects.select_related("program")
    assert sorted((s.program.slug, str(s)) for s in statements) == [(REFORM, "令和7年度当初予算"), (REFORM, "令和8年度当初予算")]
    client.force_login(get_user_model().objects.get(username="finance"))
    html = page(client, reverse("admin:finance_ledgerstatement_changelist"))
    assert "令和8年度当初予算" in html and "令和7年度当初予算" in html
    assert programs["strategy"].name not in html and programs["dx"].name not in html  # neither listed nor a filter choice


def test_the_demos_open_cycles_are_due_some_days_after_the_demo_was_created(client, programs):
    due = timezone.localdate() + datetime.timedelta(days=DEMO_DEADLINE_DAYS)
    assert sorted(ReportingCycle.objects.open().values_list("program__slug", "deadline")) == [("dx", due), (REFORM, due)]
    for username in ("editor-doboku", "editor-somu", "reviewer", "finance"):
        client.force_login(get_user_model().objects.get(username=username))
        html = page(client, reverse("admin:index"))
        assert "日超過" not in html, username


def test_an_ongoing_initiative_without_a_step_this_year_is_not_offered_not_yet_due(programs):
    """#30 goes on: the fixture has no 令和7年度 step for it, which is no later start."""
    record = YearlyRecord.objects.get(cycle__program__slug=REFORM, cycle__state="open", initiative__number=30)
    assert not record.initiative.schedule_steps.filter(fiscal_year=2025).exists()
    assert record.proposed_status is None
