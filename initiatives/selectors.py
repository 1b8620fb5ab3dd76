"""Reads about initiatives: the summary by the report's rule, published versions, cycle progress."""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext

from programs.models import Pillar, Program

from .models import Initiative, PublishedVersion, Status, WorkflowState, YearlyRecord


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
    """Status counts of a pillar (or of the whole program)."""

    label: str
    pillar: Pillar | None = None
    initiatives: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in Status})
    not_reported: int = 0

    @property
    def denominator(self) -> int:
        """実施年度未到来 and 実施不可 are left out of the percentages."""
        return sum(self.counts[s] for s in Status.counted_in_percentages())

    def percent(self, status: str) -> str | None:
        if status not in Status.counted_in_percentages():
            return None
        return format_percent(self.counts[status], self.denominator)

    def cells(self) -> list[dict]:
        """One cell per status in the report's column order: status, label, count, percent."""
        return [
            {"status": s.value, "label": s.label, "count": self.counts[s.value], "percent": self.percent(s.value)}
            for s in Status
        ]

    def add(self, status: str | None) -> None:
        self.initiatives += 1
        if status is None:
            self.not_reported += 1
        else:
            self.counts[status] += 1


@dataclass
class Summary:
    program: Program
    fiscal_year: int | None
    rows: list[SummaryRow]
    total: SummaryRow


def reported_fiscal_year(program: Program) -> int | None:
    """The latest fiscal year for which the program has records."""
    return (
        YearlyRecord.objects.for_program(program).order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()
    )


def _summarize(program: Program, fiscal_year: int | None, statuses: dict[int, str], pillar_of: dict[int, int]) -> Summary:
    """Count each initiative once by its status (None when it has nothing for the year)."""
    rows = {pillar.pk: SummaryRow(label=str(pillar), pillar=pillar) for pillar in program.pillars.order_by("order")}
    total = SummaryRow(label=gettext("合計"))
    for initiative_id, pillar_id in pillar_of.items():
        status = statuses.get(initiative_id)
        rows[pillar_id].add(status)
        total.add(status)
    return Summary(program=program, fiscal_year=fiscal_year, rows=list(rows.values()), total=total)


def program_summary(program: Program, fiscal_year: int | None = None) -> Summary:
    """Status counts per pillar and in total from the working data, as on page 1 of the report.

    Each initiative counts once, with its effective status: a split status
    (one department behind) counts as behind.
    """
    if fiscal_year is None:
        fiscal_year = reported_fiscal_year(program)
    records = YearlyRecord.objects.filter(initiative__program=program, fiscal_year=fiscal_year).with_statuses()
    statuses = {record.initiative_id: record.effective_status for record in records}
    pillar_of = dict(Initiative.objects.for_program(program).values_list("pk", "pillar_id"))
    return _summarize(program, fiscal_year, statuses, pillar_of)


# --- what citizens see: published versions only ------------------------------------


def published_versions(program: Program, cycle=None):
    """The published version of each initiative: the current one, or the one of a (closed) cycle's archive."""
    versions = PublishedVersion.objects.filter(initiative__program=program)
    versions = versions.of_cycle(cycle) if cycle is not None else versions.current()
    return versions.select_related("pillar__perspective", "cycle").order_by("number")


def published_summary(program: Program, cycle=None) -> Summary:
    """The summary citizens see, computed from the published versions (same rule as program_summary).

    Initiatives never published count as not reported.
    """
    versions = published_versions(program, cycle).values_list("initiative_id", "status", "cycle__fiscal_year")
    statuses, years = {}, set()
    for initiative_id, status, year in versions:
        statuses[initiative_id] = status
        years.add(year)
    pillar_of = dict(Initiative.objects.for_program(program).values_list("pk", "pillar_id"))
    return _summarize(program, max(years) if years else None, statuses, pillar_of)


def published_cycles(program: Program):
    """Cycles with at least one publication, newest first (the archive of reports)."""
    from programs.models import ReportingCycle

    return ReportingCycle.objects.filter(program=program, publications__isnull=False).distinct().order_by("-fiscal_year")


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
    from . import roles

    initiatives = roles.visible_initiatives(visible_to, Initiative.objects.for_program(cycle.program))
    records = (
        YearlyRecord.objects.filter(fiscal_year=cycle.fiscal_year, initiative__in=initiatives)
        .select_related("initiative")
        .prefetch_related("initiative__responsibilities__department")
        .order_by("initiative__number")
    )
    progress: dict[int, DepartmentProgress] = {}
    for record in records:
        for responsibility in record.initiative.responsibilities.all():
            department = responsibility.department
            progress.setdefault(department.pk, DepartmentProgress(department)).records.append(record)
    return sorted(progress.values(), key=lambda p: (p.department.order, p.department.name))
