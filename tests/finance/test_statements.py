"""The ledger's owner and release step: 財政課 enters and confirms each report's figures, the reform office
releases them with the cycle, and citizens read released figures only (two cycles: 令和7年度当初 released,
令和8年度当初 open)."""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from finance import services
from finance.models import LedgerEntry, LedgerStatement, StatementState, Unit
from initiatives import services as workflow
from tests.conftest import enter_ledger
from tests.factories import LedgerCategoryFactory, LedgerEntryFactory
from tests.reports.conftest import release
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(world):
    """One category; the released report's figure (300,000千円); the open cycle's statement, empty."""
    category = LedgerCategoryFactory(program=world.program, name="ふるさと納税の推進", target_thousand_yen=1_880_000)
    LedgerEntryFactory(category=category, secured_thousand_yen=300_000)
    return category


def test_opening_a_cycle_opens_its_empty_statement(world, ledger):
    statement = LedgerStatement.objects.for_cycle(world.cycle)
    assert (statement.budget_fiscal_year, statement.state) == (2026, StatementState.DRAFT)
    assert not statement.entries.exists()  # nothing carried over from the last report
    assert statement.cycle == world.cycle and not statement.is_released


def test_only_the_finance_officer_enters_the_figures(world, ledger, finance):
    statement = LedgerStatement.objects.for_cycle(world.cycle)
    for person in (world.reviewer, world.editor_somu):
        with pytest.raises(PermissionDenied):
            services.ledger_entry_save(entry=LedgerEntry(statement=statement, category=ledger, secured_thousand_yen=1), by=person)
        with pytest.raises(PermissionDenied):
            services.ledger_statement_confirm(statement=statement, by=person)
    entry = services.ledger_entry_save(
        entry=LedgerEntry(statement=statement, category=ledger, secured_thousand_yen=services.parse_amount("4.1", Unit.OKU_YEN),
                          unit=Unit.OKU_YEN),
        by=finance,
    )
    assert (entry.secured_thousand_yen, entry.display) == (410_000, "4.1億円")
    assert entry.history.first().history_user == finance


def test_a_confirmed_statement_is_read_only_until_reopened_and_a_released_one_for_ever(world, ledger, finance):
    statement = enter_ledger(world.cycle, finance, {"ふるさと納税の推進": 410_000})
    entry = statement.entries.get()
    entry.secured_thousand_yen = 999
    with pytest.raises(services.LedgerError, match="確定済み"):
        services.ledger_entry_save(entry=entry, by=finance)
    services.ledger_statement_reopen(statement=statement, by=finance)
    services.ledger_statement_confirm(statement=statement, by=finance)

    release(world.cycle, world.reviewer)
    statement.refresh_from_db()
    assert statement.is_released
    with pytest.raises(services.LedgerError, match="公表済み"):
        services.ledger_statement_reopen(statement=statement, by=finance)
    with pytest.raises(services.LedgerError, match="公表済み"):
        services.ledger_entry_delete(entry=entry, by=finance)
    released = LedgerStatement.objects.get(program=world.program, budget_fiscal_year=2025)
    with pytest.raises(services.LedgerError, match="公表済み"):
        services.ledger_entry_save(entry=released.entries.get(), by=finance)


def test_the_release_needs_the_figures_entered_and_confirmed(world, ledger, finance):
    with pytest.raises(workflow.WorkflowError, match="入力されていません"):
        release(world.cycle, world.reviewer)
    enter_ledger(world.cycle, finance, {"ふるさと納税の推進": 410_000}, confirm=False)
    with pytest.raises(workflow.WorkflowError, match="財政課で確定されていません"):
        workflow.cycle_release(cycle=world.cycle, by=world.reviewer)
    services.ledger_statement_confirm(statement=LedgerStatement.objects.for_cycle(world.cycle), by=finance)
    assert workflow.cycle_release(cycle=world.cycle, by=world.reviewer).is_released


def test_a_program_without_a_ledger_releases_without_figures(world):
    release(world.cycle, world.reviewer)  # the world has no ledger category
    world.cycle.refresh_from_db()
    assert world.cycle.is_released


def test_citizens_read_the_released_figures_only(client, world, ledger, finance):
    enter_ledger(world.cycle, finance, {"ふるさと納税の推進": 410_000})  # 令和8年度当初, confirmed, not released
    for url in (reverse("public:ledger", args=[REFORM]), reverse("public:summary", args=[REFORM]), reverse("public:opendata-json", args=[REFORM])):
        text = client.get(url).content.decode()
        assert "4.1" not in text and "410000" not in text and "410,000" not in text, url
    assert client.get(reverse("public:ledger", args=[REFORM])).context["ledger"].total.cumulative == 300_000
    release(world.cycle, world.reviewer)
    assert client.get(reverse("public:ledger", args=[REFORM])).context["ledger"].total.cumulative == 410_000
    assert client.get(reverse("public:opendata-json", args=[REFORM])).json()["ledger"]["totals"]["財源確保目標額"]["cumulative_thousand_yen"] == 410_000


# --- the admin ------------------------------------------------------------------------------


def statement_form(statement, rows, **extra):
    """The statement's change form with its inline figures (category pk, fiscal year, amount, unit, note)."""
    data = {
        "entries-TOTAL_FORMS": str(len(rows)), "entries-INITIAL_FORMS": "0",
        "entries-MIN_NUM_FORMS": "0", "entries-MAX_NUM_FORMS": "1000", **extra,
    }
    for index, (category, year, amount, unit, note) in enumerate(rows):
        data.update({
            f"entries-{index}-category": category.pk, f"entries-{index}-fiscal_year": year or "",
            f"entries-{index}-amount": amount, f"entries-{index}-unit": unit, f"entries-{index}-note": note,
            f"entries-{index}-statement": statement.pk,
        })
    return data


def test_the_finance_officer_enters_figures_in_the_admin_as_the_report_states_them(client, world, ledger, finance):
    statement = LedgerStatement.objects.for_cycle(world.cycle)
    url = reverse("admin:finance_ledgerstatement_change", args=[statement.pk])
    client.force_login(finance)
    assert client.get(url).status_code == 200
    response = client.post(url, statement_form(statement, [(ledger, None, "10.1", Unit.OKU_YEN, "")]))
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = statement.entries.get()
    assert (entry.fiscal_year, entry.secured_thousand_yen, entry.unit, entry.display) == (None, 1_010_000, "oku_yen", "10.1億円")

    # more precision than 億円 with one decimal is refused on the form
    response = client.post(url, statement_form(statement, [(ledger, 2026, "10.15", Unit.OKU_YEN, "")]))
    assert response.status_code == 200 and "小数第1位" in response.content.decode()

    client.post(reverse("admin:finance_ledgerstatement_changelist"), {"action": "confirm", "_selected_action": [statement.pk]})
    statement.refresh_from_db()
    assert statement.state == StatementState.CONFIRMED and statement.confirmed_by == finance


def test_the_reviewer_sees_the_figures_but_cannot_change_them_in_the_admin(client, world, ledger, finance):
    statement = enter_ledger(world.cycle, finance, {"ふるさと納税の推進": 410_000}, confirm=False)
    client.force_login(world.reviewer)
    url = reverse("admin:finance_ledgerstatement_change", args=[statement.pk])
    page = client.get(url)
    assert page.status_code == 200 and "410,000千円" in page.content.decode()
    client.post(url, statement_form(statement, [(ledger, None, "99.9", Unit.OKU_YEN, "")]))
    assert list(statement.entries.values_list("secured_thousand_yen", flat=True)) == [410_000]
    client.force_login(world.editor_somu)
    assert client.get(reverse("admin:finance_ledgerstatement_changelist")).status_code == 403
