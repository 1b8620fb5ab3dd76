"""What an annual report shows, read from the published versions of one reporting cycle.

Both the PDF and the workbook are built from `annual_report(cycle)`: the published
version of each initiative (its open-data `data`, never the working records), the
published summary and the program's ledger cut at the cycle's initial budget, grouped by
perspective and pillar in the report's order. The texts (introduction, 基準日, the
ledger's "up to" label) are the cycle's, and so is the ledger: the figures 財政課 stated for its
initial budget, with the report's initiatives linked to their categories. A cycle not yet
released gives the draft (案) the reform office and 財政課 check. The queries do not grow with
the number of initiatives.
"""
import functools
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils import translation

from finance.selectors import LedgerReport, LedgerRow, ledger_report
from initiatives.models import PublishedVersion
from initiatives.publication import Publication
from initiatives.roadmap import Roadmap, roadmap_of
from initiatives.selectors import Summary, figure_totals, published_summary, published_versions
from programs import eras
from programs.frames import frame_of
from programs.models import Perspective, Pillar, Program, ReportingCycle
from programs.statuses import Vocabulary

# How the draft (案) of a cycle not yet released is marked: across and in the header of every page, in the
# workbook's title and in the file name. The reform office and 財政課 check it before it goes to the council.
PREVIEW_MARK = "案"
PREVIEW_NOTE = "公表前・確認用"


def printed_status(record: dict, vocabulary: Vocabulary, language: str | None = None) -> list[str]:
    """進行状況 of a published year as printed, one line per status: the record's, then each department's part
    (in the report's vocabulary and `language`, by default the active one)."""
    if not record:
        return []
    splits = tuple((split.get("status"), split.get("label", "")) for split in record.get("department_statuses", []))
    return list(_printed_lines(vocabulary, language or translation.get_language(), record.get("status"), splits))


@functools.lru_cache(maxsize=512)
def _printed_lines(vocabulary: Vocabulary, language: str | None, status: str | None, splits: tuple) -> tuple[str, ...]:
    """Vocabulary.printed_lines, once per vocabulary, language and status (a report of thousands of initiatives
    has a few). A vocabulary is read anew for each report, so a label renamed since is never served from here."""
    return tuple(vocabulary.printed_lines(status, splits))


@dataclass
class InitiativeSheet:
    """One initiative as published in the cycle, with the cycle year's record picked out."""

    data: dict
    pillar: Pillar
    fiscal_year: int
    program_years: range
    vocabulary: Vocabulary  # the report's (as released, for a released cycle)
    language: str | None = None  # of the report's texts (the statuses' labels)
    per_level: bool = False  # numbered from 1 under every pillar (the strategy's 番号)

    @functools.cached_property
    def publication(self) -> Publication:
        return Publication(self.data)

    @property
    def number(self) -> int:
        return self.publication.number

    @property
    def name(self) -> str:
        return self.publication.name

    @property
    def years(self) -> list[dict]:
        return self.publication.years

    @functools.cached_property
    def record(self) -> dict:
        """The record of the cycle's fiscal year (an empty one if the initiative has none)."""
        return self.publication.year(self.fiscal_year) or {}

    @functools.cached_property
    def schedule(self) -> list[dict]:
        """作業工程: the step of each of the program's four years ('' where none is planned)."""
        return [
            {**step, "label": eras.fiscal_year_label(step["fiscal_year"])}
            for step in self.publication.schedule(self.program_years)
        ]

    @property
    def status_lines(self) -> list[str]:
        """進行状況 as printed, one line per status: the record's, then each department's (split statuses)."""
        return printed_status(self.record, self.vocabulary, self.language)

    @property
    def status_printed(self) -> str:
        """進行状況 on one line, as the report prints it: 「予定どおり進んでいる / 予定より遅れている（土木部）」."""
        return " / ".join(self.status_lines)

    @property
    def status_label(self) -> str:
        """The status that counts in the summary (a split status counts as behind)."""
        status = self.publication.status
        return _printed_lines(self.vocabulary, self.language or translation.get_language(), status, ())[0] if status else ""

    @property
    def departments(self) -> list[str]:
        return self.publication.departments_display

    @property
    def anchor(self) -> str:
        """The sheet's id in the PDF: its number, with its pillar's key where numbers restart under every pillar."""
        return f"initiative-{self.pillar.key}-{self.number}" if self.per_level else f"initiative-{self.number}"


@dataclass
class ListingLine:
    """An item printed again under another pillar (再掲), with its number there."""

    number: int
    sheet: InitiativeSheet


@dataclass
class PillarSection:
    pillar: Pillar
    initiatives: list[InitiativeSheet] = field(default_factory=list)
    listed_again: list[ListingLine] = field(default_factory=list)

    @property
    def lines(self) -> list[tuple[int, InitiativeSheet, bool]]:
        """The pillar's list as the city prints it: its own items and those listed again (再掲), by number."""
        own = [(sheet.number, sheet, False) for sheet in self.initiatives]
        again = [(line.number, line.sheet, True) for line in self.listed_again]
        return sorted(own + again, key=lambda line: line[0])


@dataclass
class PerspectiveSection:
    perspective: Perspective
    pillars: list[PillarSection] = field(default_factory=list)
    figure: object = None  # its FigureTotal (the 小計 that closes it), for a program that totals its figure


@dataclass
class AnnualReport:
    program: Program
    cycle: ReportingCycle
    summary: Summary
    ledger: LedgerReport
    perspectives: list[PerspectiveSection]
    pillars: dict[int, Pillar] = field(default_factory=dict)  # with their perspectives loaded
    ledger_unlinked: list[dict] = field(default_factory=list)  # initiatives with an amount linked to no category
    figures: tuple | None = None  # a program with a figure and no ledger: its totals per first level (figure_totals)

    @property
    def title(self) -> str:
        """The title of the city's document where the program records it (令和7年度旭川市まち・ひと・しごと創生総合戦略
        関連事業一覧); else the reform report's 「…の進行状況」, or for a program that reports no statuses its name,
        never a title the city did not print."""
        if self.program.source_title:
            return self.program.source_title
        if self.program.statuses:
            return f"{self.program.name}の進行状況"
        return self.program.name

    @property
    def perspective_heading(self) -> str:
        """What the first level is called above its name: the reform report prints 「行財政改革の視点」."""
        return "行財政改革の視点" if self.program.has_ledger else self.program.level1_label

    @property
    def is_list(self) -> bool:
        """A program without statuses is printed as its list: a table per pillar, one row per item (as the
        strategy's list of projects and the dX roadmap are printed), not a sheet per item."""
        return not self.program.statuses

    @functools.cached_property
    def columns(self) -> dict[str, bool]:
        """Which of the list's columns any item fills: departments, background, the schedule, the goal."""
        sheets = self.initiatives
        return {
            "departments": any(sheet.departments for sheet in sheets),
            "background": any(sheet.publication.background for sheet in sheets),
            "schedule": any(step["step"] for sheet in sheets for step in sheet.schedule),
            "goal": any(sheet.publication.goal for sheet in sheets),
        }

    @functools.cached_property
    def roadmap(self) -> Roadmap | None:
        """The items as a year grid, where the program's frame is a year roadmap (initiatives.roadmap): from the
        report's publications, over the period and in the pillars its release kept (a released cycle's frame)."""
        return roadmap_of(((sheet.pillar, sheet.publication) for sheet in self.initiatives), self.program.fiscal_years)

    @property
    def is_roadmap(self) -> bool:
        """A list whose items form a year roadmap is printed as that grid (reports/_roadmap.html), right after
        page 1's heading and without a table of contents, so that no page is left mostly blank."""
        return self.is_list and self.roadmap is not None

    @property
    def is_preview(self) -> bool:
        """A cycle not yet released: its report is a staff preview (公表前（確認用）), never the public one."""
        return not self.cycle.is_released

    @property
    def introduction(self) -> str:
        """The report's opening paragraphs: the cycle's own text."""
        return self.cycle.introduction

    @property
    def as_of(self):
        """基準日: the cycle's date (its release date until one is set)."""
        return self.cycle.as_of or self.cycle.released_on

    @property
    def initiatives(self) -> list[InitiativeSheet]:
        return [i for p in self.perspectives for s in p.pillars for i in s.initiatives]

    @property
    def ledger_fiscal_years(self) -> list[int]:
        """The budget years whose amounts the report may include, up to the cut."""
        return self.ledger.fiscal_years

    @property
    def ledger_cumulative_label(self) -> str:
        return self.cycle.cumulative_label

    @property
    def ledger_target_label(self) -> str:
        return f"{eras.fiscal_year_label(self.program.end_fiscal_year)}当初予算編成までに累計{self.program.fiscal_target_oku_yen}億円"

    def ledger_lines(self) -> list[LedgerRow]:
        """The ledger table in the report's order (each group's subtotal, its categories; the total), in 千円."""
        return self.ledger.rows()


def has_publications(cycle: ReportingCycle) -> bool:
    return PublishedVersion.objects.filter(cycle=cycle).exists()


def publication_state(cycle: ReportingCycle) -> dict:
    """What changes whenever something is published in the cycle (the cache's key)."""
    return PublishedVersion.objects.filter(cycle=cycle).aggregate(
        count=Count("pk"), last_id=Max("pk"), last_at=Max("published_at")
    )


def annual_report(cycle: ReportingCycle) -> AnnualReport:
    frame = frame_of(cycle)  # the program, perspectives and pillars as the cycle prints them (as released)
    program = frame.program
    sections: dict[int, PerspectiveSection] = {}
    pillar_sections: dict[int, PillarSection] = {}
    for perspective in frame.perspectives:
        sections[perspective.pk] = PerspectiveSection(perspective)
    for pillar in frame.pillars:
        pillar_sections[pillar.pk] = PillarSection(pillar)
        sections[pillar.perspective_id].pillars.append(pillar_sections[pillar.pk])
    language = translation.get_language()
    sections_by_key = {section.pillar.key: section for section in pillar_sections.values()}
    # values, not model instances: thousands of initiatives are read in a fraction of a second
    for data, pillar_id in published_versions(program, cycle).values_list("data", "pillar_id"):
        section = pillar_sections[pillar_id]
        sheet = InitiativeSheet(
            data=data,
            pillar=section.pillar,
            fiscal_year=cycle.fiscal_year,
            program_years=program.fiscal_years,
            vocabulary=program.vocabulary,
            language=language,
            per_level=program.numbered_per_level,
        )
        section.initiatives.append(sheet)
        for listing in sheet.publication.listings:  # printed again (再掲) under another pillar
            if listing["pillar"] in sections_by_key:
                sections_by_key[listing["pillar"]].listed_again.append(ListingLine(listing["number"], sheet))
    figures = figure_totals(program, cycle) if program.totals_its_figure else None
    figure_of = {row.perspective.pk: row for row in figures[0]} if figures else {}
    perspectives = [
        PerspectiveSection(
            section.perspective,
            [p for p in section.pillars if p.initiatives or p.listed_again],  # a 施策 may list only 再掲 items
            figure_of.get(section.perspective.pk),
        )
        for section in sections.values()
    ]
    # the ledger's initiatives are those of the report, already read: no second pass over thousands of versions
    ledger = ledger_report(program, cycle.budget_fiscal_year)
    unlinked = ledger.link(
        {"number": sheet.number, "name": sheet.name, "amount": sheet.publication.secured_amount_thousand_yen,
         "category": sheet.publication.ledger_category}
        for section in pillar_sections.values() for sheet in section.initiatives
        if sheet.publication.ledger_category or sheet.publication.secured_amount_thousand_yen is not None
    )
    return AnnualReport(
        program=program,
        cycle=cycle,
        summary=published_summary(program, cycle),
        ledger=ledger,
        ledger_unlinked=unlinked,
        perspectives=[p for p in perspectives if p.pillars],
        pillars={pk: section.pillar for pk, section in pillar_sections.items()},
        figures=figures,
    )
