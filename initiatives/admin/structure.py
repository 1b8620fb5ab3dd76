"""The program's frame and its ledger in the staff tool, limited to the programs the user reviews.

programs/admin.py and finance/admin.py define these admins; those apps do not import
initiatives, where the program scope is, so the program scope (scoping.ProgramScopedAdmin) is
applied here and the admins are registered again with it: a reviewer named for the
strategy neither sees nor edits the reform program, its pillars or its ledger.
"""
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path

from accounts import roles
from finance.admin import LedgerCategoryAdmin, LedgerStatementAdmin
from finance.models import LedgerCategory, LedgerStatement
from programs.admin import PerspectiveInline, PillarInline, ProgramAdmin, ProgramStatusInline
from programs.models import Program

from . import plans
from .scoping import ProgramScopedAdmin, ProgramScopedChoices


class ScopedPerspectiveInline(ProgramScopedChoices, PerspectiveInline):
    pass


class ScopedPillarInline(ProgramScopedChoices, PillarInline):
    """A pillar's perspective is one of its own program's."""


class ScopedProgramAdmin(ProgramScopedAdmin, ProgramAdmin):
    inlines = [ScopedPerspectiveInline, ScopedPillarInline, ProgramStatusInline]
    change_list_template = "admin/programs/program/change_list.html"
    change_form_template = "admin/programs/program/change_form.html"

    def get_urls(self):
        """The plan workbook (admin/plans.py): load a new plan, download the template, write a program's plan."""
        view = self.admin_site.admin_view
        return [
            path("plan/", view(plans.upload), name="programs_program_plan_upload"),
            path("plan/template.xlsx", view(plans.template), name="programs_program_plan_template"),
            path("plan/confirm/", view(plans.confirm), name="programs_program_plan_confirm"),
            path("<path:object_id>/plan.xlsx", view(self.plan_export), name="programs_program_plan_export"),
            *super().get_urls(),
        ]

    def plan_export(self, request, object_id):
        program = self.get_object(request, object_id)
        if program is None or not self.has_view_permission(request, program):
            raise PermissionDenied
        return plans.export(program)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_load_plan": roles.reviews_new_programs(request.user)}
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        """A new program names no reviewers: it is added by those who review such programs (or a superuser)."""
        return super().has_add_permission(request) and roles.reviews_new_programs(request.user)


class ScopedLedgerCategoryAdmin(ProgramScopedAdmin, LedgerCategoryAdmin):
    pass


class ScopedLedgerStatementAdmin(ProgramScopedAdmin, LedgerStatementAdmin):
    pass


for model, model_admin in [
    (Program, ScopedProgramAdmin),
    (LedgerCategory, ScopedLedgerCategoryAdmin),
    (LedgerStatement, ScopedLedgerStatementAdmin),
]:
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
