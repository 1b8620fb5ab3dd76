"""The annual PDF of a program whose frame is a year roadmap (the dX policy): the grid of each released cycle as
that release kept it, landscape, with the running header and page numbers, and no page left mostly blank."""
import re

import pytest

from initiatives.roadmap import roadmap_of
from initiatives.publication import Publication
from programs.frames import frame_of
from reports.pdf import build_annual_pdf
from tests.conftest import create_reviewer, module_data
from tests.helpers import DX_LATER_PRIORITY, DX_LATER_STEP, dx_roadmap_in_two_cycles, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.xdist_group("dx_roadmap_pdf")]


@pytest.fixture(scope="module")
def dx(django_db_setup, django_db_blocker):
    """The dX roadmap released twice, each cycle's PDF built once for the module."""
    with module_data(django_db_blocker):
        program, first, second = dx_roadmap_in_two_cycles(create_reviewer())
        yield {"program": program, "first": first, "second": second,
               "pdfs": {cycle.pk: build_annual_pdf(cycle) for cycle in (first, second)}}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def released_grid(cycle):
    """The grid from the cycle's publications and kept frame, read directly (not through the report)."""
    frame = frame_of(cycle)
    rows = cycle.publications.filter(is_latest_in_cycle=True).values_list("data", "pillar_id")
    return roadmap_of(((frame.pillar(pk), Publication(data)) for data, pk in rows), frame.program.fiscal_years)


@pytest.mark.parametrize("which", ["first", "second"])
def test_the_pdf_carries_every_step_of_its_releases_grid(dx, which):
    cycle = dx[which]
    text = squeeze(pdf_text(dx["pdfs"][cycle.pk], "-raw"))  # in the order drawn: a cell's lines together
    grid = released_grid(cycle)
    assert len(grid.rows) == 15
    for label in ["～R5", "R6", "R7", "R8", "R9", "将来像"]:
        assert label in text
    for row in grid.rows:
        assert squeeze(row.name) in text
        for cell in row.cells:
            assert squeeze(cell.text) in text, (row.name, cell.column.label)
    assert "システム環境設定,構築" in text and "運用開始(R7.3)" in text  # the document's own steps


def test_each_release_prints_what_it_kept(dx):
    first = squeeze(pdf_text(dx["pdfs"][dx["first"].pk]))
    second = squeeze(pdf_text(dx["pdfs"][dx["second"].pk]))
    assert DX_LATER_STEP not in first and DX_LATER_PRIORITY not in first
    assert "重点取組3選ばれる・続けられる・誇れる職場" in first
    assert DX_LATER_STEP in second and f"重点取組3{DX_LATER_PRIORITY}" in second


def page_fill(data: bytes) -> list[float]:
    """How far down each page its text reaches, above the page number (a share of the page's height)."""
    html = pdf_text(data, "-bbox")
    fills = []
    for page in re.findall(r"<page (.*?)</page>", html, re.S):
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page)]
        body = [y for y in bottoms if y < height - 30]  # the page number sits in the bottom margin
        fills.append(max(body) / height)
    return fills


def test_the_grid_is_landscape_with_the_running_header_and_no_page_mostly_blank(dx):
    data = dx["pdfs"][dx["first"].pk]
    pages = pdf_text(data, "-layout").split("\f")[:-1]
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', pdf_text(data, "-bbox"))
    assert float(size.group(1)) > float(size.group(2))  # A4 landscape
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        assert re.search(rf"\b{number}\s*/\s*{len(pages)}\s*$", page)  # the page number at the foot
        if number > 1:
            assert "旭川市dX加速化方針" in page.splitlines()[0]  # the running header
    assert "目次" not in pdf_text(data)  # the grid follows page 1's heading, no contents page of three lines
    assert min(page_fill(data)) >= 0.5, page_fill(data)
