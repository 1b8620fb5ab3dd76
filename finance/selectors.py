"""Reads of the fiscal-target ledger: per category, per group and in total, with cumulative sums."""
from dataclasses import dataclass, field

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
