"""Annual reports built in the background: with a worker no request waits for a build,
the previous file is served until the new one is ready, failures are retried and shown, files go
through the "reports" storage, and a build whose worker died is built by the next worker.

"A worker is configured" is played here by Django's DummyBackend, which keeps what is queued;
`worker()` then runs it as db_worker would. The real db_worker runs in the last tests, on PostgreSQL.
The `world` has 令和7年度当初 released and 令和8年度当初 open; its reports are staff previews.
"""
import datetime
import io
import signal
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from initiatives.signals import cycle_published
from programs.models import ReportingCycle
from reports import builds, files
from reports.models import BuildState, ReportBuild
from tests.worker import db_worker, require_postgresql

from .conftest import publish, publish_the_rest, release

pytestmark = pytest.mark.django_db


def refreshed(cycle) -> ReportingCycle:
    return ReportingCycle.objects.get(pk=cycle.pk)


def xlsx_text(response) -> str:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return "\n".join(str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row if v)


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.reviewer)
    return client


def xlsx_url(world):
    return reverse("reports:annual-xlsx", args=[world.cycle.pk])


def test_a_publication_queues_the_builds_and_no_request_builds(world, worker, staff_client, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, 1, result="最初に公開した実績")
    assert sorted(worker.queued()) == ["build_report", "build_report"]
    assert set(ReportBuild.objects.values_list("format", "state")) == {("pdf", BuildState.QUEUED), ("xlsx", BuildState.QUEUED)}

    def no_build_in_a_request(fmt):
        raise AssertionError("a request built a report")

    monkeypatch.setattr(builds, "builder", no_build_in_a_request)
    waiting = staff_client.get(xlsx_url(world))
    assert waiting.status_code == 503 and waiting["Retry-After"] == "10"
    assert "年次報告を作成しています" in waiting.content.decode()
    monkeypatch.undo()

    assert worker() == 2
    served = staff_client.get(xlsx_url(world))
    assert served.status_code == 200 and served["X-Report-Version"] == builds.fingerprint(world.cycle)
    assert "最初に公開した実績" in xlsx_text(served)


def test_publishing_every_record_in_one_transaction_builds_the_cycle_once(world, worker, django_capture_on_commit_callbacks):
    """cycle_publish_all publishes the open cycle's records in one transaction: the cycle is announced once after
    the commit, and its reports are queued once, for the state after it (not once per record)."""
    announced = []

    def announce(sender, cycle, **kwargs):
        announced.append(cycle.pk)

    cycle_published.connect(announce, dispatch_uid="test-announced")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            published = publish_the_rest(world.cycle, world.reviewer)
            assert announced == []  # nothing before the commit
    finally:
        cycle_published.disconnect(dispatch_uid="test-announced")
    assert published == world.cycle.records.count() > 1
    assert announced == [world.cycle.pk]
    assert sorted(worker.queued()) == ["build_report", "build_report"]
    assert set(ReportBuild.objects.values_list("format", "fingerprint")) == {
        ("pdf", builds.fingerprint(world.cycle)), ("xlsx", builds.fingerprint(world.cycle))
    }


def test_until_the_new_build_is_ready_the_previous_file_is_served(world, worker, staff_client, report_cache_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, 1, result="一つ目の実績")
    worker()
    before = builds.fingerprint(world.cycle)
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, 2, result="二つ目の実績")

    meanwhile = staff_client.get(xlsx_url(world))
    assert meanwhile.status_code == 200 and meanwhile["X-Report-Version"] == before
    assert "max-age=0" in meanwhile["Cache-Control"]  # no cache keeps the previous file
    text = xlsx_text(meanwhile)
    assert "一つ目の実績" in text and "二つ目の実績" not in text

    worker()
    after = staff_client.get(xlsx_url(world))
    assert after["X-Report-Version"] == builds.fingerprint(world.cycle) != before
    assert "二つ目の実績" in xlsx_text(after)
    assert len([p for p in report_cache_dir.iterdir() if p.suffix == ".xlsx"]) == 1  # the previous file is gone
    assert ReportBuild.objects.filter(format="xlsx").count() == 1


def test_the_release_queues_the_public_reports(world, worker, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        release(world.cycle, world.reviewer)
    worker()
    world.cycle.refresh_from_db()
    public = client.get(xlsx_url(world))  # anonymous: the cycle is released
    assert public.status_code == 200 and public["X-Report-Version"] == builds.fingerprint(world.cycle)
    assert set(ReportBuild.objects.filter(cycle=world.cycle).values_list("state", flat=True)) == {BuildState.READY}


def test_a_build_of_a_state_that_changed_again_stops_at_once(world, worker, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, 1)
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, 2)
    assert len(worker.queued()) == 4
    built = []
    real = builds.builder

    def counting(fmt):
        built.append(fmt)
        return real(fmt)

    monkeypatch.setattr(builds, "builder", counting)
    worker()
    assert sorted(built) == ["pdf", "xlsx"]  # the first publication's builds were skipped
    assert set(ReportBuild.objects.values_list("fingerprint", flat=True)) == {builds.fingerprint(world.cycle)}


def test_a_failing_build_is_tried_three_times_then_shown_failed_while_the_previous_file_stays(
    world, worker, staff_client, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, 1, result="一つ目の実績")
    worker()
    before = builds.fingerprint(world.cycle)

    def broken(fmt):
        def build(cycle):
            raise RuntimeError("フォントが読めません")
        return build

    monkeypatch.setattr(builds, "builder", broken)
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, 2)
    assert worker() == 6  # two formats, three attempts each
    failed = ReportBuild.objects.get(format="xlsx", state=BuildState.FAILED)
    assert failed.attempts == 3 and "RuntimeError: フォントが読めません" in failed.error
    assert staff_client.get(xlsx_url(world))["X-Report-Version"] == before  # the previous file is still served

    changelist = staff_client.get(reverse("admin:reports_reportbuild_changelist")).content.decode()
    assert "失敗" in changelist and "フォントが読めません" in changelist
    monkeypatch.undo()
    staff_client.post(reverse("admin:reports_reportbuild_changelist"),
                      {"action": "rebuild_selected", "_selected_action": [failed.pk]})
    worker()
    failed.refresh_from_db()
    assert failed.state == BuildState.READY
    assert staff_client.get(xlsx_url(world))["X-Report-Version"] == builds.fingerprint(world.cycle)


def test_reports_go_through_the_reports_storage(world, settings, staff_client, tmp_path):
    settings.REPORTS_CACHE_DIR = None
    settings.STORAGES = {**settings.STORAGES, "reports": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    publish(world, 1, result="記憶域に置いた実績")
    response = staff_client.get(xlsx_url(world))
    assert "記憶域に置いた実績" in xlsx_text(response)
    report = ReportBuild.objects.get(format="xlsx")
    assert files.storage().exists(report.file_name)


def test_without_a_worker_a_download_builds_what_it_needs(world, staff_client):
    publish(world, 1, result="すぐに作る実績")
    response = staff_client.get(xlsx_url(world))
    assert response.status_code == 200 and "すぐに作る実績" in xlsx_text(response)


# --- a worker that dies while it builds -------------------------------------------------------------


def left_building_by_a_dead_worker(worker, fmt: str) -> ReportBuild:
    """The build as a worker killed mid-build leaves it: 作成中, its task taken (gone from the queue), its lease
    run out."""
    worker.forget()
    report = ReportBuild.objects.get(format=fmt)
    ReportBuild.objects.filter(pk=report.pk).update(
        state=BuildState.BUILDING, attempts=1, lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    return report


def test_a_build_whose_worker_died_is_built_by_the_next_worker(world, worker, staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, 1, result="止まる前の実績")
    report = left_building_by_a_dead_worker(worker, "pdf")

    with django_capture_on_commit_callbacks(execute=True):
        builds.housekeeping()  # what the next worker does when it starts
    report.refresh_from_db()
    assert report.state == BuildState.QUEUED and "作成処理（ワーカー）が止まりました" in report.error
    assert worker.queued() == ["build_report"]
    worker()
    report.refresh_from_db()
    assert (report.state, report.attempts) == (BuildState.READY, 2)
    response = staff_client.get(reverse("reports:annual-pdf", args=[world.cycle.pk]))
    assert response.status_code == 200 and response["X-Report-Version"] == report.fingerprint


def test_a_build_whose_worker_keeps_dying_is_shown_failed_after_the_last_attempt(world, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, 1)
    report = left_building_by_a_dead_worker(worker, "xlsx")
    ReportBuild.objects.filter(pk=report.pk).update(attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert builds.recover_abandoned() == [report]
    report.refresh_from_db()
    assert report.state == BuildState.FAILED and "3回目" in report.error and worker.queued() == []


def test_a_build_whose_lease_has_not_run_out_is_left_to_its_worker(world, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, 1)
    ReportBuild.objects.update(state=BuildState.BUILDING, lease_expires_at=timezone.now() + datetime.timedelta(seconds=30))
    assert builds.recover_abandoned() == []
    assert set(ReportBuild.objects.values_list("state", flat=True)) == {BuildState.BUILDING}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the lease is renewed from another thread, with its own connection
def test_a_worker_renews_the_lease_of_a_long_build_so_no_other_worker_takes_it(world, worker, settings, monkeypatch):
    settings.REPORTS_BUILD_LEASE_SECONDS = 1
    publish(world, 1)  # queues the builds (no transaction: the commit callbacks run)
    seen = {}

    def slow(fmt):
        def build(cycle):
            started = ReportBuild.objects.get(format=fmt).lease_expires_at
            time.sleep(2.5)  # more than two leases
            seen[fmt] = (started, ReportBuild.objects.get(format=fmt).lease_expires_at, builds.recover_abandoned())
            return b"report"
        return build

    monkeypatch.setattr(builds, "builder", slow)
    worker()
    for started, later, taken_back in seen.values():
        assert later > started and taken_back == []
    assert set(ReportBuild.objects.values_list("state", "lease_expires_at")) == {(BuildState.READY, None)}


def test_the_admin_builds_again_any_build_that_is_not_ready(world, worker, staff_client, django_capture_on_commit_callbacks):
    """「もう一度作成」: a build stuck in 作成中 or waiting (its task lost) is queued again, as a failed one is."""
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, 1)
    worker.forget()
    stuck = ReportBuild.objects.get(format="pdf")
    ReportBuild.objects.filter(pk=stuck.pk).update(state=BuildState.BUILDING)
    waiting = ReportBuild.objects.get(format="xlsx")
    response = staff_client.post(reverse("admin:reports_reportbuild_changelist"),
                                 {"action": "rebuild_selected", "_selected_action": [stuck.pk, waiting.pk]}, follow=True)
    assert "2件をもう一度作成します。" in response.content.decode()
    assert sorted(worker.queued()) == ["build_report", "build_report"]
    worker()
    assert set(ReportBuild.objects.values_list("state", flat=True)) == {BuildState.READY}


# --- the real worker ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_db_worker_builds_a_queued_report_while_the_link_keeps_working(world, settings, client, tmp_path):
    """On PostgreSQL: a publication queues the PDF build, `db_worker` builds it in its own process, and the
    preview link serves the previous file until it serves the new one."""
    require_postgresql()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.REPORTS_CACHE_DIR = tmp_path / "reports"  # the worker's REFORMTRACKER_VAR_DIR/reports
    client.force_login(world.reviewer)
    url = reverse("reports:annual-pdf", args=[world.cycle.pk])

    publish(world, 1)
    assert db_worker(tmp_path).returncode == 0
    first = client.get(url)
    assert first.status_code == 200 and first["X-Report-Version"] == builds.fingerprint(world.cycle)

    publish(world, 2)
    new = builds.fingerprint(world.cycle)
    assert ReportBuild.objects.get(format="pdf", fingerprint=new).state == BuildState.QUEUED
    process = db_worker(tmp_path, wait=False)
    versions, deadline = [], time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            response = client.get(url)
            assert response.status_code == 200  # the link works throughout
            versions.append(response["X-Report-Version"])
            if versions[-1] == new:
                break
            time.sleep(0.2)
    finally:
        process.wait(timeout=300)
    assert versions[0] == first["X-Report-Version"] and versions[-1] == new
    assert ReportBuild.objects.get(format="pdf", fingerprint=new).state == BuildState.READY


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_it_builds_the_released_pdf_is_replaced_by_the_next_one(world, settings, client, tmp_path):
    """On PostgreSQL: a worker builds the release's reports and is killed (SIGKILL) in the middle of the PDF; the
    build stays 作成中 and its task RUNNING. Another worker takes it back once its lease has run out, builds it,
    and the release becomes public with its PDF."""
    require_postgresql()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.REPORTS_CACHE_DIR = tmp_path / "reports"  # the workers' REFORMTRACKER_VAR_DIR/reports
    lease = {"REFORMTRACKER_BUILD_LEASE_SECONDS": "3"}
    first = db_worker(tmp_path, wait=False, batch=False, env=lease)
    try:
        release(world.cycle, world.reviewer)
        deadline = time.monotonic() + 120
        while not ReportBuild.objects.filter(cycle=world.cycle, format="pdf", state=BuildState.BUILDING).exists():
            assert first.poll() is None and time.monotonic() < deadline, "the worker never started the PDF"
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    pdf = ReportBuild.objects.get(cycle=world.cycle, format="pdf")
    assert pdf.state == BuildState.BUILDING  # left behind by the dead worker
    builds_tasks = DBTaskResult.objects.filter(task_path=builds.build_report.module_path)
    assert builds_tasks.running().count() == 1
    assert not refreshed(world.cycle).is_public

    second = db_worker(tmp_path, wait=False, batch=False, env=lease)
    try:
        deadline = time.monotonic() + 120  # within 2 minutes
        while not refreshed(world.cycle).is_public:
            assert second.poll() is None and time.monotonic() < deadline, "the build was not finished in 2 minutes"
            time.sleep(0.2)
    finally:
        second.terminate()
        second.wait(timeout=60)
    pdf.refresh_from_db()
    assert pdf.state == BuildState.READY and pdf.attempts == 2
    assert builds_tasks.running().count() == 0
    assert "作成処理（ワーカー）が止まりました" in builds_tasks.failed().get().traceback
    response = client.get(reverse("public:annual-pdf", args=[world.program.slug, world.cycle.pk]))  # anonymous
    assert response.status_code == 200 and response["X-Report-Version"] == pdf.fingerprint
    assert b"".join(response.streaming_content).startswith(b"%PDF")
