"""Each person's home page in the admin: what is theirs to do now.

- An editor sees, per program, the open cycle that holds their departments' records, with its
  deadline and the days left, those records grouped by where they stand (未報告 … 公開, a returned
  one with the reviewer's comment), and what others changed in them since their last visit, each
  event once, with its program.
- A reviewer sees, for the programs they review (roles.program_scope), the submissions waiting for review (oldest first), the departments that
  still owe records (how many, how late), what is approved but not published, each cycle's
  progress (n of 54 published, released or not), the annual reports being built or whose build
  failed, and the notifications that could not be sent.
- 財政課 (finance officer) sees the ledger figures of each report not yet released: whether they
  are entered and confirmed, the cycle's deadline, and the draft annual report to check.

Every list is read with a fixed number of queries, however many records there are.
"""
import datetime
from dataclasses import dataclass

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from accounts import roles
from finance.models import LedgerCategory, LedgerStatement
from initiatives.models import Initiative, PublishedVersion, Responsibility, WorkflowState, YearlyRecord
from programs.models import CycleState, Department, ReportingCycle
from reports.models import BuildState, ReportBuild

from .models import Notification, Preference

# The order of the workflow (未報告 → 公開), as an editor reads their records.
STATE_ORDER = [
    WorkflowState.NOT_STARTED, WorkflowState.DRAFT, WorkflowState.RETURNED,
    WorkflowState.SUBMITTED, WorkflowState.APPROVED, WorkflowState.PUBLISHED,
]
FIRST_VISIT_WINDOW = datetime.timedelta(days=7)
SESSION_KEY = "notifications.home_since"
CHANGES_SHOWN = 15
FAILURES_SHOWN = 10
BUILDS_SHOWN = 10


@dataclass
class Deadline:
    cycle: ReportingCycle
    days_left: int | None  # None without a deadline; negative once it has passed

    @property
    def days_late(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def deadline_of(cycle: ReportingCycle, today: datetime.date) -> Deadline:
    return Deadline(cycle, (cycle.deadline - today).days if cycle.deadline else None)


def visit_since(request) -> datetime.datetime:
    """When the person last looked at their home page before this visit (kept for the whole session), so that
    "what changed since your last visit" survives reloading the page; a week back on a first visit."""
    now = timezone.now()
    since = request.session.get(SESSION_KEY)
    if since is None:
        preference, _created = Preference.objects.get_or_create(user=request.user)
        seen = preference.home_seen_at or now - FIRST_VISIT_WINDOW
        Preference.objects.filter(pk=preference.pk).update(home_seen_at=now)
        since = seen.isoformat()
        request.session[SESSION_KEY] = since
    return datetime.datetime.fromisoformat(since)


# --- the editor -----------------------------------------------------------------------------


def editor_home(user, *, since: datetime.datetime, today: datetime.date) -> dict:
    """The editor's open records, per program: the cycle that holds them (with its deadline), counted and grouped by
    where they stand. A program whose open cycle holds none of their records is not shown."""
    department_ids = roles.department_ids(user)
    records = list(
        YearlyRecord.objects.current()
        .filter(initiative__in=Responsibility.objects.filter(department__in=department_ids).values("initiative"))
        .select_related("initiative", "cycle__program")
        .order_by("cycle__program_id", "initiative__number")
    )
    labels = dict(WorkflowState.choices)
    programs = []
    for cycle in dict.fromkeys(r.cycle for r in records):
        theirs = [r for r in records if r.cycle_id == cycle.pk]
        programs.append({
            "program": cycle.program,
            "cycle": cycle,
            "deadline": deadline_of(cycle, today),
            "records": theirs,
            "groups": [
                {"state": state, "label": labels[state], "records": [r for r in theirs if r.workflow_state == state]}
                for state in STATE_ORDER
            ],
            "owed": sum(1 for r in theirs if r.workflow_state in WorkflowState.awaiting_department()),
        })
    return {
        "departments": list(Department.objects.filter(pk__in=department_ids)),
        "programs": programs,
        "deadlines": [p["deadline"] for p in programs],
        "records": records,
        "owed": sum(p["owed"] for p in programs),
        "since": since,
        "changes": changes_since(user, department_ids, since),
    }


def changes_since(user, department_ids, since: datetime.datetime) -> list[dict]:
    """What others did to the departments' records of the open cycles since `since` (history: who, what, when), newest
    first, each with its program; and the cycles holding the departments' records that were opened or released
    meanwhile, once each (a report imported whole is opened and released at once: its release). The records a new
    cycle creates are one event, not 54."""
    theirs = Responsibility.objects.filter(department__in=department_ids).values("initiative_id")
    rows = (
        YearlyRecord.history.filter(
            history_date__gt=since,
            cycle__state=CycleState.OPEN,  # the work under way, not a released report's history
            initiative_id__in=theirs,
        )
        .exclude(history_type="+")
        .exclude(history_user=user)
        .select_related("initiative__program", "history_user")
        .order_by("-history_date")[:CHANGES_SHOWN]
    )
    events = [
        {
            "at": row.history_date,
            "program": row.initiative.program,
            "record_id": row.id,
            "initiative": row.initiative,
            "what": row.history_change_reason or row.get_workflow_state_display(),
            "state": row.workflow_state,
            "by": row.history_user,
        }
        for row in rows
    ]
    cycles = (
        ReportingCycle.objects.filter(Q(opened_at__gt=since) | Q(released_at__gt=since))
        .filter(Exists(YearlyRecord.objects.filter(cycle=OuterRef("pk"), initiative_id__in=theirs)))
        .select_related("program")
    )
    for cycle in cycles:
        if cycle.released_at and cycle.released_at > since:
            events.append({"at": cycle.released_at, "program": cycle.program, "cycle": cycle, "what": "released"})
        else:
            events.append({"at": cycle.opened_at, "program": cycle.program, "cycle": cycle, "what": "opened"})
    return sorted(events, key=lambda e: e["at"], reverse=True)[:CHANGES_SHOWN]


# --- the reviewer ---------------------------------------------------------------------------


def reviewer_home(user, *, today: datetime.date, notifications) -> dict:
    """`notifications`: the log of failed mail as the user may see it (the admin's scope, NotificationAdmin.scope)."""
    def scoped(queryset):
        return roles.in_program_scope(user, queryset)

    open_cycles = {c.pk: deadline_of(c, today) for c in scoped(ReportingCycle.objects.open().select_related("program"))}
    failed = notifications.failed()
    return {
        "deadlines": list(open_cycles.values()),
        "waiting": waiting_for_review(today, scoped(YearlyRecord.objects.current())),
        "behind": departments_behind(open_cycles),
        "approved": list(
            scoped(YearlyRecord.objects.current()).filter(workflow_state=WorkflowState.APPROVED)
            .select_related("initiative", "cycle__program").order_by("initiative__number")
        ),
        "progress": cycle_progress(scoped(ReportingCycle.objects.all())),
        "failures": list(failed.select_related("recipient", "cycle__program", "record__initiative")[:FAILURES_SHOWN]),
        "failure_count": failed.count(),
        "builds": list(
            scoped(ReportBuild.objects.exclude(state=BuildState.READY)).select_related("cycle__program")
            .order_by("-enqueued_at")[:BUILDS_SHOWN]
        ),
    }


def waiting_for_review(today: datetime.date, current=None) -> list[YearlyRecord]:
    """The open cycles' submitted records, oldest submission first, with when each came in."""
    submitted_at = (
        YearlyRecord.history.filter(id=OuterRef("pk"), workflow_state=WorkflowState.SUBMITTED)
        .order_by("-history_date").values("history_date")[:1]
    )
    records = list(
        (YearlyRecord.objects.current() if current is None else current).filter(workflow_state=WorkflowState.SUBMITTED)
        .annotate(submitted_at=Subquery(submitted_at))
        .select_related("initiative", "cycle__program")
        .order_by("submitted_at", "initiative__number")
    )
    for record in records:
        record.waiting_days = (today - timezone.localdate(record.submitted_at)).days if record.submitted_at else None
    return records


def departments_behind(open_cycles: dict[int, Deadline]) -> list[dict]:
    """Per open cycle and department, how many records it has not submitted yet, how many editors it has
    (none: nobody is told), and how late it is."""
    rows = (
        YearlyRecord.objects.current().filter(workflow_state__in=WorkflowState.awaiting_department(), cycle__in=list(open_cycles))
        .values("cycle_id", "initiative__responsibilities__department")
        .annotate(owed=Count("pk", distinct=True))
    )
    owed = {(row["cycle_id"], row["initiative__responsibilities__department"]): row["owed"] for row in rows}
    departments = Department.objects.filter(pk__in={d for _c, d in owed}).annotate(
        editors=Count("members", filter=Q(members__is_active=True, members__is_staff=True), distinct=True)
    ).in_bulk()
    behind = [
        {"cycle": open_cycles[cycle_id].cycle, "deadline": open_cycles[cycle_id], "department": departments[department_id],
         "owed": count}
        for (cycle_id, department_id), count in owed.items()
        if department_id in departments
    ]
    return sorted(behind, key=lambda row: (-row["owed"], row["department"].order, row["department"].name))


def cycle_progress(cycles=None) -> list[dict]:
    """For each cycle not yet released and each program's latest released one (of `cycles`, every cycle by default):
    n of N published, released or not."""
    every = ReportingCycle.objects.all() if cycles is None else cycles
    latest = {}
    for cycle in every.filter(state=CycleState.RELEASED).select_related("program").order_by("-fiscal_year"):
        latest.setdefault(cycle.program_id, cycle)
    cycles = [*every.exclude(state=CycleState.RELEASED).select_related("program"), *latest.values()]
    cycles = sorted(cycles, key=lambda c: (c.program_id, -c.fiscal_year))
    published = dict(
        PublishedVersion.objects.filter(cycle__in=cycles, is_latest_in_cycle=True)
        .values_list("cycle").annotate(n=Count("pk"))
    )
    totals = dict(Initiative.objects.values_list("program").annotate(n=Count("pk")))
    return [
        {"cycle": c, "published": published.get(c.pk, 0), "total": totals.get(c.program_id, 0)}
        for c in cycles
    ]


def finance_home(*, today: datetime.date) -> dict:
    """財政課: per cycle not yet released (of a program with a ledger), its statement (none yet, 入力中 or 確定)
    with how many of the items have a figure, and the cycle's deadline."""
    items = dict(LedgerCategory.objects.values_list("program").annotate(n=Count("pk")))
    cycles = list(
        ReportingCycle.objects.exclude(state=CycleState.RELEASED).filter(program_id__in=items)
        .annotate(has_publications=Exists(PublishedVersion.objects.filter(cycle=OuterRef("pk"))))
        .select_related("program").order_by("program_id", "fiscal_year")
    )
    statements = {
        (s.program_id, s.budget_fiscal_year): s
        for s in LedgerStatement.objects.filter(program_id__in=items).annotate(
            items_entered=Count("entries__category", distinct=True)
        )
    }
    return {
        "ledgers": [
            {
                "cycle": cycle,
                "deadline": deadline_of(cycle, today),
                "statement": statements.get((cycle.program_id, cycle.budget_fiscal_year)),
                "items": items[cycle.program_id],
            }
            for cycle in cycles
        ]
    }


def home_context(request) -> dict:
    """The admin index's extra context: the person's home, by role (nothing for an administrator)."""
    user = request.user
    today = timezone.localdate()
    if roles.is_reviewer(user):
        notifications = admin.site.get_model_admin(Notification).get_queryset(request)
        return {"home_role": "reviewer", "home": reviewer_home(user, today=today, notifications=notifications)}
    if roles.is_editor(user):
        return {"home_role": "editor", "home": editor_home(user, since=visit_since(request), today=today)}
    if roles.is_finance(user):
        return {"home_role": "finance", "home": finance_home(today=today)}
    return {}
