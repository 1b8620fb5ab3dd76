#!/usr/bin/env python3
"""Where a cached public page's time goes in Django, against the floor of a Django response.

    .venv/bin/python bench/bench_cached_page.py [--requests 5000]

bench_load.py measures cached pages through gunicorn against a minimal Django view that returns the
same bytes; this script splits the difference, in one process, with the production settings and
their shared file cache (in a temporary directory, removed afterwards; no database is touched on a
hit). A page is put in the cache under the key `public/cache.py` computes for the reform program's
summary, then each request goes through Django's WSGI handler, as gunicorn calls it:

- floor: the WSGI handler with no middleware and no URL resolving, answering the same bytes;
- portal hit: the production middleware, the page from this process's memory (`LocalPages`);
- portal hit from the shared cache: the same with `LocalPages` always missing;

and, alone, the page cache's middleware on a hit (the rest of a portal hit is the middleware above
it, SecurityMiddleware and WhiteNoise, and the response passing back through them), and its steps: the generation lookup (two keys of the shared cache),
`normalise_query` and the key, `LocalPages.get`, and the response built from the stored page.
Prints microseconds per request (best of five rounds) and the floor / portal ratio in this process,
and the machine.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from pages import machine, reform_pages

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def best_of(function, count: int, rounds: int = 5) -> float:
    """Microseconds per call, best of `rounds` rounds of `count` calls."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(count):
            function()
        times.append((time.perf_counter() - start) / count * 1e6)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000, help="requests per round")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-cached-page-") as directory:
        os.environ.update({
            "DJANGO_SETTINGS_MODULE": "reformtracker.settings.production",
            "DATABASE_URL": f"sqlite:///{directory}/unused.sqlite3",
            "DJANGO_CACHE_URL": f"filecache://{directory}/cache",
            "REFORMTRACKER_VAR_DIR": directory,
            "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_STATIC_ROOT": f"{directory}/static",
        })
        os.makedirs(f"{directory}/static")
        import django

        django.setup()
        from django.core.cache import cache
        from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
        from django.http import HttpResponse
        from django.test import RequestFactory

        from public import cache as page_cache

        path = reform_pages()[0].path
        body = b"<!doctype html>" + b"x" * 6000  # about the size of the summary page
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Language", "ja"),
                   ("Vary", "Accept-Language, Cookie"), ("X-Frame-Options", "DENY"),
                   ("Content-Security-Policy", "default-src 'self'"), ("Cache-Control", "max-age=0, s-maxage=1")]
        environ = RequestFactory().get(path, HTTP_HOST="127.0.0.1").environ

        def request():
            return WSGIRequest(dict(environ, **{"wsgi.input": environ["wsgi.input"]}))

        current = page_cache.generation()
        cache.set(page_cache._key(request(), current), (body, headers), page_cache.TIMEOUT)

        def call(handler):
            def once():
                response = handler(dict(environ), lambda status, headers: None)
                b"".join(response)
                response.close()
            return once

        portal = WSGIHandler()
        call(portal)()
        assert portal(dict(environ), lambda *a: None).headers["X-Page-Cache"] == "hit"
        floor = WSGIHandler()
        floor._middleware_chain = lambda request: HttpResponse(body, content_type="text/html; charset=utf-8")
        local_get = page_cache.LocalPages.get

        n = args.requests
        figures = {"floor: WSGI handler, no middleware": best_of(call(floor), n),
                   "portal hit (LocalPages)": best_of(call(portal), n)}
        page_cache.LocalPages.get = lambda *a: None
        figures["portal hit from the shared file cache"] = best_of(call(portal), n)
        page_cache.LocalPages.get = local_get
        sample = request()
        key = page_cache._key(sample, current)
        pages = page_cache.LocalPages(page_cache.LOCAL_PAGES)
        pages.put(current, key, (body, headers))
        alone = page_cache.PublicPageCacheMiddleware(lambda request: None)
        alone.local.put(current, key, (body, headers))
        steps = {
            "PublicPageCacheMiddleware alone (a hit)": best_of(lambda: alone(request()), n),
            "generation lookup (file cache, 2 keys)": best_of(page_cache.generation, n),
            "normalise_query + key": best_of(lambda: (page_cache.normalise_query(sample), page_cache._key(sample, current)), n),
            "LocalPages.get": best_of(lambda: pages.get(current, key), n),
            "response from the stored page": best_of(lambda: page_cache._response((body, headers), "hit"), n),
            "WSGIRequest from the environ": best_of(request, n),
        }
        print(f"{'per request, in one process':<44} {'µs':>8}")
        for name, micros in {**figures, **steps}.items():
            print(f"{name:<44} {micros:8.1f}")
        print(f"\nfloor / portal hit = {figures['floor: WSGI handler, no middleware'] / figures['portal hit (LocalPages)']:.1%}"
              " (the ratio of requests per second this process alone allows)")
        print(machine())


if __name__ == "__main__":
    main()
