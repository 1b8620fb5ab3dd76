"""Writing the plan workbook: a program as it stands (`plan_workbook`) or the blank template (`plan_template`)."""
import datetime
import io

import xlsxwriter

from programs.models import DatePrecision, Numbering, Program
from programs.spreadsheets import cell_value
from programs.statuses import reform_definitions

from ..models import Initiative, ScheduleStep
from . import layout
from .layout import NO, YES


def plan_workbook(program: Program) -> bytes:
    """The program's plan, in the workbook the reform office fills in (read back by read_plan_workbook)."""
    initiatives = list(Initiative.objects.for_program(program).with_structure().with_years().prefetch_related("listings__pillar"))
    years = list(program.fiscal_years) if program.figure_label else []
    steps = ScheduleStep.objects.filter(initiative__program=program).select_related("initiative__pillar").order_by(
        "initiative__pillar__order", "initiative__number", "fiscal_year"
    )
    return _book(
        frame=_frame_values(program),
        levels=_level_rows(program),
        statuses=[_status_row(d) for d in program.vocabulary],
        items=[_item_row(i, years) for i in initiatives],
        years=years,
        schedule=[[s.initiative.number, s.initiative.pillar.key, s.fiscal_year, s.step] for s in steps],
    )


def plan_template() -> bytes:
    """The blank plan: headers and instructions, the reform report's five statuses as an example to edit."""
    this_year = datetime.date.today().year - (datetime.date.today().month < 4)
    frame = {
        "as_of_precision": layout.word(layout.PRECISIONS, DatePrecision.DAY),
        "ledger": NO,
        "numbering": layout.word(layout.NUMBERINGS, Numbering.PROGRAM),
    }
    return _book(frame=frame, levels=[], statuses=[_status_row(d) for d in reform_definitions()], items=[],
                 years=list(range(this_year, this_year + 4)), schedule=[])


def _frame_values(program: Program) -> dict:
    two = program.has_two_levels
    return {
        "name": program.name, "name_en": program.name_en, "slug": program.slug, "short_name": program.short_name,
        "source_title": program.source_title, "start_fiscal_year": program.start_fiscal_year,
        "end_fiscal_year": program.end_fiscal_year, "as_of": program.as_of,
        "as_of_precision": layout.word(layout.PRECISIONS, program.as_of_precision), "as_of_label": program.as_of_label,
        "issuing_office": program.issuing_office, "issuing_office_en": program.issuing_office_en,
        "introduction": program.introduction, "level1": program.level1_label, "level1_en": program.level1_label_en,
        "level2": program.level2_label if two else "", "level2_en": program.level2_label_en if two else "",
        "item": program.item_label, "item_en": program.item_label_en, "figure": program.figure_label,
        "figure_en": program.figure_label_en if program.figure_label else "", "ledger": YES if program.has_ledger else NO,
        "fiscal_target_thousand_yen": program.fiscal_target_thousand_yen, "numbering": layout.word(layout.NUMBERINGS, program.numbering),
    }


def _level_rows(program: Program) -> list[list]:
    pillars = program.pillars.select_related("perspective").order_by("order")
    if not program.has_two_levels:
        return [[1, p.key, p.numeral, p.order, p.name, p.name_en, None] for p in pillars]
    return [
        *([1, None, None, p.order, p.name, p.name_en, None] for p in program.perspectives.order_by("order")),
        *([2, p.key, p.numeral, p.order, p.name, p.name_en, p.perspective.name] for p in pillars),
    ]


def _status_row(definition) -> list:
    flags = [definition.counted, definition.behind, definition.needs_reason, definition.not_yet_due]
    return [definition.code, definition.label, definition.label_en, definition.order, definition.severity,
            *(YES if flag else NO for flag in flags)]


def _item_row(initiative: Initiative, years: list[int]) -> list:
    amounts = {r.fiscal_year: r.secured_amount_thousand_yen for r in initiative.years.all()}
    return [
        initiative.number, initiative.name, initiative.pillar.key, "\n".join(initiative.departments_display),
        initiative.goal, initiative.background, initiative.next_steps, initiative.fiscal_target,
        "\n".join(f"{listing.pillar.key}-{listing.number}" for listing in initiative.listings.all()),
        *(amounts.get(year) for year in years),
    ]


def _book(*, frame: dict, levels, statuses, items, years, schedule) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        "note": book.add_format({"italic": True, "font_color": "#444444"}),
        "text": book.add_format({"text_wrap": True, "valign": "top", "num_format": "@"}),
        "number": book.add_format({"valign": "top"}),
        "date": book.add_format({"valign": "top", "num_format": "yyyy-mm-dd"}),
    }
    frame_rows = [[label, frame.get(key)] for label, key, _kind in layout.FRAME_ROWS]
    _sheet(book, formats, layout.FRAME, layout.FRAME_HEADERS, frame_rows, widths=[28, 80])
    _sheet(book, formats, layout.LEVELS, layout.LEVEL_HEADERS, levels, widths=[8, 10, 8, 8, 50, 50, 40])
    sheet = _sheet(book, formats, layout.STATUSES, layout.STATUS_HEADERS, statuses, widths=[16, 24, 24, 8, 8, 12, 8, 12, 8])
    sheet.data_validation(layout.FIRST_ROW - 1, 5, 500, 8, {"validate": "list", "source": [YES, NO]})
    item_headers = [*layout.ITEM_HEADERS, *(layout.figure_header(year) for year in years)]
    _sheet(book, formats, layout.ITEMS, item_headers, items, widths=[8, 40, 10, 36, 40, 40, 40, 20, 12, *[14] * len(years)])
    _sheet(book, formats, layout.SCHEDULE, layout.SCHEDULE_HEADERS, schedule, widths=[8, 10, 12, 60])
    book.close()
    return output.getvalue()


def _sheet(book, formats, name, headers, rows, *, widths):
    sheet = book.add_worksheet(name)
    sheet.write_string(layout.INSTRUCTION_ROW - 1, 0, layout.INSTRUCTIONS[name], formats["note"])
    for column, header in enumerate(headers):
        sheet.write_string(layout.HEADER_ROW - 1, column, header, formats["header"])
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(layout.FIRST_ROW - 1, 0)
    for index, row in enumerate(rows):
        for column, value in enumerate(row):
            _write(sheet, layout.FIRST_ROW - 1 + index, column, value, formats)
    return sheet


def _write(sheet, row: int, column: int, value, formats) -> None:
    """Texts as texts (never a formula), integers as numbers, dates as dates; nothing for None or ""."""
    if value is None or value == "":
        return
    if isinstance(value, datetime.date):
        sheet.write_datetime(row, column, datetime.datetime.combine(value, datetime.time()), formats["date"])
    elif isinstance(value, int):
        sheet.write_number(row, column, value, formats["number"])
    else:
        sheet.write_string(row, column, cell_value(str(value)), formats["text"])
