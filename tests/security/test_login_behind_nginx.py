"""The login throttle through the real reverse proxy: deploy/nginx.conf (scripts/nginx_loopback.py)
in front of gunicorn with the production settings, on free loopback ports.

Two clients connect from two loopback addresses (127.0.0.2 and 127.0.0.3), so nginx sees two
real client addresses; client A also sends forged X-Forwarded-For / X-Real-IP headers, which
nginx must overwrite. Five failures from A lock the username out for A only.
"""
import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from nginx_loopback import NGINX, command, loopback_config  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(NGINX).exists(), reason=f"{NGINX} がありません（make test が apt-get install nginx で入れます）"),
]

CLIENT_A, CLIENT_B = "127.0.0.2", "127.0.0.3"
PASSWORD = "reviewer-password-for-the-proxy-test"

SETUP = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
get_user_model().objects.create_user("reviewer", password={PASSWORD!r}, is_staff=True)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port, method, path, *, source="127.0.0.1", body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, source_address=(source, 0), timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def wait_for(port, path="/healthz", timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if request(port, "GET", path)[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"127.0.0.1:{port}{path} did not answer within {timeout} s")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def proxy_port(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("behind-nginx")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.security.settings_behind_nginx",
        DJANGO_SECRET_KEY="behind-nginx-" + secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        REFORMTRACKER_VAR_DIR=str(workdir / "var"),
        PYTHONPATH=str(ROOT),
    )
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True)
    portal, proxy = free_port(), free_port()
    processes = []
    try:
        log = open(workdir / "gunicorn.log", "w")
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "reformtracker.wsgi"], cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{portal}", "GUNICORN_WORKERS": "2", "GUNICORN_ACCESSLOG": "/dev/null"},
            stdout=log, stderr=subprocess.STDOUT,
        ))
        wait_for(portal)
        config = loopback_config(workdir, listen=f"127.0.0.1:{proxy}", upstream_port=portal, workers="1")
        processes.append(subprocess.Popen(command(config), stdout=log, stderr=subprocess.STDOUT))
        wait_for(proxy)
        yield proxy
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=20)


def login(port, source, password, *, forged=None):
    """The admin's login form, posted from `source` (the CSRF token is one we chose, in cookie and form)."""
    token = secrets.token_hex(16)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={token}"}
    if forged:
        headers.update({"X-Forwarded-For": forged, "X-Real-IP": forged})
    body = urlencode({"csrfmiddlewaretoken": token, "username": "reviewer", "password": password, "next": "/admin/"})
    return request(port, "POST", "/admin/login/", source=source, body=body, headers=headers)


def test_failures_from_one_client_do_not_lock_out_the_same_username_elsewhere(proxy_port):
    # A fails five times, each time claiming in the headers to be someone else (B among them)
    for forged in [CLIENT_B, "198.51.100.1", f"{CLIENT_B}, 198.51.100.2", "203.0.113.3", CLIENT_B]:
        status, _ = login(proxy_port, CLIENT_A, "wrong-password", forged=forged)
        assert status in (200, 429)
    status, page = login(proxy_port, CLIENT_A, PASSWORD, forged=CLIENT_B)
    assert status == 429  # locked for A, whatever A claims
    assert "ログインを一時停止しています" in page and "1時間たってから" in page

    status, _ = login(proxy_port, CLIENT_B, PASSWORD)
    assert status == 302  # the real reviewer, from elsewhere, logs in
