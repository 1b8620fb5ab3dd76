"""The city's three programs' PDFs, rendered as images: no page is left mostly empty, and the strategy's list
states each 基本目標's 小計 as the city printed it.

The programs are the city's, loaded once for the module by `setup_demo` (as `make run` has them): the reform
report released as 令和7年度当初 and its next cycle, 令和8年度当初, reported and published; the strategy's
list of projects released as 令和7年度当初 (a single-year program: it has one cycle); the dX roadmap
released as the policy printed it (令和7年1月) and its 令和7年度 reported and published.

How full a page is: each page is rendered with `pdftoppm` at 72 dpi in grey (enough for a 0.5 pt rule to
show). The page's margins (12 mm at the top, 9 mm at the bottom) hold the running header and the page
number, inked on every page, so they are left out; what is left is the content area. A pixel row is inked if
one of its pixels is darker than 200/255 (text, rules; not the light tints behind table rows, nor the pale
案 across a draft). The page's fill is the share of the content area's height from its first inked row to
its last. A page is mostly empty below FILL_MIN (half), the last page included: the layouts keep a page from
ending half used (page 1 of a list holds its figures and its contents; the strategy's list runs on from
it). One exception, where it cannot be avoided: the reform report prints two sheets a page and never splits
one, so a short sheet followed by one too tall for the space left stands alone on its page (as in the
city's report). Such a page passes only if the next page's first sheet, its band included, could not have
fitted below what the page holds.

Page 1 and one inner page of each program's PDF are kept under test-artifacts/ as PNG, for a person to
compare with the city's documents.
"""
import io
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from PIL import Image
from pypdf import PdfReader

from initiatives import services
from initiatives.models import WorkflowState, YearlyRecord
from programs.models import Program, ReportingCycle
from reports.pdf import build_annual_pdf
from tests.conftest import module_data
from tests.helpers import pdf_text
from tests.programs.test_strategy_fixture import SEED_PATH as SEED, read_seed

from .test_pdf import flatten, structure

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.xdist_group("page_fill")]

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
DPI = 72
TOP_MM, BOTTOM_MM = 12, 9  # the @page margins of templates/reports/annual.css
INK = 200
FILL_MIN = 0.5
GAP_MM = 3  # between two sheets
SHEET_MIN_MM = 10  # taller than a line of text, shorter than any sheet


def report_the_rest(cycle: ReportingCycle, by) -> None:
    """Report what the departments have not (a plan and a result; a status where the program has them) on
    every record of the open cycle, and publish them all."""
    records = YearlyRecord.objects.of_cycle(cycle).exclude(workflow_state=WorkflowState.PUBLISHED)
    for record in records.order_by("initiative__number"):
        data = {"plan": record.plan or "年度の計画", "result": record.result or "年度の実績"}
        if cycle.program.statuses and not record.status:
            data["status"] = cycle.program.statuses[0]
        services.record_update(record=record, by=by, data=data)
    services.cycle_publish_all(cycle=cycle, by=by)


@pytest.fixture(scope="module")
def pdfs(django_db_setup, django_db_blocker):
    """Each program's PDFs, by URL name: (cycle label, PDF) for each of its cycles, released first."""
    with module_data(django_db_blocker):
        with override_settings(DEBUG=True):  # as under `make run`
            call_command("setup_demo", stdout=io.StringIO())
        reviewer = get_user_model().objects.get(username="reviewer")
        for cycle in ReportingCycle.objects.filter(state="open"):
            report_the_rest(cycle, reviewer)
        built = {}
        for program in Program.objects.order_by("pk"):
            cycles = program.cycles.order_by("fiscal_year", "pk")
            built[program.slug] = [(cycle.label, build_annual_pdf(cycle)) for cycle in cycles]
        yield built


@dataclass
class Page:
    """The inked rows of a page's content area, in rows of pixels at DPI."""

    height: int  # of the content area
    inked: list[int]

    @property
    def fill(self) -> float:
        return (self.inked[-1] - self.inked[0] + 1) / self.height if self.inked else 0.0

    @property
    def first_block(self) -> int:
        """The height of what starts the page: up to the end of its first unbroken run of inked rows taller than
        SHEET_MIN_MM, i.e. a sheet of the reform report (the rules beside every table row ink each of its rows),
        with the lines of its band above it."""
        start = end = self.inked[0]
        for row in self.inked[1:] + [None]:
            if row is not None and row == end + 1:
                end = row
                continue
            if end - start + 1 > SHEET_MIN_MM / 25.4 * DPI or row is None:
                return end - self.inked[0] + 1
            start = end = row
        return end - self.inked[0] + 1


def pages_of(data: bytes) -> list[Page]:
    pages = []
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-", f"{directory}/page"], input=data, check=True)
        for path in sorted(Path(directory).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
            image = Image.open(path).convert("L")
            width, height = image.size
            top, bottom = round(TOP_MM / 25.4 * DPI), height - round(BOTTOM_MM / 25.4 * DPI)
            inked = [y - top for y in range(top, bottom) if image.crop((0, y, width, y + 1)).getextrema()[0] < INK]
            pages.append(Page(bottom - top, inked))
    return pages


def mostly_empty(pages: list[Page], *, sheets: bool) -> list[tuple[int, float]]:
    """The pages (number, fill) under FILL_MIN, but for a page of sheets (never split) that the next page's
    first sheet could not have joined."""
    found = []
    for index, page in enumerate(pages):
        if page.fill >= FILL_MIN:
            continue
        following = pages[index + 1] if index + 1 < len(pages) else None
        if sheets and following and following.inked:
            used = page.inked[-1] + 1 if page.inked else 0
            if used + GAP_MM / 25.4 * DPI + following.first_block > page.height:
                continue  # unavoidable: the next sheet is too tall for the space left, and a sheet is never split
        found.append((index + 1, round(page.fill, 2)))
    return found


def keep(data: bytes, page: int, target: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page), "-",
                    str(target.with_suffix(""))], input=data, check=True)
    assert target.exists()


def test_the_measure_tells_a_full_page_from_a_mostly_empty_one_and_a_page_a_tall_sheet_could_not_join():
    from weasyprint import HTML

    style = ("<style>@page { size: A4 landscape; margin: 12mm 10mm 9mm 10mm } p { margin: 0; font-size: 40pt }"
             " div { border: 1pt solid #000; break-inside: avoid; margin-bottom: 3mm }</style>")
    line = "<p>行財政改革の取組の計画と実績です。</p>"
    short, full = (HTML(string=style + line * lines).write_pdf() for lines in (2, 8))
    assert pages_of(short)[0].fill < FILL_MIN < pages_of(full)[0].fill

    # a short sheet, then one too tall to join it: that page is short only because a sheet is never split
    tall_next = pages_of(HTML(string=style + '<div style="height: 60mm"></div><div style="height: 150mm"></div>').write_pdf())
    assert [number for number, _fill in mostly_empty(tall_next, sheets=False)] == [1]
    assert mostly_empty(tall_next, sheets=True) == []
    # a short sheet whose page is ended although the next one would have fitted
    broken = pages_of(HTML(string=style + '<div style="height: 60mm"></div>'
                           '<div style="height: 60mm; break-before: page"></div><div style="height: 110mm"></div>').write_pdf())
    assert [number for number, _fill in mostly_empty(broken, sheets=True)] == [1]


@pytest.mark.parametrize("slug, cycles", [("gyozaisei-2024", 2), ("sousei", 1), ("dx", 2)])
def test_no_page_of_a_programs_report_is_mostly_empty(pdfs, slug, cycles):
    assert len(pdfs[slug]) == cycles
    for label, data in pdfs[slug]:
        pages = pages_of(data)
        assert not mostly_empty(pages, sheets=slug == "gyozaisei-2024"), (slug, label, len(pages))
    label, data = pdfs[slug][0]
    inner = (len(pages) + 1) // 2 if len(pages) > 2 else len(pages)
    keep(data, 1, ARTIFACTS / f"pdf-{slug}-page-1.png")
    keep(data, inner, ARTIFACTS / f"pdf-{slug}-page-{inner}.png")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_strategys_list_states_each_subtotal_as_printed_and_the_total_of_its_projects_once(pdfs):
    """The seed's 小計 lines (小計1 52 0 4,669,809: every row, 再掲 too; the 再掲 rows; the budget of every
    row) and its 合計, against the PDF's; beside each, the 事業 counted once under their own 施策."""
    seed = read_seed()
    ((label, data),) = pdfs["sousei"]
    lines = [squeeze(line) for line in pdf_text(data, "-layout").splitlines()]
    for goal, (rows, reposted, amount) in seed.subtotals.items():
        (line,) = [line for line in lines if line.startswith(f"小計{goal}")]
        own = [row.budget for row in seed.rows if row.goal == goal and not row.reposted]
        assert f"小計{goal}{rows}件（うち再掲{reposted}件）{amount:,}" in line, line
        assert f"再掲を除く事業：{len(own)}件{sum(own):,}千円" in line, line
    # every row is printed, 再掲 rows too (a 施策 may hold only 再掲 rows: 基本目標4's エ)
    assert len([line for line in lines if re.match(r"\d+再掲", line)]) == sum(r for _, r, _ in seed.subtotals.values())
    (line,) = [line for line in lines if line.startswith("合計") and "再掲を除く" in line]
    own = [row.budget for row in seed.rows if not row.reposted]
    assert line == f"合計{seed.total:,}再掲を除く事業：{len(own)}件{sum(own):,}千円"
    assert (len(own), sum(own)) == (158, 19_526_650)
    # page 1 gives the same figures per 基本目標, under the city's own title
    first = squeeze(pdf_text(data, "-layout", "-f", "1", "-l", "1"))
    assert first.startswith("令和7年度旭川市まち・ひと・しごと創生総合戦略関連事業一覧")
    for goal, (rows, reposted, amount) in seed.subtotals.items():
        own = [row.budget for row in seed.rows if row.goal == goal and not row.reposted]
        assert f"{rows}{reposted}{amount:,}{len(own)}{sum(own):,}" in first


def test_the_strategys_list_is_tagged_with_its_title_and_a_bookmark_for_each_level(pdfs):
    """PDF/UA as the reform report: the city's title in the window, bookmarks for page 1, the contents, each
    基本目標 and each 施策, and the list tagged as a table whose cells know their headers."""
    ((label, data),) = pdfs["sousei"]
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "ja" and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == f"令和7年度旭川市まち・ひと・しごと創生総合戦略関連事業一覧（{label}）"
    outline = [item.title for item in flatten(reader.outline)]
    seed_text = SEED.read_text(encoding="utf-8")
    goals = re.findall(r"<b>(基本目標\d+) (.+?)</b>", seed_text)
    measures = re.findall(r"^(?:<b>|#+ )([ア-ン]) (.+?)(?:</b>)?\t*$", seed_text, flags=re.MULTILINE)
    assert outline[:2] == ["基本目標ごとの予算事業費", "目次"]
    assert [title for title in outline if title.startswith("基本目標") and title[4].isdigit()] == [
        f"{goal}　{name}" for goal, name in goals]
    assert len(outline) == 2 + len(goals) + len(measures) == 2 + 4 + 20
    kinds = [str(e["/S"]) for e in structure(reader)]
    assert all(kind in kinds for kind in ("/Table", "/TR", "/TH", "/TD", "/H1", "/Link"))
    cells = [e for e in structure(reader) if e["/S"] == "/TD"]
    linked = [c for c in cells if "/A" in c and c["/A"].get_object().get("/Headers")]
    assert len(linked) >= 0.9 * len(cells)
