from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = _("プログラム")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Program, forget_program_count

        post_save.connect(forget_program_count, sender=Program, dispatch_uid="programs.forget_program_count")
        post_delete.connect(forget_program_count, sender=Program, dispatch_uid="programs.forget_program_count_on_delete")
