"""`make run`'s demo set-up: the program published as the report, a cycle open, accounts that work."""
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from initiatives import roles
from initiatives.models import Initiative, PublishedVersion
from programs.models import ReportingCycle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def development(settings):
    settings.DEBUG = True  # as under `make run`; the test runner turns DEBUG off


def test_setup_demo_publishes_the_report_and_opens_the_next_cycle(capsys):
    call_command("setup_demo")
    assert PublishedVersion.objects.current().count() == 54
    assert ReportingCycle.objects.get(state="closed").label == "令和7年度当初"
    assert ReportingCycle.objects.get(state="open").fiscal_year == 2025
    assert "demo-editor-somu" in capsys.readouterr().out


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


def test_setup_demo_twice_changes_nothing():
    call_command("setup_demo")
    call_command("setup_demo")
    assert Initiative.objects.count() == 54
    assert PublishedVersion.objects.count() == 54


def test_setup_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="デモ用"):
        call_command("setup_demo")
