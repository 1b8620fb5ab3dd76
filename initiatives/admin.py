"""The staff tool: initiatives and their yearly records in the Django admin.

Every path is scoped by department (roles.py): list, change view, inlines, actions,
history and exports. Writes go through services.py.
"""
import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from programs import eras
from programs.models import Department
from programs.spreadsheets import csv_cell

from . import roles, services
from .forms import InitiativeForm, ReturnForm, YearlyRecordForm
from .models import (
    DepartmentStatus,
    Initiative,
    PublishedVersion,
    Responsibility,
    ResponsibilityDivision,
    Status,
    WorkflowState,
    YearlyRecord,
)


class ScopedAdmin(SimpleHistoryAdmin):
    """Restricts every admin path to the initiatives the user may see; editing to those they may edit."""

    initiative_lookup = ""  # path from the model to Initiative ("" for Initiative itself)

    def initiative_of(self, obj) -> Initiative:
        return obj

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if roles.is_reviewer(request.user):
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


# --- filters ----------------------------------------------------------------------


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


def _current_year(request) -> int | None:
    """The fiscal year staff work on: the open cycle's, else the latest with records."""
    cycle = services.ReportingCycle.objects.order_by("state", "-fiscal_year").first()
    return cycle.fiscal_year if cycle else YearlyRecord.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("進行状況（今期）")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        year = _current_year(request)
        ids = [
            r.initiative_id
            for r in YearlyRecord.objects.filter(fiscal_year=year, initiative__in=queryset).with_statuses()
            if r.effective_status == self.value()
        ]
        return queryset.filter(pk__in=ids)


class WorkflowFilter(admin.SimpleListFilter):
    title = gettext_lazy("手続の状態（今期）")
    parameter_name = "workflow"

    def lookups(self, request, model_admin):
        return WorkflowState.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(years__fiscal_year=_current_year(request), years__workflow_state=self.value())
        return queryset


# --- initiatives ------------------------------------------------------------------


class ResponsibilityInline(admin.TabularInline):
    """The responsible departments; their divisions, in printed order, are edited on the responsibility's page."""

    model = Responsibility
    extra = 0
    fields = ["department", "order", "divisions_display"]
    readonly_fields = ["divisions_display"]
    show_change_link = True

    @admin.display(description=gettext_lazy("課（表示順）"))
    def divisions_display(self, obj):
        return "・".join(d.name for d in obj.ordered_divisions) if obj.pk else ""

    def has_add_permission(self, request, obj=None):
        return roles.is_reviewer(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_reviewer(request.user)

    def has_delete_permission(self, request, obj=None):
        return roles.is_reviewer(request.user)


class ResponsibilityDivisionInline(admin.TabularInline):
    model = ResponsibilityDivision
    extra = 1
    fields = ["division", "order"]


@admin.register(Responsibility)
class ResponsibilityAdmin(SimpleHistoryAdmin):
    """A responsibility's divisions in the order the report prints them; structure, so reviewers only."""

    list_display = ["initiative", "display"]
    list_select_related = ["initiative", "department"]
    inlines = [ResponsibilityDivisionInline]
    fields = ["initiative", "department", "order"]
    readonly_fields = ["initiative"]

    def has_module_permission(self, request):
        return roles.is_reviewer(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.is_reviewer(request.user)

    has_change_permission = has_view_permission

    def has_add_permission(self, request):
        return False  # added from the initiative's page

    def has_delete_permission(self, request, obj=None):
        return False


class YearlyRecordInline(admin.TabularInline):
    """Every year of the initiative, read-only here; each opens on its own page for editing."""

    model = YearlyRecord
    extra = 0
    show_change_link = True
    fields = ["fiscal_year_label", "plan", "status_notes", "workflow_state"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).with_statuses()

    @admin.display(description=gettext_lazy("年度"))
    def fiscal_year_label(self, obj):
        return eras.fiscal_year_label_with_western(obj.fiscal_year)

    @admin.display(description=gettext_lazy("進行状況"))
    def status_notes(self, obj):
        return obj.status_notes


@admin.register(Initiative)
class InitiativeAdmin(ScopedAdmin):
    form = InitiativeForm
    list_display = ["number", "name", "pillar_numeral", "departments_list", "current_status", "current_workflow", "edit_link"]
    list_display_links = ["number", "name"]
    list_filter = ["pillar", StatusFilter, WorkflowFilter, DepartmentFilter]
    search_fields = ["name", "background", "next_steps", "years__plan", "years__result"]
    ordering = ["program", "number"]
    list_per_page = 60
    inlines = [ResponsibilityInline, YearlyRecordInline]
    actions = ["submit_selected", "approve_selected", "publish_selected", "export_csv"]

    def get_queryset(self, request):
        year = _current_year(request)
        current = YearlyRecord.objects.filter(fiscal_year=year).prefetch_related("department_statuses")
        return (
            super().get_queryset(request)
            .with_structure()
            .prefetch_related(Prefetch("years", queryset=current, to_attr="current_records"))
        )

    # 今後の予定 is reported with the year's record and edited on the record's page.
    readonly_fields = ["next_steps"]

    def has_change_permission(self, request, obj=None):
        """The initiative itself (structure) is the reform office's; departments edit the yearly record."""
        return roles.is_reviewer(request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return roles.is_reviewer(request.user) and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.save()
            return
        data = {name: form.cleaned_data[name] for name in form.changed_data if name != "loaded_version"}
        services.initiative_update(
            initiative=obj, by=request.user, data=data, expected_version=form.cleaned_data.get("loaded_version")
        )

    def _current(self, obj):
        return obj.current_records[0] if getattr(obj, "current_records", None) else None

    @admin.display(description=gettext_lazy("柱"), ordering="pillar__order")
    def pillar_numeral(self, obj):
        return obj.pillar.numeral

    @admin.display(description=gettext_lazy("所管部局"))
    def departments_list(self, obj):
        return format_html_join("", "<div>{}</div>", ((d,) for d in obj.departments_display))

    @admin.display(description=gettext_lazy("進行状況（今期）"))
    def current_status(self, obj):
        record = self._current(obj)
        return record.status_notes if record else "－"

    @admin.display(description=gettext_lazy("手続の状態"))
    def current_workflow(self, obj):
        record = self._current(obj)
        return record.get_workflow_state_display() if record else "－"

    @admin.display(description=gettext_lazy("今期の報告"))
    def edit_link(self, obj):
        record = self._current(obj)
        if not record:
            return "－"
        url = reverse("admin:initiatives_yearlyrecord_change", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, eras.fiscal_year_label(record.fiscal_year))

    def _run_on_current_records(self, request, queryset, action, verb):
        year = _current_year(request)
        done, refused = 0, []
        for record in YearlyRecord.objects.filter(initiative__in=queryset, fiscal_year=year).select_related("initiative"):
            try:
                action(record=record, by=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                messages_text = error.messages if isinstance(error, ValidationError) else [str(error)]
                refused.append(f"{record.initiative.number}: {' '.join(messages_text)}")
        if done:
            self.message_user(request, _("%(count)d件を%(verb)sしました。") % {"count": done, "verb": verb}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=gettext_lazy("選択した取組の今期の報告を提出する"))
    def submit_selected(self, request, queryset):
        self._run_on_current_records(request, queryset, services.record_submit, _("提出"))

    @admin.action(description=gettext_lazy("選択した取組の今期の報告を承認する"), permissions=["review"])
    def approve_selected(self, request, queryset):
        self._run_on_current_records(request, queryset, services.record_approve, _("承認"))

    @admin.action(description=gettext_lazy("選択した取組の今期の報告を公開する"), permissions=["review"])
    def publish_selected(self, request, queryset):
        self._run_on_current_records(request, queryset, services.record_publish, _("公開"))

    def has_review_permission(self, request):
        return roles.is_reviewer(request.user)

    @admin.action(description=gettext_lazy("選択した取組をCSVで書き出す"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="initiatives.csv"'
        response.write("\ufeff")  # so that Excel opens UTF-8 Japanese correctly
        writer = csv.writer(response)
        writer.writerow([_("管理番号"), _("取組項目名"), _("柱"), _("所管部局"), _("年度"), _("計画"), _("実績"),
                         _("進行状況"), _("理由"), _("財源確保額（千円）"), _("手続の状態")])
        records = YearlyRecord.objects.filter(initiative__in=queryset).select_related("initiative__pillar").with_statuses()
        departments = {i.pk: "、".join(i.departments_display) for i in queryset}
        for r in records.order_by("initiative__number", "fiscal_year"):
            writer.writerow([csv_cell(value) for value in [
                r.initiative.number, r.initiative.name, r.initiative.pillar.numeral, departments[r.initiative_id],
                r.fiscal_year, r.plan, r.result, r.status_notes, r.delay_reason, r.secured_amount_thousand_yen,
                r.get_workflow_state_display(),
            ]])
        return response


# --- yearly records ---------------------------------------------------------------


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
        return formset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            record_id = request.resolver_match.kwargs.get("object_id")
            departments = Department.objects.filter(responsibilities__initiative__years__pk=record_id)
            if not roles.is_reviewer(request.user):
                departments = departments.filter(pk__in=roles.department_ids(request.user))
            kwargs["queryset"] = departments.distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _may_edit(self, request, obj):
        return obj is not None and YearlyRecordAdmin.record_editable(request, obj)

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
    list_display = ["initiative_number", "initiative_name", "fiscal_year_label", "status", "workflow_state"]
    list_display_links = ["initiative_number", "initiative_name"]
    list_filter = ["fiscal_year", "status", "workflow_state", RecordDepartmentFilter]
    search_fields = ["initiative__name", "plan", "result", "delay_reason"]
    list_select_related = ["initiative"]
    ordering = ["-fiscal_year", "initiative__number"]
    inlines = [DepartmentStatusInline]
    editor_fields = ["plan", "result", "status", "delay_reason", "secured_amount_thousand_yen", "secured_amount_note",
                     "next_steps"]

    def initiative_of(self, obj):
        return obj.initiative

    def get_fieldsets(self, request, obj=None):
        hidden = ["loaded_version", "loaded_initiative_version"]
        return [
            (_("取組"), {"fields": ["initiative_summary", "fiscal_year_label", "workflow_state_display"]}),
            (_("計画・実績"), {"fields": ["schedule_step", "plan", "result"]}),
            (_("進行状況"), {"fields": ["status", "delay_reason"]}),
            (_("財源確保額（当初予算時）"), {"fields": ["secured_amount_thousand_yen", "secured_amount_note"]}),
            (_("今後の予定"), {"fields": ["next_steps", *hidden]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        always = ["initiative_summary", "fiscal_year_label", "workflow_state_display"]
        if obj is None or not self.record_editable(request, obj):
            return always + ["schedule_step", *self.editor_fields]
        return always + ([] if roles.is_reviewer(request.user) else ["schedule_step"])

    @staticmethod
    def record_editable(request, obj) -> bool:
        try:
            services.ensure_record_editable(record=obj, by=request.user)
        except (ValidationError, PermissionDenied):
            return False
        return True

    def has_add_permission(self, request):
        return False  # records are created when the reform office opens a cycle

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ["schedule_step", *self.editor_fields]
                if name in form.cleaned_data and name != "next_steps"}
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
        formset.save()

    @admin.display(description=gettext_lazy("今後の予定"))
    def next_steps(self, obj):
        """Shown read-only when the record cannot be edited (the form field otherwise)."""
        return obj.initiative.next_steps

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
                self.message_user(request, _("公開しました。市民向けページに反映されます。"), messages.SUCCESS)
            else:
                self.message_user(request, _("不明な操作です。"), messages.ERROR)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
        except PermissionDenied as error:
            self.message_user(request, str(error) or _("この操作を行う権限がありません。"), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:initiatives_yearlyrecord_change", args=[record.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            is_reviewer = roles.is_reviewer(request.user)
            state = obj.workflow_state
            can_edit = roles.can_edit(request.user, obj.initiative)
            context.update(
                record=obj,
                workflow_url=reverse("admin:initiatives_yearlyrecord_workflow", args=[obj.pk]),
                can_submit=can_edit and self.record_editable(request, obj)
                and state in {WorkflowState.NOT_STARTED, WorkflowState.DRAFT, WorkflowState.RETURNED},
                can_review=is_reviewer and state == WorkflowState.SUBMITTED,
                can_publish=is_reviewer and state == WorkflowState.APPROVED,
                return_form=ReturnForm(),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=gettext_lazy("管理番号"), ordering="initiative__number")
    def initiative_number(self, obj):
        return obj.initiative.number

    @admin.display(description=gettext_lazy("取組項目名"))
    def initiative_name(self, obj):
        return obj.initiative.name

    @admin.display(description=gettext_lazy("年度"), ordering="fiscal_year")
    def fiscal_year_label(self, obj):
        return eras.fiscal_year_label_with_western(obj.fiscal_year)

    @admin.display(description=gettext_lazy("手続の状態"))
    def workflow_state_display(self, obj):
        return obj.get_workflow_state_display()

    @admin.display(description=gettext_lazy("取組"))
    def initiative_summary(self, obj):
        initiative = obj.initiative
        url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
        return format_html(
            '<a href="{}">{}. {}</a><div>{}</div><details><summary>{}</summary>{}</details>',
            url, initiative.number, initiative.name, "、".join(initiative.departments_display),
            _("令和5年度までの経過や背景"), linebreaks(initiative.background),
        )


@admin.register(PublishedVersion)
class PublishedVersionAdmin(admin.ModelAdmin):
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


# --- reporting cycles -------------------------------------------------------------


class ReportingCycleForm(forms.ModelForm):
    class Meta:
        model = services.ReportingCycle
        fields = ["program", "fiscal_year", "label", "deadline"]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].required = False
        self.fields["label"].help_text = _("空欄なら「令和N年度当初」（報告対象年度の翌年度）とします。")


@admin.register(services.ReportingCycle)
class ReportingCycleAdmin(admin.ModelAdmin):
    form = ReportingCycleForm
    list_display = ["label", "fiscal_year_label", "deadline", "state", "overview_link", "annual_report_links"]
    list_filter = ["state", "program"]
    actions = ["close_selected"]

    def get_readonly_fields(self, request, obj=None):
        return ["program", "fiscal_year", "state"] if obj else []

    def has_change_permission(self, request, obj=None):
        return roles.is_reviewer(request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return roles.is_reviewer(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["label", "deadline"])
            return
        opened = services.cycle_open(
            program=obj.program, fiscal_year=obj.fiscal_year, by=request.user, label=obj.label, deadline=obj.deadline
        )
        obj.pk = opened.pk
        obj.label = opened.label

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            base_clean = form.clean

            def clean(self):
                cleaned = base_clean(self)
                program = cleaned.get("program")
                if program and services.open_cycle_of(program):
                    raise ValidationError(_("受付中の報告期があります。先に締め切ってください。"))
                if not cleaned.get("label") and cleaned.get("fiscal_year"):
                    cleaned["label"] = services.ReportingCycle.default_label(cleaned["fiscal_year"])
                    self.instance.label = cleaned["label"]
                return cleaned

            form.clean = clean
        return form

    @admin.display(description=gettext_lazy("報告対象年度"), ordering="fiscal_year")
    def fiscal_year_label(self, obj):
        return eras.fiscal_year_label_with_western(obj.fiscal_year)

    @admin.display(description=gettext_lazy("提出状況"))
    def overview_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:programs_reportingcycle_overview", args=[obj.pk]), _("部局別の提出状況"))

    @admin.display(description=gettext_lazy("年次報告"))
    def annual_report_links(self, obj):
        """Downloads of the cycle's annual report (reports app), built from what is published in it."""
        return format_html(
            '<a href="{}">{}</a>　<a href="{}">{}</a>',
            reverse("reports:annual-pdf", args=[obj.pk]), _("PDF"),
            reverse("reports:annual-xlsx", args=[obj.pk]), _("Excel"),
        )

    @admin.action(description=gettext_lazy("選択した報告期を締め切る"))
    def close_selected(self, request, queryset):
        for cycle in queryset:
            try:
                services.cycle_close(cycle=cycle, by=request.user)
                self.message_user(request, _("「%(label)s」を締め切りました。") % {"label": cycle.label}, messages.SUCCESS)
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"{cycle.label}: {text}", messages.ERROR)

    def get_urls(self):
        return [
            path("<int:cycle_id>/overview/", self.admin_site.admin_view(self.overview_view), name="programs_reportingcycle_overview"),
            *super().get_urls(),
        ]

    def overview_view(self, request, cycle_id):
        """Per department, each initiative's state in the cycle: the list the reform office chases."""
        from django.template.response import TemplateResponse

        from .selectors import cycle_overview

        if not self.has_view_permission(request):
            raise PermissionDenied
        cycle = get_object_or_404(services.ReportingCycle, pk=cycle_id)
        overview = cycle_overview(cycle, visible_to=request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(label)s 部局別の提出状況") % {"label": cycle.label},
            "cycle": cycle,
            "overview": overview,
            "states": WorkflowState.choices,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/initiatives/cycle_overview.html", context)
