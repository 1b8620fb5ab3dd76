import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from initiatives import roles, services
from initiatives.opendata import import_program
from tests.factories import (
    DepartmentFactory,
    InitiativeFactory,
    PillarFactory,
    ResponsibilityFactory,
    ScheduleStepFactory,
    UserFactory,
    YearlyRecordFactory,
)

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "asahikawa_2024.json"

# Tests that load the full data set (54 initiatives, or the synthetic program) or drive a
# browser take seconds each: they are marked `slow`, so `pytest -m "not slow"` runs the rest
# in seconds. `make test` runs everything.
SLOW_FIXTURES = {"fixture_document", "real_program", "published_program", "real_cycle", "synthetic_cycle", "page", "browser"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a test's data is rolled back, its cached pages must go too."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fixture_document():
    """The shipped fixture: the city's report as data."""
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def real_program(db, fixture_document):
    """The 54 initiatives and the ledger of the city's report, loaded as `make run` loads them."""
    return import_program(fixture_document)


# --- staff and a small program with an open cycle --------------------------------

@pytest.fixture
def make_user(db):
    def make(username, *, role=None, departments=(), **extra):
        roles.ensure_roles()
        user = UserFactory(username=username, is_staff=True, **extra)
        if role:
            user.groups.add(Group.objects.get(name=role))
        for department in departments:
            department.members.add(user)
        return user

    return make


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", role=roles.REVIEWER)


@pytest.fixture
def finance(make_user):
    """財政課: enters and confirms each report's ledger figures."""
    return make_user("finance", role=roles.FINANCE)


def enter_ledger(cycle, by, figures: dict, *, unit="thousand_yen", confirm=True):
    """財政課 enters the cycle's ledger figures ({category name: cumulative amount in 千円}) and confirms them."""
    from finance import services as ledger_services
    from finance.models import LedgerEntry, LedgerStatement

    statement = LedgerStatement.objects.for_cycle(cycle) or ledger_services.ledger_statement_create(
        program=cycle.program, budget_fiscal_year=cycle.budget_fiscal_year, by=by
    )
    for category in cycle.program.ledger_categories.filter(name__in=figures):
        entry = statement.entries.filter(category=category, fiscal_year=None).first() or LedgerEntry(
            statement=statement, category=category
        )
        entry.secured_thousand_yen, entry.unit = figures[category.name], unit
        ledger_services.ledger_entry_save(entry=entry, by=by)
    if confirm:
        ledger_services.ledger_statement_confirm(statement=statement, by=by)
    return statement


@pytest.fixture
def world(db, reviewer, make_user):
    """Two cycles: 令和7年度当初 (FY2024) released, 令和8年度当初 (FY2025) open, its records 未報告.

    Two departments; initiative 1 is 総務部's, 2 is 土木部's, 3 is both. The schedule plans
    FY2024 and FY2025 for initiatives 1 and 2, FY2024 only for initiative 3."""
    somu = DepartmentFactory(name="総務部", order=1)
    doboku = DepartmentFactory(name="土木部", order=2)
    pillar = PillarFactory(numeral="Ⅰ", name="柱Ⅰ")
    initiatives = {}
    for number, departments in [(1, [somu]), (2, [doboku]), (3, [somu, doboku])]:
        initiative = InitiativeFactory(pillar=pillar, number=number, name=f"取組{number}", next_steps="予定")
        for order, department in enumerate(departments):
            ResponsibilityFactory(initiative=initiative, department=department, order=order)
        YearlyRecordFactory(initiative=initiative, fiscal_year=2024, plan="検討", result="実施した")
        ScheduleStepFactory(initiative=initiative, fiscal_year=2024, step="検討")
        if number != 3:
            ScheduleStepFactory(initiative=initiative, fiscal_year=2025, step="実施")
        initiatives[number] = initiative
    released = services.cycle_release_imported(program=pillar.program, by=reviewer)
    cycle = services.cycle_open(program=pillar.program, fiscal_year=2025, by=reviewer)

    class World:
        pass

    w = World()
    w.program, w.cycle, w.released, w.pillar = pillar.program, cycle, released, pillar
    w.somu, w.doboku = somu, doboku
    w.initiatives = initiatives
    w.reviewer = reviewer
    w.editor_somu = make_user("editor-somu", role=roles.EDITOR, departments=[somu])
    w.editor_doboku = make_user("editor-doboku", role=roles.EDITOR, departments=[doboku])
    w.record = lambda number, year=2025: initiatives[number].years.get(fiscal_year=year)
    return w



@pytest.fixture
def published_program(real_program, reviewer):
    """The real program as `make run` has it: the report published as 令和7年度当初 (closed), no newer cycle."""
    services.cycle_release_imported(program=real_program, by=reviewer)
    return real_program
