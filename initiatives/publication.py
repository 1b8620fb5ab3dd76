"""What a publication freezes: an initiative with its records, as one plain document.

`publication_document` is the document a `PublishedVersion` keeps (services.publication) and the
open data serves as it is; the backup export (opendata.export) writes the same shape with the
working records of every year.
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
