import sys

# pytest keeps each test module's rewritten form (its asserts explained) in __pycache__, so a second run
# starts in seconds instead of rewriting all of them again; an environment with PYTHONDONTWRITEBYTECODE set
# (as some containers are) would turn that cache off for every run.
sys.dont_write_bytecode = False

import hashlib
import io
import json
import logging
import logging.config
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from accounts import roles
from initiatives import services
from initiatives.opendata.importer import import_program
from tests import snapshots
from tests.factories import (
    DepartmentFactory,
    InitiativeFactory,
    ProgramFactory,
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
SLOW_FIXTURES = {
    "fixture_document", "real_program", "published_program", "real_cycle", "synthetic_cycle", "page", "browser"
}


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


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language (Japanese): a request in English before it, in the same worker,
    leaves English active in the thread (LocaleMiddleware activates the request's language and keeps it)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def json_log():
    """What LOGGING's stderr handler writes during the test, as REFORMTRACKER_LOG_FORMAT=json writes it: a function
    that returns the lines so far, each parsed with json.loads."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "stderr")
    formatter = logging.config.DictConfigurator({}).configure_formatter(dict(settings.LOGGING["formatters"]["json"]))
    buffer, previous_formatter = io.StringIO(), handler.formatter
    previous_stream = handler.setStream(buffer)
    handler.setFormatter(formatter)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
    handler.setStream(previous_stream)
    handler.setFormatter(previous_formatter)


@contextmanager
def module_data(django_db_blocker):
    """Data that a module's tests share, built once: inside a transaction that is rolled back after the
    module, each test running in its own savepoint within it (as Django's setUpTestData). Mark the module
    with an xdist group, so that one worker builds it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def read_fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def fixture_document():
    """The shipped fixture: the city's report as data."""
    return read_fixture()


@pytest.fixture
def real_program(db, fixture_document):
    """The 54 initiatives and the ledger of the city's report, loaded as `make run` loads them."""
    return snapshots.replayed("real_program") or import_program(fixture_document)


# --- staff and a small program with an open cycle --------------------------------

def create_user(username, *, role=None, departments=(), **extra):
    roles.ensure_roles()
    user = UserFactory(username=username, is_staff=True, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    for department in departments:
        department.members.add(user)
    return user


def create_reviewer():
    return create_user("reviewer", role=roles.REVIEWER)


@pytest.fixture
def make_user(db):
    return create_user


@pytest.fixture
def reviewer(make_user):
    return create_reviewer()


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
    FY2024 and FY2025 for initiatives 1 and 2, FY2024 and FY2026 for initiative 3 (nothing in FY2025)."""
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
        ScheduleStepFactory(initiative=initiative, fiscal_year=2025 if number != 3 else 2026, step="実施")
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



def add_program(world, *, name: str, short_name: str, numbers: dict, statuses=None):
    """A program beside `world`'s, its 令和7年度当初 released (FY2024, imported) and 令和8年度当初 (FY2025) open.
    `numbers`: item number → its departments; `statuses`: its own (code, label, needs_reason), else the reform five."""
    from programs.models import ProgramStatus

    program = ProgramFactory(name=name, short_name=short_name, has_ledger=False, fiscal_target_thousand_yen=None,
                             status_codes="" if statuses else None)
    for order, (code, label, needs_reason) in enumerate(statuses or [], start=1):
        ProgramStatus.objects.create(program=program, code=code, label=label, order=order, severity=order,
                                     needs_reason=needs_reason)
    program.__dict__.pop("_vocabulary", None)
    pillar = PillarFactory(perspective__program=program, program=program, numeral="1", name=f"{short_name}の柱")
    for number, departments in numbers.items():
        initiative = InitiativeFactory(pillar=pillar, number=number, name=f"{short_name}の取組{number}", next_steps="予定")
        for order, department in enumerate(departments):
            ResponsibilityFactory(initiative=initiative, department=department, order=order)
        YearlyRecordFactory(initiative=initiative, fiscal_year=2024, status=statuses[0][0] if statuses else "on_schedule")
    released = services.cycle_release_imported(program=program, by=world.reviewer)
    cycle = services.cycle_open(program=program, fiscal_year=2025, by=world.reviewer)
    return program, released, cycle


@pytest.fixture
def three_programs(world):
    """`world` (its program's short name 行革) and two more programs, each with 令和7年度当初 released and
    令和8年度当初 open, so that every cycle's name is shared by three programs:
    the strategy (総合戦略): 7 土木部's, 8 総務部's; the dX program, with statuses of its own (未着手, 取組中,
    遅延 needing a reason): 1 総務部's only (土木部 has nothing in it)."""
    world.program.short_name = "行革"
    world.program.save()
    world.strategy, world.strategy_released, world.strategy_cycle = add_program(
        world, name="まち・ひと・しごと創生総合戦略", short_name="総合戦略", numbers={7: [world.doboku], 8: [world.somu]}
    )
    world.dx, world.dx_released, world.dx_cycle = add_program(
        world, name="旭川市DX推進方針", short_name="dX", numbers={1: [world.somu]},
        statuses=[("todo", "未着手", False), ("doing", "取組中", False), ("late", "遅延", True)],
    )
    return world


def release_imported(program, reviewer):
    services.cycle_release_imported(program=program, by=reviewer)
    return program


@pytest.fixture
def published_program(real_program, reviewer):
    """The real program as `make run` has it: the report published as 令和7年度当初 (closed), no newer cycle."""
    return snapshots.replayed("published_program", reviewer=reviewer, on=real_program) or release_imported(
        real_program, reviewer
    )


# --- the data sets above, built once per session (tests/snapshots.py) --------------------------------

def _synthetic_cycle(_base, reviewer):
    from tests.reports.conftest import publish_program
    from tests.reports.synthetic import document

    return publish_program(import_program(document()), reviewer)


DATA_SETS = [
    snapshots.DataSet("real_program", build=lambda _base, _reviewer: import_program(read_fixture())),
    snapshots.DataSet(
        "published_program", on="real_program", prepare=lambda _program: create_reviewer(), build=release_imported
    ),
    snapshots.DataSet("synthetic_cycle", prepare=lambda _base: create_reviewer(), build=_synthetic_cycle),
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """The test databases, and the data sets the session's tests use, each built once (tests/snapshots.py)."""
    used = set().union(*(getattr(item, "fixturenames", ()) for item in request.session.items))
    wanted = [d for d in DATA_SETS if d.name in used]  # published_program uses real_program: both are wanted
    with django_db_blocker.unblock():
        snapshots.recorded.update(snapshots.record(wanted))


# --- PDF layout once per distinct document ----------------------------------------------------------

class _LaidOutOnce:
    """Stands in for weasyprint's HTML and CSS in reports/pdf.py: the report's HTML and stylesheet are still
    rendered by each test, but WeasyPrint lays out a given document (same HTML, base URL and stylesheets) once
    per session, and every test that builds that document gets those bytes. Laying out the city's 54
    initiatives takes seconds, and a dozen tests build that same report."""

    documents: dict = {}

    def __init__(self, cls, *args, **kwargs):
        self.cls, self.args, self.kwargs = cls, args, kwargs

    def key(self) -> tuple:
        arguments = {name: value for name, value in self.kwargs.items() if name != "font_config"}
        return self.cls.__name__, self.args, tuple(sorted(arguments.items()))

    def real(self):
        return self.cls(*self.args, **self.kwargs)

    def _document_key(self, method: str, args, kwargs, stylesheets) -> str:
        return hashlib.sha256(
            repr((method, self.key(), args, sorted((n, v) for n, v in kwargs.items() if n != "font_config"),
                  [s.key() for s in stylesheets])).encode()
        ).hexdigest()

    def render(self, *args, stylesheets=(), **kwargs):
        """The laid-out document (pages and boxes), laid out once; writing it is remembered too."""
        key = self._document_key("render", args, kwargs, stylesheets)
        if key not in self.documents:
            self.documents[key] = _WrittenOnce(self.real().render(*args, stylesheets=[s.real() for s in stylesheets], **kwargs))
        return self.documents[key]

    def write_pdf(self, *args, stylesheets=(), **kwargs):
        key = self._document_key("write_pdf", args, kwargs, stylesheets)
        if key not in self.documents:
            self.documents[key] = self.real().write_pdf(*args, stylesheets=[s.real() for s in stylesheets], **kwargs)
        return self.documents[key]


class _WrittenOnce:
    """A laid-out WeasyPrint Document whose PDF, for given options, is written once."""

    def __init__(self, document):
        self.document, self.written = document, {}

    def __getattr__(self, name):
        return getattr(self.document, name)

    def write_pdf(self, *args, **kwargs):
        key = repr((args, sorted(kwargs.items())))
        if key not in self.written:
            self.written[key] = self.document.write_pdf(*args, **kwargs)
        return self.written[key]


@pytest.fixture(scope="session", autouse=True)
def _pdf_laid_out_once_per_document():
    import weasyprint

    from reports import pdf

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "HTML", lambda *args, **kwargs: _LaidOutOnce(weasyprint.HTML, *args, **kwargs))
        patch.setattr(pdf, "CSS", lambda *args, **kwargs: _LaidOutOnce(weasyprint.CSS, *args, **kwargs))
        yield
