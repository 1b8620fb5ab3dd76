"""Staff reset a forgotten password by e-mail (Django's flow, in Japanese), throttled per e-mail and address."""
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-long-password-for-asahikawa"


@pytest.fixture
def staff(make_user):
    return make_user("editor-somu", email="somu@city.example", password="correct-horse-battery")


def ask_for_reset(client, email, address="192.0.2.1"):
    return client.post(reverse("admin_password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_the_admin_login_page_links_to_the_password_reset(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert reverse("admin_password_reset") in html
    assert "ログイン認証情報を忘れましたか" in html  # Django's own text, translated


def test_staff_reset_a_forgotten_password_by_email(client, staff):
    page = client.get(reverse("admin_password_reset")).content.decode()
    assert "パスワードをリセット" in page
    response = ask_for_reset(client, "somu@city.example")
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["somu@city.example"]
    link = re.search(r"http://testserver(/admin/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_complete")
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)


def test_unknown_addresses_get_the_same_answer_and_no_mail(client, staff):
    response = ask_for_reset(client, "nobody@example.com")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert not mail.outbox


def test_reset_requests_are_throttled_per_email(client, staff):
    for address in ["192.0.2.1", "192.0.2.2", "192.0.2.3"]:
        assert ask_for_reset(client, "somu@city.example", address).status_code == 302
    response = ask_for_reset(client, "SOMU@city.example", "192.0.2.4")
    assert response.status_code == 429
    assert "再設定の依頼が多すぎるため" in response.content.decode()
    assert len(mail.outbox) == 3


def test_reset_requests_are_throttled_per_client_address(client, staff):
    for number in range(10):
        assert ask_for_reset(client, f"someone{number}@example.com").status_code == 302
    assert ask_for_reset(client, "somu@city.example").status_code == 429
    assert not mail.outbox
    assert ask_for_reset(Client(), "somu@city.example", "198.51.100.9").status_code == 302


def test_a_new_password_lifts_a_login_lockout(client, staff):
    login = reverse("admin:login")
    for _ in range(5):
        client.post(login, {"username": "editor-somu", "password": "wrong"})
    assert client.post(login, {"username": "editor-somu", "password": "correct-horse-battery"}).status_code == 429
    ask_for_reset(client, "somu@city.example")
    link = re.search(r"http://testserver(/admin/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert client.post(login, {"username": "editor-somu", "password": NEW_PASSWORD}).status_code == 302


def test_while_the_cache_cannot_count_no_reset_is_sent_and_the_page_says_so(client, staff, monkeypatch):
    """With several hosts the throttle counts in the shared cache (memcached): while it cannot be reached, a
    request is not counted, so it is not sent either (never unthrottled), and the page says to try later."""
    from accounts import views

    class Unreachable:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionRefusedError(111, "Connection refused")

            return fail

    monkeypatch.setattr(views, "cache", Unreachable())
    response = ask_for_reset(client, "somu@city.example")
    assert response.status_code == 503
    assert "ただいま再設定の依頼を受け付けられません" in response.content.decode()
    assert not mail.outbox
    monkeypatch.undo()
    assert ask_for_reset(client, "somu@city.example").status_code == 302 and len(mail.outbox) == 1
