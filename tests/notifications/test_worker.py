"""The real background worker: `manage.py db_worker` in a process of its own sends what the portal queued, logs each
task under the id of the request that queued it, and records its heartbeat (PostgreSQL only: tests/worker.py)."""
import json
import os
import socket
import time

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from health.models import WorkerHeartbeat
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
    (heartbeat,) = WorkerHeartbeat.objects.all()  # recorded when the worker started
    assert heartbeat.host == socket.gethostname() and heartbeat.pid != os.getpid()


def test_a_real_worker_logs_the_task_under_the_request_id_that_queued_it(staff, settings, client, tmp_path):
    require_postgresql()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    submit(staff, 2)
    client.force_login(staff.reviewer)
    response = client.post(reverse("admin:initiatives_yearlyrecord_workflow", args=[staff.record(2).pk]),
                           {"action": "return", "comment": "件数を確認してください"}, HTTP_X_REQUEST_ID="req-to-worker")
    assert response.status_code == 302

    result = db_worker(tmp_path, env={"REFORMTRACKER_LOG_FORMAT": "json"})
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    (line,) = [line for line in lines if line["name"] == "reformtracker.tasks"]
    assert (line["task"], line["outcome"], line["request_id"]) == (
        "notifications.tasks.send_notification", "successful", "req-to-worker")
    assert line["task_id"] == str(DBTaskResult.objects.get().id)
    assert not [line for line in lines if line["name"] == "django.tasks"]  # its two lines per task give way to ours


def test_a_running_worker_beats_and_the_portal_is_ready_only_while_it_does(settings, client, tmp_path):
    require_postgresql()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_HEARTBEAT_MAX_AGE = 3
    assert client.get(reverse("health-ready")).status_code == 503  # no worker yet
    worker = db_worker(tmp_path, wait=False, batch=False, env={"REFORMTRACKER_BUILD_LEASE_SECONDS": "2"})  # a round a second
    try:
        beats = set()
        deadline = time.monotonic() + 60
        while len(beats) < 3 and time.monotonic() < deadline:  # the beat at start, then the rounds
            beats |= set(WorkerHeartbeat.objects.filter(pid=worker.pid).values_list("beat_at", flat=True))
            time.sleep(0.2)
        assert len(beats) >= 3
        heartbeat = WorkerHeartbeat.objects.get()
        assert (heartbeat.host, heartbeat.pid) == (socket.gethostname(), worker.pid)
        assert client.get(reverse("health-ready")).status_code == 200
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    time.sleep(settings.WORKER_HEARTBEAT_MAX_AGE + 1)
    report = client.get(reverse("health-ready")).json()
    assert report["status"] == "error" and report["checks"]["worker"]["status"] == "error"
