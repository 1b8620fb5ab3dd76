"""The annual PDF (reports/pdf.py), reopened with pdftotext, pdffonts and pypdf: the city's form (two
initiatives a page, never split, the status on one line, the four-year 作業工程, the cover), the
accessible PDF (PDF/UA: structure tree, language, title, bookmarks, tables) and the draft (案)."""
import datetime
import io
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from initiatives import services
from reports.pdf import build_annual_pdf, render_annual_document

from .conftest import publish, release
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


def pages_text(data: bytes) -> list[str]:
    return pdf_text(data, "-layout").split("\f")[:-1]


def numbers_on(page: str) -> list[int]:
    """The 管理番号 of the initiatives whose sheet starts on the page."""
    return [int(n) for n in re.findall(r"管理番号\s+(\d+)", page)]


def test_real_report_has_every_initiative_the_summary_the_ledger_and_page_numbers(real_cycle, real_pdf):
    data = real_pdf
    reader = PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    text = pdf_text(data, "-layout")
    flat = squeeze(text)
    for version in real_cycle.publications.all():
        assert squeeze(version.name) in flat
    first = pdf_text(data, "-layout", "-f", "1", "-l", "1")
    for figure in ["54", "50 (92.6%)", "4 (7.41%)", "89.0", "35.5", "47.1", "17.0"]:
        assert figure in first
    assert "1 / " + str(pages) in first
    assert f"{pages} / {pages}" in pdf_text(data, "-f", str(pages), "-l", str(pages))
    for label in ["取組項目名", "管理番号", "所管部局", "財源確保目標額", "令和5年度までの経過や背景", "作業工程",
                  "令和9年度", "計画", "実績", "進行状況", "実施不可の理由", "財源確保額（当初予算時）", "今後の予定", "目次"]:
        assert label in text
    assert "1,011,707千円" in flat


def test_real_report_prints_two_initiatives_a_page_never_splitting_one(real_cycle, real_pdf, artifacts):
    """About 35 pages as the city's: two initiatives a page wherever both fit, and an initiative that does not
    fit beside another starts a page of its own rather than being split."""
    data = real_pdf
    pages = pages_text(data)
    assert 30 <= len(pages) <= 38, len(pages)
    starts = [numbers_on(page) for page in pages]
    assert sorted(n for numbers in starts for n in numbers) == list(range(1, 55))
    assert max(len(numbers) for numbers in starts) == 2
    assert sum(1 for numbers in starts if len(numbers) == 2) >= 15
    versions = {v.number: v for v in real_cycle.publications.all()}
    for index, numbers in enumerate(starts):
        for number in numbers:  # the sheet ends on the page it starts: its last field's text is there…
            end = squeeze(versions[number].data["next_steps"])[-20:]
            if end not in squeeze(pages[index]):  # …unless, alone on its page, it is longer than a page
                assert numbers == [number] and end in squeeze(pages[index + 1]), number
    assert not words_beyond_the_margins(data)
    # page 1 and a sheet of two initiatives, for a person to compare with the city's report
    pair = next(index for index, numbers in enumerate(starts) if numbers == [1, 2])
    render(data, 1, artifacts / "annual-page-1.png")
    render(data, pair + 1, artifacts / "annual-two-initiatives.png")


def words_beyond_the_margins(data: bytes, margin_mm: float = 10) -> list[str]:
    """The words printed outside the page's left and right margins (a table wider than the page)."""
    layout = pdf_text(data, "-bbox")
    width = float(re.search(r'<page width="([\d.]+)"', layout).group(1))
    margin = margin_mm * 72 / 25.4 - 1  # points, less a point of tolerance
    return [
        word for x_min, x_max, word in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', layout)
        if float(x_min) < margin or float(x_max) > width - margin
    ]


def render(data: bytes, page: int, target: Path) -> None:
    target.parent.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page), "-",
                    str(target.with_suffix(""))], input=data, check=True)
    assert target.exists()


@pytest.fixture
def artifacts():
    return ARTIFACTS


def test_split_status_is_printed_on_one_line(real_pdf):
    lines = pdf_text(real_pdf, "-layout").splitlines()
    assert any("予定どおり進んでいる / 予定より遅れている（土木部）" in line for line in lines)
    assert any("予定どおり進んでいる / 予定より遅れている（市立旭川病院）" in line for line in lines)


def test_cover_has_the_issuing_office_the_release_date_and_the_cycles_texts(real_cycle, real_pdf):
    first = pdf_text(real_pdf, "-f", "1", "-l", "1")
    assert "旭川市 行財政改革推進部 行政改革課" in first
    assert "令和7年4月1日 公表" in first and "基準日 令和7年4月1日" in first
    assert squeeze(real_cycle.introduction) in squeeze(first)
    assert "令和7年度当初までの累計" in first


def boxes_of(box, css_class: str):
    """The laid-out boxes of the elements with `css_class` (WeasyPrint's box tree)."""
    if box.element is not None and css_class in (box.element.get("class") or "").split() and box.element_tag:
        yield box
    for child in getattr(box, "children", []):
        yield from boxes_of(child, css_class)


def test_the_ledger_heading_keeps_its_distance_from_the_status_table(world):
    """Page 1: the status table on the left, the ledger on the right, a clear gutter between them."""
    page = render_annual_document(world.released).pages[0]._page_box
    table = next(boxes_of(page, "status-table"))
    heading = next(b for b in boxes_of(page, "cover-ledger"))
    gutter = heading.border_box_x() - (table.border_box_x() + table.border_width())
    assert gutter >= 5 * 96 / 25.4  # at least 5 mm (CSS px)


# --- the accessible PDF (PDF/UA) ------------------------------------------------------------------------


def structure(reader: PdfReader) -> list[dict]:
    """Every structure element of the tagged PDF."""
    elements, stack = [], [reader.trailer["/Root"]["/StructTreeRoot"].get_object()]
    while stack:
        element = stack.pop()
        if "/S" in element:
            elements.append(element)
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                stack.append(kid.get_object())
    return elements


def test_the_pdf_is_tagged_in_japanese_with_a_title_bookmarks_and_tables(world):
    publish(world, 1)
    data = build_annual_pdf(world.released)
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "ja"
    assert reader.metadata.title == f"{world.program.name}の進行状況（令和7年度当初）"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]  # the title, not the file name, in the window
    assert "pdfuaid" in reader.xmp_metadata.xmp_metadata.decode() if hasattr(reader.xmp_metadata, "xmp_metadata") \
        else "pdfuaid" in root["/Metadata"].get_object().get_data().decode()
    outline = [item.title for item in flatten(reader.outline)]
    assert {"取組の進行状況", "財源確保額", "目次"} <= set(outline)
    assert "1. 取組1" in outline and "Ⅰ　柱Ⅰ" in outline
    kinds = [str(e["/S"]) for e in structure(reader)]
    for kind in ("/Table", "/TR", "/TH", "/TD", "/H1", "/Art", "/Link"):
        assert kind in kinds, kind
    cells = [e for e in structure(reader) if e["/S"] == "/TD"]
    headers = {str(e.get("/ID")) for e in structure(reader) if e["/S"] == "/TH" and "/ID" in e}
    linked = [c for c in cells if "/A" in c and c["/A"].get_object().get("/Headers")]
    assert len(linked) >= 0.9 * len(cells)  # a cell is read with its heading (進行状況: 予定どおり進んでいる)
    assert all(str(h) in headers for c in linked for h in c["/A"].get_object()["/Headers"])


def flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from flatten(item)
        else:
            yield item


def test_japanese_font_is_embedded_and_text_is_selectable(real_pdf):
    data = real_pdf
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True).stdout.decode()
    if not fonts:  # older poppler cannot read stdin
        fonts = ""
    reader = PdfReader(io.BytesIO(data))
    names = {
        str(font["/BaseFont"])
        for page in reader.pages[:3]
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Report-Sans-JP" in name for name in names), names
    for page in reader.pages[:3]:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile3" in descendant["/FontDescriptor"] or "/FontFile2" in descendant["/FontDescriptor"]
    assert "旭川市行財政改革推進プログラム" in pdf_text(data, "-f", "1", "-l", "1")


def test_user_text_is_escaped_and_printed_as_text(world):
    payload = '<script>alert("x")</script><b>太字</b>&amp;'
    publish(world, 1, result=payload)
    data = build_annual_pdf(world.cycle)
    assert squeeze(payload) in squeeze(pdf_text(data))


def test_long_texts_break_across_pages_without_losing_text(synthetic_cycle):
    data = build_annual_pdf(synthetic_cycle)
    text = squeeze(pdf_text(data))
    # initiative 16 has 40 result sentences, 30 background sentences: more than a page
    for i in (1, 30, 40):
        assert f"（取組16の{i}）" in text
    pages = pages_text(data)
    sixteen = next(index for index, page in enumerate(pages) if 16 in numbers_on(page))
    assert numbers_on(pages[sixteen]) == [16]  # it starts a page of its own…
    assert not numbers_on(pages[sixteen + 1])  # …and, longer than a page, goes on to the next
    assert "予定より遅れている（市立旭川病院）" in text


# --- two cycles: the cycle's own texts, the four-year schedule, the preview ---------------------------------


def test_texts_come_from_the_cycle_and_the_schedule_has_the_four_years(world):
    services.cycle_update(cycle=world.cycle, by=world.reviewer, data={
        "introduction": "令和８年度当初の前文です。", "as_of": datetime.date(2026, 4, 1),
        "ledger_label": "令和8年度当初予算までの累計額",
    })
    publish(world, 1, result="令和7年度の実績です")
    world.cycle.refresh_from_db()
    data = build_annual_pdf(world.cycle)
    draft = pages_text(data)
    first = draft[0]
    assert "【案】" in first and "公表前（案）" in first
    assert "令和８年度当初の前文です。" in first and "基準日 令和8年4月1日" in first
    assert "令和8年度当初予算までの累計額" in squeeze(pdf_text(data, "-f", "1", "-l", "1"))
    assert all("【案】" in page for page in draft)  # every page's header says so

    release(world.cycle, world.reviewer, released_on=datetime.date(2026, 5, 20))
    world.cycle.refresh_from_db()
    text = pdf_text(build_annual_pdf(world.cycle), "-layout")
    assert "【案】" not in text and "令和8年5月20日 公表" in text
    flat = squeeze(text)
    # 作業工程 of the four years, each with its step (initiative 1: 検討, 実施, none, none)
    assert squeeze("令和6年度 令和7年度 令和8年度 令和9年度 検討 実施") in flat
    assert "令和7年度の実績です" in flat

    released = pdf_text(build_annual_pdf(world.released)).split("\f")[0]
    assert squeeze(world.program.introduction) in squeeze(released) and "令和7年4月1日" in released
    assert "令和7年度当初までの累計" in released and "令和7年度の実績です" not in released
