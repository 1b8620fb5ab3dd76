"""Sending a notification: a background task (django.tasks), retried a bounded number of times.

A refusal by the mail server for the address itself (550 user unknown: a bounce) is final at
once; a server that cannot be reached or answers "try later" (4xx) gets another attempt
(core.tasks.retry_later). A mail that cannot even be made from its notification (a
header or body the mail format refuses) fails at once too, before any server or file sees it.
Either way the notification records the attempt and the error, and the reform office sees the
failures on its home page and in 通知の記録, from where they can be sent again.
"""
import smtplib

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from core.tasks import MAX_ATTEMPTS, retry_later, task

from . import mail
from .models import Delivery, Notification

UNBUILDABLE = "メールを作成できませんでした（{error}）"


def is_permanent(error: Exception) -> bool:
    """A 5xx answer or a refused recipient: retrying would be refused again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{address}: {code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
                            for address, (code, reply) in error.recipients.items())
        return f"宛先がメールサーバーに拒否されました（{refused}）"
    return f"{type(error).__name__}: {error}"


@task()
def send_notification(notification_id: int, attempt: int = 1) -> str:
    notification = Notification.objects.get(pk=notification_id)
    if notification.delivery != Delivery.QUEUED:
        return notification.delivery  # sent already, or given up: nothing is sent twice
    message = EmailMultiAlternatives(  # headers on one line, also for a row logged before subjects were made so
        mail.header_value(notification.subject), notification.body_text, to=[mail.header_value(notification.address)],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(notification.body_html, "text/html")
    notification.attempts = attempt
    try:
        message.message().as_bytes()  # made as it will be sent: refused here, it is the data, and no retry helps
    except Exception as error:  # noqa: BLE001 — whatever the mail format refuses
        notification.error = UNBUILDABLE.format(error=describe(error))
        notification.delivery = Delivery.FAILED
        notification.save(update_fields=["attempts", "error", "delivery"])
        return notification.delivery
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 — every failure is recorded, then retried or shown
        permanent = is_permanent(error)
        retrying = not permanent and attempt < MAX_ATTEMPTS
        notification.error = describe(error)
        notification.delivery = Delivery.QUEUED if retrying else Delivery.FAILED
        notification.save(update_fields=["attempts", "error", "delivery"])
        if permanent:
            return notification.delivery  # a bounce is an answer, not a fault of the task
        if retrying:
            retry_later(send_notification, notification_id, attempt=attempt)
        raise  # the task's own result shows the failure too (db_worker's admin)
    notification.delivery = Delivery.SENT
    notification.sent_at = timezone.now()
    notification.save(update_fields=["attempts", "delivery", "sent_at"])
    return notification.delivery
