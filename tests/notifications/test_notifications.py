"""Who is told what, by e-mail: each rule of the notifications (docs/staff-guide.md), on the two-cycle `world`.

The world's 令和7年度当初 is released and 令和8年度当初 open (deadline 2026-03-31); initiative 1
is 総務部's, 2 土木部's, 3 both's. Signals are sent once a transaction commits, so each
service call runs under django_capture_on_commit_callbacks(execute=True)."""
import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from initiatives import services
from initiatives.models import WorkflowState
from notifications import services as notify
from notifications.models import Delivery, Kind, Notification, Preference

from .conftest import DEADLINE, complete, html_of, recipients, submit

pytestmark = pytest.mark.django_db


def open_next_cycle(world, capture, deadline=datetime.date(2027, 3, 31)):
    from tests.reports.conftest import release

    release(world.cycle, world.reviewer)  # the next cycle opens once the previous one is released
    with capture(execute=True):
        return services.cycle_open(program=world.program, fiscal_year=2026, by=world.reviewer, deadline=deadline)


def return_record(world, number, capture, comment="実績の数値を確認してください。"):
    submit(world, number)
    with capture(execute=True):
        services.record_return(record=world.record(number), by=world.reviewer, comment=comment)


# --- the cycle opened ---------------------------------------------------------------------


def test_opening_a_cycle_mails_each_departments_editors_with_the_deadline_and_a_link(staff, django_capture_on_commit_callbacks):
    cycle = open_next_cycle(staff, django_capture_on_commit_callbacks)
    assert recipients(mail.outbox) == ["editor-doboku@city.asahikawa.example", "editor-somu@city.asahikawa.example"]
    message = next(m for m in mail.outbox if m.to == ["editor-somu@city.asahikawa.example"])
    assert message.subject == f"【旭川市 行財政改革】報告期「{cycle.label}」の受付が始まりました"
    assert "提出期限: 2027年3月31日" in message.body and "総務部: 2件" in message.body
    assert "http://127.0.0.1:8000/admin/" in message.body
    assert "2027年3月31日" in html_of(message) and 'href="http://127.0.0.1:8000/admin/"' in html_of(message)
    assert Notification.objects.filter(kind=Kind.CYCLE_OPENED, cycle=cycle, delivery=Delivery.SENT).count() == 2


def test_an_imported_report_opened_and_released_at_once_announces_no_opening(staff, django_capture_on_commit_callbacks):
    from tests.factories import InitiativeFactory, ResponsibilityFactory, YearlyRecordFactory

    initiative = InitiativeFactory(number=9)
    ResponsibilityFactory(initiative=initiative, department=staff.somu)
    YearlyRecordFactory(initiative=initiative, fiscal_year=2024)
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_release_imported(program=initiative.program, by=staff.reviewer)
    assert not Notification.objects.filter(kind=Kind.CYCLE_OPENED).exists()


def test_opening_reaches_editors_who_switched_everything_off(staff, django_capture_on_commit_callbacks):
    Preference.objects.create(user=staff.editor_somu, digests=False, reminders=False)
    open_next_cycle(staff, django_capture_on_commit_callbacks)
    assert "editor-somu@city.asahikawa.example" in recipients(mail.outbox)


# --- a record returned ----------------------------------------------------------------------


def test_a_return_mails_that_departments_editors_with_the_comment_and_the_records_link(staff, django_capture_on_commit_callbacks):
    return_record(staff, 2, django_capture_on_commit_callbacks, comment="令和7年度の実績に件数を書いてください。")
    assert recipients(mail.outbox) == ["editor-doboku@city.asahikawa.example"]
    message = mail.outbox[0]
    link = "http://127.0.0.1:8000" + reverse("admin:initiatives_yearlyrecord_change", args=[staff.record(2).pk])
    assert message.subject == "【旭川市 行財政改革】差戻し: 2. 取組2"
    assert "令和7年度の実績に件数を書いてください。" in message.body and link in message.body
    assert "令和7年度の実績に件数を書いてください。" in html_of(message) and f'href="{link}"' in html_of(message)


def test_a_shared_initiatives_return_goes_to_both_departments(staff, django_capture_on_commit_callbacks):
    return_record(staff, 3, django_capture_on_commit_callbacks)
    assert recipients(mail.outbox) == ["editor-doboku@city.asahikawa.example", "editor-somu@city.asahikawa.example"]


def test_each_return_of_the_same_record_is_told_again(staff, django_capture_on_commit_callbacks):
    return_record(staff, 1, django_capture_on_commit_callbacks, comment="一回目")
    return_record(staff, 1, django_capture_on_commit_callbacks, comment="二回目")
    assert [m.body.count("二回目") for m in mail.outbox] == [0, 1]


def test_a_return_reaches_an_editor_who_switched_everything_off(staff, django_capture_on_commit_callbacks):
    Preference.objects.create(user=staff.editor_doboku, digests=False, reminders=False)
    return_record(staff, 2, django_capture_on_commit_callbacks)
    assert recipients(mail.outbox) == ["editor-doboku@city.asahikawa.example"]


def test_the_mail_is_japanese_when_the_reviewer_works_in_english(staff, django_capture_on_commit_callbacks):
    submit(staff, 2)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.record_return(record=staff.record(2), by=staff.reviewer, comment="確認してください")
    assert "行政改革課が次の取組の報告を差し戻しました" in mail.outbox[0].body


# --- the daily digest of submissions ----------------------------------------------------------


def test_the_reviewers_get_one_digest_of_the_days_submissions_the_morning_after(staff):
    submit(staff, 1)
    submit(staff, 2)
    today = datetime.date.today()
    mail.outbox.clear()
    call_command("send_reminders", "--date", str(today + datetime.timedelta(days=1)))
    assert recipients(mail.outbox) == ["reviewer@city.asahikawa.example"]
    body = mail.outbox[0].body
    assert "1. 取組1（総務部）" in body and "2. 取組2（土木部）" in body and "審査を待っている報告は全部で2件" in body
    assert "workflow_state__exact=submitted" in body


def test_there_is_no_digest_for_a_day_without_submissions(staff):
    submit(staff, 1)
    call_command("send_reminders", "--date", str(datetime.date.today() + datetime.timedelta(days=2)))
    assert not Notification.objects.filter(kind=Kind.SUBMISSIONS_DIGEST).exists()


def test_a_reviewer_who_switched_digests_off_gets_none(staff):
    Preference.objects.create(user=staff.reviewer, digests=False)
    submit(staff, 1)
    call_command("send_reminders", "--date", str(datetime.date.today() + datetime.timedelta(days=1)))
    assert not Notification.objects.filter(kind=Kind.SUBMISSIONS_DIGEST).exists()


# --- reminders and overdue ----------------------------------------------------------------


def test_seven_days_before_only_departments_with_unsubmitted_records_are_reminded_of_them(staff):
    submit(staff, 1)
    submit(staff, 3)  # 総務部 has submitted everything; 土木部 still owes #2
    mail.outbox.clear()
    call_command("send_reminders", "--date", str(DEADLINE - datetime.timedelta(days=7)))
    reminders = [m for m in mail.outbox if "提出期限まであと7日" in m.subject]
    assert recipients(reminders) == ["editor-doboku@city.asahikawa.example"]
    body = reminders[0].body
    assert "2. 取組2（未報告）" in body and "取組1" not in body and "取組3" not in body
    assert "http://127.0.0.1:8000" + reverse("admin:initiatives_yearlyrecord_change", args=[staff.record(2).pk]) in body


@pytest.mark.parametrize("days_before, reminded", [(15, False), (14, True), (8, False), (7, True), (2, False), (1, True), (0, False)])
def test_reminders_go_14_7_and_1_days_before_the_deadline(staff, days_before, reminded):
    notify.send_daily(today=DEADLINE - datetime.timedelta(days=days_before))
    assert Notification.objects.filter(kind=Kind.REMINDER).exists() == reminded


def test_send_reminders_run_every_hour_sends_each_notification_once(staff):
    submit(staff, 1)
    day = DEADLINE - datetime.timedelta(days=1)
    for _hour in range(3):
        call_command("send_reminders", "--date", str(day))
    assert Notification.objects.filter(kind=Kind.REMINDER).count() == 2
    assert len([m for m in mail.outbox if "あと1日" in m.subject]) == 2


def test_the_day_after_the_deadline_the_departments_and_the_reviewers_are_told_it_is_overdue(staff):
    submit(staff, 1)
    submit(staff, 3)
    call_command("send_reminders", "--date", str(DEADLINE + datetime.timedelta(days=1)))
    overdue = [m for m in mail.outbox if "提出期限を過ぎました" in m.subject]
    assert recipients(overdue) == ["editor-doboku@city.asahikawa.example", "reviewer@city.asahikawa.example"]
    to_reviewer = next(m for m in overdue if m.to == ["reviewer@city.asahikawa.example"])
    assert "土木部: 1件" in to_reviewer.body and "総務部" not in to_reviewer.body
    to_department = next(m for m in overdue if m.to == ["editor-doboku@city.asahikawa.example"])
    assert "2. 取組2（未報告）" in to_department.body
    call_command("send_reminders", "--date", str(DEADLINE + datetime.timedelta(days=2)))
    assert Notification.objects.filter(kind=Kind.OVERDUE).count() == 2


def test_an_editor_who_switched_reminders_off_gets_neither_reminders_nor_overdue_notices(staff):
    Preference.objects.create(user=staff.editor_doboku, reminders=False)
    notify.send_daily(today=DEADLINE - datetime.timedelta(days=7))
    notify.send_daily(today=DEADLINE + datetime.timedelta(days=1))
    assert not Notification.objects.filter(recipient=staff.editor_doboku).exists()
    assert Notification.objects.filter(recipient=staff.editor_somu, kind=Kind.REMINDER).exists()


def test_a_closed_cycle_sends_no_reminders(staff):
    services.cycle_close(cycle=staff.cycle, by=staff.reviewer)
    notify.send_daily(today=DEADLINE - datetime.timedelta(days=7))
    assert not Notification.objects.exists()


def test_send_reminders_refuses_a_malformed_date(staff):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "2026/03/24")


# --- no department's data reaches another -------------------------------------------------------


def test_every_mail_has_one_recipient_and_only_their_departments_records(staff, django_capture_on_commit_callbacks, make_user):
    other = make_user("editor-somu-2", role="部局編集者", departments=[staff.somu], email="somu2@city.asahikawa.example")
    open_next_cycle(staff, django_capture_on_commit_callbacks, deadline=datetime.date(2027, 3, 31))
    notify.send_daily(today=datetime.date(2027, 3, 24))
    notify.send_daily(today=datetime.date(2027, 4, 1))
    assert mail.outbox
    for message in mail.outbox:
        assert len(message.to) == 1 and not message.cc and not message.bcc
        if message.to == ["editor-doboku@city.asahikawa.example"]:
            text = message.body + html_of(message)
            assert "取組1" not in text and "総務部" not in text and "editor-somu" not in text and other.email not in text


# --- failures are recorded, never raised ---------------------------------------------------------


class UnreachableServer(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class BouncingServer(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"5.1.1 User unknown")})


def test_a_user_without_an_address_is_recorded_and_the_return_still_succeeds(staff, client, django_capture_on_commit_callbacks):
    staff.editor_doboku.email = ""
    staff.editor_doboku.save()
    submit(staff, 2)
    client.force_login(staff.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:initiatives_yearlyrecord_workflow", args=[staff.record(2).pk]),
            {"action": "return", "comment": "確認してください"},
        )
    assert response.status_code == 302 and staff.record(2).workflow_state == WorkflowState.RETURNED
    notification = Notification.objects.get(kind=Kind.RECORD_RETURNED)
    assert notification.delivery == Delivery.FAILED and "メールアドレスが登録されていません" in notification.error
    assert not mail.outbox


def test_an_unreachable_mail_server_is_tried_three_times_then_shown_as_failed(staff, settings, django_capture_on_commit_callbacks):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.UnreachableServer"}}
    return_record(staff, 2, django_capture_on_commit_callbacks)
    notification = Notification.objects.get(kind=Kind.RECORD_RETURNED)
    assert notification.delivery == Delivery.FAILED and notification.attempts == 3
    assert "SMTPServerDisconnected" in notification.error


def test_a_bounce_is_recorded_at_once_and_not_retried(staff, settings, django_capture_on_commit_callbacks):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.BouncingServer"}}
    return_record(staff, 2, django_capture_on_commit_callbacks)
    notification = Notification.objects.get(kind=Kind.RECORD_RETURNED)
    assert notification.delivery == Delivery.FAILED and notification.attempts == 1
    assert "550" in notification.error and "User unknown" in notification.error


def test_a_failed_notification_can_be_sent_again_from_the_log(staff, settings, client, django_capture_on_commit_callbacks):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.UnreachableServer"}}
    return_record(staff, 2, django_capture_on_commit_callbacks)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    client.force_login(staff.reviewer)
    notification = Notification.objects.get()
    response = client.post(reverse("admin:notifications_notification_changelist"),
                           {"action": "resend_selected", "_selected_action": [notification.pk]})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.delivery == Delivery.SENT and len(mail.outbox) == 1


def test_a_sent_notification_is_never_sent_again(staff, django_capture_on_commit_callbacks):
    from notifications.tasks import send_notification

    return_record(staff, 2, django_capture_on_commit_callbacks)
    send_notification.enqueue(Notification.objects.get().pk)
    assert len(mail.outbox) == 1


# --- the cycle released ---------------------------------------------------------------------


def test_releasing_a_cycle_mails_all_staff_with_the_links(staff, django_capture_on_commit_callbacks):
    for number in (1, 2, 3):
        complete(staff, number)
    services.cycle_publish_all(cycle=staff.cycle, by=staff.reviewer)
    services.cycle_close(cycle=staff.cycle, by=staff.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_release(cycle=staff.cycle, by=staff.reviewer, released_on=datetime.date(2026, 5, 1))
    assert recipients(mail.outbox) == [
        "editor-doboku@city.asahikawa.example", "editor-somu@city.asahikawa.example", "reviewer@city.asahikawa.example",
    ]
    body = mail.outbox[0].body
    assert "2026年5月1日に公表しました" in body
    assert "http://127.0.0.1:8000" + reverse("reports:annual-pdf", args=[staff.cycle.pk]) in body


# --- each person's settings -------------------------------------------------------------------


def test_a_person_switches_their_own_digests_and_reminders_off(staff, client):
    client.force_login(staff.editor_somu)
    page = client.get(reverse("admin:notifications_preferences"))
    assert page.status_code == 200 and "差戻し" in page.content.decode()
    response = client.post(reverse("admin:notifications_preferences"), {"digests": "on"})
    assert response.status_code == 302
    preference = Preference.objects.get(user=staff.editor_somu)
    assert preference.digests and not preference.reminders


def test_after_migrate_the_reviewers_may_read_the_logs_of_notifications_and_report_builds(db):
    from django.contrib.auth.models import Group

    from accounts import roles

    granted = set(Group.objects.get(name=roles.REVIEWER).permissions.values_list("content_type__app_label", "codename"))
    assert {("notifications", "view_notification"), ("reports", "view_reportbuild")} <= granted
    administrator = Group.objects.get(name=roles.ADMINISTRATOR).permissions
    assert administrator.filter(content_type__app_label="django_tasks_database", codename="view_dbtaskresult").exists()


def test_editors_cannot_read_the_notification_log(staff, client):
    client.force_login(staff.editor_somu)
    assert client.get(reverse("admin:notifications_notification_changelist")).status_code == 403
