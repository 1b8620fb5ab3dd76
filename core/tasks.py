"""Bounded retries for background tasks (django.tasks has none of its own), and whether a worker runs them.

A task that fails records what went wrong on its own model (a notification, a report
build), then calls `retry_later`: the next attempt is queued, a little later where the
backend can defer (the database backend), at once where it cannot (the immediate backend
of the tests). After the last attempt nothing more is queued and the failure stays shown.
"""
import datetime

from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone

MAX_ATTEMPTS = 3
RETRY_DELAYS = (datetime.timedelta(minutes=1), datetime.timedelta(minutes=10))  # before attempts 2 and 3


def runs_in_background() -> bool:
    """Whether a worker runs the tasks (django-tasks-db's queue), rather than the request that queues them."""
    return not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend)


def retry_later(task, *args, attempt: int, **kwargs) -> bool:
    """Queue attempt `attempt + 1` of `task`; False when `attempt` was the last one."""
    if attempt >= MAX_ATTEMPTS:
        return False
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1])
    task.enqueue(*args, attempt=attempt + 1, **kwargs)
    return True
