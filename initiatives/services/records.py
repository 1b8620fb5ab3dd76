"""Editing a yearly record and its initiative, and the review workflow: submit, return, approve.

Only the records of an open cycle change; a record under review waits for the reviewer.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import roles
from programs.models import CycleState, ReportingCycle
from programs.text import strip_illegal_xml

from ..models import Initiative, WorkflowState, YearlyRecord
from ..signals import record_returned
from .versioning import _bump_version, _check_version, _clean_texts, _record_history

EDITABLE_RECORD_FIELDS = ["plan", "result", "status", "delay_reason", "secured_amount_thousand_yen", "secured_amount_note"]


class WorkflowError(ValidationError):
    pass


# --- helpers ------------------------------------------------------------------


def ensure_cycle_open(record: YearlyRecord, action: str) -> None:
    """Only the records of an open cycle change; a closed cycle is frozen, a released one final."""
    cycle = record.cycle
    if cycle is None:
        raise WorkflowError(_("この年度の報告期がないため%(action)sできません。") % {"action": action})
    if cycle.is_released:
        raise WorkflowError(
            _("報告期「%(label)s」は公表済みのため%(action)sできません。公表した報告は変更できません。")
            % {"label": cycle.label, "action": action}
        )
    if not cycle.is_open:
        raise WorkflowError(
            _("報告期「%(label)s」は締め切られているため%(action)sできません。必要なら行政改革課が報告期を再開してください。")
            % {"label": cycle.label, "action": action}
        )


def edit_refusal(*, record: YearlyRecord, by) -> str | None:
    """Why `by` cannot edit the record now (a message), or None when they can."""
    try:
        ensure_record_editable(record=record, by=by)
    except (WorkflowError, PermissionDenied) as error:
        return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    return None


def ensure_record_editable(*, record: YearlyRecord, by) -> None:
    """Only the open cycle's record may be edited, and not while it is under review or once published."""
    roles.ensure_can_edit(by, record.initiative)
    ensure_cycle_open(record, _("編集"))
    if record.workflow_state == WorkflowState.SUBMITTED:
        raise WorkflowError(_("提出済みで審査中のため編集できません。差し戻されてから編集してください。"))


def allowed_actions(*, record: YearlyRecord, by) -> set[str]:
    """The workflow buttons `by` may press on the record now: submit, return, approve, publish."""
    if record.cycle is None or not record.cycle.is_open:
        return set()
    actions = set()
    state = record.workflow_state
    if state in WorkflowState.awaiting_department() | {WorkflowState.PUBLISHED} and roles.can_edit(by, record.initiative):
        if state != WorkflowState.PUBLISHED:
            actions.add("submit")
    if roles.reviews(by, record.initiative.program):
        if state == WorkflowState.SUBMITTED:
            actions |= {"return", "approve"}
        if state == WorkflowState.APPROVED:
            actions.add("publish")
    return actions


def _set_state(record: YearlyRecord, state: str, *, by, reason: str, comment: str | None = None) -> None:
    record.workflow_state = state
    if comment is not None:
        record.review_comment = comment
    _record_history(record, by=by, reason=reason)
    record.save(update_fields=["workflow_state", "review_comment"])



# --- editing ------------------------------------------------------------------


def _locked(record: YearlyRecord) -> YearlyRecord:
    """The record, locked, with its cycle as committed now (read after the lock: a close or release that
    held the record's lock is seen)."""
    record = YearlyRecord.objects.select_for_update(of=("self",)).select_related("initiative__program").get(pk=record.pk)
    if record.cycle_id is not None:
        record.cycle = ReportingCycle.objects.select_related("program").get(pk=record.cycle_id)
    return record


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
    data = _clean_texts(data)
    if next_steps is not None:
        next_steps = strip_illegal_xml(next_steps)
    if next_steps is not None and next_steps != record.initiative.next_steps:
        _save_initiative(record.initiative, {"next_steps": next_steps}, expected_initiative_version, reason, by)
    for field, value in data.items():
        setattr(record, field, value)
    record.workflow_state = WorkflowState.DRAFT
    record.plan_prefilled = False  # the department has seen the plan and saved it
    record.full_clean()
    _bump_version(record, expected_version)
    _record_history(record, by=by, reason=reason or _("編集"))
    record.save()
    return record


def _save_initiative(initiative: Initiative, data: dict, expected_version: int | None, reason: str | None, by) -> None:
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    _check_version(initiative, expected_version)
    for field, value in _clean_texts(data).items():
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
    if not roles.reviews(by, initiative.program) and set(data) - {"next_steps"}:
        raise PermissionDenied(_("部局の担当者が編集できるのは「今後の予定」と年度の計画・実績です。"))
    record = initiative.years.current().first()
    if record and record.workflow_state == WorkflowState.SUBMITTED and "next_steps" in data:
        raise WorkflowError(_("提出済みで審査中のため編集できません。差し戻されてから編集してください。"))
    _save_initiative(initiative, data, expected_version, reason, by)
    if record and "next_steps" in data and record.workflow_state != WorkflowState.DRAFT:
        _set_state(record, WorkflowState.DRAFT, by=by, reason=_("今後の予定の編集により下書きに戻りました"))
    return Initiative.objects.get(pk=initiative.pk)


@transaction.atomic
def initiative_create(*, initiative: Initiative, by, reason: str | None = None) -> Initiative:
    """Add an initiative (an unsaved one, with its program, pillar, number and texts) to its program.

    It gets its record in each cycle of the program not yet released (the open one and a closed one
    waiting for its release), so that every such cycle can still be released: the release needs a
    publication of every initiative."""
    roles.ensure_reviewer(by, initiative.program)
    for field, value in _clean_texts({f: getattr(initiative, f) for f in ("name", "background", "next_steps", "goal")}).items():
        setattr(initiative, field, value)
    initiative.full_clean()
    _record_history(initiative, by=by, reason=reason or _("追加"))
    initiative.save()
    for cycle in ReportingCycle.objects.for_program(initiative.program).exclude(state=CycleState.RELEASED):
        record = YearlyRecord(initiative=initiative, cycle=cycle, fiscal_year=cycle.fiscal_year)  # 未報告, nothing assumed
        record.full_clean()
        _record_history(record, by=by, reason=_("取組の追加により報告期「%(label)s」に作成") % {"label": cycle.label})
        record.save()
    return initiative


@transaction.atomic
def initiative_withdraw(*, initiative: Initiative, by, fiscal_year: int, reason: str) -> Initiative:
    """Withdraw an initiative from `fiscal_year` on (取組の終了・廃止), instead of deleting it.

    What was published about it stays as published. It is no longer reported in the cycles of that year
    and later: its records of those years (never published: a year it was published in cannot be
    withdrawn) go, and the release of those cycles no longer waits for it."""
    roles.ensure_reviewer(by, initiative.program)
    initiative = Initiative.objects.select_for_update().select_related("program").get(pk=initiative.pk)
    reason = strip_illegal_xml(reason).strip()
    if not reason:
        raise ValidationError({"withdrawal_reason": _("取組を終了する理由を入力してください。")})
    initiative.program.validate_fiscal_year(fiscal_year)
    published = initiative.publications.filter(cycle__fiscal_year__gte=fiscal_year).select_related("cycle").first()
    if published is not None:
        raise WorkflowError(
            _("報告期「%(label)s」でこの取組を公開済みです。その翌年度以降から終了してください。") % {"label": published.cycle.label}
        )
    pending = YearlyRecord.objects.filter(initiative=initiative, fiscal_year__gte=fiscal_year)
    if pending.filter(workflow_state__in=[WorkflowState.SUBMITTED, WorkflowState.APPROVED]).exists():
        raise WorkflowError(_("審査中または承認済みの記録があります。差し戻してから終了してください。"))
    initiative.withdrawn_from, initiative.withdrawal_reason = fiscal_year, reason
    initiative.full_clean()
    _record_history(initiative, by=by, reason=_("取組の終了: %(reason)s") % {"reason": reason[:80]})
    initiative.save(update_fields=["withdrawn_from", "withdrawal_reason"])
    pending.delete()  # never published (checked above), so never public
    return initiative


@transaction.atomic
def department_statuses_save(*, record: YearlyRecord, by, formset) -> None:
    """Save the split statuses (one per department) edited with the record: only where the record may be
    edited, as a change of the record (a draft again)."""
    record = _locked(record)
    ensure_record_editable(record=record, by=by)
    formset.save()  # (also when nothing changed: the admin's change message reads what it saved)
    if formset.has_changed() and record.workflow_state != WorkflowState.DRAFT:
        _set_state(record, WorkflowState.DRAFT, by=by, reason=_("部局ごとの進行状況の編集"))


# --- workflow -----------------------------------------------------------------


def _require_state(record: YearlyRecord, allowed: set[str], action: str) -> None:
    if record.workflow_state not in allowed:
        raise WorkflowError(
            _("「%(state)s」の状態からは%(action)sできません。")
            % {"state": record.get_workflow_state_display(), "action": action}
        )


@transaction.atomic
def record_submit(*, record: YearlyRecord, by) -> YearlyRecord:
    """Send the record for review; 計画, 実績 and 進行状況 must be filled in by the department."""
    record = _locked(record)
    ensure_record_editable(record=record, by=by)
    _require_state(record, WorkflowState.awaiting_department(), _("提出"))
    record.full_clean()
    errors = record.submission_errors()
    if errors:
        raise ValidationError(errors)
    _set_state(record, WorkflowState.SUBMITTED, by=by, reason=_("提出"))
    return record


@transaction.atomic
def record_return(*, record: YearlyRecord, by, comment: str) -> YearlyRecord:
    roles.ensure_reviewer(by, record.initiative.program)
    record = _locked(record)
    ensure_cycle_open(record, _("差戻し"))
    _require_state(record, {WorkflowState.SUBMITTED}, _("差戻し"))
    comment = strip_illegal_xml(comment)
    if not comment.strip():
        raise ValidationError({"review_comment": _("差し戻すときは、直してほしい点をコメントに書いてください。")})
    _set_state(record, WorkflowState.RETURNED, by=by, reason=_("差戻し: %(comment)s") % {"comment": comment.strip()[:80]}, comment=comment.strip())
    transaction.on_commit(lambda: record_returned.send(sender=YearlyRecord, record=record, by=by, comment=comment.strip()))
    return record


@transaction.atomic
def record_approve(*, record: YearlyRecord, by) -> YearlyRecord:
    roles.ensure_reviewer(by, record.initiative.program)
    record = _locked(record)
    ensure_cycle_open(record, _("承認"))
    _require_state(record, {WorkflowState.SUBMITTED}, _("承認"))
    _set_state(record, WorkflowState.APPROVED, by=by, reason=_("承認"), comment="")
    return record

