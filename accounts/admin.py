"""Staff accounts in the admin, with duties separated.

The システム管理者 role manages accounts (auth.* permissions), but superuser, reviewer and
財政課 powers are granted only by a superuser: a non-superuser cannot set `is_superuser` or
individual permissions on anyone, cannot offer the reviewer role (行政改革課（審査・公開）) or
the 財政課 role (財政課（財源確保額）, who confirm the ledger figures), cannot change its own
roles, and sees the accounts of superusers, reviewers and 財政課 read-only (so it cannot take
one over by setting its password, nor remove the role or deactivate the account). The role groups themselves are
defined in code (accounts.roles, re-applied after every migrate) and are read-only
for non-superusers, since renaming a group or changing its permissions changes who may
publish.
"""
from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from accounts.roles import FINANCE, REVIEWER

User = get_user_model()


# The roles only a superuser grants or removes: publishing the city's report, and confirming its ledger figures.
GRANTED_BY_SUPERUSERS = (REVIEWER, FINANCE)


def holds_powers(user) -> bool:
    """Superusers, reviewers and 財政課 (active or not): only a superuser may change their accounts."""
    return user.is_superuser or user.groups.filter(name__in=GRANTED_BY_SUPERUSERS).exists()


class StaffUserAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        fields += ["is_superuser", "user_permissions"]
        if obj is not None and obj.pk == request.user.pk:
            fields.append("groups")
        return fields

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or request.user.is_superuser or not holds_powers(obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or request.user.is_superuser or not holds_powers(obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.exclude(name__in=GRANTED_BY_SUPERUSERS)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)  # the bulk delete does not ask about each account
        return actions


class RoleGroupAdmin(GroupAdmin):
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)
