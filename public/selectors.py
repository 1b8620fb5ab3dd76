"""Reads for the public pages: only what the reform office has published.

Initiatives come from their published versions (`PublishedVersion.data`, the open-data
form of the initiative when it was published), never from the working records, so a
draft, a review comment or a workflow state can never reach a citizen.

One report at a time: the summary, list, ledger and department pages describe the latest
released cycle (公表された報告). A publication in a cycle not yet released (速報) shows on its
initiative's page only, labelled as preliminary. The ledger is the released report's: the
figures 財政課 stated for its initial budget, released with the cycle (finance.selectors).
"""
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.utils.html import format_html

from finance.selectors import LedgerRow, ledger_report, ledger_reports
from initiatives.models import Listing, PublishedVersion
from initiatives.publication import Publication
from initiatives.roadmap import Roadmap, roadmap_of
from initiatives.selectors import (
    Summary,
    figure_totals,
    latest_publication,
    preliminary_progress,
    published_cycles,
    published_ledger,
    published_summary,
    published_versions,
    report_cycle,
)
from programs import eras
from programs.frames import cycle_vocabulary, frame_of
from programs.models import Department, Program, ProgramStatus, ReportingCycle

from .viewmodels import (
    CycleColumn,
    Glossary,
    Headline,
    LedgerColumn,
    ProgramCard,
    PublicInitiative,
    PublicLedger,
)


# --- the front page: one card per program -------------------------------------------------------


def public_programs():
    """The programs with at least one publication, oldest first: those the front page and the sitemap list."""
    return Program.objects.filter(Exists(PublishedVersion.objects.filter(initiative__program=OuterRef("pk")))).order_by("pk")


def with_statuses(programs):
    """Programs with their statuses read in one query for all (programs.statuses.vocabulary_of reads them from here)."""
    return programs.prefetch_related(Prefetch("status_set", queryset=ProgramStatus.objects.order_by("order")))


def program_cards() -> list[ProgramCard]:
    """Each program with at least one publication, oldest first, with the headline its summary leads with
    (`summary_headline`, read the same way): three queries, and a few for each program."""
    programs = list(with_statuses(public_programs()))
    latest: dict[int, ReportingCycle] = {}  # the report each program's summary shows (report_cycle), in one query
    for cycle in ReportingCycle.objects.public().filter(program__in=programs).order_by("fiscal_year"):
        latest[cycle.program_id] = cycle
    cards = []
    for program in programs:
        cycle = latest.get(program.pk)
        if cycle is None:
            cards.append(ProgramCard(program, None))
            continue
        printed = frame_of(cycle, program).program if cycle.frame else program  # named as its report printed it
        ledger_total = ledger_report(printed, cycle.budget_fiscal_year).total if printed.has_ledger else None
        cards.append(ProgramCard(printed, cycle, summary_headline(printed, cycle, published_summary(printed, cycle), ledger_total)))
    return cards


# --- one initiative as published ------------------------------------------------------


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
        return PublicInitiative(version, program.fiscal_years, cycle_vocabulary(cycle, program)) if version else None
    # Without a cycle: the newest publication. Its cycle is the latest released report (a release needs
    # every initiative published in it), unless it is a preliminary one of a cycle not yet released.
    version = latest_publication(program, lookup)
    if version is None:
        return None
    initiative = PublicInitiative(
        version, program.fiscal_years, cycle_vocabulary(version.cycle, program), preliminary=preliminary_progress(version.cycle)
    )
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
    again = Publication(data).listings
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
    publication = Publication(data)
    units = publication.departments
    english = english_department_names(unit["department"] for unit in units)
    if not english:
        return publication.departments_display
    return [
        format_html("{}{}", english.get(unit["department"], unit["department"]),
                    format_html(' <span lang="ja">（{}）</span>', "、".join(unit["divisions"])) if unit.get("divisions") else "")
        for unit in units
    ]


# --- the summary's headline figures ----------------------------------------------------------


def roadmap(program: Program, cycle: ReportingCycle | None) -> Roadmap | None:
    """The cycle's items as a year grid (initiatives.roadmap), where the program's frame is a year roadmap: from
    the cycle's publications and, for a released cycle, the pillars and period its release kept. One query."""
    if cycle is None:
        return None
    frame = frame_of(cycle, program)
    rows = published_versions(program, cycle).values_list("data", "pillar_id")
    return roadmap_of(((frame.pillar(pillar_id), Publication(data)) for data, pillar_id in rows), frame.program.fiscal_years)


def summary_headline(program: Program, cycle: ReportingCycle, summary: Summary, ledger_total: LedgerRow | None) -> Headline:
    """What the summary of the released report `cycle` leads with, and the front page's card of the program."""
    behind = behind_items(program, cycle, summary) if program.statuses else []
    figures = figure_totals(program, cycle) if program.totals_its_figure else None
    return Headline(program, cycle, summary.total, list(behind), ledger_total, figures)


def behind_items(program: Program, cycle: ReportingCycle, summary: Summary):
    """{'number', 'name', 'pillar_key'} of each item of the report whose status means "behind" in its vocabulary."""
    return published_versions(program, cycle).filter(status__in=summary.vocabulary.behind).values(
        "number", "name", pillar_key=F("pillar__key")
    )


def glossary(program: Program, cycle: ReportingCycle | None) -> Glossary:
    """The terms the summary explains for the report shown: 再掲 where one of its items is listed again, 千円
    where the program's items carry an amount (its figure, or the amount secured)."""
    listings = published_versions(program, cycle).values_list("data__listings", flat=True) if cycle else []
    return Glossary(program, listed_again=any(listings), thousand_yen=bool(program.figure_label))


# --- the year-over-year views ----------------------------------------------------------------


def released_ledgers(program: Program, cycles: list[ReportingCycle]) -> tuple[PublicLedger, list[LedgerColumn]]:
    """The ledger of the latest released report (the last of `cycles`) with its initiatives, and the cumulative
    amount secured as each released report stated it (its own statement's figures)."""
    reports = ledger_reports(program, [cycle.budget_fiscal_year for cycle in cycles])
    latest = cycles[-1]
    ledger = published_ledger(program, latest, reports[latest.budget_fiscal_year])
    columns = [LedgerColumn(cycle, reports[cycle.budget_fiscal_year].total) for cycle in cycles]
    return PublicLedger(report=ledger.report, cycle=latest, unassigned=ledger.unlinked), columns


def status_mix(columns: list[CycleColumn]) -> list[dict]:
    """The status counts (and percentages) per released report, one row per status of the latest report's
    vocabulary (then any status only an earlier report printed): the table beside the chart. 未報告 is a row of
    its own when any report has an initiative without a publication."""
    definitions = {}
    for column in reversed(columns):
        for definition in column.summary.vocabulary:
            definitions.setdefault(definition.code, (definition, column.summary.vocabulary))
    rows = [
        {
            "key": code,
            "style": vocabulary.style(code),
            "label": definition.display_label,
            "cells": [
                {"count": c.summary.total.counts.get(code, 0), "percent": c.summary.total.percent(code)} for c in columns
            ],
        }
        for code, (definition, vocabulary) in definitions.items()
    ]
    if any(c.summary.total.not_reported for c in columns):
        rows.append(
            {
                "key": "not_reported",
                "style": "not_reported",
                "label": columns[-1].summary.vocabulary.label_of(""),
                "cells": [{"count": c.summary.total.not_reported, "percent": None} for c in columns],
            }
        )
    return rows


# --- the ledger with the initiatives that contribute -------------------------------------


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


