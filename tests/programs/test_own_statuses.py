"""A program with statuses of its own (未着手 / 取組中 / 完了, and 停滞 for "behind") beside the reform program:
its summary, list, charts, annual PDF and workbook speak its vocabulary and count by its rule, and a released
report keeps the labels it printed."""
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from initiatives import services
from initiatives.selectors import published_summary
from programs.models import Program, ProgramStatus
from reports.pdf import build_annual_pdf
from reports.workbook import build_annual_workbook
from tests.addresses import REFORM
from tests.factories import (
    DepartmentFactory,
    InitiativeFactory,
    PerspectiveFactory,
    PillarFactory,
    ProgramFactory,
    ResponsibilityFactory,
    YearlyRecordFactory,
)
from tests.reports.conftest import publish
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db

SLUG = "city-plan"
# code, label, label_en, counted, behind, not_yet_due
OWN = [
    ("not_started", "未着手", "Not started", False, False, True),
    ("in_progress", "取組中", "In progress", True, False, False),
    ("done", "完了", "Completed", True, False, False),
    ("stalled", "停滞", "Stalled", True, True, False),
]
# The released report (FY2024): one 完了, two 取組中, one 未着手, one 停滞.
RELEASED = {1: "done", 2: "in_progress", 3: "in_progress", 4: "not_started", 5: "stalled"}


def own_program(reviewer) -> Program:
    """The city's own plan: five items, 令和7年度当初 (FY2024) released, 令和8年度当初 (FY2025) open with item 1
    published in it (速報) as 完了."""
    program = ProgramFactory(
        slug=SLUG, name="市の計画", has_ledger=False, fiscal_target_thousand_yen=None, status_codes="",
        figure_label="", figure_label_en="",
    )
    ProgramStatus.objects.bulk_create(
        ProgramStatus(program=program, code=code, label=label, label_en=label_en, order=order, severity=order,
                      counted=counted, behind=behind, needs_reason=behind, not_yet_due=not_yet_due)
        for order, (code, label, label_en, counted, behind, not_yet_due) in enumerate(OWN, start=1)
    )
    department = DepartmentFactory(name="企画部")
    pillar = PillarFactory(perspective=PerspectiveFactory(program=program, name="まちづくり"), numeral="1", name="暮らし")
    for number, status in RELEASED.items():
        initiative = InitiativeFactory(pillar=pillar, number=number, name=f"施策{number}")
        ResponsibilityFactory(initiative=initiative, department=department)
        YearlyRecordFactory(initiative=initiative, fiscal_year=2024, status=status,
                            delay_reason="用地の取得が遅れた" if status == "stalled" else "")
    services.cycle_release_imported(program=program, by=reviewer, fiscal_year=2024)
    services.cycle_open(program=program, fiscal_year=2025, by=reviewer)
    record = program.initiatives.get(number=1).years.get(fiscal_year=2025)
    services.record_update(record=record, by=reviewer, data={"plan": "計画", "result": "実績", "status": "done"})
    for action in (services.record_submit, services.record_approve, services.record_publish):
        action(record=program.initiatives.get(number=1).years.get(fiscal_year=2025), by=reviewer)
    return Program.objects.get(pk=program.pk)


@pytest.fixture
def side_by_side(world):
    """The reform program (令和7年度当初 released, 令和8年度当初 open with 取組1 published in it) and the city's plan."""
    publish(world, 1)
    world.own = own_program(world.reviewer)
    world.own_released = world.own.cycles.get(fiscal_year=2024)
    world.own_open = world.own.cycles.get(fiscal_year=2025)
    return world


def status_options(html: str) -> list[str]:
    select = re.search(r'<select name="status".*?</select>', html, re.DOTALL).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def summary_sheet(data: bytes) -> list[tuple]:
    return [row for row in load_workbook(io.BytesIO(data), read_only=True)["概要"].iter_rows(values_only=True)]


def summary_header(data: bytes) -> tuple:
    return next(row for row in summary_sheet(data) if row and row[0] == "柱")


def test_the_summary_counts_the_programs_statuses_by_its_rule(side_by_side):
    total = published_summary(side_by_side.own, side_by_side.own_released).total
    assert total.counts == {"not_started": 1, "in_progress": 2, "done": 1, "stalled": 1}
    assert total.denominator == 4  # 未着手 is not counted
    assert (total.on_track, total.on_track_percent) == (3, "75.0%")  # 取組中 and 完了, not 停滞
    assert total.percent("in_progress") == "50.0%" and total.percent("not_started") is None
    reform = published_summary(side_by_side.program, side_by_side.released).total
    assert list(reform.counts) == ["implemented", "on_schedule", "behind", "not_yet_due", "infeasible"]


def test_the_summary_page_leads_with_the_programs_share_and_its_behind_items(client, side_by_side):
    html = client.get(reverse("public:summary", args=[SLUG])).content.decode()
    assert "75.0%" in html and "(3 / 4)" in html
    assert "「取組中」「完了」" in html and "施策5" in html  # the share's statuses; the item 停滞
    assert "「未着手」を除いた" in html
    assert "実施済み" not in html and "予定どおり進んでいる取組" not in html
    front = client.get(reverse("public:program-index")).content.decode()
    card = next(card for card in front.split('class="program-card"')[1:] if "市の計画" in card)
    assert "「取組中」「完了」の取組" in card and "75.0%" in card


def test_the_list_filter_offers_the_programs_statuses_only(client, side_by_side):
    own = client.get(reverse("public:initiative-list", args=[SLUG])).content.decode()
    assert status_options(own) == ["", "not_started", "in_progress", "done", "stalled"]
    assert '<span class="status status-n2">取組中</span>' in own
    filtered = client.get(reverse("public:initiative-list", args=[SLUG]) + "?status=in_progress").content.decode()
    assert "施策2" in filtered and "施策3" in filtered and "施策1" not in filtered
    reform = client.get(reverse("public:initiative-list", args=[REFORM])).content.decode()
    assert status_options(reform) == ["", "implemented", "on_schedule", "behind", "not_yet_due", "infeasible"]


def test_the_charts_show_the_programs_labels_with_their_own_patterns(client, side_by_side):
    html = client.get(reverse("public:summary", args=[SLUG])).content.decode()
    chart = re.search(r'<figure class="chart">.*?</figure>', html, re.DOTALL).group(0)
    legend = re.findall(r"</svg>([^<]+)</li>", chart)
    assert legend == ["未着手", "取組中", "完了", "停滞"]
    assert 'fill="url(#status-chart-n2)"' in chart and 'id="status-chart-n4"' in chart
    reform = client.get(reverse("public:summary", args=[REFORM])).content.decode()
    assert 'fill="url(#status-chart-on_schedule)"' in reform


@pytest.mark.slow
def test_the_annual_pdf_and_workbook_print_the_programs_labels_and_counts(side_by_side):
    text = pdf_text(build_annual_pdf(side_by_side.own_released), compact=True)
    firsts = [text.find(label) for label in ("未着手", "取組中", "完了", "停滞")]
    assert -1 not in firsts and firsts == sorted(firsts)  # the summary's columns, in the program's order
    assert "2(50.0%)" in text and "実施済み" not in text
    assert "未着手の件数は割合算出上の数値に算入していません。" in text
    data = build_annual_workbook(side_by_side.own_released)
    rows, header = summary_sheet(data), summary_header(data)
    assert [h for h in header if h and "（" in h] == [
        "未着手\n（件数）", "取組中\n（件数）", "取組中\n（割合）", "完了\n（件数）", "完了\n（割合）",
        "停滞\n（件数）", "停滞\n（割合）", "未報告\n（件数）",
    ]
    total = next(row for row in rows if row and row[1] == "合計")
    assert total[3:11] == (5, 1, 2, 0.5, 1, 0.25, 1, 0.25)


@pytest.mark.slow
def test_a_label_renamed_after_the_release_leaves_the_released_report_as_printed(
    client, side_by_side, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_PAGE_CACHE = True
    released, still_open = side_by_side.own_released, side_by_side.own_open
    preliminary_url = reverse("public:initiative-detail", args=[SLUG, 1])
    assert '<span class="status status-n3">完了</span>' in client.get(preliminary_url).content.decode()  # and cached
    with django_capture_on_commit_callbacks(execute=True):  # as the admin saves it: the cached pages go
        status = ProgramStatus.objects.get(program=side_by_side.own, code="done")
        status.label = "終了"
        status.save()
    summary = client.get(reverse("public:summary", args=[SLUG])).content.decode()
    listing = client.get(reverse("public:initiative-list", args=[SLUG])).content.decode()
    archived = client.get(reverse("public:archive-initiative", args=[SLUG, released.pk, 1])).content.decode()
    assert "完了" in summary and "終了" not in summary
    assert '<option value="done">完了</option>' in listing
    assert '<span class="status status-n3">完了</span>' in archived
    assert "完了" in pdf_text(build_annual_pdf(released), compact=True) and "終了" not in pdf_text(build_annual_pdf(released), compact=True)
    assert "完了\n（件数）" in summary_header(build_annual_workbook(released))
    # the open cycle (its preliminary publication, its draft report) reads the program as it stands
    preliminary = client.get(preliminary_url).content.decode()
    assert '<span class="status status-n3">終了</span>' in preliminary
    assert "終了\n（件数）" in summary_header(build_annual_workbook(still_open))


def test_english_pages_show_the_english_labels(client, side_by_side):
    client.post(reverse("public:set-language"), {"language": "en", "next": "/"})
    listing = client.get(reverse("public:initiative-list", args=[SLUG])).content.decode()
    assert '<option value="in_progress">In progress</option>' in listing
    assert '<span class="status status-n4">Stalled</span>' in listing
    summary = client.get(reverse("public:summary", args=[SLUG])).content.decode()
    assert "Not started" in summary and "未着手" not in summary
