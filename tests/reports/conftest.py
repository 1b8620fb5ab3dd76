"""Fixtures for the reports: a private cache directory per test, the real and synthetic programs published."""
import pytest
from django.tasks import task_backends

from initiatives import services
from programs.statuses import Status
from initiatives.opendata.importer import import_program
from programs.models import ReportingCycle
from tests import snapshots
from tests import helpers

from .synthetic import document


# What a department reports for a year, when a test does not say.
REPORTED = {"plan": "年度の計画", "result": "年度の実績", "status": Status.ON_SCHEDULE}


@pytest.fixture(autouse=True)
def report_cache_dir(settings, tmp_path):
    settings.REPORTS_CACHE_DIR = tmp_path / "report-cache"
    return settings.REPORTS_CACHE_DIR


@pytest.fixture
def worker(settings):
    """A task queue without a worker of its own; calling it runs what is queued (retries included), or at most
    `limit` tasks."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]

    def run(limit: int | None = None) -> int:
        ran = 0
        while backend.results and (limit is None or ran < limit):
            result = backend.results.pop(0)
            try:
                result.task.call(*result.args, **result.kwargs)
            except Exception:  # noqa: BLE001 — a failing task is recorded by the task itself
                pass
            ran += 1
        return ran

    run.queued = lambda: [r.task.name for r in backend.results]
    run.forget = backend.results.clear  # what a worker that died had taken
    return run


@pytest.fixture
def real_cycle(published_program):
    """令和7年度当初, the city's report, every initiative published."""
    return ReportingCycle.objects.get(program=published_program)


@pytest.fixture
def real_pdf(real_cycle):
    """The city's report as a PDF (laid out once per session: tests/conftest.py's _LaidOutOnce)."""
    from reports.pdf import build_annual_pdf

    return build_annual_pdf(real_cycle)


def publish_program(program, reviewer) -> ReportingCycle:
    return services.cycle_release_imported(program=program, by=reviewer)


@pytest.fixture
def synthetic_cycle(db, reviewer):
    """The synthetic program (54 initiatives, long texts, split statuses), published as 令和7年度当初."""
    return snapshots.replayed("synthetic_cycle", reviewer=reviewer) or publish_program(import_program(document()), reviewer)


def publish(world, number, by=None, **data):
    """Edit the open cycle's record of initiative `number` (what the department must report and has
    not yet: 計画, 実績, 進行状況 — on schedule unless given) and publish it."""
    record = world.record(number)
    missing = {field: value for field, value in REPORTED.items() if not getattr(record, field)}
    changes = {**missing, **data} if data or missing or record.plan_prefilled else None
    return helpers.publish(world, number, changes, by=by)


def publish_the_rest(cycle, reviewer) -> int:
    """Report (as REPORTED, for what is missing) and publish every record of the open cycle not yet published."""
    from initiatives.models import WorkflowState, YearlyRecord

    records = YearlyRecord.objects.of_cycle(cycle).exclude(workflow_state=WorkflowState.PUBLISHED)
    for record in records.order_by("initiative__number"):
        missing = {field: value for field, value in REPORTED.items() if not getattr(record, field)}
        if missing or record.plan_prefilled:
            services.record_update(record=record, by=reviewer, data=missing)
    return services.cycle_publish_all(cycle=cycle, by=reviewer)


def release(cycle, reviewer, released_on=None) -> ReportingCycle:
    """Publish what is left in the open cycle, close it and release it (公表)."""
    publish_the_rest(cycle, reviewer)
    services.cycle_close(cycle=cycle, by=reviewer)
    return services.cycle_release(cycle=cycle, by=reviewer, released_on=released_on)
