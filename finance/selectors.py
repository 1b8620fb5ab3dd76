"""Reads of the fiscal-target ledger: one report's figures per category, per group and in total.

`ledger_report(program, budget_fiscal_year)` is the one shape of the ledger that the public
pages, the annual reports and the open data read: the statement of that initial budget (the
report 令和7年度当初 reads 令和7年度当初予算), never another report's figures. A category's
cumulative amount is the one the report states, or, where the report gives amounts per budget
year only, their sum; a subtotal or total is the sum of its categories. Every amount keeps
the precision it was entered in (`Unit`): a sum with a part entered in 億円 is a 億円 figure.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from programs.models import Program

from .models import LedgerCategory, LedgerEntry, LedgerGroup, LedgerStatement, Unit, format_amount


def progress_percent(secured: int | None, target: int) -> str:
    """Share of the target secured, one decimal ('39.9%'); '－' when there is no target or nothing recorded."""
    if secured is None or not target:
        return "－"
    value = (Decimal(secured) * 100 / Decimal(target)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


@dataclass
class LedgerRow:
    """A line of one report's ledger: a category, a group's subtotal or the total."""

    name: str
    kind: str  # "category", "group" or "total"
    group_label: str
    target_thousand_yen: int
    cumulative: int | None  # up to the report's initial budget; None: nothing stated (「－」)
    unit: str | None  # the precision of `cumulative` (Unit)
    stated: bool  # whether the report states `cumulative` itself (False: a sum of figures it states)
    by_year: list[int | None]  # the amounts the report states per budget year, in the order of its fiscal_years
    category: LedgerCategory | None = None
    entries: list[LedgerEntry] = field(default_factory=list)
    contributors: list[dict] = field(default_factory=list)  # the report's initiatives linked to the category

    @property
    def cumulative_display(self) -> str:
        """As precise as entered: '10.1億円', '1,011,707千円', '－'."""
        return format_amount(self.cumulative, self.unit)

    @property
    def progress(self) -> str:
        return progress_percent(self.cumulative, self.target_thousand_yen)

    @property
    def bar_percent(self) -> int:
        """The share of the target as a bar's length, 0–100 (a line above its target fills the bar)."""
        share = (self.cumulative or 0) / self.target_thousand_yen if self.target_thousand_yen else 0
        return max(0, min(100, round(share * 100)))

    @property
    def note(self) -> str:
        return "；".join(e.note for e in self.entries if e.note)

    # --- reconciliation with the initiatives linked to the category ---------------------------

    @property
    def linked_total(self) -> int | None:
        """The sum of the linked initiatives' amounts (千円); None when none of them states one."""
        amounts = [item["amount"] for item in self.contributors if item.get("amount") is not None]
        return sum(amounts) if amounts else None

    @property
    def outside(self) -> int | None:
        """個別取組以外: the category's amount less its linked initiatives' amounts; None without an amount."""
        if self.kind != "category" or self.cumulative is None:
            return None
        return self.cumulative - (self.linked_total or 0)

    @property
    def outside_display(self) -> str:
        """個別取組以外 at the precision of the category's amount (10.1億円 − 1,011,707千円 → '0.0億円')."""
        return format_amount(self.outside, self.unit)


@dataclass
class LedgerReport:
    """The ledger as the report of one initial budget states it (令和7年度当初 → 令和7年度当初予算)."""

    program: Program
    budget_fiscal_year: int | None
    statement: LedgerStatement | None
    fiscal_years: list[int]  # the budget years the report states amounts for, one column each
    groups: list[tuple[str, LedgerRow, list[LedgerRow]]]
    total: LedgerRow

    @property
    def up_to(self) -> int | None:
        """The initial budget the cumulative amounts run to."""
        return self.budget_fiscal_year

    def rows(self) -> list[LedgerRow]:
        """In the report's order: each group's subtotal and its categories, then the total."""
        return [row for _label, subtotal, lines in self.groups for row in (subtotal, *lines)] + [self.total]

    def categories(self) -> list[LedgerRow]:
        return [row for _label, _subtotal, lines in self.groups for row in lines]

    @property
    def notes(self) -> list[str]:
        """The entries' notes, each once."""
        return list(dict.fromkeys(e.note for row in self.categories() for e in row.entries if e.note))

    @property
    def link_notes(self) -> list[tuple[str, str]]:
        """(category, why initiatives are linked to it) for each category that says so."""
        return [(row.name, row.category.note) for row in self.categories() if row.category and row.category.note]

    @property
    def units(self) -> set[str]:
        return {row.unit for row in self.categories() if row.unit}

    def link(self, initiatives) -> list[dict]:
        """Attach the report's initiatives (dicts with "category", "number", "name", "amount") to their
        categories; returns those linked to no category of this ledger."""
        rows = {row.name: row for row in self.categories()}
        unlinked = []
        for item in initiatives:
            row = rows.get(item.get("category"))
            if row is not None:
                row.contributors.append(item)
            else:
                unlinked.append(item)
        return unlinked


def _category_row(category: LedgerCategory, label: str, entries: list[LedgerEntry], years: list[int]) -> LedgerRow:
    for entry in entries:
        entry.category = category  # already read: no query per entry
    stated = next((e for e in entries if e.fiscal_year is None), None)
    per_year = {e.fiscal_year: e for e in entries if e.fiscal_year is not None}
    if stated is not None:
        cumulative, unit, is_stated = stated.secured_thousand_yen, stated.unit, True
    elif per_year:
        cumulative = sum(e.secured_thousand_yen for e in per_year.values())
        unit, is_stated = Unit.coarsest(e.unit for e in per_year.values()), False
    else:
        cumulative, unit, is_stated = None, None, True
    return LedgerRow(
        name=category.name, kind="category", group_label=label, target_thousand_yen=category.target_thousand_yen,
        cumulative=cumulative, unit=unit, stated=is_stated,
        by_year=[per_year[y].secured_thousand_yen if y in per_year else None for y in years],
        category=category, entries=entries,
    )


def _sum_row(name: str, kind: str, label: str, rows: list[LedgerRow]) -> LedgerRow:
    amounts = [row.cumulative for row in rows if row.cumulative is not None]
    by_year = []
    for column in zip(*(row.by_year for row in rows)) if rows else []:
        present = [amount for amount in column if amount is not None]
        by_year.append(sum(present) if present else None)
    return LedgerRow(
        name=name, kind=kind, group_label=label, target_thousand_yen=sum(row.target_thousand_yen for row in rows),
        cumulative=sum(amounts) if amounts else None, unit=Unit.coarsest(row.unit for row in rows), stated=False,
        by_year=by_year,
    )


TOTAL_NAME = "財源確保目標額"


def _build(program: Program, categories: list[LedgerCategory], statement: LedgerStatement | None,
           budget_fiscal_year: int | None, entries: list[LedgerEntry]) -> LedgerReport:
    by_category: dict[int, list[LedgerEntry]] = defaultdict(list)
    for entry in entries:
        by_category[entry.category_id].append(entry)
    years = sorted({e.fiscal_year for e in entries if e.fiscal_year is not None})
    groups = []
    for group in LedgerGroup:
        lines = [
            _category_row(category, group.label, by_category.get(category.pk, []), years)
            for category in categories
            if category.group == group
        ]
        groups.append((group.label, _sum_row(group.label, "group", group.label, lines), lines))
    total = _sum_row(TOTAL_NAME, "total", TOTAL_NAME, [subtotal for _label, subtotal, _lines in groups])
    return LedgerReport(
        program=program, budget_fiscal_year=budget_fiscal_year, statement=statement, fiscal_years=years,
        groups=groups, total=total,
    )


def ledger_reports(program: Program, budget_fiscal_years) -> dict[int, LedgerReport]:
    """The ledger of each initial budget given, in three queries however many (a statement with no figure
    yet reads as none). A released statement reads its categories as the release kept them."""
    years = sorted(set(budget_fiscal_years))
    live = None
    entries: dict[int, list[LedgerEntry]] = defaultdict(list)
    statements = {s.budget_fiscal_year: s for s in LedgerStatement.objects.filter(program=program, budget_fiscal_year__in=years)}
    year_of = {statement.pk: year for year, statement in statements.items()}
    for entry in LedgerEntry.objects.filter(statement_id__in=year_of).order_by("category__order", "fiscal_year"):
        entry.statement = statements[year_of[entry.statement_id]]  # already read: no query per entry
        entries[year_of[entry.statement_id]].append(entry)
    reports = {}
    for year in years:
        statement = statements.get(year)
        if statement is not None and statement.released_categories is not None:
            categories = statement.categories_as_released()
        else:
            live = live if live is not None else list(LedgerCategory.objects.filter(program=program).order_by("order"))
            categories = live
        reports[year] = _build(program, categories, statement if entries.get(year) else None, year, entries.get(year, []))
    return reports


def ledger_report(program: Program, budget_fiscal_year: int | None) -> LedgerReport:
    """The ledger as the report of the initial budget of `budget_fiscal_year` states it (a cycle's
    `budget_fiscal_year`); with none, the categories and their targets without figures."""
    if budget_fiscal_year is None:
        return _build(program, list(LedgerCategory.objects.filter(program=program).order_by("order")), None, None, [])
    return ledger_reports(program, [budget_fiscal_year])[budget_fiscal_year]


def statement_fingerprint(program: Program, budget_fiscal_year: int) -> str:
    """What a report's ledger is built from (categories, the statement's state and entries), as text; a
    released statement's categories as the release kept them."""
    statement = list(
        LedgerStatement.objects.filter(program=program, budget_fiscal_year=budget_fiscal_year).values_list(
            "pk", "state", "released_categories"
        )
    )
    if statement and statement[0][2] is not None:
        categories = statement[0][2]
    else:
        categories = list(LedgerCategory.objects.filter(program=program).order_by("pk").values_list(
            "pk", "group", "order", "name", "target_thousand_yen", "note"
        ))
    entries = LedgerEntry.objects.filter(statement_id__in=[row[0] for row in statement]).order_by("pk").values_list(
        "pk", "category_id", "fiscal_year", "secured_thousand_yen", "unit", "note"
    )
    return repr([categories, [row[:2] for row in statement], list(entries)])
