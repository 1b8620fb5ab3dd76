"""Reads about initiatives: the summary by the report's rule, published versions, cycle progress."""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext

from finance.selectors import LedgerReport, ledger_report
from programs.frames import frame_of
from programs.models import Pillar, Program, ReportingCycle
from programs.statuses import Vocabulary

from .models import Initiative, PublishedVersion, WorkflowState, YearlyRecord


def format_percent(count: int, denominator: int) -> str:
    """The report's percentages: three significant figures ('92.6%', '7.41%', '0.00%')."""
    if not denominator:
        return "－"
    value = Decimal(count) * 100 / Decimal(denominator)
    if value == 0:
        return "0.00%"
    digits = value.adjusted() + 1  # digits before the decimal point
    quantum = Decimal(1).scaleb(min(0, digits - 3))
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP)}%"


@dataclass
class SummaryRow:
    """Status counts of a pillar (or of the whole program), by the vocabulary of the program or report."""

    label: str
    vocabulary: Vocabulary = field(repr=False)
    pillar: Pillar | None = None
    initiatives: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    not_reported: int = 0

    def __post_init__(self):
        self.counts = {**dict.fromkeys(self.vocabulary.codes, 0), **self.counts}

    @property
    def denominator(self) -> int:
        """The statuses the vocabulary counts (the reform report leaves out 実施年度未到来 and 実施不可)."""
        return sum(self.counts.get(s, 0) for s in self.vocabulary.counted)

    @property
    def on_track(self) -> int:
        """The headline's numerator: counted and not behind (実施済み and 予定どおり進んでいる)."""
        return sum(self.counts.get(s, 0) for s in self.vocabulary.on_track)

    @property
    def on_track_percent(self) -> str:
        return format_percent(self.on_track, self.denominator)

    @property
    def on_track_labels(self) -> str:
        """「取組中」「完了」: what the share counts as on track, for headings of a program with statuses of its own."""
        return self.vocabulary.on_track_labels

    def percent(self, status: str) -> str | None:
        if status not in self.vocabulary.counted:
            return None
        return format_percent(self.counts.get(status, 0), self.denominator)

    def cells(self) -> list[dict]:
        """One cell per status in the vocabulary's order: status, label, style, count, percent."""
        return [
            {"status": d.code, "label": d.display_label, "style": self.vocabulary.style(d.code),
             "count": self.counts.get(d.code, 0), "percent": self.percent(d.code)}
            for d in self.vocabulary
        ]

    def add(self, status: str | None) -> None:
        self.initiatives += 1
        if not status:  # None, or "" in a program that reports no statuses
            self.not_reported += 1
        else:
            self.counts[status] = self.counts.get(status, 0) + 1


@dataclass
class Summary:
    program: Program
    vocabulary: Vocabulary
    fiscal_year: int | None
    rows: list[SummaryRow]
    total: SummaryRow

    @property
    def uncounted_labels(self) -> list[str]:
        """The statuses left out of the percentages (実施年度未到来, 実施不可), in the vocabulary's order."""
        return [d.display_label for d in self.vocabulary if not d.counted]

    @property
    def behind_labels(self) -> list[str]:
        return [d.display_label for d in self.vocabulary if d.behind]

    @property
    def percent_note(self) -> str:
        """The note under the summary table: what the percentages leave out, how a split status counts."""
        notes = []
        if self.uncounted_labels:
            notes.append(gettext("割合は、%(statuses)sを除いた取組数に対するものです（報告書と同じ計算です）。") % {
                "statuses": "と".join(f"「{label}」" for label in self.uncounted_labels)})
        if self.behind_labels:
            notes.append(gettext("部局ごとに進行状況が分かれる取組は、%(statuses)sに数えています。") % {
                "statuses": "・".join(f"「{label}」" for label in self.behind_labels)})
        return "※ " + "".join(notes) if notes else ""

    @property
    def printed_percent_note(self) -> str:
        """The annual report's note: 「実施年度未到来及び実施不可の件数は割合算出上の数値に算入していません。」"""
        if not self.uncounted_labels:
            return ""
        return gettext("%(statuses)sの件数は割合算出上の数値に算入していません。") % {"statuses": "及び".join(self.uncounted_labels)}


def reported_fiscal_year(program: Program) -> int | None:
    """The year of the latest released report; else of the newest cycle; else the latest year with records."""
    cycle = ReportingCycle.objects.latest_released(program) or ReportingCycle.objects.for_program(program).first()
    if cycle is not None:
        return cycle.fiscal_year
    return (
        YearlyRecord.objects.for_program(program).order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()
    )


def _summarize(
    program: Program, fiscal_year: int | None, statuses: dict[int, str], pillar_of: dict[int, int], frame=None
) -> Summary:
    """Count each initiative once by its status (None when it has nothing for the year), under the pillars and
    in the vocabulary of `frame` (a cycle's: as released, for a released one), else of the program as it stands."""
    pillars = program.pillars.order_by("order") if frame is None else frame.pillars
    vocabulary = program.vocabulary if frame is None else frame.program.vocabulary
    rows = {pillar.pk: SummaryRow(label=str(pillar), vocabulary=vocabulary, pillar=pillar) for pillar in pillars}
    total = SummaryRow(label=gettext("合計"), vocabulary=vocabulary)
    for initiative_id, pillar_id in pillar_of.items():
        status = statuses.get(initiative_id)
        rows[pillar_id].add(status)
        total.add(status)
    return Summary(program=program, vocabulary=vocabulary, fiscal_year=fiscal_year, rows=list(rows.values()), total=total)


def program_summary(program: Program, fiscal_year: int | None = None) -> Summary:
    """Status counts per pillar and in total from the working data of one year, as on page 1 of the report.

    Each initiative counts once, with its effective status: a split status
    (one department behind) counts as behind; a record not yet reported (未報告)
    counts apart, never as a status.
    """
    if fiscal_year is None:
        fiscal_year = reported_fiscal_year(program)
    records = YearlyRecord.objects.filter(initiative__program=program, fiscal_year=fiscal_year).with_statuses()
    statuses = {record.initiative_id: record.effective_status for record in records}
    pillar_of = dict(Initiative.objects.for_program(program).values_list("pk", "pillar_id"))
    return _summarize(program, fiscal_year, statuses, pillar_of)


# --- what citizens see: published versions only ------------------------------------


def report_cycle(program: Program) -> ReportingCycle | None:
    """The report citizens read: the latest cycle released as a whole (公表) and public."""
    return ReportingCycle.objects.latest_public(program)


def published_versions(program: Program, cycle: ReportingCycle | None = None):
    """The published version of each initiative in a cycle: the given one's, or the released report's.

    Empty while nothing is released. Publications of a cycle not yet released are
    preliminary (速報): they show on their initiative's page only (latest_publication)."""
    cycle = cycle or report_cycle(program)
    if cycle is None:
        return PublishedVersion.objects.none()
    return (
        PublishedVersion.objects.filter(initiative__program=program)
        .of_cycle(cycle)
        .select_related("cycle")
        .framed(frame_of(cycle, program))  # the pillars as the cycle shows them (as released, for a released one)
        .order_by(*item_order(program))
    )


def item_order(program: Program) -> tuple[str, ...]:
    """Items in the program's order: by 管理番号, or pillar by pillar where numbers restart under each."""
    return ("pillar__order", "number") if program.numbered_per_level else ("number",)


@dataclass
class PublishedLedger:
    """A report's ledger with the report's initiatives linked to its categories (reconciliation), and
    those initiatives with a secured amount that are linked to no category."""

    report: LedgerReport
    unlinked: list[dict]


def published_ledger(program: Program, cycle: ReportingCycle | None, report: LedgerReport | None = None) -> PublishedLedger:
    """The ledger of the cycle's initial budget (`report`, if already read), each category with the
    initiatives the cycle published linked to it (number, name, amount as published). Without a cycle:
    the categories without figures."""
    if cycle is None:
        return PublishedLedger(report=ledger_report(program, None), unlinked=[])
    report = report or ledger_report(program, cycle.budget_fiscal_year)
    versions = published_versions(program, cycle).exclude(
        Q(secured_amount_thousand_yen__isnull=True) & Q(data__ledger_category=None)
    ).values("number", "name", "secured_amount_thousand_yen", "data__ledger_category")
    unlinked = report.link(
        {"number": v["number"], "name": v["name"], "amount": v["secured_amount_thousand_yen"],
         "category": v["data__ledger_category"]}
        for v in versions
    )
    return PublishedLedger(report=report, unlinked=unlinked)


def latest_publication(program: Program, lookup: dict) -> PublishedVersion | None:
    """The newest publication of an initiative (found by `Program.item_lookup`), preliminary (速報) or part of
    a released report."""
    version = (
        PublishedVersion.objects.filter(initiative__program=program, **lookup)
        .current()
        .select_related("pillar__perspective", "cycle")
        .first()
    )
    if version is not None and version.cycle.frame:  # its pillar as its released report printed it
        version.pillar = frame_of(version.cycle, program).pillar(version.pillar_id) or version.pillar
    return version


def published_summary(program: Program, cycle: ReportingCycle | None = None) -> Summary:
    """The summary citizens see, computed from a cycle's published versions (same rule as program_summary).

    Each publication counts under the pillar it was published in, among the pillars the cycle shows. In a
    cycle not yet released, the initiatives reported that year and not published count as not reported."""
    cycle = cycle or report_cycle(program)
    if cycle is None:  # nothing released: every initiative not reported
        return _summarize(program, None, {}, dict(Initiative.objects.for_program(program).values_list("pk", "pillar_id")))
    statuses, pillar_of = {}, {}
    if not cycle.is_released:
        pillar_of = dict(Initiative.objects.for_program(program).reporting_in(cycle.fiscal_year).values_list("pk", "pillar_id"))
    for initiative_id, pillar_id, status in published_versions(program, cycle).values_list("initiative_id", "pillar_id", "status"):
        statuses[initiative_id], pillar_of[initiative_id] = status, pillar_id
    return _summarize(program, cycle.fiscal_year, statuses, pillar_of, frame_of(cycle, program))


def released_summaries(program: Program) -> list[tuple[ReportingCycle, Summary]]:
    """Each public report's summary, oldest first (the year-over-year view); two queries however many cycles.
    Each counts the publications of its report under the pillars it printed."""
    cycles = list(ReportingCycle.objects.public().filter(program=program).order_by("fiscal_year"))
    statuses: dict[int, dict[int, str]] = {cycle.pk: {} for cycle in cycles}
    pillar_of: dict[int, dict[int, int]] = {cycle.pk: {} for cycle in cycles}
    versions = PublishedVersion.objects.filter(initiative__program=program, cycle__in=cycles, is_latest_in_cycle=True)
    for cycle_id, initiative_id, pillar_id, status in versions.values_list("cycle_id", "initiative_id", "pillar_id", "status"):
        statuses[cycle_id][initiative_id] = status
        pillar_of[cycle_id][initiative_id] = pillar_id
    return [
        (cycle, _summarize(program, cycle.fiscal_year, statuses[cycle.pk], pillar_of[cycle.pk], frame_of(cycle, program)))
        for cycle in cycles
    ]


def published_cycles(program: Program):
    """Public (released) cycles, newest first (the archive of reports)."""
    return ReportingCycle.objects.public().filter(program=program).order_by("-fiscal_year")


@dataclass
class Preliminary:
    """Publications of a cycle not yet released (速報): how many of the program's initiatives are in."""

    cycle: ReportingCycle
    published: int
    total: int


def preliminary_progress(cycle: ReportingCycle) -> Preliminary | None:
    """For a cycle not yet public (released or not), how far its publication has come; None for a public cycle."""
    if cycle.is_public:
        return None
    return Preliminary(
        cycle=cycle,
        published=PublishedVersion.objects.filter(cycle=cycle, is_latest_in_cycle=True).count(),
        total=Initiative.objects.filter(program_id=cycle.program_id).count(),
    )


@dataclass
class DepartmentProgress:
    department: object
    records: list = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {state.value: 0 for state in WorkflowState}
        for record in self.records:
            counts[record.workflow_state] += 1
        return counts

    @property
    def outstanding(self) -> int:
        """Records the department still owes (not yet submitted)."""
        return sum(1 for r in self.records if r.workflow_state in WorkflowState.awaiting_department())


def cycle_overview(cycle, *, visible_to) -> list[DepartmentProgress]:
    """Each department's records in the cycle with their workflow state (an initiative appears under each of its departments)."""
    from accounts import roles

    initiatives = roles.visible_initiatives(visible_to, Initiative.objects.for_program(cycle.program))
    records = (
        YearlyRecord.objects.of_cycle(cycle).filter(initiative__in=initiatives)
        .select_related("initiative")
        .prefetch_related("initiative__responsibilities__department", "department_statuses")
        .order_by("initiative__number")
    )
    progress: dict[int, DepartmentProgress] = {}
    for record in records:
        for responsibility in record.initiative.responsibilities.all():
            department = responsibility.department
            progress.setdefault(department.pk, DepartmentProgress(department)).records.append(record)
    return sorted(progress.values(), key=lambda p: (p.department.order, p.department.name))


@dataclass(frozen=True)
class FigureTotal:
    """One first-level total of a program's per-year figure (the strategy's 予算事業費 per 基本目標).

    `items` and `amount` count every item once, under its own pillar; `listed_again` and
    `amount_as_listed` add the items listed again (再掲) under this level's pillars, as the city's
    printed list does in its 小計 (there a 再掲 item's budget appears once per row)."""

    perspective: object
    items: int
    amount: int
    listed_again: int
    amount_as_listed: int

    @property
    def rows(self) -> int:
        """The 小計's count as the city prints it: every row of the list, its 再掲 rows too."""
        return self.items + self.listed_again


def figure_totals(program: Program, cycle: ReportingCycle) -> tuple[list[FigureTotal], FigureTotal]:
    """The cycle's published figures per first level, and for the whole program (perspective None), under
    the levels the cycle shows (as released, for a released one); 再掲 as each publication lists it."""
    frame = frame_of(cycle, program)
    pillar_by_key = {pillar.key: pillar for pillar in frame.pillars}
    own, again = defaultdict(list), defaultdict(list)  # perspective id → amounts
    for pillar_id, amount, listings in PublishedVersion.objects.of_cycle(cycle).values_list(
        "pillar_id", "secured_amount_thousand_yen", "data__listings"
    ):
        pillar = frame.pillar(pillar_id)
        own[pillar.perspective_id if pillar else None].append(amount or 0)
        for listing in listings or []:
            listed = pillar_by_key.get(listing["pillar"])
            if listed is not None:
                again[listed.perspective_id].append(amount or 0)
    rows = [
        FigureTotal(p, len(own[p.pk]), sum(own[p.pk]), len(again[p.pk]), sum(own[p.pk]) + sum(again[p.pk]))
        for p in frame.perspectives
    ]
    whole = FigureTotal(
        None,
        sum(r.items for r in rows),
        sum(r.amount for r in rows),
        sum(r.listed_again for r in rows),
        sum(r.amount_as_listed for r in rows),
    )
    return rows, whole


def cycles_to_import(user):
    """The open cycles holding records this staff member may edit (their departments', or every record of the
    programs they review): the cycles the Excel import offers them, oldest program first."""
    from accounts import roles

    initiatives = roles.visible_initiatives(user, Initiative.objects.all()).values("pk")
    editable = YearlyRecord.objects.filter(cycle=OuterRef("pk"), initiative__in=initiatives)
    cycles = ReportingCycle.objects.open().filter(Exists(editable)).select_related("program").order_by("program_id")
    return roles.in_program_scope(user, cycles)
