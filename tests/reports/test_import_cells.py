"""The Excel import keeps what a cell shows: a date typed into 計画 is
stored as the cell displays it (2025/4/1, 令和7年4月1日), never as `2025-04-01 00:00:00`."""
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from recordimport import imports
from tests.security import hostile_xlsx as x

pytestmark = pytest.mark.django_db


def preview_of(client, world, data: bytes) -> dict:
    file = io.BytesIO(data)
    file.name = "記入済み.xlsx"
    response = client.post(reverse("recordimport:upload"), {"file": file})
    assert response.status_code == 200, response.context.get("errors")
    return {item["row"]["number"]: item["row"] for item in response.context["preview"]}


def with_plan(client, world, value, number_format=None) -> bytes:
    """総務部's template with initiative 1's 計画 set to `value` (formatted as given)."""
    client.force_login(world.editor_somu)
    book = load_workbook(io.BytesIO(client.get(reverse("recordimport:template")).content))
    sheet = book[imports.SHEET]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == 1)
    cell = sheet.cell(row=row, column=imports.HEADERS.index("計画") + 1)
    cell.value = value
    if number_format:
        cell.number_format = number_format
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


@pytest.mark.parametrize("number_format, shown", [
    ("yyyy-mm-dd", "2025-04-01"),
    ("yyyy/m/d", "2025/4/1"),
    ("mm-dd-yy", "2025/4/1"),  # built-in format 14: Japanese Excel's short date
    ('yyyy"年"m"月"d"日"', "2025年4月1日"),
    ('[$-411]ggge"年"m"月"d"日"', "令和7年4月1日"),
    ("[$-411]ge.m.d", "R7.4.1"),
    ('[$-411]yyyy"年"m"月"d"日"(aaa)', "2025年4月1日(火)"),
])
def test_date_typed_into_plan_is_stored_as_the_cell_shows_it(client, world, number_format, shown):
    rows = preview_of(client, world, with_plan(client, world, datetime.datetime(2025, 4, 1), number_format))
    assert rows[1]["data"]["plan"] == shown


def test_date_and_time_keep_the_time_the_cell_shows(client, world):
    rows = preview_of(client, world, with_plan(client, world, datetime.datetime(2025, 4, 1, 9, 30), "yyyy/m/d h:mm"))
    assert rows[1]["data"]["plan"] == "2025/4/1 9:30"


@pytest.mark.parametrize("format_id, shown", [(58, "令和7年4月1日"), (57, "R7.4.1"), (31, "2025年4月1日"), (14, "2025/4/1")])
def test_date_in_a_builtin_japanese_format_is_stored_as_the_cell_shows_it(client, world, format_id, shown):
    """Japanese Excel names these formats by number only; openpyxl does not know 27–58 and reads the serial number."""
    record = world.record(1)
    row = (f'<row r="2">{x.cell("A", 2, 1)}{x.cell("B", 2, "取組1")}<c r="C2" s="1"><v>45748</v></c>'
           + "".join(x.cell(column, 2, value) for column, value in zip(
               "DEFGHIJK", ["", "", "", "", record.initiative.next_steps, record.pk, record.version, record.initiative.version]))
           + "</row>")
    client.force_login(world.editor_somu)
    rows = preview_of(client, world, x.workbook(x.sheet_xml(x.header_row() + row), style_sheet=x.styles(number_formats=[format_id])))
    assert rows[1]["data"]["plan"] == shown
