"""The staff tool through the browser's paths: each role on each path, including URL tampering.

The `world` has two cycles: 令和7年度当初 (FY2024) released and 令和8年度当初 (FY2025) open."""
import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from initiatives import services
from initiatives.models import WorkflowState
from programs.statuses import Status

pytestmark = pytest.mark.django_db


def record_url(record, suffix="change"):
    return reverse(f"admin:initiatives_yearlyrecord_{suffix}", args=[record.pk])


def form_data(record, **changes):
    """What the record's change form posts, with `changes` applied."""
    data = {
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


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def status_select(html: str) -> str:
    return re.search(r'<select name="status"[^>]*>(.*?)</select>', html, re.S).group(1)


def complete(world, number, year=2025, by=None, **data):
    """Fill in a record the way a department does (status chosen explicitly)."""
    data = {"plan": "計画", "result": "実績", "status": Status.ON_SCHEDULE, **data}
    by = by or world.reviewer
    return services.record_update(record=world.record(number, year), by=by, data=data)


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
    assert [i.number for i in client.get(url, {"status": "not_reported"}).context["cl"].result_list] == [1, 3]
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
    assert world.record(1).status == ""  # still 未報告: nothing was saved


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
    client.post(record_url(record), form_data(record, result="第1稿", status=Status.ON_SCHEDULE))
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
    from tests.reports.conftest import release

    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    client.force_login(world.reviewer)
    new_cycle = {"program": world.program.pk, "fiscal_year": 2026, "label": "", "deadline": "2027-01-31"}
    response = client.post(reverse("admin:programs_reportingcycle_add"), new_cycle)
    assert response.status_code == 200  # refused with the reason on the form: the closed cycle is not released yet
    assert "報告期「令和8年度当初」がまだ公表されていません。公表してから次の報告期を開いてください。" in response.content.decode()
    assert not world.program.cycles.filter(fiscal_year=2026).exists()
    services.cycle_reopen(cycle=world.cycle, by=world.reviewer)
    release(world.cycle, world.reviewer)
    response = client.post(reverse("admin:programs_reportingcycle_add"), new_cycle)
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


# --- the current period is the open cycle, never a closed one ------------------------------


@pytest.fixture
def closed_and_open(world):
    """令和8年度当初 (FY2025) closed and released with #1 reported on schedule in it; 令和9年度当初 (FY2026) open,
    its records 未報告 (the next cycle opens once the previous one is released)."""
    from tests.reports.conftest import release

    complete(world, 1, by=world.editor_somu)
    services.record_submit(record=world.record(1), by=world.editor_somu)
    release(world.cycle, world.reviewer)
    world.next_cycle = services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer)
    return world


def test_list_columns_show_the_open_cycle_not_the_closed_one(client, closed_and_open):
    world = closed_and_open
    client.force_login(world.reviewer)
    response = client.get(reverse("admin:initiatives_initiative_changelist"))
    html = response.content.decode()
    assert "今期（受付中の報告期）: 令和9年度当初" in html
    first = next(i for i in response.context["cl"].result_list if i.number == 1)
    admin = response.context["cl"].model_admin
    assert admin.current_workflow(first) == "未報告"  # FY2026's record, not FY2025's 提出済み
    assert admin.current_status(first) == "未報告"
    assert record_url(world.record(1, 2026)) in admin.edit_link(first)
    assert record_url(world.record(1, 2025)) not in html


def test_list_filters_look_at_the_open_cycle_only(client, closed_and_open):
    client.force_login(closed_and_open.reviewer)
    url = reverse("admin:initiatives_initiative_changelist")
    assert client.get(url, {"workflow": "submitted"}).context["cl"].result_count == 0
    assert client.get(url, {"status": "on_schedule"}).context["cl"].result_count == 0
    assert client.get(url, {"workflow": "not_started"}).context["cl"].result_count == 3


def test_bulk_actions_never_touch_an_earlier_cycles_record(client, closed_and_open):
    world = closed_and_open
    client.force_login(world.reviewer)
    response = client.post(
        reverse("admin:initiatives_initiative_changelist"),
        {"action": "approve_selected", "_selected_action": [world.initiatives[1].pk]},
    )
    assert response.status_code == 302
    assert world.record(1, 2025).workflow_state == WorkflowState.PUBLISHED  # the released cycle's record is untouched
    assert world.record(1, 2026).workflow_state == WorkflowState.NOT_STARTED
    assert any("「未報告」の状態からは承認できません" in m for m in messages_of(response))


def test_bulk_submit_works_on_the_open_cycles_records(client, closed_and_open):
    world = closed_and_open
    complete(world, 2, year=2026, by=world.editor_doboku)
    client.force_login(world.editor_doboku)
    response = client.post(
        reverse("admin:initiatives_initiative_changelist"),
        {"action": "submit_selected", "_selected_action": [world.initiatives[2].pk, world.initiatives[3].pk]},
    )
    assert world.record(2, 2026).workflow_state == WorkflowState.SUBMITTED
    assert world.record(3, 2026).workflow_state == WorkflowState.NOT_STARTED
    messages = messages_of(response)
    assert "令和9年度当初の報告1件を提出しました。" in messages
    assert any(m.startswith("3. 取組3: ") and "進行状況を選んでください" in m for m in messages)


def test_with_no_open_cycle_the_list_and_bulk_actions_say_so(client, world):
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    client.force_login(world.reviewer)
    url = reverse("admin:initiatives_initiative_changelist")
    response = client.get(url)
    html = response.content.decode()
    assert html.count("受付中の報告期はありません") >= 4  # the notice above the list and each row's 今期 column
    admin = response.context["cl"].model_admin
    row = response.context["cl"].result_list[0]
    assert (admin.current_workflow(row), admin.edit_link(row)) == ("－", "－")
    response = client.post(url, {"action": "submit_selected", "_selected_action": [world.initiatives[1].pk]})
    assert response.status_code == 302
    assert any(m.startswith("受付中の報告期はありません。") for m in messages_of(response))
    assert world.record(1).workflow_state == WorkflowState.NOT_STARTED



def test_the_record_list_offers_the_open_cycle_and_shows_unreported_records(client, world):
    client.force_login(world.reviewer)
    url = reverse("admin:initiatives_yearlyrecord_changelist")
    response = client.get(url, {"cycle": "current"})
    records = list(response.context["cl"].result_list)
    assert {(r.initiative.number, r.fiscal_year) for r in records} == {(1, 2025), (2, 2025), (3, 2025)}
    html = response.content.decode()
    assert "未報告" in html and "令和8年度当初" in html
    assert client.get(url, {"status": "not_reported"}).context["cl"].result_count == 3
    assert client.get(url, {"cycle": world.released.pk}).context["cl"].result_count == 3

# --- the record's page -------------------------------------------------------------------


def test_a_new_cycles_record_has_no_status_selected(client, world):
    client.force_login(world.editor_somu)
    select = status_select(client.get(record_url(world.record(1))).content.decode())
    assert re.search(r'<option value="" selected>未報告（選んでください）</option>', select)
    assert select.count("selected") == 1
    assert "予定どおり進んでいる" in select  # offered, not chosen


def test_a_year_without_a_schedule_step_shows_the_proposal(client, world):
    client.force_login(world.editor_somu)
    html = client.get(record_url(world.record(3))).content.decode()
    assert "作業工程にこの年度の工程がないため「実施年度未到来」を提案します。内容を確認し、進行状況で選んでください。" in html
    assert 'data-select-status="not_yet_due"' in html
    assert world.record(3).status == ""  # proposed, not stored
    planned = client.get(record_url(world.record(1))).content.decode()
    assert "を提案します" not in planned


def test_a_prefilled_plan_is_marked_and_the_schedule_is_shown(client, world):
    client.force_login(world.editor_somu)
    html = client.get(record_url(world.record(1))).content.decode()
    assert "計画は作業工程から自動で入力した下書きです" in html
    schedule = re.search(r'<table class="schedule-table">.*?</table>', html, re.S).group(0)
    for year, step in [("令和6年度（2024年度）", "検討"), ("令和7年度（2025年度）", "実施"), ("令和9年度（2027年度）", "（工程なし）")]:
        assert year in schedule and step in schedule
    assert re.search(r'<tr class="schedule-this-year"><th scope="row">令和7年度（2025年度）', schedule)
    complete(world, 1, by=world.editor_somu)
    assert "自動で入力した下書き" not in client.get(record_url(world.record(1))).content.decode()


def test_submission_errors_are_listed_in_japanese(client, world):
    client.force_login(world.editor_somu)
    html = client.get(record_url(world.record(1))).content.decode()
    assert "提出するには、次の点を満たしてください。" in html and "進行状況を選んでください" in html
    response = client.post(record_url(world.record(1), "workflow"), {"action": "submit"})
    messages = messages_of(response)
    assert messages[0] == "提出できませんでした。次の点を直して保存してから、もう一度提出してください。"
    assert "進行状況を選んでください（報告期の開始時は「未報告」です）。" in messages
    assert "実績を入力してください。" in messages
    assert "計画は作業工程から自動入力されたままです。内容を確認して保存してください。" in messages
    assert world.record(1).workflow_state == WorkflowState.NOT_STARTED


def test_workflow_buttons_are_the_services_allowed_actions(client, world):
    complete(world, 1, by=world.editor_somu)
    client.force_login(world.editor_somu)
    context = client.get(record_url(world.record(1))).context
    assert (context["can_submit"], context["can_approve"], context["can_publish"]) == (True, False, False)
    services.record_submit(record=world.record(1), by=world.editor_somu)
    client.force_login(world.reviewer)
    context = client.get(record_url(world.record(1))).context
    assert (context["can_submit"], context["can_approve"], context["can_return"], context["can_publish"]) == (False, True, True, False)


def test_a_submitted_record_is_read_only_with_its_reason_and_a_save_posted_anyway_changes_nothing(client, world):
    complete(world, 1, by=world.editor_somu)
    services.record_submit(record=world.record(1), by=world.editor_somu)
    record = world.record(1)
    client.force_login(world.editor_somu)
    html = client.get(record_url(record)).content.decode()
    assert "この記録は編集できません。" in html and "提出済みで審査中のため編集できません。" in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert '<select name="status"' not in html
    response = client.post(record_url(record), form_data(record, result="書き換え"))
    assert response.status_code == 302
    assert any("保存していません。提出済みで審査中のため編集できません。" in m for m in messages_of(response))
    assert world.record(1).result == "実績" and world.record(1).version == record.version


def test_a_closed_cycles_record_is_read_only_and_a_save_posted_to_it_is_not_an_error_page(client, world):
    record = world.record(1)
    stale = form_data(record, result="締切後の入力", status=Status.ON_SCHEDULE)
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    client.force_login(world.editor_somu)
    html = client.get(record_url(record)).content.decode()
    assert "報告期「令和8年度当初」は締め切られているため編集できません。" in html
    assert 'name="_save"' not in html
    response = client.post(record_url(record), stale, follow=True)
    assert response.status_code == 200
    assert "保存していません。報告期「令和8年度当初」は締め切られているため編集できません。" in response.content.decode()
    assert world.record(1).result == "" and world.record(1).status == ""


def test_a_released_cycles_record_is_read_only_even_for_the_reform_office(client, world):
    record = world.record(1, 2024)
    client.force_login(world.reviewer)
    html = client.get(record_url(record)).content.decode()
    assert "報告期「令和7年度当初」は公表済みのため編集できません。公表した報告は変更できません。" in html
    assert 'name="_save"' not in html
    response = client.post(record_url(record), form_data(record, result="改ざん"))
    assert response.status_code == 302
    assert world.record(1, 2024).result == "実施した"


def test_a_revert_of_a_closed_cycles_record_is_refused_with_the_reason(client, world):
    services.record_update(record=world.record(1), by=world.editor_somu, data={"result": "初版"})
    first = world.record(1).history.latest("history_date")
    services.record_update(record=world.record(1), by=world.editor_somu, data={"result": "二版"})
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    client.force_login(world.reviewer)
    url = reverse("admin:initiatives_yearlyrecord_simple_history", args=[world.record(1).pk, first.history_id])
    response = client.post(url, form_data(world.record(1), result="初版"))
    assert response.status_code == 302
    assert any("元に戻していません。" in m for m in messages_of(response))
    assert world.record(1).result == "二版"


def test_the_concurrent_edit_message_gives_the_time_in_japan(client, world):
    record = world.record(1)
    stale = form_data(record, result="土木部の記入")
    services.record_update(record=record, by=world.editor_somu, data={"result": "総務部の記入"})
    latest = world.record(1).history.latest("history_date")
    later = datetime.datetime(2031, 1, 15, 20, 30, tzinfo=datetime.UTC)  # 2031-01-16 05:30 in Japan
    type(latest).objects.filter(pk=latest.pk).update(history_date=later)
    client.force_login(world.editor_somu)
    response = client.post(record_url(record), stale)
    message = str(response.context["adminform"].form.non_field_errors())
    assert "editor-somu、2031-01-16 05:30" in message
    assert "20:30" not in message


def test_the_history_page_gives_times_in_japan(client, world):
    services.record_update(record=world.record(1), by=world.editor_somu, data={"result": "初版"})
    latest = world.record(1).history.latest("history_date")
    later = datetime.datetime(2031, 1, 15, 20, 30, tzinfo=datetime.UTC)  # 2031-01-16 05:30 in Japan
    type(latest).objects.filter(pk=latest.pk).update(history_date=later)
    client.force_login(world.reviewer)
    html = client.get(record_url(world.record(1), "history")).content.decode()
    assert "2031年1月16日" in html and "5:30" in html and "20:30" not in html


# --- the initiative's page: the four-year schedule --------------------------------------------


def schedule_data(initiative, rows):
    """The initiative page's POST: its fields as they are, the schedule rows given, the other inlines unchanged."""
    data = {
        "program": initiative.program_id, "number": initiative.number, "name": initiative.name,
        "pillar": initiative.pillar_id, "fiscal_target": "", "background": initiative.background,
        "ledger_category": "", "loaded_version": initiative.version,
    }
    responsibilities = list(initiative.responsibilities.all())
    data.update({"responsibilities-TOTAL_FORMS": len(responsibilities), "responsibilities-INITIAL_FORMS": len(responsibilities),
                 "responsibilities-MIN_NUM_FORMS": 0, "responsibilities-MAX_NUM_FORMS": 1000})
    for i, r in enumerate(responsibilities):
        data.update({f"responsibilities-{i}-id": r.pk, f"responsibilities-{i}-initiative": initiative.pk,
                     f"responsibilities-{i}-department": r.department_id, f"responsibilities-{i}-order": r.order})
    years = list(initiative.years.order_by("fiscal_year"))  # shown read-only; posted back as the page has them
    data.update({"years-TOTAL_FORMS": len(years), "years-INITIAL_FORMS": len(years),
                 "years-MIN_NUM_FORMS": 0, "years-MAX_NUM_FORMS": 1000})
    data.update({f"years-{i}-id": y.pk for i, y in enumerate(years)})
    data.update({f"years-{i}-initiative": initiative.pk for i, y in enumerate(years)})
    steps = list(initiative.schedule_steps.all())
    data.update({"schedule_steps-TOTAL_FORMS": len(rows), "schedule_steps-INITIAL_FORMS": len(steps),
                 "schedule_steps-MIN_NUM_FORMS": 0, "schedule_steps-MAX_NUM_FORMS": 4})
    for i, (year, step) in enumerate(rows):
        if i < len(steps):
            data[f"schedule_steps-{i}-id"] = steps[i].pk
        data.update({f"schedule_steps-{i}-initiative": initiative.pk, f"schedule_steps-{i}-fiscal_year": year,
                     f"schedule_steps-{i}-step": step})
    return data


def test_reviewer_edits_the_four_year_schedule(client, world):
    initiative = world.initiatives[3]
    client.force_login(world.reviewer)
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    response = client.post(url, schedule_data(initiative, [(2024, "検討"), (2026, "本格実施"), (2025, "試行")]))
    assert response.status_code == 302, [f.formset.non_form_errors() for f in response.context["inline_admin_formsets"]]
    assert [(s["fiscal_year"], s["step"]) for s in initiative.schedule()] == [
        (2024, "検討"), (2025, "試行"), (2026, "本格実施"), (2027, "")
    ]
    assert world.record(3).proposed_status is None  # FY2025 now has a step


def test_a_schedule_year_outside_the_program_is_refused(client, world):
    initiative = world.initiatives[3]
    client.force_login(world.reviewer)
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    response = client.post(url, schedule_data(initiative, [(2024, "検討"), (2030, "延長")]))
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][1].formset.errors[1]["fiscal_year"]
    assert [s.fiscal_year for s in initiative.schedule_steps.all()] == [2024, 2026]


def test_editors_read_the_schedule_without_editing_it(client, world):
    client.force_login(world.editor_somu)
    html = client.get(reverse("admin:initiatives_initiative_change", args=[world.initiatives[1].pk])).content.decode()
    assert "作業工程（プログラム期間の年度ごと）" in html and "令和7年度（2025年度）" in html and "実施" in html
    assert 'name="schedule_steps-0-step"' not in html
