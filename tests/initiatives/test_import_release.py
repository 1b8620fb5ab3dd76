"""import_data --release-as-printed: a new installation enters the city's published report as its first release."""
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from initiatives import services
from programs.models import Program, ReportingCycle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DX = str(Path(settings.BASE_DIR) / "fixtures" / "asahikawa_dx_2025.json")
STRATEGY = str(Path(settings.BASE_DIR) / "fixtures" / "asahikawa_strategy_2025.json")


@pytest.fixture
def reviewer(db):
    call_command("add_staff", "kaikaku", "--email", "kaikaku@city.example", "--role", "reviewer")
    return get_user_model().objects.get(username="kaikaku")


@pytest.mark.slow  # loads two of the city's documents
def test_the_printed_report_is_released_as_of_its_date_and_stays_so_when_the_next_cycle_opens(reviewer, capsys):
    call_command("import_data", DX, "--release-as-printed", "--by", "kaikaku", "--fiscal-year", "2024")
    call_command("import_data", STRATEGY, "--release-as-printed", "--by", "kaikaku", "--fiscal-year", "2025")
    assert "公開・公表しました" in capsys.readouterr().out
    dx = Program.objects.get(name__contains="dX")
    released = ReportingCycle.objects.get(program=dx)
    assert released.is_released and released.fiscal_year == 2024
    assert released.publications.count() == dx.initiatives.count() == 15
    upcoming = services.cycle_open(program=dx, fiscal_year=2025, by=reviewer, label="令和7年度")
    assert ReportingCycle.objects.latest_public(dx) == released
    assert upcoming.publications.count() == 0
    strategy = Program.objects.exclude(pk=dx.pk).get()
    assert ReportingCycle.objects.latest_public(strategy).fiscal_year == 2025


@pytest.mark.parametrize("by, message", [("nobody", "ユーザー「nobody」は存在しません"),
                                         ("editor", "行政改革課（審査・公開）の担当者ではありません")])
def test_only_an_existing_reviewer_releases_and_a_refusal_loads_nothing(by, message):
    UserFactory(username="editor", is_staff=True)
    with pytest.raises(CommandError, match=message):
        call_command("import_data", DX, "--release-as-printed", "--by", by)
    assert not Program.objects.exists()


def test_release_needs_its_reviewer_and_reviewer_needs_release():
    with pytest.raises(CommandError, match="--by"):
        call_command("import_data", DX, "--release-as-printed")
    with pytest.raises(CommandError, match="--release-as-printed"):
        call_command("import_data", DX, "--by", "kaikaku")
    assert not Program.objects.exists()
