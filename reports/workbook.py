"""The annual report as an Excel workbook (openpyxl), from the cycle's published versions only.

Four sheets: 概要 (the status table per pillar with percentages, as of the cycle's 基準日),
取組一覧 (one row per initiative, every field), 年度別計画・実績 (one row per initiative and
year) and 財源確保 (the ledger: targets, amounts per budget year and cumulative, in 千円).
Figures are numbers with number formats, never text, so they can be summed and filtered;
each sheet has a styled header row that is frozen, filtered and repeated when printed
(A4 landscape, fitted to the page width). Written in openpyxl's write-only mode, which
keeps the time linear in the number of rows.
"""
import io
import unicodedata
from dataclasses import dataclass

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from initiatives.models import Status
from programs import eras
from programs.spreadsheets import as_text, cell_value

from .selectors import PREVIEW_MARK, AnnualReport, annual_report, printed_status

FONT_NAME = "游ゴシック"
THOUSAND_YEN = "#,##0"
MAX_WIDTH = 60
LONG_WIDTH = 50

_thin = Side(style="thin", color="8C8C8C")
_border = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
STYLES = {
    "rt-title": dict(font=Font(name=FONT_NAME, size=14, bold=True), alignment=Alignment(vertical="center")),
    "rt-note": dict(font=Font(name=FONT_NAME, size=10), alignment=Alignment(vertical="center")),
    "rt-header": dict(
        font=Font(name=FONT_NAME, size=10, bold=True, color="FFFFFF"),
        fill=PatternFill("solid", fgColor="2F5D8A"),
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        border=_border,
    ),
    "rt-text": dict(
        font=Font(name=FONT_NAME, size=10), alignment=Alignment(vertical="top", wrap_text=True), border=_border
    ),
    "rt-number": dict(
        font=Font(name=FONT_NAME, size=10), alignment=Alignment(vertical="top"), border=_border,
        number_format=THOUSAND_YEN,
    ),
    "rt-total-text": dict(
        font=Font(name=FONT_NAME, size=10, bold=True), fill=PatternFill("solid", fgColor="E9EEF4"),
        alignment=Alignment(vertical="top", wrap_text=True), border=_border,
    ),
    "rt-total-number": dict(
        font=Font(name=FONT_NAME, size=10, bold=True), fill=PatternFill("solid", fgColor="E9EEF4"),
        alignment=Alignment(vertical="top"), border=_border, number_format=THOUSAND_YEN,
    ),
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


def _write_sheet(workbook: Workbook, title: str, columns: list[Column], rows: list[list], *, preamble=()) -> None:
    """A sheet: optional preamble lines (title, notes), a blank line, the header row, the rows."""
    sheet = workbook.create_sheet(title)
    header_row = len(preamble) + (2 if preamble else 1)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(column, rows, index - 1)
    sheet.freeze_panes = f"A{header_row + 1}"
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(rows), 1)}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "&P / &N"
    sheet.oddHeader.left.text = title

    def cell(value, style, number_format=None):
        c = as_text(WriteOnlyCell(sheet, value=cell_value(str(value) if isinstance(value, Promise) else value)))
        c.style = style
        if number_format:
            c.number_format = number_format
        return c

    for index, line in enumerate(preamble):
        sheet.append([cell(line, "rt-title" if index == 0 else "rt-note")])
    if preamble:
        sheet.append([])
    sheet.append([cell(column.header, "rt-header") for column in columns])
    for row in rows:
        cells = []
        for column, item in zip(columns, row):
            value = _raw(item)
            total = isinstance(item, Value) and item.total
            number = column.kind == "number" or isinstance(value, (int, float)) and not isinstance(value, bool)
            style = ("rt-total-" if total else "rt-") + ("number" if number else "text")
            cells.append(cell(value, style, item.number_format if isinstance(item, Value) else None))
        sheet.append(cells)


def _summary_rows(report: AnnualReport) -> list[list]:
    rows = []
    for summary_row, total in [(r, False) for r in report.summary.rows] + [(report.summary.total, True)]:
        pillar = summary_row.pillar
        line = [
            Value(pillar.numeral if pillar else "", total),
            Value(pillar.name if pillar else summary_row.label, total),
            Value(report.pillars[pillar.pk].perspective.name if pillar else "", total),
            Value(summary_row.initiatives, total),
        ]
        denominator = summary_row.denominator
        for status in Status:
            count = summary_row.counts[status.value]
            line.append(Value(count, total))
            if status in Status.counted_in_percentages():
                fraction = count / denominator if denominator else None
                line.append(Value(fraction, total, percent_format(fraction) if fraction is not None else None))
        line.append(Value(summary_row.not_reported, total))
        rows.append(line)
    return rows


def _summary_columns() -> list[Column]:
    columns = [Column("柱", width=6), Column("柱の名称"), Column("視点"), Column("取組数", "number")]
    for status in Status:
        columns.append(Column(f"{status.label}\n（件数）", "number", width=14))
        if status in Status.counted_in_percentages():
            columns.append(Column(f"{status.label}\n（割合）", "number", width=14))
    columns.append(Column(f"{Status.label_of('')}\n（件数）", "number", width=10))
    return columns


def _initiative_rows(report: AnnualReport) -> list[list]:
    rows = []
    for sheet in report.initiatives:
        record = sheet.record
        rows.append([
            sheet.number,
            sheet.pillar.perspective.name,
            f"{sheet.pillar.numeral} {sheet.pillar.name}",
            sheet.name,
            "\n".join(sheet.departments),
            sheet.data.get("fiscal_target", ""),
            sheet.data.get("background", ""),
            *(step["step"] for step in sheet.schedule),
            record.get("plan", ""),
            record.get("result", ""),
            " / ".join(sheet.status_lines),
            sheet.status_label,
            record.get("delay_reason", ""),
            record.get("secured_amount_thousand_yen"),
            record.get("secured_amount_note", ""),
            sheet.data.get("next_steps", ""),
            sheet.data.get("ledger_category") or "",
        ])
    return rows


def _initiative_columns(fiscal_year: int, program_years) -> list[Column]:
    year = eras.fiscal_year_label(fiscal_year)
    return [
        Column("管理番号", "number", width=10),
        Column("視点", width=14),
        Column("柱", width=30),
        Column("取組項目名", width=30),
        Column("所管部局", width=36),
        Column("財源確保目標額", width=16),
        Column("令和5年度までの経過や背景", "long"),
        *[Column(f"作業工程（{eras.fiscal_year_label(y)}）", width=24) for y in program_years],
        Column(f"計画（{year}）", "long"),
        Column(f"実績（{year}）", "long"),
        Column("進行状況", width=30),
        Column("進行状況（集計上）", width=20),
        Column("進行状況が遅れている又は実施不可の理由", "long"),
        Column("財源確保額（当初予算時、千円）", "number", width=18),
        Column("財源確保額の注記", width=24),
        Column("今後の予定", "long"),
        Column("財源確保の区分", width=20),
    ]


def _year_rows(report: AnnualReport) -> list[list]:
    rows = []
    for sheet in report.initiatives:
        steps = {step["fiscal_year"]: step["step"] for step in sheet.schedule}
        for year in sheet.years:
            rows.append([
                sheet.number,
                sheet.name,
                eras.fiscal_year_label(year["fiscal_year"]),
                year["fiscal_year"],
                steps.get(year["fiscal_year"], ""),
                year.get("plan", ""),
                year.get("result", ""),
                " / ".join(printed_status(year)),
                year.get("delay_reason", ""),
                year.get("secured_amount_thousand_yen"),
                year.get("secured_amount_note", ""),
            ])
    return rows


YEAR_COLUMNS = [
    Column("管理番号", "number", width=10),
    Column("取組項目名", width=30),
    Column("年度", width=12),
    Column("年度（西暦）", "number", width=12),
    Column("作業工程", width=30),
    Column("計画", "long"),
    Column("実績", "long"),
    Column("進行状況", width=30),
    Column("進行状況が遅れている又は実施不可の理由", "long"),
    Column("財源確保額（当初予算時、千円）", "number", width=18),
    Column("財源確保額の注記", width=24),
]


def _ledger(report: AnnualReport) -> tuple[list[Column], list[list]]:
    years = report.ledger_fiscal_years
    columns = [
        Column("区分", width=14),
        Column("項目", width=24),
        Column("財源確保目標額（千円）", "number", width=20),
        *[Column(f"{eras.fiscal_year_label(y)}当初予算（千円）", "number", width=22) for y in years],
        Column(f"{report.ledger_cumulative_label}（千円）", "number", width=28),
        Column("目標に対する割合", "number", width=16),
        Column("備考", width=40),
    ]
    rows = []
    for row in report.ledger_lines():
        kind, name, target = row.line.kind, row.line.name, row.line.target_thousand_yen
        total = kind != "category"
        cumulative = row.cumulative
        share = cumulative / target if cumulative is not None and target else None
        rows.append([
            Value(row.group_label if kind != "total" else "合計", total),
            Value(name if kind == "category" else f"{name}（計）" if kind == "group" else name, total),
            Value(target, total),
            *[Value(amount, total) for amount in row.by_year],
            Value(cumulative, total),
            Value(share, total, "0.0%" if share is not None else None),
            Value(row.note, total),
        ])
    return columns, rows


def build_annual_workbook(cycle) -> bytes:
    """The annual report of a reporting cycle as an .xlsx file, from its published versions only."""
    report = annual_report(cycle)
    workbook = Workbook(write_only=True)
    for name, attributes in STYLES.items():
        workbook.add_named_style(NamedStyle(name=name, **attributes))
    title = f"{report.title}（{cycle.label}）" + (f"【{PREVIEW_MARK}】" if report.is_preview else "")
    as_of = report.as_of
    _write_sheet(
        workbook, "概要", _summary_columns(), _summary_rows(report),
        preamble=[
            title,
            (f"基準日: {as_of.year}年{as_of.month}月{as_of.day}日　" if as_of else "")
            + f"報告対象: {eras.fiscal_year_label_with_western(cycle.fiscal_year)}",
            *([f"{PREVIEW_MARK}：この報告期はまだ公表されていません。職員の確認用です。"] if report.is_preview else []),
            "※ 実施年度未到来及び実施不可の件数は割合算出上の数値に算入していません。分割された進行状況（一部の部局が遅れている）は「予定より遅れている」として数えています。",
        ],
    )
    _write_sheet(
        workbook, "取組一覧", _initiative_columns(cycle.fiscal_year, report.program.fiscal_years), _initiative_rows(report)
    )
    _write_sheet(workbook, "年度別計画・実績", YEAR_COLUMNS, _year_rows(report))
    columns, rows = _ledger(report)
    _write_sheet(
        workbook, "財源確保", columns, rows,
        preamble=[
            f"財源確保額（{report.ledger_target_label}）",
            "単位：千円。一般会計における取組を集計したものです。各項目の額の合計が小計・合計になります。",
        ],
    )
    workbook.properties.title = cell_value(title)
    workbook.properties.creator = "reformtracker"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
