"""The real background worker: `manage.py db_worker` in a process of its own runs what the portal queued.

PostgreSQL only (`make test`'s second run): the worker must read the rows the test committed, and
the SQLite test database lives in the test process's memory.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from initiatives import services
from notifications.models import Delivery, Kind, Notification

from .conftest import submit

BASE_DIR = Path(__file__).resolve().parent.parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def database_backend(settings):
    if connection.vendor != "postgresql":
        pytest.skip("db_worker runs in another process: PostgreSQL run only (make test-postgresql); "
                    "the SQLite test database is in this process's memory")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker(tmp_path) -> subprocess.CompletedProcess:
    """`db_worker --batch`: runs every task that is ready, then exits."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "reformtracker.settings.test",
        "REFORMTRACKER_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "REFORMTRACKER_VAR_DIR": str(tmp_path),  # its mail is written to tmp_path/mail
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300,
    )


def test_a_real_worker_sends_the_mail_a_return_queued(staff, database_backend, tmp_path):
    submit(staff, 2)
    services.record_return(record=staff.record(2), by=staff.reviewer, comment="件数を確認してください")
    notification = Notification.objects.get(kind=Kind.RECORD_RETURNED)
    assert notification.delivery == Delivery.QUEUED  # nothing was sent by the request itself
    assert DBTaskResult.objects.ready().count() == 1

    result = run_worker(tmp_path)
    assert result.returncode == 0, result.stderr

    notification.refresh_from_db()
    assert notification.delivery == Delivery.SENT and notification.attempts == 1
    assert DBTaskResult.objects.successful().count() == 1
    mails = list((tmp_path / "mail").iterdir())
    assert len(mails) == 1 and b"To: editor-doboku@city.asahikawa.example" in mails[0].read_bytes()
