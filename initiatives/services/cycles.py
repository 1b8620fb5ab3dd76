"""Reporting cycles: open, edit, close, reopen and release (公表) a year's round of reporting."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from core.tasks import runs_in_background
from finance import services as ledger_services
from programs import eras
from programs.frames import frame_document
from programs.models import CycleState, ReportingCycle

from ..models import Initiative, ScheduleStep, WorkflowState, YearlyRecord
from ..signals import cycle_opened, cycle_released
from .publication import record_publish
from .records import WorkflowError, record_approve, record_submit
from .versioning import _clean_texts, _record_history

EDITABLE_CYCLE_FIELDS = ["label", "deadline", "introduction", "as_of", "ledger_label"]


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
    each cycle reports a later year than the newest one, and the next cycle opens only once every earlier
    one is released (so that a closed cycle can always be reopened and finished; the admin's form shows
    the same message)."""
    if ReportingCycle.objects.current(program):
        return _("受付中の報告期があります。先に締め切ってください。")
    newest = ReportingCycle.objects.for_program(program).order_by("-fiscal_year").first()
    if newest and newest.fiscal_year >= fiscal_year:
        return _("報告期「%(label)s」（%(year)s）があるため、それ以前の年度の報告期は開けません。") % {
            "label": newest.label, "year": newest.fiscal_year_label
        }
    unreleased = ReportingCycle.objects.for_program(program).exclude(state=CycleState.RELEASED).order_by("fiscal_year").first()
    if unreleased:
        return _("報告期「%(label)s」がまだ公表されていません。公表してから次の報告期を開いてください。") % {
            "label": unreleased.label
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
    for initiative in Initiative.objects.for_program(program).reporting_in(fiscal_year).exclude(pk__in=have):
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


def work_in_review(cycle: ReportingCycle):
    """The cycle's records that wait for the reform office: submitted (審査中) or approved but not published."""
    return (
        YearlyRecord.objects.of_cycle(cycle)
        .filter(workflow_state__in=[WorkflowState.SUBMITTED, WorkflowState.APPROVED])
        .select_related("initiative")
        .order_by("initiative__pillar__order", "initiative__number")
    )


def unpublished_initiatives(cycle: ReportingCycle):
    """The program's initiatives with no publication in the cycle (the release needs one of each)."""
    return (
        Initiative.objects.for_program(cycle.program)
        .reporting_in(cycle.fiscal_year)
        .exclude(publications__cycle=cycle)
        .order_by("pillar__order", "number")
    )


def close_refusal(cycle: ReportingCycle) -> str | None:
    """Why the cycle cannot be closed now (a message naming the records), or None.

    A cycle is closed only when no record waits for the reform office: a submitted or approved
    record left in a closed cycle could be neither edited nor published."""
    waiting = list(work_in_review(cycle))
    if not waiting:
        return None
    return _(
        "審査中または承認済みで未公開の記録があるため締め切れません（%(records)s）。"
        "承認して公開するか差し戻してから締め切ってください。"
    ) % {"records": "、".join(f"{record.initiative}（{record.get_workflow_state_display()}）"
                               for record in waiting)}


@transaction.atomic
def cycle_close(*, cycle: ReportingCycle, by) -> ReportingCycle:
    """Close the cycle: its records can no longer be edited or published; drafts left in it stay private
    (an initiative published earlier in the cycle keeps that publication). Refused while records wait for review."""
    roles.ensure_reviewer(by, cycle.program)
    cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_open:
        raise WorkflowError(_("報告期「%(label)s」は既に締め切られています。") % {"label": cycle.label})
    list(YearlyRecord.objects.select_for_update().filter(cycle=cycle).values_list("pk", flat=True))  # no submission slips in
    refusal = close_refusal(cycle)
    if refusal:
        raise WorkflowError(refusal)
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
    missing = list(unpublished_initiatives(cycle).order_by("number").values_list("number", flat=True))
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
    """Release (公表) a closed cycle whose initiatives are all published: it becomes the report citizens read.

    Everything the release makes final is locked first, in one transaction (the cycle, its ledger
    statement, its records), so that 財政課 cannot reopen the figures while the release commits;
    the program's frame and the ledger's categories are kept with it as the report prints them."""
    roles.ensure_reviewer(by, cycle.program)
    cycle = ReportingCycle.objects.select_for_update().select_related("program").get(pk=cycle.pk)
    statement = ledger_services.statement_for_release(cycle)  # locked
    list(YearlyRecord.objects.select_for_update().filter(cycle=cycle).values_list("pk", flat=True))
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
    cycle.frame = frame_document(cycle.program)
    cycle.full_clean()
    cycle.save()
    if statement is not None:
        ledger_services.ledger_statement_keep(statement=statement)
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
