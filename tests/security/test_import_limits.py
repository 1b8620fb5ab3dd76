"""The Excel import cannot exhaust the server, in memory or in time.

Each hostile file is built here with zipfile (tests/security/hostile_xlsx.py) and uploaded
by a department editor: it is refused before openpyxl parses it, with a Japanese message
that says what is wrong and quotes at most a few dozen characters of the file, and nothing
changes. The sizes are the smallest that cross each limit, so that the tests stay fast;
bench/bench_import.py measures the shapes of the issue at full size.
"""
import io
import struct
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from programs import import_limits
from recordimport import imports
from tests import helpers
from tests.helpers import upload
from tests.security import hostile_xlsx as x

pytestmark = pytest.mark.django_db

WIDE = len(imports.HEADERS)


def refused(client, world, data, *expected) -> list[str]:
    """Upload as 総務部's editor: 400, every fragment in the errors, nothing changed; the errors."""
    client.force_login(world.editor_somu)
    return helpers.refused(client, world, data, *expected)


def template(client, world, *changes) -> bytes:
    """The editor's template with (number, header, value) changes."""
    client.force_login(world.editor_somu)
    book = load_workbook(io.BytesIO(client.get(reverse("recordimport:template")).content))
    sheet = book[imports.SHEET]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    for number, header, value in changes:
        sheet.cell(row=rows[number], column=imports.HEADERS.index(header) + 1).value = value
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def long_string_table(length: int) -> x.Repeated:
    return x.Repeated(f'<sst xmlns="{x.MAIN}"><si><t>', "x", length, "</t></si></sst>")


def every_cell_points_at_string_0(rows: int) -> str:
    return x.sheet_xml(x.header_row() + "".join(x.row(r, [("s", 0)] * WIDE) for r in range(2, rows + 2)))


# --- sizes, before anything is parsed ------------------------------------------------------------


def test_too_big_upload_is_reported_with_its_real_size_and_the_limit(client, world):
    errors = refused(client, world, b"PK" + b"\0" * (20 * 1024 * 1024 - 2), "ファイルが大きすぎます（20.0 MB。上限は 5 MB）")
    assert len(errors) == 1


def test_upload_just_over_the_limit_does_not_read_as_the_limit(client, world):
    refused(client, world, b"PK" + b"\0" * imports.MAX_BYTES, "（5.1 MB。上限は 5 MB）")


def test_style_sheet_declared_larger_than_its_limit_is_refused_without_inflating_it(client, world):
    xf = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    count = import_limits.MAX_STYLES_BYTES // len(xf) + 1000
    data = x.workbook(x.sheet_xml(x.header_row()), style_sheet=x.Repeated(
        f'<styleSheet xmlns="{x.MAIN}"><cellXfs>', xf, count, "</cellXfs></styleSheet>"))
    assert len(data) < 20_000
    refused(client, world, data, "書式（セルのスタイル）の情報が大きすぎるため読み込めません", "上限 2.0 MB")


def test_any_member_declared_larger_than_its_limit_is_refused(client, world):
    data = x.workbook(every_cell_points_at_string_0(100), strings=long_string_table(import_limits.MAX_PART_BYTES))
    refused(client, world, data, "展開後の大きさが上限を超えています", "xl/sharedStrings.xml")


def test_member_inflating_beyond_its_declared_size_is_refused_as_broken(client, world):
    """The zip directory says 1 KB; the data inflates to 9 MB. Nothing beyond the declared size is inflated."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"x" * (9 * 1024 * 1024) + b"</a>")
    data = bytearray(output.getvalue())
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local and central headers
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_length = struct.unpack_from("<H", data, start + (26 if signature == b"PK\x03\x04" else 28))[0]
            name_start = start + (30 if signature == b"PK\x03\x04" else 46)
            if bytes(data[name_start:name_start + name_length]) == b"xl/worksheets/sheet1.xml":
                struct.pack_into("<I", data, start + size_offset, 1024)
            start += 4
    refused(client, world, bytes(data), "壊れている")


def test_too_many_members_are_refused(client, world):
    data = x.workbook(x.sheet_xml(x.header_row()), members={f"m/{i}": "" for i in range(import_limits.MAX_MEMBERS)})
    refused(client, world, data, "ファイルの中身が多すぎるため読み込めません", "上限 200 個")


# --- what parsing would cost, counted while streaming ----------------------------------------------


def test_shared_string_longer_than_a_cell_can_hold_is_refused(client, world):
    """The issue's error echo: cells pointing at one huge shared string (here just over Excel's 32,767)."""
    data = x.workbook(every_cell_points_at_string_0(100), strings=long_string_table(import_limits.MAX_TEXT_CHARS + 1))
    errors = refused(client, world, data, "32,767文字を超える文字列があるため読み込めません")
    assert len("\n".join(errors)) < 500


def test_inline_string_longer_than_a_cell_can_hold_is_refused(client, world):
    data = x.workbook(x.sheet_xml(x.header_row() + x.row(2, [1, "あ" * (import_limits.MAX_TEXT_CHARS + 1)])))
    refused(client, world, data, "32,767文字を超える文字列")


def test_style_sheet_with_too_many_formats_is_refused(client, world):
    data = x.workbook(x.sheet_xml(x.header_row()), style_sheet=x.styles(import_limits.MAX_STYLE_ELEMENTS))
    refused(client, world, data, "書式（セルのスタイル）の数が多すぎるため読み込めません")


def test_sheet_with_too_many_cells_is_refused(client, world):
    rows = import_limits.MAX_CELLS // 100 + 1
    data = x.workbook(x.Repeated(x.sheet_xml(x.header_row())[:-len("</sheetData></worksheet>")],
                                 "<row>" + "<c><v>1</v></c>" * 100 + "</row>", rows, "</sheetData></worksheet>"))
    refused(client, world, data, "セルが多すぎるため読み込めません（1つのシートに 30,000 セルまで）")


def test_too_many_shared_strings_are_refused(client, world):
    data = x.workbook(x.sheet_xml(x.header_row()), strings=x.Repeated(
        f'<sst xmlns="{x.MAIN}">', "<si><t>a</t></si>", import_limits.MAX_SHARED_STRINGS + 1, "</sst>"))
    refused(client, world, data, "文字列が多すぎるため読み込めません")


def test_value_far_right_of_the_template_is_refused(client, world):
    """openpyxl pads each row to its last column; rows are read only MAX_COLUMNS wide, and values beyond are refused."""
    data = x.workbook(x.sheet_xml(x.header_row() + '<row r="5"><c r="XFD5"><v>1</v></c></row>',
                                  before_data='<dimension ref="A1:XFD1048576"/>'))
    refused(client, world, data, "5行目のXFD列に値があります。IV列より右には入力できません")


def test_workbook_naming_a_sheet_many_times_is_refused(client, world):
    """openpyxl reads every sheet the workbook names to learn its size: 50 names for one part of 2,000 rows."""
    rows = "".join(x.row(r, [r] + [""] * 10) for r in range(2, 2002))
    data = x.workbook(x.sheet_xml(x.header_row() + rows), sheet_names=[imports.SHEET] + [f"S{i}" for i in range(49)])
    refused(client, world, data, "シートが多すぎるか大きすぎるため読み込めません")


def test_deeply_nested_elements_are_refused(client, world):
    data = x.workbook(x.sheet_xml(x.header_row(), after_data="<extLst>" + "<a>" * 100 + "</a>" * 100 + "</extLst>"))
    refused(client, world, data, "入れ子が深すぎます")


def test_document_type_declarations_are_refused(client, world):
    """No entity expansion (billion laughs), no external entities: spreadsheets have no DTD."""
    bomb = ('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            f'<sst xmlns="{x.MAIN}"><si><t>&b;</t></si></sst>')
    data = x.workbook(every_cell_points_at_string_0(1), strings=bomb)
    refused(client, world, data, "DTD")


def test_chart_sheets_are_refused(client, world):
    chart = '<chartsheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    data = x.workbook(x.sheet_xml(x.header_row()), members={"xl/chartsheets/sheet2.xml": chart})
    refused(client, world, data, "グラフシートがあるため読み込めません")


def test_parse_time_is_bounded(client, world, monkeypatch):
    monkeypatch.setattr(import_limits, "PARSE_SECONDS", 0.0)
    refused(client, world, template(client, world, (1, "実績", "新しい実績")), "時間がかかりすぎたため中止しました（上限 0 秒）")


def test_deadline_is_checked_while_rows_are_read(world, monkeypatch):
    """A file within every limit still stops when its rows take too long (here: any time at all)."""
    data = x.workbook(x.sheet_xml(x.header_row() + "".join(x.row(r, [r]) for r in range(2, 50))))
    ticks = iter(range(10_000))
    monkeypatch.setattr(import_limits, "clock", lambda: next(ticks) * 0.01)  # each look at the clock: 10 ms later
    monkeypatch.setattr(import_limits, "PARSE_SECONDS", 0.3)
    with pytest.raises(imports.ImportRefused, match="時間がかかりすぎた"):
        imports.read_import(data, user=world.editor_somu, cycle=world.cycle)


# --- what the refusal page repeats -----------------------------------------------------------------


def test_cell_values_are_quoted_at_most_40_characters(client, world):
    value = "番" * 30_000
    errors = refused(client, world, template(client, world, (1, "進行状況", value), (3, "財源確保額（千円）", "円" * 30_000)),
                     "「" + "番" * 40 + "…」は進行状況の選択肢にありません", "（" + "円" * 40 + "…）")
    assert all(len(error) < 300 for error in errors)


def test_header_names_are_quoted_at_most_40_characters_and_listed_at_most_ten(client, world):
    """The issue's huge header: 245 extra columns named by one long string."""
    header = x.row(1, imports.HEADERS + [("s", 0)] * 245)
    errors = refused(client, world, x.workbook(x.sheet_xml(header), strings=x.shared_strings(["列" * 30_000])),
                     "余分な列: " + "列" * 40 + "…", "ほか 235 件")
    assert len(errors) == 1 and len(errors[0]) < 1000


def test_sheet_names_are_quoted_at_most_40_characters(client, world):
    data = x.workbook(x.sheet_xml(x.header_row()), sheet_names=["名" * 100, "Sheet2"])
    refused(client, world, data, "シート「部局別更新」がありません（あるシート: " + "名" * 40 + "…、Sheet2）")


def test_errors_listed_are_capped_at_50_with_the_count_of_the_rest(client, world):
    rows = "".join(x.row(r, [1000 + r]) for r in range(2, 122))  # 120 unknown numbers
    errors = refused(client, world, x.workbook(x.sheet_xml(x.header_row() + rows)),
                     "管理番号 1002 の取組はこの報告期にありません", "ほか 70 件の誤りがあります")
    assert len(errors) == 51
    assert "管理番号 1121" not in "\n".join(errors)


# --- amounts the database cannot hold are refused at preview (item 10) -----------------------------


@pytest.mark.parametrize("amount", [2**63, "9,223,372,036,854,775,808", 1e20])
def test_amount_beyond_64_bits_is_refused_at_preview(client, world, amount):
    refused(client, world, template(client, world, (1, "財源確保額（千円）", amount)),
            "「財源確保額（千円）」列（G列）", "金額が大きすぎます（9,223,372,036,854,775,807 千円まで）")


def test_largest_amount_the_database_holds_passes_the_preview(client, world):
    """Typed as text: Excel's numbers are doubles, which hold no 19-digit integer exactly."""
    client.force_login(world.editor_somu)
    response = upload(client, template(client, world, (1, "財源確保額（千円）", "9,223,372,036,854,775,807")))
    assert response.status_code == 200, response.context.get("errors")
