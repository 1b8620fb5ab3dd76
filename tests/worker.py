"""Starting the real background worker (`manage.py db_worker`) against the test database.

PostgreSQL only: the worker is another process and must read what the test committed
(`pytest.mark.django_db(transaction=True)`); the SQLite test database lives in the test
process's memory. `require_postgresql()` skips the test on SQLite with that reason.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("db_worker runs in another process: PostgreSQL run only (make test-postgresql); "
                    "the SQLite test database is in this process's memory")


def database_url() -> str:
    """The DATABASE_URL of the test database, for another process (what the test committed is there)."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def db_worker(var_dir: Path, *, wait: bool = True, batch: bool = True, env: dict | None = None):
    """`db_worker --batch` (every ready task, then exit) with the test settings on the test database;
    its mail and reports go under `var_dir` (REFORMTRACKER_VAR_DIR). `batch=False` runs it until it is
    stopped (`wait=False` then returns the process); `env` adds environment variables (settings)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "reformtracker.settings.test",
        "REFORMTRACKER_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "REFORMTRACKER_VAR_DIR": str(var_dir),
        **(env or {}),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [sys.executable, "manage.py", "db_worker", *(["--batch"] if batch else ["--interval", "0.2"]),
               "--no-reload", "--no-startup-delay"]
    if wait:
        return subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300)
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
