"""Reads of the fiscal-target ledger: per category, per group and in total, with cumulative sums."""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch

from programs.models import Program

from .models import Group, LedgerCategory, LedgerEntry


@dataclass
class LedgerLine:
    """A row of the ledger table: a category, a group subtotal or the grand total."""

    name: str
    target_thousand_yen: int
    secured_by_year: dict[int, int]
    category: LedgerCategory | None = None
    kind: str = "category"  # "category", "group" or "total"
    has_entries: bool = True

    def secured_in(self, fiscal_year: int) -> int:
        return self.secured_by_year.get(fiscal_year, 0)

    def cumulative_to(self, fiscal_year: int) -> int | None:
        """Secured from the start of the program up to and including this fiscal year; None if nothing is recorded."""
        if not self.has_entries:
            return None
        return sum(amount for year, amount in self.secured_by_year.items() if year <= fiscal_year)

    def progress_to(self, fiscal_year: int) -> float:
        """Share of the target secured so far, for drawing bars (0.0–1.0+); never used for stored money."""
        cumulative = self.cumulative_to(fiscal_year) or 0
        return cumulative / self.target_thousand_yen if self.target_thousand_yen else 0.0


@dataclass
class LedgerGroup:
    group: str
    label: str
    subtotal: LedgerLine
    lines: list[LedgerLine] = field(default_factory=list)


@dataclass
class Ledger:
    program: Program
    fiscal_years: list[int]
    groups: list[LedgerGroup]
    total: LedgerLine

    @property
    def latest_fiscal_year(self) -> int | None:
        """The last fiscal year with a recorded amount (the 'up to' of the cumulative column)."""
        years = [year for g in self.groups for line in g.lines for year in line.secured_by_year]
        return max(years) if years else None


def _sum_lines(name: str, lines: list[LedgerLine], kind: str) -> LedgerLine:
    by_year: dict[int, int] = {}
    for line in lines:
        for year, amount in line.secured_by_year.items():
            by_year[year] = by_year.get(year, 0) + amount
    return LedgerLine(
        name=name,
        target_thousand_yen=sum(line.target_thousand_yen for line in lines),
        secured_by_year=by_year,
        kind=kind,
        has_entries=any(line.has_entries for line in lines),
    )


def program_ledger(program: Program) -> Ledger:
    categories = LedgerCategory.objects.filter(program=program).prefetch_related(
        Prefetch("entries", queryset=LedgerEntry.objects.order_by("fiscal_year"))
    )
    groups = []
    for group in Group:
        lines = [
            LedgerLine(
                name=category.name,
                target_thousand_yen=category.target_thousand_yen,
                secured_by_year={e.fiscal_year: e.secured_thousand_yen for e in category.entries.all()},
                category=category,
                has_entries=bool(category.entries.all()),
            )
            for category in categories
            if category.group == group
        ]
        groups.append(LedgerGroup(group=group.value, label=group.label, subtotal=_sum_lines(group.label, lines, "group"), lines=lines))
    total = _sum_lines("財源確保目標額", [g.subtotal for g in groups], "total")
    return Ledger(program=program, fiscal_years=list(program.fiscal_years), groups=groups, total=total)


# --- the ledger as a report shows it: cut at one initial budget ------------------------------


def progress_percent(secured: int | None, target: int) -> str:
    """Share of the target secured, one decimal ('39.9%'); '－' when there is no target or nothing recorded."""
    if secured is None or not target:
        return "－"
    value = (Decimal(secured) * 100 / Decimal(target)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


@dataclass
class LedgerRow:
    """A line of the ledger up to the cut: the amounts per budget year, the cumulative amount, the progress."""

    line: LedgerLine
    group_label: str
    up_to: int | None
    fiscal_years: list[int]  # the program's budget years up to the cut
    contributors: list = field(default_factory=list)  # what the public page lists under a category

    @property
    def cumulative(self) -> int | None:
        return self.line.cumulative_to(self.up_to) if self.up_to is not None else None

    @property
    def by_year(self) -> list[int | None]:
        """The amount of each budget year up to the cut, in the order of `fiscal_years` (None: nothing recorded)."""
        return [self.line.secured_by_year.get(year) for year in self.fiscal_years]

    @property
    def progress(self) -> str:
        return progress_percent(self.cumulative, self.line.target_thousand_yen)

    @property
    def bar_percent(self) -> int:
        """The share of the target as a bar's length, 0–100 (a line above its target fills the bar)."""
        target = self.line.target_thousand_yen
        share = (self.cumulative or 0) / target if target else 0
        return max(0, min(100, round(share * 100)))

    @property
    def entries(self) -> list[LedgerEntry]:
        """The category's recorded entries up to the cut (none for subtotals and the total)."""
        if self.line.category is None or self.up_to is None:
            return []
        return [e for e in self.line.category.entries.all() if e.fiscal_year <= self.up_to]

    @property
    def note(self) -> str:
        return "；".join(e.note for e in self.entries if e.note)


@dataclass
class LedgerReport:
    """The ledger as the report of one initial budget prints it (令和7年度当初 → cut at FY2025): the
    amounts of the budget years up to the cut and the cumulative amount to it. The public pages,
    the annual reports and the open data all read the ledger through this one shape."""

    ledger: Ledger
    up_to: int | None
    groups: list[tuple[str, LedgerRow, list[LedgerRow]]]
    total: LedgerRow

    @property
    def fiscal_years(self) -> list[int]:
        """The budget years up to the cut."""
        return self.total.fiscal_years

    def rows(self) -> list[LedgerRow]:
        """In the report's order: each group's subtotal and its categories, then the total."""
        return [row for _label, subtotal, lines in self.groups for row in (subtotal, *lines)] + [self.total]

    def categories(self) -> list[LedgerRow]:
        return [row for _label, _subtotal, lines in self.groups for row in lines]

    @property
    def notes(self) -> list[str]:
        """The entries' notes (e.g. that a figure sums two budgets), each once."""
        return list(dict.fromkeys(e.note for row in self.categories() for e in row.entries if e.note))

    def total_to(self, fiscal_year: int) -> LedgerRow:
        """The total as the report of another initial budget prints it (the same ledger, another cut)."""
        return _report_row(self.ledger.total, self.ledger.total.name, fiscal_year, self.ledger.fiscal_years)


def _report_row(line: LedgerLine, group_label: str, up_to: int | None, all_years: list[int]) -> LedgerRow:
    years = [year for year in all_years if up_to is not None and year <= up_to]
    return LedgerRow(line=line, group_label=group_label, up_to=up_to, fiscal_years=years)


def ledger_report(program: Program, up_to: int | None = None) -> LedgerReport:
    """The ledger cut at the initial budget of fiscal year `up_to` (a cycle's `budget_fiscal_year`);
    without one, at the last year with a recorded amount. Amounts of later years are left out."""
    ledger = program_ledger(program)
    if up_to is None:
        up_to = ledger.latest_fiscal_year
    years = ledger.fiscal_years
    groups = [
        (
            group.label,
            _report_row(group.subtotal, group.label, up_to, years),
            [_report_row(line, group.label, up_to, years) for line in group.lines],
        )
        for group in ledger.groups
    ]
    return LedgerReport(ledger=ledger, up_to=up_to, groups=groups, total=_report_row(ledger.total, ledger.total.name, up_to, years))
