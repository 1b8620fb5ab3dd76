"""Table sheets of the annual workbook, written with XlsxWriter.

A sheet is optional preamble lines (title, notes), a blank line, a styled header row that is
frozen, filtered and repeated on every printed page, then the rows. Pages are A4 landscape,
fitted to the page width, with the sheet's title (and a draft's 【案】) in the page header and
the page number in the footer. Figures are numbers with number formats, never text.

Texts go through programs.spreadsheets.cell_value (no character XML cannot carry) and are
always written as strings, so a text that starts with "=" is never a formula.
"""
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise

from programs.spreadsheets import cell_value

FONT_NAME = "游ゴシック"
THOUSAND_YEN = "#,##0"
MAX_WIDTH = 60
LONG_WIDTH = 50

_BORDER = {"border": 1, "border_color": "#8C8C8C"}
STYLES = {
    "rt-title": {"bold": True, "font_size": 14, "valign": "vcenter"},
    "rt-note": {"valign": "vcenter"},
    "rt-header": {"bold": True, "font_color": "#FFFFFF", "bg_color": "#2F5D8A", "pattern": 1, "align": "center",
                  "valign": "vcenter", "text_wrap": True, **_BORDER},
    "rt-text": {"text_wrap": True, "valign": "top", **_BORDER},
    "rt-number": {"num_format": THOUSAND_YEN, "valign": "top", **_BORDER},
    "rt-total-text": {"bold": True, "bg_color": "#E9EEF4", "pattern": 1, "text_wrap": True, "valign": "top", **_BORDER},
    "rt-total-number": {"bold": True, "bg_color": "#E9EEF4", "pattern": 1, "num_format": THOUSAND_YEN, "valign": "top",
                        **_BORDER},
}


@dataclass
class Column:
    header: str
    kind: str = "text"  # "text", "long" (wrapped, wide), "number" (千円 and counts)
    width: int | None = None  # None: fitted to the contents


@dataclass
class Value:
    """A cell value with a style other than its column's (totals) or a number format of its own (percentages)."""

    value: object
    total: bool = False
    number_format: str | None = None


class Styles:
    """The workbook's cell formats by name (STYLES), each also with a number format of its own, made once."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.formats = {}
        default = workbook.formats[0]  # the workbook's Normal style, for cells left empty
        default.set_font_name(FONT_NAME)
        default.set_font_size(10)

    def __call__(self, key: str, number_format: str | None = None):
        format_ = self.formats.get((key, number_format))
        if format_ is None:
            properties = {"font_name": FONT_NAME, "font_size": 10, "font_color": "#000000", **STYLES[key]}
            if number_format:
                properties["num_format"] = number_format
            format_ = self.formats[(key, number_format)] = self.workbook.add_format(properties)
        return format_


def text_width(text) -> int:
    """Width in Excel's character units: full-width (Japanese) characters count two; the longest line counts."""
    if text is None:
        return 0
    lines = str(text).split("\n")
    return max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) for line in lines)


def percent_format(fraction: float) -> str:
    """Three significant figures, as the report prints them: 100%, 92.6%, 7.41%, 0.00%."""
    if fraction >= 1:
        return "0%"
    if fraction >= 0.1:
        return "0.0%"
    return "0.00%"


def _width(column: Column, rows: list[list], index: int) -> float:
    if column.width:
        return column.width
    if column.kind == "long":
        return LONG_WIDTH
    content = max([_display_width(_raw(row[index])) for row in rows] + [0])
    header = max(text_width(line) for line in column.header.split("\n"))
    return min(MAX_WIDTH, max(content, header, 4) + 2)


def _display_width(value) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return len(f"{value:,}")
    if isinstance(value, float):
        return 8
    return text_width(value)


def _raw(item):
    return item.value if isinstance(item, Value) else item


def plain(value):
    return str(value) if isinstance(value, Promise) else value


def _page_setup(sheet, title: str, mark: str, header_row: int) -> None:
    sheet.repeat_rows(header_row - 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=1, bottom=1)
    header = "&L" + cell_value(title).replace("&", "&&") + (f"&R{mark}" if mark else "")
    sheet.set_header(header, {"margin": 0.5})
    sheet.set_footer("&C&P / &N", {"margin": 0.5})


def write_sheet(workbook, styles: Styles, title: str, columns: list[Column], rows: list[list], *, preamble=(),
                mark="") -> None:
    """A sheet: optional preamble lines (title, notes), a blank line, the header row, the rows; `mark` (a draft's
    【案】) in every printed page's header."""
    sheet = workbook.add_worksheet(title)
    for index, column in enumerate(columns):
        sheet.set_column(index, index, _width(column, rows, index))
    header_row = len(preamble) + (2 if preamble else 1)  # 1-based, as printed
    sheet.freeze_panes(header_row, 0)
    sheet.autofilter(header_row - 1, 0, header_row - 1 + max(len(rows), 1), len(columns) - 1)
    _page_setup(sheet, title, mark, header_row)

    for index, line in enumerate(preamble):
        _write_row(sheet, index, [(plain(line), styles("rt-title" if index == 0 else "rt-note"))])
    _write_row(sheet, header_row - 1, [(column.header, styles("rt-header")) for column in columns])
    number = styles("rt-number")
    defaults = [number if column.kind == "number" else styles("rt-text") for column in columns]
    for row_index, row in enumerate(rows, start=header_row):
        cells = []
        for default, item in zip(defaults, row):
            if type(item) is Value:
                value = plain(item.value)
                numeric = default is number or isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
                key = ("rt-total-" if item.total else "rt-") + ("number" if numeric else "text")
                cells.append((value, styles(key, item.number_format)))
            elif default is not number and isinstance(item, (int, float, Decimal)) and not isinstance(item, bool):
                cells.append((item, number))
            else:
                cells.append((item, default))
        _write_row(sheet, row_index, cells)


def _write_row(sheet, row: int, cells: list[tuple]) -> None:
    """(value, format) cells from column A: each by its type, so a string is never taken for a formula or number."""
    string, number, blank = sheet.write_string, sheet.write_number, sheet.write_blank
    for column, (value, format_) in enumerate(cells):
        kind = type(value)
        if kind is str and value:
            string(row, column, cell_value(value), format_)
        elif kind is int or kind is float:
            number(row, column, value, format_)
        elif kind is Decimal:
            number(row, column, float(value), format_)
        elif value is None or kind is str:
            blank(row, column, None, format_)
        elif kind is bool:
            sheet.write_boolean(row, column, value, format_)
        else:
            string(row, column, cell_value(str(value)), format_)
