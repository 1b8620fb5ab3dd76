"""The year-after-year migrations carry a first-version database over without inventing anything."""
import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

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
