"""Reads for the public pages: only what the reform office has published.

Initiatives come from their published versions (`PublishedVersion.data`, the open-data
form of the initiative when it was published), never from the working records, so a
draft, a review comment or a workflow state can never reach a citizen. The ledger is the
program's fiscal-target table, which the reform office keeps (it has no drafts).
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from finance.selectors import Ledger, LedgerLine, program_ledger
from initiatives.models import PublishedVersion, Status
from initiatives.selectors import published_cycles, published_versions
from programs import eras
from programs.models import Department, Program, ReportingCycle

STATUS_ORDER = [s.value for s in Status]


def status_label(value: str | None) -> str:
    """The Japanese (or translated) label of a status value; '' for none."""
    return str(Status(value).label) if value in Status.values else ""


def current_program() -> Program | None:
    """The program the portal shows (the portal holds one; the first registered if several)."""
    return Program.objects.order_by("pk").first()


def progress_percent(secured: int | None, target: int) -> str:
    """Share of the target secured, one decimal ('39.9%'); '－' when there is no target or nothing recorded."""
    if secured is None or not target:
        return "－"
    value = (Decimal(secured) * 100 / Decimal(target)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


# --- one initiative as published ------------------------------------------------------


@dataclass
class YearStep:
    """One fiscal year of the work schedule, with what was published for it."""

    fiscal_year: int
    record: dict

    @property
    def reported(self) -> bool:
        return bool(self.record.get("plan") or self.record.get("result"))

    @property
    def status_label(self) -> str:
        return status_label(self.record.get("status")) if self.reported else ""

    @property
    def department_statuses(self) -> list[dict]:
        return [
            {**split, "status_label": status_label(split.get("status"))}
            for split in self.record.get("department_statuses", [])
        ]


@dataclass
class PublicInitiative:
    """A published version as the initiative page shows it."""

    version: PublishedVersion
    program_years: range

    @property
    def data(self) -> dict:
        return self.version.data

    @property
    def number(self) -> int:
        return self.version.number

    @property
    def status_label(self) -> str:
        return status_label(self.version.status)

    @property
    def schedule(self) -> list[YearStep]:
        """Each of the program's fiscal years, with the published record where there is one."""
        by_year = {y["fiscal_year"]: y for y in self.data.get("years", [])}
        years = sorted(set(self.program_years) | set(by_year))
        return [YearStep(year, by_year.get(year, {})) for year in years]

    @property
    def reported_year(self) -> YearStep | None:
        """The record of the fiscal year the publication reports on."""
        record = next((y for y in self.data.get("years", []) if y["fiscal_year"] == self.version.cycle.fiscal_year), None)
        return YearStep(self.version.cycle.fiscal_year, record) if record else None


def public_initiative(program: Program, number: int, cycle: ReportingCycle | None = None) -> PublicInitiative | None:
    version = published_versions(program, cycle).filter(number=number).first()
    return PublicInitiative(version, program.fiscal_years) if version else None


def neighbours(program: Program, number: int, cycle: ReportingCycle | None = None) -> tuple[dict | None, dict | None]:
    """The previous and next published initiatives (by 管理番号): {'number', 'name'} or None."""
    versions = published_versions(program, cycle).values("number", "name")
    previous = versions.filter(number__lt=number).order_by("-number").first()
    following = versions.filter(number__gt=number).order_by("number").first()
    return previous, following


def earlier_publications(program: Program, number: int, *, shown_cycle: ReportingCycle) -> list[ReportingCycle]:
    """Closed cycles, other than the one shown, in which this initiative was published (newest first)."""
    return list(
        ReportingCycle.objects.filter(
            program=program,
            state="closed",
            publications__number=number,
            publications__is_latest_in_cycle=True,
        )
        .exclude(pk=shown_cycle.pk)
        .distinct()
        .order_by("-fiscal_year")
    )


# --- the ledger with the initiatives that contribute -------------------------------------


@dataclass
class LedgerRow:
    line: LedgerLine
    cumulative: int | None
    progress: str
    bar_percent: int
    by_year: list[int | None]
    contributors: list[dict] = field(default_factory=list)


@dataclass
class PublicLedger:
    ledger: Ledger
    up_to: int | None
    groups: list[tuple[str, LedgerRow, list[LedgerRow]]]
    total: LedgerRow
    unassigned: list[dict]

    @property
    def notes(self) -> list[str]:
        """The entries' notes (e.g. that a figure sums two budgets), each once."""
        notes = [
            entry.note
            for _label, _subtotal, rows in self.groups
            for row in rows
            for entry in row.line.category.entries.all()
            if entry.note
        ]
        return list(dict.fromkeys(notes))

    @property
    def fiscal_years(self) -> list[int]:
        return self.ledger.fiscal_years


def _row(line: LedgerLine, up_to: int | None, years, contributors=()) -> LedgerRow:
    cumulative = line.cumulative_to(up_to) if up_to else None
    share = (cumulative or 0) / line.target_thousand_yen if line.target_thousand_yen else 0
    return LedgerRow(
        line=line,
        cumulative=cumulative,
        progress=progress_percent(cumulative, line.target_thousand_yen),
        bar_percent=max(0, min(100, round(share * 100))),
        by_year=[line.secured_by_year.get(year) for year in years],
        contributors=list(contributors),
    )


def public_ledger(program: Program, *, with_contributors: bool = True) -> PublicLedger:
    """The ledger (targets, secured per year and cumulative, progress) and, per category, the
    published initiatives linked to it; initiatives with a secured amount but no category are listed apart."""
    ledger = program_ledger(program)
    up_to = ledger.latest_fiscal_year
    by_category: dict[str, list[dict]] = {}
    unassigned: list[dict] = []
    if with_contributors:
        versions = published_versions(program).exclude(
            Q(secured_amount_thousand_yen__isnull=True) & Q(data__ledger_category=None)
        ).values("number", "name", "secured_amount_thousand_yen", "data__ledger_category")
        for version in versions:
            item = {"number": version["number"], "name": version["name"], "amount": version["secured_amount_thousand_yen"]}
            category = version["data__ledger_category"]
            if category:
                by_category.setdefault(category, []).append(item)
            else:
                unassigned.append(item)
    groups = [
        (
            group.label,
            _row(group.subtotal, up_to, ledger.fiscal_years),
            [_row(line, up_to, ledger.fiscal_years, by_category.get(line.name, [])) for line in group.lines],
        )
        for group in ledger.groups
    ]
    return PublicLedger(ledger=ledger, up_to=up_to, groups=groups, total=_row(ledger.total, up_to, ledger.fiscal_years), unassigned=unassigned)


# --- departments ------------------------------------------------------------------------


def departments_with_publications(program: Program):
    """Departments responsible for at least one currently published initiative, with how many."""
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


def era_label(fiscal_year: int | None) -> str:
    return eras.fiscal_year_label_with_western(fiscal_year) if fiscal_year else ""
