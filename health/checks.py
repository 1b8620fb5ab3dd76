"""Whether this process can serve everything it is asked: the readiness check behind /healthz/ready and
`manage.py check_ready` (health/views.py, health/management/commands/check_ready.py).

Each check tries the thing itself, cheaply: a query, a value through the shared cache, a small file through the
reports storage, the age of the newest worker heartbeat, the mail configuration (never a mail sent). They run side
by side, each in a thread of its own with its own connections, and the answer waits at most `CHECK_TIMEOUT` for
them: a check that hangs (a cache server that does not answer) is reported as an error and left to finish on its
own (no second one is started beside it meanwhile), and one failing check does not stop the others. The reasons
are short and name no host, address or password (the page is public); what went wrong in full goes to the log.
"""
import logging
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection, connections
from django.db.models import DurationField, ExpressionWrapper, F
from django.db.models.functions import Now

from core.tasks import runs_in_background

from .models import WorkerHeartbeat

CHECK_TIMEOUT = 5.0  # seconds the answer waits for the checks (they run at the same time)

logger = logging.getLogger("reformtracker.health")


class NotReady(Exception):
    """A check's answer that it is not ready, with the reason to show (no secrets)."""


def database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return f"{connection.vendor} answered a query"


def shared_cache() -> str:
    cache = caches["default"]
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=60)
    try:
        if cache.get(key) != value:
            raise NotReady("a value written to the cache was not read back")
    finally:
        cache.delete(key)
    return f"{type(cache).__name__} stored, returned and deleted a value"


def reports_storage() -> str:
    storage = storages["reports"]
    payload = uuid.uuid4().hex.encode()
    name = storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(payload))
    try:
        with storage.open(name, "rb") as file:
            if file.read() != payload:
                raise NotReady("a file written to the reports storage was not read back")
    finally:
        storage.delete(name)
    return f"{type(storage).__name__} wrote, read and deleted a file"


def worker() -> str:
    if not runs_in_background():
        return "no worker expected: tasks run in the request that queues them (immediate backend)"
    # the age by the database's clock, which also stamped the heartbeat (health.services.heartbeat_record)
    age = (
        WorkerHeartbeat.objects.annotate(age=ExpressionWrapper(Now() - F("beat_at"), output_field=DurationField()))
        .order_by("-beat_at").values_list("age", flat=True).first()
    )
    if age is None:
        raise NotReady("no worker has ever reported (is db_worker running?)")
    seconds, limit = max(age.total_seconds(), 0), settings.WORKER_HEARTBEAT_MAX_AGE
    if seconds > limit:
        raise NotReady(f"the newest worker heartbeat is {seconds:.0f} s old (more than {limit} s)")
    return f"the newest worker heartbeat is {seconds:.0f} s old"


def mail() -> str:
    from django.core.mail import mailers
    from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

    if not settings.MAILERS:
        raise NotReady("no mailer is configured (MAILERS)")
    described = []
    for alias in settings.MAILERS:
        backend = mailers[alias]  # imports the BACKEND and checks its OPTIONS; nothing is connected or sent
        if isinstance(backend, SMTPBackend):
            if not backend.host or not backend.port:
                raise NotReady(f"mailer {alias}: SMTP without a host or port")
            described.append(f"{alias}: SMTP, port {backend.port}{', TLS' if backend.use_tls or backend.use_ssl else ''}")
        else:
            described.append(f"{alias}: {type(backend).__module__}.{type(backend).__name__}")
    return "configured (" + "; ".join(described) + ")"


CHECKS = {
    "database": database,
    "cache": shared_cache,
    "reports_storage": reports_storage,
    "worker": worker,
    "mail": mail,
}


class _CheckThread(threading.Thread):
    """One check, in a daemon thread (a check that hangs never holds up the process's exit), with its own database
    and cache connections, closed when it ends."""

    def __init__(self, name: str, check):
        super().__init__(name=f"readiness-{name}", daemon=True)
        self.check, self.result, self.error = check, None, None

    def run(self) -> None:
        try:
            self.result = self.check()
        except Exception as error:  # noqa: BLE001 — reported by readiness()
            self.error = error
        finally:
            connections.close_all()
            for each in caches.all(initialized_only=True):
                each.close()


# The thread of each check's last run: while one still hangs, the next run reports it instead of starting
# another, so a server that never answers costs one thread per check, however often monitoring asks.
_last_runs: dict[str, _CheckThread] = {}
_last_runs_lock = threading.Lock()


def readiness() -> dict:
    """{"status": "ok" | "error", "checks": {name: {"status": "ok" | "error", "reason": …}}}."""
    runs = {}
    with _last_runs_lock:
        for name, check in CHECKS.items():
            previous = _last_runs.get(name)
            if previous is not None and previous.is_alive():
                runs[name] = None
            else:
                runs[name] = _last_runs[name] = _CheckThread(name, check)
                runs[name].start()
    deadline = time.monotonic() + CHECK_TIMEOUT
    results = {}
    for name, run in runs.items():
        if run is not None:
            run.join(timeout=max(deadline - time.monotonic(), 0))
        if run is None or run.is_alive():
            reason = f"no answer within {CHECK_TIMEOUT:g} s" if run else "the previous check has not answered yet"
            logger.warning("readiness check %s: %s", name, reason)
            results[name] = {"status": "error", "reason": reason}
        elif isinstance(run.error, NotReady):
            logger.warning("readiness check %s: %s", name, run.error)
            results[name] = {"status": "error", "reason": str(run.error)}
        elif run.error is not None:  # shown by its kind only: its message may name hosts
            logger.warning("readiness check %s failed", name, exc_info=run.error)
            results[name] = {"status": "error", "reason": f"failed: {type(run.error).__name__}"}
        else:
            results[name] = {"status": "ok", "reason": run.result}
    return {"status": "ok" if all(r["status"] == "ok" for r in results.values()) else "error", "checks": results}
