from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's own site (reformtracker/admin.py) as `admin.site`."""

    default_site = "reformtracker.admin.StaffAdminSite"
