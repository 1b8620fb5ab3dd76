"""What a publication freezes: an initiative with its records, as one plain document.

`publication_document` is the document a `PublishedVersion` keeps (services.publication) and the
open data serves as it is; the backup export (opendata.export) writes the same shape with the
working records of every year. `Publication` reads such a document by name, for every page, report and
export that shows a publication.
"""
from .models import Initiative, YearlyRecord


def record_document(record: YearlyRecord) -> dict:
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


def publication_document(initiative: Initiative, record: YearlyRecord, earlier_years: list[dict]) -> dict:
    """What a publication freezes: the initiative, the reviewed record of the cycle being published and the
    earlier years as they were published in their own cycles (never another year's working draft)."""
    return initiative_document(initiative, record, [*earlier_years, record_document(record)])


def initiative_document(initiative: Initiative, reported: YearlyRecord | None, years: list[dict]) -> dict:
    """The initiative with `years` (documents of its records) and the status of the `reported` record."""
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


class Publication:
    """A publication's document (`PublishedVersion.data`, the shape of `publication_document`) read by name: the one
    place that knows its keys, and what a document of an earlier format lacks."""

    __slots__ = ("data",)

    def __init__(self, data: dict):
        self.data = data

    number = property(lambda self: self.data["number"])
    name = property(lambda self: self.data.get("name", ""))
    pillar = property(lambda self: self.data.get("pillar", ""))  # the pillar's key
    goal = property(lambda self: self.data.get("goal", ""))
    fiscal_target = property(lambda self: self.data.get("fiscal_target", ""))
    background = property(lambda self: self.data.get("background", ""))
    next_steps = property(lambda self: self.data.get("next_steps", ""))
    ledger_category = property(lambda self: self.data.get("ledger_category"))  # its name, or None
    status = property(lambda self: self.data.get("status"))  # the reported record's (None: not reported)
    status_notes = property(lambda self: self.data.get("status_notes") or "")
    secured_amount_thousand_yen = property(lambda self: self.data.get("secured_amount_thousand_yen"))
    department_statuses = property(lambda self: self.data.get("department_statuses", []))
    departments = property(lambda self: self.data.get("departments", []))  # {'department', 'divisions'} each
    listings = property(lambda self: self.data.get("listings", []))  # {'pillar' (key), 'number'}: listed again (再掲)

    @property
    def departments_display(self) -> list[str]:
        """所管部局 as printed, one line per department (the departments' names in a document that has no such lines)."""
        return self.data.get("departments_display") or [unit["department"] for unit in self.departments]

    @property
    def years(self) -> list[dict]:
        """The published years' records (record_document), oldest first."""
        return sorted(self.data.get("years", []), key=lambda year: year["fiscal_year"])

    def year(self, fiscal_year: int) -> dict | None:
        """The published record of `fiscal_year`, or None."""
        return next((year for year in self.data.get("years", []) if year["fiscal_year"] == fiscal_year), None)

    def schedule(self, fiscal_years) -> list[dict]:
        """作業工程: {'fiscal_year', 'step'} for each of `fiscal_years` ('' where none is planned).

        Publications made before format 2 carried the step on each year's record (years[].schedule_step)."""
        if "schedule" in self.data:
            steps = {s["fiscal_year"]: s["step"] for s in self.data["schedule"]}
        else:
            steps = {y["fiscal_year"]: y.get("schedule_step", "") for y in self.data.get("years", [])}
        return [{"fiscal_year": year, "step": steps.get(year, "")} for year in fiscal_years]
