"""Who is told what, by e-mail: each notification is created once and sent by a background task.

- the cycle opened: every department's editors, with the deadline (always arrives);
- a record returned: the editors of the record's departments, with the comment (always arrives);
- the day's submissions: one digest per reviewer, the morning after;
- 14, 7 and 1 days before the deadline: the editors of departments with records not yet
  submitted, listing those records; the day after the deadline: the same editors and the
  reviewers (overdue);
- the cycle released (公表): all staff.

Each mail goes to one person and holds only what that person may see: an editor's mail
lists their own departments' records, never another department's (nor who works there).
The signals of initiatives/ (sent once a transaction commits) call the first two and the
last; `manage.py send_reminders`, run every hour, calls `send_daily`. A notification's key
(kind, cycle or record or day, person) is unique, so running anything twice sends nothing twice.
"""
import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from accounts import roles
from initiatives.models import WorkflowState, YearlyRecord
from programs.models import Department, ReportingCycle, several_programs

from . import mail
from .models import Delivery, Kind, Notification, Preference
from .tasks import send_notification

REMINDER_DAYS = (14, 7, 1)
NO_ADDRESS = "メールアドレスが登録されていません（システム管理者が職員アカウントに登録してください）。"


# --- who -----------------------------------------------------------------------------


def staff():
    return get_user_model().objects.filter(is_active=True, is_staff=True)


def reviewers():
    return staff().filter(Q(is_superuser=True) | Q(groups__name=roles.REVIEWER)).distinct().order_by("pk")


def editors_of(department_ids: Iterable[int]) -> dict:
    """{user: [department, …]} for the active staff who are members of the given departments."""
    Membership = Department.members.through
    memberships = (
        Membership.objects.filter(department_id__in=set(department_ids), user__is_active=True, user__is_staff=True)
        .select_related("user", "department")
        .order_by("user_id", "department__order", "department__name")
    )
    editors = defaultdict(list)
    for membership in memberships:
        editors[membership.user].append(membership.department)
    return dict(editors)


def preferences_of(users) -> dict[int, Preference]:
    return {p.user_id: p for p in Preference.objects.filter(user__in=[u.pk for u in users])}


# --- creating and queueing -------------------------------------------------------------


def queue(*, key: str, kind: str, user, subject: str, context: dict, preferences: dict | None = None,
          cycle=None, record=None) -> Notification | None:
    """Create the notification `key` for `user` and hand it to the worker. None when it exists already
    or the person switched this kind off. A person without an e-mail address gets a failed notification
    that says so, which the reform office sees."""
    preference = preferences.get(user.pk) if preferences is not None else Preference.objects.filter(user=user).first()
    if preference is not None and not preference.wants(kind):
        return None
    if Notification.objects.filter(key=key).exists():
        return None
    text, html = mail.render(kind, {**context, "user": user, "subject": subject})
    address = mail.header_value(user.email or "").strip()
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind, "recipient": user, "address": address, "cycle": cycle, "record": record,
            "subject": mail.subject(subject), "body_text": text, "body_html": html,
            "delivery": Delivery.QUEUED if address else Delivery.FAILED, "error": "" if address else NO_ADDRESS,
        },
    )
    if not created:
        return None
    if address:
        send_notification.enqueue(notification.pk)
    return notification


def resend(notification: Notification) -> Notification:
    """Try a failed notification again (to the person's current address), with a fresh set of attempts."""
    address = mail.header_value(notification.recipient.email or "").strip() if notification.recipient else notification.address
    notification.address = address
    notification.attempts = 0
    notification.delivery = Delivery.QUEUED if address else Delivery.FAILED
    notification.error = "" if address else NO_ADDRESS
    notification.save(update_fields=["address", "attempts", "delivery", "error"])
    if address:
        send_notification.enqueue(notification.pk)
    return notification


def program_tag(program) -> str:
    """「（総合戦略）」 after a mail's kind where the portal holds several programs: an initiative's number and
    name alone do not say which program's it is."""
    return f"（{program.display_short_name}）" if several_programs() else ""


def days_left(cycle: ReportingCycle, today: datetime.date) -> int | None:
    return (cycle.deadline - today).days if cycle.deadline else None


# --- the signals' notifications ---------------------------------------------------------


def notify_cycle_opened(*, cycle: ReportingCycle) -> list[Notification]:
    """Every department's editors: the cycle is open, until when, and how many records are theirs."""
    cycle = ReportingCycle.objects.select_related("program").get(pk=cycle.pk)
    if not cycle.is_open:  # opened and closed in one go (an imported report): nobody has anything to do
        return []
    counts = dict(
        YearlyRecord.objects.of_cycle(cycle)
        .values_list("initiative__responsibilities__department")
        .annotate(n=Count("pk"))
    )
    editors = editors_of(counts)
    preferences = preferences_of(editors)
    today = timezone.localdate()
    created = []
    for user, departments in editors.items():
        context = {
            "cycle": cycle, "days_left": days_left(cycle, today),
            "departments": [(department, counts[department.pk]) for department in departments],
        }
        created.append(queue(
            key=f"cycle_opened:{cycle.pk}:user-{user.pk}", kind=Kind.CYCLE_OPENED, user=user, cycle=cycle,
            subject=f"報告期「{cycle.staff_label}」の受付が始まりました", context=context, preferences=preferences,
        ))
    return [n for n in created if n]


def notify_record_returned(*, record: YearlyRecord, comment: str) -> list[Notification]:
    """The editors of the record's departments: which record, the reviewer's comment, the link to it."""
    record = YearlyRecord.objects.select_related("initiative__program", "cycle__program").get(pk=record.pk)
    returned = (
        record.history.filter(workflow_state=WorkflowState.RETURNED).order_by("-history_date")
        .values_list("history_id", flat=True).first()
    )
    department_ids = record.initiative.responsibilities.values_list("department_id", flat=True)
    editors = editors_of(department_ids)
    preferences = preferences_of(editors)
    context = {
        "record": record, "initiative": record.initiative, "cycle": record.cycle, "comment": comment,
        "link": mail.admin_link("admin:initiatives_yearlyrecord_change", record.pk),
        "days_left": days_left(record.cycle, timezone.localdate()) if record.cycle else None,
    }
    created = [
        queue(
            key=f"record_returned:{record.pk}:{returned}:user-{user.pk}", kind=Kind.RECORD_RETURNED, user=user,
            cycle=record.cycle, record=record, context=context, preferences=preferences,
            subject=f"差戻し{program_tag(record.initiative.program)}: {record.initiative.number}. {record.initiative.name}",
        )
        for user in editors
    ]
    return [n for n in created if n]


def notify_cycle_released(*, cycle: ReportingCycle) -> list[Notification]:
    """All staff: the year's report is public, with the links to it."""
    cycle = ReportingCycle.objects.select_related("program").get(pk=cycle.pk)
    people = list(staff().order_by("pk"))
    preferences = preferences_of(people)
    context = {
        "cycle": cycle,
        "summary_link": mail.absolute("/"),
        "pdf_link": mail.admin_link("reports:annual-pdf", cycle.pk),
    }
    created = [
        queue(
            key=f"cycle_released:{cycle.pk}:user-{user.pk}", kind=Kind.CYCLE_RELEASED, user=user, cycle=cycle,
            subject=f"「{cycle.staff_label}」の報告書を公表しました", context=context, preferences=preferences,
        )
        for user in people
    ]
    return [n for n in created if n]


# --- the hourly command's notifications --------------------------------------------------


def send_daily(*, today: datetime.date) -> list[Notification]:
    """What is due on `today`: yesterday's digest of submissions, and the deadline reminders. Idempotent."""
    created = send_submissions_digest(day=today - datetime.timedelta(days=1))
    for cycle in ReportingCycle.objects.open().exclude(deadline=None).select_related("program"):
        created += send_deadline_notices(cycle=cycle, today=today)
    return created


def submissions_on(day: datetime.date) -> list:
    """The records submitted on `day` (Japan time), each once, in the order they came in (from their history)."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    rows = (
        YearlyRecord.history.filter(
            workflow_state=WorkflowState.SUBMITTED, history_type="~",
            history_date__gte=start, history_date__lt=start + datetime.timedelta(days=1),
        )
        .select_related("initiative", "cycle__program")
        .prefetch_related("initiative__responsibilities__department")
        .order_by("history_date")
    )
    return list({row.id: row for row in rows}.values())


def send_submissions_digest(*, day: datetime.date) -> list[Notification]:
    """One mail per reviewer listing the day's submissions in the programs they review (none on a day without any)."""
    submissions = submissions_on(day)
    if not submissions:
        return []
    people = list(reviewers())
    preferences = preferences_of(people)
    link = mail.admin_link("admin:initiatives_yearlyrecord_changelist") + "?cycle=current&workflow_state__exact=submitted"
    waiting = YearlyRecord.objects.current().filter(workflow_state=WorkflowState.SUBMITTED)
    created = []
    for user in people:  # each reviewer hears of the programs they review
        theirs = [row for row in submissions if roles.sees(user, row.initiative)]
        if not theirs:
            continue
        context = {"day": day, "submissions": theirs, "waiting": roles.in_program_scope(user, waiting).count(), "link": link}
        created.append(queue(
            key=f"digest:{day.isoformat()}:user-{user.pk}", kind=Kind.SUBMISSIONS_DIGEST, user=user,
            subject=f"{day.month}月{day.day}日の提出 {len(theirs)}件", context=context, preferences=preferences,
        ))
    return [n for n in created if n]


def send_deadline_notices(*, cycle: ReportingCycle, today: datetime.date) -> list[Notification]:
    """14, 7 and 1 days before the deadline, and the day after it, to the departments with records not yet
    submitted (each editor sees their own departments' records); the day after, the reviewers too."""
    left = days_left(cycle, today)
    if left in REMINDER_DAYS:
        kind, key = Kind.REMINDER, f"reminder:{cycle.pk}:{left}"
    elif left == -1:
        kind, key = Kind.OVERDUE, f"overdue:{cycle.pk}"
    else:
        return []
    outstanding = (
        YearlyRecord.objects.of_cycle(cycle).filter(workflow_state__in=WorkflowState.awaiting_department())
        .select_related("initiative")
        .prefetch_related("initiative__responsibilities__department")
        .order_by("initiative__number")
    )
    by_department = defaultdict(list)
    for record in outstanding:
        for responsibility in record.initiative.responsibilities.all():
            by_department[responsibility.department].append(record)
    editors = editors_of(d.pk for d in by_department)
    people = [*editors, *([u for u in reviewers() if roles.reviews(u, cycle.program)] if kind == Kind.OVERDUE else [])]
    preferences = preferences_of(people)
    subject = (f"「{cycle.staff_label}」の提出期限まであと{left}日です" if kind == Kind.REMINDER
               else f"「{cycle.staff_label}」の提出期限を過ぎました")
    base = {"cycle": cycle, "days_left": left, "link": mail.admin_link("admin:index")}
    created = []
    for user, departments in editors.items():
        records = list({r.pk: r for d in departments for r in by_department.get(d, [])}.values())
        if not records:
            continue
        records.sort(key=lambda r: r.initiative.number)
        created.append(queue(
            key=f"{key}:user-{user.pk}", kind=kind, user=user, cycle=cycle, subject=subject, preferences=preferences,
            context={**base, "records": records, "departments": departments},
        ))
    if kind == Kind.OVERDUE and by_department:
        editor_count = Counter(d.pk for departments in editors.values() for d in departments)
        summary = sorted(
            ((department, len(records), editor_count[department.pk]) for department, records in by_department.items()),
            key=lambda row: (row[0].order, row[0].name),
        )
        context = {**base, "summary": summary, "link": mail.admin_link("admin:programs_reportingcycle_overview", cycle.pk)}
        for user in people[len(editors):]:
            created.append(queue(
                key=f"{key}:reviewer-{user.pk}", kind=kind, user=user, cycle=cycle, subject=subject,
                preferences=preferences, context=context,
            ))
    return [n for n in created if n]
