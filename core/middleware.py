"""503 instead of 500 while the database is unreachable.

A view that cannot reach the database (django.db.OperationalError / InterfaceError: the
server is down, restarting or refusing connections) answers 503 Service Unavailable with
Retry-After and a page in Japanese saying to try again shortly, so that people, crawlers and
the reverse proxy (which then serves its stale copy: deploy/nginx.conf) know it is
temporary. Pages held by the page cache are still served from it (public/cache.py).
"""
import logging

from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

RETRY_AFTER_SECONDS = 30

logger = logging.getLogger("reformtracker.database")


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
