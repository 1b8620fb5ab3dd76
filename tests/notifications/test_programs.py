"""With several programs, the staff's home page and mail name each cycle's program; the editor's home page is
grouped by program and shows only the cycles holding their records, each event once."""
import datetime

import pytest
from django.utils import timezone

from initiatives import services
from notifications import services as notify
from notifications.models import Preference

from .test_home import home

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen_before(three_programs):
    """The editors last looked at their home page before the programs were set up."""
    w = three_programs
    for user in (w.editor_somu, w.editor_doboku):
        Preference.objects.create(user=user, home_seen_at=timezone.now() - datetime.timedelta(days=1))
    for cycle in (w.released, w.cycle, w.strategy_released, w.strategy_cycle, w.dx_released, w.dx_cycle):
        type(cycle).objects.filter(pk=cycle.pk).update(opened_at=timezone.now() - datetime.timedelta(hours=2))
    return w


def test_the_editors_home_is_grouped_by_program(client, three_programs):
    w = three_programs
    html = home(client, w.editor_somu)
    for program in ["行革", "総合戦略", "dX"]:
        assert f"あなたの部局の取組（{program}）" in html
    strategy = html.index("あなたの部局の取組（総合戦略）")
    assert html.index("8. 総合戦略の取組8", strategy) < html.index("あなたの部局の取組（dX）")


def test_the_editor_sees_only_the_cycles_holding_their_records(client, three_programs):
    w = three_programs
    html = home(client, w.editor_doboku)  # nothing in the dX program
    assert "令和8年度当初（行革）" in html and "令和8年度当初（総合戦略）" in html
    assert "dX" not in html
    assert html.count("提出期限は未定です") == 2


def test_each_event_since_the_last_visit_is_listed_once_with_its_program(client, seen_before):
    w = seen_before
    services.record_update(record=w.strategy_cycle.records.get(initiative__number=7), by=w.reviewer,
                           data={"result": "進めた"})
    html = home(client, w.editor_doboku)
    changes = html[html.index("前回のご覧以降の変更"):]
    # each imported report: released, once (it was opened and released at once); each open cycle: opened, once
    assert changes.count("報告期「令和7年度当初」が公表されました") == 2
    assert changes.count("報告期「令和7年度当初」の受付が始まりました") == 0
    assert changes.count("報告期「令和8年度当初」の受付が始まりました") == 2
    assert changes.count('<span class="home-change-program">行革</span>') == 2
    assert changes.count('<span class="home-change-program">総合戦略</span>') == 3  # and the record's edit
    assert "7. 総合戦略の取組7</a>: 編集（reviewer）" in changes
    assert "dX" not in changes


def test_the_cycle_opened_mail_names_the_program_in_subject_and_body(three_programs):
    w = three_programs
    notifications = notify.notify_cycle_opened(cycle=w.strategy_cycle)
    assert {n.recipient for n in notifications} >= {w.editor_doboku, w.editor_somu}
    for notification in notifications:
        assert notification.subject.endswith("報告期「令和8年度当初（総合戦略）」の受付が始まりました")
        assert "報告期「令和8年度当初（総合戦略）」（令和7年度の計画・実績）の受付が始まりました。" in notification.body_text


def test_the_return_mail_names_the_program_in_subject_and_body(three_programs):
    w = three_programs
    record = w.strategy_cycle.records.get(initiative__number=7)
    services.record_update(record=record, by=w.editor_doboku, data={"plan": "計画", "result": "実績", "status": "on_schedule"})
    services.record_submit(record=w.strategy_cycle.records.get(pk=record.pk), by=w.editor_doboku)
    services.record_return(record=w.strategy_cycle.records.get(pk=record.pk), by=w.reviewer, comment="見直してください")
    [notification] = notify.notify_record_returned(record=record, comment="見直してください")
    assert notification.subject.endswith("差戻し（総合戦略）: 7. 総合戦略の取組7")
    assert "プログラム: まち・ひと・しごと創生総合戦略" in notification.body_text
    assert "報告期: 令和8年度当初（総合戦略）" in notification.body_text


def test_the_deadline_reminder_names_the_program(three_programs):
    w = three_programs
    w.dx_cycle.deadline = datetime.date(2026, 3, 31)
    w.dx_cycle.save()
    notifications = notify.send_deadline_notices(cycle=w.dx_cycle, today=datetime.date(2026, 3, 24))
    assert notifications and all("「令和8年度当初（dX）」の提出期限まであと7日です" in n.subject for n in notifications)
    assert all(n.recipient == w.editor_somu for n in notifications)  # 土木部 has nothing in the dX program
