"""The workflow, publication, cycles and optimistic locking, through the service functions."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from initiatives import services
from tests.reports.conftest import release
from tests import helpers
from initiatives.models import PublishedVersion, WorkflowState, YearlyRecord
from programs.statuses import Status
from programs.models import CycleState

pytestmark = pytest.mark.django_db


def edit(world, number, by, **data):
    record = world.record(number)
    return services.record_update(record=record, by=by, data=data, expected_version=record.version)


REPORTED = {"plan": "計画どおり実施", "result": "実施した", "status": Status.ON_SCHEDULE}


# --- cycles ---------------------------------------------------------------------


def test_opening_a_cycle_creates_each_initiatives_record_unreported_with_nothing_invented(world):
    record = world.record(1)
    assert record.status == ""  # 未報告: no status carried forward or assumed
    assert record.effective_status is None
    assert record.cycle == world.cycle
    assert (record.plan, record.plan_prefilled) == ("実施", True)  # drafted from the FY2025 作業工程 step
    assert record.result == ""
    assert record.workflow_state == WorkflowState.NOT_STARTED
    assert world.cycle.label == "令和8年度当初"
    assert YearlyRecord.objects.filter(fiscal_year=2025).count() == 3
    assert set(YearlyRecord.objects.filter(fiscal_year=2025).values_list("status", flat=True)) == {""}


def test_a_behind_status_is_not_carried_into_the_next_cycle(world):
    release(world.cycle, world.reviewer)
    world.initiatives[2].years.filter(fiscal_year=2024).update(status=Status.BEHIND, delay_reason="遅れ")
    services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer)
    assert world.record(2, 2026).status == ""


def test_a_year_without_a_schedule_step_proposes_not_yet_due_without_storing_it(world):
    record = world.record(3)  # the schedule plans FY2024 and FY2026: the work resumes later
    assert (record.plan, record.plan_prefilled) == ("", False)
    assert record.proposed_status == Status.NOT_YET_DUE
    assert record.status == ""
    assert world.record(1).proposed_status is None


def test_an_unknown_schedule_proposes_nothing(world):
    """No step this year and none later is not a later start (an ongoing initiative whose schedule the
    document leaves empty): nothing is proposed."""
    world.initiatives[3].schedule_steps.filter(fiscal_year=2026).delete()
    assert world.record(3).proposed_status is None
    world.initiatives[3].schedule_steps.all().delete()
    assert world.record(3).proposed_status is None


def test_submission_needs_plan_result_and_status_chosen_by_the_department(world):
    with pytest.raises(ValidationError) as error:
        services.record_submit(record=world.record(1), by=world.editor_somu)
    messages = error.value.message_dict
    assert "進行状況を選んでください" in messages["status"][0]
    assert "実績を入力してください" in messages["result"][0]
    assert world.record(1).workflow_state == WorkflowState.NOT_STARTED
    edit(world, 1, world.editor_somu, result="実施した", status=Status.ON_SCHEDULE)
    assert services.record_submit(record=world.record(1), by=world.editor_somu).workflow_state == WorkflowState.SUBMITTED


def test_a_prefilled_plan_must_be_saved_by_the_department_before_submission(world):
    record = world.record(1)
    YearlyRecord.objects.filter(pk=record.pk).update(result="実施した", status=Status.ON_SCHEDULE)
    with pytest.raises(ValidationError, match="作業工程から自動入力"):
        services.record_submit(record=world.record(1), by=world.editor_somu)
    edit(world, 1, world.editor_somu, plan="実施")  # saving confirms it
    assert world.record(1).plan_prefilled is False
    services.record_submit(record=world.record(1), by=world.editor_somu)


def test_confirmed_not_yet_due_needs_no_plan_or_result(world):
    edit(world, 3, world.editor_somu, status=Status.NOT_YET_DUE)
    assert services.record_submit(record=world.record(3), by=world.editor_somu).workflow_state == WorkflowState.SUBMITTED


def test_only_one_cycle_is_open_at_a_time(world):
    with pytest.raises(ValidationError, match="受付中の報告期があります"):
        services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer)


def test_a_cycle_cannot_be_opened_for_a_year_before_the_newest_cycle(world):
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    with pytest.raises(ValidationError, match="前の年度の報告期は開けません"):
        services.cycle_open(program=world.program, fiscal_year=2025, by=world.reviewer, label="別名")


def test_cycle_year_must_lie_in_the_program(world):
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    with pytest.raises(ValidationError):
        services.cycle_open(program=world.program, fiscal_year=2030, by=world.reviewer)


def test_editor_cannot_open_or_close_cycles(world):
    with pytest.raises(PermissionDenied):
        services.cycle_close(cycle=world.cycle, by=world.editor_somu)
    with pytest.raises(PermissionDenied):
        services.cycle_open(program=world.program, fiscal_year=2026, by=world.editor_somu)


def test_closed_cycle_records_cannot_be_edited(world):
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    world.cycle.refresh_from_db()
    assert world.cycle.state == CycleState.CLOSED
    with pytest.raises(ValidationError, match="締め切られているため編集できません"):
        edit(world, 1, world.editor_somu, result="x")


def test_past_years_cannot_be_edited(world):
    record = world.record(1, 2024)
    with pytest.raises(ValidationError, match="公表済みのため編集できません"):
        services.record_update(record=record, by=world.editor_somu, data={"result": "x"})


# --- editing and permissions ----------------------------------------------------


def test_editor_edits_own_departments_record_which_becomes_a_draft(world):
    record = edit(world, 1, world.editor_somu, plan="試行", result="試行した", secured_amount_thousand_yen=120)
    assert record.workflow_state == WorkflowState.DRAFT
    assert (record.plan, record.result, record.secured_amount_thousand_yen) == ("試行", "試行した", 120)
    assert record.version == 2


def test_editor_cannot_edit_other_departments_initiative(world):
    with pytest.raises(PermissionDenied):
        edit(world, 2, world.editor_somu, result="勝手に")
    assert world.record(2).result == ""


def test_editor_of_either_department_may_edit_a_shared_initiative(world):
    edit(world, 3, world.editor_doboku, result="土木部が記入")
    assert world.record(3).result == "土木部が記入"


def test_editor_cannot_change_structural_fields_through_the_service(world):
    with pytest.raises(ValidationError, match="編集できない項目"):
        edit(world, 1, world.editor_somu, fiscal_year=2026)


def test_editor_may_change_only_next_steps_of_the_initiative(world):
    initiative = world.initiatives[1]
    with pytest.raises(PermissionDenied):
        services.initiative_update(initiative=initiative, by=world.editor_somu, data={"name": "改名"})
    services.initiative_update(initiative=initiative, by=world.editor_somu, data={"next_steps": "新しい予定"})
    initiative.refresh_from_db()
    assert (initiative.name, initiative.next_steps) == ("取組1", "新しい予定")


def test_reason_is_required_when_behind(world):
    with pytest.raises(ValidationError) as error:
        edit(world, 1, world.editor_somu, status=Status.BEHIND)
    assert "理由を入力してください" in str(error.value)
    assert world.record(1).status == ""


# --- optimistic locking ----------------------------------------------------------


def test_second_save_from_a_stale_copy_is_refused_and_shows_the_other_change(world):
    stale = world.record(3)
    edit(world, 3, world.editor_somu, result="総務部の記入")
    with pytest.raises(services.ConcurrentEditError) as error:
        services.record_update(record=stale, by=world.editor_doboku, data={"result": "土木部の記入"},
                               expected_version=stale.version)
    assert world.record(3).result == "総務部の記入"
    change = error.value.changes[0]
    assert (str(change["field"]), change["old"], change["new"], change["by"]) == ("実績", "", "総務部の記入", "editor-somu")


# --- workflow -------------------------------------------------------------------


def test_the_whole_workflow_draft_submit_return_fix_approve_publish(world):
    edit(world, 1, world.editor_somu, plan="試行", result="途中", status=Status.BEHIND, delay_reason="調整に時間を要したため。")
    record = services.record_submit(record=world.record(1), by=world.editor_somu)
    assert record.workflow_state == WorkflowState.SUBMITTED
    record = services.record_return(record=record, by=world.reviewer, comment="実績を具体的に書いてください。")
    assert (record.workflow_state, record.review_comment) == (WorkflowState.RETURNED, "実績を具体的に書いてください。")
    edit(world, 1, world.editor_somu, result="説明会を3回開催した。")
    record = services.record_submit(record=world.record(1), by=world.editor_somu)
    record = services.record_approve(record=record, by=world.reviewer)
    assert record.workflow_state == WorkflowState.APPROVED
    version = services.record_publish(record=record, by=world.reviewer)
    assert world.record(1).workflow_state == WorkflowState.PUBLISHED
    assert version.status == Status.BEHIND
    assert version.data["years"][-1]["result"] == "説明会を3回開催した。"
    reasons = list(world.record(1).history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons[-6:] == ["提出", "差戻し: 実績を具体的に書いてください。", "編集", "提出", "承認", "公開"]


def test_editor_cannot_approve_or_publish_or_return(world):
    edit(world, 1, world.editor_somu, **REPORTED)
    record = services.record_submit(record=world.record(1), by=world.editor_somu)
    for action in (services.record_approve, services.record_publish):
        with pytest.raises(PermissionDenied):
            action(record=record, by=world.editor_somu)
    with pytest.raises(PermissionDenied):
        services.record_return(record=record, by=world.editor_somu, comment="x")


@pytest.mark.parametrize(
    "state, action",
    [
        (WorkflowState.DRAFT, "approve"),
        (WorkflowState.DRAFT, "publish"),
        (WorkflowState.DRAFT, "return"),
        (WorkflowState.SUBMITTED, "publish"),
        (WorkflowState.SUBMITTED, "submit"),
        (WorkflowState.APPROVED, "approve"),
        (WorkflowState.PUBLISHED, "publish"),
    ],
)
def test_illegal_transitions_are_refused(world, state, action):
    YearlyRecord.objects.filter(pk=world.record(1).pk).update(workflow_state=state)
    record = world.record(1)
    call = {
        "submit": lambda: services.record_submit(record=record, by=world.reviewer),
        "approve": lambda: services.record_approve(record=record, by=world.reviewer),
        "publish": lambda: services.record_publish(record=record, by=world.reviewer),
        "return": lambda: services.record_return(record=record, by=world.reviewer, comment="x"),
    }[action]
    with pytest.raises(ValidationError):
        call()
    assert world.record(1).workflow_state == state


def test_return_needs_a_comment(world):
    edit(world, 1, world.editor_somu, **REPORTED)
    record = services.record_submit(record=world.record(1), by=world.editor_somu)
    with pytest.raises(ValidationError, match="コメント"):
        services.record_return(record=record, by=world.reviewer, comment="  ")


def test_submitted_record_cannot_be_edited_until_returned(world):
    edit(world, 1, world.editor_somu, **REPORTED)
    services.record_submit(record=world.record(1), by=world.editor_somu)
    with pytest.raises(ValidationError, match="審査中"):
        edit(world, 1, world.editor_somu, result="x")


def publish(world, number, **data):
    if world.record(number).workflow_state != WorkflowState.APPROVED:
        edit(world, number, world.reviewer, **{**REPORTED, **data})
    return helpers.publish(world, number)


def test_later_edits_start_a_new_draft_while_the_public_keeps_the_published_version(world):
    first = publish(world, 1, result="公開した実績")
    edit(world, 1, world.editor_somu, result="公開前の書きかけ")
    assert world.record(1).workflow_state == WorkflowState.DRAFT
    current = PublishedVersion.objects.current().get(initiative=world.initiatives[1])
    assert current == first
    assert current.data["years"][-1]["result"] == "公開した実績"
    second = publish(world, 1)
    assert PublishedVersion.objects.current().get(initiative=world.initiatives[1]) == second
    assert PublishedVersion.objects.of_cycle(world.cycle).get(initiative=world.initiatives[1]) == second
    first.refresh_from_db()
    assert not first.is_current


def test_closing_a_cycle_keeps_its_published_version_readable(world):
    version = publish(world, 2, result="令和7年度の実績")
    release(world.cycle, world.reviewer)
    next_cycle = services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer)
    record_2026 = world.initiatives[2].years.get(fiscal_year=2026)
    services.record_update(record=record_2026, by=world.editor_doboku, data={"result": "翌年度"})
    assert PublishedVersion.objects.of_cycle(world.cycle).get(initiative=world.initiatives[2]) == version
    assert next_cycle.label == "令和9年度当初"


def test_publish_all_publishes_every_record_of_the_cycle(world):
    for number in (1, 2, 3):
        edit(world, number, world.reviewer, **REPORTED)
    assert services.cycle_publish_all(cycle=world.cycle, by=world.reviewer) == 3
    assert PublishedVersion.objects.of_cycle(world.cycle).count() == 3
    assert PublishedVersion.objects.current().filter(cycle=world.cycle).count() == 3
    assert set(YearlyRecord.objects.filter(fiscal_year=2025).values_list("workflow_state", flat=True)) == {
        WorkflowState.PUBLISHED
    }


# --- publication across cycles ---------------------------------------------------


def test_a_publication_holds_earlier_years_as_published_never_another_years_draft(world):
    # a draft typed into the released FY2024 record behind the services' back never reaches a publication
    YearlyRecord.objects.filter(pk=world.record(1, 2024).pk).update(result="未審査の書きかけ")
    version = publish(world, 1, result="令和7年度の実績")
    years = {y["fiscal_year"]: y for y in version.data["years"]}
    assert years[2024]["result"] == "実施した"  # as published in 令和7年度当初
    assert years[2025]["result"] == "令和7年度の実績"
    assert "未審査の書きかけ" not in version.search_text
    assert [s["fiscal_year"] for s in version.data["schedule"]] == [2024, 2025, 2026, 2027]


def test_a_draft_left_in_a_closed_cycle_never_reaches_a_later_publication(world):
    publish(world, 1)
    publish(world, 2)
    publish(world, 3)
    edit(world, 1, world.editor_somu, plan="試行", result="下書きのまま締め切り", status=Status.ON_SCHEDULE)
    services.cycle_close(cycle=world.cycle, by=world.reviewer)  # a draft may be left: #1 was published before
    services.cycle_release(cycle=world.cycle, by=world.reviewer)
    cycle_2026 = services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer)
    record = world.record(1, 2026)
    services.record_update(record=record, by=world.editor_somu, data={**REPORTED, "result": "令和8年度の実績"})
    services.record_submit(record=world.record(1, 2026), by=world.editor_somu)
    services.record_approve(record=world.record(1, 2026), by=world.reviewer)
    version = services.record_publish(record=world.record(1, 2026), by=world.reviewer)
    assert version.cycle == cycle_2026
    assert {y["fiscal_year"] for y in version.data["years"]} == {2024, 2025, 2026}
    assert "下書きのまま締め切り" not in str(version.data) + version.search_text


def test_closing_is_refused_while_records_wait_for_the_reform_office_and_names_them(world):
    edit(world, 2, world.editor_doboku, **REPORTED)
    services.record_submit(record=world.record(2), by=world.editor_doboku)
    services.record_approve(record=world.record(2), by=world.reviewer)
    edit(world, 1, world.editor_somu, **REPORTED)
    services.record_submit(record=world.record(1), by=world.editor_somu)
    with pytest.raises(ValidationError, match=r"締め切れません（1\. 取組1（提出済み）、2\. 取組2（承認済み））"):
        services.cycle_close(cycle=world.cycle, by=world.reviewer)
    world.cycle.refresh_from_db()
    assert world.cycle.is_open
    services.record_publish(record=world.record(2), by=world.reviewer)
    services.record_return(record=world.record(1), by=world.reviewer, comment="直してください")
    services.cycle_close(cycle=world.cycle, by=world.reviewer)  # a returned record is the department's draft
    with pytest.raises(ValidationError, match="締め切られているため公開できません"):
        services.record_publish(record=world.record(2), by=world.reviewer)
    with pytest.raises(ValidationError, match="締め切られているため提出できません|締め切られているため編集できません"):
        services.record_submit(record=world.record(1), by=world.editor_somu)


def test_the_next_cycle_opens_only_once_the_previous_one_is_released(world):
    """Dead end 1: a closed cycle beside a newer one could never be reopened, so never released."""
    with pytest.raises(ValidationError, match="公表済みのため再開できません"):
        services.cycle_reopen(cycle=world.released, by=world.reviewer)
    edit(world, 2, world.editor_doboku, **REPORTED)
    services.record_submit(record=world.record(2), by=world.editor_doboku)
    services.record_approve(record=world.record(2), by=world.reviewer)
    services.record_publish(record=world.record(2), by=world.reviewer)
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    with pytest.raises(ValidationError, match="報告期「令和8年度当初」がまだ公表されていません"):
        services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer)
    services.cycle_reopen(cycle=world.cycle, by=world.reviewer)  # the path to release stays open
    release(world.cycle, world.reviewer)
    assert services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer).is_open


def test_release_needs_the_cycle_closed_and_every_initiative_published(world):
    publish(world, 1)
    with pytest.raises(ValidationError) as error:
        services.cycle_release(cycle=world.cycle, by=world.reviewer)
    text = " ".join(error.value.messages)
    assert "先に締め切ってください" in text and "管理番号 2、3" in text
    publish(world, 2)
    publish(world, 3)
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    with pytest.raises(PermissionDenied):
        services.cycle_release(cycle=world.cycle, by=world.editor_somu)
    cycle = services.cycle_release(cycle=world.cycle, by=world.reviewer)
    assert cycle.state == CycleState.RELEASED and cycle.released_on is not None
    with pytest.raises(ValidationError, match="公表済みのため変更できません"):
        services.cycle_update(cycle=cycle, by=world.reviewer, data={"introduction": "書き換え"})
    with pytest.raises(ValidationError, match="公表済みのため公開できません|公表済みのため編集できません"):
        edit(world, 1, world.reviewer, result="公表後の変更")


def test_a_new_cycles_introduction_is_drafted_from_the_previous_one(world):
    assert world.released.introduction == "当プログラムの令和７年度当初における取組内容は次のとおりです。"
    assert world.cycle.introduction == "当プログラムの令和８年度当初における取組内容は次のとおりです。"
