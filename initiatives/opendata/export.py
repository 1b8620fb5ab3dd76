"""Writing a program as a JSON document: the backup (`export_program`) and citizens' open data
(`export_published_program`, only what a released report published)."""
from finance.models import LedgerEntry, LedgerStatement, Unit
from finance.selectors import ledger_report
from programs import money
from programs.frames import Frame, frame_of, live_frame
from programs.models import Department, Program, ReportingCycle

from ..models import Initiative
from ..publication import Publication, initiative_document, record_document
from ..selectors import figure_totals, program_summary, published_summary, published_versions, report_cycle
from . import FORMAT


def _summary_row(row) -> dict:
    return {
        "initiatives": row.initiatives,
        "counts": dict(row.counts),
        "percentages": {s: row.percent(s) for s in row.vocabulary.counted},
        "not_reported": row.not_reported,
    }


def _export_summary(program: Program) -> dict:
    """The summary of the latest public report (else of the newest cycle), from the records of its year."""
    cycles = ReportingCycle.objects.for_program(program)
    cycle = cycles.latest_public(program) or cycles.order_by("-fiscal_year").first()
    return _summary_document(program_summary(program, cycle.fiscal_year if cycle else None))


def _summary_document(summary) -> dict:
    return {
        "fiscal_year": summary.fiscal_year,
        "pillars": [{"pillar": row.pillar.numeral, **_summary_row(row)} for row in summary.rows],
        "total": _summary_row(summary.total),
    }


def _export_entry(entry: LedgerEntry) -> dict:
    """A figure as entered: 億円 with one decimal as a string ("10.1"), 千円 as an integer."""
    document = {"category": entry.category.name, "fiscal_year": entry.fiscal_year, "unit": entry.unit}
    if entry.unit == Unit.OKU_YEN:
        document["secured_oku_yen"] = entry.entered_value
    document["secured_thousand_yen"] = entry.secured_thousand_yen  # with 億円: export only, for sums
    document["precision_thousand_yen"] = Unit.precision_thousand_yen(entry.unit)  # export only
    document["note"] = entry.note
    return document


def _export_ledger(program: Program, budget_fiscal_year: int | None, *, every_statement: bool) -> dict:
    """The categories, the statements with their figures (every statement for a backup; else the one of
    `budget_fiscal_year`), and (export only) the report of `budget_fiscal_year` as its table prints it:
    each category's cumulative amount, the subtotals and the total."""
    report = ledger_report(program, budget_fiscal_year)
    if every_statement:
        statements = list(LedgerStatement.objects.filter(program=program).order_by("budget_fiscal_year"))
        entries = LedgerEntry.objects.filter(statement__in=statements).select_related("category").order_by(
            "statement__budget_fiscal_year", "category__order", "fiscal_year"
        )
    else:
        statements = [report.statement] if report.statement else []
        entries = [entry for row in report.categories() for entry in row.entries]
    by_statement: dict[int, list[dict]] = {}
    for entry in entries:
        by_statement.setdefault(entry.statement_id, []).append(_export_entry(entry))
    categories = [
        {
            "group": row.category.group,
            "order": row.category.order,
            "name": row.name,
            "target_thousand_yen": row.target_thousand_yen,
            "target_oku_yen": money.format_oku_yen(row.target_thousand_yen),
            "note": row.category.note,
            "cumulative_thousand_yen": row.cumulative,
            "cumulative_oku_yen": money.format_oku_yen(row.cumulative),
            "cumulative_unit": row.unit,
        }
        for row in report.categories()
    ]
    totals = {
        str(row.name): {"target_thousand_yen": row.target_thousand_yen, "cumulative_thousand_yen": row.cumulative,
                        "cumulative_unit": row.unit}
        for row in [*(subtotal for _label, subtotal, _lines in report.groups), report.total]
    }
    return {
        "budget_fiscal_year": budget_fiscal_year,
        "categories": categories,
        "statements": [
            {"budget_fiscal_year": s.budget_fiscal_year, "state": s.state, "note": s.note, "entries": by_statement.get(s.pk, [])}
            for s in statements
        ],
        "totals": totals,
    }


def _report_budget(program: Program) -> int | None:
    """The initial budget of the latest public report (else of the newest statement)."""
    cycle = ReportingCycle.objects.latest_public(program)
    if cycle is not None:
        return cycle.budget_fiscal_year
    newest = LedgerStatement.objects.filter(program=program).order_by("-budget_fiscal_year").first()
    return newest.budget_fiscal_year if newest else None


def export_initiative(initiative: Initiative, reported_year: int | None) -> dict:
    """The initiative with its working records of every year (backups, export_data)."""
    years = list(initiative.years.all())
    reported = next((r for r in years if r.fiscal_year == reported_year), None)
    return initiative_document(initiative, reported, [record_document(r) for r in years])



def export_program(program: Program) -> dict:
    initiatives = list(Initiative.objects.for_program(program).with_structure().with_years())
    summary = _export_summary(program)
    department_ids = {r.department_id for i in initiatives for r in i.responsibilities.all()}
    departments = Department.objects.filter(pk__in=department_ids).prefetch_related("divisions")
    return {
        **_frame(program, departments),
        "initiatives": [export_initiative(i, summary["fiscal_year"]) for i in initiatives],
        "ledger": _export_ledger(program, _report_budget(program), every_statement=True),
        "summary": summary,
    }


def _frame(program: Program, departments, frame: Frame | None = None) -> dict:
    """The document's head: format, program, perspectives, pillars (as `frame` shows them: a released cycle's
    as released; else as they stand) and the departments given."""
    frame = frame or live_frame(program)
    return {
        "format": FORMAT,
        "program": _program_header(frame.program),
        "perspectives": [{"order": p.order, "name": p.name, "name_en": p.name_en} for p in frame.perspectives],
        "pillars": [
            {"key": p.key, "numeral": p.numeral, "order": p.order, "name": p.name, "name_en": p.name_en,
             "perspective": p.perspective.name}
            for p in frame.pillars
        ],
        "departments": [
            {"name": d.name, "name_en": d.name_en, "divisions": [v.name for v in d.divisions.all()]} for d in departments
        ],
    }


def _program_header(program: Program) -> dict:
    return {
        "name": program.name,
        "start_fiscal_year": program.start_fiscal_year,
        "end_fiscal_year": program.end_fiscal_year,
        "fiscal_target_thousand_yen": program.fiscal_target_thousand_yen,
        "fiscal_target_oku_yen": program.fiscal_target_oku_yen,
        "as_of": program.as_of.isoformat(),
        "as_of_label": program.as_of_label,
        "introduction": program.introduction,
        "issuing_office": program.issuing_office,
        "name_en": program.name_en,
        "issuing_office_en": program.issuing_office_en,
        "source_title": program.source_title,
        "short_name": program.short_name,
        "as_of_precision": program.as_of_precision,
        "slug": program.slug,
        "frame": {
            "levels": [
                {"name": program.level1_label, "name_en": program.level1_label_en},
                *([{"name": program.level2_label, "name_en": program.level2_label_en}] if program.has_two_levels else []),
            ],
            "item": {"name": program.item_label, "name_en": program.item_label_en},
            "ledger": program.has_ledger,
            "figure": {"name": program.figure_label, "name_en": program.figure_label_en} if program.figure_label else None,
            "numbering": program.numbering,
            "statuses": program.vocabulary.document(),
        },
    }


def export_published_program(program: Program, cycle=None) -> dict:
    """The program as citizens see it, in the same format: the published versions of the latest released
    report (or of a released cycle given), its summary, its texts and date, and the ledger cut at its
    initial budget. No draft and no preliminary publication reaches it."""
    cycle = cycle or report_cycle(program)
    versions = list(published_versions(program, cycle))
    department_names = {unit["department"] for v in versions for unit in Publication(v.data).departments}
    departments = Department.objects.filter(name__in=department_names).prefetch_related("divisions")
    if cycle is not None:
        program = frame_of(cycle, program).program  # as the report printed it
    document = _frame(program, departments, frame_of(cycle, program) if cycle is not None else None)
    if cycle is not None:
        as_of = cycle.as_of or cycle.released_on or program.as_of
        document["program"].update(
            as_of=as_of.isoformat(),
            as_of_precision=cycle.date_precision(as_of),  # the report's date, as precise as its source gives it
            as_of_label=cycle.label,
            introduction=cycle.introduction,
        )
    document = {
        **document,
        "initiatives": [v.data for v in versions],
        "ledger": _export_ledger(program, cycle.budget_fiscal_year if cycle else None, every_statement=False),
    }
    if program.statuses:  # a program that reports no statuses (the strategy's list) has no status counts
        document["summary"] = _summary_document(published_summary(program, cycle))
    if cycle is not None and program.totals_its_figure:
        document["figure_totals"] = _figure_totals_document(program, cycle)
    return document


def _figure_totals_document(program: Program, cycle: ReportingCycle) -> dict:
    """The per-year figure per first level (the strategy's 予算事業費 per 基本目標), each item counted once."""
    rows, whole = figure_totals(program, cycle)

    def row(total) -> dict:
        return {"items": total.items, "amount_thousand_yen": total.amount, "listed_again": total.listed_again,
                "amount_as_listed_thousand_yen": total.amount_as_listed}

    return {
        "figure": program.figure_label,
        "fiscal_year": cycle.fiscal_year,
        "levels": [{"name": r.perspective.name, **row(r)} for r in rows],
        "total": row(whole),
    }


