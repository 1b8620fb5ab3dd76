"""The builds of the annual reports in the staff tool: what is being built, what is served, what failed and why.

A reviewer sees the builds of the programs they review only (the program scope, initiatives/admin/scoping.py)."""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from core.admin import LogAdmin
from initiatives.admin.scoping import ProgramScopedAdmin

from . import builds
from .models import BuildState, ReportBuild


@admin.register(ReportBuild)
class ReportBuildAdmin(ProgramScopedAdmin, LogAdmin):
    list_display = ["cycle", "format", "state", "attempts", "enqueued_at", "finished_at", "size", "error_summary"]
    list_filter = ["state", "format", "cycle"]
    list_select_related = ["cycle"]
    fields = ["cycle", "format", "fingerprint", "state", "attempts", "error", "file_name", "size",
              "enqueued_at", "started_at", "lease_expires_at", "finished_at"]
    readonly_fields = fields
    actions = ["rebuild_selected"]

    @admin.action(description=gettext_lazy("選択した年次報告をもう一度作成する（完成していないもの）"), permissions=["change"])
    def rebuild_selected(self, request, queryset):
        """Any build not ready: failed, or waiting or 作成中 for longer than it should (a worker that died)."""
        waiting = list(queryset.exclude(state=BuildState.READY).select_related("cycle__program"))
        for report in waiting:
            builds.retry_build(report)
        self.message_user(
            request,
            ngettext("%(n)d件をもう一度作成します。", "%(n)d件をもう一度作成します。", len(waiting)) % {"n": len(waiting)},
            messages.SUCCESS,
        )
