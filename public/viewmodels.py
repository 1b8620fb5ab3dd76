"""The view-models of the public pages: what a page shows of a program, a publication, a report.

They hold what the readers in public/selectors.py have read and compute nothing that needs a query.
Statuses are labelled and counted in the vocabulary of the report shown (programs.statuses): a released
cycle's as it printed it, a cycle not yet released in the program's as it stands.
"""
from dataclasses import dataclass

from django.utils import timezone

from finance.selectors import LedgerReport, LedgerRow
from initiatives.models import PublishedVersion
from initiatives.publication import Publication
from initiatives.selectors import FigureTotal, Preliminary, Summary, SummaryRow
from programs.models import Program, ReportingCycle
from programs.statuses import Vocabulary


def publication_date(version: PublishedVersion):
    """公開日 as citizens read it: the release date of the version's report; a preliminary (速報)
    version's own publication day, in Japan time."""
    if version.cycle.is_public:
        return version.cycle.released_on
    return timezone.localdate(version.published_at)


def reports_statuses(total: SummaryRow) -> bool:
    """Whether a report gives statuses: its vocabulary has some and an item reported one."""
    return bool(total.vocabulary) and total.initiatives > total.not_reported


@dataclass
class ProgramCard:
    """A program on the front page: its latest released report and the headline its summary leads with."""

    program: Program
    cycle: ReportingCycle | None  # None while nothing is released (its publications are 速報)
    headline: "Headline | None" = None  # the summary's, for the released report


@dataclass
class PublishedYear:
    """One fiscal year's record as it was published (data["years"])."""

    record: dict
    vocabulary: Vocabulary  # of the publication shown

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
        return self.vocabulary.as_printed(self.status, splits)

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
    vocabulary: Vocabulary  # of the version's cycle: as released, for a released one
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
    def publication(self) -> Publication:
        return Publication(self.version.data)

    @property
    def number(self) -> int:
        return self.version.number

    @property
    def cycle(self) -> ReportingCycle:
        return self.version.cycle

    @property
    def status_label(self) -> str:
        return self.vocabulary.label_of(self.version.status)

    @property
    def published_on(self):
        return publication_date(self.version)

    @property
    def years(self) -> list[PublishedYear]:
        """The published years, oldest first (the year-over-year table)."""
        return [PublishedYear(y, self.vocabulary) for y in self.publication.years]

    @property
    def has_schedule(self) -> bool:
        """Whether the publication plans any year's step (作業工程): the strategy's 事業 plan none."""
        return any(item["step"] for item in self.publication.schedule(self.program_years))

    @property
    def timeline(self) -> list[TimelineYear]:
        """Each of the program's fiscal years: the 作業工程 step, and the published record where there is one."""
        published = {y.fiscal_year: y for y in self.years}
        reported_to = self.cycle.fiscal_year
        timeline = []
        for item in self.publication.schedule(self.program_years):
            year = item["fiscal_year"]
            state = "reported" if year in published else "not_due" if year > reported_to else "unreported"
            timeline.append(TimelineYear(year, item["step"], state, published.get(year)))
        return timeline


@dataclass
class Headline:
    """The figures the summary leads with, as the city presents its pledges (「93%（79項目/85項目）」):
    the share of initiatives on track (SummaryRow.on_track_percent), the initiatives behind, the amount secured
    against the target; for a program without statuses its figure's total or its number of items. The front
    page's card of the program shows the same."""

    program: Program  # as the report printed it
    cycle: ReportingCycle  # the released report
    total: SummaryRow  # the released report's whole program
    behind: list[dict]  # {'number', 'name', 'pillar_key'} of each initiative behind
    ledger_total: LedgerRow | None
    figure_totals: tuple[list[FigureTotal], FigureTotal] | None = None  # initiatives.selectors.figure_totals

    @property
    def figure_total(self) -> FigureTotal | None:
        """The whole program's figure, where the program totals one (予算事業費)."""
        return self.figure_totals[1] if self.figure_totals else None

    @property
    def reports_statuses(self) -> bool:
        return reports_statuses(self.total)

    @property
    def on_track(self) -> int:
        return self.total.on_track

    @property
    def counted(self) -> int:
        return self.total.denominator

    @property
    def percent(self) -> str:
        return self.total.on_track_percent

    @property
    def vocabulary(self) -> Vocabulary:
        return self.total.vocabulary

    @property
    def on_track_labels(self) -> str:
        return self.total.on_track_labels

    @property
    def behind_labels(self) -> str:
        return self.vocabulary.behind_labels


@dataclass
class CycleColumn:
    """One released report in the year-over-year views: its status mix."""

    cycle: ReportingCycle
    summary: Summary


@dataclass
class LedgerColumn:
    """One released report in the ledger's year over year: the cumulative total it stated."""

    cycle: ReportingCycle
    total: LedgerRow


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


@dataclass
class Glossary:
    """The terms the summary explains (ことばの説明): only those the program's pages use, read from its data."""

    program: Program  # as the report shown printed it
    listed_again: bool  # an item of the report shown is listed again (再掲) under another level
    thousand_yen: bool  # its items carry an amount in 千円 (its figure, or the amount secured)

    @property
    def oku_yen(self) -> bool:
        """The ledger states its amounts in 億円."""
        return self.program.has_ledger

    @property
    def statuses(self) -> Vocabulary | None:
        return self.program.vocabulary if self.program.statuses else None
