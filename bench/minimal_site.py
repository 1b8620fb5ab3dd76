"""The baseline of bench/bench_load.py: the smallest Django site that serves the same bytes.

One view returning the file named by MINIMAL_BODY, no middleware, no database, run under
the same gunicorn configuration as the portal (`gunicorn -c gunicorn.conf.py
--chdir bench minimal_site:application`). What the portal adds on top of this is its own cost.
"""
import os
from pathlib import Path

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

BODY = Path(os.environ["MINIMAL_BODY"]).read_bytes()

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    SECRET_KEY="minimal-site-for-benchmarks-only",
)


def page(request):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]
application = get_wsgi_application()
