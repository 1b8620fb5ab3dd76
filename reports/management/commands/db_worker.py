"""python manage.py db_worker: django-tasks-db's worker, which also takes back the report builds of dead workers.

The same command and options as django-tasks-db's own (this app comes first in INSTALLED_APPS, so
its command is the one `manage.py` runs). Before it takes its first task, and then every half
build lease from a thread of its own, the worker does the reports' housekeeping
(reports.builds.housekeeping): builds whose worker died are queued again, and a released cycle whose
reports are ready becomes public.
"""
import logging
import os
import threading
import time

from django.conf import settings
from django.db import connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from reports import builds

logger = logging.getLogger(__name__)


def _housekeeping_once() -> None:
    try:
        builds.housekeeping()
    except Exception:  # noqa: BLE001 — tried again at the next round; the worker goes on with its tasks
        logger.exception("The reports' housekeeping failed")


def _keep_house() -> None:
    """Every half lease, for as long as the worker runs (a daemon thread ends with it)."""
    while True:
        time.sleep(settings.REPORTS_BUILD_LEASE_SECONDS / 2)
        _housekeeping_once()
        connections.close_all()  # this thread's own connection, opened again next round


class Command(db_worker.Command):
    help = "データベースのタスクを実行するワーカー。止まったワーカーの年次報告の作成も引き継ぎます。"

    def handle(self, *args, **options):
        reloading_parent = (
            options.get("reload") and not options.get("batch") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        )
        if not reloading_parent:  # with --reload, only the child process that runs the tasks keeps house
            _housekeeping_once()
            connections.close_all()
            threading.Thread(target=_keep_house, name="reports-housekeeping", daemon=True).start()
        return super().handle(*args, **options)
