"""A notification queued by a request is sent under that request's id (core/tasks.py), in the request itself
(the immediate backend) and in the worker (the database backend), so the worker's lines are found by the id nginx
logged for the request."""
import smtplib

import pytest
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from core.tasks import REQUEST_ID_KWARG
from notifications.models import Delivery, Kind, Notification

from .conftest import submit

# the return's mail is queued when its transaction commits, inside the request: transactional tests
pytestmark = pytest.mark.django_db(transaction=True)

SEND = "notifications.tasks.send_notification"


def return_through_the_admin(client, staff, request_id: str):
    submit(staff, 2)
    client.force_login(staff.reviewer)
    response = client.post(reverse("admin:initiatives_yearlyrecord_workflow", args=[staff.record(2).pk]),
                           {"action": "return", "comment": "件数を確認してください"}, HTTP_X_REQUEST_ID=request_id)
    assert response.status_code == 302 and response["X-Request-ID"] == request_id
    return Notification.objects.get(kind=Kind.RECORD_RETURNED)


def task_lines(json_log) -> list[dict]:
    return [line for line in json_log() if line["name"] == "reformtracker.tasks" and line["task"] == SEND]


def run_the_worker() -> None:
    """django-tasks-db's worker in this process, outside any request: every ready task, then return."""
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="worker-in-test", excluded_queue_names=[]).run()


def test_a_mail_sent_in_the_request_logs_under_its_id(client, staff, json_log, mailoutbox):
    notification = return_through_the_admin(client, staff, "req-return-1")
    assert notification.delivery == Delivery.SENT and len(mailoutbox) == 1
    (line,) = task_lines(json_log)
    assert (line["request_id"], line["outcome"]) == ("req-return-1", "successful")


def test_the_worker_sends_it_later_under_the_id_of_the_request_that_queued_it(client, staff, settings, json_log,
                                                                               mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    notification = return_through_the_admin(client, staff, "req-return-2")
    assert notification.delivery == Delivery.QUEUED
    assert DBTaskResult.objects.get().task_result.kwargs == {REQUEST_ID_KWARG: "req-return-2"}
    assert task_lines(json_log) == []  # nothing ran in the request

    run_the_worker()
    notification.refresh_from_db()
    assert notification.delivery == Delivery.SENT and len(mailoutbox) == 1
    (line,) = task_lines(json_log)
    assert (line["request_id"], line["outcome"]) == ("req-return-2", "successful")
    assert line["task_id"] == str(DBTaskResult.objects.get().id)


def test_a_retry_queued_by_the_worker_keeps_the_request_id(client, staff, settings, json_log, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    notification = return_through_the_admin(client, staff, "req-return-3")

    def unreachable(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("the mail server went away")

    monkeypatch.setattr(EmailMultiAlternatives, "send", unreachable)
    run_the_worker()
    notification.refresh_from_db()
    assert notification.delivery == Delivery.QUEUED and notification.attempts == 1
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert retry.task_result.kwargs == {"attempt": 2, REQUEST_ID_KWARG: "req-return-3"}  # queued inside the task
    (line,) = task_lines(json_log)
    assert (line["request_id"], line["outcome"], line["task_id"]) == ("req-return-3", "failed", str(first.id))
    assert line["levelname"] == "WARNING" and line["message"].endswith(": smtplib.SMTPServerDisconnected")
