"""Every log line carries the request id (core/log.py, core/middleware.py), in text or JSON (REFORMTRACKER_LOG_FORMAT)."""
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from core.log import bound_request_id, current_request_id
from core.tasks import REQUEST_ID_KWARG, task

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def test_the_response_carries_the_request_id_nginx_sent(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="3f2a9c0d1e4b4f5a8b7c6d5e4f3a2b1c")
    assert response["X-Request-ID"] == "3f2a9c0d1e4b4f5a8b7c6d5e4f3a2b1c"


@pytest.mark.parametrize("sent", ["two words", "id\nX-Injected: 1", "x" * 65, "日本語", ""])
def test_an_unsafe_request_id_is_replaced_by_a_new_one(client, sent):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=sent)
    replaced = response["X-Request-ID"]
    assert replaced != sent and len(replaced) == 32 and int(replaced, 16) >= 0


def test_each_request_without_an_id_gets_its_own(client):
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert first != second and len(first) == len(second) == 32
    assert current_request_id() is None  # the id ends with its request


def test_a_json_log_line_carries_the_request_id_sent(json_log):
    client = Client(raise_request_exception=False)
    response = client.get("/no-such-program/x/", HTTP_X_REQUEST_ID="req-4711.a_b", REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 404
    (line,) = [line for line in json_log() if line["name"] == "django.request"]
    assert line["levelname"] == "WARNING" and line["message"].startswith("Not Found: /no-such-program/x/")
    assert line["request_id"] == "req-4711.a_b" == response["X-Request-ID"]
    assert (line["method"], line["path"], line["client"]) == ("GET", "/no-such-program/x/", "192.0.2.7")
    assert line["timestamp"].endswith("+00:00") and "request" not in line  # the request object itself is left out


def test_a_response_logged_after_the_middleware_returned_still_has_its_id(json_log, client, settings, tmp_path):
    """Django logs a 5xx a view returned (not raised) once the middleware has returned: the id is taken from the
    request then."""
    (tmp_path / "file").write_text("")
    settings.STORAGES = {**settings.STORAGES, "reports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "file" / "r")},
    }}
    response = client.get("/healthz/ready", HTTP_X_REQUEST_ID="ready-1")
    assert response.status_code == 503
    lines = json_log()
    assert {line["request_id"] for line in lines if line["name"] == "django.request"} == {"ready-1"}
    assert any(line["name"] == "reformtracker.health" for line in lines)


def test_a_line_outside_any_request_has_a_dash(json_log):
    logging.getLogger("reformtracker.test").warning("outside")
    (line,) = json_log()
    assert (line["message"], line["request_id"], line["path"]) == ("outside", "-", "-")


def _log_line(**environment) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REFORMTRACKER_"))}
    env.update(DJANGO_SETTINGS_MODULE="reformtracker.settings.test", **environment)
    code = "import django, logging; django.setup(); logging.getLogger('reformtracker.test').warning('ready: %s', 'yes')"
    return subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)


@pytest.mark.slow  # three Python processes
def test_the_environment_chooses_json_or_text():
    line = json.loads(_log_line(REFORMTRACKER_LOG_FORMAT="json").stderr)
    assert (line["levelname"], line["name"], line["message"], line["request_id"]) == (
        "WARNING", "reformtracker.test", "ready: yes", "-")
    text = _log_line().stderr
    assert " WARNING reformtracker.test [- - client=- user=- request=-] ready: yes" in text
    refused = _log_line(REFORMTRACKER_LOG_FORMAT="xml")
    assert refused.returncode != 0 and "REFORMTRACKER_LOG_FORMAT must be text or json" in refused.stderr


@task()
def log_a_line(text: str) -> str:
    logging.getLogger("reformtracker.test").warning(text)
    return current_request_id() or "-"


def test_a_task_stores_the_request_id_and_runs_under_it(json_log):
    with bound_request_id("queued-in-request"):
        result = log_a_line.enqueue("inside the task")
    assert (result.args, result.kwargs) == (["inside the task"], {REQUEST_ID_KWARG: "queued-in-request"})
    assert result.return_value == "queued-in-request"
    inside, run = json_log()
    assert (inside["message"], inside["request_id"]) == ("inside the task", "queued-in-request")
    assert run["name"] == "reformtracker.tasks" and run["request_id"] == "queued-in-request"
    assert run["message"].startswith(f"task tests.test_log.log_a_line id={result.id} successful in ")
    assert (run["task_id"], run["outcome"]) == (result.id, "successful")


def test_a_task_queued_outside_a_request_has_no_request_id(json_log):
    result = log_a_line.enqueue("from cron")
    assert result.kwargs == {} and result.return_value == "-"
    assert [line["request_id"] for line in json_log()] == ["-", "-"]

