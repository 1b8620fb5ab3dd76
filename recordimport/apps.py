from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordImportConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recordimport"
    verbose_name = _("Excelで一括更新")
