"""The addresses of the portal with several programs: `/` lists them, each program's pages are under its URL
name, and the addresses of the single-program portal keep working (permanent redirects to the first program)."""
import pytest
from django.urls import reverse

from tests.addresses import REFORM

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("earlier", "now"), [
    ("/initiatives/", f"/{REFORM}/initiatives/"),
    ("/initiatives/2/", f"/{REFORM}/initiatives/2/"),
    ("/initiatives.csv?status=behind", f"/{REFORM}/initiatives.csv?status=behind"),
    ("/ledger/", f"/{REFORM}/ledger/"),
    ("/departments/7/feed.atom", f"/{REFORM}/departments/7/feed.atom"),
    ("/feeds/updates.atom", f"/{REFORM}/feeds/updates.atom"),
    ("/opendata/program.json", f"/{REFORM}/opendata/program.json"),
    ("/archive/3/initiatives/1/", f"/{REFORM}/archive/3/initiatives/1/"),
])
def test_the_single_program_addresses_redirect_permanently_to_the_first_program(client, world, earlier, now):
    response = client.get(earlier)
    assert response.status_code == 301
    assert response["Location"] == now


def test_a_redirect_keeps_the_parameters_its_page_reads_also_through_the_page_cache(client, world, settings):
    settings.PUBLIC_PAGE_CACHE = True
    response = client.get("/initiatives/", {"status": "behind", "utm_source": "mail", "sort": "name"})
    assert response.status_code == 301
    assert response["Location"] == f"/{REFORM}/initiatives/?sort=name&status=behind"  # the unknown one dropped
    assert client.get(response["Location"]).status_code == 200


def test_the_front_page_is_the_list_of_programs_and_program_pages_need_a_known_name(client, world):
    response = client.get("/")
    assert response.status_code == 200 and response.resolver_match.url_name == "program-index"
    assert f'href="/{REFORM}/"' in response.content.decode()
    assert client.get("/no-such-program/").status_code == 404
    assert client.get("/no-such-program/initiatives/1/").status_code == 404


def test_a_page_not_found_under_a_program_leads_to_that_programs_pages(client, world):
    response = client.get(reverse("public:initiative-detail", args=[REFORM, 999]))
    html = response.content.decode()
    assert response.status_code == 404 and "ページが見つかりません" in html
    assert f'href="/{REFORM}/initiatives/"' in html and 'href="/"' in html
    elsewhere = client.get("/no-such-program/").content.decode()
    assert "ページが見つかりません" in elsewhere and "/initiatives/" not in elsewhere
