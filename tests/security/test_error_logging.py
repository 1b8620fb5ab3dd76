"""Errors are recorded in production: logged to stderr with the request, mailed to ADMINS when set."""
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

BASE_DIR = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.django_db


@pytest.fixture
def stderr_handler():
    """The handler LOGGING sends to stderr, writing into a buffer for the test."""
    assert settings.LOGGING["handlers"]["stderr"]["stream"] == "ext://sys.stderr"
    handler = next(h for h in logging.getLogger("django.request").parent.handlers if h.name == "stderr")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def test_an_exception_in_a_view_is_logged_to_stderr_with_the_request(stderr_handler, monkeypatch):
    from public import selectors

    def broken():
        raise RuntimeError("something broke while building the page")

    monkeypatch.setattr(selectors, "program_cards", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/?page=2", REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 500
    output = stderr_handler.getvalue()
    assert "ERROR django.request [GET /" in output
    assert "client=192.0.2.7" in output
    assert "Internal Server Error: /" in output
    assert "RuntimeError: something broke while building the page" in output  # with the traceback


def _handlers_of_the_django_logger(**environment) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="reformtracker.settings.test", **environment)
    code = "import django, logging; django.setup(); print(sorted(h.name for h in logging.getLogger('django').handlers))"
    return subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=True).stdout


def test_errors_are_mailed_only_when_admins_are_set():
    assert _handlers_of_the_django_logger() == "['stderr']\n"
    assert _handlers_of_the_django_logger(DJANGO_ADMINS="ops@city.example,it@city.example") == "['mail_admins', 'stderr']\n"
