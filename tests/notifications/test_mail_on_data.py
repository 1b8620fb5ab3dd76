"""Mail never breaks on data: a header made from data is one line, and a mail that still fails is
recorded as failed, shown to the reform office (home page, 通知の記録), can be sent again, and
leaves no file behind.

Mail goes through the development default, one file per mail under a directory
(DJANGO_EMAIL_URL=filemail://…), on the `world` and a second program whose open cycle
土木部 reports in too: each return below is one mail per program to editor-doboku."""
import email
import email.policy

import pytest
from django.core.mail.backends import filebased
from django.urls import reverse

from initiatives import services
from initiatives.models import Initiative
from notifications.models import Delivery, Kind, Notification
from reformtracker.settings.base import mailers
from tests.factories import InitiativeFactory, PerspectiveFactory, PillarFactory, ProgramFactory, ResponsibilityFactory

from .conftest import submit

pytestmark = pytest.mark.django_db

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


@pytest.fixture
def mail_files(settings, tmp_path):
    """Where the file backend writes each mail, as `make run` does under var/mail."""
    settings.MAILERS = mailers(f"filemail://{tmp_path / 'mail'}")
    return tmp_path / "mail"


@pytest.fixture
def dx(staff):
    """A second program, 令和8年度当初 open, with one initiative of 土木部's."""
    program = ProgramFactory(name="旭川市DX推進方針", slug="dx", has_ledger=False, fiscal_target_thousand_yen=None)
    pillar = PillarFactory(perspective=PerspectiveFactory(program=program))
    initiative = InitiativeFactory(pillar=pillar, number=2, name="窓口のオンライン化")
    ResponsibilityFactory(initiative=initiative, department=staff.doboku)
    cycle = services.cycle_open(program=program, fiscal_year=2025, by=staff.reviewer)
    return cycle.records.get()


def return_both(staff, dx, capture):
    """The reform program's initiative 2 and the DX program's initiative 2 returned to 土木部."""
    submit(staff, 2)
    services.record_update(record=dx, by=staff.reviewer, data={"plan": "計画", "result": "実績", "status": "on_schedule"})
    services.record_submit(record=dx, by=staff.reviewer)
    with capture(execute=True):
        services.record_return(record=staff.record(2), by=staff.reviewer, comment="件数を書いてください。")
        services.record_return(record=dx, by=staff.reviewer, comment="時期を書いてください。")
    return list(Notification.objects.filter(kind=Kind.RECORD_RETURNED).order_by("pk"))


def written(directory) -> list[email.message.EmailMessage]:
    """The mails the file backend wrote, parsed as a mail client would."""
    messages = []
    for path in sorted(directory.iterdir()):
        for part in path.read_bytes().split(SEPARATOR):
            if part.strip():
                messages.append(email.message_from_bytes(part, policy=email.policy.default))
    return messages


def test_a_return_mail_for_an_initiative_named_on_two_lines_is_sent_with_a_one_line_subject(
    staff, dx, mail_files, django_capture_on_commit_callbacks
):
    Initiative.objects.filter(pk=staff.initiatives[2].pk).update(name="道路維持の見直し\n（第2期）")
    Initiative.objects.filter(pk=dx.initiative_id).update(name="窓口の\r\nオンライン化\t")
    notifications = return_both(staff, dx, django_capture_on_commit_callbacks)
    assert [n.delivery for n in notifications] == [Delivery.SENT, Delivery.SENT]
    assert [n.attempts for n in notifications] == [1, 1]
    messages = written(mail_files)
    dx_subject = "【旭川市 行財政改革】差戻し（旭川市DX推進方針）: 2. 窓口の オンライン化"
    reform_subject = f"【旭川市 行財政改革】差戻し（{staff.program.display_short_name}）: 2. 道路維持の見直し （第2期）"
    assert sorted(m["Subject"] for m in messages) == sorted([dx_subject, reform_subject])
    assert [m["To"] for m in messages] == ["editor-doboku@city.asahikawa.example"] * 2
    bodies = {m["Subject"]: m.get_body(("plain",)).get_content() for m in messages}
    assert "プログラム: 旭川市DX推進方針" in bodies[dx_subject]
    assert f"プログラム: {staff.program.name}" in bodies[reform_subject]


def test_a_mail_that_fails_is_recorded_shown_to_the_reform_office_and_leaves_no_file(
    staff, dx, mail_files, client, monkeypatch, django_capture_on_commit_callbacks
):
    def disk_full(self, message):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(filebased.EmailBackend, "write_message", disk_full)
    notifications = return_both(staff, dx, django_capture_on_commit_callbacks)
    for notification in notifications:
        notification.refresh_from_db()
        assert notification.delivery == Delivery.FAILED and notification.attempts == 3
        assert "No space left on device" in notification.error
    assert not mail_files.exists() or not list(mail_files.iterdir())  # no empty file stays behind

    client.force_login(staff.reviewer)
    home = client.get(reverse("admin:index")).content.decode()
    assert "送信できなかった通知 2件" in home and home.count("No space left on device") == 2
    failed = client.get(reverse("admin:notifications_notification_changelist"), {"delivery__exact": "failed"}).content.decode()
    assert failed.count("No space left on device") == 2
    assert f"令和8年度当初（{staff.program.display_short_name}）" in failed and "令和8年度当初（旭川市DX推進方針）" in failed

    monkeypatch.undo()
    response = client.post(reverse("admin:notifications_notification_changelist"),
                           {"action": "resend_selected", "_selected_action": [n.pk for n in notifications]})
    assert response.status_code == 302
    assert {n.delivery for n in Notification.objects.filter(pk__in=[n.pk for n in notifications])} == {Delivery.SENT}
    assert len(written(mail_files)) == 2
    assert "送信できなかった通知 0件" in client.get(reverse("admin:index")).content.decode()


def test_a_mail_that_cannot_be_made_fails_at_once_without_a_file(staff, dx, mail_files, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    from django.core.mail import EmailMultiAlternatives

    def refused(self, *args, **kwargs):
        raise ValueError("Header values may not contain linefeed or carriage return characters")

    monkeypatch.setattr(EmailMultiAlternatives, "message", refused)
    notifications = return_both(staff, dx, django_capture_on_commit_callbacks)
    for notification in notifications:
        notification.refresh_from_db()
        assert notification.delivery == Delivery.FAILED and notification.attempts == 1  # the data: no retry helps
        assert notification.error.startswith("メールを作成できませんでした")
    assert not mail_files.exists() or not list(mail_files.iterdir())


def test_a_return_mail_for_the_longest_initiative_name_has_a_subject_that_fits_the_log(
    staff, dx, mail_files, django_capture_on_commit_callbacks
):
    Initiative.objects.filter(pk=staff.initiatives[2].pk).update(name="見直し" * 66 + "。")  # 199 characters of 200
    notifications = return_both(staff, dx, django_capture_on_commit_callbacks)
    assert [n.delivery for n in notifications] == [Delivery.SENT, Delivery.SENT]
    long = notifications[0].subject
    assert len(long) == 200 and long.endswith("…") and long.startswith(f"【旭川市 行財政改革】差戻し（{staff.program.display_short_name}）: 2. 見直し")
    assert long in [m["Subject"] for m in written(mail_files)]
