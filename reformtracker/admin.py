"""The staff tool's admin site: Django's, with each person's home page as its index.

The index adds what notifications.home computes for the person (an editor's records and
deadline, the reform office's review queue); the template is templates/admin/index.html.
"""
from django.contrib import admin


class StaffAdminSite(admin.AdminSite):
    def index(self, request, extra_context=None):
        from notifications.home import home_context

        return super().index(request, {**home_context(request), **(extra_context or {})})
