from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import DepartmentStatus, Initiative, Responsibility, Status, YearlyRecord


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    filter_horizontal = ["divisions"]


class YearlyRecordInline(admin.StackedInline):
    model = YearlyRecord
    extra = 0
    show_change_link = True
    fields = ["fiscal_year", "schedule_step", "plan", "result", "status", "delay_reason",
              "secured_amount_thousand_yen", "secured_amount_note"]


class StatusFilter(admin.SimpleListFilter):
    title = _("進行状況")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(years__status=self.value()).distinct() | queryset.filter(
                years__department_statuses__status=self.value()
            ).distinct()
        return queryset


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "pillar", "departments_list"]
    list_display_links = ["number", "name"]
    list_filter = ["pillar", StatusFilter, "responsibilities__department"]
    search_fields = ["name", "background", "next_steps", "years__plan", "years__result"]
    ordering = ["program", "number"]
    inlines = [ResponsibilityInline, YearlyRecordInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_structure()

    @admin.display(description=_("所管部局"))
    def departments_list(self, obj):
        return "、".join(obj.departments_display)


class DepartmentStatusInline(admin.TabularInline):
    model = DepartmentStatus
    extra = 0


@admin.register(YearlyRecord)
class YearlyRecordAdmin(admin.ModelAdmin):
    list_display = ["initiative", "fiscal_year", "status", "secured_amount_thousand_yen"]
    list_filter = ["fiscal_year", "status"]
    search_fields = ["initiative__name", "plan", "result"]
    inlines = [DepartmentStatusInline]
