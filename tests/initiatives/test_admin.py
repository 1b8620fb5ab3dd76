"""The staff tool through the browser's paths: each role on each path, including URL tampering."""
import pytest
from django.urls import reverse

from initiatives import services
from initiatives.models import Status, WorkflowState

pytestmark = pytest.mark.django_db


def record_url(record, suffix="change"):
    return reverse(f"admin:initiatives_yearlyrecord_{suffix}", args=[record.pk])


def form_data(record, **changes):
    """What the record's change form posts, with `changes` applied."""
    data = {
        "schedule_step": record.schedule_step,
        "plan": record.plan,
        "result": record.result,
        "status": record.status,
        "delay_reason": record.delay_reason,
        "secured_amount_thousand_yen": record.secured_amount_thousand_yen or "",
        "secured_amount_note": record.secured_amount_note,
        "next_steps": record.initiative.next_steps,
        "loaded_version": record.version,
        "loaded_initiative_version": record.initiative.version,
        "department_statuses-TOTAL_FORMS": 0,
        "department_statuses-INITIAL_FORMS": 0,
        "department_statuses-MIN_NUM_FORMS": 0,
        "department_statuses-MAX_NUM_FORMS": 1000,
    }
    data.update(changes)
    return data


def test_editor_list_shows_only_own_departments_initiatives(client, world):
    client.force_login(world.editor_doboku)
    response = client.get(reverse("admin:initiatives_initiative_changelist"))
    assert response.status_code == 200
    numbers = sorted(i.number for i in response.context["cl"].result_list)
    assert numbers == [2, 3]


def test_reviewer_list_shows_everything_with_filters(client, world):
    client.force_login(world.reviewer)
    url = reverse("admin:initiatives_initiative_changelist")
    assert client.get(url).context["cl"].result_count == 3
    services.record_update(record=world.record(2), by=world.reviewer, data={"status": Status.BEHIND, "delay_reason": "理由"})
    assert [i.number for i in client.get(url, {"status": "behind"}).context["cl"].result_list] == [2]
    assert [i.number for i in client.get(url, {"workflow": "draft"}).context["cl"].result_list] == [2]
    assert sorted(i.number for i in client.get(url, {"department": world.somu.pk}).context["cl"].result_list) == [1, 3]


def test_editor_updates_own_record_in_the_browser(client, world):
    client.force_login(world.editor_somu)
    record = world.record(1)
    response = client.post(record_url(record), form_data(record, result="試行を開始した", next_steps="本格実施"))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    record = world.record(1)
    world.initiatives[1].refresh_from_db()
    assert (record.result, record.workflow_state) == ("試行を開始した", WorkflowState.DRAFT)
    assert world.initiatives[1].next_steps == "本格実施"


def test_validation_message_is_japanese_and_next_to_the_field(client, world):
    client.force_login(world.editor_somu)
    record = world.record(1)
    response = client.post(record_url(record), form_data(record, status=Status.BEHIND))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["delay_reason"] == ["進行状況が「予定より遅れている」のときは、理由を入力してください。"]
    assert world.record(1).status == Status.ON_SCHEDULE


def test_negative_amount_is_refused(client, world):
    client.force_login(world.editor_somu)
    record = world.record(1)
    response = client.post(record_url(record), form_data(record, secured_amount_thousand_yen=-1))
    assert "secured_amount_thousand_yen" in response.context["adminform"].form.errors
    assert world.record(1).secured_amount_thousand_yen is None


def test_editor_cannot_reach_another_departments_record_by_url(client, world):
    client.force_login(world.editor_somu)
    record = world.record(2)
    assert client.get(record_url(record)).status_code == 404
    response = client.post(record_url(record), form_data(record, result="改ざん"))
    assert response.status_code == 404
    assert client.post(record_url(record, "workflow"), {"action": "submit"}).status_code == 404
    assert client.get(record_url(record, "history")).status_code in (403, 404)
    assert world.record(2).result == "" and world.record(2).workflow_state == WorkflowState.NOT_STARTED


def test_editor_cannot_change_structure(client, world):
    client.force_login(world.editor_somu)
    initiative = world.initiatives[1]
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    client.post(url, {"name": "改名", "number": 99})
    initiative.refresh_from_db()
    assert (initiative.name, initiative.number) == ("取組1", 1)


def test_editor_cannot_set_another_departments_split_status(client, world):
    client.force_login(world.editor_somu)
    record = world.record(3)
    data = form_data(
        record,
        **{
            "department_statuses-TOTAL_FORMS": 1,
            "department_statuses-0-department": world.doboku.pk,
            "department_statuses-0-label": "土木部",
            "department_statuses-0-status": Status.BEHIND,
            "delay_reason": "理由",
        },
    )
    response = client.post(record_url(record), data)
    assert response.status_code == 200
    assert not world.record(3).department_statuses.exists()


def test_concurrent_edit_is_refused_and_shows_the_other_persons_change(client, world):
    record = world.record(3)
    stale = form_data(record, result="土木部の記入")
    client.force_login(world.editor_somu)
    assert client.post(record_url(record), form_data(record, result="総務部の記入")).status_code == 302
    client.force_login(world.editor_doboku)
    response = client.post(record_url(record), stale)
    assert response.status_code == 200
    message = str(response.context["adminform"].form.non_field_errors())
    assert "他の人が更新しました" in message
    assert "総務部の記入" in message and "editor-somu" in message
    assert world.record(3).result == "総務部の記入"


def test_workflow_through_the_admin_and_history_shows_each_step(client, world):
    record = world.record(1)
    client.force_login(world.editor_somu)
    client.post(record_url(record), form_data(record, result="第1稿"))
    client.post(record_url(record, "workflow"), {"action": "submit"})
    assert world.record(1).workflow_state == WorkflowState.SUBMITTED

    client.force_login(world.reviewer)
    response = client.post(record_url(record, "workflow"), {"action": "return", "comment": ""}, follow=True)
    assert "コメントに書いてください" in response.content.decode()
    assert world.record(1).workflow_state == WorkflowState.SUBMITTED
    client.post(record_url(record, "workflow"), {"action": "return", "comment": "数値を入れてください"})
    assert world.record(1).workflow_state == WorkflowState.RETURNED

    client.force_login(world.editor_somu)
    page = client.get(record_url(record)).content.decode()
    assert "数値を入れてください" in page
    record = world.record(1)
    client.post(record_url(record), form_data(record, result="第2稿: 3件"))
    client.post(record_url(record, "workflow"), {"action": "submit"})
    client.post(record_url(record, "workflow"), {"action": "publish"})  # an editor cannot publish
    assert world.record(1).workflow_state == WorkflowState.SUBMITTED

    client.force_login(world.reviewer)
    client.post(record_url(record, "workflow"), {"action": "approve"})
    client.post(record_url(record, "workflow"), {"action": "publish"})
    assert world.record(1).workflow_state == WorkflowState.PUBLISHED

    history = client.get(record_url(record, "history")).content.decode()
    for step in ["提出", "差戻し: 数値を入れてください", "承認", "公開", "第2稿: 3件", "editor-somu", "reviewer"]:
        assert step in history
    # django-simple-history's own labels, in Japanese from locale/ja (it ships no Japanese)
    for label in ["変更履歴", "変更者", "変更理由", "日時"]:
        assert label in history
    assert "Changed by" not in history


def test_reviewer_reverts_to_an_earlier_version_and_the_revert_is_recorded(client, world):
    record = world.record(1)
    services.record_update(record=record, by=world.editor_somu, data={"result": "初版"})
    first = world.record(1).history.latest("history_date")
    services.record_update(record=world.record(1), by=world.editor_somu, data={"result": "誤った修正"})
    client.force_login(world.reviewer)
    url = reverse("admin:initiatives_yearlyrecord_simple_history", args=[record.pk, first.history_id])
    record = world.record(1)
    response = client.post(url, form_data(record, result="初版"))
    assert response.status_code == 302
    assert world.record(1).result == "初版"
    assert world.record(1).history.latest("history_date").history_change_reason == "以前の版に戻しました"


def test_editor_cannot_revert(client, world):
    record = world.record(1)
    services.record_update(record=record, by=world.editor_somu, data={"result": "初版"})
    first = world.record(1).history.latest("history_date")
    services.record_update(record=world.record(1), by=world.editor_somu, data={"result": "二版"})
    client.force_login(world.editor_somu)
    url = reverse("admin:initiatives_yearlyrecord_simple_history", args=[record.pk, first.history_id])
    assert client.post(url, form_data(world.record(1), result="初版")).status_code == 403
    assert world.record(1).result == "二版"


def test_cycle_overview_lists_each_departments_states(client, world):
    services.record_update(record=world.record(1), by=world.editor_somu, data={"result": "x"})
    client.force_login(world.reviewer)
    response = client.get(reverse("admin:programs_reportingcycle_overview", args=[world.cycle.pk]))
    assert response.status_code == 200
    overview = {p.department.name: [(r.initiative.number, r.workflow_state) for r in p.records] for p in response.context["overview"]}
    assert overview == {
        "総務部": [(1, WorkflowState.DRAFT), (3, WorkflowState.NOT_STARTED)],
        "土木部": [(2, WorkflowState.NOT_STARTED), (3, WorkflowState.NOT_STARTED)],
    }


def test_reviewer_opens_a_cycle_in_the_admin(client, world):
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    client.force_login(world.reviewer)
    response = client.post(
        reverse("admin:programs_reportingcycle_add"),
        {"program": world.program.pk, "fiscal_year": 2026, "label": "", "deadline": "2027-01-31"},
    )
    assert response.status_code == 302
    assert world.initiatives[1].years.filter(fiscal_year=2026).exists()
    assert world.program.cycles.get(fiscal_year=2026).label == "令和9年度当初"


def test_editor_cannot_open_a_cycle(client, world):
    client.force_login(world.editor_somu)
    response = client.post(reverse("admin:programs_reportingcycle_add"), {"program": world.program.pk, "fiscal_year": 2026})
    assert response.status_code == 403


def test_csv_export_contains_only_visible_initiatives(client, world):
    client.force_login(world.editor_doboku)
    response = client.post(
        reverse("admin:initiatives_initiative_changelist"),
        {"action": "export_csv", "_selected_action": [i.pk for i in world.initiatives.values()]},
    )
    text = response.content.decode("utf-8-sig")
    assert "取組2" in text and "取組3" in text and "取組1," not in text
