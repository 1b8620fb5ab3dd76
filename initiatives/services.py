"""Writes that matter: editing a record, the review workflow, publication, reporting cycles.

One function each, keyword-only, atomic, permission-checked at the top, validated with
full_clean() before save(); history is recorded by django-simple-history inside the
same transaction. Views, admin actions and commands all call these.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import CycleState, ReportingCycle

from . import roles
from .models import Initiative, PublishedVersion, Status, WorkflowState, YearlyRecord
from .opendata import export_initiative
from .signals import published

EDITABLE_RECORD_FIELDS = ["schedule_step", "plan", "result", "status", "delay_reason",
                          "secured_amount_thousand_yen", "secured_amount_note"]


class ConcurrentEditError(ValidationError):
    """Someone else saved the object after it was loaded; carries what they changed."""

    def __init__(self, message, changes):
        super().__init__(message, code="concurrent_edit")
        self.changes = changes


class WorkflowError(ValidationError):
    pass


# --- helpers ------------------------------------------------------------------


def open_cycle_of(program) -> ReportingCycle | None:
    return ReportingCycle.objects.open().filter(program=program).first()


def _cycle_of_record(record: YearlyRecord) -> ReportingCycle | None:
    return ReportingCycle.objects.filter(program_id=record.initiative.program_id, fiscal_year=record.fiscal_year).first()


def ensure_record_editable(*, record: YearlyRecord, by) -> None:
    """Only the open cycle's record may be edited, and not while it is under review."""
    roles.ensure_can_edit(by, record.initiative)
    cycle = _cycle_of_record(record)
    if cycle is None or not cycle.is_open:
        raise WorkflowError(_("この年度の報告は受付中ではないため編集できません。"))
    if record.workflow_state == WorkflowState.SUBMITTED:
        raise WorkflowError(_("提出済みで審査中のため編集できません。差し戻されてから編集してください。"))


def changes_since(obj, version: int) -> list[dict]:
    """What changed on `obj` after the given version: field, before, after, who, when."""
    loaded = obj.history.filter(version=version).order_by("-history_date").first()
    latest = obj.history.order_by("-history_date").first()
    if loaded is None or latest is None:
        return []
    delta = latest.diff_against(loaded, excluded_fields=["version", "workflow_state", "review_comment"])
    who = latest.history_user.get_username() if latest.history_user else _("不明")
    return [
        {
            "field": obj._meta.get_field(change.field).verbose_name,
            "old": change.old,
            "new": change.new,
            "by": who,
            "at": latest.history_date,
        }
        for change in delta.changes
    ]


def _check_version(obj, expected_version: int | None) -> None:
    """Refuse the write if the object changed since the editor loaded it (optimistic locking)."""
    if expected_version is None:
        return
    current = type(obj).objects.filter(pk=obj.pk).values_list("version", flat=True).first()
    if current != expected_version:
        changes = changes_since(obj, expected_version)
        raise ConcurrentEditError(
            _("この内容は、あなたが開いた後に他の人が更新しました。最新の内容を確認してから、もう一度入力してください。"),
            changes,
        )


def _bump_version(obj, expected_version: int | None) -> None:
    """Increment the version in the database; refuse if someone else did in between."""
    queryset = type(obj).objects.filter(pk=obj.pk)
    if expected_version is not None:
        queryset = queryset.filter(version=expected_version)
    if queryset.update(version=F("version") + 1) != 1:
        _check_version(obj, expected_version)
    obj.version = type(obj).objects.values_list("version", flat=True).get(pk=obj.pk)


def _record_history(obj, *, by, reason: str) -> None:
    """Who and why, for the history row django-simple-history writes on the next save()."""
    obj._history_user = by
    obj._change_reason = reason


def _set_state(record: YearlyRecord, state: str, *, by, reason: str, comment: str | None = None) -> None:
    record.workflow_state = state
    if comment is not None:
        record.review_comment = comment
    _record_history(record, by=by, reason=reason)
    record.save(update_fields=["workflow_state", "review_comment"])


# --- editing ------------------------------------------------------------------


def _locked(record: YearlyRecord) -> YearlyRecord:
    return YearlyRecord.objects.select_for_update().select_related("initiative__program").get(pk=record.pk)


@transaction.atomic
def record_update(
    *,
    record: YearlyRecord,
    by,
    data: dict,
    expected_version: int | None = None,
    next_steps: str | None = None,
    expected_initiative_version: int | None = None,
    reason: str | None = None,
) -> YearlyRecord:
    """Save a department's edit of the open cycle's record (and the initiative's 今後の予定); it becomes a draft."""
    record = _locked(record)
    ensure_record_editable(record=record, by=by)
    _check_version(record, expected_version)
    unknown = set(data) - set(EDITABLE_RECORD_FIELDS)
    if unknown:
        raise ValidationError(_("編集できない項目が含まれています: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if next_steps is not None and next_steps != record.initiative.next_steps:
        _save_initiative(record.initiative, {"next_steps": next_steps}, expected_initiative_version, reason, by)
    for field, value in data.items():
        setattr(record, field, value)
    record.workflow_state = WorkflowState.DRAFT
    record.full_clean()
    _bump_version(record, expected_version)
    _record_history(record, by=by, reason=reason or _("編集"))
    record.save()
    return record


def _save_initiative(initiative: Initiative, data: dict, expected_version: int | None, reason: str | None, by) -> None:
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    _check_version(initiative, expected_version)
    for field, value in data.items():
        setattr(initiative, field, value)
    initiative.full_clean()
    _bump_version(initiative, expected_version)
    _record_history(initiative, by=by, reason=reason or _("編集"))
    initiative.save()


@transaction.atomic
def initiative_update(
    *, initiative: Initiative, by, data: dict, expected_version: int | None = None, reason: str | None = None
) -> Initiative:
    """Save an edit of the initiative itself. Editors may change only 今後の予定; structure is the reviewer's."""
    roles.ensure_can_edit(by, initiative)
    if not roles.is_reviewer(by) and set(data) - {"next_steps"}:
        raise PermissionDenied(_("部局の担当者が編集できるのは「今後の予定」と年度の計画・実績です。"))
    cycle = open_cycle_of(initiative.program)
    record = initiative.years.filter(fiscal_year=cycle.fiscal_year).first() if cycle else None
    if record and record.workflow_state == WorkflowState.SUBMITTED and "next_steps" in data:
        raise WorkflowError(_("提出済みで審査中のため編集できません。差し戻されてから編集してください。"))
    _save_initiative(initiative, data, expected_version, reason, by)
    if record and "next_steps" in data and record.workflow_state != WorkflowState.DRAFT:
        _set_state(record, WorkflowState.DRAFT, by=by, reason=_("今後の予定の編集により下書きに戻りました"))
    return Initiative.objects.get(pk=initiative.pk)


# --- workflow -----------------------------------------------------------------


def _require_state(record: YearlyRecord, allowed: set[str], action: str) -> None:
    if record.workflow_state not in allowed:
        raise WorkflowError(
            _("「%(state)s」の状態からは%(action)sできません。")
            % {"state": record.get_workflow_state_display(), "action": action}
        )


@transaction.atomic
def record_submit(*, record: YearlyRecord, by) -> YearlyRecord:
    record = _locked(record)
    ensure_record_editable(record=record, by=by)
    _require_state(record, {WorkflowState.NOT_STARTED, WorkflowState.DRAFT, WorkflowState.RETURNED}, _("提出"))
    record.full_clean()
    if any(d.status in Status.needing_reason() for d in record.department_statuses.all()) and not record.delay_reason.strip():
        raise ValidationError({"delay_reason": _("遅れ又は実施不可の部局があるときは、理由を入力してください。")})
    _set_state(record, WorkflowState.SUBMITTED, by=by, reason=_("提出"))
    return record


@transaction.atomic
def record_return(*, record: YearlyRecord, by, comment: str) -> YearlyRecord:
    roles.ensure_reviewer(by)
    record = _locked(record)
    _require_state(record, {WorkflowState.SUBMITTED}, _("差戻し"))
    if not comment.strip():
        raise ValidationError({"review_comment": _("差し戻すときは、直してほしい点をコメントに書いてください。")})
    _set_state(record, WorkflowState.RETURNED, by=by, reason=_("差戻し: %(comment)s") % {"comment": comment.strip()[:80]}, comment=comment.strip())
    return record


@transaction.atomic
def record_approve(*, record: YearlyRecord, by) -> YearlyRecord:
    roles.ensure_reviewer(by)
    record = _locked(record)
    _require_state(record, {WorkflowState.SUBMITTED}, _("承認"))
    _set_state(record, WorkflowState.APPROVED, by=by, reason=_("承認"), comment="")
    return record


@transaction.atomic
def record_publish(*, record: YearlyRecord, by) -> PublishedVersion:
    """Make the approved record (and its initiative as it stands) what citizens see."""
    roles.ensure_reviewer(by)
    record = _locked(record)
    _require_state(record, {WorkflowState.APPROVED}, _("公開"))
    cycle = _cycle_of_record(record)
    if cycle is None:
        raise WorkflowError(_("この年度の報告期がありません。"))
    initiative = Initiative.objects.with_structure().with_years().get(pk=record.initiative_id)
    data = export_initiative(initiative, cycle.fiscal_year)
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
        status=data["status"],
        secured_amount_thousand_yen=data["secured_amount_thousand_yen"],
        search_text="\n".join(
            [initiative.name, initiative.next_steps, *(f"{y['plan']}\n{y['result']}" for y in data["years"])]
        ),
    )
    version.departments.set([r.department for r in initiative.responsibilities.all()])
    _set_state(record, WorkflowState.PUBLISHED, by=by, reason=_("公開"))
    transaction.on_commit(lambda: published.send(sender=PublishedVersion, version=version))
    return version


# --- reporting cycles -----------------------------------------------------------


@transaction.atomic
def cycle_open(*, program, fiscal_year: int, by, label: str = "", deadline=None) -> ReportingCycle:
    """Open a reporting cycle and create each initiative's record for its year, carrying the schedule forward."""
    roles.ensure_reviewer(by)
    if open_cycle_of(program):
        raise WorkflowError(_("受付中の報告期があります。先に締め切ってください。"))
    cycle = ReportingCycle(
        program=program, fiscal_year=fiscal_year, label=label or ReportingCycle.default_label(fiscal_year), deadline=deadline
    )
    cycle.full_clean()
    cycle.save()
    for initiative in Initiative.objects.for_program(program).prefetch_related("years"):
        years = {y.fiscal_year: y for y in initiative.years.all()}
        if fiscal_year in years:
            continue
        previous = max((y for y in years.values() if y.fiscal_year < fiscal_year), key=lambda y: y.fiscal_year, default=None)
        status = previous.status if previous and previous.status not in Status.needing_reason() else Status.ON_SCHEDULE
        record = YearlyRecord(
            initiative=initiative,
            fiscal_year=fiscal_year,
            schedule_step=previous.schedule_step if previous else "",
            status=status,
        )
        record.full_clean()
        _record_history(record, by=by, reason=_("報告期「%(label)s」の開始により作成") % {"label": cycle.label})
        record.save()
    YearlyRecord.objects.filter(initiative__program=program, fiscal_year=fiscal_year).exclude(
        workflow_state=WorkflowState.PUBLISHED
    ).update(workflow_state=WorkflowState.NOT_STARTED)
    return cycle


@transaction.atomic
def cycle_close(*, cycle: ReportingCycle, by) -> ReportingCycle:
    """Close the cycle: its records can no longer be edited; what was published in it stays as the archive."""
    roles.ensure_reviewer(by)
    cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_open:
        raise WorkflowError(_("この報告期は既に締め切られています。"))
    cycle.state = CycleState.CLOSED
    cycle.closed_at = timezone.now()
    cycle.save(update_fields=["state", "closed_at"])
    return cycle


@transaction.atomic
def cycle_publish_all(*, cycle: ReportingCycle, by) -> int:
    """Approve and publish every record of the cycle as it stands (used to publish an imported report)."""
    roles.ensure_reviewer(by)
    count = 0
    records = YearlyRecord.objects.filter(initiative__program=cycle.program, fiscal_year=cycle.fiscal_year)
    for record in records.exclude(workflow_state=WorkflowState.PUBLISHED).order_by("initiative__number"):
        if record.workflow_state in {WorkflowState.NOT_STARTED, WorkflowState.DRAFT, WorkflowState.RETURNED}:
            record = record_submit(record=record, by=by)
        if record.workflow_state == WorkflowState.SUBMITTED:
            record = record_approve(record=record, by=by)
        record_publish(record=record, by=by)
        count += 1
    return count
