"""Building the annual reports: one file per cycle, format and state of the cycle's publications (the files,
their names and fingerprints: reports/files.py), and when each is built.

Files are kept in the "reports" storage (STORAGES: var/reports by default, a shared volume or
an S3-compatible bucket with several hosts) and each build is a `ReportBuild` row that says
where its file is and whether it is ready; a download serves only a finished build. With a
worker (the database task queue) no request ever waits for a build: a publication or a
release queues the builds of the cycle's new state (`build_report`, below), and downloads serve
the previous file until the new one is ready. Without one (the immediate backend of the
tests), a publication deletes the cycle's files and the next download builds them.
Reports are the city's Japanese document: they are built in Japanese whatever the language
of the request that asks first.

A release goes public with its reports. With a worker, the release queues the released PDF and
workbook and the cycle is not yet public (`ReportingCycle.public_at` empty: citizens still read the
previous report) until both are ready; then it becomes public at once, or at 0:00 Japan time of
its 公表日 when that is later (`go_public_when_ready`). Without a worker the release is public at
once (initiatives.services.cycle_release) and a download builds what it needs.

A worker that dies while it builds (killed, out of memory, the host gone) leaves no build behind.
A build taken by a worker holds a lease (`ReportBuild.lease_expires_at`, REPORTS_BUILD_LEASE_SECONDS
from now) that a thread of the worker renews every third of it while the build runs. Every worker
(`manage.py db_worker`: reports/management/commands/db_worker.py) looks, when it starts and every
half lease, for builds whose lease has expired (`recover_abandoned`): their task, left RUNNING by
the dead worker, is marked failed, and the build is queued again as its next attempt (or shown
failed after the last one). So with the default lease of 60 s, a build whose worker died is taken
again within 90 s. The same look also queues the missing builds of a released cycle not yet public,
and makes public a released cycle whose builds are ready (`keep_releases_going`). A release whose
build failed for good stays not public (admin → 報告期: 公開待ち) until 「もう一度作成」 builds it.
django-tasks-db itself records which worker claimed a task, but neither a heartbeat nor a timeout.
"""
import datetime
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone
from django.utils.translation import gettext

from core.tasks import MAX_ATTEMPTS, retry_later, task
from programs.models import CycleState, ReportingCycle

from .files import FORMATS, cached_report, discard, fingerprint, invalidate, run_build
from .models import BuildState, ReportBuild

logger = logging.getLogger(__name__)


def builder(fmt: str):
    """The function that builds a report in `fmt` (imported lazily: WeasyPrint is slow to import)."""
    if fmt == "pdf":
        from .pdf import build_annual_pdf

        return build_annual_pdf
    if fmt == "xlsx":
        from .workbook import build_annual_workbook

        return build_annual_workbook
    raise ValueError(fmt)


def report_file(cycle, fmt: str) -> ReportBuild | None:
    """The cycle's report in `fmt` as the cycle stands now, built at once if it is not ready (the caller waits);
    None when nothing is published in the cycle. Open it with `files.open_report`."""
    return cached_report(cycle, fmt, builder(fmt))


def in_background() -> bool:
    """Whether a worker builds the reports (a task queue such as django-tasks-db's): then no request waits for
    a build. With the immediate backend (no worker) a download builds what it needs itself."""
    return not isinstance(build_report.get_backend(), ImmediateBackend)


# --- in the background ----------------------------------------------------------------------


@task()
def build_report(cycle_id: int, fmt: str, key: str, attempt: int = 1) -> str:
    """Build the cycle's report in `fmt` for the state `key`, under a lease, retried a bounded number of times.

    By the time the worker takes the build the cycle may have changed again: then a newer build has
    been (or will be) queued, and this one stops at once. A build that fails is tried again later
    (core.tasks.retry_later), then stays failed with its error: the previous file is still
    served, and the admin (年次報告の作成) and the reform office's home page show it."""
    report = ReportBuild.objects.filter(cycle_id=cycle_id, format=fmt, fingerprint=key).first()
    if report is None or report.state == BuildState.READY:
        return "done"
    cycle = ReportingCycle.objects.select_related("program").get(pk=cycle_id)
    if fingerprint(cycle) != key:
        report.delete()  # superseded: the cycle changed again, and its newer state is built instead
        return "superseded"
    report.attempts = attempt
    report.save(update_fields=["attempts"])
    try:
        with holding_lease(report):
            run_build(report, cycle, builder(fmt))
    except Exception as error:  # noqa: BLE001 — recorded, retried, then shown
        retrying = attempt < MAX_ATTEMPTS
        report.state = BuildState.QUEUED if retrying else BuildState.FAILED
        report.error = f"{type(error).__name__}: {error}"
        report.finished_at = None if retrying else timezone.now()
        report.lease_expires_at = None
        report.save(update_fields=["state", "error", "finished_at", "lease_expires_at"])
        if retrying:
            retry_later(build_report, cycle_id, fmt, key, attempt=attempt)
        raise
    go_public_when_ready(cycle)
    return "built"


def lease_duration() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.REPORTS_BUILD_LEASE_SECONDS)


@contextmanager
def holding_lease(report: ReportBuild):
    """Take the build (作成中, leased until a lease from now) and renew its lease every third of it from a thread
    of this process until the build ends: if the process dies, the lease runs out and another worker takes the
    build again (`recover_abandoned`)."""
    duration = lease_duration()
    ReportBuild.objects.filter(pk=report.pk).update(
        state=BuildState.BUILDING, started_at=timezone.now(), lease_expires_at=timezone.now() + duration
    )
    done = threading.Event()

    def renew() -> None:
        try:
            while not done.wait(duration.total_seconds() / 3):
                ReportBuild.objects.filter(pk=report.pk, state=BuildState.BUILDING).update(
                    lease_expires_at=timezone.now() + duration
                )
        except Exception:  # noqa: BLE001 — a lease not renewed only lets another worker build it too
            logger.exception("The lease of report build %s could not be renewed", report.pk)
        finally:
            connections.close_all()  # this thread's own connections

    renewer = threading.Thread(target=renew, name=f"report-build-lease-{report.pk}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()


def _abandoned_task_results(report: ReportBuild):
    """The task results django-tasks-db still shows RUNNING for this build (none with another backend)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover — the database backend is a dependency
        return []
    running = DBTaskResult.objects.running().filter(task_path=build_report.module_path)
    wanted = [report.cycle_id, report.format, report.fingerprint]
    return [result for result in running if result.args_kwargs.get("args", [])[:3] == wanted]


class WorkerLost(Exception):
    """The worker that ran the task stopped before it finished (its build's lease ran out)."""


def recover_abandoned(*, now: datetime.datetime | None = None) -> list[ReportBuild]:
    """Builds whose lease has run out (their worker died): their task is marked failed, and the build is queued
    again as its next attempt, or shown failed after the last one. Returns the builds taken back."""
    now = now or timezone.now()
    recovered = []
    with transaction.atomic():
        expired = ReportBuild.objects.select_for_update(skip_locked=True).filter(
            state=BuildState.BUILDING, lease_expires_at__lt=now
        )
        for report in expired:
            message = gettext("作成中に作成処理（ワーカー）が止まりました（%(attempt)d回目）。") % {"attempt": report.attempts}
            for result in _abandoned_task_results(report):
                result.set_failed(WorkerLost(message))
            retrying = report.attempts < MAX_ATTEMPTS
            report.state = BuildState.QUEUED if retrying else BuildState.FAILED
            report.error, report.lease_expires_at = message, None
            report.finished_at = None if retrying else now
            report.save(update_fields=["state", "error", "lease_expires_at", "finished_at"])
            if retrying:
                key = (report.cycle_id, report.format, report.fingerprint)
                transaction.on_commit(lambda key=key, attempt=report.attempts + 1: build_report.enqueue(*key, attempt=attempt))
            recovered.append(report)
    for report in recovered:
        logger.warning("Report build %s was abandoned by its worker: %s", report.pk, report.error)
    return recovered


def request_build(cycle, fmt: str, key: str | None = None) -> ReportBuild | None:
    """Queue the build of the cycle's report in its current state, once (a build that exists is not queued again)."""
    key = key or fingerprint(cycle)
    if key is None:
        return None
    report, created = ReportBuild.objects.get_or_create(
        cycle=cycle, format=fmt, fingerprint=key, defaults={"released": cycle.is_released}
    )
    if created:
        build_report.enqueue(cycle.pk, fmt, key)
    return report


def retry_build(report: ReportBuild) -> None:
    """Build a report that is not ready again (waiting, stuck in 作成中 or failed): the same state if the cycle has
    not changed since, else its current one. A worker still building it finds it ready or builds it twice."""
    cycle = report.cycle
    if report.fingerprint != fingerprint(cycle):
        discard(report)
        request_build(cycle, report.format)
        return
    ReportBuild.objects.filter(pk=report.pk).update(
        state=BuildState.QUEUED, attempts=0, error="", finished_at=None, lease_expires_at=None
    )
    build_report.enqueue(cycle.pk, report.format, report.fingerprint)


# --- a release goes public with its reports --------------------------------------------------


def go_public_when_ready(cycle) -> bool:
    """A released cycle not yet public becomes public once its released PDF and workbook are both ready: now, or
    at 0:00 Japan time of its 公表日 when that is later. True when it was made public (or scheduled) now."""
    if cycle.state != CycleState.RELEASED or cycle.public_at is not None:
        return False
    key = fingerprint(cycle)  # None: nothing published, so no report to wait for
    ready = set(ReportBuild.objects.ready().filter(cycle=cycle, fingerprint=key).values_list("format", flat=True))
    if key is not None and ready != set(FORMATS):
        return False
    with transaction.atomic():
        locked = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.state != CycleState.RELEASED or locked.public_at is not None:
            return False
        locked.public_at = locked.public_from()
        locked.save(update_fields=["public_at"])  # post_save: the public page cache starts again (public/cache.py)
    cycle.public_at = locked.public_at
    return True


def keep_releases_going() -> None:
    """Released cycles not yet public: make public those whose reports are ready, and queue the builds that are
    missing (a release whose queueing was lost, or whose builds were removed)."""
    waiting = ReportingCycle.objects.filter(state=CycleState.RELEASED, public_at__isnull=True).select_related("program")
    for cycle in waiting:
        if go_public_when_ready(cycle):
            continue
        for fmt in FORMATS:
            request_build(cycle, fmt)


def housekeeping() -> None:
    """What every worker does when it starts and every half lease (reports/management/commands/db_worker.py)."""
    recover_abandoned()
    keep_releases_going()


@dataclass
class Download:
    report: ReportBuild | None  # the build to serve; None while the cycle's first build is not ready
    current: bool  # whether it shows the cycle as it stands now


def report_to_serve(cycle, fmt: str) -> Download | None:
    """What a download of the cycle's report serves; None when nothing is published in the cycle.

    Without a worker the current state is built now. With one, no request waits: the build of the
    current state is queued if it is not there, and the latest finished file is served meanwhile."""
    if not in_background():
        report = report_file(cycle, fmt)
        return Download(report, True) if report else None
    key = fingerprint(cycle)
    if key is None:
        return None
    builds = list(ReportBuild.objects.filter(cycle=cycle, format=fmt))
    current = next((b for b in builds if b.fingerprint == key), None)
    if current is not None and current.is_ready:
        return Download(current, True)
    if current is None:
        request_build(cycle, fmt, key)
    # a staff preview (公表前) is never served as the released report, even for the seconds its build takes
    previous = max((b for b in builds if b.is_ready and b.released == cycle.is_released),
                   key=lambda b: b.finished_at, default=None)
    return Download(previous, False)


def on_published(sender, cycle, **kwargs) -> None:
    """After a transaction that published in the cycle (once for all its publications): queue the builds of the
    cycle's new state, or without a worker delete its files."""
    if in_background():
        cycle = ReportingCycle.objects.select_related("program").get(pk=cycle.pk)  # as it is now, not as published
        for fmt in FORMATS:
            request_build(cycle, fmt)
    else:
        invalidate(cycle.pk)


def on_released(sender, cycle, **kwargs) -> None:
    if in_background():
        for fmt in FORMATS:
            request_build(cycle, fmt)
