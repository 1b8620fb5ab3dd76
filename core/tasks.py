"""The project's background tasks: the request id they carry, bounded retries, one log line per run.

`task` is django.tasks' decorator making a `RequestTask`: a task queued while a request runs
stores that request's id beside its arguments (the `_request_id` keyword), and the process that runs
it (the worker, or the request itself with the immediate backend) logs under that id, so the
worker's lines of a task are found by the id of the request that queued it (core.log). A task
queued by a task (a retry) carries the same id on.

A task that fails records what went wrong on its own model (a notification, a report
build), then calls `retry_later`: the next attempt is queued, a little later where the
backend can defer (the database backend), at once where it cannot (the immediate backend
of the tests). After the last attempt nothing more is queued and the failure stays shown.
"""
import datetime
import logging

from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, Task, TaskResultStatus, task_backends
from django.tasks.backends.immediate import ImmediateBackend
from django.tasks.base import DEFAULT_TASK_PRIORITY
from django.utils import timezone

from core.log import bound_request_id, current_request_id

MAX_ATTEMPTS = 3
RETRY_DELAYS = (datetime.timedelta(minutes=1), datetime.timedelta(minutes=10))  # before attempts 2 and 3
REQUEST_ID_KWARG = "_request_id"

logger = logging.getLogger("reformtracker.tasks")


class RequestTask(Task):
    """A task that runs under the request id of the request that queued it."""

    __slots__ = ()

    def enqueue(self, *args, **kwargs):
        return super().enqueue(*args, **_with_request_id(kwargs))

    async def aenqueue(self, *args, **kwargs):
        return await super().aenqueue(*args, **_with_request_id(kwargs))

    def call(self, *args, **kwargs):
        with bound_request_id(kwargs.pop(REQUEST_ID_KWARG, None)):
            return super().call(*args, **kwargs)

    async def acall(self, *args, **kwargs):
        with bound_request_id(kwargs.pop(REQUEST_ID_KWARG, None)):
            return await super().acall(*args, **kwargs)


def _with_request_id(kwargs: dict) -> dict:
    request_id = current_request_id()
    return {**kwargs, REQUEST_ID_KWARG: request_id} if request_id and REQUEST_ID_KWARG not in kwargs else kwargs


def task(function=None, *, priority=DEFAULT_TASK_PRIORITY, queue_name=DEFAULT_TASK_QUEUE_NAME,
         backend=DEFAULT_TASK_BACKEND_ALIAS, takes_context=False):
    """django.tasks.task, making a RequestTask."""

    def wrapper(func):
        return RequestTask(func=func, priority=priority, queue_name=queue_name, backend=backend,
                           takes_context=takes_context)

    return wrapper(function) if function else wrapper


def log_task_run(sender, task_result, **kwargs) -> None:
    """One line per task run (django.tasks' task_finished): which task, its id, how it ended, under the id of the
    request that queued it. A failure's traceback is logged by django.tasks itself and kept on the task's result."""
    failed = task_result.status == TaskResultStatus.FAILED
    started, finished = task_result.started_at, task_result.finished_at
    duration = f" in {(finished - started).total_seconds():.3f} s" if started and finished else ""
    error = f": {task_result.errors[-1].exception_class_path}" if failed and task_result.errors else ""
    logger.log(
        logging.WARNING if failed else logging.INFO,
        "task %s id=%s %s%s%s", task_result.task.module_path, task_result.id, task_result.status.lower(), duration, error,
        extra={"request_id": task_result.kwargs.get(REQUEST_ID_KWARG), "task_id": str(task_result.id),
               "task": task_result.task.module_path, "outcome": task_result.status.lower()},
    )


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
