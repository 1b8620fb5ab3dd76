"""Backup and restore as docs/operations.md describes them give back identical data.

On PostgreSQL (the production database; `make test`'s second run): pg_dump of the live
database, pg_restore into a new database, then the restored copy exports the same open-data
document and holds the same rows in every table (history and publications included).
The open-data round trip (export_data → import_data) is tested in tests/initiatives/test_opendata.py.
"""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from initiatives import services
from initiatives.opendata.importer import import_program

BASE_DIR = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("POSTGRES_BIN_DIR", "/usr/lib/postgresql/15/bin"))

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")),
        reason="pg_dump/pg_restore: PostgreSQL run only (make test-postgresql)",
    ),
]


def _server_args(settings_dict) -> list[str]:
    return ["-h", settings_dict["HOST"], "-p", str(settings_dict["PORT"]), "-U", settings_dict["USER"]]


def _row_counts(dsn_kwargs: dict) -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with psycopg.connect(**dsn_kwargs) as restored:
        return {t: restored.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}


@pytest.fixture
def restored_database():
    name = f"restored_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_pg_dump_and_pg_restore_give_identical_data(tmp_path, fixture_document, reviewer, restored_database):
    program = import_program(fixture_document)
    cycle = services.cycle_open(program=program, fiscal_year=2024, by=reviewer, label=program.as_of_label)
    services.cycle_publish_all(cycle=cycle, by=reviewer)
    original_export = tmp_path / "original.json"
    call_command("export_data", "--format", "json", "--output", str(original_export))

    settings_dict = connection.settings_dict
    dump = tmp_path / "reformtracker.dump"
    subprocess.run(
        [str(PG_BIN / "pg_dump"), *_server_args(settings_dict), "--format=custom", "--file", str(dump), settings_dict["NAME"]],
        check=True, capture_output=True,
    )
    subprocess.run(
        [str(PG_BIN / "pg_restore"), *_server_args(settings_dict), "--no-owner", "--dbname", restored_database, str(dump)],
        check=True, capture_output=True,
    )

    restored_export = tmp_path / "restored.json"
    url = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{restored_database}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "reformtracker.settings.test"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "export_data", "--format", "json", "--output", str(restored_export)],
        cwd=BASE_DIR, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(restored_export.read_text()) == json.loads(original_export.read_text())

    server = {"host": settings_dict["HOST"], "port": settings_dict["PORT"], "user": settings_dict["USER"]}
    assert _row_counts({**server, "dbname": restored_database}) == _row_counts({**server, "dbname": settings_dict["NAME"]})
