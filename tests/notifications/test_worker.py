"""The real background worker: `manage.py db_worker` in a process of its own sends what the portal queued
(PostgreSQL only: tests/worker.py)."""
import pytest
from django_tasks_db.models import DBTaskResult

from initiatives import services
from notifications.models import Delivery, Kind, Notification
from tests.worker import db_worker, require_postgresql

from .conftest import submit

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_sends_the_mail_a_return_queued(staff, settings, tmp_path):
    require_postgresql()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    submit(staff, 2)
    services.record_return(record=staff.record(2), by=staff.reviewer, comment="件数を確認してください")
    notification = Notification.objects.get(kind=Kind.RECORD_RETURNED)
    assert notification.delivery == Delivery.QUEUED  # nothing was sent by the request itself
    assert DBTaskResult.objects.ready().count() == 1

    result = db_worker(tmp_path)
    assert result.returncode == 0, result.stderr

    notification.refresh_from_db()
    assert notification.delivery == Delivery.SENT and notification.attempts == 1
    assert DBTaskResult.objects.successful().count() == 1
    mails = list((tmp_path / "mail").iterdir())
    assert len(mails) == 1 and b"To: editor-doboku@city.asahikawa.example" in mails[0].read_bytes()
