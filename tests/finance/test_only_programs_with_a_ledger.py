"""A ledger statement belongs to a program with a ledger, and is named by its cycle's own budget label.

Two programs beside each other: the reform-like program of `world` (a ledger; 令和7年度当初 released,
令和8年度当初 open) and a program without a ledger, like the strategy's list (its cycles released and open too)."""
import pytest
from django.urls import reverse

from finance import services
from finance.models import LedgerStatement
from initiatives import services as workflow
from tests.factories import InitiativeFactory, LedgerCategoryFactory, PillarFactory, ProgramFactory, YearlyRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_ledger(world):
    """A program without a ledger (as the strategy's list), 2024–2027: 令和7年度当初 released, 令和8年度当初 open."""
    program = ProgramFactory(name="一覧だけの計画", has_ledger=False, fiscal_target_thousand_yen=None, status_codes="")
    initiative = InitiativeFactory(pillar=PillarFactory(perspective__program=program), number=1)
    YearlyRecordFactory(initiative=initiative, fiscal_year=2024, plan="検討", result="実施した", status="")
    workflow.cycle_release_imported(program=program, by=world.reviewer)
    workflow.cycle_open(program=program, fiscal_year=2025, by=world.reviewer)
    return program


def test_opening_cycles_gives_a_statement_to_the_program_with_a_ledger_only(world, no_ledger):
    assert no_ledger.cycles.count() == 2
    assert not LedgerStatement.objects.filter(program=no_ledger).exists()
    assert sorted(LedgerStatement.objects.filter(program=world.program).values_list("budget_fiscal_year", flat=True)) == [2025, 2026]


def test_finance_cannot_add_a_statement_to_a_program_without_a_ledger(world, no_ledger, finance):
    with pytest.raises(services.LedgerError, match="一覧だけの計画には財源確保額表がない"):
        services.ledger_statement_create(program=no_ledger, budget_fiscal_year=2026, by=finance)
    assert not LedgerStatement.objects.filter(program=no_ledger).exists()


def test_a_statement_is_named_by_its_cycles_own_budget_label(world, reviewer, finance):
    """A cycle of FY2025 named 令和7年度当初 (as the strategy's is) states the 令和7年度当初予算, not 令和8年度's."""
    program = ProgramFactory(name="単年度の計画", start_fiscal_year=2025, end_fiscal_year=2025)
    LedgerCategoryFactory(program=program, name="項目")
    InitiativeFactory(pillar=PillarFactory(perspective__program=program), number=1)
    cycle = workflow.cycle_open(program=program, fiscal_year=2025, by=reviewer, label="令和7年度当初")
    statement = LedgerStatement.objects.for_cycle(cycle)
    assert str(statement) == cycle.budget_label == "令和7年度当初予算"
    assert services.release_problem(cycle) == "財源確保額（令和7年度当初予算）が入力されていません（財政課）。"
    names = {str(s) for s in LedgerStatement.objects.filter(program=world.program)}
    assert names == {"令和7年度当初予算", "令和8年度当初予算"}  # the reform-like program's two cycles


def test_finance_lists_the_statements_of_programs_with_a_ledger_only(client, world, no_ledger, finance):
    """A stray statement left from before (a program without a ledger) is neither listed nor offered as a filter."""
    LedgerStatement.objects.create(program=no_ledger, budget_fiscal_year=2026)
    client.force_login(finance)
    html = client.get(reverse("admin:finance_ledgerstatement_changelist")).content.decode()
    assert "令和8年度当初予算" in html and world.program.name in html
    assert no_ledger.name not in html
    add = client.get(reverse("admin:finance_ledgerstatement_add")).content.decode()
    assert world.program.name in add and no_ledger.name not in add
