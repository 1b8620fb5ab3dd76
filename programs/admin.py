from django.contrib import admin

from .models import Department, Division, Perspective, Pillar, Program


class PerspectiveInline(admin.TabularInline):
    model = Perspective
    extra = 0


class PillarInline(admin.TabularInline):
    model = Pillar
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "period_label", "as_of_label", "fiscal_target_oku_yen"]
    inlines = [PerspectiveInline, PillarInline]


class DivisionInline(admin.TabularInline):
    model = Division
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    search_fields = ["name", "divisions__name"]
    filter_horizontal = ["members"]
    inlines = [DivisionInline]
