"""The sitemap of the public pages (/sitemap.xml): the main pages and each published initiative."""
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from initiatives.selectors import published_versions

from . import selectors

PAGES = [
    "public:summary", "public:initiative-list", "public:ledger", "public:department-index",
    "public:opendata", "public:archive-index",
]


class PagesSitemap(Sitemap):
    def items(self):
        return PAGES

    def location(self, item):
        return reverse(item)


class InitiativesSitemap(Sitemap):
    def items(self):
        program = selectors.current_program()
        return list(published_versions(program).values_list("number", flat=True)) if program else []

    def location(self, number):
        return reverse("public:initiative-detail", args=[number])


SITEMAPS = {"pages": PagesSitemap, "initiatives": InitiativesSitemap}
