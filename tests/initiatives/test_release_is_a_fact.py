"""A released cycle is a fact, and every cycle can still reach its release.

Two cycles (the `world`: 令和7年度当初 released, 令和8年度当初 open) and a ledger category: what a
release printed (the ledger's category names and targets, the program's name, its pillars) stays
as printed after later edits, which apply to later cycles only; an initiative added through the
admin while a cycle is open gets its record in it; an initiative is withdrawn, never deleted
under its publications.
"""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import RestrictedError
from django.urls import reverse

from finance.models import LedgerCategory, LedgerStatement
from initiatives import services
from initiatives.models import Initiative, YearlyRecord
from reports.builds import fingerprint
from tests.addresses import REFORM
from tests.conftest import enter_ledger
from tests.factories import LedgerCategoryFactory
from tests.reports.conftest import publish_the_rest, release

pytestmark = pytest.mark.django_db


@pytest.fixture
def released_with_ledger(world, finance):
    """令和8年度当初 released with a ledger figure (ふるさと納税の推進: 410,000千円 of a 1,880,000千円 target)."""
    LedgerCategoryFactory(program=world.program, name="ふるさと納税の推進", target_thousand_yen=1_880_000)
    enter_ledger(world.cycle, finance, {"ふるさと納税の推進": 410_000})
    release(world.cycle, world.reviewer)
    world.cycle.refresh_from_db()
    return world


def ledger_page(client):
    return client.get(reverse("public:ledger", args=[REFORM]))


def test_a_ledger_category_edited_after_the_release_leaves_the_released_ledger_as_printed(client, released_with_ledger):
    world = released_with_ledger
    before = fingerprint(world.cycle)
    category = LedgerCategory.objects.get(name="ふるさと納税の推進")
    category.name, category.target_thousand_yen = "ふるさと納税の拡大", 2_500_000  # as the admin saves it
    category.save()
    page = ledger_page(client)
    text = page.content.decode()
    assert "ふるさと納税の推進" in text and "ふるさと納税の拡大" not in text
    assert page.context["ledger"].total.target_thousand_yen == 1_880_000
    opendata = client.get(reverse("public:opendata-json", args=[REFORM])).json()
    assert [c["name"] for c in opendata["ledger"]["categories"]] == ["ふるさと納税の推進"]
    assert fingerprint(world.cycle) == before  # the released PDF and workbook are never rebuilt with the new name
    # the next cycle's ledger takes the edit
    world.next_cycle = services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer)
    statement = LedgerStatement.objects.for_cycle(world.next_cycle)
    assert statement.released_categories is None
    from finance.selectors import ledger_report

    assert [row.name for row in ledger_report(world.program, world.next_cycle.budget_fiscal_year).categories()] == [
        "ふるさと納税の拡大"
    ]


def test_a_category_with_released_figures_cannot_be_deleted(released_with_ledger):
    with pytest.raises(RestrictedError):
        LedgerCategory.objects.get(name="ふるさと納税の推進").delete()


def test_the_program_and_pillar_renamed_after_the_release_leave_the_released_pages_and_report_as_printed(client, world):
    release(world.cycle, world.reviewer)
    world.cycle.refresh_from_db()
    before = fingerprint(world.cycle)
    name = world.program.name
    world.program.name = "行財政改革推進プログラム（改訂版）"
    world.program.save()
    world.pillar.name = "改称した柱"
    world.pillar.save()
    for url in (reverse("public:summary", args=[REFORM]), reverse("public:initiative-list", args=[REFORM]),
                reverse("public:initiative-detail", args=[REFORM, 1])):
        text = client.get(url).content.decode()
        assert "改称した柱" not in text and "（改訂版）" not in text, url
        assert name in text, url
    document = client.get(reverse("public:opendata-json", args=[REFORM])).json()
    assert document["program"]["name"] == name
    assert "改称した柱" not in {p["name"] for p in document["pillars"]}
    assert fingerprint(world.cycle) == before
    from reports.selectors import annual_report

    report = annual_report(world.cycle)
    assert report.program.name == name
    assert [p.pillar.name for s in report.perspectives for p in s.pillars][0] != "改称した柱"


def test_an_initiative_added_in_the_admin_while_a_cycle_is_open_gets_its_record_and_the_cycle_can_be_released(client, world):
    """Dead end 2: the admin saved a new initiative directly, with no record in the open cycle."""
    client.force_login(world.reviewer)
    response = client.post(reverse("admin:initiatives_initiative_add"), {
        "program": world.program.pk, "number": 4, "name": "新しい取組", "pillar": world.pillar.pk,
        "fiscal_target": "", "background": "", "goal": "", "ledger_category": "",
        "responsibilities-TOTAL_FORMS": 1, "responsibilities-INITIAL_FORMS": 0,
        "responsibilities-0-department": world.somu.pk, "responsibilities-0-order": 1,
        "schedule_steps-TOTAL_FORMS": 0, "schedule_steps-INITIAL_FORMS": 0,
        "years-TOTAL_FORMS": 0, "years-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302, __import__("re").findall(r'errorlist[^>]*>(.*?)</ul>|name="([a-z_\-0-9]+-TOTAL_FORMS)"', response.content.decode(), __import__("re").S)
    initiative = Initiative.objects.get(program=world.program, number=4)
    record = YearlyRecord.objects.get(initiative=initiative, cycle=world.cycle)
    assert record.fiscal_year == 2025 and record.status == ""
    assert not YearlyRecord.objects.filter(initiative=initiative, cycle=world.released).exists()  # released: a fact
    release(world.cycle, world.reviewer)


def test_an_initiative_added_while_a_cycle_is_closed_gets_its_record_there_too(world):
    publish_the_rest(world.cycle, world.reviewer)
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    initiative = services.initiative_create(
        initiative=Initiative(program=world.program, number=4, name="締切後の取組", pillar=world.pillar), by=world.reviewer
    )
    assert YearlyRecord.objects.get(initiative=initiative).cycle == world.cycle
    problems = services.release_problems(world.cycle)
    assert any("管理番号 4" in problem for problem in problems)
    services.cycle_reopen(cycle=world.cycle, by=world.reviewer)
    release(world.cycle, world.reviewer)


def test_an_initiative_is_withdrawn_not_deleted_and_the_cycle_releases_without_it(world):
    initiative = world.initiatives[3]
    with pytest.raises(RestrictedError):  # published in the released report
        initiative.delete()
    with pytest.raises(services.WorkflowError, match="公開済み"):
        services.initiative_withdraw(initiative=initiative, by=world.reviewer, fiscal_year=2024, reason="廃止")
    with pytest.raises(ValidationError, match="理由"):
        services.initiative_withdraw(initiative=initiative, by=world.reviewer, fiscal_year=2025, reason=" ")
    services.initiative_withdraw(initiative=initiative, by=world.reviewer, fiscal_year=2025, reason="事業の廃止")
    assert not YearlyRecord.objects.filter(initiative=initiative, fiscal_year=2025).exists()
    release(world.cycle, world.reviewer)  # 令和8年度当初 no longer waits for it
    assert initiative.publications.filter(cycle=world.released).exists()  # what was released stays
    next_cycle = services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer)
    assert not YearlyRecord.objects.filter(initiative=initiative, cycle=next_cycle).exists()


def test_only_a_reviewer_of_the_program_adds_an_initiative(world):
    with pytest.raises(PermissionDenied):
        services.initiative_create(
            initiative=Initiative(program=world.program, number=4, name="取組", pillar=world.pillar), by=world.editor_somu
        )
    assert not Initiative.objects.filter(number=4).exists()


def test_the_reform_office_withdraws_an_initiative_in_the_admin_and_a_refusal_changes_nothing(client, world):
    client.force_login(world.reviewer)
    url = reverse("admin:initiatives_initiative_changelist")
    chosen = {"action": "withdraw_selected", "_selected_action": [world.initiatives[3].pk]}
    page = client.post(url, chosen)
    assert page.status_code == 200 and "取組の終了" in page.content.decode()  # the year and the reason are asked first
    refused = client.post(url, {**chosen, "confirm": "yes", "fiscal_year": 2024, "reason": "事業の廃止"})
    assert any("公開済みです" in str(m) for m in refused.wsgi_request._messages)
    world.initiatives[3].refresh_from_db()
    assert world.initiatives[3].withdrawn_from is None
    assert client.post(url, {**chosen, "confirm": "yes", "fiscal_year": 2025, "reason": ""}).status_code == 200  # asked again
    client.post(url, {**chosen, "confirm": "yes", "fiscal_year": 2025, "reason": "事業の廃止"})
    world.initiatives[3].refresh_from_db()
    assert (world.initiatives[3].withdrawn_from, world.initiatives[3].withdrawal_reason) == (2025, "事業の廃止")
    client.force_login(world.editor_somu)
    client.post(url, {"action": "withdraw_selected", "_selected_action": [world.initiatives[1].pk], "confirm": "yes",
                      "fiscal_year": 2025, "reason": "x"})
    world.initiatives[1].refresh_from_db()
    assert world.initiatives[1].withdrawn_from is None
