"""A release becomes public with its reports: with a worker, once its PDF and workbook are built (until then
citizens read the previous report, and no download of the released reports answers 503); without one, at
once; a release dated later (公表日) is public from 0:00 Japan time of that day.

The `world` has 令和7年度当初 released and 令和8年度当初 open; a second program (the strategy's project list,
released) shares the staff's lists.
"""
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import JAPAN, ReportingCycle
from reports import builds
from reports.models import BuildState, ReportBuild
from tests.addresses import REFORM
from tests.factories import released_list_of_projects

from .conftest import release

pytestmark = pytest.mark.django_db


def download_urls(world, cycle) -> list[str]:
    return [
        reverse("reports:annual-pdf", args=[cycle.pk]),
        reverse("reports:annual-xlsx", args=[cycle.pk]),
        reverse("public:annual-pdf", args=[world.program.slug, cycle.pk]),
        reverse("public:annual-xlsx", args=[world.program.slug, cycle.pk]),
    ]


def summary_report_links(client) -> list[str]:
    return [link["url"] for link in client.get(reverse("public:summary", args=[REFORM])).context["report_links"]]


def refreshed(cycle) -> ReportingCycle:
    return ReportingCycle.objects.get(pk=cycle.pk)


def days_ahead(days: int) -> datetime.date:
    """A date to come (the world's 令和7年度当初 became public when the test started, in real time)."""
    return datetime.datetime.now(JAPAN).date() + datetime.timedelta(days=days)


@pytest.fixture
def clock(monkeypatch):
    """A fixed clock once `clock.set(datetime)` has set it (the real one until then)."""

    class Clock:
        now = None

        def set(self, moment: datetime.datetime) -> None:
            self.now = moment

    fixed, real = Clock(), timezone.now
    monkeypatch.setattr(timezone, "now", lambda: fixed.now or real())
    return fixed


def test_with_a_worker_no_download_of_the_released_reports_answers_503_after_the_release(
    world, worker, client, django_capture_on_commit_callbacks
):
    for fmt in builds.FORMATS:  # the previous report's files, as a worker built them a year ago
        builds.request_build(world.released, fmt)
    worker()

    with django_capture_on_commit_callbacks(execute=True):
        release(world.cycle, world.reviewer)
    assert not refreshed(world.cycle).is_public  # released (final), not yet public: its files are being built
    assert summary_report_links(client) == download_urls(world, world.released)[2:]  # citizens read 令和7年度当初

    statuses = set()
    while True:
        for url in download_urls(world, world.cycle):
            response = client.get(url)
            statuses.add(response.status_code)
            assert response.status_code in (200, 404), url
        for url in summary_report_links(client):
            assert client.get(url).status_code == 200
        if not worker(limit=1):
            break
    assert statuses == {200, 404}

    cycle = refreshed(world.cycle)
    assert cycle.is_public and cycle.public_at <= timezone.now()
    assert summary_report_links(client) == download_urls(world, cycle)[2:]
    response = client.get(download_urls(world, cycle)[0])
    assert response.status_code == 200 and response["X-Report-Version"] == builds.fingerprint(cycle)
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert set(ReportBuild.objects.filter(cycle=cycle).values_list("format", "state")) == {
        ("pdf", BuildState.READY), ("xlsx", BuildState.READY)
    }


def test_without_a_worker_the_release_is_public_at_once(world, client):
    cycle = release(world.cycle, world.reviewer)
    assert refreshed(cycle).is_public
    assert summary_report_links(client) == download_urls(world, cycle)[2:]
    assert client.get(download_urls(world, cycle)[0]).status_code == 200


@pytest.mark.parametrize("with_worker", [False, True], ids=["no worker", "worker"])
def test_a_release_dated_later_is_public_from_0_00_japan_time_of_its_date(
    world, clock, client, with_worker, request, django_capture_on_commit_callbacks
):
    worker = request.getfixturevalue("worker") if with_worker else None
    date = days_ahead(3)
    midnight = datetime.datetime.combine(date, datetime.time(), tzinfo=JAPAN)
    clock.set(midnight - datetime.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        release(world.cycle, world.reviewer, released_on=date)
    if worker:
        worker()  # the files are built before the date
    cycle = refreshed(world.cycle)
    assert cycle.public_at == midnight

    clock.set(midnight - datetime.timedelta(seconds=1))
    assert not refreshed(cycle).is_public
    assert ReportingCycle.objects.latest_public(world.program) == world.released
    assert summary_report_links(client) == download_urls(world, world.released)[2:]
    assert client.get(download_urls(world, cycle)[2]).status_code == 404

    clock.set(midnight)
    assert ReportingCycle.objects.latest_public(world.program) == cycle
    assert summary_report_links(client) == download_urls(world, cycle)[2:]
    assert client.get(download_urls(world, cycle)[2]).status_code == 200


def test_the_staff_see_whether_a_released_cycle_is_public_yet(
    world, worker, client, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        released_list_of_projects(world.reviewer, "jigyo")  # a second program, released
    worker()  # and public with its reports
    date = days_ahead(2)
    clock.set(datetime.datetime.now(JAPAN) + datetime.timedelta(hours=1))
    client.force_login(world.reviewer)
    changelist = reverse("admin:programs_reportingcycle_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        release(world.cycle, world.reviewer, released_on=date)
    expected = f"公表予定（{date.year}年{date.month}月{date.day}日0:00）"

    # 令和8年度当初, 令和7年度当初 (this program), 令和7年度当初 (the project list)
    assert states(client.get(changelist)) == ["公表済み（公開待ち：報告書を作成中）", "公表済み", "公表済み"]
    worker()
    assert states(client.get(changelist)) == [expected, "公表済み", "公表済み"]
    detail = client.get(reverse("admin:programs_reportingcycle_change", args=[world.cycle.pk])).content.decode()
    assert expected in detail

    clock.set(datetime.datetime.combine(date, datetime.time(), tzinfo=JAPAN))
    client.force_login(world.reviewer)  # a working day later
    assert states(client.get(changelist)) == ["公表済み", "公表済み", "公表済み"]


def states(response) -> list[str]:
    return re.findall(r'<td class="field-public_state">([^<]*)</td>', response.content.decode())
