"""robots.txt keeps crawlers out of staff pages and heavy downloads; the sitemap lists the public pages."""
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from initiatives.selectors import published_versions
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_robots_txt_allows_public_pages_and_disallows_admin_and_heavy_downloads(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    for rule in ["Allow: /", "Disallow: /admin/", "Disallow: /reports/", "Disallow: /initiatives.csv",
                 "Disallow: /initiatives.xlsx"]:
        assert rule in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def sitemap_locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    return [loc.text for loc in ET.fromstring(response.content).findall("s:url/s:loc", NS)]


def test_sitemap_lists_the_public_pages_and_each_published_initiative(client, published_program):
    locations = sitemap_locations(client)
    for name in ["public:summary", "public:initiative-list", "public:ledger", "public:department-index",
                 "public:opendata", "public:archive-index"]:
        assert "http://testserver" + reverse(name, args=[REFORM]) in locations, name
    numbers = list(published_versions(published_program).values_list("number", flat=True))
    assert len(numbers) == 54
    initiatives = [loc for loc in locations if "/gyozaisei-2024/initiatives/" in loc and loc.rstrip("/").split("/")[-1].isdigit()]
    assert sorted(initiatives) == sorted(f"http://testserver/gyozaisei-2024/initiatives/{n}/" for n in numbers)


def test_sitemap_without_a_program_lists_only_the_pages(client, db):
    locations = sitemap_locations(client)
    assert "http://testserver/" in locations
    assert not any("/gyozaisei-2024/initiatives/1/" in loc for loc in locations)
