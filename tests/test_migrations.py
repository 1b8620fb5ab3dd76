"""The year-after-year migrations carry a first-version database over without inventing anything."""
import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]  # each migrates a database back and forth

BEFORE = [("programs", "0001_initial"), ("initiatives", "0002_publication_number_indexes")]
AFTER = [("programs", "0002_cycle_texts_and_release"), ("initiatives", "0003_cycles_and_schedule")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_migrations():
    """Going back to the first version unapplies every later migration; the tests after this one need them all."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_first_version_database_is_carried_over():
    old = migrate(BEFORE)
    Program = old.get_model("programs", "Program")
    Perspective = old.get_model("programs", "Perspective")
    Pillar = old.get_model("programs", "Pillar")
    Cycle = old.get_model("programs", "ReportingCycle")
    Initiative = old.get_model("initiatives", "Initiative")
    Record = old.get_model("initiatives", "YearlyRecord")
    Version = old.get_model("initiatives", "PublishedVersion")
    program = Program.objects.create(
        name="移行テスト", start_fiscal_year=2024, end_fiscal_year=2027, fiscal_target_thousand_yen=100,
        as_of=datetime.date(2025, 4, 1), as_of_label="令和7年度当初", introduction="前文",
    )
    perspective = Perspective.objects.create(program=program, order=1, name="視点")
    pillar = Pillar.objects.create(program=program, perspective=perspective, numeral="Ⅰ", order=1, name="柱")
    reported = Cycle.objects.create(program=program, fiscal_year=2024, label="令和7年度当初", state="closed")
    Cycle.objects.create(program=program, fiscal_year=2025, label="令和8年度当初", state="open")
    initiative = Initiative.objects.create(program=program, number=1, name="取組", pillar=pillar)
    Record.objects.create(initiative=initiative, fiscal_year=2024, schedule_step="検討", plan="検討", result="実施",
                          status="on_schedule", workflow_state="published")
    # what the first version's cycle_open left: the step and the status carried forward, nobody reported
    Record.objects.create(initiative=initiative, fiscal_year=2025, schedule_step="検討", status="on_schedule",
                          workflow_state="not_started")
    Version.objects.create(initiative=initiative, cycle=reported, data={}, number=1, name="取組", pillar=pillar,
                           status="on_schedule")

    new = migrate(AFTER)
    Cycle = new.get_model("programs", "ReportingCycle")
    Record = new.get_model("initiatives", "YearlyRecord")
    Step = new.get_model("initiatives", "ScheduleStep")
    released = Cycle.objects.get(label="令和7年度当初")
    assert (released.state, released.released_on, released.introduction) == ("released", datetime.date(2025, 4, 1), "前文")
    assert Cycle.objects.get(label="令和8年度当初").state == "open"
    assert list(Step.objects.values_list("fiscal_year", "step")) == [(2024, "検討")]
    fy2024, fy2025 = Record.objects.order_by("fiscal_year")
    assert (fy2024.cycle_id, fy2024.status) == (released.pk, "on_schedule")
    assert fy2025.status == ""  # 未報告: the carried-forward status is gone
    assert fy2025.cycle.label == "令和8年度当初"


LEDGER_BEFORE = [("programs", "0002_cycle_texts_and_release"), ("finance", "0001_initial")]
LEDGER_AFTER = [("finance", "0004_ledger_entry_statement_required")]


def test_an_existing_ledger_becomes_each_reports_statement():
    """The city's data as the first versions stored it: the report's cumulative figure under FY2025 with a note
    saying so; a released 令和7年度当初 and an open 令和8年度当初 with a FY2026 amount prepared for it."""
    old = migrate(LEDGER_BEFORE)
    Program = old.get_model("programs", "Program")
    Cycle = old.get_model("programs", "ReportingCycle")
    Category = old.get_model("finance", "LedgerCategory")
    Entry = old.get_model("finance", "LedgerEntry")
    program = Program.objects.create(
        name="移行テスト（財源）", start_fiscal_year=2024, end_fiscal_year=2027, fiscal_target_thousand_yen=100,
        as_of=datetime.date(2025, 4, 1), as_of_label="令和7年度当初",
    )
    Cycle.objects.create(program=program, fiscal_year=2024, label="令和7年度当初", state="released",
                         released_on=datetime.date(2025, 4, 1))
    Cycle.objects.create(program=program, fiscal_year=2025, label="令和8年度当初", state="open")
    works = Category.objects.create(program=program, group="expenditure", order=1, name="公共事業等の抑制",
                                    target_thousand_yen=520_000)
    staff = Category.objects.create(program=program, group="expenditure", order=2, name="人件費の削減",
                                    target_thousand_yen=800_000)
    Entry.objects.create(category=works, fiscal_year=2025, secured_thousand_yen=1_010_000,
                         note="令和6年度・令和7年度当初予算の合算（報告書は令和7年度当初までの累計のみを掲載）")
    Entry.objects.create(category=staff, fiscal_year=2024, secured_thousand_yen=123_456, note="")
    Entry.objects.create(category=staff, fiscal_year=2026, secured_thousand_yen=1, note="見込み")

    new = migrate(LEDGER_AFTER)
    Statement = new.get_model("finance", "LedgerStatement")
    Entry = new.get_model("finance", "LedgerEntry")
    released, prepared = Statement.objects.filter(program_id=program.pk).order_by("budget_fiscal_year")
    assert (released.budget_fiscal_year, released.state) == (2025, "confirmed")
    assert (prepared.budget_fiscal_year, prepared.state) == (2026, "draft")
    figures = lambda statement: sorted(  # noqa: E731
        Entry.objects.filter(statement=statement).values_list("category__name", "fiscal_year", "secured_thousand_yen", "unit")
    )
    # the report's figure is what it is: the cumulative amount to 令和7年度当初, in 億円
    assert figures(released) == [("人件費の削減", 2024, 123_456, "thousand_yen"), ("公共事業等の抑制", None, 1_010_000, "oku_yen")]
    # the open cycle's draft keeps what the old ledger summed for it
    assert figures(prepared) == [
        ("人件費の削減", 2024, 123_456, "thousand_yen"), ("人件費の削減", 2026, 1, "thousand_yen"),
        ("公共事業等の抑制", 2025, 1_010_000, "thousand_yen"),
    ]


def test_cycles_released_before_public_at_existed_stay_public():
    """Two programs' cycles: released ones are public from when they were released (else from 0:00 Japan time of
    their 公表日); the others are not public."""
    old = migrate([("programs", "0007_program_slug_reserved")])
    Program = old.get_model("programs", "Program")
    Cycle = old.get_model("programs", "ReportingCycle")
    released_at = datetime.datetime(2025, 4, 1, 9, 30, tzinfo=datetime.UTC)
    cycles = {}
    for slug in ("iko-a", "iko-b"):
        program = Program.objects.create(
            name=f"移行テスト{slug}", slug=slug, start_fiscal_year=2024, end_fiscal_year=2027, has_ledger=False,
            as_of=datetime.date(2025, 4, 1), as_of_label="令和7年度当初",
        )
        cycles[slug, "released"] = Cycle.objects.create(
            program=program, fiscal_year=2024, label="令和7年度当初", state="released",
            released_on=datetime.date(2025, 4, 1), released_at=released_at if slug == "iko-a" else None,
        )
        cycles[slug, "open"] = Cycle.objects.create(program=program, fiscal_year=2025, label="令和8年度当初", state="open")

    new = migrate([("programs", "0009_cycle_public_at")])
    public_at = dict(new.get_model("programs", "ReportingCycle").objects.values_list("pk", "public_at"))
    assert public_at[cycles["iko-a", "released"].pk] == released_at
    assert public_at[cycles["iko-b", "released"].pk] == datetime.datetime(2025, 3, 31, 15, tzinfo=datetime.UTC)
    assert public_at[cycles["iko-a", "open"].pk] is None and public_at[cycles["iko-b", "open"].pk] is None


def test_only_empty_statements_of_programs_without_a_ledger_are_removed():
    """Two programs, two cycles each: the program without a ledger loses its empty statements, released or not;
    the ledger program keeps its statements, empty or not, and a statement holding a figure is never removed."""
    old = migrate([("finance", "0005_release_keeps_frame"), ("programs", "0010_program_statuses")])
    Program = old.get_model("programs", "Program")
    Cycle = old.get_model("programs", "ReportingCycle")
    Statement = old.get_model("finance", "LedgerStatement")
    Category = old.get_model("finance", "LedgerCategory")
    Entry = old.get_model("finance", "LedgerEntry")
    statements = {}
    for slug, has_ledger in (("with-ledger", True), ("no-ledger", False)):
        program = Program.objects.create(
            name=f"移行テスト{slug}", slug=slug, start_fiscal_year=2024, end_fiscal_year=2027, has_ledger=has_ledger,
            fiscal_target_thousand_yen=1_000 if has_ledger else None,
            as_of=datetime.date(2025, 4, 1), as_of_label="令和7年度当初",
        )
        Cycle.objects.create(program=program, fiscal_year=2024, label="令和7年度当初", state="released",
                             released_on=datetime.date(2025, 4, 1))
        Cycle.objects.create(program=program, fiscal_year=2025, label="令和8年度当初", state="open")
        statements[slug, "released"] = Statement.objects.create(program=program, budget_fiscal_year=2025, released_categories=[])
        statements[slug, "open"] = Statement.objects.create(program=program, budget_fiscal_year=2026)
        statements[slug, "stated"] = Statement.objects.create(program=program, budget_fiscal_year=2027)
        category = Category.objects.create(program=program, group="revenue", order=1, name="項目", target_thousand_yen=1_000)
        Entry.objects.create(statement=statements[slug, "stated"], category=category, secured_thousand_yen=5)

    new = migrate([("finance", "0006_facts_statements_only_with_a_ledger"), ("programs", "0010_program_statuses")])
    left = set(new.get_model("finance", "LedgerStatement").objects.values_list("pk", flat=True))
    assert left == {statements[key].pk for key in statements if key[0] == "with-ledger" or key[1] == "stated"}
