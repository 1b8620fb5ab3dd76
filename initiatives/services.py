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

from finance import services as ledger_services
from programs import eras
from programs.text import search_form, strip_illegal_xml
from programs.models import CycleState, ReportingCycle
from reformtracker.tasks import runs_in_background
from reformtracker.transactions import on_commit_once

from . import roles
from .models import Initiative, PublishedVersion, ScheduleStep, WorkflowState, YearlyRecord
from .opendata import publication_document
from .signals import cycle_opened, cycle_published, cycle_released, record_returned

EDITABLE_RECORD_FIELDS = ["plan", "result", "status", "delay_reason", "secured_amount_thousand_yen", "secured_amount_note"]
EDITABLE_CYCLE_FIELDS = ["label", "deadline", "introduction", "as_of", "ledger_label"]


class ConcurrentEditError(ValidationError):
    """Someone else saved the object after it was loaded; carries what they changed."""

    def __init__(self, message, changes):
        super().__init__(message, code="concurrent_edit")
        self.changes = changes


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


def _clean_texts(data: dict) -> dict:
    """Texts lose the characters XML cannot carry (a vertical tab pasted from Word breaks the workbooks)."""
    return {field: strip_illegal_xml(value) if isinstance(value, str) else value for field, value in data.items()}


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
    return YearlyRecord.objects.select_for_update(of=("self",)).select_related("initiative__program", "cycle").get(pk=record.pk)


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
        own = next((y for y in version.data.get("years", []) if y["fiscal_year"] == version.cycle.fiscal_year), None)
        if own is not None:
            years.append(own)
    return years


# --- reporting cycles -----------------------------------------------------------


def _draft_introduction(program, label: str) -> str:
    """The previous cycle's introduction with its name replaced by the new one (staff edit it before release)."""
    previous = ReportingCycle.objects.for_program(program).exclude(introduction="").order_by("-fiscal_year").first()
    if previous is None:
        return program.introduction
    text = previous.introduction
    for old, new in [(previous.label, label), (_wide_digits(previous.label), _wide_digits(label))]:
        text = text.replace(old, new)
    return text


def _wide_digits(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def cycle_open_refusal(*, program, fiscal_year: int) -> str | None:
    """Why a cycle for `fiscal_year` cannot be opened now (a message), or None: one open cycle at a time,
    and each cycle reports a later year than the newest one (the admin's form shows the same message)."""
    if ReportingCycle.objects.current(program):
        return _("受付中の報告期があります。先に締め切ってください。")
    newest = ReportingCycle.objects.for_program(program).order_by("-fiscal_year").first()
    if newest and newest.fiscal_year >= fiscal_year:
        return _("報告期「%(label)s」（%(year)s）があるため、それ以前の年度の報告期は開けません。") % {
            "label": newest.label, "year": newest.fiscal_year_label
        }
    return None


@transaction.atomic
def cycle_open(
    *, program, fiscal_year: int, by, label: str = "", deadline=None, introduction: str | None = None, as_of=None
) -> ReportingCycle:
    """Open the next reporting cycle and give each initiative its record for the year.

    A record the program already holds for that year (the city's own report, imported)
    joins the cycle as it is. A new record starts 未報告 with nothing assumed: the plan is
    pre-filled from the year's 作業工程 step, marked as pre-filled, and where the schedule
    plans nothing for the year the department is offered 実施年度未到来 to confirm.
    """
    roles.ensure_reviewer(by, program)
    refusal = cycle_open_refusal(program=program, fiscal_year=fiscal_year)
    if refusal:
        raise WorkflowError(refusal)
    label = label or ReportingCycle.default_label(fiscal_year)
    cycle = ReportingCycle(
        program=program,
        fiscal_year=fiscal_year,
        label=label,
        deadline=deadline,
        introduction=_draft_introduction(program, label) if introduction is None else introduction,
        as_of=as_of,
    )
    cycle.full_clean()
    cycle.save()
    ledger_services.ledger_statement_open(program=program, budget_fiscal_year=cycle.budget_fiscal_year)
    steps = dict(
        ScheduleStep.objects.filter(initiative__program=program, fiscal_year=fiscal_year).values_list("initiative_id", "step")
    )
    existing = YearlyRecord.objects.filter(initiative__program=program, fiscal_year=fiscal_year)
    existing.update(cycle=cycle, workflow_state=WorkflowState.NOT_STARTED)
    have = set(existing.values_list("initiative_id", flat=True))
    reason = _("報告期「%(label)s」の開始により作成") % {"label": cycle.label}
    for initiative in Initiative.objects.for_program(program).exclude(pk__in=have):
        step = steps.get(initiative.pk, "")
        record = YearlyRecord(
            initiative=initiative, cycle=cycle, fiscal_year=fiscal_year, plan=step, plan_prefilled=bool(step)
        )
        record.full_clean()
        _record_history(record, by=by, reason=reason)
        record.save()
    transaction.on_commit(lambda: cycle_opened.send(sender=ReportingCycle, cycle=cycle))
    return cycle


@transaction.atomic
def cycle_update(*, cycle: ReportingCycle, by, data: dict) -> ReportingCycle:
    """Edit a cycle's name, deadline and report texts; a released cycle's texts are final."""
    roles.ensure_reviewer(by, cycle.program)
    cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
    unknown = set(data) - set(EDITABLE_CYCLE_FIELDS)
    if unknown:
        raise ValidationError(_("編集できない項目が含まれています: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if cycle.is_released and any(getattr(cycle, f) != v for f, v in data.items()):
        raise WorkflowError(_("報告期「%(label)s」は公表済みのため変更できません。") % {"label": cycle.label})
    for field, value in _clean_texts(data).items():
        setattr(cycle, field, value)
    cycle.full_clean()
    cycle.save()
    return cycle


@transaction.atomic
def cycle_close(*, cycle: ReportingCycle, by) -> ReportingCycle:
    """Close the cycle: its records can no longer be edited or published; drafts left in it stay private."""
    roles.ensure_reviewer(by, cycle.program)
    cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_open:
        raise WorkflowError(_("報告期「%(label)s」は既に締め切られています。") % {"label": cycle.label})
    cycle.state = CycleState.CLOSED
    cycle.closed_at = timezone.now()
    cycle.save(update_fields=["state", "closed_at"])
    return cycle


@transaction.atomic
def cycle_reopen(*, cycle: ReportingCycle, by) -> ReportingCycle:
    """Open a closed cycle again (e.g. to publish a late approval): only the newest cycle, before its release,
    and only while no other cycle is open."""
    roles.ensure_reviewer(by, cycle.program)
    cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.is_open:
        raise WorkflowError(_("報告期「%(label)s」は受付中です。") % {"label": cycle.label})
    if cycle.is_released:
        raise WorkflowError(_("報告期「%(label)s」は公表済みのため再開できません。") % {"label": cycle.label})
    if ReportingCycle.objects.for_program(cycle.program).filter(fiscal_year__gt=cycle.fiscal_year).exists():
        raise WorkflowError(
            _("報告期「%(label)s」より新しい報告期があるため再開できません。") % {"label": cycle.label}
        )
    if ReportingCycle.objects.current(cycle.program):
        raise WorkflowError(_("受付中の報告期があります。先に締め切ってください。"))
    cycle.state = CycleState.OPEN
    cycle.closed_at = None
    cycle.save(update_fields=["state", "closed_at"])
    return cycle


def release_problems(cycle: ReportingCycle) -> list[str]:
    """Why the cycle cannot be released now (empty when it can)."""
    problems = []
    if cycle.is_released:
        return [_("報告期「%(label)s」は既に公表済みです。") % {"label": cycle.label}]
    if cycle.is_open:
        problems.append(_("報告期「%(label)s」を先に締め切ってください。") % {"label": cycle.label})
    missing = list(
        Initiative.objects.for_program(cycle.program)
        .exclude(publications__cycle=cycle)
        .order_by("number")
        .values_list("number", flat=True)
    )
    if missing:
        problems.append(
            _("この報告期で公開されていない取組があります（管理番号 %(numbers)s）。すべての取組を公開してから公表してください。")
            % {"numbers": "、".join(str(n) for n in missing)}
        )
    if not cycle.introduction.strip() and cycle.program.introduction.strip():
        # (a program whose document has no preface, such as the strategy's list, is released without one)
        problems.append(_("報告書の前文を入力してください。"))
    ledger = ledger_services.release_problem(cycle)
    if ledger:
        problems.append(ledger)
    newer = ReportingCycle.objects.released().filter(program=cycle.program, fiscal_year__gt=cycle.fiscal_year)
    if newer.exists():
        problems.append(_("より新しい報告期が公表済みです。"))
    return problems


@transaction.atomic
def cycle_release(*, cycle: ReportingCycle, by, released_on=None) -> ReportingCycle:
    """Release (公表) a closed cycle whose initiatives are all published: it becomes the report citizens read."""
    roles.ensure_reviewer(by, cycle.program)
    cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
    problems = release_problems(cycle)
    if problems:
        raise WorkflowError(problems)
    cycle.state = CycleState.RELEASED
    cycle.released_on = released_on or timezone.localdate()
    cycle.released_at = timezone.now()
    # public once its reports are built by the worker (reports/builds.py); without a worker, at once (or on its date)
    cycle.public_at = None if runs_in_background() else cycle.public_from()
    if cycle.as_of is None:
        cycle.as_of = cycle.released_on
    cycle.full_clean()
    cycle.save()
    transaction.on_commit(lambda: cycle_released.send(sender=ReportingCycle, cycle=cycle))
    return cycle


@transaction.atomic
def cycle_publish_all(*, cycle: ReportingCycle, by) -> int:
    """Submit, approve and publish every record of the open cycle as it stands (used to publish an imported report)."""
    roles.ensure_reviewer(by, cycle.program)
    count = 0
    records = YearlyRecord.objects.of_cycle(cycle).select_related("cycle")
    for record in records.exclude(workflow_state=WorkflowState.PUBLISHED).order_by("initiative__number"):
        if record.workflow_state in WorkflowState.awaiting_department():
            record = record_submit(record=record, by=by)
        if record.workflow_state == WorkflowState.SUBMITTED:
            record = record_approve(record=record, by=by)
        record_publish(record=record, by=by)
        count += 1
    return count


@transaction.atomic
def cycle_release_imported(*, program, by, fiscal_year: int | None = None) -> ReportingCycle:
    """Enter a report the city already published on paper (an imported program) as a released cycle.

    Opens the cycle of the program's reported year under the program's own label, texts
    and date (令和7年度当初, 2025-04-01), publishes every record as imported, closes the
    cycle and releases it as of that date."""
    cycle = cycle_open(
        program=program,
        fiscal_year=fiscal_year or eras.fiscal_year_of(program.as_of) - 1,  # 令和7年度当初 reports FY2024
        by=by,
        label=program.as_of_label,
        introduction=program.introduction,
        as_of=program.as_of,
    )
    cycle_publish_all(cycle=cycle, by=by)
    cycle_close(cycle=cycle, by=by)
    return cycle_release(cycle=cycle, by=by, released_on=program.as_of)
