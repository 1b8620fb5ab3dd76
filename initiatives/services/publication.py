"""Publication: an approved record becomes what citizens read, as a frozen document of its cycle."""
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import roles
from core.transactions import on_commit_once
from programs.models import ReportingCycle
from programs.text import search_form

from ..models import Initiative, PublishedVersion, WorkflowState, YearlyRecord
from ..publication import Publication, publication_document
from ..signals import cycle_published
from .records import _locked, _require_state, _set_state, ensure_cycle_open


@transaction.atomic
def record_publish(*, record: YearlyRecord, by) -> PublishedVersion:
    """Publish the approved record of the open cycle (a preliminary figure until the cycle is released).

    The published version holds this record, the earlier years exactly as they were
    published in their own cycles, and the initiative's structure and schedule as they
    stand; never a working draft of another year.
    """
    roles.ensure_reviewer(by, record.initiative.program)
    record = _locked(record)
    ensure_cycle_open(record, _("公開"))
    _require_state(record, {WorkflowState.APPROVED}, _("公開"))
    cycle = record.cycle
    initiative = Initiative.objects.with_structure().prefetch_related("schedule_steps").get(pk=record.initiative_id)
    record = YearlyRecord.objects.with_statuses().get(pk=record.pk)
    earlier = _earlier_published_years(initiative, cycle)
    data = publication_document(initiative, record, earlier)
    newer = PublishedVersion.objects.filter(initiative=initiative, cycle__fiscal_year__gt=cycle.fiscal_year).exists()
    if not newer:
        PublishedVersion.objects.filter(initiative=initiative, is_current=True).update(is_current=False)
    PublishedVersion.objects.filter(initiative=initiative, cycle=cycle, is_latest_in_cycle=True).update(
        is_latest_in_cycle=False
    )
    version = PublishedVersion.objects.create(
        initiative=initiative,
        cycle=cycle,
        published_by=by,
        data=data,
        number=initiative.number,
        name=initiative.name,
        pillar=initiative.pillar,
        status=data["status"] or "",  # "": a program that reports no statuses
        secured_amount_thousand_yen=data["secured_amount_thousand_yen"],
        search_text=search_form("\n".join(
            [initiative.name, initiative.next_steps, *(f"{y['plan']}\n{y['result']}" for y in data["years"])]
        )),
        is_current=not newer,
    )
    version.departments.set([r.department for r in initiative.responsibilities.all()])
    _set_state(record, WorkflowState.PUBLISHED, by=by, reason=_("公開"))
    on_commit_once(("cycle_published", cycle.pk), lambda: cycle_published.send(sender=ReportingCycle, cycle=cycle))
    return version


def _earlier_published_years(initiative: Initiative, cycle: ReportingCycle) -> list[dict]:
    """Each earlier year's record as it was last published in its own cycle (oldest first)."""
    versions = (
        PublishedVersion.objects.filter(
            initiative=initiative, is_latest_in_cycle=True, cycle__fiscal_year__lt=cycle.fiscal_year
        )
        .select_related("cycle")
        .order_by("cycle__fiscal_year")
    )
    years = []
    for version in versions:
        own = Publication(version.data).year(version.cycle.fiscal_year)
        if own is not None:
            years.append(own)
    return years

