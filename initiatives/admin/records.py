"""Yearly records in the staff tool: the page where a department reports its year.

A record is editable only while its cycle is open, it is not under review, and the user
is one of its departments (services.edit_refusal says why not). Otherwise the page is
read-only with the reason on top and no save buttons, and a save posted anyway gets the
reason as a message, never an error page. The workflow buttons are the ones
services.allowed_actions offers; the status starts blank (未報告) and is never chosen for
the department.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles
from programs import eras, money
from programs.models import Department
from programs.statuses import REFORM_VOCABULARY

from .. import services
from ..forms import ReturnForm, YearlyRecordForm
from ..models import DepartmentStatus, PublishedVersion, YearlyRecord
from ..selectors import cycles_to_import
from .scoping import (
    ProgramScopedAdmin,
    RecordCycleFilter,
    RecordDepartmentFilter,
    RecordStatusFilter,
    ScopedAdmin,
    error_text,
)

THIS_YEAR = mark_safe(' class="schedule-this-year"')


def record_refusal(request, record: YearlyRecord) -> str | None:
    """Why the user cannot edit the record now, judged on the record as it is in the database
    (a history page passes an old copy); computed once per request."""
    refusals = request.__dict__.setdefault("_record_refusals", {})
    if record.pk not in refusals:
        current = YearlyRecord.objects.select_related("cycle", "initiative").get(pk=record.pk)
        refusals[record.pk] = services.edit_refusal(record=current, by=request.user)
    return refusals[record.pk]


def service_messages(error) -> list[str]:
    """A service's refusal as messages; each field error names its field unless the message already does."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        lines = []
        for field, field_messages in error.message_dict.items():
            try:
                label = str(YearlyRecord._meta.get_field(field).verbose_name)
            except FieldDoesNotExist:  # a non-field error
                label = ""
            lines += [message if not label or label in message else f"{label}: {message}" for message in field_messages]
        return lines
    return [error_text(error)]


class DepartmentStatusFormSet(forms.BaseInlineFormSet):
    """Editors may only set the split status of their own department."""

    def clean(self):
        super().clean()
        if roles.is_reviewer(self.request.user):
            return
        own = roles.department_ids(self.request.user)
        for form in self.forms:
            if not form.has_changed() and not self._should_delete_form(form):
                continue
            departments = {form.instance.department_id if form.instance.pk else None,
                           form.cleaned_data.get("department").pk if form.cleaned_data.get("department") else None}
            if departments - {None} - own:
                raise ValidationError(_("他の部局の進行状況は変更できません。"))


class DepartmentStatusInline(admin.TabularInline):
    model = DepartmentStatus
    formset = DepartmentStatusFormSet
    extra = 0
    verbose_name = gettext_lazy("部局別の進行状況（一部の部局だけ状況が異なる場合）")
    verbose_name_plural = verbose_name

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        vocabulary = obj.initiative.program.vocabulary if obj is not None else REFORM_VOCABULARY
        formset.form.base_fields["status"] = forms.ChoiceField(
            label=DepartmentStatus._meta.get_field("status").verbose_name, choices=vocabulary.choices
        )
        return formset

    def get_queryset(self, request):
        """An editor's form holds their own departments' rows only; the other departments' parts are shown
        read-only on the record (other_department_statuses), so that a shared initiative never gets stuck
        on a row its editor may not change."""
        queryset = super().get_queryset(request).select_related("department")
        if roles.is_reviewer(request.user):
            return queryset
        return queryset.filter(department__in=roles.department_ids(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            record_id = request.resolver_match.kwargs.get("object_id")
            departments = Department.objects.filter(responsibilities__initiative__years__pk=record_id)
            if not roles.is_reviewer(request.user):
                departments = departments.filter(pk__in=roles.department_ids(request.user))
            kwargs["queryset"] = departments.distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _may_edit(self, request, obj):
        return obj is not None and record_refusal(request, obj) is None

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)


@admin.register(YearlyRecord)
class YearlyRecordAdmin(ScopedAdmin):
    form = YearlyRecordForm
    initiative_lookup = "initiative"
    change_form_template = "admin/initiatives/yearlyrecord/change_form.html"
    list_display = ["initiative_number", "initiative_name", "fiscal_year_label", "cycle", "status_label", "workflow_state"]
    list_display_links = ["initiative_number", "initiative_name"]
    list_filter = [RecordCycleFilter, "fiscal_year", RecordStatusFilter, "workflow_state", RecordDepartmentFilter]
    search_fields = ["initiative__name", "plan", "result", "delay_reason"]
    list_select_related = ["initiative__program", "cycle__program"]
    ordering = ["-fiscal_year", "initiative__program", "initiative__number"]
    inlines = [DepartmentStatusInline]
    readonly_fields = ["initiative_summary", "cycle_display", "fiscal_year_label", "workflow_state_display",
                       "schedule_display", "status_label", "other_department_statuses", "amount_display"]

    def initiative_of(self, obj):
        return obj.initiative

    def changelist_view(self, request, extra_context=None):
        """The list links the Excel import of each open cycle holding records the user may edit."""
        context = {"import_cycles": list(cycles_to_import(request.user)), **(extra_context or {})}
        return super().changelist_view(request, context)

    def get_fieldsets(self, request, obj=None):
        editable = obj is not None and record_refusal(request, obj) is None
        hidden = ["loaded_version", "loaded_initiative_version"] if editable else []
        program = obj.initiative.program if obj is not None else None
        fieldsets = [
            (program.item_label if program else _("取組"),
             {"fields": ["initiative_summary", "cycle_display", "fiscal_year_label", "workflow_state_display"]}),
        ]
        if program is None or obj.initiative.schedule_steps.exists():  # the strategy's 事業 plan no steps
            fieldsets.append((_("作業工程（4年間の計画）"), {"fields": ["schedule_display"]}))
        fieldsets.append((_("計画・実績"), {"fields": ["plan", "result"]}))
        # read-only, the amount is shown as the city prints it (28,212千円), under the program's name for it
        amount = ["secured_amount_thousand_yen", "secured_amount_note"] if editable else ["amount_display", "secured_amount_note"]
        if program is None or program.statuses:  # the strategy's list reports no statuses
            fieldsets.append((_("進行状況"), {"fields": ["status" if editable else "status_label", "delay_reason",
                                                      *self.other_department_fields(request, obj)]}))
        if program is None or program.has_ledger:
            fieldsets.append((_("財源確保額（当初予算時）"), {"fields": amount}))
        elif program.figure_label:  # the program's own yearly amount, e.g. 予算事業費
            fieldsets.append((program.figure_label, {"fields": amount}))
        fieldsets.append((_("今後の予定"), {"fields": ["next_steps", *hidden]}))
        return fieldsets

    def get_inlines(self, request, obj):
        """Split statuses only where the program reports statuses."""
        if obj is not None and not obj.initiative.program.statuses:
            return []
        return self.inlines

    def other_department_fields(self, request, obj) -> list[str]:
        """The split statuses set by the initiative's other departments, shown to an editor read-only."""
        if obj is None or roles.is_reviewer(request.user):
            return []
        own = roles.department_ids(request.user)
        return ["other_department_statuses"] if any(d.department_id not in own for d in obj.department_statuses.all()) else []

    @admin.display(description=gettext_lazy("金額"))
    def amount_display(self, obj):
        return money.format_thousand_yen(obj.secured_amount_thousand_yen)

    @admin.display(description=gettext_lazy("他の部局の進行状況"))
    def other_department_statuses(self, obj):
        return format_html_join(
            "", "<div>{}</div>", ((str(split),) for split in obj.department_statuses.select_related("department"))
        )

    def has_change_permission(self, request, obj=None):
        """Editable only when the services would accept the save: otherwise the page is read-only."""
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or record_refusal(request, obj) is None

    def has_add_permission(self, request):
        return False  # records are created when the reform office opens a cycle

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A save posted to a record that cannot be edited (the page was open while it was submitted,
        or its cycle closed) gets the reason as a message and changes nothing."""
        if request.method == "POST" and object_id is not None:
            record = self.get_object(request, unquote(object_id))
            refusal = record_refusal(request, record) if record is not None else None
            if refusal:
                self.message_user(request, _("保存していません。%(reason)s") % {"reason": refusal}, messages.ERROR)
                return HttpResponseRedirect(request.path)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def refusal_messages(self, error):
        return service_messages(error)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Reverting is a save: refused with the reason, like the change page, when the record cannot be edited."""
        if request.method == "POST" and roles.is_reviewer(request.user):
            record = get_object_or_404(self.get_queryset(request), pk=object_id)
            refusal = record_refusal(request, record)
            if refusal:
                self.message_user(request, _("元に戻していません。%(reason)s") % {"reason": refusal}, messages.ERROR)
                return HttpResponseRedirect(reverse("admin:initiatives_yearlyrecord_change", args=[record.pk]))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.EDITABLE_RECORD_FIELDS if name in form.cleaned_data}
        reverting = "/history/" in request.path
        services.record_update(
            record=obj,
            by=request.user,
            data=data,
            expected_version=form.cleaned_data.get("loaded_version"),
            next_steps=form.cleaned_data.get("next_steps"),
            expected_initiative_version=form.cleaned_data.get("loaded_initiative_version"),
            reason=_("以前の版に戻しました") if reverting else None,
        )

    def save_formset(self, request, form, formset, change):
        services.department_statuses_save(record=form.instance, by=request.user, formset=formset)

    def get_urls(self):
        return [
            path("<path:object_id>/workflow/", self.admin_site.admin_view(self.workflow_view), name="initiatives_yearlyrecord_workflow"),
            *super().get_urls(),
        ]

    def workflow_view(self, request, object_id):
        """POST: submit / return / approve / publish the record; then back to its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record = get_object_or_404(self.get_queryset(request), pk=object_id)
        action = request.POST.get("action")
        try:
            if action == "submit":
                services.record_submit(record=record, by=request.user)
                self.message_user(request, _("提出しました。行政改革課の審査をお待ちください。"), messages.SUCCESS)
            elif action == "return":
                form = ReturnForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors["comment"])
                services.record_return(record=record, by=request.user, comment=form.cleaned_data["comment"])
                self.message_user(request, _("差し戻しました。"), messages.SUCCESS)
            elif action == "approve":
                services.record_approve(record=record, by=request.user)
                self.message_user(request, _("承認しました。"), messages.SUCCESS)
            elif action == "publish":
                services.record_publish(record=record, by=request.user)
                self.message_user(request, _("公開しました。市民向けページに速報として反映されます。"), messages.SUCCESS)
            else:
                self.message_user(request, _("不明な操作です。"), messages.ERROR)
        except ValidationError as error:
            if action == "submit":
                self.message_user(request, _("提出できませんでした。次の点を直して保存してから、もう一度提出してください。"), messages.ERROR)
            for line in service_messages(error):
                self.message_user(request, line, messages.ERROR)
        except PermissionDenied as error:
            self.message_user(request, error_text(error), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:initiatives_yearlyrecord_change", args=[record.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            actions = services.allowed_actions(record=obj, by=request.user)
            refusal = record_refusal(request, obj)
            proposed = obj.proposed_status if refusal is None else None
            context.update(
                record=obj,
                workflow_url=reverse("admin:initiatives_yearlyrecord_workflow", args=[obj.pk]),
                can_submit="submit" in actions,
                can_return="return" in actions,
                can_approve="approve" in actions,
                can_publish="publish" in actions,
                edit_refusal=refusal,
                proposed_status=proposed,
                proposed_status_label=obj.initiative.program.vocabulary.label_of(proposed) if proposed else "",
                plan_prefilled=obj.plan_prefilled and refusal is None,
                # what submitting would still refuse, listed before the department presses the button
                missing_for_submission=list(obj.submission_errors().values())
                if "submit" in actions and request.method == "GET" else [],
                return_form=ReturnForm(),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=gettext_lazy("今後の予定"))
    def next_steps(self, obj):
        """Shown read-only when the record cannot be edited (the form field otherwise)."""
        return obj.initiative.next_steps

    @admin.display(description=gettext_lazy("管理番号"), ordering="initiative__number")
    def initiative_number(self, obj):
        return obj.initiative.number

    @admin.display(description=gettext_lazy("取組項目名"))
    def initiative_name(self, obj):
        return obj.initiative.name

    @admin.display(description=gettext_lazy("年度"), ordering="fiscal_year")
    def fiscal_year_label(self, obj):
        return eras.fiscal_year_label_with_western(obj.fiscal_year)

    @admin.display(description=gettext_lazy("報告期"))
    def cycle_display(self, obj):
        if obj.cycle is None:
            return "－"
        return f"{obj.cycle.label}（{obj.cycle.get_state_display()}）"

    def get_queryset(self, request):
        # each row labels its status in its program's vocabulary: the statuses of every program in one query
        return super().get_queryset(request).prefetch_related("initiative__program__status_set")

    @admin.display(description=gettext_lazy("進行状況"), ordering="status")
    def status_label(self, obj):
        return obj.initiative.program.vocabulary.label_of(obj.status)

    @admin.display(description=gettext_lazy("手続の状態"))
    def workflow_state_display(self, obj):
        return obj.get_workflow_state_display()

    @admin.display(description=gettext_lazy("作業工程"))
    def schedule_display(self, obj):
        """The initiative's four-year schedule, read-only here (the reform office edits it on the initiative's page);
        this record's year is marked."""
        this_year = format_html('<span class="schedule-marker">{}</span>', _("この報告の年度"))
        rows = format_html_join(
            "",
            '<tr{}><th scope="row">{}{}</th><td>{}</td></tr>',
            (
                (
                    THIS_YEAR if step["fiscal_year"] == obj.fiscal_year else "",
                    eras.fiscal_year_label_with_western(step["fiscal_year"]),
                    this_year if step["fiscal_year"] == obj.fiscal_year else "",
                    step["step"] or _("（工程なし）"),
                )
                for step in obj.initiative.schedule()
            ),
        )
        return format_html(
            '<table class="schedule-table"><caption class="visually-hidden">{}</caption>'
            '<thead><tr><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("作業工程（プログラム期間の年度ごと）"), _("年度"), _("作業工程"), rows,
        )

    @admin.display(description=gettext_lazy("取組"))
    def initiative_summary(self, obj):
        initiative = obj.initiative
        url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
        summary = format_html(
            '<a href="{}">{}. {}</a><div>{}</div>', url, initiative.number, initiative.name,
            "、".join(initiative.departments_display),
        )
        if not initiative.background:  # the strategy's 事業 have none
            return summary
        return format_html(
            "{}<details><summary>{}</summary>{}</details>", summary,
            _("令和5年度までの経過や背景"), linebreaks(initiative.background),
        )


@admin.register(PublishedVersion)
class PublishedVersionAdmin(ProgramScopedAdmin, admin.ModelAdmin):
    list_display = ["number", "name", "cycle", "status", "published_at", "published_by", "is_current"]
    list_filter = ["cycle", "status", "is_current"]
    search_fields = ["name", "search_text"]
    readonly_fields = [f.name for f in PublishedVersion._meta.fields] + ["departments"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
