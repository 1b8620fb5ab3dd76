"""`make run`'s demo set-up: the three programs (the reform program published as the report with a
cycle open, the strategy's list released, the dX roadmap open), accounts that work."""
import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from initiatives import roles
from initiatives.models import Initiative, PublishedVersion, YearlyRecord
from programs.models import ReportingCycle

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # the full data set


@pytest.fixture(autouse=True)
def development(settings):
    settings.DEBUG = True  # as under `make run`; the test runner turns DEBUG off


REFORM = {"program__slug": "gyozaisei-2024"}


def test_setup_demo_releases_the_report_and_opens_the_next_cycle_unreported(capsys):
    call_command("setup_demo")
    assert PublishedVersion.objects.current().filter(initiative__program__slug="gyozaisei-2024").count() == 54
    released = ReportingCycle.objects.get(state="released", **REFORM)
    assert (released.label, released.released_on, released.as_of) == ("令和7年度当初", date(2025, 4, 1), date(2025, 4, 1))
    assert "令和７年度当初における取組内容" in released.introduction
    current = ReportingCycle.objects.get(state="open", **REFORM)
    assert (current.fiscal_year, current.label) == (2025, "令和8年度当初")
    assert set(YearlyRecord.objects.filter(cycle=current).values_list("status", flat=True)) == {""}
    assert "demo-editor-somu" in capsys.readouterr().out


def test_export_data_after_setup_demo_still_gives_the_citys_fy2024_figures(tmp_path):
    call_command("setup_demo")
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


def test_demo_editors_edit_their_own_departments_initiatives():
    call_command("setup_demo")
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


def test_setup_demo_loads_the_strategy_released_and_the_dx_roadmap_open_and_twice_changes_nothing():
    call_command("setup_demo")
    strategy = ReportingCycle.objects.get(program__slug="sousei")
    assert (strategy.state, strategy.label, strategy.fiscal_year) == ("released", "令和7年度当初", 2025)
    assert strategy.publications.count() == 158
    dx = ReportingCycle.objects.get(program__slug="dx")
    assert (dx.state, dx.fiscal_year) == ("open", 2025) and dx.records.count() == 15
    counts = (Initiative.objects.count(), PublishedVersion.objects.count(), ReportingCycle.objects.count())
    assert counts == (54 + 158 + 15, 54 + 158, 2 + 1 + 1)
    call_command("setup_demo")  # a second run changes nothing
    assert (Initiative.objects.count(), PublishedVersion.objects.count(), ReportingCycle.objects.count()) == counts


def test_setup_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="デモ用"):
        call_command("setup_demo")
