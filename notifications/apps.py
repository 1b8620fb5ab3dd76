from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("通知")

    def ready(self):
        from initiatives.roles import ensure_roles
        from initiatives.signals import cycle_opened, cycle_released, record_returned

        from . import receivers

        # The roles grant permissions of apps after initiatives (reports, the task queue, this one), which exist
        # only once those apps have migrated: grant them again then (on a new database they did not exist yet).
        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="notifications.ensure_roles")

        cycle_opened.connect(receivers.on_cycle_opened, dispatch_uid="notifications.cycle_opened")
        record_returned.connect(receivers.on_record_returned, dispatch_uid="notifications.record_returned")
        cycle_released.connect(receivers.on_cycle_released, dispatch_uid="notifications.cycle_released")
