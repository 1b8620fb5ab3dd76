"""Reporting cycles in the staff tool: opening, texts, closing, reopening and releasing (公表).

The `world` has two cycles: 令和7年度当初 (FY2024) released and 令和8年度当初 (FY2025) open."""
import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from initiatives import services
from programs.statuses import Status
from programs.models import CycleState

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:programs_reportingcycle_changelist"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def act(client, action, *cycles, **extra):
    return client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [c.pk for c in cycles], **extra})


def publish_everything(world):
    """Every initiative reported, approved and published in the open cycle (令和8年度当初)."""
    for number in world.initiatives:
        services.record_update(
            record=world.record(number), by=world.reviewer,
            data={"plan": "計画", "result": "実績", "status": Status.ON_SCHEDULE},
        )
    services.cycle_publish_all(cycle=world.cycle, by=world.reviewer)


def refreshed(cycle):
    cycle.refresh_from_db()
    return cycle


def test_a_second_open_cycle_is_refused_on_the_form_with_the_services_message(client, world):
    client.force_login(world.reviewer)
    response = client.post(reverse("admin:programs_reportingcycle_add"), {"program": world.program.pk, "fiscal_year": 2026})
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == ["受付中の報告期があります。先に締め切ってください。"]
    assert world.program.cycles.count() == 2


def test_a_cycle_for_a_year_not_after_the_newest_is_refused_on_the_form(client, world):
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    client.force_login(world.reviewer)
    response = client.post(reverse("admin:programs_reportingcycle_add"), {"program": world.program.pk, "fiscal_year": 2025})
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    [error] = errors
    assert error == services.cycle_open_refusal(program=world.program, fiscal_year=2025)
    assert "令和8年度当初" in error
    assert world.program.cycles.count() == 2


def test_a_new_cycle_gets_the_default_label_and_a_drafted_introduction(client, world):
    from tests.reports.conftest import release

    release(world.cycle, world.reviewer)
    client.force_login(world.reviewer)
    response = client.post(
        reverse("admin:programs_reportingcycle_add"),
        {"program": world.program.pk, "fiscal_year": 2026, "label": "", "introduction": "", "ledger_label": "令和9年度当初予算までの累計"},
    )
    assert response.status_code == 302
    cycle = world.program.cycles.get(fiscal_year=2026)
    assert (cycle.label, cycle.state, cycle.ledger_label) == ("令和9年度当初", CycleState.OPEN, "令和9年度当初予算までの累計")
    assert "令和９年度当初" in cycle.introduction  # the previous introduction with the name replaced


def test_the_reform_office_edits_a_cycles_texts(client, world):
    client.force_login(world.reviewer)
    url = reverse("admin:programs_reportingcycle_change", args=[world.cycle.pk])
    response = client.post(url, {
        "label": "令和8年度当初", "deadline": "2026-05-31", "introduction": "前文の改訂", "as_of": "2026-04-01",
        "ledger_label": "",
    })
    assert response.status_code == 302
    cycle = refreshed(world.cycle)
    assert (cycle.introduction, cycle.as_of, cycle.deadline) == ("前文の改訂", datetime.date(2026, 4, 1), datetime.date(2026, 5, 31))


def test_a_released_cycle_is_read_only_and_a_save_posted_to_it_changes_nothing(client, world):
    client.force_login(world.reviewer)
    url = reverse("admin:programs_reportingcycle_change", args=[world.released.pk])
    html = client.get(url).content.decode()
    assert "公表した報告の内容（名称・前文・基準日など）は変更できません。" in html
    assert 'name="_save"' not in html
    response = client.post(url, {"label": "改ざん", "introduction": "改ざん"})
    assert response.status_code == 302
    assert "報告期「令和7年度当初」は公表済みのため変更できません。" in messages_of(response)
    assert refreshed(world.released).label == "令和7年度当初"


def test_the_list_shows_each_cycles_state_and_release_date(client, world):
    client.force_login(world.reviewer)
    html = client.get(reverse(CHANGELIST)).content.decode()
    assert "公表済み" in html and "受付中" in html and "2025年4月1日" in html
    assert reverse("admin:programs_reportingcycle_overview", args=[world.cycle.pk]) in html
    assert reverse("reports:annual-pdf", args=[world.released.pk]) in html


def test_release_is_refused_with_its_problems_while_the_cycle_is_open_and_incomplete(client, world):
    client.force_login(world.reviewer)
    response = act(client, "release_selected", world.cycle)
    assert response.status_code == 302
    messages = messages_of(response)
    assert "「令和8年度当初」は公表できません: 報告期「令和8年度当初」を先に締め切ってください。" in messages
    assert any("公開されていない取組があります（管理番号 1、2、3）" in m for m in messages)
    assert refreshed(world.cycle).state == CycleState.OPEN


def test_close_then_release_with_its_date_then_reopen_is_refused(client, world):
    publish_everything(world)
    client.force_login(world.reviewer)
    assert "「令和8年度当初」を締め切りました。部局はこの報告期の記録を編集できません。" in messages_of(act(client, "close_selected", world.cycle))
    assert refreshed(world.cycle).state == CycleState.CLOSED

    confirmation = act(client, "release_selected", world.cycle)
    assert confirmation.status_code == 200  # asks for the release date first
    assert "次の報告期を公表します。" in confirmation.content.decode()
    assert refreshed(world.cycle).state == CycleState.CLOSED

    response = act(client, "release_selected", world.cycle, confirm="yes", released_on="2026-04-01")
    assert "「令和8年度当初」を公表しました。市民向けページと年次報告はこの報告期を表示します。" in messages_of(response)
    cycle = refreshed(world.cycle)
    assert (cycle.state, cycle.released_on) == (CycleState.RELEASED, datetime.date(2026, 4, 1))

    response = act(client, "reopen_selected", world.cycle)
    assert "報告期「令和8年度当初」は公表済みのため再開できません。" in messages_of(response)
    assert refreshed(world.cycle).state == CycleState.RELEASED


def test_reopening_a_closed_cycle_and_its_refusals(client, world):
    client.force_login(world.reviewer)
    assert "報告期「令和8年度当初」は受付中です。" in messages_of(act(client, "reopen_selected", world.cycle))
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    response = act(client, "reopen_selected", world.cycle)
    assert "「令和8年度当初」を再開しました。記録の編集・承認・公開ができます。" in messages_of(response)
    assert refreshed(world.cycle).state == CycleState.OPEN
    assert "報告期「令和8年度当初」は既に締め切られています。" not in messages_of(act(client, "close_selected", world.cycle))
    assert refreshed(world.cycle).state == CycleState.CLOSED
    with pytest.raises(services.WorkflowError, match="まだ公表されていません"):  # so it can always be reopened
        services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer)
    assert refreshed(world.cycle).state == CycleState.CLOSED


def test_a_released_cycle_cannot_be_released_again(client, world):
    client.force_login(world.reviewer)
    assert "「令和7年度当初」は公表できません: 報告期「令和7年度当初」は既に公表済みです。" in messages_of(
        act(client, "release_selected", world.released)
    )


def test_editors_have_no_cycle_actions(client, world):
    client.force_login(world.editor_somu)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert "release_selected" not in response.content.decode()
    act(client, "close_selected", world.cycle)
    assert refreshed(world.cycle).state == CycleState.OPEN
