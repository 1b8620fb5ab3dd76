from axes import apps
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy
from django_tasks_db.apps import TasksAppConfig


class StaffAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's own site (reformtracker/admin.py) as `admin.site`."""

    default_site = "reformtracker.admin.StaffAdminSite"


# Third-party apps whose names the admin shows as plain English strings (not through gettext):
# the same apps under a Japanese name (their label, tables and URLs are unchanged).

class AxesConfig(apps.AppConfig):
    """django-axes, the login lockout."""

    default_auto_field = "django.db.models.AutoField"
    verbose_name = gettext_lazy("ログインの記録")


class TasksConfig(TasksAppConfig):
    """django-tasks-db, the background tasks' queue; every process that runs a task logs one line for it."""

    verbose_name = gettext_lazy("バックグラウンド処理")

    def ready(self):
        super().ready()
        from django.tasks.signals import task_finished

        from core.tasks import log_task_run

        task_finished.connect(log_task_run, dispatch_uid="core.tasks.log_task_run")
