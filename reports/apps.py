from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("年次報告")

    def ready(self):
        from initiatives.signals import cycle_published, cycle_released

        from .builds import on_published, on_released

        cycle_published.connect(on_published, dispatch_uid="reports.builds.on_published")
        cycle_released.connect(on_released, dispatch_uid="reports.builds.on_released")
