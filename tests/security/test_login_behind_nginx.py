"""The login throttle through the real reverse proxy: deploy/nginx.conf (scripts/nginx_loopback.py)
in front of gunicorn with the production settings, on free loopback ports.

Two clients connect from two loopback addresses (127.0.0.2 and 127.0.0.3), so nginx sees two
real client addresses; client A also sends forged X-Forwarded-For / X-Real-IP headers, which
nginx must overwrite. Five failures from A lock the username out for A only.
"""
import secrets
from pathlib import Path
from urllib.parse import urlencode

import pytest

from .behind_nginx import NGINX, Portal, request

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(NGINX).exists(), reason=f"{NGINX} がありません（make test が apt-get install nginx で入れます）"),
]

CLIENT_A, CLIENT_B = "127.0.0.2", "127.0.0.3"
PASSWORD = "reviewer-password-for-the-proxy-test"

SETUP = f"""
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
get_user_model().objects.create_user("reviewer", password={PASSWORD!r}, is_staff=True)
"""


@pytest.fixture(scope="module")
def proxy_port(tmp_path_factory):
    portal = Portal(tmp_path_factory.mktemp("behind-nginx"))
    try:
        portal.run(SETUP)
        portal.start_django()
        portal.start_nginx()
        yield portal.port
    finally:
        portal.stop()


def login(port, source, password, *, forged=None):
    """The admin's login form, posted from `source` (the CSRF token is one we chose, in cookie and form)."""
    token = secrets.token_hex(16)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={token}"}
    if forged:
        headers.update({"X-Forwarded-For": forged, "X-Real-IP": forged})
    body = urlencode({"csrfmiddlewaretoken": token, "username": "reviewer", "password": password, "next": "/admin/"})
    status, _headers, page = request(port, "/admin/login/", method="POST", source=source, body=body, headers=headers)
    return status, page


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
