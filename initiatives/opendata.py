"""The whole program as one JSON document (see docs/data-format.md).

`export_program` writes it (open data, backups); `import_program` reads it back in one
transaction: a document with any error changes nothing and the error says which
record and field is wrong.
"""
import datetime
import re
from contextlib import contextmanager
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import transaction

from finance.models import LedgerCategory, LedgerEntry, LedgerGroup, LedgerStatement, StatementState, Unit
from finance.selectors import ledger_report
from programs import money
from programs.frames import Frame, frame_of, live_frame
from programs.models import (
    RESERVED_SLUGS,
    DatePrecision,
    Department,
    Division,
    Numbering,
    Perspective,
    Pillar,
    Program,
    ProgramStatus,
    ReportingCycle,
)
from programs.statuses import reform_definitions

from .models import (
    DepartmentStatus,
    Initiative,
    Listing,
    PublishedVersion,
    Responsibility,
    ResponsibilityDivision,
    ScheduleStep,
    Status,
    YearlyRecord,
)
from .selectors import figure_totals, program_summary, published_summary, published_versions, report_cycle

FORMAT = "reformtracker/4"
# version 1 carried 作業工程 as years[].schedule_step; versions 1 and 2 kept the ledger as amounts per fiscal
# year under each category (`categories[].entries`), shared by every report
READABLE_FORMATS = {"reformtracker/1", "reformtracker/2", "reformtracker/3", FORMAT}
LEGACY_LEDGER_FORMATS = {"reformtracker/1", "reformtracker/2"}


class DataFormatError(Exception):
    """The document does not follow the format; the message names the place."""


# --- export -----------------------------------------------------------------


def _summary_row(row) -> dict:
    return {
        "initiatives": row.initiatives,
        "counts": dict(row.counts),
        "percentages": {s: row.percent(s) for s in Status.counted_in_percentages()},
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


def _export_record(record: YearlyRecord) -> dict:
    return {
        "fiscal_year": record.fiscal_year,
        "plan": record.plan,
        "result": record.result,
        "status": record.status,
        "department_statuses": [
            {"department": d.department.name, "label": d.label, "status": d.status}
            for d in record.department_statuses.all()
        ],
        "delay_reason": record.delay_reason,
        "secured_amount_thousand_yen": record.secured_amount_thousand_yen,
        "secured_amount_note": record.secured_amount_note,
    }


def export_initiative(initiative: Initiative, reported_year: int | None) -> dict:
    """The initiative with its working records of every year (backups, export_data)."""
    years = list(initiative.years.all())
    reported = next((r for r in years if r.fiscal_year == reported_year), None)
    return _initiative_document(initiative, reported, [_export_record(r) for r in years])


def publication_document(initiative: Initiative, record: YearlyRecord, earlier_years: list[dict]) -> dict:
    """What a publication freezes: the initiative, the reviewed record of the cycle being published and the
    earlier years as they were published in their own cycles (never another year's working draft)."""
    return _initiative_document(initiative, record, [*earlier_years, _export_record(record)])


def _initiative_document(initiative: Initiative, reported: YearlyRecord | None, years: list[dict]) -> dict:
    optional = {}  # what only some programs' items carry (format 4); absent when empty
    if initiative.goal:
        optional["goal"] = initiative.goal
    listings = [{"pillar": listing.pillar.key, "number": listing.number} for listing in initiative.listings.all()]
    if listings:
        optional["listings"] = listings
    return {
        "number": initiative.number,
        "name": initiative.name,
        "pillar": initiative.pillar.key,
        "departments": [
            {"department": r.department.name, "divisions": [d.name for d in r.ordered_divisions]}
            for r in initiative.responsibilities.all()
        ],
        "departments_display": initiative.departments_display,
        "fiscal_target": initiative.fiscal_target,
        "background": initiative.background,
        "next_steps": initiative.next_steps,
        "ledger_category": initiative.ledger_category.name if initiative.ledger_category else None,
        "schedule": initiative.schedule(),
        "status": reported.effective_status if reported else None,
        "status_notes": reported.status_notes if reported and reported.is_reported else None,
        "secured_amount_thousand_yen": reported.secured_amount_thousand_yen if reported else None,
        "years": years,
        **optional,
    }


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
            "statuses": program.statuses,
        },
    }


def export_published_program(program: Program, cycle=None) -> dict:
    """The program as citizens see it, in the same format: the published versions of the latest released
    report (or of a released cycle given), its summary, its texts and date, and the ledger cut at its
    initial budget. No draft and no preliminary publication reaches it."""
    cycle = cycle or report_cycle(program)
    versions = list(published_versions(program, cycle))
    department_names = {unit["department"] for v in versions for unit in v.data.get("departments", [])}
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


# --- import -----------------------------------------------------------------


class _Reader:
    """Reads typed values out of nested dicts and lists, keeping the path for error messages."""

    def __init__(self):
        self.path: list[str] = []

    @contextmanager
    def at(self, part: str):
        self.path.append(part)
        try:
            yield
        finally:
            self.path.pop()

    def where(self) -> str:
        return "".join(self.path).lstrip(".") or "（文書全体）"

    def fail(self, message: str):
        raise DataFormatError(f"{self.where()}: {message}")

    def value(self, obj: dict, key: str, kind: type, *, required: bool = True, default=None, nullable: bool = False):
        with self.at(f".{key}"):
            if not isinstance(obj, dict):
                self.fail("オブジェクト（{…}）である必要があります。")
            if key not in obj:
                if required:
                    self.fail("必須の項目がありません。")
                return default
            value = obj[key]
            if value is None and nullable:
                return None
            if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
                self.fail(f"整数である必要があります（値: {value!r}）。")
            if kind is int and value < 0:
                self.fail(f"0以上の整数である必要があります（値: {value!r}）。")
            if kind is not int and not isinstance(value, kind):
                expected = {str: "文字列", list: "配列", dict: "オブジェクト"}.get(kind, kind.__name__)
                self.fail(f"{expected}である必要があります（値: {value!r}）。")
            return value

    def items(self, obj: dict, key: str, *, required: bool = True):
        """Yield (index, item) of a list, with the path pointing at the item."""
        values = self.value(obj, key, list, required=required, default=[])
        for index, item in enumerate(values):
            with self.at(f".{key}[{index}]"):
                if not isinstance(item, dict):
                    self.fail("オブジェクト（{…}）である必要があります。")
                yield index, item

    def save(self, instance):
        """full_clean() then save(), turning validation errors into a message with the path."""
        try:
            instance.full_clean()
        except ValidationError as error:
            details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            self.fail(f"内容が正しくありません（{details}）。")
        instance.save()
        return instance


def _status(reader: _Reader, obj: dict, key: str, *, allow_not_reported: bool = False) -> str:
    value = reader.value(obj, key, str)
    if value == "" and allow_not_reported:
        return value  # 未報告
    with reader.at(f".{key}"):
        _check_status(reader, value)
    return value


def _check_status(reader: _Reader, value) -> None:
    if value not in Status.values:
        reader.fail(f"進行状況は {', '.join(Status.values)} のいずれかです（値: {value!r}）。")


@transaction.atomic
def import_program(document: dict, *, replace: bool = False) -> Program:
    """Create the program described by `document`; with replace=True, an existing one of that name is replaced."""
    reader = _Reader()
    if not isinstance(document, dict):
        reader.fail("JSONの最上位はオブジェクト（{…}）である必要があります。")
    if document.get("format") not in READABLE_FORMATS:
        with reader.at(".format"):
            reader.fail(f"この形式には対応していません（{FORMAT!r} である必要があります）。")

    data = reader.value(document, "program", dict)
    with reader.at(".program"):
        name = reader.value(data, "name", str)
        existing = Program.objects.filter(name=name).first()
        if existing and not replace:
            reader.fail(f"プログラム「{name}」は既に登録されています。置き換えるには --replace を指定してください。")
        if existing:
            # Published versions and pillars are protected from accidental deletion; replacing
            # the program removes them deliberately, children first.
            PublishedVersion.objects.filter(initiative__program=existing).delete()
            Initiative.objects.filter(program=existing).delete()
            Pillar.objects.filter(program=existing).delete()
            existing.delete()
        as_of_text = reader.value(data, "as_of", str)
        try:
            as_of = datetime.date.fromisoformat(as_of_text)
        except ValueError:
            with reader.at(".as_of"):
                reader.fail(f"日付は YYYY-MM-DD 形式で指定してください（値: {as_of_text!r}）。")
        frame = _read_frame(reader, data)
        statuses = frame.pop("statuses", Status.values)
        program = reader.save(
            Program(
                name=name,
                slug=_read_slug(reader, data),
                start_fiscal_year=reader.value(data, "start_fiscal_year", int),
                end_fiscal_year=reader.value(data, "end_fiscal_year", int),
                fiscal_target_thousand_yen=reader.value(
                    data, "fiscal_target_thousand_yen", int, nullable=not frame.get("has_ledger", True)
                ),
                as_of=as_of,
                as_of_label=reader.value(data, "as_of_label", str),
                introduction=reader.value(data, "introduction", str, required=False, default=""),
                issuing_office=reader.value(data, "issuing_office", str, required=False, default=""),
                name_en=reader.value(data, "name_en", str, required=False, default=""),
                issuing_office_en=reader.value(data, "issuing_office_en", str, required=False, default=""),
                source_title=reader.value(data, "source_title", str, required=False, default=""),
                short_name=reader.value(data, "short_name", str, required=False, default=""),
                as_of_precision=_as_of_precision(reader, data),
                **frame,
            )
        )

    ProgramStatus.objects.bulk_create(
        ProgramStatus(program=program, **asdict(definition)) for definition in reform_definitions(statuses)
    )

    perspectives = {}
    for _, item in reader.items(document, "perspectives"):
        perspective = reader.save(
            Perspective(
                program=program,
                order=reader.value(item, "order", int),
                name=reader.value(item, "name", str),
                name_en=reader.value(item, "name_en", str, required=False, default=""),
            )
        )
        perspectives[perspective.name] = perspective

    pillars = {}
    for _, item in reader.items(document, "pillars"):
        perspective_name = reader.value(item, "perspective", str)
        if perspective_name not in perspectives:
            with reader.at(".perspective"):
                reader.fail(f"視点「{perspective_name}」は perspectives にありません。")
        numeral = reader.value(item, "numeral", str)
        pillar = reader.save(
            Pillar(
                program=program,
                perspective=perspectives[perspective_name],
                numeral=numeral,
                key=reader.value(item, "key", str, required=False, default=numeral),
                order=reader.value(item, "order", int),
                name=reader.value(item, "name", str),
                name_en=reader.value(item, "name_en", str, required=False, default=""),
            )
        )
        pillars[pillar.key] = pillar

    departments, divisions = _import_departments(reader, document)
    categories = _import_ledger(reader, document, program) if program.has_ledger else {}

    numbers = set()  # the numbers used so far: (pillar key, or None where numbered through the program, number)
    for index, item in reader.items(document, "initiatives"):
        number = item.get("number")
        label = "番号" if program.numbered_per_level else "管理番号"
        with reader.at(f"（{label} {number}）" if isinstance(number, int) else ""):
            if isinstance(number, int) and item.get("pillar") in pillars:  # before the database says it less plainly
                _claim_number(reader, numbers, program, pillars[item["pillar"]], number)
            initiative = _import_initiative(reader, item, program, pillars, departments, divisions, categories)
            for _, listing in reader.items(item, "listings", required=False):
                _import_listing(reader, listing, initiative, pillars, numbers)
    return program


def _read_frame(reader: _Reader, data: dict) -> dict:
    """The program's frame (format 4) as Program fields; a document without one has the reform program's."""
    frame = reader.value(data, "frame", dict, required=False)
    if frame is None:
        return {}
    with reader.at(".frame"):
        fields = {}
        levels = reader.value(frame, "levels", list)
        if len(levels) not in (1, 2):
            with reader.at(".levels"):
                reader.fail("階層は1つか2つです。")
        for depth, level in enumerate(levels, start=1):
            with reader.at(f".levels[{depth - 1}]"):
                fields[f"level{depth}_label"] = reader.value(level, "name", str)
                fields[f"level{depth}_label_en"] = reader.value(level, "name_en", str, required=False, default="")
        if len(levels) == 1:
            fields.update(level2_label="", level2_label_en="")
        item = reader.value(frame, "item", dict)
        with reader.at(".item"):
            fields["item_label"] = reader.value(item, "name", str)
            fields["item_label_en"] = reader.value(item, "name_en", str, required=False, default="")
        ledger = reader.value(frame, "ledger", bool)
        fields["has_ledger"] = ledger
        figure = reader.value(frame, "figure", dict, nullable=True)
        with reader.at(".figure"):
            fields["figure_label"] = reader.value(figure, "name", str) if figure else ""
            fields["figure_label_en"] = reader.value(figure, "name_en", str, required=False, default="") if figure else ""
        numbering = reader.value(frame, "numbering", str)
        if numbering not in Numbering.values:
            with reader.at(".numbering"):
                reader.fail(f"番号の付け方は {', '.join(Numbering.values)} のいずれかです（値: {numbering!r}）。")
        fields["numbering"] = numbering
        statuses = reader.value(frame, "statuses", list)
        with reader.at(".statuses"):
            for index, code in enumerate(statuses):
                with reader.at(f"[{index}]"):
                    _check_status(reader, code)
        fields["statuses"] = [code for code in Status.values if code in statuses]
    return fields


def _as_of_precision(reader: _Reader, data: dict) -> str:
    precision = reader.value(data, "as_of_precision", str, required=False, default=DatePrecision.DAY)
    if precision not in DatePrecision.values:
        with reader.at(".as_of_precision"):
            reader.fail(f"基準日の精度は {', '.join(DatePrecision.values)} のいずれかです（値: {precision!r}）。")
    return precision


def _read_slug(reader: _Reader, data: dict) -> str:
    """The program's URL name: the document's, or program-N for a document without one."""
    slug = reader.value(data, "slug", str, required=False, default="")
    if not slug:
        return Program.free_slug()
    with reader.at(".slug"):
        if not re.fullmatch(r"[-a-zA-Z0-9_]{1,50}", slug):
            reader.fail(f"URL名「{slug}」には半角英数字・ハイフン・下線だけを50文字まで使えます。")
        if slug in RESERVED_SLUGS:
            reader.fail(f"URL名「{slug}」はサイトのページの名前なので使えません。")
        if Program.objects.filter(slug=slug).exists():
            reader.fail(f"URL名「{slug}」は別のプログラムが使っています。")
    return slug


def _claim_number(reader: _Reader, numbers: set, program: Program, pillar: Pillar, number: int) -> None:
    """A number names one item: in its pillar for a program numbered per level, in the program otherwise."""
    where = pillar.key if program.numbered_per_level else None
    if (where, number) in numbers:
        if where:
            reader.fail(f"{program.level2_label or program.level1_label}「{pillar.key}」で番号 {number} は既に使われています。")
        reader.fail(f"管理番号 {number} は既に使われています。")
    numbers.add((where, number))


def _import_listing(reader: _Reader, listing: dict, initiative: Initiative, pillars: dict, numbers: set) -> None:
    with reader.at(".listings"):
        key = reader.value(listing, "pillar", str)
        if key not in pillars:
            with reader.at(".pillar"):
                reader.fail(f"「{key}」は pillars にありません。")
        if pillars[key] == initiative.pillar:
            with reader.at(".pillar"):
                reader.fail("再掲は、元の階層とは別の階層に載せるものです。")
        number = reader.value(listing, "number", int)
        _claim_number(reader, numbers, initiative.program, pillars[key], number)
        reader.save(Listing(initiative=initiative, pillar=pillars[key], number=number))


def _import_departments(reader: _Reader, document: dict):
    departments, divisions = {}, {}
    for index, item in reader.items(document, "departments"):
        name = reader.value(item, "name", str)
        department = Department.objects.filter(name=name).first() or Department(name=name)
        department.order = index + 1
        department.name_en = reader.value(item, "name_en", str, required=False, default=department.name_en)
        departments[name] = reader.save(department)
        with reader.at(".divisions"):
            division_names = reader.value(item, "divisions", list)
            for order, division_name in enumerate(division_names):
                with reader.at(f"[{order}]"):
                    if not isinstance(division_name, str):
                        reader.fail("課の名前は文字列である必要があります。")
                    division = Division.objects.filter(department=department, name=division_name).first()
                    division = division or Division(department=department, name=division_name)
                    division.order = order + 1
                    divisions[(name, division_name)] = reader.save(division)
    return departments, divisions


def _import_ledger(reader: _Reader, document: dict, program: Program) -> dict:
    categories = {}
    legacy_entries = []
    ledger = reader.value(document, "ledger", dict)
    with reader.at(".ledger"):
        for _, item in reader.items(ledger, "categories"):
            group = reader.value(item, "group", str)
            if group not in LedgerGroup.values:
                with reader.at(".group"):
                    reader.fail(f"区分は {', '.join(LedgerGroup.values)} のいずれかです（値: {group!r}）。")
            category = reader.save(
                LedgerCategory(
                    program=program,
                    group=group,
                    order=reader.value(item, "order", int),
                    name=reader.value(item, "name", str),
                    target_thousand_yen=reader.value(item, "target_thousand_yen", int),
                    note=reader.value(item, "note", str, required=False, default=""),
                )
            )
            categories[category.name] = category
            if document.get("format") in LEGACY_LEDGER_FORMATS:
                for _, entry in reader.items(item, "entries", required=False):
                    legacy_entries.append((category, reader.value(entry, "fiscal_year", int),
                                           reader.value(entry, "secured_thousand_yen", int),
                                           reader.value(entry, "note", str, required=False, default="")))
        if document.get("format") in LEGACY_LEDGER_FORMATS:
            _import_legacy_ledger(program, legacy_entries)
            return categories
        budgets = set()
        for _, item in reader.items(ledger, "statements", required=False):
            budget = reader.value(item, "budget_fiscal_year", int)
            if budget in budgets:
                with reader.at(".budget_fiscal_year"):
                    reader.fail(f"当初予算の年度 {budget} の財源確保額が2つあります。")
            budgets.add(budget)
            state = reader.value(item, "state", str, required=False, default=StatementState.CONFIRMED)
            if state not in StatementState.values:
                with reader.at(".state"):
                    reader.fail(f"状態は {', '.join(StatementState.values)} のいずれかです（値: {state!r}）。")
            statement = reader.save(LedgerStatement(
                program=program, budget_fiscal_year=budget, state=state,
                note=reader.value(item, "note", str, required=False, default=""),
            ))
            for _, entry in reader.items(item, "entries"):
                reader.save(_ledger_entry(reader, entry, statement, categories))
    return categories


def _ledger_entry(reader: _Reader, entry: dict, statement: LedgerStatement, categories: dict) -> LedgerEntry:
    """One figure as entered: `secured_oku_yen` ("10.1") with unit oku_yen, `secured_thousand_yen` with thousand_yen."""
    name = reader.value(entry, "category", str)
    if name not in categories:
        with reader.at(".category"):
            reader.fail(f"財源確保の項目「{name}」は ledger.categories にありません。")
    unit = reader.value(entry, "unit", str, required=False,
                        default=Unit.OKU_YEN if "secured_oku_yen" in entry else Unit.THOUSAND_YEN)
    if unit not in Unit.values:
        with reader.at(".unit"):
            reader.fail(f"単位は {', '.join(Unit.values)} のいずれかです（値: {unit!r}）。")
    if unit == Unit.OKU_YEN:
        text = reader.value(entry, "secured_oku_yen", str)
        try:
            amount = money.oku_to_thousand_yen(text)
        except ValueError:
            with reader.at(".secured_oku_yen"):
                reader.fail(f"億円の額は小数第1位までの数を文字列で書きます（例: \"10.1\"、値: {text!r}）。")
        given = reader.value(entry, "secured_thousand_yen", int, required=False, default=amount)
        if given != amount:
            with reader.at(".secured_thousand_yen"):
                reader.fail(f"secured_oku_yen（{text}）と一致しません（値: {given!r}）。")
    else:
        amount = reader.value(entry, "secured_thousand_yen", int)
    return LedgerEntry(
        statement=statement,
        category=categories[name],
        fiscal_year=reader.value(entry, "fiscal_year", int, required=False, nullable=True),
        secured_thousand_yen=amount,
        unit=unit,
        note=reader.value(entry, "note", str, required=False, default=""),
    )


def _import_legacy_ledger(program: Program, entries: list) -> None:
    """Formats 1 and 2: amounts per fiscal year, shared by every report. They become one confirmed statement
    as of the latest year (each report was the sum up to its budget); an amount whose note says the report
    prints only the cumulative figure (「…累計のみ…」) is that cumulative amount, in 億円 where it is a whole
    number of 0.1億円 (as finance/migrations/0003 converts existing databases)."""
    if not entries:
        return
    budget = max(year for _category, year, _amount, _note in entries)
    statement = LedgerStatement.objects.create(program=program, budget_fiscal_year=budget, state=StatementState.CONFIRMED)
    for category, year, amount, note in entries:
        cumulative = year == budget and "累計のみ" in note
        LedgerEntry.objects.create(
            statement=statement, category=category, fiscal_year=None if cumulative else year,
            secured_thousand_yen=amount,
            unit=Unit.OKU_YEN if cumulative and amount % Unit.precision_thousand_yen(Unit.OKU_YEN) == 0 else Unit.THOUSAND_YEN,
            note="" if cumulative else note,
        )


def _import_initiative(reader, item, program, pillars, departments, divisions, categories) -> Initiative:
    numeral = reader.value(item, "pillar", str)
    if numeral not in pillars:
        with reader.at(".pillar"):
            reader.fail(f"{program.level2_label or program.level1_label}「{numeral}」は pillars にありません。")
    category_name = reader.value(item, "ledger_category", str, required=False, nullable=True)
    if category_name is not None and category_name not in categories:
        with reader.at(".ledger_category"):
            reader.fail(f"財源確保の項目「{category_name}」は ledger にありません。")
    initiative = reader.save(
        Initiative(
            program=program,
            number=reader.value(item, "number", int),
            name=reader.value(item, "name", str),
            pillar=pillars[numeral],
            fiscal_target=reader.value(item, "fiscal_target", str, required=False, default=""),
            background=reader.value(item, "background", str, required=False, default=""),
            next_steps=reader.value(item, "next_steps", str, required=False, default=""),
            goal=reader.value(item, "goal", str, required=False, default=""),
            ledger_category=categories.get(category_name),
        )
    )
    responsible = {}
    for order, unit in reader.items(item, "departments"):
        department_name = reader.value(unit, "department", str)
        if department_name not in departments:
            with reader.at(".department"):
                reader.fail(f"部局「{department_name}」は departments にありません。")
        responsibility = reader.save(
            Responsibility(initiative=initiative, department=departments[department_name], order=order + 1)
        )
        with reader.at(".divisions"):
            for index, division_name in enumerate(reader.value(unit, "divisions", list, required=False, default=[])):
                with reader.at(f"[{index}]"):
                    if (department_name, division_name) not in divisions:
                        reader.fail(f"課「{division_name}」は departments の「{department_name}」にありません。")
                    reader.save(
                        ResponsibilityDivision(
                            responsibility=responsibility,
                            division=divisions[(department_name, division_name)],
                            order=index + 1,
                        )
                    )
        responsible[department_name] = responsibility
    if not responsible and departments:
        # Only a program whose document names no department at all (the dX policy) has items
        # without one: the reform office keeps them.
        with reader.at(".departments"):
            reader.fail("所管部局を1つ以上指定してください。")

    steps = {}
    for _, step in reader.items(item, "schedule", required=False):
        steps[reader.value(step, "fiscal_year", int)] = reader.value(step, "step", str)
    for _, year in reader.items(item, "years"):  # version 1 of the format: 作業工程 on each year
        legacy = reader.value(year, "schedule_step", str, required=False, default="")
        if legacy:
            steps.setdefault(reader.value(year, "fiscal_year", int), legacy)
    with reader.at(".schedule"):
        for fiscal_year, step in sorted(steps.items()):
            if step:
                reader.save(ScheduleStep(initiative=initiative, fiscal_year=fiscal_year, step=step))

    for _, year in reader.items(item, "years"):
        record = reader.save(
            YearlyRecord(
                initiative=initiative,
                fiscal_year=reader.value(year, "fiscal_year", int),
                plan=reader.value(year, "plan", str, required=False, default=""),
                result=reader.value(year, "result", str, required=False, default=""),
                status=_status(reader, year, "status", allow_not_reported=True),
                delay_reason=reader.value(year, "delay_reason", str, required=False, default=""),
                secured_amount_thousand_yen=reader.value(
                    year, "secured_amount_thousand_yen", int, required=False, nullable=True
                ),
                secured_amount_note=reader.value(year, "secured_amount_note", str, required=False, default=""),
            )
        )
        for _, split in reader.items(year, "department_statuses", required=False):
            department_name = reader.value(split, "department", str)
            if department_name not in responsible:
                with reader.at(".department"):
                    reader.fail(f"部局「{department_name}」はこの取組の所管部局ではありません。")
            reader.save(
                DepartmentStatus(
                    record=record,
                    department=departments[department_name],
                    label=reader.value(split, "label", str),
                    status=_status(reader, split, "status"),
                )
            )
    return initiative
