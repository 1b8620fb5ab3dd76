"""A cycle's dates keep the precision of their source: a report dated 令和7年1月 by its document shows the month,
for ever; a date the office sets (a later cycle's release) is a day. Two cycles of one program, and a second program."""
import datetime

import pytest
from django.utils import translation

from initiatives import services
from initiatives.opendata.export import export_published_program
from programs.models import DatePrecision, ReportingCycle
from tests.factories import InitiativeFactory, PillarFactory, ProgramFactory, YearlyRecordFactory

pytestmark = pytest.mark.django_db


def program_with_one_item(**fields):
    program = ProgramFactory(status_codes="", has_ledger=False, fiscal_target_thousand_yen=None, **fields)
    initiative = InitiativeFactory(pillar=PillarFactory(perspective__program=program), number=1)
    YearlyRecordFactory(initiative=initiative, fiscal_year=2024, plan="検討", result="", status="")
    return program


def test_the_documents_month_stays_a_month_and_a_later_release_is_a_day(reviewer):
    program = program_with_one_item(as_of=datetime.date(2025, 1, 1), as_of_label="令和7年1月", as_of_precision=DatePrecision.MONTH)
    first = services.cycle_release_imported(program=program, by=reviewer, fiscal_year=2024)
    second = services.cycle_open(program=program, fiscal_year=2025, by=reviewer, label="令和7年度")
    second.records.update(plan="実施")
    services.cycle_publish_all(cycle=second, by=reviewer)
    services.cycle_close(cycle=second, by=reviewer)
    services.cycle_release(cycle=second, by=reviewer, released_on=datetime.date(2026, 4, 1))

    program.as_of_precision = DatePrecision.DAY  # a later edit of the program changes no released report
    program.save()
    first, second = (ReportingCycle.objects.get(pk=cycle.pk) for cycle in (first, second))
    assert (first.display_as_of, first.display_date(first.released_on)) == ("令和7年1月", "令和7年1月")
    assert second.display_as_of == "令和8年4月1日"
    with translation.override("en"):
        assert first.display_as_of == "January 2025"
    dated = [export_published_program(program, cycle)["program"] for cycle in (first, second)]
    assert [(d["as_of"], d["as_of_precision"]) for d in dated] == [("2025-01-01", "month"), ("2026-04-01", "day")]

    other = program_with_one_item(name="日付のある計画", as_of=datetime.date(2025, 4, 1))
    reported = services.cycle_release_imported(program=other, by=reviewer, fiscal_year=2024)
    assert reported.display_as_of == "令和7年4月1日"
