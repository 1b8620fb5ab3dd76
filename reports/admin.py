"""The builds of the annual reports in the staff tool: what is being built, what is served, what failed and why.

A reviewer sees the builds of the programs they review only (the program scope, initiatives/admin/scoping.py)."""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from initiatives.admin.scoping import ProgramScopedAdmin
from reformtracker.admin import LogAdmin

from . import cache
from .models import BuildState, ReportBuild


@admin.register(ReportBuild)
class ReportBuildAdmin(ProgramScopedAdmin, LogAdmin):
    list_display = ["cycle", "format", "state", "attempts", "enqueued_at", "finished_at", "size", "error_summary"]
    list_filter = ["state", "format", "cycle"]
    list_select_related = ["cycle"]
    fields = ["cycle", "format", "fingerprint", "state", "attempts", "error", "file_name", "size",
              "enqueued_at", "started_at", "finished_at"]
    readonly_fields = fields
    actions = ["rebuild_selected"]

    @admin.action(description=gettext_lazy("選択した失敗した作成をやり直す"), permissions=["change"])
    def rebuild_selected(self, request, queryset):
        failed = list(queryset.filter(state=BuildState.FAILED).select_related("cycle"))
        for report in failed:
            cache.retry_build(report)
        self.message_user(
            request,
            ngettext("%(n)d件の作成をやり直します。", "%(n)d件の作成をやり直します。", len(failed)) % {"n": len(failed)},
            messages.SUCCESS,
        )
