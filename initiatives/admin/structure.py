"""The program's frame and its ledger in the staff tool, limited to the programs the user reviews.

programs/admin.py and finance/admin.py define these admins; those apps do not import
initiatives, where the roles are, so the program scope (scoping.ProgramScopedAdmin) is
applied here and the admins are registered again with it: a reviewer named for the
strategy neither sees nor edits the reform program, its pillars or its ledger.
"""
from django.contrib import admin

from finance.admin import LedgerCategoryAdmin, LedgerStatementAdmin
from finance.models import LedgerCategory, LedgerStatement
from programs.admin import PerspectiveInline, PillarInline, ProgramAdmin
from programs.models import Program

from .. import roles
from .scoping import ProgramScopedAdmin, ProgramScopedChoices


class ScopedPerspectiveInline(ProgramScopedChoices, PerspectiveInline):
    pass


class ScopedPillarInline(ProgramScopedChoices, PillarInline):
    """A pillar's perspective is one of its own program's."""


class ScopedProgramAdmin(ProgramScopedAdmin, ProgramAdmin):
    inlines = [ScopedPerspectiveInline, ScopedPillarInline]

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
