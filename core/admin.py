"""The admin of a log the code writes (notifications, report builds)."""
from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy


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
