"""What every staff screen shares: the program and department scopes and the list filters.

`ProgramScopedAdmin` restricts an admin of anything that belongs to a program (programs,
pillars, cycles, ledger, records, publications, report builds, notifications) to the
programs the user reviews, on every path: list, filters, actions, change, history, and the
choices of its forms (`ProgramScopedChoices`, also for inlines); each of its lists has the program
column and filter (`ProgramFilter`, offering the programs of the rows the user sees). `ScopedAdmin` adds the
department scope: each admin path restricted to the initiatives the user may see, and
editing to those they may edit (roles.py). The "current period"
filters look at the open cycle's records only (`YearlyRecord.objects.current()`): a
closed or released cycle is never what staff are working on.
"""
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from accounts import roles
from programs.models import Department, Program, ProgramStatus, ReportingCycle
from programs.statuses import NOT_REPORTED_LABEL

from ..forms import changes_message
from ..models import Initiative, WorkflowState, YearlyRecord
from ..services import ConcurrentEditError

NOT_REPORTED = "not_reported"  # the filters' value for a record whose status is still blank (未報告)
NO_OPEN_CYCLE = gettext_lazy("受付中の報告期はありません")
PROGRAM_COLUMNS = ("program", "program_name", "program_column")  # replaced by the one program column


def error_text(error) -> str:
    """A refusal from a service (ValidationError or PermissionDenied) as one line for a message."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or str(gettext_lazy("この操作を行う権限がありません。"))


# --- the program scope --------------------------------------------------------------


class ProgramScopedChoices:
    """The choices of a form's foreign keys and many-to-many fields (pillar, perspective, program, cycle, ledger
    category …): on an object's page those of its own program, elsewhere those of the programs the user
    reviews (roles.program_scope). For an admin or an inline."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        self._remember_program(request, obj)
        return super().get_form(request, obj, change, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        self._remember_program(request, obj)
        return super().get_formset(request, obj, **kwargs)

    @staticmethod
    def _remember_program(request, obj) -> None:
        """The program of the object being edited (an inline's parent), for the choices built next."""
        request.__dict__["_scope_program_id"] = roles.program_id_of(obj) if obj is not None else None

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        model = db_field.remote_field.model
        path = roles.program_path(model)
        if path is None:
            return queryset
        if queryset is None:
            queryset = model._default_manager.using(db)
        program_id = request.__dict__.get("_scope_program_id")
        if program_id is not None:
            return queryset.filter(**{path: program_id})
        return roles.in_program_scope(request.user, queryset)


class ProgramScopedAdmin(ProgramScopedChoices):
    """Restricts an admin to the objects of the programs the user reviews (roles.program_scope): the list, its
    filters, the actions (they act on the list's queryset), the change, delete and history pages and the
    choices in its forms. An object outside the scope does not exist for the user (404); one reached through
    its history is refused (403). Editors, 財政課 and the system administrator are limited by their
    permissions and departments instead."""

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def scope(self, request, queryset):
        return roles.in_program_scope(request.user, queryset)

    def in_scope(self, request, obj) -> bool:
        return roles.sees(request.user, obj)

    def get_object(self, request, object_id, from_field=None):
        """Not found (404), never the admin's redirect to its index: the same for an object outside the scope."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or self.in_scope(request, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or self.in_scope(request, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or self.in_scope(request, obj))

    # --- the program column and filter: every list of what belongs to a program names it and filters by it

    def program_paths(self) -> list[str]:
        """The lookups from the model to its program (roles.program_path); more than one where an object belongs
        to a program by one of several links (a notification: its cycle's, or its record's)."""
        path = roles.program_path(self.model)
        return [] if path in (None, "pk") else [path]

    def program_of(self, obj) -> Program | None:
        for path in self.program_paths():
            target = obj
            for link in path.split("__"):
                target = getattr(target, link, None)
                if target is None:
                    break
            if target is not None:
                return target
        return None

    @admin.display(description=gettext_lazy("プログラム"))
    def program_column(self, obj):
        program = self.program_of(obj)
        return program.display_short_name if program else "-"

    def get_list_display(self, request):
        """The program column: in place of a column of the program's own, else after the first one."""
        columns = list(super().get_list_display(request))
        if not self.program_paths():
            return columns
        at = next((i for i, c in enumerate(columns) if c in PROGRAM_COLUMNS), 1)
        columns = [c for c in columns if c not in PROGRAM_COLUMNS]
        return [*columns[:at], "program_column", *columns[at:]]

    def get_list_select_related(self, request):
        """The program of each row, and of each cycle or initiative shown (a cycle is named with its program)."""
        related = super().get_list_select_related(request)
        if related is True or not self.program_paths():
            return related
        names = list(related or [])
        for column in self.get_list_display(request):
            try:
                field = self.model._meta.get_field(column) if isinstance(column, str) else None
            except FieldDoesNotExist:
                continue
            if field is not None and field.many_to_one:
                rest = roles.program_path(field.related_model)
                names.append(column if rest in (None, "pk") else f"{column}__{rest}")
        return list(dict.fromkeys([*names, *self.program_paths()]))

    def get_list_filter(self, request):
        """The program filter first (in place of a filter by the program field); a filter by a related object
        of some program (cycle, pillar) offers only those in the list."""
        filters = [ProgramFilter] if self.program_paths() else []
        for entry in super().get_list_filter(request):
            if entry == "program":
                continue
            if isinstance(entry, str) and "__" not in entry:
                field = self.model._meta.get_field(entry)
                if field.is_relation and roles.program_path(field.related_model) is not None:
                    entry = (entry, admin.RelatedOnlyFieldListFilter)
            filters.append(entry)
        return filters


class ScopedAdmin(ProgramScopedAdmin, SimpleHistoryAdmin):
    """Restricts every admin path to the initiatives the user may see; editing to those they may edit."""

    initiative_lookup = ""  # path from the model to Initiative ("" for Initiative itself)

    def initiative_of(self, obj) -> Initiative:
        return obj

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:  # every program
            return queryset
        visible = roles.visible_initiatives(request.user, Initiative.objects.all()).values("pk")
        return queryset.filter(**{f"{self.initiative_lookup or 'pk'}__in": visible})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """An initiative outside the user's departments does not exist for them: 404, not a redirect."""
        try:
            visible = self.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise Http404
        return super().change_view(request, object_id, form_url, extra_context)

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or roles.can_edit(request.user, self.initiative_of(obj))

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def has_change_history_permission(self, request, obj=None):
        """Only the reform office may revert to an earlier version."""
        return roles.is_reviewer(request.user) and self.has_change_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not roles.is_reviewer(request.user):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A save the service refuses after the form was checked — someone saved in between (a race the
        form's own version check cannot see), or the record's state changed — comes back as a message
        with what the other person changed; the transaction is rolled back and nothing is saved. Only a
        save: a page that cannot be shown is never answered with a redirect to itself."""
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConcurrentEditError as error:
            self.message_user(request, changes_message(error.changes), messages.ERROR)
        except ValidationError as error:
            for line in self.refusal_messages(error):
                self.message_user(request, line, messages.ERROR)
        return HttpResponseRedirect(request.path)

    def refusal_messages(self, error: ValidationError) -> list[str]:
        return [error_text(error)]


# --- filters ----------------------------------------------------------------------


class ProgramFilter(admin.SimpleListFilter):
    """Rows by program: the programs of the rows the user may see (their scope), offered when there are two or more."""

    title = gettext_lazy("プログラム")
    parameter_name = "program"

    def __init__(self, request, params, model, model_admin):
        self.paths = model_admin.program_paths()
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        shown = model_admin.get_queryset(request)
        condition = Q()
        for path in model_admin.program_paths():
            condition |= Q(pk__in=shown.values(path))
        return [(str(p.pk), p.display_short_name) for p in Program.objects.filter(condition).order_by("pk")]

    def has_output(self):
        return len(self.lookup_choices) > 1

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        condition = Q()
        for path in self.paths:
            condition |= Q(**{path: self.value()})
        return queryset.filter(condition)


class DepartmentFilter(admin.SimpleListFilter):
    title = gettext_lazy("所管部局")
    parameter_name = "department"
    lookup = "responsibilities__department"

    def lookups(self, request, model_admin):
        departments = Department.objects.all()
        if not roles.is_reviewer(request.user):
            departments = departments.filter(pk__in=roles.department_ids(request.user))
        return [(d.pk, d.name) for d in departments]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.lookup: self.value()}).distinct()
        return queryset


class RecordDepartmentFilter(DepartmentFilter):
    lookup = "initiative__responsibilities__department"


def status_lookups():
    """The statuses a filter offers: 未報告 first (a new cycle's records start so), then each program's own in its
    order (one query); a code several programs share is offered once, with each of its labels."""
    labels: dict[str, list[str]] = {}
    for row in ProgramStatus.objects.order_by("program_id", "order"):
        names = labels.setdefault(row.code, [])
        if row.definition.display_label not in names:
            names.append(row.definition.display_label)
    return [(NOT_REPORTED, NOT_REPORTED_LABEL), *((code, "／".join(names)) for code, names in labels.items())]


class RecordStatusFilter(admin.SimpleListFilter):
    """Records by their own status, 未報告 included (the field's own filter cannot offer the blank status)."""

    title = gettext_lazy("進行状況")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return status_lookups()

    def wanted(self) -> str:
        return "" if self.value() == NOT_REPORTED else self.value()

    def queryset(self, request, queryset):
        return queryset.filter(status=self.wanted()) if self.value() else queryset


class StatusFilter(RecordStatusFilter):
    """Initiatives by the status that stands for them in the open cycle (a split status counts as behind)."""

    title = gettext_lazy("進行状況（今期）")

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        records = YearlyRecord.objects.current().filter(initiative__in=queryset.values("pk")).with_statuses()
        return queryset.filter(pk__in=[r.initiative_id for r in records if (r.effective_status or "") == self.wanted()])


class WorkflowFilter(admin.SimpleListFilter):
    """Initiatives by where their open cycle's record stands in the review."""

    title = gettext_lazy("手続の状態（今期）")
    parameter_name = "workflow"

    def lookups(self, request, model_admin):
        return WorkflowState.choices

    def queryset(self, request, queryset):
        if self.value():
            current = YearlyRecord.objects.current().filter(workflow_state=self.value())
            return queryset.filter(pk__in=current.values("initiative"))
        return queryset


class RecordCycleFilter(admin.SimpleListFilter):
    """Records by reporting cycle; 「受付中の報告期」 is the one staff work on."""

    title = gettext_lazy("報告期")
    parameter_name = "cycle"
    CURRENT = "current"

    def lookups(self, request, model_admin):
        """The cycles holding records of the list (the user's), each named with its program and state."""
        cycles = ReportingCycle.objects.filter(pk__in=model_admin.get_queryset(request).values("cycle"))
        cycles = roles.in_program_scope(request.user, cycles.select_related("program").order_by("-fiscal_year", "program_id"))
        return [(self.CURRENT, gettext_lazy("受付中の報告期（今期）")),
                *((str(c.pk), f"{c.staff_label}（{c.get_state_display()}）") for c in cycles)]

    def queryset(self, request, queryset):
        if self.value() == self.CURRENT:
            return queryset.current()
        if self.value():
            return queryset.filter(cycle_id=self.value())
        return queryset
