"""Demo staff accounts and dates for `make run` (never for production)."""
import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .models import Department


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    group: str | None = None
    departments: list[str] = field(default_factory=list)
    superuser: bool = False


# Group names are those of accounts.roles (programs does not import accounts: the roles build on programs).
DEMO_USERS = [
    # the administrator manages accounts but is no superuser: superuser and reviewer powers are
    # granted only by a superuser (accounts/admin.py), created with `createsuperuser`
    DemoUser("admin", "demo-admin-asahikawa", "システム管理者", "システム管理者"),
    DemoUser("reviewer", "demo-reviewer-asahikawa", "行政改革課（審査・公開）", "行政改革課（審査・公開）"),
    DemoUser("finance", "demo-finance-asahikawa", "財政課（財源確保額）", "財政課（財源確保額）"),
    DemoUser("editor-somu", "demo-editor-somu", "部局編集者", "部局編集者", ["総務部"]),
    DemoUser("editor-doboku", "demo-editor-doboku", "部局編集者", "部局編集者", ["土木部"]),
    DemoUser("editor-byoin", "demo-editor-byoin", "部局編集者", "部局編集者", ["市立旭川病院事務局"]),
]


# The open cycles' deadline, counted from the day the demo data is created: a demo started any day is not overdue.
DEMO_DEADLINE_DAYS = 30


def demo_deadline(today: datetime.date) -> datetime.date:
    """The deadline of a cycle the demo opens on `today`."""
    return today + datetime.timedelta(days=DEMO_DEADLINE_DAYS)


def ensure_demo_users() -> None:
    User = get_user_model()
    for demo in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=demo.username)
        user.is_staff = True
        user.is_superuser = demo.superuser
        user.email = user.email or f"{demo.username}@reformtracker.example"  # notifications land in var/mail
        user.set_password(demo.password)
        user.save()
        if demo.group:
            user.groups.add(Group.objects.get(name=demo.group))
    join_demo_departments()


def join_demo_departments() -> None:
    """Each demo editor joins their departments, those that exist (a program's import creates them)."""
    users = {user.username: user for user in get_user_model().objects.filter(username__in=[d.username for d in DEMO_USERS])}
    for demo in DEMO_USERS:
        for department in Department.objects.filter(name__in=demo.departments):
            department.members.add(users[demo.username])
