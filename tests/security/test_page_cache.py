"""The public page cache cannot be poisoned or bypassed: host, query string, session cookie, search text."""
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE = True


def test_another_host_neither_fills_nor_reads_the_canonical_hosts_copy(client, world):
    url = reverse("public:opendata", args=[REFORM])
    other = client.get(url, HTTP_HOST="localhost")
    assert other["X-Page-Cache"] == "miss" and "http://localhost/" in other.content.decode()
    canonical = client.get(url, HTTP_HOST="127.0.0.1")
    assert canonical["X-Page-Cache"] == "miss"
    html = canonical.content.decode()
    assert "http://127.0.0.1/gyozaisei-2024/opendata/program.json" in html and "localhost" not in html
    assert client.get(url, HTTP_HOST="127.0.0.1")["X-Page-Cache"] == "hit"


def test_unknown_query_parameters_neither_bypass_the_cache_nor_reach_the_page(client, world):
    url = reverse("public:initiative-list", args=[REFORM])
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    for junk in ["?x=1", "?utm_source=mail&nonce=8f3a", "?%3Cscript%3E=1"]:
        response = client.get(url + junk)
        assert response["X-Page-Cache"] == "hit", junk
        assert response.content == first.content, junk
    assert client.get(reverse("public:summary", args=[REFORM]) + "?page=7")["X-Page-Cache"] == "miss"
    assert client.get(reverse("public:summary", args=[REFORM]) + "?page=8")["X-Page-Cache"] == "hit"  # the summary has no pages


def test_known_parameters_in_any_order_share_one_entry(client, world):
    url = reverse("public:initiative-list", args=[REFORM])
    assert client.get(url + "?status=on_schedule&q=取組&sort=name")["X-Page-Cache"] == "miss"
    assert client.get(url + "?sort=name&q=取組&status=on_schedule")["X-Page-Cache"] == "hit"
    assert client.get(url + "?q=取組&sort=name&status=on_schedule&junk=1")["X-Page-Cache"] == "hit"
    assert client.get(url + "?q=別の語")["X-Page-Cache"] == "miss"


def test_staff_paths_keep_their_query_string(client, world):
    response = client.get(reverse("recordimport:upload") + "?cycle=3")
    assert response.status_code == 302 and "cycle%3D3" in response["Location"]
    assert "no-store" in response["Cache-Control"]


def test_a_made_up_session_cookie_is_served_from_the_cache(client, world):
    url = reverse("public:initiative-list", args=[REFORM])
    client.get(url)
    forger = Client()
    forger.cookies["sessionid"] = "x" * 32
    response = forger.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert "private" not in response.get("Cache-Control", "")


def test_a_logged_in_session_is_never_served_from_the_cache(client, world):
    url = reverse("public:initiative-list", args=[REFORM])
    Client().get(url)
    client.force_login(world.reviewer)
    response = client.get(url)
    assert "X-Page-Cache" not in response and "private" in response["Cache-Control"]


def test_long_search_text_is_refused_with_a_message_and_no_search(client, world):
    q = " ".join(["改革"] * 900)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("public:initiative-list", args=[REFORM]), {"q": q})
    assert response.status_code == 200
    assert not any("search_text" in query["sql"] for query in queries.captured_queries)
    html = response.content.decode()
    assert "キーワードは100文字以内で入力してください" in html
    assert 'maxlength="100"' in html
    short = client.get(reverse("public:initiative-list", args=[REFORM]), {"q": "改革 推進"})
    assert "キーワードは100文字以内" not in short.content.decode()
