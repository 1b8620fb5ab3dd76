"""Each person's home page in the admin, on the two-cycle `world`."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives import services
from initiatives.models import WorkflowState
from notifications.models import Preference
from tests.factories import InitiativeFactory, ResponsibilityFactory, YearlyRecordFactory

from .conftest import complete, submit

pytestmark = pytest.mark.django_db

HOME = reverse("admin:index")


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def record_link(record) -> str:
    return reverse("admin:initiatives_yearlyrecord_change", args=[record.pk])


# --- the editor -------------------------------------------------------------------------


def test_the_editors_home_shows_the_open_cycle_its_deadline_and_the_days_left(client, world):
    world.cycle.deadline = timezone.localdate() + datetime.timedelta(days=12)
    world.cycle.save()
    html = home(client, world.editor_somu)
    assert "令和8年度当初" in html and "あと12日" in html
    assert world.cycle.deadline.strftime("%Y年%-m月%-d日") in html


def test_a_passed_deadline_says_how_late(client, world):
    world.cycle.deadline = timezone.localdate() - datetime.timedelta(days=3)
    world.cycle.save()
    assert "3日超過" in home(client, world.editor_somu)


def test_the_editor_sees_their_departments_records_grouped_by_state_each_linking_to_it(client, world):
    submit(world, 3)
    complete(world, 2)
    html = home(client, world.editor_somu)
    assert html.index("未報告（1）") < html.index(record_link(world.record(1))) < html.index("提出済み（1）")
    assert html.index("提出済み（1）") < html.index(record_link(world.record(3)))
    assert record_link(world.record(2)) not in html and "取組2" not in html  # 土木部's


def test_a_returned_record_shows_the_reviewers_comment(client, world):
    submit(world, 1)
    services.record_return(record=world.record(1), by=world.reviewer, comment="実績に件数を書いてください。")
    html = home(client, world.editor_somu)
    assert "差戻し（1）" in html and "実績に件数を書いてください。" in html


def test_the_editor_sees_what_others_changed_since_their_last_visit(client, world):
    home(client, world.editor_somu)  # a first visit
    client.logout()
    complete(world, 1)
    services.record_submit(record=world.record(1), by=world.editor_somu)  # their own change: not news to them
    services.record_return(record=world.record(1), by=world.reviewer, comment="見直してください")
    html = home(client, world.editor_somu)  # a new session
    assert "差戻し: 見直してください（reviewer）" in html
    assert "提出（editor-somu）" not in html
    assert "前回のご覧以降の変更" in html


def test_reloading_the_home_page_keeps_the_changes_of_this_visit(client, world):
    Preference.objects.create(user=world.editor_somu, home_seen_at=timezone.now() - datetime.timedelta(days=1))
    submit(world, 1)
    services.record_return(record=world.record(1), by=world.reviewer, comment="見直してください")
    first = home(client, world.editor_somu)
    again = client.get(HOME).content.decode()
    assert "差戻し: 見直してください" in first and "差戻し: 見直してください" in again


def test_without_an_open_cycle_the_editor_is_told_so(client, world):
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    assert "受付中の報告期はありません。" in home(client, world.editor_somu)


# --- the reviewer ------------------------------------------------------------------------


def test_the_reviewer_sees_the_submissions_waiting_oldest_first(client, world):
    submit(world, 2)
    submit(world, 1)
    html = home(client, world.reviewer)
    assert "審査待ち 2件（古い順）" in html
    assert html.index(record_link(world.record(2))) < html.index(record_link(world.record(1)))


def test_the_reviewer_sees_departments_with_unsubmitted_records_counts_and_how_late(client, world):
    world.cycle.deadline = timezone.localdate() - datetime.timedelta(days=4)
    world.cycle.save()
    submit(world, 1)
    html = home(client, world.reviewer)
    section = html[html.index("未提出の取組がある部局"):html.index("承認済み・未公開")]
    assert "総務部" in section and "土木部" in section and "4日超過" in section
    assert section.index("土木部") < section.index("総務部")  # 土木部 owes 2 (#2, #3), 総務部 1 (#3)


def test_a_department_without_editors_is_flagged(client, world):
    world.somu.members.clear()
    assert "担当職員なし（通知が届きません）" in home(client, world.reviewer)


def test_the_reviewer_sees_what_is_approved_but_not_published(client, world):
    submit(world, 2)
    services.record_approve(record=world.record(2), by=world.reviewer)
    html = home(client, world.reviewer)
    section = html[html.index("承認済み・未公開 1件"):]
    assert record_link(world.record(2)) in section


def test_the_reviewer_sees_each_cycles_progress_released_or_not(client, world):
    submit(world, 1)
    services.record_approve(record=world.record(1), by=world.reviewer)
    services.record_publish(record=world.record(1), by=world.reviewer)
    html = home(client, world.reviewer)
    assert "令和8年度当初</a>\n        <span class=\"home-state-badge\">受付中" in html
    assert "3件中 1件公開" in html
    assert "令和7年度当初</a>\n        <span class=\"home-state-badge\">公表済み" in html and "3件中 3件公開" in html


def test_the_reviewer_sees_the_notifications_that_could_not_be_sent(client, world, django_capture_on_commit_callbacks):
    submit(world, 2)  # editor-doboku has no e-mail address
    with django_capture_on_commit_callbacks(execute=True):
        services.record_return(record=world.record(2), by=world.reviewer, comment="確認してください")
    html = home(client, world.reviewer)
    assert "送信できなかった通知 1件" in html and "editor-doboku" in html and "メールアドレスが登録されていません" in html


def test_the_reviewer_sees_report_builds_under_way_or_failed(client, world):
    from reports.models import BuildState, ReportBuild

    ReportBuild.objects.create(cycle=world.cycle, format="pdf", fingerprint="a", state=BuildState.FAILED,
                               error="RuntimeError: フォントが読めません")
    ReportBuild.objects.create(cycle=world.cycle, format="xlsx", fingerprint="a", state=BuildState.BUILDING)
    html = home(client, world.reviewer)
    section = html[html.index("年次報告の作成"):html.index("送信できなかった通知")]
    assert "令和8年度当初 PDF: <span class=\"home-late-text\">失敗" in section and "フォントが読めません" in section
    assert "令和8年度当初 Excel: <span class=\"\">作成中" in section


def test_an_administrator_gets_the_plain_admin_index(client, make_user, world):
    html = home(client, make_user("admin", role="システム管理者"))
    assert "staff-home" not in html and "最近行った操作" in html


def test_a_reviewer_in_english_gets_an_english_home(client, world):
    client.force_login(world.reviewer)
    client.cookies.load({"django_language": "en"})
    html = client.get(HOME).content.decode()
    assert "Waiting for review" in html


# --- query counts ----------------------------------------------------------------------------


def add_records(world, count):
    """`count` more initiatives of 総務部 and 土木部 with a record in the open cycle, in every state."""
    states = list(WorkflowState)
    for i in range(count):
        initiative = InitiativeFactory(pillar=world.pillar, number=100 + i)
        ResponsibilityFactory(initiative=initiative, department=world.somu if i % 2 else world.doboku)
        YearlyRecordFactory(initiative=initiative, fiscal_year=2025, cycle=world.cycle,
                            workflow_state=states[i % len(states)], review_comment="コメント")


def queries_for(client, user) -> int:
    client.force_login(user)
    client.get(HOME)  # the first visit of a session stores its time
    with CaptureQueriesContext(connection) as context:
        assert client.get(HOME).status_code == 200
    return len(context)


@pytest.mark.parametrize("role", ["editor_somu", "reviewer"])
def test_the_home_pages_query_count_does_not_grow_with_the_records(client, world, role, django_assert_max_num_queries):
    user = getattr(world, role)
    few = queries_for(client, user)
    add_records(world, 40)
    many = queries_for(client, user)
    assert many == few
    with django_assert_max_num_queries(12 if role == "editor_somu" else 18):  # a reviewer: one more, their programs
        client.get(HOME)


# --- 財政課 -------------------------------------------------------------------------------


def test_the_finance_officer_sees_the_open_cycles_ledger_figures_to_enter_and_the_draft_report(client, world, finance):
    from tests.conftest import enter_ledger
    from tests.factories import LedgerCategoryFactory
    from tests.reports.conftest import publish

    LedgerCategoryFactory(program=world.program, name="ふるさと納税の推進", target_thousand_yen=1_880_000)
    LedgerCategoryFactory(program=world.program, name="人件費の削減", target_thousand_yen=800_000)
    html = home(client, finance)
    section = html[html.index("財源確保額の入力と確定"):]
    assert "令和8年度当初" in section and "令和7年度当初" not in section  # released reports are final
    assert "未入力" in section and "2項目中 0項目" in section
    assert "公開済みの取組がまだありません" in section

    enter_ledger(world.cycle, finance, {"ふるさと納税の推進": 350_000}, confirm=False)
    publish(world, 1)
    html = home(client, finance)
    assert "2項目中 1項目" in html and "入力中" in html
    assert reverse("reports:annual-pdf", args=[world.cycle.pk]) in html
    enter_ledger(world.cycle, finance, {"人件費の削減": 120_000})
    assert "2項目中 2項目" in home(client, finance) and "確定（財政課）" in home(client, finance)
