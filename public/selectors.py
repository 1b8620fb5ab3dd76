"""Reads for the public pages: only what the reform office has published.

Initiatives come from their published versions (`PublishedVersion.data`, the open-data
form of the initiative when it was published), never from the working records, so a
draft, a review comment or a workflow state can never reach a citizen.

One report at a time: the summary, list, ledger and department pages describe the latest
released cycle (公表された報告). A publication in a cycle not yet released (速報) shows on its
initiative's page only, labelled as preliminary. The ledger is the released report's: the
figures 財政課 stated for its initial budget, released with the cycle (finance.selectors).
"""
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.html import format_html

from finance.selectors import LedgerReport, LedgerRow, ledger_report, ledger_reports
from initiatives.models import Listing, PublishedVersion, Status
from initiatives.selectors import (
    Preliminary,
    Summary,
    format_percent,
    latest_publication,
    preliminary_progress,
    published_ledger,
    published_cycles,
    published_schedule,
    published_versions,
    released_summaries,
    report_cycle,
)
from programs import eras
from programs.models import Department, Program, ReportingCycle

STATUS_ORDER = [s.value for s in Status]


# --- the front page: one card per program -------------------------------------------------------


@dataclass
class ProgramCard:
    """A program on the front page: its latest released report and the figure it leads with."""

    program: Program
    cycle: ReportingCycle | None  # None while nothing is released (its publications are 速報)
    items: int = 0
    counts: dict[str, int] | None = None  # status → items of the released report
    figure_total: int = 0  # the items' figure (予算事業費), each item counted once
    ledger_total: LedgerRow | None = None  # the ledger's cumulative amount secured, for a program with one

    @property
    def on_track(self) -> int:
        return self.counts[Status.IMPLEMENTED] + self.counts[Status.ON_SCHEDULE]

    @property
    def counted(self) -> int:
        """The report's denominator: without 実施年度未到来 and 実施不可 (as the summary counts)."""
        return sum(self.counts[s] for s in Status.counted_in_percentages())

    @property
    def on_track_percent(self) -> str:
        return format_percent(self.on_track, self.counted)


def public_programs():
    """The programs with at least one publication, oldest first: those the front page and the sitemap list."""
    return Program.objects.filter(Exists(PublishedVersion.objects.filter(initiative__program=OuterRef("pk")))).order_by("pk")


def program_cards() -> list[ProgramCard]:
    """Each program with at least one publication, oldest first: three queries, and two more for each
    program with a ledger, however many items."""
    programs = list(public_programs())
    latest: dict[int, ReportingCycle] = {}
    for cycle in ReportingCycle.objects.public().filter(program__in=programs).order_by("fiscal_year"):
        latest[cycle.program_id] = cycle
    cards = {program.pk: ProgramCard(program, latest.get(program.pk)) for program in programs}
    by_cycle = {cycle.pk: cards[program_id] for program_id, cycle in latest.items()}
    totals = (
        PublishedVersion.objects.filter(cycle__in=list(latest.values()), is_latest_in_cycle=True)
        .values("cycle_id", "status")
        .annotate(items=Count("pk"), amount=Sum("secured_amount_thousand_yen"))
    )
    for row in totals:
        card = by_cycle[row["cycle_id"]]
        card.items += row["items"]
        card.figure_total += row["amount"] or 0
        if row["status"]:
            card.counts = card.counts or {status: 0 for status in Status.values}
            card.counts[row["status"]] += row["items"]
    for card in cards.values():
        if card.program.has_ledger and card.cycle is not None:
            card.ledger_total = ledger_report(card.program, card.cycle.budget_fiscal_year).total
    return list(cards.values())


def publication_date(version: PublishedVersion):
    """公開日 as citizens read it: the release date of the version's report; a preliminary (速報)
    version's own publication day, in Japan time."""
    if version.cycle.is_public:
        return version.cycle.released_on
    return timezone.localdate(version.published_at)


# --- one initiative as published ------------------------------------------------------


@dataclass
class PublishedYear:
    """One fiscal year's record as it was published (data["years"])."""

    record: dict

    @property
    def fiscal_year(self) -> int:
        return self.record["fiscal_year"]

    @property
    def status(self) -> str:
        return self.record.get("status", "")

    @property
    def status_printed(self) -> str:
        """「予定どおり進んでいる / 予定より遅れている（土木部）」, as the report prints it."""
        splits = [(d.get("status"), d.get("label", "")) for d in self.record.get("department_statuses", [])]
        return Status.as_printed(self.status, splits)

    @property
    def department_statuses(self) -> list[dict]:
        return self.record.get("department_statuses", [])


@dataclass
class TimelineYear:
    """A year of the four-year work schedule (作業工程): the planned step against what was reported.

    `state` says where the year stands in the publication shown: "reported" (its record is
    published), "unreported" (its time has come but nothing is published for it) or
    "not_due" (a later year than the one reported: not yet due)."""

    fiscal_year: int
    step: str
    state: str
    published: PublishedYear | None = None


@dataclass
class PublicInitiative:
    """A published version as the initiative page shows it."""

    version: PublishedVersion
    program_years: range
    preliminary: Preliminary | None = None  # set when the version's cycle is not released yet (速報)
    released_cycle: ReportingCycle | None = None  # for a preliminary version: the released report that holds it

    @property
    def report(self) -> ReportingCycle | None:
        """The released report the page belongs to (its neighbours are that report's initiatives)."""
        return self.released_cycle if self.preliminary else self.cycle

    @property
    def data(self) -> dict:
        return self.version.data

    @property
    def number(self) -> int:
        return self.version.number

    @property
    def cycle(self) -> ReportingCycle:
        return self.version.cycle

    @property
    def status_label(self) -> str:
        return Status.label_of(self.version.status)

    @property
    def published_on(self):
        return publication_date(self.version)

    @property
    def years(self) -> list[PublishedYear]:
        """The published years, oldest first (the year-over-year table)."""
        return [PublishedYear(y) for y in sorted(self.data.get("years", []), key=lambda y: y["fiscal_year"])]

    @property
    def has_schedule(self) -> bool:
        """Whether the publication plans any year's step (作業工程): the strategy's 事業 plan none."""
        return any(item["step"] for item in published_schedule(self.data, self.program_years))

    @property
    def timeline(self) -> list[TimelineYear]:
        """Each of the program's fiscal years: the 作業工程 step, and the published record where there is one."""
        published = {y.fiscal_year: y for y in self.years}
        reported_to = self.cycle.fiscal_year
        timeline = []
        for item in published_schedule(self.data, self.program_years):
            year = item["fiscal_year"]
            state = "reported" if year in published else "not_due" if year > reported_to else "unreported"
            timeline.append(TimelineYear(year, item["step"], state, published.get(year)))
        return timeline


def item_ref(program: Program, item) -> str:
    """The name in URLs (Program.item_ref) of a published item: a version, a public initiative, or a row of
    values with "number" and, where numbers restart under every pillar, "pillar_key"."""
    if isinstance(item, dict):
        return program.item_ref(item.get("pillar_key", ""), item["number"])
    return program.item_ref(item.pillar.key if program.numbered_per_level else "", item.number)


def public_initiative(program: Program, lookup: dict, cycle: ReportingCycle | None = None) -> PublicInitiative | None:
    """The initiative (found by `Program.item_lookup`) as a released cycle's report published it (the archive),
    or its newest publication: a preliminary one (速報) comes with how far its cycle's publication has come and
    the released report."""
    if cycle is not None:
        version = published_versions(program, cycle).filter(**lookup).first()
        return PublicInitiative(version, program.fiscal_years) if version else None
    # Without a cycle: the newest publication. Its cycle is the latest released report (a release needs
    # every initiative published in it), unless it is a preliminary one of a cycle not yet released.
    version = latest_publication(program, lookup)
    if version is None:
        return None
    initiative = PublicInitiative(version, program.fiscal_years, preliminary=preliminary_progress(version.cycle))
    if initiative.preliminary:
        released = report_cycle(program)
        if released and released.publications.filter(initiative=version.initiative_id, is_latest_in_cycle=True).exists():
            initiative.released_cycle = released
    return initiative


def neighbours(program: Program, lookup: dict, cycle: ReportingCycle | None) -> tuple[dict | None, dict | None]:
    """The previous and next items of a released report, in the program's order: {'number', 'name',
    'pillar_key'} or None."""
    if cycle is None:
        return None, None
    rows = list(published_versions(program, cycle).values("number", "name", pillar_key=F("pillar__key")))
    key, number = lookup.get("pillar__key"), lookup["number"]
    place = next((i for i, row in enumerate(rows) if row["number"] == number and key in (None, row["pillar_key"])), None)
    if place is None:
        return None, None
    return (rows[place - 1] if place > 0 else None), (rows[place + 1] if place + 1 < len(rows) else None)


def earlier_publications(program: Program, lookup: dict, *, shown_cycle: ReportingCycle) -> list[ReportingCycle]:
    """Released reports, other than the one shown, in which this initiative was published (newest first)."""
    return list(
        published_cycles(program)
        .filter(**{f"publications__{field}": value for field, value in lookup.items()}, publications__is_latest_in_cycle=True)
        .exclude(pk=shown_cycle.pk)
        .distinct()
    )


def listings(program: Program, data: dict) -> list[dict]:
    """Where the publication is listed again (再掲): {'pillar': the Pillar, 'number'} each (one query, none without)."""
    again = data.get("listings", [])
    if not again:
        return []
    pillars = {pillar.key: pillar for pillar in program.pillars.filter(key__in=[item["pillar"] for item in again])}
    return [{"pillar": pillars[item["pillar"]], "number": item["number"]} for item in again if item["pillar"] in pillars]


def listed_again(program: Program, lookup: dict) -> str | None:
    """The URL name of the item listed again (再掲) under the pillar and number `lookup` names, or None."""
    if not program.numbered_per_level:
        return None
    listing = (
        Listing.objects.filter(pillar__program=program, pillar__key=lookup["pillar__key"], number=lookup["number"])
        .values("initiative__number", "initiative__pillar__key")
        .first()
    )
    return program.item_ref(listing["initiative__pillar__key"], listing["initiative__number"]) if listing else None


def english_department_names(names) -> dict[str, str]:
    """{Japanese name: English name} of the departments named, on English pages (one query); {} in Japanese."""
    if not eras.is_english():
        return {}
    return {name: en for name, en in Department.objects.filter(name__in=set(names)).values_list("name", "name_en") if en}


def department_lines(data: dict) -> list[str]:
    """所管部局 of a publication, one line per department with its divisions (「総務部（人事課、職員厚生課）」);
    on English pages the department's English name, its divisions as the city names them."""
    units = data.get("departments", [])
    english = english_department_names(unit["department"] for unit in units)
    if not english:
        return data.get("departments_display") or [unit["department"] for unit in units]
    return [
        format_html("{}{}", english.get(unit["department"], unit["department"]),
                    format_html(' <span lang="ja">（{}）</span>', "、".join(unit["divisions"])) if unit.get("divisions") else "")
        for unit in units
    ]


# --- the summary's headline figures ----------------------------------------------------------


@dataclass
class Headline:
    """The three figures the summary leads with, as the city presents its pledges (「93%（79項目/85項目）」):
    the share of initiatives on schedule, the initiatives behind, the amount secured against the target."""

    on_track: int  # 予定どおり進んでいる, and 実施済み
    counted: int  # the report's denominator: without 実施年度未到来 and 実施不可
    behind: list[dict]  # {'number', 'name'} of each initiative behind
    ledger_total: LedgerRow

    @property
    def percent(self) -> str:
        return format_percent(self.on_track, self.counted)


def headline(summary: Summary, behind, ledger_total: LedgerRow) -> Headline:
    total = summary.total
    return Headline(
        on_track=total.counts[Status.IMPLEMENTED] + total.counts[Status.ON_SCHEDULE],
        counted=total.denominator,
        behind=list(behind),
        ledger_total=ledger_total,
    )


# --- the year-over-year views ----------------------------------------------------------------


@dataclass
class CycleColumn:
    """One released report in the year-over-year views: its status mix."""

    cycle: ReportingCycle
    summary: Summary


def released_columns(program: Program) -> list[CycleColumn]:
    """Each released report with its summary, oldest first."""
    return [CycleColumn(cycle, summary) for cycle, summary in released_summaries(program)]


@dataclass
class LedgerColumn:
    """One released report in the ledger's year over year: the cumulative total it stated."""

    cycle: ReportingCycle
    total: LedgerRow


def released_ledgers(program: Program, cycles: list[ReportingCycle]) -> tuple["PublicLedger", list[LedgerColumn]]:
    """The ledger of the latest released report (the last of `cycles`) with its initiatives, and the cumulative
    amount secured as each released report stated it (its own statement's figures)."""
    reports = ledger_reports(program, [cycle.budget_fiscal_year for cycle in cycles])
    latest = cycles[-1]
    ledger = published_ledger(program, latest, reports[latest.budget_fiscal_year])
    columns = [LedgerColumn(cycle, reports[cycle.budget_fiscal_year].total) for cycle in cycles]
    return PublicLedger(report=ledger.report, cycle=latest, unassigned=ledger.unlinked), columns


def status_mix(columns: list[CycleColumn]) -> list[dict]:
    """The status counts (and percentages) per released report, one row per status: the table beside the chart.
    未報告 is a row of its own when any report has an initiative without a publication."""
    rows = [
        {
            "key": status.value,
            "label": status.label,
            "cells": [
                {"count": c.summary.total.counts[status.value], "percent": c.summary.total.percent(status.value)}
                for c in columns
            ],
        }
        for status in Status
    ]
    if any(c.summary.total.not_reported for c in columns):
        rows.append(
            {
                "key": "not_reported",
                "label": Status.label_of(""),
                "cells": [{"count": c.summary.total.not_reported, "percent": None} for c in columns],
            }
        )
    return rows


# --- the ledger with the initiatives that contribute -------------------------------------


@dataclass
class PublicLedger:
    """The ledger of the released report (its statement) and the published initiatives behind it."""

    report: LedgerReport
    cycle: ReportingCycle | None
    unassigned: list[dict]

    @property
    def groups(self):
        return self.report.groups

    @property
    def total(self) -> LedgerRow:
        return self.report.total

    @property
    def up_to(self) -> int | None:
        return self.report.up_to

    @property
    def fiscal_years(self) -> list[int]:
        return self.report.fiscal_years

    @property
    def notes(self) -> list[str]:
        return self.report.notes


def public_ledger(program: Program, cycle: ReportingCycle | None, *, with_contributors: bool = True) -> PublicLedger:
    """The ledger as the released report `cycle` states it (targets, cumulative amounts, amounts per budget
    year where it gives them, progress) and, per category, the report's initiatives linked to it with the
    remainder from outside them; initiatives with a secured amount but no category are listed apart."""
    if with_contributors:
        ledger = published_ledger(program, cycle)
        return PublicLedger(report=ledger.report, cycle=cycle, unassigned=ledger.unlinked)
    return PublicLedger(report=ledger_report(program, cycle.budget_fiscal_year if cycle else None), cycle=cycle, unassigned=[])


# --- departments ------------------------------------------------------------------------


def departments_with_publications(program: Program):
    """Departments responsible for at least one initiative of the released report, with how many."""
    current = published_versions(program).values("pk")
    return (
        Department.objects.filter(responsibilities__initiative__program=program)
        .annotate(
            published=Count(
                "responsibilities__initiative__publications",
                filter=Q(responsibilities__initiative__publications__in=current),
                distinct=True,
            )
        )
        .filter(published__gt=0)
        .order_by("order", "name")
    )


def archive_cycles(program: Program):
    return published_cycles(program)
