"""Initiatives in the staff tool: the list staff start from, the structure the reform office edits.

The list's "今期" columns, filters and bulk actions concern the open cycle's records only
(`YearlyRecord.objects.current()`); when no cycle is open they say so and do nothing.
The four-year 作業工程 is edited here, one row per fiscal year, by the reform office.
"""
import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from accounts import roles
from programs import eras
from programs.models import ReportingCycle
from programs.spreadsheets import csv_cell

from .. import services
from ..forms import InitiativeForm
from ..models import Initiative, Listing, Responsibility, ResponsibilityDivision, ScheduleStep, YearlyRecord
from .scoping import (
    NO_OPEN_CYCLE,
    DepartmentFilter,
    ProgramScopedAdmin,
    ProgramScopedChoices,
    ScopedAdmin,
    StatusFilter,
    WorkflowFilter,
    error_text,
)


class ReviewerEditsInline(ProgramScopedChoices, admin.TabularInline):
    """Structure: the reform office edits it; others see it read-only. Its choices are of the item's own program."""

    def has_add_permission(self, request, obj=None):
        return roles.is_reviewer(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_reviewer(request.user)

    def has_delete_permission(self, request, obj=None):
        return roles.is_reviewer(request.user)


class ResponsibilityInline(ReviewerEditsInline):
    """The responsible departments; their divisions, in printed order, are edited on the responsibility's page."""

    model = Responsibility
    extra = 0
    fields = ["department", "order", "divisions_display"]
    readonly_fields = ["divisions_display"]
    show_change_link = True

    @admin.display(description=gettext_lazy("課（表示順）"))
    def divisions_display(self, obj):
        return "・".join(d.name for d in obj.ordered_divisions) if obj.pk else ""


class ResponsibilityDivisionInline(admin.TabularInline):
    model = ResponsibilityDivision
    extra = 1
    fields = ["division", "order"]


@admin.register(Responsibility)
class ResponsibilityAdmin(ProgramScopedAdmin, SimpleHistoryAdmin):
    """A responsibility's divisions in the order the report prints them; structure, so reviewers only."""

    list_display = ["initiative", "departments_and_divisions"]
    list_select_related = ["initiative", "department"]
    inlines = [ResponsibilityDivisionInline]
    fields = ["initiative", "department", "order"]
    readonly_fields = ["initiative"]

    def has_module_permission(self, request):
        return roles.is_reviewer(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.is_reviewer(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return roles.is_reviewer(request.user) and super().has_change_permission(request, obj)

    @admin.display(description=gettext_lazy("所管部局（課）"))
    def departments_and_divisions(self, obj):
        return obj.display

    def has_add_permission(self, request):
        return False  # added from the initiative's page

    def has_delete_permission(self, request, obj=None):
        return False


class ListingInline(ReviewerEditsInline):
    """Where the item is listed again (再掲), under another pillar with the number it has there."""

    model = Listing
    extra = 0
    fields = ["pillar", "number"]  # the pillars of the item's own program (ProgramScopedChoices)


class ScheduleStepInline(ReviewerEditsInline):
    """The four-year 作業工程, one row per fiscal year of the program: the reform office edits it,
    departments read it (the initiative's page is read-only for them)."""

    model = ScheduleStep
    extra = 0
    verbose_name = gettext_lazy("作業工程（年度ごと）")
    verbose_name_plural = gettext_lazy("作業工程（プログラム期間の年度ごと）")

    def get_fields(self, request, obj=None):
        return ["fiscal_year", "step"] if roles.is_reviewer(request.user) else ["fiscal_year_label", "step"]

    def get_readonly_fields(self, request, obj=None):
        return [] if roles.is_reviewer(request.user) else ["fiscal_year_label", "step"]

    def get_max_num(self, request, obj=None, **kwargs):
        return len(obj.program.fiscal_years) if obj is not None else None

    def get_formset(self, request, obj=None, **kwargs):
        """The year is chosen among the program's years (the model's clean checks it again)."""
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("fiscal_year")
        if obj is not None and field is not None:
            formset.form.base_fields["fiscal_year"] = forms.TypedChoiceField(
                label=field.label,
                coerce=int,
                choices=[("", _("年度を選んでください")),
                         *((year, eras.fiscal_year_label_with_western(year)) for year in obj.program.fiscal_years)],
            )
        return formset

    @admin.display(description=gettext_lazy("年度"))
    def fiscal_year_label(self, obj):
        return eras.fiscal_year_label_with_western(obj.fiscal_year)

    def has_view_permission(self, request, obj=None):
        return roles.is_reviewer(request.user) or roles.is_editor(request.user)


class YearlyRecordInline(admin.TabularInline):
    """Every year of the initiative, read-only here; each opens on its own page for editing."""

    model = YearlyRecord
    extra = 0
    show_change_link = True
    fields = ["fiscal_year_label", "cycle", "plan", "status_notes", "workflow_state"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cycle").with_statuses()

    @admin.display(description=gettext_lazy("年度"))
    def fiscal_year_label(self, obj):
        return eras.fiscal_year_label_with_western(obj.fiscal_year)

    @admin.display(description=gettext_lazy("進行状況"))
    def status_notes(self, obj):
        return obj.status_notes


class WithdrawForm(forms.Form):
    """The year from which a withdrawn initiative is no longer reported, and why."""

    fiscal_year = forms.IntegerField(
        label=gettext_lazy("終了する年度（西暦）"), min_value=2000, max_value=2100,
        help_text=gettext_lazy("この年度以降の報告期では報告しません（例: 2026 = 令和8年度）。公表済みの報告はそのまま残ります。"),
    )
    reason = forms.CharField(label=gettext_lazy("終了の理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


@admin.register(Initiative)
class InitiativeAdmin(ScopedAdmin):
    form = InitiativeForm
    change_list_template = "admin/initiatives/initiative/change_list.html"
    list_display = [
        "program_column", "number", "name", "pillar_numeral", "departments_list", "current_status", "current_workflow", "edit_link"
    ]
    list_display_links = ["number", "name"]
    list_filter = ["program", "pillar", StatusFilter, WorkflowFilter, DepartmentFilter]
    search_fields = ["name", "background", "next_steps", "years__plan", "years__result"]
    ordering = ["program", "pillar__order", "number"]
    list_per_page = 60
    inlines = [ResponsibilityInline, ListingInline, ScheduleStepInline, YearlyRecordInline]
    actions = ["submit_selected", "approve_selected", "publish_selected", "withdraw_selected", "export_csv"]

    # 今後の予定 is reported with the year's record and edited on the record's page.
    readonly_fields = ["next_steps"]

    def get_queryset(self, request):
        current = YearlyRecord.objects.current().select_related("cycle").prefetch_related("department_statuses")
        return (
            super().get_queryset(request)
            .with_structure()
            .select_related("program")
            .annotate(has_open_cycle=Exists(ReportingCycle.objects.open().filter(program=OuterRef("program"))))
            .prefetch_related(Prefetch("years", queryset=current, to_attr="current_records"))
        )

    def get_inlines(self, request, obj):
        """再掲 only where a program numbers per level (the strategy); 管理番号 1–54 are never listed twice."""
        if obj is not None and obj.program.numbered_per_level:
            return self.inlines
        return [inline for inline in self.inlines if inline is not ListingInline]

    def changelist_view(self, request, extra_context=None):
        """The cycles staff work on now, named above the list (or that none is open)."""
        current = roles.in_program_scope(request.user, ReportingCycle.objects.open().select_related("program"))
        context = {"current_cycles": list(current), **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)

    def has_change_permission(self, request, obj=None):
        """The initiative itself (structure) is the reform office's; departments edit the yearly record."""
        return roles.is_reviewer(request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return roles.is_reviewer(request.user) and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        if not change:  # its records in the program's unreleased cycles come with it
            services.initiative_create(initiative=obj, by=request.user)
            return
        data = {name: form.cleaned_data[name] for name in form.changed_data if name != "loaded_version"}
        services.initiative_update(
            initiative=obj, by=request.user, data=data, expected_version=form.cleaned_data.get("loaded_version")
        )

    def _current(self, obj):
        return obj.current_records[0] if getattr(obj, "current_records", None) else None

    @admin.display(description=gettext_lazy("柱"), ordering="pillar__order")
    def pillar_numeral(self, obj):
        return obj.pillar.key

    @admin.display(description=gettext_lazy("所管部局"))
    def departments_list(self, obj):
        return format_html_join("", "<div>{}</div>", ((d,) for d in obj.departments_display))

    @admin.display(description=gettext_lazy("進行状況（今期）"))
    def current_status(self, obj):
        record = self._current(obj)
        if record is None:
            return "－" if getattr(obj, "has_open_cycle", False) else NO_OPEN_CYCLE
        return record.status_notes

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
        """Apply a workflow service to the open cycle's record of each selected initiative; never to a closed cycle's."""
        records = (
            YearlyRecord.objects.current()
            .filter(initiative__in=queryset.values("pk"))
            .select_related("initiative", "cycle")
            .order_by("initiative__number")
        )
        if not records:
            self.message_user(
                request,
                _("受付中の報告期はありません。締め切った報告期や公表済みの報告期の記録は%(verb)sできません。"
                  "行政改革課が報告期を開いてから操作してください。") % {"verb": verb},
                messages.WARNING,
            )
            return
        without = queryset.exclude(pk__in=records.values("initiative")).order_by("number")
        done, refused = 0, []
        for record in records:
            try:
                action(record=record, by=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                refused.append(f"{record.initiative.number}. {record.initiative.name}: {error_text(error)}")
        if done:
            self.message_user(
                request,
                _("%(cycle)sの報告%(count)d件を%(verb)sしました。") % {"cycle": records[0].cycle.label, "count": done, "verb": verb},
                messages.SUCCESS,
            )
        for line in refused:
            self.message_user(request, line, messages.ERROR)
        for initiative in without:
            self.message_user(
                request,
                _("%(number)s. %(name)s: 受付中の報告期にこの取組の報告がないため%(verb)sしませんでした。")
                % {"number": initiative.number, "name": initiative.name, "verb": verb},
                messages.WARNING,
            )

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

    @admin.action(description=gettext_lazy("選択した取組を終了する（削除せず、指定した年度から報告しない）"), permissions=["review"])
    def withdraw_selected(self, request, queryset):
        """An initiative ended mid-program (廃止・終了) is withdrawn from a year on, with a reason, after the office
        confirms both; what was published about it stays. Each refusal is a message."""
        form = WithdrawForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for initiative in queryset:
                try:
                    services.initiative_withdraw(
                        initiative=initiative, by=request.user,
                        fiscal_year=form.cleaned_data["fiscal_year"], reason=form.cleaned_data["reason"],
                    )
                    done += 1
                except (ValidationError, PermissionDenied) as error:
                    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                    self.message_user(request, f"{initiative}: {text}", messages.ERROR)
            if done:
                self.message_user(request, _("%(count)s件の取組を終了しました。") % {"count": done}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("取組の終了"),
            "initiatives": list(queryset),
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/initiatives/initiative/withdraw_confirmation.html", context)

    @admin.action(description=gettext_lazy("選択した取組をCSVで書き出す"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="initiatives.csv"'
        response.write("\ufeff")  # so that Excel opens UTF-8 Japanese correctly
        writer = csv.writer(response)
        writer.writerow([_("管理番号"), _("取組項目名"), _("柱"), _("所管部局"), _("年度"), _("計画"), _("実績"),
                         _("進行状況"), _("理由"), _("財源確保額（千円）"), _("手続の状態")])
        records = (
            YearlyRecord.objects.filter(initiative__in=queryset.values("pk"))
            .select_related("initiative__pillar")
            .with_statuses()
        )
        departments = {i.pk: "、".join(i.departments_display) for i in queryset}
        for r in records.order_by("initiative__number", "fiscal_year"):
            writer.writerow([csv_cell(value) for value in [
                r.initiative.number, r.initiative.name, r.initiative.pillar.numeral, departments[r.initiative_id],
                r.fiscal_year, r.plan, r.result, r.status_notes, r.delay_reason, r.secured_amount_thousand_yen,
                r.get_workflow_state_display(),
            ]])
        return response
