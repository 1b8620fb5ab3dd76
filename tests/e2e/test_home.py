"""Each person's home page in the admin, in the browser at 1280 px and at a phone's 390 px."""
import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from initiatives import services
from tests.notifications.conftest import submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cycle_under_way(world):
    world.cycle.deadline = timezone.localdate() + datetime.timedelta(days=7)
    world.cycle.save()
    submit(world, 3)
    submit(world, 1)
    services.record_return(record=world.record(1), by=world.reviewer, comment="実績に件数を書き加えてください。" * 3)
    return world


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("username, expected", [
    ("editor-somu", ["今期の報告", "あと7日", "差戻し（1）", "実績に件数を書き加えてください。"]),
    ("reviewer", ["報告期の進み具合", "審査待ち 1件（古い順）", "未提出の取組がある部局", "送信できなかった通知"]),
])
def test_the_home_page_fits_the_screen(page, live_server, login, cycle_under_way, artifacts, width, username, expected):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, username)
    for text in expected:
        expect(page.get_by_text(text, exact=False).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    page.screenshot(path=artifacts / f"staff-home-{username}-{width}.png", full_page=True)
