"""The sitemap of the public pages (/sitemap.xml): the main pages, each published initiative (with the day
it was last published), each department with published initiatives and each released report."""
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from initiatives.models import PublishedVersion

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
    """Each initiative's page, as of its newest publication (a preliminary one included: the page shows it)."""

    def items(self):
        program = selectors.current_program()
        if program is None:
            return []
        return list(
            PublishedVersion.objects.filter(initiative__program=program).current().order_by("number")
            .values("number", "published_at")
        )

    def location(self, item):
        return reverse("public:initiative-detail", args=[item["number"]])

    def lastmod(self, item):
        return item["published_at"]


class DepartmentsSitemap(Sitemap):
    def items(self):
        program = selectors.current_program()
        return list(selectors.departments_with_publications(program).values_list("pk", flat=True)) if program else []

    def location(self, pk):
        return reverse("public:department-detail", args=[pk])


class ReportsSitemap(Sitemap):
    """Each released report's page in the archive."""

    def items(self):
        program = selectors.current_program()
        return list(selectors.archive_cycles(program)) if program else []

    def location(self, cycle):
        return reverse("public:archive-cycle", args=[cycle.pk])

    def lastmod(self, cycle):
        return cycle.released_on


SITEMAPS = {
    "pages": PagesSitemap,
    "initiatives": InitiativesSitemap,
    "departments": DepartmentsSitemap,
    "reports": ReportsSitemap,
}
