"""The fiscal-target ledger: cumulative figures are computed; on the real data they equal the report."""
import pytest

from finance.models import Group
from finance.selectors import program_ledger
from programs import money
from tests.factories import LedgerCategoryFactory, LedgerEntryFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def test_cumulative_is_the_sum_of_the_years_up_to_the_one_asked():
    category = LedgerCategoryFactory()
    LedgerEntryFactory(category=category, fiscal_year=2024, secured_thousand_yen=100)
    LedgerEntryFactory(category=category, fiscal_year=2025, secured_thousand_yen=250)
    LedgerEntryFactory(category=category, fiscal_year=2026, secured_thousand_yen=1000)
    line = program_ledger(category.program).groups[0].lines[0]
    assert line.cumulative_to(2024) == 100
    assert line.cumulative_to(2025) == 350
    assert line.cumulative_to(2027) == 1350


def test_category_without_entries_shows_a_dash_not_zero():
    category = LedgerCategoryFactory()
    line = program_ledger(category.program).groups[0].lines[0]
    assert line.cumulative_to(2025) is None
    assert money.format_oku_yen(line.cumulative_to(2025)) == "－"


def test_group_subtotals_and_total_add_up():
    program = ProgramFactory()
    LedgerEntryFactory(category__program=program, category__group=Group.REVENUE, secured_thousand_yen=10)
    LedgerEntryFactory(category__program=program, category__group=Group.EXPENDITURE, secured_thousand_yen=5)
    ledger = program_ledger(program)
    assert [g.subtotal.cumulative_to(2024) for g in ledger.groups] == [10, 5]
    assert ledger.total.cumulative_to(2024) == 15
    assert ledger.total.target_thousand_yen == 2_000_000


REPORT_LEDGER = [
    # name, target 億円, cumulative to 令和7年度当初 億円
    ("受益者負担の適正化", "10.0", "－"),
    ("ふるさと納税の推進", "18.8", "3.5"),
    ("その他収入の確保", "18.3", "13.5"),
    ("事業等の見直し", "20.9", "2.7"),
    ("公共事業等の抑制", "5.2", "10.1"),
    ("特別会計操出金の抑制", "7.8", "4.5"),
    ("人件費の削減", "8.0", "1.2"),
]


def test_ledger_equals_page_one_of_the_report(real_program):
    ledger = program_ledger(real_program)
    lines = [line for group in ledger.groups for line in group.lines]
    assert [
        (line.name, money.format_oku_yen(line.target_thousand_yen), money.format_oku_yen(line.cumulative_to(2025)))
        for line in lines
    ] == REPORT_LEDGER
    revenue, expenditure = ledger.groups
    assert (revenue.label, money.format_oku_yen(revenue.subtotal.target_thousand_yen)) == ("収入の確保", "47.1")
    assert money.format_oku_yen(revenue.subtotal.cumulative_to(2025)) == "17.0"
    assert (expenditure.label, money.format_oku_yen(expenditure.subtotal.target_thousand_yen)) == ("支出の抑制", "41.9")
    assert money.format_oku_yen(expenditure.subtotal.cumulative_to(2025)) == "18.5"
    assert money.format_oku_yen(ledger.total.target_thousand_yen) == "89.0"
    assert money.format_oku_yen(ledger.total.cumulative_to(2025)) == "35.5"
    assert ledger.total.target_thousand_yen == real_program.fiscal_target_thousand_yen
