"""Reporting cycles in the staff tool: the reform office's yearly routine.

Open a cycle (追加), let the departments report, close it (締め切る), reopen it if a late
approval must still be published (再開する), and release it as the year's report (公表する)
once every initiative is published in it. Each step is a service; the form checks what
the service would refuse so that the message shows on the form. A released cycle is final.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles
from programs import eras
from programs.models import JAPAN, ReportingCycle

from .. import services
from ..models import WorkflowState
from ..selectors import cycle_overview
from .scoping import ProgramScopedAdmin, error_text

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportingCycleForm(forms.ModelForm):
    """Opening a cycle: what cycle_open would refuse is refused here, with its message; the label defaults
    to 「令和N年度当初」. Later: the name, deadline and the report's texts."""

    class Meta:
        model = ReportingCycle
        fields = ["program", "fiscal_year", "label", "deadline", "introduction", "as_of", "ledger_label"]
        widgets = {
            "deadline": DATE_INPUT,
            "as_of": DATE_INPUT,
            "introduction": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "label" in self.fields:
            self.fields["label"].required = False
            self.fields["label"].help_text = _("空欄なら「令和N年度当初」（報告対象年度の翌年度）とします。")
        if "introduction" in self.fields and self.instance.pk is None:
            self.fields["introduction"].help_text = _("空欄なら前回の報告期の前文を、名称を置き換えて下書きします。公表の前に確認してください。")

    def clean(self):
        cleaned = super().clean()
        program = cleaned.get("program") if self.instance.pk is None else self.instance.program
        fiscal_year = cleaned.get("fiscal_year") if self.instance.pk is None else self.instance.fiscal_year
        if self.instance.pk is None and program and fiscal_year:
            refusal = services.cycle_open_refusal(program=program, fiscal_year=fiscal_year)
            if refusal:
                self.open_refused = True
                raise ValidationError(refusal, code="cycle_open_refused")
        if "label" in self.fields and not cleaned.get("label") and fiscal_year:
            cleaned["label"] = ReportingCycle.default_label(fiscal_year)
        return cleaned


    def validate_constraints(self):
        """A year already taken is refused by the check above, in its words; the constraint need not say it again."""
        if not getattr(self, "open_refused", False):
            super().validate_constraints()


def released_message(cycle: ReportingCycle) -> str:
    """What the release did for citizens: shown now, once its reports are built, or from its date."""
    if cycle.is_public:
        text = _("「%(label)s」を公表しました。市民向けページと年次報告はこの報告期を表示します。")
    elif cycle.public_at is None:
        text = _("「%(label)s」を公表しました。年次報告（PDF・Excel）を作成しています。できしだい、市民向けページと年次報告は"
                 "この報告期を表示します（それまでは前回の報告を表示します）。")
    else:
        text = _("「%(label)s」を公表しました。市民向けページと年次報告は、%(moment)sからこの報告期を表示します。")
    moment = date_format(timezone.localtime(cycle.public_at, JAPAN), "DATETIME_FORMAT") if cycle.public_at else ""
    return text % {"label": cycle.staff_label, "moment": moment}


class ReleaseForm(forms.Form):
    """The release date printed as the report's 公開日 (today unless the office says otherwise)."""

    released_on = forms.DateField(label=gettext_lazy("公表日"), widget=DATE_INPUT)


@admin.register(ReportingCycle)
class ReportingCycleAdmin(ProgramScopedAdmin, admin.ModelAdmin):
    form = ReportingCycleForm
    change_form_template = "admin/programs/reportingcycle/change_form.html"
    list_display = ["__str__", "fiscal_year_label", "deadline", "public_state", "released_on", "overview_link", "annual_report_links"]
    list_filter = ["state"]
    actions = ["close_selected", "reopen_selected", "release_selected"]

    def get_fieldsets(self, request, obj=None):
        texts = (_("報告書の文章"), {"fields": ["introduction", "as_of", "ledger_label"]})
        if obj is None:
            return [(None, {"fields": ["program", "fiscal_year", "label", "deadline"]}), texts]
        return [(None, {"fields": ["program", "fiscal_year", "label", "deadline", "public_state", "released_on"]}), texts]

    def get_readonly_fields(self, request, obj=None):
        return ["program", "fiscal_year", "public_state", "released_on"] if obj else []

    @admin.display(description=gettext_lazy("状態"), ordering="state")
    def public_state(self, obj):
        """公表済み（公開待ち：報告書を作成中） until the released reports are built, 公表予定（…） until its date."""
        return obj.public_state_label()

    def has_change_permission(self, request, obj=None):
        """A released cycle is the year's report as published: read-only."""
        if not (roles.is_reviewer(request.user) and super().has_change_permission(request, obj)):
            return False
        return obj is None or (roles.reviews(request.user, obj.program) and not obj.is_released)

    def has_add_permission(self, request):
        return roles.is_reviewer(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A save posted to a released cycle changes nothing and says why; a service's refusal is a message."""
        cycle = self.get_object(request, unquote(object_id)) if object_id else None
        if request.method == "POST" and cycle is not None and cycle.is_released and roles.is_reviewer(request.user):
            self.message_user(request, _("報告期「%(label)s」は公表済みのため変更できません。") % {"label": cycle.staff_label}, messages.ERROR)
            return HttpResponseRedirect(request.path)
        context = {"released_notice": cycle is not None and cycle.is_released, **(extra_context or {})}
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, context)
        try:
            return super().changeform_view(request, object_id, form_url, context)
        except ValidationError as error:  # refused by the service after the form was checked (a race)
            self.message_user(request, error_text(error), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in services.EDITABLE_CYCLE_FIELDS if name in form.changed_data}
            services.cycle_update(cycle=obj, by=request.user, data=data)
            return
        opened = services.cycle_open(
            program=obj.program,
            fiscal_year=obj.fiscal_year,
            by=request.user,
            label=obj.label,
            deadline=obj.deadline,
            introduction=obj.introduction or None,  # blank: drafted from the previous cycle's
            as_of=obj.as_of,
        )
        if obj.ledger_label:
            opened = services.cycle_update(cycle=opened, by=request.user, data={"ledger_label": obj.ledger_label})
        obj.pk, obj.label, obj.introduction = opened.pk, opened.label, opened.introduction
        obj._state.adding = False

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

    # --- the yearly routine: close, reopen, release --------------------------------------

    def _apply(self, request, queryset, service, done_message):
        for cycle in queryset.order_by("fiscal_year"):
            try:
                result = service(cycle=cycle, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, error_text(error), messages.ERROR)
            else:
                text = done_message(result) if callable(done_message) else done_message % {"label": cycle.staff_label}
                self.message_user(request, text, messages.SUCCESS)

    @admin.action(description=gettext_lazy("選択した報告期を締め切る"), permissions=["change"])
    def close_selected(self, request, queryset):
        self._apply(request, queryset, services.cycle_close,
                    _("「%(label)s」を締め切りました。部局はこの報告期の記録を編集できません。"))

    @admin.action(description=gettext_lazy("選択した報告期を再開する"), permissions=["change"])
    def reopen_selected(self, request, queryset):
        self._apply(request, queryset, services.cycle_reopen,
                    _("「%(label)s」を再開しました。記録の編集・承認・公開ができます。"))

    @admin.action(description=gettext_lazy("選択した報告期を公表する"), permissions=["change"])
    def release_selected(self, request, queryset):
        """Release as the year's report: each cycle's problems are listed; the ready ones are released
        after the office confirms the release date (公表日)."""
        ready = []
        for cycle in queryset.order_by("fiscal_year"):
            problems = services.release_problems(cycle)
            for problem in problems:
                self.message_user(request, _("「%(label)s」は公表できません: %(problem)s") % {"label": cycle.staff_label, "problem": problem},
                                  messages.ERROR)
            if not problems:
                ready.append(cycle)
        if not ready:
            return None
        form = ReleaseForm(request.POST if "confirm" in request.POST else None, initial={"released_on": timezone.localdate()})
        if form.is_bound and form.is_valid():
            self._apply(
                request, queryset.filter(pk__in=[c.pk for c in ready]),
                lambda cycle, by: services.cycle_release(cycle=cycle, by=by, released_on=form.cleaned_data["released_on"]),
                released_message,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("報告期の公表"),
            "cycles": ready,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/programs/reportingcycle/release_confirmation.html", context)

    # --- the reform office's chase list ----------------------------------------------------

    def get_urls(self):
        return [
            path("<int:cycle_id>/overview/", self.admin_site.admin_view(self.overview_view), name="programs_reportingcycle_overview"),
            *super().get_urls(),
        ]

    def overview_view(self, request, cycle_id):
        """Per department, each initiative's state in the cycle: the list the reform office chases."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        cycle = get_object_or_404(self.get_queryset(request), pk=cycle_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(label)s 部局別の提出状況") % {"label": cycle.staff_label},
            "cycle": cycle,
            "overview": cycle_overview(cycle, visible_to=request.user),
            "states": WorkflowState.choices,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/initiatives/cycle_overview.html", context)
