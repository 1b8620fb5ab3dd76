"""The program summary, by the report's rule; on the real data it must equal page 1 of the report."""
import pytest

from programs.statuses import Status
from initiatives.selectors import format_percent, program_summary
from tests.factories import DepartmentStatusFactory, InitiativeFactory, PillarFactory, YearlyRecordFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "count, denominator, text",
    [(50, 54, "92.6%"), (4, 54, "7.41%"), (0, 54, "0.00%"), (54, 54, "100%"), (1, 3, "33.3%"), (1, 0, "－")],
)
def test_percentages_have_three_significant_figures_as_in_the_report(count, denominator, text):
    assert format_percent(count, denominator) == text


def test_not_yet_due_and_infeasible_are_left_out_of_the_denominator():
    pillar = PillarFactory()
    for status in [Status.ON_SCHEDULE, Status.ON_SCHEDULE, Status.BEHIND, Status.NOT_YET_DUE, Status.INFEASIBLE]:
        YearlyRecordFactory(initiative=InitiativeFactory(pillar=pillar), status=status, delay_reason="理由")
    summary = program_summary(pillar.program, 2024)
    assert summary.total.initiatives == 5
    assert summary.total.denominator == 3
    assert summary.total.percent(Status.ON_SCHEDULE) == "66.7%"
    assert summary.total.percent(Status.BEHIND) == "33.3%"
    assert summary.total.percent(Status.NOT_YET_DUE) is None


def test_split_status_initiative_counts_once_as_behind():
    split = DepartmentStatusFactory(record__status=Status.ON_SCHEDULE, record__delay_reason="理由")
    summary = program_summary(split.record.initiative.program, 2024)
    assert summary.total.initiatives == 1
    assert summary.total.counts[Status.BEHIND] == 1
    assert summary.total.counts[Status.ON_SCHEDULE] == 0


def test_initiative_without_a_record_for_the_year_is_counted_as_not_reported():
    record = YearlyRecordFactory(fiscal_year=2024)
    InitiativeFactory(pillar=record.initiative.pillar)
    summary = program_summary(record.initiative.program, 2024)
    assert summary.total.initiatives == 2
    assert summary.total.not_reported == 1
    assert summary.total.denominator == 1


def test_summary_defaults_to_the_latest_reported_year():
    record = YearlyRecordFactory(fiscal_year=2025)
    assert program_summary(record.initiative.program).fiscal_year == 2025


# --- the real data ------------------------------------------------------------

PAGE_ONE = {
    # numeral: (initiatives, implemented, on_schedule, behind, not_yet_due, infeasible)
    "Ⅰ": (6, 0, 6, 0, 0, 0),
    "Ⅱ": (9, 0, 9, 0, 0, 0),
    "Ⅲ": (11, 0, 11, 0, 0, 0),
    "Ⅳ": (15, 0, 14, 1, 0, 0),
    "Ⅴ": (2, 0, 1, 1, 0, 0),
    "Ⅵ": (11, 0, 9, 2, 0, 0),
}
ORDER = [Status.IMPLEMENTED, Status.ON_SCHEDULE, Status.BEHIND, Status.NOT_YET_DUE, Status.INFEASIBLE]


def test_summary_per_pillar_equals_page_one_of_the_report(real_program):
    summary = program_summary(real_program)
    assert summary.fiscal_year == 2024
    assert [row.pillar.name for row in summary.rows] == [
        "働きがい改革に向けた組織マネジメントと人材育成",
        "誰一人取り残さないDXの実現",
        "健全な財政運営のための歳入確保",
        "持続可能な行政サービスに向けた歳出削減",
        "新しい時代に向けた公営企業等の経営",
        "多様な主体との連携・協働",
    ]
    for row in summary.rows:
        assert (row.initiatives, *(row.counts[s] for s in ORDER)) == PAGE_ONE[row.pillar.numeral]


def test_summary_total_equals_page_one_of_the_report(real_program):
    total = program_summary(real_program).total
    assert total.initiatives == 54
    assert [total.counts[s] for s in ORDER] == [0, 50, 4, 0, 0]
    assert total.percent(Status.IMPLEMENTED) == "0.00%"
    assert total.percent(Status.ON_SCHEDULE) == "92.6%"
    assert total.percent(Status.BEHIND) == "7.41%"
    assert total.not_reported == 0


def test_the_four_behind_are_the_reports(real_program):
    records = real_program.initiatives.model.objects.for_program(real_program).with_years()
    behind = sorted(i.number for i in records if i.years.all()[0].effective_status == Status.BEHIND)
    assert behind == [30, 42, 49, 52]


def test_published_summary_counts_one_cycles_published_versions_only(world):
    from initiatives import services
    from initiatives.selectors import published_summary

    released = published_summary(world.program)  # the released report: 令和7年度当初
    assert (released.fiscal_year, released.total.counts[Status.ON_SCHEDULE], released.total.not_reported) == (2024, 3, 0)
    assert published_summary(world.program, world.cycle).total.not_reported == 3
    services.record_update(record=world.record(2), by=world.reviewer,
                           data={"result": "実施", "status": Status.BEHIND, "delay_reason": "理由", "plan": "実施"})
    record = services.record_approve(record=services.record_submit(record=world.record(2), by=world.reviewer), by=world.reviewer)
    services.record_publish(record=record, by=world.reviewer)
    summary = published_summary(world.program, world.cycle)
    assert summary.total.counts[Status.BEHIND] == 1
    assert summary.total.not_reported == 2
    # a preliminary publication does not change the released report
    assert published_summary(world.program).total.counts == released.total.counts
    # a later, unpublished edit does not change what citizens see
    services.record_update(record=world.record(2), by=world.reviewer, data={"status": Status.ON_SCHEDULE, "delay_reason": ""})
    assert published_summary(world.program, world.cycle).total.counts[Status.BEHIND] == 1


def test_working_summary_counts_unreported_records_apart(world):
    from initiatives.selectors import program_summary

    summary = program_summary(world.program, 2025)
    assert summary.total.not_reported == 3
    assert sum(summary.total.counts.values()) == 0
