"""Reading a program's JSON document into the database (docs/data-format.md).

`import_program` creates the program, its statuses, levels, departments, ledger and items in one
transaction; a document with any error changes nothing and the error names the record and field.
Documents of earlier versions are upgraded first (opendata.legacy). Staff and commands call it
through `initiatives.services.program_import`, which checks who may.
"""
import datetime
from dataclasses import asdict
import re

from django.db import transaction

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
)
from programs.statuses import StatusDefinition, reform_definitions

from ..models import (
    DepartmentStatus,
    Initiative,
    Listing,
    PublishedVersion,
    Responsibility,
    ResponsibilityDivision,
    ScheduleStep,
    YearlyRecord,
)
from . import FORMAT
from .legacy import READABLE_FORMATS, upgrade
from .ledger import import_ledger
from .reader import Reader

def _status(reader: Reader, obj: dict, key: str, codes: list[str], *, allow_not_reported: bool = False) -> str:
    """A record's status: one of the program's `codes` (or 未報告 where allowed)."""
    value = reader.value(obj, key, str)
    if value == "" and allow_not_reported:
        return value  # 未報告
    if value not in codes:
        with reader.at(f".{key}"):
            reader.fail(f"進行状況は {', '.join(codes) or '（このプログラムには進行状況がありません）'} のいずれかです（値: {value!r}）。")
    return value


@transaction.atomic
def import_program(document: dict, *, replace: bool = False) -> Program:
    """Create the program described by `document`; with replace=True, an existing one of that name is replaced."""
    reader = Reader()
    if not isinstance(document, dict):
        reader.fail("JSONの最上位はオブジェクト（{…}）である必要があります。")
    if document.get("format") not in READABLE_FORMATS:
        with reader.at(".format"):
            reader.fail(f"この形式には対応していません（{FORMAT!r} である必要があります）。")
    document = upgrade(document, reader)

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
        statuses = frame.pop("statuses", None)
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

    with reader.at(".program.frame.statuses"):
        for index, definition in enumerate(reform_definitions() if statuses is None else statuses):
            with reader.at(f"[{index}]"):
                reader.save(ProgramStatus(program=program, **asdict(definition)))
    codes = program.vocabulary.codes

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
    categories = import_ledger(reader, document, program) if program.has_ledger else {}

    numbers = set()  # the numbers used so far: (pillar key, or None where numbered through the program, number)
    for index, item in reader.items(document, "initiatives"):
        number = item.get("number")
        label = "番号" if program.numbered_per_level else "管理番号"
        with reader.at(f"（{label} {number}）" if isinstance(number, int) else ""):
            if isinstance(number, int) and item.get("pillar") in pillars:  # before the database says it less plainly
                _claim_number(reader, numbers, program, pillars[item["pillar"]], number)
            initiative = _import_initiative(reader, item, program, pillars, departments, divisions, categories, codes)
            for _, listing in reader.items(item, "listings", required=False):
                _import_listing(reader, listing, initiative, pillars, numbers)
    return program


def _read_frame(reader: Reader, data: dict) -> dict:
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
        fields["statuses"] = [_status_definition(reader, item) for _, item in reader.items(frame, "statuses")]
    return fields


def _status_definition(reader: Reader, item: dict) -> StatusDefinition:
    """One of the program's statuses (format 4: every field of a ProgramStatus; legacy.upgrade turns a code
    of the reform report's five into its definition)."""
    return StatusDefinition(
        code=reader.value(item, "code", str),
        label=reader.value(item, "label", str),
        label_en=reader.value(item, "label_en", str, required=False, default=""),
        order=reader.value(item, "order", int),
        severity=reader.value(item, "severity", int),
        counted=reader.value(item, "counted", bool),
        behind=reader.value(item, "behind", bool),
        needs_reason=reader.value(item, "needs_reason", bool),
        not_yet_due=reader.value(item, "not_yet_due", bool),
    )


def _as_of_precision(reader: Reader, data: dict) -> str:
    precision = reader.value(data, "as_of_precision", str, required=False, default=DatePrecision.DAY)
    if precision not in DatePrecision.values:
        with reader.at(".as_of_precision"):
            reader.fail(f"基準日の精度は {', '.join(DatePrecision.values)} のいずれかです（値: {precision!r}）。")
    return precision


def _read_slug(reader: Reader, data: dict) -> str:
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


def _claim_number(reader: Reader, numbers: set, program: Program, pillar: Pillar, number: int) -> None:
    """A number names one item: in its pillar for a program numbered per level, in the program otherwise."""
    where = pillar.key if program.numbered_per_level else None
    if (where, number) in numbers:
        if where:
            reader.fail(f"{program.level2_label or program.level1_label}「{pillar.key}」で番号 {number} は既に使われています。")
        reader.fail(f"管理番号 {number} は既に使われています。")
    numbers.add((where, number))


def _import_listing(reader: Reader, listing: dict, initiative: Initiative, pillars: dict, numbers: set) -> None:
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


def _import_departments(reader: Reader, document: dict):
    """The document's departments and divisions: a known one (by name) is the same, keeping its place among the
    city's departments, since other programs share it; a new one takes its place in the document."""
    departments, divisions = {}, {}
    for index, item in reader.items(document, "departments"):
        name = reader.value(item, "name", str)
        department = Department.objects.filter(name=name).first() or Department(name=name, order=index + 1)
        department.name_en = reader.value(item, "name_en", str, required=False, default=department.name_en)
        departments[name] = reader.save(department)
        with reader.at(".divisions"):
            division_names = reader.value(item, "divisions", list)
            for order, division_name in enumerate(division_names):
                with reader.at(f"[{order}]"):
                    if not isinstance(division_name, str):
                        reader.fail("課の名前は文字列である必要があります。")
                    division = Division.objects.filter(department=department, name=division_name).first()
                    division = division or Division(department=department, name=division_name, order=order + 1)
                    divisions[(name, division_name)] = reader.save(division)
    return departments, divisions


def _import_initiative(reader, item, program, pillars, departments, divisions, categories, codes) -> Initiative:
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
                status=_status(reader, year, "status", codes, allow_not_reported=True),
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
                    status=_status(reader, split, "status", codes),
                )
            )
    return initiative
