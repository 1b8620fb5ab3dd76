"""The sitemap of the public pages (/sitemap.xml): the front page, each program's main pages, each published
item (with the day it was last published), each department with published items and each released report."""
from django.contrib.sitemaps import Sitemap
from django.db.models import F
from django.urls import reverse

from initiatives.models import PublishedVersion
from programs.models import ReportingCycle

from . import selectors

PAGES = [
    "public:summary", "public:initiative-list", "public:ledger", "public:department-index",
    "public:opendata", "public:archive-index",
]


class PagesSitemap(Sitemap):
    def items(self):
        pages = [("public:program-index", None)]
        for program in selectors.public_programs():
            pages += [(name, program) for name in PAGES if name != "public:ledger" or program.has_ledger]
        return pages

    def location(self, item):
        name, program = item
        return reverse(name, args=[program.slug] if program else [])


class InitiativesSitemap(Sitemap):
    """Each item's page, as of its newest publication (a preliminary one included: the page shows it)."""

    def items(self):
        programs = {program.pk: program for program in selectors.public_programs()}
        rows = (
            PublishedVersion.objects.filter(initiative__program__in=programs).current()
            .order_by("initiative__program", "pillar__order", "number")
            .values("number", "published_at", program_id=F("initiative__program"), pillar_key=F("pillar__key"))
        )
        return [(programs[row["program_id"]], row) for row in rows]

    def location(self, item):
        program, row = item
        return reverse("public:initiative-detail", args=[program.slug, selectors.item_ref(program, row)])

    def lastmod(self, item):
        return item[1]["published_at"]


class DepartmentsSitemap(Sitemap):
    """Each department with items in a program's released reports (every release holds all the program's items)."""

    def items(self):
        programs = {program.pk: program for program in selectors.public_programs()}
        pairs = (
            PublishedVersion.objects.filter(initiative__program__in=programs, cycle__in=ReportingCycle.objects.public())
            .exclude(departments=None)
            .values_list("initiative__program", "departments")
            .order_by("initiative__program", "departments__order", "departments")
            .distinct()
        )
        return [(programs[program_id], pk) for program_id, pk in pairs]

    def location(self, item):
        program, pk = item
        return reverse("public:department-detail", args=[program.slug, pk])


class ReportsSitemap(Sitemap):
    """Each released report's page in the archive."""

    def items(self):
        programs = {program.pk: program for program in selectors.public_programs()}
        cycles = ReportingCycle.objects.public().filter(program__in=programs).select_related("program")
        return list(cycles.order_by("program", "-fiscal_year"))

    def location(self, cycle):
        return reverse("public:archive-cycle", args=[cycle.program.slug, cycle.pk])

    def lastmod(self, cycle):
        return cycle.released_on


SITEMAPS = {
    "pages": PagesSitemap,
    "initiatives": InitiativesSitemap,
    "departments": DepartmentsSitemap,
    "reports": ReportsSitemap,
}
