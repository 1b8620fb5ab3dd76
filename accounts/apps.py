from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("職員アカウント")

    def ready(self):
        post_migrate.connect(_roles_after_migrate, dispatch_uid="accounts.ensure_roles")


def _roles_after_migrate(sender, app_config, **kwargs):
    """The roles grant permissions of many apps (reports, the task queue, notifications), which exist only once
    those apps have migrated: grant them once, after the last app with models."""
    from .roles import ensure_roles

    if app_config is [config for config in apps.get_app_configs() if config.models_module is not None][-1]:
        ensure_roles()
