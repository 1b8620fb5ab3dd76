"""The annual workbook (reports/workbook.py), reopened with openpyxl."""
import datetime
import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from initiatives import services
from programs.statuses import Status
from reports.workbook import build_annual_workbook

from .conftest import publish, release

pytestmark = pytest.mark.django_db

SHEETS = ["概要", "取組一覧", "年度別計画・実績", "財源確保"]


def reopen(data: bytes):
    return load_workbook(io.BytesIO(data))


def header_row(sheet) -> int:
    return int(sheet.freeze_panes[1:]) - 1


def rows_as_dicts(sheet) -> list[dict]:
    first = header_row(sheet)
    headers = [c.value for c in sheet[first]]
    return [dict(zip(headers, (c.value for c in row))) for row in sheet.iter_rows(min_row=first + 1)]


def test_sheets_headers_frozen_filtered_and_printable(real_cycle):
    book = reopen(build_annual_workbook(real_cycle))
    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        first = header_row(sheet)
        assert sheet.auto_filter.ref.startswith(f"A{first}:")
        assert sheet[first][0].font.b and sheet[first][0].fill.fgColor.rgb.endswith("2F5D8A")
        assert sheet.print_title_rows == f"${first}:${first}"
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and int(sheet.page_setup.fitToHeight) == 0
        assert (sheet.page_setup.fitToWidth or 1) == 1  # one page wide: 1 is the default, left out of the file
        assert all(sheet.column_dimensions[c].width for c in "ABC")
    initiatives = book["取組一覧"]
    assert initiatives.freeze_panes == "A2"
    assert [c.value for c in initiatives[1]][:5] == ["管理番号", "視点", "柱", "取組項目名", "所管部局"]
    assert initiatives["G2"].alignment.wrap_text


def test_one_row_per_initiative_and_per_initiative_and_year(real_cycle):
    book = reopen(build_annual_workbook(real_cycle))
    rows = rows_as_dicts(book["取組一覧"])
    assert [r["管理番号"] for r in rows] == list(range(1, 55))
    by_number = {r["管理番号"]: r for r in rows}
    assert by_number[40]["財源確保額（当初予算時、千円）"] == 1_011_707
    assert "予定より遅れている（土木部）" in " ".join(r["進行状況"] for r in rows)
    years = rows_as_dicts(book["年度別計画・実績"])
    assert len(years) == 54 and {r["年度"] for r in years} == {"令和6年度"}


def test_summary_figures_are_numbers_with_the_reports_percentages(real_cycle):
    sheet = reopen(build_annual_workbook(real_cycle))["概要"]
    assert "2025年4月1日" in sheet["A2"].value
    rows = rows_as_dicts(sheet)
    total = rows[-1]
    assert total["柱の名称"] == "合計" and total["取組数"] == 54
    assert total["予定どおり進んでいる\n（件数）"] == 50 and total["予定より遅れている\n（件数）"] == 4
    assert round(total["予定どおり進んでいる\n（割合）"], 3) == 0.926
    assert round(total["予定より遅れている\n（割合）"], 4) == 0.0741
    assert sum(r["取組数"] for r in rows[:-1]) == 54
    last = header_row(sheet) + len(rows)
    assert sheet.cell(row=last, column=8).number_format == "0.0%"  # 92.6%
    assert sheet.cell(row=last, column=10).number_format == "0.00%"  # 7.41%


def test_ledger_is_in_oku_yen_as_the_report_prints_it_and_adds_up(real_cycle):
    sheet = reopen(build_annual_workbook(real_cycle))["財源確保"]
    first = header_row(sheet)
    headers = [c.value for c in sheet[first]]
    rows = rows_as_dicts(sheet)
    cumulative = "令和7年度当初までの累計（億円）"
    assert cumulative in headers
    assert not [h for h in headers if h.endswith("当初予算（億円）")]  # no split by budget year is invented
    categories = [r for r in rows if not r["項目"].endswith("（計）") and r["区分"] != "合計"]
    total = rows[-1]
    assert len(categories) == 7
    assert total["財源確保目標額（億円）"] == 89.0
    assert [r[cumulative] for r in categories] == [None, 3.5, 13.5, 2.7, 10.1, 4.5, 1.2]
    assert total[cumulative] == 35.5
    for group, amount in (("収入の確保", 17.0), ("支出の抑制", 18.5)):
        assert next(r for r in rows if r["項目"] == f"{group}（計）")[cumulative] == amount
    column = headers.index(cumulative) + 1
    assert sheet.cell(row=first + 2, column=column).number_format == "0.0"
    assert {r["入力の単位"] for r in categories if r[cumulative] is not None} == {"億円（小数第1位まで）"}


def test_ledger_reconciles_each_category_with_its_initiatives(real_cycle):
    rows = {r["項目"]: r for r in rows_as_dicts(reopen(build_annual_workbook(real_cycle))["財源確保"])}
    works = rows["公共事業等の抑制"]
    assert works["対応する取組（財源確保額）"] == "40 公共事業費等の抑制（1,011,707千円）"
    assert works["取組の額の計（千円）"] == 1_011_707
    assert works["個別取組以外（億円）"] == 0  # 10.1億円 − 1,011,707千円, at 0.1億円
    assert rows["ふるさと納税の推進"]["対応する取組（財源確保額）"] == "18 ふるさと納税の推進（350,000千円）"
    assert rows["その他収入の確保"]["取組の額の計（千円）"] is None and rows["その他収入の確保"]["個別取組以外（億円）"] == 13.5
    assert "1,011,707千円" in works["備考"]  # why #40 is linked


def test_synthetic_program_with_long_texts(synthetic_cycle):
    book = reopen(build_annual_workbook(synthetic_cycle))
    rows = rows_as_dicts(book["取組一覧"])
    assert len(rows) == 54
    assert "（取組16の40）" in next(r for r in rows if r["管理番号"] == 16)["実績（令和6年度）"]


# --- two cycles ----------------------------------------------------------------------------------------


def test_four_year_schedule_years_as_published_and_the_cycles_date(world):
    services.cycle_update(cycle=world.cycle, by=world.reviewer, data={"as_of": datetime.date(2026, 4, 1)})
    publish(world, 2, result="一部が遅れた", status=Status.BEHIND, delay_reason="資材不足")
    world.cycle.refresh_from_db()
    preview = reopen(build_annual_workbook(world.cycle))
    assert preview["概要"]["A1"].value.startswith("【案】")
    assert all(sheet.oddHeader.right.text == "【案】" for sheet in preview.worksheets)  # every printed page
    assert "2026年4月1日" in preview["概要"]["A2"].value
    assert [r["管理番号"] for r in rows_as_dicts(preview["取組一覧"])] == [2]

    release(world.cycle, world.reviewer)
    world.cycle.refresh_from_db()
    book = reopen(build_annual_workbook(world.cycle))
    assert "【案】" not in book["概要"]["A1"].value and not book["概要"].oddHeader.right.text
    rows = {r["管理番号"]: r for r in rows_as_dicts(book["取組一覧"])}
    assert [rows[2][f"作業工程（{label}）"] for label in ["令和6年度", "令和7年度", "令和8年度", "令和9年度"]] == [
        "検討", "実施", None, None,
    ]
    assert rows[2]["進行状況"] == "予定より遅れている" and rows[2]["実績（令和7年度）"] == "一部が遅れた"
    years = [(r["管理番号"], r["年度（西暦）"], r["作業工程"], r["進行状況"]) for r in rows_as_dicts(book["年度別計画・実績"])]
    assert (2, 2024, "検討", "予定どおり進んでいる") in years and (2, 2025, "実施", "予定より遅れている") in years
    assert len(years) == 6  # three initiatives, each with the year of each released report

    released = reopen(build_annual_workbook(world.released))
    assert {r["年度（西暦）"] for r in rows_as_dicts(released["年度別計画・実績"])} == {2024}
    assert "2025年4月1日" in released["概要"]["A2"].value


def test_printed_pages_texts_and_document_as_written_by_the_library(world):
    """What the tests above do not read: margins, centring, the page number,
    the document's title and author, and a text that looks like a formula kept as text — in both cycles."""
    publish(world, 2, result="=SUM(A1:A9) と書かれた実績", status=Status.BEHIND, delay_reason="資材不足")
    world.cycle.refresh_from_db()
    for cycle, draft in ((world.cycle, True), (world.released, False)):
        book = reopen(build_annual_workbook(cycle))
        assert book.properties.title == book["概要"]["A1"].value and book.properties.creator == "reformtracker"
        assert book.properties.title.startswith("【案】") is draft
        for sheet in book.worksheets:
            margins = sheet.page_margins
            assert (margins.left, margins.right, margins.top, margins.bottom) == (0.4, 0.4, 1, 1)
            assert sheet.print_options.horizontalCentered
            assert sheet.oddHeader.left.text == sheet.title and sheet.oddFooter.center.text == "&P / &N"
            assert sheet[header_row(sheet) + 1][0].font.name == "游ゴシック"
    rows = {r["管理番号"]: r for r in rows_as_dicts(reopen(build_annual_workbook(world.cycle))["取組一覧"])}
    assert rows[2]["実績（令和7年度）"] == "=SUM(A1:A9) と書かれた実績"  # a string, not a formula


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_draft_and_the_released_workbook(world, tmp_path):
    publish(world, 2)
    world.cycle.refresh_from_db()
    for cycle in (world.cycle, world.released):
        workbook = tmp_path / f"annual-{cycle.pk}.xlsx"
        workbook.write_bytes(build_annual_workbook(cycle))
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
             "--outdir", str(tmp_path), str(workbook)],
            check=True, capture_output=True, timeout=180,
        )
        assert workbook.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
