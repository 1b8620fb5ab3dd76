"""Settings for the test suite: fast hashing, isolated SQLite unless DATABASE_URL is set."""
from .base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Unit tests see each request's own result; tests about the page cache turn it on
# (tests/public/test_cache.py), and so do the browser tests, which exercise it end to end.
PUBLIC_PAGE_CACHE = False

# Background tasks run in-process, at once; the test of the real worker (tests/notifications/test_worker.py)
# starts `db_worker` with REFORMTRACKER_TASKS_BACKEND=django_tasks_db.DatabaseBackend.
TASKS = {"default": {"BACKEND": env.str("REFORMTRACKER_TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend")}}
