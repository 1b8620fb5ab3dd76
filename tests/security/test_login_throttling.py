"""The login throttle behind the reverse proxy: the client is who nginx says it is, and the lock
holds a username from one address only, so a stranger cannot lock a colleague out
(tests/security/test_login_behind_nginx.py runs the same through nginx itself)."""
import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.urls import reverse

from core.clients import client_address

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def request_from(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_client_address_is_the_one_the_trusted_proxy_added(behind_proxy):
    # the client wrote the first entry itself; nginx appended the address it saw
    assert client_address(request_from("127.0.0.1", "203.0.113.9, 198.51.100.7")) == "198.51.100.7"
    assert client_address(request_from("127.0.0.1", "198.51.100.7")) == "198.51.100.7"
    assert client_address(request_from("127.0.0.1")) == "127.0.0.1"  # not through the proxy
    assert client_address(request_from("127.0.0.1", "not-an-address")) == "127.0.0.1"


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("192.0.2.1", "198.51.100.7")) == "192.0.2.1"


def test_login_locks_by_username_and_address_together():
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "core.clients.client_address"


def login(client, username, password, forwarded):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_failures_from_one_client_do_not_lock_out_the_user_elsewhere(client, make_user, behind_proxy):
    from django.test import Client

    make_user("reviewer-a", password=PASSWORD)
    for _ in range(5):
        login(client, "reviewer-a", "wrong", "198.51.100.66")
    assert login(client, "reviewer-a", PASSWORD, "198.51.100.66").status_code == 429
    colleague = Client()
    response = login(colleague, "reviewer-a", PASSWORD, "192.0.2.10")
    assert response.status_code == 302 and "_auth_user_id" in colleague.session


def test_the_lock_is_for_that_username_only(client, make_user, behind_proxy):
    make_user("reviewer-a", password=PASSWORD)
    make_user("editor-b", password=PASSWORD)
    for _ in range(5):
        login(client, "reviewer-a", "wrong", "198.51.100.66")
    assert login(client, "editor-b", PASSWORD, "198.51.100.66").status_code == 302


def test_lockout_page_says_in_japanese_what_to_do(client, make_user):
    make_user("editor", password=PASSWORD)
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "editor", "password": "wrong"})
    response = client.post(reverse("admin:login"), {"username": "editor", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "ログインを一時停止しています" in html
    assert "1時間たってから" in html
    assert reverse("admin_password_reset") in html
    assert "システム管理者に連絡" in html
