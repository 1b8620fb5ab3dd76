"""The fiscal ledger page, the department pages and the open data."""
import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from initiatives import services
from initiatives.models import Initiative
from programs.models import Department
from tests.conftest import enter_ledger
from tests.factories import LedgerCategoryFactory, LedgerEntryFactory
from tests.reports.conftest import publish, release
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db


# --- ledger -----------------------------------------------------------------------------------


def test_ledger_shows_targets_secured_and_progress(client, published_program):
    response = client.get(reverse("public:ledger", args=[REFORM]))
    html = response.content.decode()
    ledger = response.context["ledger"]
    assert ledger.total.target_thousand_yen == 8_900_000 and ledger.total.cumulative == 3_550_000
    assert "89.0" in html and "35.5" in html and "39.9%" in html
    rows = {row.name: row for _label, _subtotal, lines in ledger.groups for row in lines}
    assert rows["公共事業等の抑制"].progress == "194.2%"  # 10.1 of 5.2 億円: above target
    assert rows["公共事業等の抑制"].bar_percent == 100
    assert rows["受益者負担の適正化"].cumulative is None and rows["受益者負担の適正化"].progress == "－"


def test_ledger_prints_the_cumulative_figure_only_as_the_report_does(client, published_program):
    """The report gives 令和7年度当初までの累計 only: no split by budget year is invented, no 千円 precision."""
    html = client.get(reverse("public:ledger", args=[REFORM])).content.decode()
    assert "令和7年度当初までの累計" in html
    assert "令和6年度当初予算" not in html and "令和7年度当初予算" not in html
    assert "年度ごとの内訳はありません" in html
    assert "10.1億円" in html and "1,010,000" not in html


def test_ledger_reconciles_each_category_with_its_linked_initiatives(client, published_program):
    response = client.get(reverse("public:ledger", args=[REFORM]))
    rows = {row.name: row for row in response.context["ledger"].report.categories()}
    assert [(i["number"], i["amount"]) for i in rows["ふるさと納税の推進"].contributors] == [(18, 350_000)]
    assert [(i["number"], i["amount"]) for i in rows["特別会計操出金の抑制"].contributors] == [(35, 450_066)]
    assert [(i["number"], i["amount"]) for i in rows["公共事業等の抑制"].contributors] == [(40, 1_011_707)]
    assert rows["ふるさと納税の推進"].outside_display == "0.0億円"
    assert rows["公共事業等の抑制"].outside_display == "0.0億円"  # 10.1億円 − 1,011,707千円, at 0.1億円
    assert rows["その他収入の確保"].contributors == [] and rows["その他収入の確保"].outside_display == "13.5億円"
    html = response.content.decode()
    assert "個別取組以外" in html and "取組の額の計" in html
    assert reverse("public:initiative-detail", args=[REFORM, 40]) in html
    assert "取組40「公共事業費等の抑制」の財源確保額（当初予算時）1,011,707千円" in html  # why it is linked


def test_ledger_lists_initiatives_with_an_amount_but_no_category_apart(client, published_program):
    ledger = client.get(reverse("public:ledger", args=[REFORM])).context["ledger"]
    numbers = {item["number"] for item in ledger.unassigned}
    assert numbers == {3, 16, 19, 21, 22, 23, 26, 28, 29, 34, 37}
    assert not numbers & {18, 35, 40}


def test_ledger_lists_the_initiatives_linked_to_a_category_once_released(client, world, finance):
    category = LedgerCategoryFactory(program=world.program, name="ふるさと納税の推進")
    LedgerEntryFactory(category=category, secured_thousand_yen=100_000)  # 令和7年度当初 (released)
    services.initiative_update(initiative=world.initiatives[1], by=world.reviewer, data={"ledger_category": category})
    publish(world, 1)  # preliminary: the released report (令和7年度当初) had no category for it
    ledger = client.get(reverse("public:ledger", args=[REFORM])).context["ledger"]
    assert all(not row.contributors for row in ledger.report.categories())

    enter_ledger(world.cycle, finance, {"ふるさと納税の推進": 150_000})
    release(world.cycle, world.reviewer)
    response = client.get(reverse("public:ledger", args=[REFORM]))
    rows = {row.name: row for row in response.context["ledger"].report.categories()}
    assert [item["number"] for item in rows["ふるさと納税の推進"].contributors] == [1]
    assert reverse("public:initiative-detail", args=[REFORM, 1]) in response.content.decode()


def test_ledger_shows_the_released_reports_own_figures_and_compares_the_reports(client, world, finance):
    category = LedgerCategoryFactory(program=world.program, target_thousand_yen=1_000_000)
    LedgerEntryFactory(category=category, secured_thousand_yen=300_000)  # 令和7年度当初 (released)
    enter_ledger(world.cycle, finance, {category.name: 500_000}, confirm=False)  # 令和8年度当初, being prepared
    publish(world, 1)
    response = client.get(reverse("public:ledger", args=[REFORM]))
    ledger = response.context["ledger"]
    assert ledger.cycle == world.released and ledger.up_to == 2025
    assert ledger.total.cumulative == 300_000 and ledger.fiscal_years == []
    assert [(c.cycle, c.total.cumulative, c.total.progress) for c in response.context["columns"]] == [
        (world.released, 300_000, "30.0%")
    ]
    html = response.content.decode()
    assert "令和7年度当初までの累計" in html and "令和8年度当初" not in html and "50.0%" not in html

    with pytest.raises(ValidationError, match="財政課で確定されていません"):
        release(world.cycle, world.reviewer)
    enter_ledger(world.cycle, finance, {})  # 財政課 confirms the figures
    services.cycle_release(cycle=world.cycle, by=world.reviewer)
    response = client.get(reverse("public:ledger", args=[REFORM]))
    assert response.context["ledger"].total.cumulative == 500_000
    assert [(c.cycle.label, c.total.cumulative, c.total.progress) for c in response.context["columns"]] == [
        ("令和7年度当初", 300_000, "30.0%"), ("令和8年度当初", 500_000, "50.0%"),
    ]
    html = response.content.decode()
    assert "令和8年度当初までの累計" in html and "ledger-cycles-table" in html


# --- departments ---------------------------------------------------------------------------------


def test_department_index_lists_departments_with_published_initiatives(client, published_program):
    response = client.get(reverse("public:department-index", args=[REFORM]))
    names = [d.name for d in response.context["departments"]]
    assert "土木部" in names and "行財政改革推進部" in names
    hospital = next(d for d in response.context["departments"] if d.name == "市立旭川病院事務局")
    assert hospital.published == Initiative.objects.filter(responsibilities__department=hospital).count()


def test_department_page_lists_its_initiatives_with_statuses(client, published_program):
    department = Department.objects.get(name="土木部")
    response = client.get(reverse("public:department-detail", args=[REFORM, department.pk]))
    numbers = [row.record.number for row in response.context["table"].rows]
    assert numbers == sorted(Initiative.objects.filter(responsibilities__department=department).values_list("number", flat=True))
    assert 30 in numbers
    assert "status-behind" in response.content.decode()


def test_unknown_department_is_404(client, published_program):
    assert client.get(reverse("public:department-detail", args=[REFORM, 99999])).status_code == 404


# --- open data -------------------------------------------------------------------------------------


def test_open_data_page_has_stable_urls_schema_and_licence(client, published_program):
    html = client.get(reverse("public:opendata", args=[REFORM])).content.decode()
    assert "/gyozaisei-2024/opendata/program.json" in html and "/gyozaisei-2024/opendata/initiatives.csv" in html
    assert "CC BY 4.0" in html and "reformtracker/4" in html


def test_program_json_is_the_published_program_in_the_export_format(client, published_program):
    response = client.get(reverse("public:opendata-json", args=[REFORM]))
    document = response.json()
    assert document["format"] == "reformtracker/4"
    assert len(document["initiatives"]) == 54
    assert document["summary"]["total"]["counts"]["behind"] == 4
    assert document["summary"]["total"]["percentages"]["on_schedule"] == "92.6%"
    assert document["ledger"]["totals"]["財源確保目標額"]["cumulative_thousand_yen"] == 3_550_000
    assert document["program"]["fiscal_target_oku_yen"] == "89.0"


def test_published_document_can_be_imported_again(client, published_program):
    from initiatives.opendata.importer import import_program

    document = client.get(reverse("public:opendata-json", args=[REFORM])).json()
    document["program"]["name"] = "複製"
    document["program"]["slug"] = "fukusei"  # a program's URL name is its own
    copy = import_program(document)
    assert copy.initiatives.count() == 54


def test_initiatives_csv_has_every_published_initiative(client, published_program):
    response = client.get(reverse("public:opendata-csv", args=[REFORM]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 55 and rows[1][0] == "1"
