"""The annual report as an Excel workbook, from the cycle's published versions only.

Four sheets: 概要 (the status table per pillar with percentages, as of the cycle's 基準日),
取組一覧 (one row per initiative, every field), 年度別計画・実績 (one row per initiative and
year) and 財源確保 (the ledger: targets, amounts per budget year and cumulative, in 千円). A program
that reports no statuses has two, in its own names: 概要 (its figure per first level, 再掲 counted once
and as printed, or its items per pillar) and its list (事業一覧: one row per item).
Figures are numbers with number formats, never text, so they can be summed and filtered;
each sheet has a styled header row that is frozen, filtered and repeated when printed
(A4 landscape, fitted to the page width). Written with XlsxWriter (reports/sheets.py).
"""
import io
from decimal import Decimal

import xlsxwriter
from django.utils import translation

from finance.models import Unit
from programs import eras, money

from .batch import without_cyclic_gc
from .selectors import PREVIEW_MARK, PREVIEW_NOTE, AnnualReport, annual_report, printed_status
from .sheets import Column, Styles, Value, percent_format, write_sheet


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
        for cell in summary_row.cells():
            line.append(Value(cell["count"], total))
            if cell["percent"] is not None:
                fraction = cell["count"] / denominator if denominator else None
                line.append(Value(fraction, total, percent_format(fraction) if fraction is not None else None))
        line.append(Value(summary_row.not_reported, total))
        rows.append(line)
    return rows


def _summary_columns(vocabulary) -> list[Column]:
    """The summary's columns: each status of the report's vocabulary in its order (its share beside a counted one)."""
    columns = [Column("柱", width=6), Column("柱の名称"), Column("視点"), Column("取組数", "number")]
    for definition in vocabulary:
        columns.append(Column(f"{definition.display_label}\n（件数）", "number", width=14))
        if definition.counted:
            columns.append(Column(f"{definition.display_label}\n（割合）", "number", width=14))
    columns.append(Column(f"{vocabulary.label_of('')}\n（件数）", "number", width=10))
    return columns


def _summary_note(summary) -> str:
    """「※ 実施年度未到来及び実施不可の件数は…」: what the shares leave out and how a split status counts."""
    note = summary.printed_percent_note
    if summary.behind_labels:
        note += "分割された進行状況（一部の部局が遅れている）は{}として数えています。".format(
            "・".join(f"「{label}」" for label in summary.behind_labels))
    return f"※ {note}" if note else ""


def _list_summary(report: AnnualReport) -> tuple[list[Column], list[list], list[str]]:
    """A program without statuses: its figure per first level (each 再掲 item once, and as the list prints
    it), or its items per pillar."""
    program = report.program
    if report.figures is None:
        columns = [Column(program.level2_label or program.level1_label, width=40), Column(f"{program.item_label}数", "number")]
        rows = [[row.label, row.initiatives] for row in report.summary.rows]
        rows.append([Value("合計", True), Value(report.summary.total.initiatives, True)])
        return columns, rows, []
    per_goal, whole = report.figures
    columns = [
        Column(program.level1_label, width=40), Column(f"{program.item_label}数", "number"),
        Column(f"{program.figure_label}（千円）", "number", width=18), Column("再掲", "number"),
        Column("再掲を含めた額（一覧表の小計、千円）", "number", width=22),
    ]
    rows = [[row.perspective.name, row.items, row.amount, row.listed_again, row.amount_as_listed] for row in per_goal]
    rows.append([Value(value, True) for value in ("合計", whole.items, whole.amount, whole.listed_again, whole.amount_as_listed)])
    notes = [f"※ 別の{program.level2_label}にも掲げている{program.item_label}（再掲）は、もとの{program.level2_label}で1回だけ数えています。"
             "「再掲を含めた額」は、再掲の行も数えた一覧表の小計・合計です。"] if whole.listed_again else []
    return columns, rows, notes


def _item_fields(report: AnnualReport) -> list[tuple[Column, object]]:
    """The item sheet's columns in the program's own names, each with what it reads from a sheet: the reform
    report's every field; a program without statuses or ledger has no columns for them, a program numbered
    per pillar gives each item's pillar key and where it is listed again (再掲)."""
    program = report.program
    year = eras.fiscal_year_label(report.cycle.fiscal_year)
    per_level = program.numbered_per_level
    level = program.level2_label or program.level1_label
    fields = [(Column("番号" if per_level else "管理番号", "number", width=10), lambda sheet: sheet.number)]
    if program.has_two_levels:
        fields.append((Column(program.level1_label, width=14), lambda sheet: sheet.pillar.perspective.name))
    fields.append((Column(level, width=30), lambda sheet: f"{sheet.pillar.numeral} {sheet.pillar.name}".strip()))
    if per_level:
        fields.append((Column(f"{level}の記号", width=10), lambda sheet: sheet.pillar.key))
    fields.append((Column(program.display_item_name_label, width=30), lambda sheet: sheet.name))  # built in Japanese
    if program.statuses or report.columns["departments"]:
        fields.append((Column("所管部局", width=36), lambda sheet: "\n".join(sheet.departments)))
    if any(sheet.data.get("listings") for sheet in report.initiatives):
        fields.append((Column("再掲", width=16), lambda sheet: "、".join(
            f"{listing['pillar']}の{listing['number']}" for listing in sheet.data.get("listings", []))))
    if program.has_ledger:
        fields.append((Column("財源確保目標額", width=16), lambda sheet: sheet.data.get("fiscal_target", "")))
    if program.statuses or report.columns["background"]:
        fields.append((Column("令和5年度までの経過や背景", "long"), lambda sheet: sheet.data.get("background", "")))
    if program.statuses or report.columns["schedule"]:
        fields += [
            (Column(f"作業工程（{eras.fiscal_year_label(y)}）", width=24), lambda sheet, i=i: sheet.schedule[i]["step"])
            for i, y in enumerate(program.fiscal_years)
        ]
    if report.columns["goal"]:
        fields.append((Column("将来像", "long"), lambda sheet: sheet.data.get("goal", "")))
    fields.append((Column(f"計画（{year}）", "long"), lambda sheet: sheet.record.get("plan", "")))
    if program.statuses:
        fields += [
            (Column(f"実績（{year}）", "long"), lambda sheet: sheet.record.get("result", "")),
            (Column("進行状況", width=30), lambda sheet: " / ".join(sheet.status_lines)),
            (Column("進行状況（集計上）", width=20), lambda sheet: sheet.status_label),
            (Column("進行状況が遅れている又は実施不可の理由", "long"), lambda sheet: sheet.record.get("delay_reason", "")),
        ]
    if program.figure_label:
        label = "財源確保額（当初予算時、千円）" if program.has_ledger else f"{program.figure_label}（千円）"
        fields.append((Column(label, "number", width=18), lambda sheet: sheet.record.get("secured_amount_thousand_yen")))
    if program.has_ledger:
        fields.append((Column("財源確保額の注記", width=24), lambda sheet: sheet.record.get("secured_amount_note", "")))
    if program.statuses:
        fields.append((Column("今後の予定", "long"), lambda sheet: sheet.data.get("next_steps", "")))
    if program.has_ledger:
        fields.append((Column("財源確保の区分", width=20), lambda sheet: sheet.data.get("ledger_category") or ""))
    return fields


def _year_rows(report: AnnualReport) -> list[list]:
    rows = []
    language = translation.get_language()
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
                " / ".join(printed_status(year, sheet.vocabulary, language)),
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


OKU_YEN = "0.0"


def _oku(amount: int | None, unit: str | None = None) -> Decimal | None:
    """An amount in 億円 as a number: exact as entered (10.1 for 1,010,000千円 entered as 10.1億円); an amount
    kept at 0.1億円 (`unit` 億円) is rounded to it, so a remainder never shows digits its figure lacks."""
    if amount is None:
        return None
    if unit == Unit.OKU_YEN:
        return Decimal(money.oku_tenths(amount)) / 10
    return Decimal(amount) / money.THOUSAND_YEN_PER_OKU


def _ledger(report: AnnualReport) -> tuple[list[Column], list[list]]:
    """The ledger in 億円 as the report prints it, each figure with the unit it was entered in, and per category
    the linked initiatives, their amounts' sum and the remainder from outside them (個別取組以外)."""
    years = report.ledger_fiscal_years
    columns = [
        Column("区分", width=14),
        Column("項目", width=24),
        Column("財源確保目標額（億円）", "number", width=14),
        *[Column(f"{eras.fiscal_year_label(y)}当初予算（億円）", "number", width=16) for y in years],
        Column(f"{report.ledger_cumulative_label}（億円）", "number", width=22),
        Column("目標に対する割合", "number", width=12),
        Column("入力の単位", width=20),
        Column("対応する取組（財源確保額）", width=44),
        Column("取組の額の計（千円）", "number", width=16),
        Column("個別取組以外（億円）", "number", width=16),
        Column("備考", width=40),
    ]
    rows = []
    for row in report.ledger_lines():
        kind, name, target = row.kind, row.name, row.target_thousand_yen
        total = kind != "category"
        cumulative = row.cumulative
        share = cumulative / target if cumulative is not None and target else None
        category = kind == "category"
        rows.append([
            Value(row.group_label if kind != "total" else "合計", total),
            Value(name if category else f"{name}（計）" if kind == "group" else name, total),
            Value(_oku(target), total, OKU_YEN),
            *[Value(_oku(amount), total, OKU_YEN) for amount in row.by_year],
            Value(_oku(cumulative), total, OKU_YEN),
            Value(share, total, "0.0%" if share is not None else None),
            Value(Unit(row.unit).label if row.unit else "", total),
            Value("\n".join(
                f"{item['number']} {item['name']}" + (f"（{money.format_thousand_yen(item['amount'])}）" if item["amount"] is not None else "")
                for item in row.contributors
            ), total),
            Value(row.linked_total if category else None, total),
            Value(_oku(row.outside, row.unit) if category else None, total, OKU_YEN),
            Value("；".join(filter(None, [row.note, row.category.note if row.category else ""])), total),
        ])
    return columns, rows


def build_annual_workbook(cycle) -> bytes:
    """The annual report of a reporting cycle as an .xlsx file, from its published versions only."""
    with without_cyclic_gc():
        return _build_workbook(cycle)


def _build_workbook(cycle) -> bytes:
    report = annual_report(cycle)
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    styles = Styles(workbook)
    mark = f"【{PREVIEW_MARK}】" if report.is_preview else ""
    title = f"{mark}{report.title}（{cycle.label}）"
    workbook.set_properties({"title": title, "author": "reformtracker"})
    _write_sheets(workbook, styles, report, cycle, title, mark)
    workbook.close()
    return output.getvalue()


def _write_sheets(workbook, styles: Styles, report: AnnualReport, cycle, title: str, mark: str) -> None:
    as_of, program = report.as_of, report.program
    preamble = [
        title,
        (f"基準日: {cycle.display_date(as_of, era=False)}　" if as_of else "")
        + f"報告対象: {eras.fiscal_year_label_with_western(cycle.fiscal_year)}",
        *([f"{mark}{PREVIEW_NOTE}：この報告期はまだ公表されていません。確認用です。"] if report.is_preview else []),
    ]
    if program.statuses:
        write_sheet(
            workbook, styles, "概要", _summary_columns(report.summary.vocabulary), _summary_rows(report), mark=mark,
            preamble=[*preamble, _summary_note(report.summary)],
        )
    else:
        columns, rows, notes = _list_summary(report)
        write_sheet(workbook, styles, "概要", columns, rows, mark=mark, preamble=[*preamble, *notes])
    fields = _item_fields(report)
    write_sheet(
        workbook, styles, f"{program.item_label}一覧", [column for column, _read in fields],
        [[read(sheet) for _column, read in fields] for sheet in report.initiatives], mark=mark,
    )
    if not program.statuses:  # a list: no year-by-year records to compare, no ledger
        return
    write_sheet(workbook, styles, "年度別計画・実績", YEAR_COLUMNS, _year_rows(report), mark=mark)
    if not program.has_ledger:
        return
    columns, rows = _ledger(report)
    statement_note = report.ledger.statement.note if report.ledger.statement else ""
    write_sheet(
        workbook, styles, "財源確保", columns, rows, mark=mark,
        preamble=[
            f"財源確保額（{report.ledger_target_label}）",
            "単位：億円（取組の額は千円）。一般会計における取組を集計したものです。各項目の額の合計が小計・合計になります。",
            "額は報告書の記載どおりの精度です（入力の単位が「億円」の額は小数第1位まで）。"
            "「個別取組以外」は、項目の額から対応する取組の額を差し引いた残りを、項目の額の精度で示したものです。",
            *([statement_note] if statement_note else []),
        ],
    )
