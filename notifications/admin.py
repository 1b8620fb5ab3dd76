"""The reform office's log of notifications (who, what, when, delivered or why not), and each person's settings.

The log is read-only: rows are written by services.py and the sending task. A failed
notification can be sent again (to the person's current address) with the bulk action.
A reviewer named for some programs sees the notifications of those programs' cycles and
records, and their own mail (the program scope, initiatives/admin/scoping.py).
Every staff member reaches their own settings page (通知の設定) from the header and the home page.
"""
from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import roles
from core.admin import LogAdmin
from initiatives.admin.scoping import ProgramScopedAdmin

from . import services
from .models import Delivery, Kind, Notification, Preference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["digests", "reminders"]


@admin.register(Notification)
class NotificationAdmin(ProgramScopedAdmin, LogAdmin):
    list_display = ["created_at", "kind", "recipient", "address", "program_cycle", "delivery", "attempts", "error_summary"]
    list_filter = ["delivery", "kind", "cycle"]
    list_select_related = ["recipient", "cycle__program"]
    search_fields = ["recipient__username", "address", "subject"]
    date_hierarchy = "created_at"
    fields = ["kind", "recipient", "address", "cycle", "record", "subject", "body_text", "delivery", "attempts", "error",
              "created_at", "sent_at", "key"]
    readonly_fields = fields
    actions = ["resend_selected"]

    @admin.display(description=gettext_lazy("報告期"), ordering="cycle")
    def program_cycle(self, obj):
        """The cycle with its program: each program has a cycle of the same name every year."""
        return obj.cycle.staff_label if obj.cycle else "-"

    def program_paths(self):
        """A notification belongs to its cycle's program, or (a return, a reminder of a record) its record's."""
        return ["cycle__program", "record__initiative__program"]

    def scope(self, request, queryset):
        """Those of a cycle or record of the user's programs; one of neither (the day's digest) only if it is theirs,
        or the user reviews the programs without named reviewers (the reform office keeps the mail log)."""
        programs = roles.program_scope(request.user)
        if programs is None:
            return queryset
        of_no_program = Q(cycle=None, record=None)
        if not roles.reviews_new_programs(request.user):
            of_no_program &= Q(recipient=request.user)
        return queryset.filter(
            Q(cycle__program__in=programs) | Q(cycle=None, record__initiative__program__in=programs) | of_no_program
        )

    def in_scope(self, request, obj):
        return roles.program_scope(request.user) is None or self.scope(request, Notification.objects.filter(pk=obj.pk)).exists()

    @admin.action(description=gettext_lazy("選択した送信できなかった通知をもう一度送る"), permissions=["change"])
    def resend_selected(self, request, queryset):
        failed = list(queryset.filter(delivery=Delivery.FAILED).select_related("recipient"))
        for notification in failed:
            services.resend(notification)
        self.message_user(
            request,
            ngettext("%(n)d件の通知をもう一度送信待ちにしました。", "%(n)d件の通知をもう一度送信待ちにしました。", len(failed)) % {"n": len(failed)},
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path("preferences/", self.admin_site.admin_view(self.preferences_view), name="notifications_preferences"),
            *super().get_urls(),
        ]

    def preferences_view(self, request):
        """The person's own choices: digests and reminders may be switched off; the others always arrive."""
        preference, _created = Preference.objects.get_or_create(user=request.user)
        form = PreferenceForm(request.POST or None, instance=preference)
        if request.method == "POST" and form.is_valid():
            form.save()
            self.message_user(request, _("通知の設定を保存しました。"), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:notifications_preferences"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("通知の設定"),
            "form": form,
            "always": [Kind.CYCLE_OPENED.label, Kind.RECORD_RETURNED.label, Kind.CYCLE_RELEASED.label],
            "has_address": bool(request.user.email),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/notifications/preferences.html", context)
