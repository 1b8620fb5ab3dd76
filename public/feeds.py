"""Atom feeds of what the reform office makes public: each publication of an initiative and each
release of a report, program-wide (/<slug>/feeds/updates.atom) and per department
(/<slug>/departments/<pk>/feed.atom). django.contrib.syndication builds them; they are public pages like
the others (published versions only; the page cache keeps them)."""
from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from initiatives.models import PublishedVersion
from initiatives.selectors import published_cycles
from programs.frames import cycle_vocabulary
from programs.identity import site_identity
from programs.models import Department, Program, ReportingCycle

from . import selectors

ENTRIES = 100
TAG_AUTHORITY = "reformtracker.asahikawa,2026"


@dataclass
class Entry:
    title: str
    description: str
    link: str
    guid: str
    updated: datetime


def _publication(program: Program, version: PublishedVersion, vocabulary) -> Entry:
    ref = selectors.item_ref(program, version)
    if version.cycle.is_public:
        link = reverse("public:archive-initiative", args=[program.slug, version.cycle_id, ref])
        title = _("%(number)s. %(name)s（%(cycle)s）を公開しました") % {
            "number": version.number, "name": version.name, "cycle": version.cycle.display_label}
    else:
        link = reverse("public:initiative-detail", args=[program.slug, ref])
        title = _("%(number)s. %(name)s（%(cycle)s・速報）を公開しました") % {
            "number": version.number, "name": version.name, "cycle": version.cycle.display_label}
    description = _("進行状況：%(status)s") % {"status": vocabulary.label_of(version.status)} if vocabulary else ""
    return Entry(title, description, link, f"publication-{version.pk}", version.published_at)


def _release(program: Program, cycle: ReportingCycle) -> Entry:
    title = _("%(cycle)sの報告を公表しました") % {"cycle": cycle.display_label}
    if program.has_ledger:
        description = _("%(year)s年度の計画・実績・進行状況と財源確保額の報告です。") % {"year": cycle.fiscal_year}
    else:
        description = _("%(program)s（%(year)s年度）の報告です。") % {"program": program.display_name, "year": cycle.fiscal_year}
    updated = cycle.released_at or timezone.make_aware(datetime.combine(cycle.released_on, datetime.min.time()))
    link = reverse("public:archive-cycle", args=[program.slug, cycle.pk])
    return Entry(title, description, link, f"release-{cycle.pk}", updated)


def entries(program, department: Department | None = None) -> list[Entry]:
    """The newest publications and releases, newest first: three queries however many there are."""
    versions = PublishedVersion.objects.filter(initiative__program=program).select_related("cycle", "pillar")
    if department is not None:
        versions = versions.filter(departments=department)
    vocabularies = {}  # cycle → the statuses it prints (as released, for a released one), read once per cycle
    items = []
    for version in versions.order_by("-published_at", "-pk")[:ENTRIES]:
        if version.cycle_id not in vocabularies:
            vocabularies[version.cycle_id] = cycle_vocabulary(version.cycle, program)
        items.append(_publication(program, version, vocabularies[version.cycle_id]))
    items += [_release(program, c) for c in published_cycles(program)]
    return sorted(items, key=lambda e: e.updated, reverse=True)[:ENTRIES]


class UpdatesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, program, pk=None):
        program = get_object_or_404(Program, slug=program)
        department = get_object_or_404(Department, pk=pk) if pk is not None else None
        return program, department

    def title(self, obj):
        program, department = obj
        if department is not None:
            return _("%(department)sの取組の更新情報 | %(program)s") % {
                "department": department.display_name, "program": program.display_name}
        return _("更新情報 | %(program)s") % {"program": program.display_name}

    def subtitle(self, obj):
        return _("取組の公開と報告の公表をお知らせします。")

    def link(self, obj):
        program, department = obj
        if department is not None:
            return reverse("public:department-detail", args=[program.slug, department.pk])
        return reverse("public:summary", args=[program.slug])

    def author_name(self, obj):
        identity = site_identity(obj[0])
        return identity.issuing_office or identity.city

    def items(self, obj):
        return entries(*obj)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return item.link

    def item_guid(self, item):
        """A permanent id of the entry, whatever the host the feed was read through (RFC 4151 tag URI)."""
        return f"tag:{TAG_AUTHORITY}:{item.guid}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.updated

    def item_pubdate(self, item):
        return item.updated
