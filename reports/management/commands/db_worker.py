"""python manage.py db_worker: django-tasks-db's worker, which also takes back the report builds of dead workers.

The same command and options as django-tasks-db's own (this app comes first in INSTALLED_APPS, so
its command is the one `manage.py` runs). Before it takes its first task, and then every half
build lease (at most every 30 s) from a thread of its own, the worker records its heartbeat
(health.services.heartbeat_record: the readiness check knows from it that a worker runs) and does the
reports' housekeeping (reports.builds.housekeeping): builds whose worker died are queued again, and a
released cycle whose reports are ready becomes public.

Each task run is one log line (core.tasks.log_task_run), under the id of the request that queued it.
"""
import logging
import os
import threading
import time

from django.conf import settings
from django.db import connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands import db_worker

from health.services import heartbeat_record
from reports import builds

logger = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 30  # seconds; well under the readiness check's REFORMTRACKER_WORKER_HEARTBEAT_MAX_AGE


def _housekeeping_once(worker_id: str) -> None:
    try:
        heartbeat_record(worker_id=worker_id)
    except Exception:  # noqa: BLE001 — recorded again at the next round
        logger.exception("The worker's heartbeat could not be recorded")
    try:
        builds.housekeeping()
    except Exception:  # noqa: BLE001 — tried again at the next round; the worker goes on with its tasks
        logger.exception("The reports' housekeeping failed")


def _keep_house(worker_id: str) -> None:
    """Every half lease (at most every HEARTBEAT_INTERVAL), for as long as the worker runs (a daemon thread ends
    with it)."""
    while True:
        time.sleep(min(settings.REPORTS_BUILD_LEASE_SECONDS / 2, HEARTBEAT_INTERVAL))
        _housekeeping_once(worker_id)
        connections.close_all()  # this thread's own connection, opened again next round


class Command(db_worker.Command):
    help = "データベースのタスクを実行するワーカー。止まったワーカーの年次報告の作成も引き継ぎます。"

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        if verbosity == 1:  # django.tasks' two lines per task give way to ours; its failures (with traceback) stay
            logging.getLogger(TASKS_LOGGER).setLevel(logging.WARNING)

    def handle(self, *args, **options):
        reloading_parent = (
            options.get("reload") and not options.get("batch") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        )
        if not reloading_parent:  # with --reload, only the child process that runs the tasks keeps house
            _housekeeping_once(options["worker_id"])
            connections.close_all()
            threading.Thread(
                target=_keep_house, args=(options["worker_id"],), name="reports-housekeeping", daemon=True
            ).start()
        return super().handle(*args, **options)
