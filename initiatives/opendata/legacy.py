"""Documents of earlier versions of the format, upgraded to the current one before import.

- Version 1 carried 作業工程 on each year's record (`years[].schedule_step`): it becomes the
  item's `schedule` (a step the schedule itself gives wins).
- Versions 1 and 2 kept the ledger as amounts per fiscal year under each category
  (`ledger.categories[].entries`), shared by every report. They become one confirmed statement
  as of the latest year (each report was the sum up to its budget); an amount whose note says
  the report prints only the cumulative figure (「…累計のみ…」) is that cumulative amount, in
  億円 where it is a whole number of 0.1億円 (as finance/migrations/0003 converts databases).
- Format 4 first listed a program's statuses as codes of the reform report's five
  (`program.frame.statuses: ["implemented", …]`); they become the full definitions.

`upgrade` returns a copy; what it cannot read is left for the importer to report.
"""
import copy
from dataclasses import asdict

from finance.models import StatementState, Unit
from programs import money
from programs.statuses import Status, reform_definitions

from . import FORMAT
from .reader import Reader

READABLE_FORMATS = {"reformtracker/1", "reformtracker/2", "reformtracker/3", FORMAT}
LEGACY_LEDGER_FORMATS = {"reformtracker/1", "reformtracker/2"}


def upgrade(document: dict, reader: Reader) -> dict:
    """`document` (of a readable format, checked by the caller) in the current format."""
    document = copy.deepcopy(document)
    _upgrade_statuses(document, reader)
    for index, item in enumerate(document.get("initiatives") or []):
        with reader.at(f".initiatives[{index}]"):
            _upgrade_schedule(item, reader)
    if document.get("format") in LEGACY_LEDGER_FORMATS and isinstance(document.get("ledger"), dict):
        with reader.at(".ledger"):
            _upgrade_ledger(document["ledger"], reader)
    document["format"] = FORMAT
    return document


def _upgrade_statuses(document: dict, reader: Reader) -> None:
    program = document.get("program")
    frame = program.get("frame") if isinstance(program, dict) else None
    statuses = frame.get("statuses") if isinstance(frame, dict) else None
    if not isinstance(statuses, list) or not all(isinstance(code, str) for code in statuses):
        return
    with reader.at(".program.frame.statuses"):
        for index, code in enumerate(statuses):
            if code not in Status.values:
                with reader.at(f"[{index}]"):
                    reader.fail(f"進行状況は {', '.join(Status.values)} のいずれかです（値: {code!r}）。")
    frame["statuses"] = [asdict(definition) for definition in reform_definitions(statuses)]


def _upgrade_schedule(item, reader: Reader) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("years"), list):
        return
    if not any(isinstance(year, dict) and "schedule_step" in year for year in item["years"]):
        return
    steps = {}
    for _, step in reader.items(item, "schedule", required=False):
        steps[reader.value(step, "fiscal_year", int)] = reader.value(step, "step", str)
    for _, year in reader.items(item, "years"):
        legacy = reader.value(year, "schedule_step", str, required=False, default="")
        if legacy:
            steps.setdefault(reader.value(year, "fiscal_year", int), legacy)
        year.pop("schedule_step", None)
    item["schedule"] = [{"fiscal_year": year, "step": step} for year, step in sorted(steps.items())]


def _upgrade_ledger(ledger: dict, reader: Reader) -> None:
    entries = []
    for _, category in reader.items(ledger, "categories", required=False):
        name = reader.value(category, "name", str)
        for _, entry in reader.items(category, "entries", required=False):
            entries.append((name, reader.value(entry, "fiscal_year", int), reader.value(entry, "secured_thousand_yen", int),
                            reader.value(entry, "note", str, required=False, default="")))
        category.pop("entries", None)
    ledger.pop("statements", None)
    if not entries:
        return
    budget = max(year for _name, year, _amount, _note in entries)
    statement = {"budget_fiscal_year": budget, "state": StatementState.CONFIRMED.value, "note": "", "entries": []}
    for name, year, amount, note in entries:
        cumulative = year == budget and "累計のみ" in note
        in_oku = cumulative and amount % Unit.precision_thousand_yen(Unit.OKU_YEN) == 0
        entry = {"category": name, "fiscal_year": None if cumulative else year,
                 "unit": Unit.OKU_YEN.value if in_oku else Unit.THOUSAND_YEN.value,
                 "secured_thousand_yen": amount, "note": "" if cumulative else note}
        if in_oku:
            entry["secured_oku_yen"] = money.format_oku_yen(amount)
        statement["entries"].append(entry)
    ledger["statements"] = [statement]
