"""The readiness check: /healthz/ready and `manage.py check_ready` (health/checks.py)."""
import datetime
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from health import checks
from health.models import WorkerHeartbeat
from health.services import heartbeat_record
from reformtracker.settings.base import mailers

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CHECK_NAMES = {"database", "cache", "reports_storage", "worker", "mail"}
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

pytestmark = pytest.mark.django_db


def ready(client, expected_status: int) -> dict:
    response = client.get(reverse("health-ready"))
    assert response.status_code == expected_status, response.content
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    report = response.json()
    assert set(report["checks"]) == CHECK_NAMES
    return report


def failing(report: dict) -> dict:
    return {name: check["reason"] for name, check in report["checks"].items() if check["status"] != "ok"}


def unreachable_port() -> int:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        return free.getsockname()[1]  # nothing listens on it once closed


@pytest.fixture
def unwritable_reports(settings, tmp_path):
    """The reports storage under a location that cannot be made (its parent is a file), whoever runs the tests."""
    (tmp_path / "a-file").write_text("")
    settings.STORAGES = {**settings.STORAGES, "reports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "a-file" / "reports")},
    }}


def test_ready_when_everything_answers(client):
    report = ready(client, 200)
    assert report["status"] == "ok" and failing(report) == {}
    assert report["checks"]["worker"]["reason"].startswith("no worker expected")  # the tests' immediate backend


def test_the_reports_storage_check_leaves_nothing_behind(client, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "reports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)},
    }}
    ready(client, 200)
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_an_unreachable_cache_is_named(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
                                   "LOCATION": f"127.0.0.1:{unreachable_port()}"}}
    report = ready(client, 503)
    assert report["status"] == "error" and list(failing(report)) == ["cache"]
    assert "127.0.0.1" not in json.dumps(report)


def test_a_reports_storage_that_cannot_be_written_is_named(client, unwritable_reports):
    report = ready(client, 503)
    assert list(failing(report)) == ["reports_storage"]
    assert "a-file" not in json.dumps(report)  # no path either


def test_a_failing_database_is_named_without_its_host(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def down(self, sql, params=None):
        raise OperationalError('connection to server at "db.internal.example" (10.0.0.5), port 5432 failed')

    monkeypatch.setattr(CursorWrapper, "execute", down)
    report = ready(client, 503)
    assert failing(report) == {"database": "failed: OperationalError"}
    assert "db.internal.example" not in json.dumps(report) and "10.0.0.5" not in json.dumps(report)


def test_smtp_settings_are_checked_without_showing_the_server_or_password(client, settings, mailoutbox):
    settings.MAILERS = mailers("smtp+tls://reform:s3cret-pass@mail.internal.example:587")
    report = ready(client, 200)
    assert report["checks"]["mail"]["reason"] == "configured (default: SMTP, port 587, TLS)"
    assert "s3cret" not in json.dumps(report) and "mail.internal.example" not in json.dumps(report)
    assert mailoutbox == []  # configuration only: nothing sent


@pytest.mark.parametrize("mailer", [
    {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {}},  # no host
    {"BACKEND": "no.such.EmailBackend"},
])
def test_a_broken_mail_configuration_is_named(client, settings, mailer):
    settings.MAILERS = {"default": mailer}
    assert failing(ready(client, 503)) == {"mail": "failed: InvalidMailer"}


def test_a_check_that_hangs_is_cut_short_and_the_others_still_answer(client, monkeypatch):
    released = threading.Event()
    monkeypatch.setitem(checks.CHECKS, "cache", lambda: released.wait(30) and "answered late")
    monkeypatch.setattr(checks, "CHECK_TIMEOUT", 0.5)
    started = time.monotonic()
    try:
        report = ready(client, 503)
        assert time.monotonic() - started < 5
        assert failing(report) == {"cache": "no answer within 0.5 s"}
        hung = checks._last_runs["cache"]
        # asked again while it still hangs: no second thread beside it
        assert failing(ready(client, 503)) == {"cache": "the previous check has not answered yet"}
        assert checks._last_runs["cache"] is hung
    finally:
        released.set()
    hung.join(5)
    assert ready(client, 200)["checks"]["cache"]["reason"] == "answered late"


def test_ready_is_never_taken_from_the_public_page_cache(client, settings, unwritable_reports):
    settings.PUBLIC_PAGE_CACHE = True
    ready(client, 503)
    settings.STORAGES = {key: value for key, value in settings.STORAGES.items() if key != "reports"} | {
        "reports": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    ready(client, 200)


# --- the worker's heartbeat (the database backend: a worker is expected) ---------------------------------
# These read what the test committed from the checks' own threads: transactional tests.


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_and_no_worker_ever_seen_the_worker_is_named(client, settings):
    settings.TASKS = DATABASE_TASKS
    assert failing(ready(client, 503)) == {"worker": "no worker has ever reported (is db_worker running?)"}


@pytest.mark.django_db(transaction=True)
def test_a_stale_heartbeat_is_named_and_a_fresh_one_is_ready(client, settings):
    settings.TASKS = DATABASE_TASKS
    settings.WORKER_HEARTBEAT_MAX_AGE = 120
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    WorkerHeartbeat.objects.create(worker_id="dead", host="worker-1", pid=4242, started_at=long_ago, beat_at=long_ago)
    reason = failing(ready(client, 503))["worker"]
    assert reason.startswith("the newest worker heartbeat is 60") and reason.endswith("s old (more than 120 s)")

    heartbeat_record(worker_id="alive")  # another worker, running: the dead one's row is harmless
    report = ready(client, 200)
    assert report["checks"]["worker"]["reason"] in {"the newest worker heartbeat is 0 s old",
                                                    "the newest worker heartbeat is 1 s old"}
    assert "worker-1" not in json.dumps(report)


# --- the command -----------------------------------------------------------------------------------


def test_the_command_prints_the_same_report_and_exits_0_when_ready(client):
    out = io.StringIO()
    call_command("check_ready", stdout=out)
    report = json.loads(out.getvalue())
    assert report["status"] == "ok" and set(report["checks"]) == CHECK_NAMES


def test_the_command_exits_1_naming_what_is_not_ready(unwritable_reports):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("check_ready", stdout=out)
    assert exit.value.code == 1
    report = json.loads(out.getvalue())
    assert report["status"] == "error" and list(failing(report)) == ["reports_storage"]


@pytest.mark.slow  # two Python processes
def test_the_command_exit_status_for_a_monitoring_agent(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REFORMTRACKER_"))}
    env.update(DJANGO_SETTINGS_MODULE="reformtracker.settings.test", REFORMTRACKER_VAR_DIR=str(tmp_path))

    def run(**environment):
        return subprocess.run([sys.executable, "manage.py", "check_ready"], cwd=BASE_DIR, env={**env, **environment},
                              capture_output=True, text=True, timeout=120)

    ok = run()
    assert ok.returncode == 0 and json.loads(ok.stdout)["status"] == "ok"
    (tmp_path / "a-file").write_text("")
    broken = run(REFORMTRACKER_REPORTS_DIR=str(tmp_path / "a-file" / "reports"))
    assert broken.returncode == 1 and list(failing(json.loads(broken.stdout))) == ["reports_storage"]


def test_the_command_waits_for_the_portal_to_become_ready(monkeypatch):
    """--wait asks again until ready (a worker just started beats a moment later), then exits 0."""
    from health.management.commands import check_ready

    answers = iter([{"status": "error", "checks": {"worker": {"status": "error"}}}, {"status": "ok", "checks": {}}])
    monkeypatch.setattr(check_ready, "readiness", lambda: next(answers))
    monkeypatch.setattr(check_ready.time, "sleep", lambda seconds: None)
    out = io.StringIO()
    call_command("check_ready", "--wait", "5", stdout=out)
    assert json.loads(out.getvalue())["status"] == "ok"


def test_the_command_refuses_a_negative_wait():
    with pytest.raises(CommandError, match="--wait"):
        call_command("check_ready", "--wait", "-1")
