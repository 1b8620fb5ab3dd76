"""The staff tool's admin site: Django's, with each person's home page as its index.

The index adds what notifications.home computes for the person (an editor's records and
deadline, the reform office's review queue); the template is templates/admin/index.html.
"""
from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy


class StaffAdminSite(admin.AdminSite):
    def index(self, request, extra_context=None):
        from notifications.home import home_context

        return super().index(request, {**home_context(request), **(extra_context or {})})


class LogAdmin(admin.ModelAdmin):
    """A log the code writes (notifications, report builds): nothing in it is added, edited or deleted by
    hand; the change permission only allows its action on failed rows (try again)."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    @admin.display(description=gettext_lazy("失敗の理由"))
    def error_summary(self, obj):
        return Truncator(obj.error).chars(80)
