"""Who may do what: the three staff roles, and the department scope of editors.

Roles are Django groups, created after every `migrate` (see apps.py):
- 部局編集者 (department editor): sees and edits the initiatives of the departments
  they are a member of (Department.members): the open cycle's record and next steps.
- 行政改革課（審査・公開）(reform-office reviewer): sees everything of the programs they review;
  returns, approves, publishes; opens and closes cycles; edits structure. A program may name its
  own reviewers (Program.reviewers: the strategy is kept by another office than the reform
  program): then only they review it, and a reviewer named for some programs reviews those only.
  Programs without named reviewers are reviewed by the reviewers named for none.
- 財政課（財源確保額）(finance officer): enters each report's ledger figures (財源確保額),
  confirms them for the release, and checks the draft annual report.
- システム管理者 (administrator): users, departments, roles.
Citizens never log in.

In the staff tool a reviewer sees and changes the objects of the programs they review only
(program_scope; initiatives/admin/scoping.py applies it to every admin, its forms' choices and filters).

Every check here is used on every path (admin list, change view, inlines, actions,
history, exports, services), never only to hide a button.
"""
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.utils.translation import gettext as _

from programs.models import Program

EDITOR = "部局編集者"
REVIEWER = "行政改革課（審査・公開）"
ADMINISTRATOR = "システム管理者"
FINANCE = "財政課（財源確保額）"

# app_label: codenames (without the app label) each role is granted.
ROLE_PERMISSIONS = {
    EDITOR: {
        "initiatives": ["view_initiative", "change_initiative", "view_yearlyrecord", "change_yearlyrecord",
                        "view_departmentstatus", "add_departmentstatus", "change_departmentstatus",
                        "delete_departmentstatus", "view_responsibility", "view_publishedversion"],
        "programs": ["view_program", "view_pillar", "view_perspective", "view_department", "view_division",
                     "view_reportingcycle"],
        "finance": ["view_ledgercategory", "view_ledgerentry"],
    },
    REVIEWER: {
        "initiatives": ["*"],
        "programs": ["*"],
        # the ledger's frame (categories, targets, links); its figures are 財政課's, the reviewer reads them
        "finance": ["view_ledgercategory", "add_ledgercategory", "change_ledgercategory", "delete_ledgercategory",
                    "view_ledgerstatement", "view_ledgerentry"],
        "notifications": ["view_notification", "change_notification"],  # the log; resending a failed mail
        "reports": ["view_reportbuild", "change_reportbuild"],  # the annual reports' builds; building a failed one again
    },
    FINANCE: {
        "finance": ["view_ledgercategory", "view_ledgerstatement", "add_ledgerstatement", "change_ledgerstatement",
                    "confirm_ledgerstatement", "view_ledgerentry", "add_ledgerentry", "change_ledgerentry",
                    "delete_ledgerentry"],
        "programs": ["view_program", "view_reportingcycle"],
        "initiatives": ["view_initiative"],
    },
    ADMINISTRATOR: {
        "auth": ["*"],
        "django_tasks_database": ["view_dbtaskresult"],  # the background tasks and their failures
        "programs": ["view_department", "add_department", "change_department", "view_division", "add_division",
                     "change_division"],
    },
}


def _cached(user, key, compute):
    cache = user.__dict__.setdefault("_reformtracker_roles", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def has_role(user, role: str) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return _cached(user, role, lambda: user.groups.filter(name=role).exists())


def is_reviewer(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or has_role(user, REVIEWER)))


def reviewed_programs(user):
    """The programs this staff member reviews, as a queryset; None when they review every program (a superuser)."""
    if not is_reviewer(user):
        return Program.objects.none()
    if user.is_superuser:
        return None
    named = _named_program_ids(user)
    return Program.objects.filter(pk__in=named) if named else Program.objects.filter(reviewers=None)


def reviews(user, program) -> bool:
    """Whether this staff member reviews and publishes `program`."""
    if not is_reviewer(user):
        return False
    if user.is_superuser:
        return True
    named = _named_program_ids(user)
    if named:
        return program.pk in named
    return _cached(user, ("program without named reviewers", program.pk), lambda: not program.reviewers.exists())


def reviews_new_programs(user) -> bool:
    """Whether this staff member reviews a program that names no reviewers yet (a new one): a superuser or a
    reviewer named for no program."""
    return is_reviewer(user) and (user.is_superuser or not _named_program_ids(user))


def _named_program_ids(user) -> frozenset[int]:
    """The programs this reviewer is named for (Program.reviewers); empty for most."""
    return _cached(user, "named programs", lambda: frozenset(user.reviewed_programs.values_list("pk", flat=True)))


def is_editor(user) -> bool:
    return has_role(user, EDITOR)


def is_finance(user) -> bool:
    return has_role(user, FINANCE)


def can_see_draft_report(user, program) -> bool:
    """The annual report of a cycle not yet released (案) is checked by 財政課 and by the reviewers of its program only."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return reviews(user, program) or is_finance(user)


# --- the program scope of the staff tool ---------------------------------------------------

# The foreign keys followed, in this order, from a model to the program it belongs to.
PROGRAM_LINKS = ("program", "initiative", "record", "statement", "cycle", "category")


def program_path(model) -> str | None:
    """The lookup from `model` to the program it belongs to ("pk" for Program itself, "initiative__program" for a
    yearly record, "cycle__program" for a report build), or None for what belongs to no program (departments, users)."""
    if model is Program:
        return "pk"
    for name in PROGRAM_LINKS:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.many_to_one and field.related_model is not model:
            rest = program_path(field.related_model)
            if rest is not None:
                return name if rest == "pk" else f"{name}__{rest}"
    return None


def program_id_of(obj) -> int | None:
    """The pk of the program `obj` belongs to (following program_path), None if it has none."""
    path = program_path(type(obj))
    if path is None:
        return None
    if path == "pk":
        return obj.pk
    *links, last = path.split("__")
    for link in links:
        obj = getattr(obj, link)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id")


def program_scope(user) -> frozenset[int] | None:
    """The programs (pks) whose objects this staff member sees and changes in the staff tool: a reviewer, those
    they review (reviewed_programs); None, no limit by program, for a superuser and for the other roles, whose
    permissions and departments limit them instead (editors, 財政課, the system administrator)."""
    if not is_reviewer(user) or user.is_superuser:
        return None
    return _cached(user, "program scope", lambda: _reviewed_program_ids(user))


def _reviewed_program_ids(user) -> frozenset[int]:
    """reviewed_programs as pks, read in one query (programs are few) with the programs the user is named for."""
    rows = list(Program.objects.values_list("pk", "reviewers"))
    named = _cached(user, "named programs", lambda: frozenset(pk for pk, reviewer in rows if reviewer == user.pk))
    return named or frozenset(pk for pk, reviewer in rows if reviewer is None)


def in_program_scope(user, queryset):
    """`queryset` limited to the programs this staff member works on (program_scope)."""
    programs = program_scope(user)
    path = program_path(queryset.model)
    if programs is None or path is None:
        return queryset
    return queryset.filter(**{f"{path}__in": programs})


def sees(user, obj) -> bool:
    """Whether `obj` is within this staff member's program scope (always, for what belongs to no program)."""
    programs = program_scope(user)
    if programs is None or program_path(type(obj)) is None:
        return True
    return program_id_of(obj) in programs


def department_ids(user) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    return _cached(user, "departments", lambda: frozenset(user.departments.values_list("pk", flat=True)))


def visible_initiatives(user, queryset):
    """The initiatives this staff member may see: all of the programs they review for reviewers,
    their departments' for editors."""
    if is_reviewer(user):
        programs = reviewed_programs(user)
        return queryset if programs is None else queryset.filter(program__in=programs)
    if is_editor(user):
        return queryset.filter(responsibilities__department__in=department_ids(user)).distinct()
    return queryset.none()


def can_edit(user, initiative) -> bool:
    if reviews(user, initiative.program):
        return True
    if not is_editor(user):
        return False
    responsible = {r.department_id for r in initiative.responsibilities.all()}
    return bool(responsible & department_ids(user))


def ensure_can_edit(user, initiative) -> None:
    if not can_edit(user, initiative):
        raise PermissionDenied(_("この取組を編集する権限がありません（所管部局の担当者のみ編集できます）。"))


def ensure_reviewer(user, program) -> None:
    if not is_reviewer(user):
        raise PermissionDenied(_("この操作は行政改革課（審査・公開）の担当者のみ行えます。"))
    if not reviews(user, program):
        raise PermissionDenied(_("「%(program)s」の審査・公開の担当者ではありません。") % {"program": program.name})


def ensure_roles(**kwargs) -> None:
    """Create the role groups and give them their permissions (idempotent; runs after migrate)."""
    from django.contrib.auth.models import Group, Permission

    for role, grants in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        permissions = []
        for app_label, codenames in grants.items():
            app_permissions = Permission.objects.filter(content_type__app_label=app_label)
            if codenames != ["*"]:
                app_permissions = app_permissions.filter(codename__in=codenames)
            permissions += list(app_permissions)
        group.permissions.set(permissions)
