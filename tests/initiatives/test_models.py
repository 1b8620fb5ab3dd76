import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programs.statuses import Status
from programs.models import ProgramStatus
from tests.factories import (
    DepartmentStatusFactory,
    InitiativeFactory,
    PillarFactory,
    ResponsibilityFactory,
    YearlyRecordFactory,
)

pytestmark = pytest.mark.django_db


def test_number_is_unique_within_a_program():
    first = InitiativeFactory(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        InitiativeFactory(number=1, pillar=first.pillar)


def test_same_number_in_another_program_is_allowed():
    InitiativeFactory(number=1)
    InitiativeFactory(number=1)  # a new pillar, hence a new program


def test_one_record_per_initiative_and_year():
    record = YearlyRecordFactory(fiscal_year=2024)
    with pytest.raises(IntegrityError), transaction.atomic():
        YearlyRecordFactory(initiative=record.initiative, fiscal_year=2024)


def test_secured_amount_cannot_be_negative_in_the_database():
    record = YearlyRecordFactory()
    record.secured_amount_thousand_yen = -1
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()


@pytest.mark.parametrize("status", [Status.BEHIND, Status.INFEASIBLE])
def test_reason_is_required_when_behind_or_infeasible(status):
    record = YearlyRecordFactory.build(initiative=InitiativeFactory(), status=status, delay_reason="  ")
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert "理由を入力してください" in error.value.message_dict["delay_reason"][0]


def test_a_programs_own_status_needing_a_reason_requires_one():
    record = YearlyRecordFactory.build(initiative=InitiativeFactory(), status="stalled", delay_reason="")
    ProgramStatus.objects.create(program=record.initiative.program, code="stalled", label="停滞", order=9, severity=9,
                                 needs_reason=True)
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert "「停滞」のときは、理由を入力してください" in error.value.message_dict["delay_reason"][0]


def test_on_schedule_needs_no_reason():
    record = YearlyRecordFactory.build(initiative=InitiativeFactory(), status=Status.ON_SCHEDULE, delay_reason="")
    record.full_clean()


def test_fiscal_year_must_lie_in_the_program_period():
    record = YearlyRecordFactory.build(initiative=InitiativeFactory(), fiscal_year=2028)
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert "令和6年度〜令和9年度" in error.value.message_dict["fiscal_year"][0]


def test_pillar_must_belong_to_the_same_program():
    initiative = InitiativeFactory()
    initiative.pillar = PillarFactory()
    with pytest.raises(ValidationError):
        initiative.full_clean()


def test_split_status_counts_as_behind():
    split = DepartmentStatusFactory(record__status=Status.ON_SCHEDULE, record__delay_reason="補助金の充当率が低いため。")
    assert split.record.effective_status == Status.BEHIND
    assert split.record.status_notes == f"予定どおり進んでいる / 予定より遅れている（{split.label}）"


def test_department_status_must_name_a_responsible_department():
    record = YearlyRecordFactory(delay_reason="理由")
    split = DepartmentStatusFactory.build(record=record, department=ResponsibilityFactory().department)
    split.department.save()
    with pytest.raises(ValidationError) as error:
        split.full_clean()
    assert "所管する部局" in error.value.message_dict["department"][0]


def test_departments_display_as_printed():
    responsibility = ResponsibilityFactory(department__name="総務部")
    responsibility.divisions.create(department=responsibility.department, name="人事課", through_defaults={"order": 1})
    responsibility.divisions.create(department=responsibility.department, name="職員厚生課", through_defaults={"order": 2})
    assert responsibility.initiative.departments_display == ["総務部（人事課・職員厚生課）"]
