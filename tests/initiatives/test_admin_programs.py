"""The staff lists know their programs: a program column and filter on every list of program data, and each cycle
named with its program where there are several."""
import pytest
from django.urls import reverse

from finance.models import LedgerStatement
from notifications.models import Kind, Notification
from reports.models import ReportBuild

pytestmark = pytest.mark.django_db

LISTS = [
    "initiatives_yearlyrecord", "programs_reportingcycle", "finance_ledgerstatement", "reports_reportbuild",
    "notifications_notification", "initiatives_publishedversion", "initiatives_initiative",
]


def changelist(client, name, **params):
    response = client.get(reverse(f"admin:{name}_changelist"), params)
    assert response.status_code == 200, name
    return response


def filter_named(response, parameter):
    """The list's filter by `parameter` (a SimpleListFilter's parameter, or a field filter's field)."""
    return next((f for f in response.context["cl"].filter_specs
                 if parameter in (getattr(f, "parameter_name", None), getattr(f, "field_path", None))), None)


@pytest.fixture
def logged(three_programs):
    """Rows of every kind in each of the three programs: builds, notifications (one through its record only) and
    the reform program's ledger statement."""
    w = three_programs
    for cycle in (w.cycle, w.strategy_cycle, w.dx_cycle):
        ReportBuild.objects.create(cycle=cycle, format="pdf", fingerprint=f"f{cycle.pk}")
        Notification.objects.create(key=f"k{cycle.pk}", kind=Kind.CYCLE_OPENED, recipient=w.editor_somu, cycle=cycle,
                                    subject="s", body_text="b", body_html="b")
    Notification.objects.create(key="returned", kind=Kind.RECORD_RETURNED, recipient=w.editor_doboku,
                                record=w.strategy_cycle.records.first(), subject="s", body_text="b", body_html="b")
    LedgerStatement.objects.get_or_create(program=w.program, budget_fiscal_year=2025)
    return w


@pytest.mark.parametrize("name", LISTS)
def test_every_list_of_program_data_has_one_program_column(client, logged, name):
    client.force_login(logged.reviewer)
    columns = changelist(client, name).context["cl"].list_display
    assert columns.count("program_column") == 1 and "program" not in columns and "program_name" not in columns


@pytest.mark.parametrize("name", [n for n in LISTS if n != "finance_ledgerstatement"])  # only the reform program keeps a ledger
def test_every_list_of_program_data_filters_by_program(client, logged, name):
    w = logged
    client.force_login(w.reviewer)
    program_filter = filter_named(changelist(client, name), "program")
    assert [label for _pk, label in program_filter.lookup_choices] == ["行革", "総合戦略", "dX"]
    filtered = changelist(client, name, program=w.strategy.pk).context["cl"]
    shown = list(filtered.result_list)
    assert shown and {filtered.model_admin.program_of(obj) for obj in shown} == {w.strategy}


def test_the_program_column_names_each_rows_program(client, logged):
    client.force_login(logged.reviewer)
    html = changelist(client, "notifications_notification").content.decode()
    assert html.count('<td class="field-program_column">総合戦略</td>') == 2  # the cycle's, and the return's record's


def test_the_program_filter_offers_only_the_programs_the_user_sees(client, logged):
    w = logged
    client.force_login(w.editor_doboku)  # 土木部: the reform program's 2 and 3, the strategy's 7; nothing in dX
    records = changelist(client, "initiatives_yearlyrecord")
    assert [label for _pk, label in filter_named(records, "program").lookup_choices] == ["行革", "総合戦略"]
    w.strategy.reviewers.add(w.reviewer)  # named for the strategy and dX: the reform program is no longer theirs
    w.dx.reviewers.add(w.reviewer)
    client.force_login(w.reviewer)
    cycles = changelist(client, "programs_reportingcycle")
    assert [label for _pk, label in filter_named(cycles, "program").lookup_choices] == ["総合戦略", "dX"]
    w.dx.reviewers.remove(w.reviewer)  # one program: nothing to choose, no filter
    assert filter_named(changelist(client, "programs_reportingcycle"), "program") is None


def test_cycles_are_listed_and_offered_with_their_program(client, logged):
    w = logged
    client.force_login(w.reviewer)
    html = changelist(client, "programs_reportingcycle").content.decode()
    for name in ["令和8年度当初（行革）", "令和8年度当初（総合戦略）", "令和8年度当初（dX）", "令和7年度当初（総合戦略）"]:
        assert name in html
    records = changelist(client, "initiatives_yearlyrecord")
    labels = [label for _value, label in filter_named(records, "cycle").lookup_choices]
    assert len(labels) == len(set(labels)) == 7  # 今期, and two cycles of each of the three programs
    assert "令和7年度当初（dX）（公表済み）" in labels
    for name in ["initiatives_publishedversion", "reports_reportbuild", "notifications_notification"]:
        cycle_filter = filter_named(changelist(client, name), "cycle")
        offered = [str(label) for _pk, label in cycle_filter.lookup_choices]
        assert len(offered) == len(set(offered)) >= 3, name


def test_a_single_program_names_its_cycles_plainly(client, world):
    assert (str(world.cycle), world.cycle.staff_label) == ("令和8年度当初", "令和8年度当初")
    client.force_login(world.reviewer)
    assert "令和8年度当初（" not in changelist(client, "programs_reportingcycle").content.decode()


def test_a_second_program_renames_the_first_programs_cycles_at_once(world):
    from tests.conftest import add_program

    assert world.cycle.staff_label == "令和8年度当初"
    add_program(world, name="まち・ひと・しごと創生総合戦略", short_name="総合戦略", numbers={7: [world.doboku]})
    assert world.cycle.staff_label == f"令和8年度当初（{world.program.name}）"  # no short name: the program's name


def test_the_cycle_filter_offers_only_the_cycles_of_the_users_records(client, three_programs):
    w = three_programs
    client.force_login(w.editor_doboku)  # nothing in the dX program
    records = changelist(client, "initiatives_yearlyrecord")
    offered = {value for value, _label in filter_named(records, "cycle").lookup_choices} - {"current"}
    assert offered == {str(c.pk) for c in (w.released, w.cycle, w.strategy_released, w.strategy_cycle)}
