"""The floor of bench/bench_load.py: the smallest Django site that serves the same bytes.

One view returning, for an address, the file `<MINIMAL_ROOT>/<address>/index.html` (the portal's
pages as bench_load.py saved them, read once at start), no middleware, no database, run under the
same gunicorn configuration as the portal (`gunicorn -c gunicorn.conf.py --chdir bench
minimal_site:application`). What the portal adds on top of this is its own cost.
"""
import os
from pathlib import Path

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import Http404, HttpResponse
from django.urls import re_path

ROOT = Path(os.environ["MINIMAL_ROOT"])
BODIES = {f"/{file.parent.relative_to(ROOT).as_posix()}/".replace("/./", "/"): file.read_bytes() for file in ROOT.rglob("index.html")}

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    SECRET_KEY="minimal-site-for-benchmarks-only",
)


def page(request):
    try:
        return HttpResponse(BODIES[request.path], content_type="text/html; charset=utf-8")
    except KeyError:
        raise Http404 from None


urlpatterns = [re_path(r"", page)]
application = get_wsgi_application()
