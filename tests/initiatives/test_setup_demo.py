"""`make run`'s demo set-up refuses to run in production. What it loads (the city's three programs, accounts
that work) is tested in tests/programs/test_city_programs.py, whose tests share one run of it."""
import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_setup_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="デモ用"):
        call_command("setup_demo")
