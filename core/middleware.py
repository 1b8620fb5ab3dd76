"""The request id of every request; 503 instead of 500 while the database is unreachable.

RequestIdMiddleware takes the id nginx gives each request (X-Request-ID: $request_id), or makes
one when there is none or it is not a safe token, keeps it for the request's log lines and for the
tasks the request queues (core.log, core.tasks), and sends it back in the response's X-Request-ID.

DatabaseUnavailableMiddleware: a view that cannot reach the database (django.db.OperationalError / InterfaceError: the
server is down, restarting or refusing connections) answers 503 Service Unavailable with
Retry-After and a page in Japanese saying to try again shortly, so that people, crawlers and
the reverse proxy (which then serves its stale copy: deploy/nginx.conf) know it is
temporary. Pages held by the page cache are still served from it (public/cache.py).
"""
import logging

from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from core.log import bound_request_id, safe_request_id

RETRY_AFTER_SECONDS = 30

logger = logging.getLogger("reformtracker.database")
REQUEST_ID_HEADER = "X-Request-ID"


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = safe_request_id(request.headers.get(REQUEST_ID_HEADER))
        with bound_request_id(request.request_id):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        # django.request logs the 503 itself, with the request; this says why
        logger.warning("database unavailable: %s: %s", type(exception).__name__, exception, extra={"request": request})
        response = render(request, "503.html", {"retry_after": RETRY_AFTER_SECONDS}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response
