"""`make run`'s demo set-up: the three programs (the reform program published as the report with a
cycle open, the strategy's list released, the dX roadmap open), accounts that work."""
import io
import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from initiatives import roles
from initiatives.models import Initiative, PublishedVersion, YearlyRecord
from programs.models import ReportingCycle
from tests.conftest import module_data

# The full data set, loaded once for the module's tests (each runs in a savepoint inside it): one worker runs them.
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.xdist_group("setup_demo")]


@pytest.fixture(autouse=True)
def development(settings):
    settings.DEBUG = True  # as under `make run`; the test runner turns DEBUG off


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """`setup_demo`'s three programs and accounts, with what the command printed."""
    out = io.StringIO()
    with module_data(django_db_blocker), override_settings(DEBUG=True):
        call_command("setup_demo", stdout=out)
        yield out.getvalue()


REFORM = {"program__slug": "gyozaisei-2024"}


def test_setup_demo_releases_the_report_and_opens_the_next_cycle_unreported(demo):
    assert PublishedVersion.objects.current().filter(initiative__program__slug="gyozaisei-2024").count() == 54
    released = ReportingCycle.objects.get(state="released", **REFORM)
    assert (released.label, released.released_on, released.as_of) == ("令和7年度当初", date(2025, 4, 1), date(2025, 4, 1))
    assert "令和７年度当初における取組内容" in released.introduction
    current = ReportingCycle.objects.get(state="open", **REFORM)
    assert (current.fiscal_year, current.label) == (2025, "令和8年度当初")
    assert set(YearlyRecord.objects.filter(cycle=current).values_list("status", flat=True)) == {""}
    assert "demo-editor-somu" in demo


def test_export_data_after_setup_demo_still_gives_the_citys_fy2024_figures(demo, tmp_path):
    target = tmp_path / "program.json"
    call_command("export_data", "--format", "json", "--program", "gyozaisei-2024", "--output", str(target))
    document = json.loads(target.read_text(encoding="utf-8"))
    total = document["summary"]["total"]
    assert document["summary"]["fiscal_year"] == 2024
    assert total["initiatives"] == 54 and total["not_reported"] == 0
    assert total["counts"] == {"implemented": 0, "on_schedule": 50, "behind": 4, "not_yet_due": 0, "infeasible": 0}
    assert total["percentages"] == {"implemented": "0.00%", "on_schedule": "92.6%", "behind": "7.41%"}
    behind = {i["number"]: i["status_notes"] for i in document["initiatives"] if i["status"] == "behind"}
    assert sorted(behind) == [30, 42, 49, 52]
    assert behind[30] == "予定どおり進んでいる / 予定より遅れている（土木部）"


def test_demo_editors_edit_their_own_departments_initiatives(demo):
    users = get_user_model().objects
    somu = users.get(username="editor-somu")
    mine = roles.visible_initiatives(somu, Initiative.objects.all())
    assert mine.exists()
    assert all(roles.can_edit(somu, initiative) for initiative in mine)
    assert not mine.filter(responsibilities__department__name="土木部").exclude(
        responsibilities__department__name="総務部"
    ).exists()
    assert roles.visible_initiatives(users.get(username="editor-doboku"), Initiative.objects.all()).exists()
    assert users.get(username="reviewer").check_password("demo-reviewer-asahikawa")


def test_setup_demo_loads_the_strategy_and_the_dx_roadmap_released_and_twice_changes_nothing(demo):
    strategy = ReportingCycle.objects.get(program__slug="sousei")
    assert (strategy.state, strategy.label, strategy.fiscal_year) == ("released", "令和7年度当初", 2025)
    assert strategy.publications.count() == 158
    roadmap = ReportingCycle.objects.get(program__slug="dx", state="released")
    assert (roadmap.label, roadmap.fiscal_year, roadmap.publications.count()) == ("令和7年1月", 2024, 15)
    assert {version.data["years"][0]["plan"] for version in roadmap.publications.all()} == {
        step for initiative in Initiative.objects.filter(program__slug="dx")
        for step in initiative.schedule_steps.filter(fiscal_year=2024).values_list("step", flat=True)
    }  # each 取組内容's plan is the roadmap's R6 step, as the cycle prefilled it
    dx = ReportingCycle.objects.get(program__slug="dx", state="open")
    assert (dx.label, dx.fiscal_year, dx.records.count()) == ("令和7年度", 2025, 15)
    counts = (Initiative.objects.count(), PublishedVersion.objects.count(), ReportingCycle.objects.count())
    assert counts == (54 + 158 + 15, 54 + 158 + 15, 2 + 1 + 2)
    call_command("setup_demo")  # a second run changes nothing
    assert (Initiative.objects.count(), PublishedVersion.objects.count(), ReportingCycle.objects.count()) == counts


def test_setup_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="デモ用"):
        call_command("setup_demo")
