"""With the database unreachable, pages answer 503 with Retry-After (cached pages are still served)."""
import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self, sql, params=None):
        raise OperationalError("connection to server at \"db\" failed: Connection refused")

    def go_down():
        monkeypatch.setattr(CursorWrapper, "execute", refuse)

    return go_down


def test_pages_answer_503_with_retry_after_while_the_database_is_down(world, database_down):
    database_down()
    client = Client(raise_request_exception=False)
    requests = [("get", reverse(name, args=[REFORM])) for name in ["public:summary", "public:initiative-list", "public:ledger"]]
    requests.append(("post", reverse("admin:login")))
    for method, url in requests:
        response = getattr(client, method)(url, {"username": "reviewer", "password": "x"} if method == "post" else None)
        assert response.status_code == 503, url
        assert int(response["Retry-After"]) > 0
        assert "no-store" in response["Cache-Control"]
        html = response.content.decode()
        assert "データベースに一時的に接続できない" in html and "もう一度お試しください" in html


def test_cached_pages_are_still_served_while_the_database_is_down(settings, world, database_down):
    settings.PUBLIC_PAGE_CACHE = True
    client = Client(raise_request_exception=False)
    url = reverse("public:initiative-list", args=[REFORM])
    assert client.get(url).status_code == 200
    database_down()
    response = client.get(url)
    assert response.status_code == 200 and response["X-Page-Cache"] == "hit"
