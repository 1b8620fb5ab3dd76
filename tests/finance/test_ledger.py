"""The fiscal-target ledger: each report's own figures, as precise as entered; on the real data they equal the report."""
import pytest

from finance.models import LedgerGroup, StatementState, Unit
from finance.selectors import ledger_report, ledger_reports
from programs import money
from tests.factories import LedgerCategoryFactory, LedgerEntryFactory, LedgerStatementFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def test_a_cumulative_figure_is_the_reports_and_is_not_split_by_year():
    category = LedgerCategoryFactory()
    LedgerEntryFactory(category=category, secured_thousand_yen=350_000, unit=Unit.OKU_YEN)
    report = ledger_report(category.program, 2025)
    row = report.categories()[0]
    assert (row.cumulative, row.unit, row.stated) == (350_000, Unit.OKU_YEN, True)
    assert report.fiscal_years == [] and row.by_year == []  # no 令和6年度 / 令和7年度 columns invented


def test_amounts_per_budget_year_are_summed_into_the_cumulative():
    category = LedgerCategoryFactory()
    statement = LedgerStatementFactory(program=category.program, budget_fiscal_year=2026)
    for year, amount in [(2024, 100), (2025, 250), (2026, 1000)]:
        LedgerEntryFactory(category=category, statement=statement, fiscal_year=year, secured_thousand_yen=amount)
    report = ledger_report(category.program, 2026)
    row = report.categories()[0]
    assert report.fiscal_years == [2024, 2025, 2026] and row.by_year == [100, 250, 1000]
    assert (row.cumulative, row.unit, row.stated) == (1350, Unit.THOUSAND_YEN, False)


def test_each_report_reads_its_own_statement_only():
    category = LedgerCategoryFactory()
    LedgerEntryFactory(category=category, secured_thousand_yen=300_000)  # 令和7年度当初予算
    later = LedgerStatementFactory(program=category.program, budget_fiscal_year=2026, state=StatementState.DRAFT)
    LedgerEntryFactory(category=category, statement=later, secured_thousand_yen=500_000)
    reports = ledger_reports(category.program, [2025, 2026, 2027])
    assert [reports[y].total.cumulative for y in (2025, 2026, 2027)] == [300_000, 500_000, None]


def test_a_figure_entered_in_oku_yen_is_never_shown_more_precisely():
    category = LedgerCategoryFactory(name="公共事業等の抑制")
    entry = LedgerEntryFactory(category=category, secured_thousand_yen=1_010_000, unit=Unit.OKU_YEN)
    assert entry.display == "10.1億円" and entry.entered_value == "10.1"
    row = ledger_report(category.program, 2025).categories()[0]
    assert row.cumulative_display == "10.1億円" and "1,010,000" not in row.cumulative_display
    exact = LedgerEntryFactory(category=LedgerCategoryFactory(program=category.program), secured_thousand_yen=1_011_707)
    assert exact.display == "1,011,707千円"
    total = ledger_report(category.program, 2025).total
    assert total.unit == Unit.OKU_YEN  # a sum with a part in 億円 is a 億円 figure


def test_category_without_a_figure_shows_a_dash_not_zero():
    category = LedgerCategoryFactory()
    LedgerStatementFactory(program=category.program)
    row = ledger_report(category.program, 2025).categories()[0]
    assert row.cumulative is None and row.cumulative_display == "－" and row.progress == "－"
    assert money.format_oku_yen(row.cumulative) == "－"


def test_group_subtotals_and_total_add_up():
    program = ProgramFactory()
    LedgerEntryFactory(category__program=program, category__group=LedgerGroup.REVENUE, secured_thousand_yen=10)
    LedgerEntryFactory(category__program=program, category__group=LedgerGroup.EXPENDITURE, secured_thousand_yen=5)
    report = ledger_report(program, 2025)
    assert [subtotal.cumulative for _label, subtotal, _lines in report.groups] == [10, 5]
    assert report.total.cumulative == 15 and report.total.target_thousand_yen == 2_000_000


def test_reconciliation_gives_the_remainder_outside_the_linked_initiatives_at_the_figures_precision():
    category = LedgerCategoryFactory(name="公共事業等の抑制")
    LedgerEntryFactory(category=category, secured_thousand_yen=1_010_000, unit=Unit.OKU_YEN)
    other = LedgerCategoryFactory(program=category.program, name="人件費の削減")
    LedgerEntryFactory(category=other, secured_thousand_yen=120_000)
    report = ledger_report(category.program, 2025)
    unlinked = report.link([
        {"category": "公共事業等の抑制", "number": 40, "name": "公共事業費等の抑制", "amount": 1_011_707},
        {"category": None, "number": 16, "name": "収納率の向上", "amount": 4150},
    ])
    rows = {row.name: row for row in report.categories()}
    public_works = rows["公共事業等の抑制"]
    assert public_works.linked_total == 1_011_707
    assert public_works.outside == -1_707 and public_works.outside_display == "0.0億円"  # within 10.1's rounding
    assert rows["人件費の削減"].linked_total is None and rows["人件費の削減"].outside_display == "120,000千円"
    assert [item["number"] for item in unlinked] == [16]


REPORT_LEDGER = [
    # name, target 億円, cumulative to 令和7年度当初 億円, as entered
    ("受益者負担の適正化", "10.0", "－", "－"),
    ("ふるさと納税の推進", "18.8", "3.5", "3.5億円"),
    ("その他収入の確保", "18.3", "13.5", "13.5億円"),
    ("事業等の見直し", "20.9", "2.7", "2.7億円"),
    ("公共事業等の抑制", "5.2", "10.1", "10.1億円"),
    ("特別会計操出金の抑制", "7.8", "4.5", "4.5億円"),
    ("人件費の削減", "8.0", "1.2", "1.2億円"),
]


def test_ledger_equals_page_one_of_the_report(real_program):
    report = ledger_report(real_program, 2025)
    assert [
        (row.name, money.format_oku_yen(row.target_thousand_yen), money.format_oku_yen(row.cumulative), row.cumulative_display)
        for row in report.categories()
    ] == REPORT_LEDGER
    assert report.fiscal_years == []  # the report gives the cumulative figures only
    (revenue_label, revenue, _), (expenditure_label, expenditure, _) = report.groups
    assert (revenue_label, money.format_oku_yen(revenue.target_thousand_yen)) == ("収入の確保", "47.1")
    assert money.format_oku_yen(revenue.cumulative) == "17.0"
    assert (expenditure_label, money.format_oku_yen(expenditure.target_thousand_yen)) == ("支出の抑制", "41.9")
    assert money.format_oku_yen(expenditure.cumulative) == "18.5"
    assert money.format_oku_yen(report.total.target_thousand_yen) == "89.0"
    assert money.format_oku_yen(report.total.cumulative) == "35.5"
    assert report.total.target_thousand_yen == real_program.fiscal_target_thousand_yen
    assert report.statement.is_confirmed
