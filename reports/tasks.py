"""Building an annual report in the background (django.tasks), retried a bounded number of times.

A build is queued for one state of the cycle's publications (its fingerprint). By the time
the worker takes it the cycle may have changed again: then a newer build has been (or will
be) queued, and this one stops at once. A build that fails is tried again later
(reformtracker.tasks.retry_later), then stays failed with its error: the previous file is
still served, and the admin (年次報告の作成) and the reform office's home page show it.
"""
from django.tasks import task
from django.utils import timezone

from programs.models import ReportingCycle
from reformtracker.tasks import MAX_ATTEMPTS, retry_later

from . import cache
from .models import BuildState, ReportBuild


@task()
def build_report(cycle_id: int, fmt: str, key: str, attempt: int = 1) -> str:
    report = ReportBuild.objects.filter(cycle_id=cycle_id, format=fmt, fingerprint=key).first()
    if report is None or report.state == BuildState.READY:
        return "done"
    cycle = ReportingCycle.objects.select_related("program").get(pk=cycle_id)
    if cache.fingerprint(cycle) != key:
        report.delete()  # superseded: the cycle changed again, and its newer state is built instead
        return "superseded"
    report.attempts = attempt
    report.save(update_fields=["attempts"])
    try:
        cache.run_build(report, cycle, cache.builder(fmt))
    except Exception as error:  # noqa: BLE001 — recorded, retried, then shown
        retrying = attempt < MAX_ATTEMPTS
        report.state = BuildState.QUEUED if retrying else BuildState.FAILED
        report.error = f"{type(error).__name__}: {error}"
        report.finished_at = None if retrying else timezone.now()
        report.save(update_fields=["state", "error", "finished_at"])
        if retrying:
            retry_later(build_report, cycle_id, fmt, key, attempt=attempt)
        raise
    return "built"
