"""The ledger in the staff tool.

財源確保の項目 (categories, targets, why initiatives are linked) is the reform office's frame.
財源確保額（報告ごと） is 財政課's: one statement per initial budget, opened with its reporting cycle,
whose figures 財政課 enters as the report states them (a cumulative amount or one per budget year, in
億円 with one decimal or in 千円) and confirms; the reform office releases them with the cycle. A
confirmed or released statement is read-only. Every write goes through finance/services.py.
A reviewer sees the ledgers of the programs they review only (the scope is applied in
initiatives/admin/structure.py, since finance does not import initiatives).
"""
from contextlib import contextmanager

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from programs import eras, money

from . import services
from .models import LedgerCategory, LedgerEntry, LedgerStatement
from .selectors import ledger_report


@admin.register(LedgerCategory)
class LedgerCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "order", "target_oku_yen", "linked_initiatives"]
    list_filter = ["program", "group"]
    fields = ["program", "group", "order", "name", "target_thousand_yen", "note", "linked_initiatives"]
    readonly_fields = ["linked_initiatives"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("initiatives")

    @admin.display(description=gettext_lazy("対応する取組"))
    def linked_initiatives(self, obj):
        return "、".join(str(i) for i in obj.initiatives.all()) or "－"


class LedgerEntryForm(forms.ModelForm):
    """A figure as the report states it: the number in its unit ('10.1' 億円, '1011707' 千円)."""

    amount = forms.CharField(
        label=gettext_lazy("額"), max_length=20,
        help_text=gettext_lazy("報告書の記載どおり（億円は小数第1位まで、千円は整数）"),
    )

    class Meta:
        model = LedgerEntry
        fields = ["category", "fiscal_year", "amount", "unit", "note"]

    def __init__(self, *args, statement=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "category" not in self.fields:  # read-only: the figures are shown as entered
            return
        if self.instance.pk:
            self.fields["amount"].initial = self.instance.entered_value
        statement = statement or (self.instance.statement if self.instance.statement_id else None)
        if statement is not None:
            self.fields["category"].queryset = LedgerCategory.objects.filter(program_id=statement.program_id)
            years = [y for y in statement.program.fiscal_years if y <= statement.budget_fiscal_year]
            self.fields["fiscal_year"] = forms.TypedChoiceField(
                label=LedgerEntry._meta.get_field("fiscal_year").verbose_name,
                choices=[("", _("累計（%(budget)sまで）") % {"budget": statement})]
                + [(y, _("%(year)s当初予算") % {"year": eras.fiscal_year_label(y)}) for y in years],
                coerce=int, empty_value=None, required=False,
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("amount") not in (None, "") and cleaned.get("unit"):
            try:
                self.instance.secured_thousand_yen = services.parse_amount(cleaned["amount"], cleaned["unit"])
            except ValidationError as error:
                self.add_error("amount", error)
        return cleaned


class LedgerEntryFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "statement": self.instance if self.instance.pk else None}


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    form = LedgerEntryForm
    formset = LedgerEntryFormSet
    extra = 0
    fields = ["category", "fiscal_year", "amount", "unit", "note"]

    def _editable(self, request, obj) -> bool:
        return obj is not None and services.can_edit_figures(request.user) and services.edit_refusal(obj) is None

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if self._editable(request, obj) else ["category", "fiscal_year", "entered", "note"]

    def get_fields(self, request, obj=None):
        return self.fields if self._editable(request, obj) else ["category", "fiscal_year", "entered", "note"]

    @admin.display(description=gettext_lazy("額（入力どおり）"))
    def entered(self, entry):
        return entry.display


class ServiceRefusal(Exception):
    """A service refused a save posted from the statement's page (carries the service's error)."""

    def __init__(self, error):
        super().__init__(str(error))
        self.error = error


@contextmanager
def refused_by_service():
    try:
        yield
    except (ValidationError, PermissionDenied) as error:
        raise ServiceRefusal(error) from error


@admin.register(LedgerStatement)
class LedgerStatementAdmin(SimpleHistoryAdmin):
    """The statements of the programs that have a ledger (a program without one has no figures to state)."""

    list_display = ["__str__", "program", "cycle_label", "state", "confirmed_by", "confirmed_at"]
    list_filter = [("program", admin.RelatedOnlyFieldListFilter), "state"]
    inlines = [LedgerEntryInline]
    actions = ["confirm", "reopen"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(program__has_ledger=True)

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        if db_field.name == "program":
            queryset = (queryset if queryset is not None else db_field.remote_field.model._default_manager.using(db))
            return queryset.filter(has_ledger=True)
        return queryset

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["program", "budget_fiscal_year"]
        return ["program", "budget_fiscal_year", "cycle_label", "state", "confirmed_by", "confirmed_at", "figures"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["program", "budget_fiscal_year", "cycle_label", "state", "confirmed_by", "confirmed_at", "figures"]

    @admin.display(description=gettext_lazy("報告期"))
    def cycle_label(self, obj):
        cycle = obj.cycle
        return f"{cycle.staff_label}（{cycle.get_state_display()}）" if cycle else _("（報告期はまだありません）")

    @admin.display(description=gettext_lazy("集計（報告書の表）"))
    def figures(self, obj):
        report = ledger_report(obj.program, obj.budget_fiscal_year)
        rows = format_html_join(
            "", "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (row.name, money.format_oku_yen(row.target_thousand_yen, unit=True), row.cumulative_display, row.progress)
                for row in report.rows()
            ),
        )
        return format_html(
            "<table><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th>"
            "<th scope='col'>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("項目"), _("財源確保目標額"), _("累計"), _("目標に対する割合"), rows,
        )

    def has_add_permission(self, request):
        return services.can_edit_figures(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # a statement goes with its report

    def save_model(self, request, obj, form, change):
        if not change:
            with refused_by_service():
                created = services.ledger_statement_create(
                    program=obj.program, budget_fiscal_year=obj.budget_fiscal_year, by=request.user
                )
            obj.pk = created.pk

    def save_formset(self, request, form, formset, change):
        entries = formset.save(commit=False)  # fills formset.deleted_objects
        with refused_by_service():
            for entry in formset.deleted_objects:
                services.ledger_entry_delete(entry=entry, by=request.user)
            for entry in entries:
                entry.statement = form.instance
                services.ledger_entry_save(entry=entry, by=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A save the services refuse (a race with a confirmation or the release) is rolled back and comes back as
        a message on the statement's page. A page the user may not see is a 403, never a redirect to itself."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefusal as refusal:
            error = refusal.error
            self.message_user(request, " ".join(getattr(error, "messages", [str(error)])), messages.ERROR)
            if object_id is None:
                return HttpResponseRedirect(reverse("admin:finance_ledgerstatement_changelist"))
            return HttpResponseRedirect(reverse("admin:finance_ledgerstatement_change", args=[object_id]))

    @admin.action(description=gettext_lazy("選択した財源確保額を確定する（財政課）"), permissions=["confirm"])
    def confirm(self, request, queryset):
        self._each(request, queryset, services.ledger_statement_confirm, _("%(statement)sの財源確保額を確定しました。"))

    @admin.action(description=gettext_lazy("選択した財源確保額の確定を取り消す（財政課）"), permissions=["confirm"])
    def reopen(self, request, queryset):
        self._each(request, queryset, services.ledger_statement_reopen, _("%(statement)sの財源確保額を入力中に戻しました。"))

    def has_confirm_permission(self, request):
        return request.user.has_perm(services.CONFIRM_PERMISSION)

    def _each(self, request, queryset, action, message):
        for statement in queryset:
            try:
                action(statement=statement, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, " ".join(getattr(error, "messages", [str(error)])), messages.ERROR)
            else:
                self.message_user(request, message % {"statement": statement}, messages.SUCCESS)
