"""Production settings for tests/security/test_login_behind_nginx.py: only the static files
storage differs (plain names, so the test needs no collectstatic)."""
from reformtracker.settings.production import *  # noqa: F401,F403
from reformtracker.settings.production import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
