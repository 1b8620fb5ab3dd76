from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("通知")

    def ready(self):
        from initiatives.signals import cycle_opened, cycle_released, record_returned

        from . import receivers

        cycle_opened.connect(receivers.on_cycle_opened, dispatch_uid="notifications.cycle_opened")
        record_returned.connect(receivers.on_record_returned, dispatch_uid="notifications.record_returned")
        cycle_released.connect(receivers.on_cycle_released, dispatch_uid="notifications.cycle_released")
