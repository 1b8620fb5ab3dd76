"""Fixtures for the reports: a private cache directory per test, the real and synthetic programs published."""
import pytest

from initiatives import services
from initiatives.opendata import import_program
from programs.models import ReportingCycle

from .synthetic import document


@pytest.fixture(autouse=True)
def report_cache_dir(settings, tmp_path):
    settings.REPORTS_CACHE_DIR = tmp_path / "report-cache"
    return settings.REPORTS_CACHE_DIR


@pytest.fixture
def real_cycle(published_program):
    """令和7年度当初, the city's report, every initiative published."""
    return ReportingCycle.objects.get(program=published_program)


def publish_program(program, reviewer) -> ReportingCycle:
    return services.cycle_release_imported(program=program, by=reviewer)


@pytest.fixture
def synthetic_cycle(db, reviewer):
    """The synthetic program (54 initiatives, long texts, split statuses), published as 令和7年度当初."""
    return publish_program(import_program(document()), reviewer)


def publish(world, number, by=None, **data):
    """Edit the open cycle's record of initiative `number` and publish it."""
    by = by or world.reviewer
    if data:
        services.record_update(record=world.record(number), by=by, data=data)
    services.record_submit(record=world.record(number), by=by)
    services.record_approve(record=world.record(number), by=world.reviewer)
    return services.record_publish(record=world.record(number), by=world.reviewer)
