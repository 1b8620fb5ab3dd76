"""Settings shared by every environment, read from environment variables.

Development defaults are safe and need nothing set: SQLite in var/db.sqlite3,
DEBUG on, a throwaway secret key. Production overrides live in production.py.
"""
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-not-for-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "reformtracker.apps.StaffAdminConfig",  # django.contrib.admin, its index being each person's home page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_tables2",
    "django_filters",
    "simple_history",
    "reformtracker.apps.AxesConfig",  # django-axes under a Japanese name
    "programs",
    "finance",
    "initiatives",
    "reports",
    "recordimport",  # the Excel import of the yearly records (under /reports/import/)
    "public",
    "reformtracker.apps.TasksConfig",  # django_tasks_db, the task queue in the database; `manage.py db_worker` runs it
    "notifications",  # mail to staff: cycle opened, returns, digests, reminders (on top of initiatives)
    "accounts",  # after django.contrib.auth: replaces its User and Group admins
    "health",  # the workers' heartbeats and the readiness check (/healthz/ready, manage.py check_ready)
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",  # first: every response and log line, a cached page's too, has the id
    "django.middleware.security.SecurityMiddleware",
    "public.cache.PublicPageCacheMiddleware",  # a hit skips everything below
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.language.StaffLanguageMiddleware",  # staff pages in Japanese unless English was chosen
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",  # 503 while the database is down
]

ROOT_URLCONF = "reformtracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "reformtracker.wsgi.application"

VAR_DIR = Path(env.str("REFORMTRACKER_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite database and built reports live here
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent saves wait for each other instead of failing with "database is locked":
    # writers take the lock when their transaction begins, and wait up to 20 s for it.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}

# The public pages' cache (public/cache.py). The default, one process's memory, suits `make run`;
# several processes need a shared cache: production defaults to files under var/cache,
# DJANGO_CACHE_URL (e.g. pymemcache://127.0.0.1:11211, redis://…) serves several hosts.
CACHES = {"default": env.cache("DJANGO_CACHE_URL", default="locmemcache://reformtracker")}
PUBLIC_PAGE_CACHE = env.bool("REFORMTRACKER_PUBLIC_PAGE_CACHE", default=True)
# Seconds the reverse proxy may serve its last copy of a public page while the application cannot
# be reached (Cache-Control: stale-if-error; deploy/nginx.conf), counted from when the copy expired.
PUBLIC_STALE_IF_ERROR = env.int("REFORMTRACKER_STALE_IF_ERROR", default=600)

# E-mail (notifications, error reports to ADMINS, password resets): written as files under var/mail
# in development unless DJANGO_EMAIL_URL names a server, e.g. smtp+tls://user:password@mail.city.asahikawa.example:587


def mailers(url: str) -> dict:
    """Django 6.1's MAILERS from an e-mail URL (consolemail://, smtp+tls://user:pass@host:587, …)."""
    config = environ.Env.email_url_config(url)
    options = {
        "host": config.get("EMAIL_HOST"), "port": config.get("EMAIL_PORT"),
        "username": config.get("EMAIL_HOST_USER"), "password": config.get("EMAIL_HOST_PASSWORD"),
        "use_tls": config.get("EMAIL_USE_TLS"), "use_ssl": config.get("EMAIL_USE_SSL"),
    }
    smtp = config["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    if config["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):  # filemail:///absolute/path, one file per mail
        options = {"file_path": "/" + config["EMAIL_FILE_PATH"].lstrip("/")}
        return {"default": {"BACKEND": "core.mail.FileBackend", "OPTIONS": options}}  # no empty file on failure
    return {"default": {"BACKEND": config["EMAIL_BACKEND"], "OPTIONS": {k: v for k, v in options.items() if v} if smtp else {}}}


MAILERS = mailers(env.str("DJANGO_EMAIL_URL", default=f"filemail://{VAR_DIR / 'mail'}"))
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="reformtracker@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = env.list("DJANGO_ADMINS", default=[])  # addresses that receive error reports
# The portal's address as staff reach it: every mail links back to it (notifications/).
SITE_URL = env.str("REFORMTRACKER_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Slow work runs in the background (django.tasks): mail, annual report builds. Tasks are stored in
# the database and run by `manage.py db_worker` (make run starts one beside the server); the tests
# run them in-process (ImmediateBackend).
TASKS = {"default": {"BACKEND": env.str("REFORMTRACKER_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}
# A worker building a report renews its lease on the build every third of this; a build whose lease ran out
# (its worker died) is taken again by the next worker within half of it (reports/builds.py).
REPORTS_BUILD_LEASE_SECONDS = env.int("REFORMTRACKER_BUILD_LEASE_SECONDS", default=60)
# Every db_worker records a heartbeat at least every 30 s (health/); the readiness check (/healthz/ready)
# fails when the newest is older than this many seconds, unless tasks run in the request (immediate backend).
WORKER_HEARTBEAT_MAX_AGE = env.int("REFORMTRACKER_WORKER_HEARTBEAT_MAX_AGE", default=120)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Japanese first; English through the same translation machinery.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # The built annual reports (reports/builds.py). Several web hosts and a worker elsewhere share them:
    # a shared volume (REFORMTRACKER_REPORTS_DIR), or an S3-compatible bucket (django-storages) through
    # REFORMTRACKER_REPORTS_STORAGE and its JSON options in REFORMTRACKER_REPORTS_STORAGE_OPTIONS.
    "reports": {
        "BACKEND": env.str("REFORMTRACKER_REPORTS_STORAGE", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("REFORMTRACKER_REPORTS_STORAGE_OPTIONS", default={})
        or {"location": env.str("REFORMTRACKER_REPORTS_DIR", default=str(VAR_DIR / "reports"))},
    },
}

LOGIN_URL = "admin:login"

# --- security (the same in every environment, so that tests exercise it) ---------------

# No inline scripts or styles anywhere: every asset is a file served by the portal.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Staff sessions end after a working day, and when the browser closes.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Login throttling (django-axes): 5 failures lock the username from that address for an hour.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Behind nginx, REMOTE_ADDR is the proxy: the client is taken from X-Forwarded-For, trusting exactly
# this many proxies (core/clients.py); 0 in development (no proxy), 1 in production (nginx).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"  # the lockout page in Japanese, saying what to do

# Staff password reset by e-mail (accounts/views.py): requests per hour before it is refused.
PASSWORD_RESET_LIMITS = {"per_email": 3, "per_address": 10}

# Uploads (the Excel import) are refused above 10 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

DJANGO_TABLES2_TEMPLATE = "django_tables2/semantic.html"

# Log lines go to stderr, where gunicorn and journald collect them: errors with the request they belong to
# (method, path, client, user), every line with the request id (core/log.py), the worker's one line per task
# (core/tasks.py); errors are also mailed to ADMINS when it is set. REFORMTRACKER_LOG_FORMAT=json writes one
# JSON object per line (python-json-logger) instead of text, for a log collector.
LOG_FORMAT = env.str("REFORMTRACKER_LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"REFORMTRACKER_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "core.log.RequestContextFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(method)s %(path)s client=%(client)s user=%(user_id)s "
                      "request=%(request_id)s] %(message)s",
        },
        "json": {
            "()": "core.log.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(method)s %(path)s %(client)s "
                   "%(user_id)s",
            "timestamp": True,  # also the time in ISO 8601, UTC, for the collector
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_context"],
            "formatter": LOG_FORMAT,
            "level": "INFO",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false"],
            "level": "ERROR",
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["stderr", *(["mail_admins"] if ADMINS else [])], "level": "WARNING", "propagate": False},
        "reformtracker": {"level": "INFO"},  # the project's own lines: a task run, a failed readiness check
    },
}
