"""Log records with the request they belong to, for LOGGING (settings/base.py).

Django logs a failing request on `django.request` with the request attached to the record;
this filter copies what a person needs to find it (method, path, client address, user id)
into fields the formatter prints, with "-" for records without a request.
"""
import logging


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.method = getattr(request, "method", None) or "-"
        record.path = _path(request)
        record.client = _client(request)
        record.user_id = _user_id(request)
        return True


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
