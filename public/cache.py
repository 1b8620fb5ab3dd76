"""Whole-page cache of the public pages, invalidated whenever what citizens see changes.

A cached page is stored under a key made of the current *generation*, the scheme and host
the request was made for, the language, the path and the query parameters the page knows.
The generation is a random token kept in the shared cache (`CACHES["default"]`): every
change that citizens can see — a publication, a cycle closing, the program's frame, the
ledger — replaces the token once its transaction has committed, so the next request for any
page misses and is built from the new data. Entries of older generations are never read
again and expire after `TIMEOUT`.

A release scheduled for its 公表日 becomes public at 0:00 Japan time with nothing saved at that
moment (ReportingCycle.public_at, set in advance). So the time of the next cycle to become public
is kept beside the token (`NEXT_PUBLIC_KEY`, worked out again at each new generation), and the
first request after it starts a new generation: the pages from before are not served once the
cycle is public. A cycle that becomes public when its reports are built saves `public_at`, which
starts a new generation like any other change.

The host is in the key because a page names its own address (the open-data links): a
request for another allowed host never fills or reads the canonical host's copy. Query
parameters a page does not know (`QUERY_PARAMETERS`) are removed from the request before
the page is built, and the known ones are put in a fixed order, so `?x=<random>` is the
same page, served from the cache, instead of a new entry and a new build each time. A view
that starts reading a new query parameter must be listed in `QUERY_PARAMETERS`.

Only anonymous GET/HEAD requests outside the staff paths are cached (anonymous unless the
session cookie names a live session of a logged-in user: a made-up `sessionid` is
anonymous too), and only complete 200 responses that set no cookie and do not vary on the
cookie (so no CSRF token or session is ever shared between visitors). Staff pages are never
cached: `Cache-Control: private, no-store` is added to them, so neither a browser nor the
reverse proxy keeps them. A cached page tells the reverse proxy how long it may keep it and how
long a stale copy may still be served (`s-maxage`, `stale-while-revalidate`, `stale-if-error`:
deploy/nginx.conf follows them), so that a page withdrawn here is soon withdrawn there too.

With several application processes the cache must be shared between them (the production
default is a file-based cache under var/; a `DJANGO_CACHE_URL` such as memcached or Redis
serves several hosts); the per-process local-memory cache is fine for `make run`.

The shared cache is a help, never a condition: while it cannot be reached (memcached stopped, the
network between hosts cut) or keeps nothing, every page is built for its request and nothing is
cached, not even in a process's memory (its generation could not be checked); an entry the cache
refuses (memcached keeps at most 1 MB) is simply not kept there. A change made while the cache
cannot be reached cannot start a new generation there: it is logged as an error, and each process
that found the cache unreachable starts a new generation once it reaches it again, so that the
pages of the generation from before the outage are not served after it.
`PUBLIC_PAGE_CACHE = False` turns it off (the unit tests do, except those about caching).
"""
import hashlib
import logging
import threading
import uuid
from collections import OrderedDict
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import has_vary_header, patch_cache_control

GENERATION_KEY = "public-pages:generation"
NEXT_PUBLIC_KEY = "public-pages:next-public-at"  # a timestamp, or 0 when no cycle is waiting to become public
TIMEOUT = 60 * 60
# Paths never cached; their responses are marked private.
PRIVATE_PREFIXES = ("/admin/", "/healthz", "/i18n/", "/reports/import/")
# Seconds a shared cache in front (the nginx micro-cache) may keep an anonymous public page.
SHARED_MAX_AGE = 1
# Seconds past that during which it may still serve its copy while one request fetches the new one
# (stale-while-revalidate): readers of a busy page do not wait for Django, and a page Django no
# longer serves (404) is gone from the shared cache within SHARED_MAX_AGE + this + nginx's
# rounding to whole seconds (3 s). How long a copy may stand in for a Django that cannot be
# reached (stale-if-error) is settings.PUBLIC_STALE_IF_ERROR.
STALE_WHILE_REVALIDATE = 1
# Pages each process also keeps in its own memory (of the current generation only), so that
# a hit reads the shared cache once, for the generation token.
LOCAL_PAGES = 200
# The query parameters each page reads (by URL name); any other parameter is dropped.
TABLE_PARAMETERS = ("sort", "page")  # django-tables2's sorting and pagination


def _list_parameters() -> tuple[str, ...]:
    from .filters import PublishedInitiativeFilter

    return (*PublishedInitiativeFilter.base_filters, *TABLE_PARAMETERS, "per_page", "format")


QUERY_PARAMETERS = {
    "public:initiative-list": _list_parameters,
    "public:initiative-list-csv": _list_parameters,
    "public:initiative-list-xlsx": _list_parameters,
    "public:department-detail": lambda: TABLE_PARAMETERS,
    "public:archive-cycle": lambda: TABLE_PARAMETERS,
}


logger = logging.getLogger(__name__)

# Set while this process finds the shared cache unreachable (or keeping nothing), and after a change it could
# not record there: the next time the process reaches the cache it starts a new generation.
_unreachable = threading.Event()


def generation() -> str | None:
    """The current generation; a new one once a cycle scheduled to become public has become public, or once the
    shared cache is reached again after this process found it unreachable. None while the cache cannot be
    reached or keeps nothing: then no page is cached."""
    try:
        return _generation()
    except Exception:  # noqa: BLE001 — whatever the cache's client raises (memcached, Redis): build the page
        if not _unreachable.is_set():
            logger.warning("The shared cache cannot be reached: public pages are built for every request", exc_info=True)
        _unreachable.set()
        return None


def _generation() -> str | None:
    stored = cache.get_many([GENERATION_KEY, NEXT_PUBLIC_KEY])
    token, next_public = stored.get(GENERATION_KEY), stored.get(NEXT_PUBLIC_KEY)
    if (token is not None and next_public is not None and not _unreachable.is_set()
            and (next_public == 0 or timezone.now().timestamp() < next_public)):
        return token
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    else:  # the moment has come, or is not known, or changes may have been missed (another process may do it too)
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    token = cache.get(GENERATION_KEY)
    if token is None:  # nothing kept (a client that answers "not found" for a server it found down)
        _unreachable.set()
        return None
    _unreachable.clear()
    _schedule_next_public()
    return token


def _schedule_next_public() -> None:
    """Keep when the next released cycle becomes public (0 when none waits), so that `generation` rolls then."""
    from programs.models import ReportingCycle

    try:
        moment = (
            ReportingCycle.objects.released().filter(public_at__gt=timezone.now())
            .order_by("public_at").values_list("public_at", flat=True).first()
        )
    except DatabaseError:  # look again in a minute
        cache.set(NEXT_PUBLIC_KEY, timezone.now().timestamp() + 60, timeout=None)
        return
    cache.set(NEXT_PUBLIC_KEY, moment.timestamp() if moment else 0, timeout=None)


def invalidate() -> None:
    """Start a new generation: every page is rebuilt on its next request. When the shared cache cannot take it,
    the change has been saved all the same: the error is logged, and this process starts a new generation once
    it reaches the cache again."""
    token = uuid.uuid4().hex
    try:
        cache.set(GENERATION_KEY, token, timeout=None)
        recorded = cache.get(GENERATION_KEY) is not None
    except Exception:  # noqa: BLE001 — whatever the cache's client raises
        recorded = False
    if not recorded:
        _unreachable.set()
        logger.error("The shared cache could not record a change of the public pages: pages cached before it may be "
                     "served until the cache is reached again")
        return
    _schedule_next_public()


def invalidate_after_commit(**kwargs) -> None:
    transaction.on_commit(invalidate)


def connect_signals() -> None:
    """Invalidate on anything the public pages show: publications, cycles, the frame, the statuses and the ledger.

    A publication creates a PublishedVersion, so its post_save covers it (the `published`
    signal would only invalidate a second time)."""
    from finance.models import LedgerCategory, LedgerEntry, LedgerStatement
    from initiatives.models import PublishedVersion
    from programs.models import (
        Department,
        Division,
        Perspective,
        Pillar,
        Program,
        ProgramStatus,
        ReportingCycle,
        SiteIdentity,
    )

    for model in [
        PublishedVersion, ReportingCycle, Program, ProgramStatus, Perspective, Pillar, Department, Division,
        SiteIdentity, LedgerCategory, LedgerStatement, LedgerEntry,
    ]:
        for signal in (post_save, post_delete):
            signal.connect(invalidate_after_commit, sender=model, dispatch_uid=f"public.cache.{signal}.{model.__name__}")


def _is_static(path: str) -> bool:
    return path.startswith("/" + settings.STATIC_URL.lstrip("/"))


def _is_private_path(path: str) -> bool:
    return path.startswith(PRIVATE_PREFIXES)


def _known_parameters(path: str) -> tuple[str, ...]:
    try:
        match = resolve(path)
    except Resolver404:
        return ()
    if match.view_name == "public:earlier-address":  # redirected with the parameters its new address reads
        return _known_parameters("/_/" + match.kwargs["path"])
    known = QUERY_PARAMETERS.get(match.view_name)
    return tuple(known()) if known else ()


def normalise_query(request) -> None:
    """Keep only the query parameters the page knows, sorted by name: the page is built from
    exactly what its cache key holds."""
    if not request.GET:
        return
    known = set(_known_parameters(request.path_info))
    pairs = [(name, value) for name in sorted(request.GET) if name in known for value in request.GET.getlist(name)]
    query = urlencode(pairs)
    request.META["QUERY_STRING"] = query
    request.GET = QueryDict(query)


def _key(request, current_generation: str) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    language = translation.get_language_from_request(request)
    return f"public-pages:{current_generation}:{language}:{request.method == 'HEAD'}:{digest}"


def _storable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not has_vary_header(response, "Cookie")
    )


def _may_be_staff(request) -> bool:
    """A request whose session cookie names a live session of a logged-in user is never served
    from the cache; any other cookie value (a made-up one, an expired session) is anonymous.

    The session is read here, not through `request.user`, so that anonymous pages do not vary
    on the cookie; only requests that carry the cookie pay for the lookup."""
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    try:
        return SESSION_KEY in store.load()
    except DatabaseError:  # let the request through: the view answers 503 (core/middleware.py)
        return True


class LocalPages:
    """The pages of the current generation this process has seen: (body, headers) by key."""

    def __init__(self, size: int):
        self.size = size
        self.lock = threading.Lock()
        self.generation = None
        self.pages = OrderedDict()

    def get(self, generation: str, key: str):
        with self.lock:
            if generation != self.generation:
                self.generation, self.pages = generation, OrderedDict()
                return None
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def clear(self) -> None:
        with self.lock:
            self.generation, self.pages = None, OrderedDict()

    def put(self, generation: str, key: str, page) -> None:
        with self.lock:
            if generation != self.generation:
                self.generation, self.pages = generation, OrderedDict()
            self.pages[key] = page
            if len(self.pages) > self.size:
                self.pages.popitem(last=False)


def _page(response) -> tuple[bytes, list]:
    return response.content, list(response.headers.items())


def _response(page, state: str) -> HttpResponse:
    content, headers = page
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    response["X-Page-Cache"] = state
    return response


class PublicPageCacheMiddleware:
    """Serves anonymous public pages from the cache.

    It sits near the top of MIDDLEWARE (after SecurityMiddleware and WhiteNoise): a hit skips
    every middleware below it, and a miss stores the response once they have all added their
    headers (CSP, X-Frame-Options, Content-Language, Vary), so a hit carries the same headers.
    A page is looked up in this process's memory first, then in the shared cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.local = LocalPages(LOCAL_PAGES)

    def __call__(self, request):
        if not settings.PUBLIC_PAGE_CACHE or _is_static(request.path):
            return self.get_response(request)
        if _is_private_path(request.path) or request.method not in ("GET", "HEAD") or _may_be_staff(request):
            response = self.get_response(request)
            patch_cache_control(response, private=True, no_store=True)
            return response

        normalise_query(request)
        current = generation()
        if current is None:  # the shared cache cannot be reached: nothing is served from a cache, nor kept
            self.local.clear()
            return self.get_response(request)
        key = _key(request, current)
        page = self.local.get(current, key)
        if page is not None:
            return _response(page, "hit")
        page = _shared_get(key)
        if page is not None:
            self.local.put(current, key, page)
            return _response(page, "hit")
        response = self.get_response(request)
        if _storable(response):
            patch_cache_control(
                response, public=True, max_age=0, s_maxage=SHARED_MAX_AGE,
                stale_while_revalidate=STALE_WHILE_REVALIDATE, stale_if_error=settings.PUBLIC_STALE_IF_ERROR,
            )
            page = _page(response)
            _shared_set(key, page)
            self.local.put(current, key, page)
            response["X-Page-Cache"] = "miss"
        return response


def _shared_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 — unreachable since the generation was read: a miss
        logger.warning("The shared cache cannot be reached", exc_info=True)
        return None


def _shared_set(key: str, page) -> None:
    try:
        cache.set(key, page, TIMEOUT)
    except Exception:  # noqa: BLE001 — refused (memcached keeps at most 1 MB an entry) or unreachable: not kept there
        logger.warning("The shared cache did not keep a page of %d bytes", len(page[0]), exc_info=True)
