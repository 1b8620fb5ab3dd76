"""Log records with the request they belong to, for LOGGING (settings/base.py).

Django logs a failing request on `django.request` with the request attached to the record;
this filter copies what a person needs to find it (method, path, client address, user id)
into fields the formatter prints, with "-" for records without a request.

Every record also carries the request id (`request_id`): the id nginx gave the request
(X-Request-ID, core.middleware.RequestIdMiddleware), kept in a context variable for as long as
the request runs, and for as long as a background task queued by that request runs
(core.tasks), so that one id finds a request's lines in nginx's, gunicorn's and the worker's logs.
"""
import contextvars
import logging
import re
import uuid
from contextlib import contextmanager

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

NO_REQUEST_ID = "-"
# What an id from outside may look like (nginx's $request_id is 32 hex digits); anything else is replaced,
# so that a client cannot write arbitrary text into the logs.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def safe_request_id(value: str | None) -> str:
    """`value` when it is a safe token, otherwise a new id (uuid4, 32 hex digits)."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return uuid.uuid4().hex


@contextmanager
def bound_request_id(value: str | None):
    """Log records made inside carry `value` as their request id (None: none)."""
    token = _request_id.set(value)
    try:
        yield value
    finally:
        _request_id.reset(token)


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.method = getattr(request, "method", None) or "-"
        record.path = _path(request)
        record.client = _client(request)
        record.user_id = _user_id(request)
        if not getattr(record, "request_id", None):  # a record may name its own (core.tasks.log_task_run)
            # django.request logs a 4xx/5xx response after the middleware has returned: the id is on the request
            record.request_id = current_request_id() or getattr(request, "request_id", None) or NO_REQUEST_ID
        return True


class JsonFormatter(BaseJsonFormatter):
    """python-json-logger's formatter, without the request object Django attaches to some records (its
    fields are already there: method, path, client, user_id)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request"])
        super().__init__(*args, **kwargs)


def _path(request) -> str:
    try:
        return request.get_full_path() if request is not None else "-"
    except Exception:
        return "-"


def _client(request) -> str:
    if request is None or not hasattr(request, "META"):
        return "-"
    from core.clients import client_address

    try:
        return client_address(request) or "-"
    except Exception:
        return "-"


def _user_id(request) -> str:
    # only a user already loaded for the request: logging must not query a database that may be down
    user = getattr(request, "_cached_user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return "-"
    return str(user.pk)
