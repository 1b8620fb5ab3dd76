"""deploy/backup.sh: a complete, restorable dump or none at all, and old dumps pruned only after a new one.

The dumps of a real database need PostgreSQL (`make test-postgresql`: the throwaway cluster of
scripts/with_postgres.py); the rest runs everywhere with a stand-in pg_dump.
"""
import os
import stat
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
BACKUP = ROOT / "deploy" / "backup.sh"
PG_BIN = Path(os.environ.get("POSTGRES_BIN_DIR", "/usr/lib/postgresql/15/bin"))
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))
DAY = 24 * 60 * 60

# A pg_dump that records how it was called, writes part of a dump and then fails (FAIL=1) or not.
FAKE_PG_DUMP = """#!/bin/sh
printf '%s\\n' "$@" > "$(dirname "$0")/argv"
printf '%s' "${PGPASSWORD-unset}" > "$(dirname "$0")/password"
for arg; do case $arg in --file=*) out=${arg#--file=};; esac; done
printf 'PGDMP partial' > "$out"
[ "${FAIL:-0}" = 1 ] && { echo "pg_dump: error: connection to server failed" >&2; exit 1; }
exit 0
"""


def run_backup(backup_dir: Path, database_url: str, **env) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ["PATH"], "DATABASE_URL": database_url,
                   "REFORMTRACKER_BACKUP_DIR": str(backup_dir), **env}
    return subprocess.run(["bash", str(BACKUP)], env=environment, capture_output=True, text=True, timeout=300)


def dumps(backup_dir: Path) -> list[str]:
    return sorted(path.name for path in backup_dir.iterdir())


def age(path: Path, days: float) -> Path:
    """Backdates a file as `touch -d` would."""
    path.write_bytes(b"PGDMP old")
    then = time.time() - days * DAY
    os.utime(path, (then, then))
    return path


@pytest.fixture
def backup_dir(tmp_path) -> Path:
    directory = tmp_path / "backups"
    directory.mkdir()
    return directory


@pytest.fixture
def fake_pg_dump(tmp_path) -> Path:
    program = tmp_path / "bin" / "pg_dump"
    program.parent.mkdir()
    program.write_text(FAKE_PG_DUMP)
    program.chmod(0o755)
    return program


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_dump of a real database: PostgreSQL run only (make test-postgresql)")
@pytest.mark.django_db(transaction=True)
def test_dump_restores_and_old_dumps_are_pruned(backup_dir):
    settings_dict = connection.settings_dict
    url = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
    stale = age(backup_dir / "reformtracker-2026-01-01T023000Z.dump", days=15)
    stale_piece = age(backup_dir / ".reformtracker-2026-01-02T023000Z.dump.partial", days=15)
    recent = age(backup_dir / "reformtracker-2026-01-03T023000Z.dump", days=13)
    unrelated = age(backup_dir / "notes.txt", days=30)

    result = run_backup(backup_dir, url, PG_DUMP=str(PG_BIN / "pg_dump"), REFORMTRACKER_BACKUP_DAYS="14")

    assert result.returncode == 0, result.stderr
    new = [name for name in dumps(backup_dir) if name not in (recent.name, unrelated.name)]
    assert len(new) == 1 and new[0].startswith("reformtracker-") and new[0].endswith(".dump"), dumps(backup_dir)
    assert not stale.exists() and not stale_piece.exists()
    assert recent.exists() and unrelated.exists()
    assert f"removed {stale}" in result.stdout
    dump = backup_dir / new[0]
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600  # accounts and personal data
    listing = subprocess.run([str(PG_BIN / "pg_restore"), "--list", str(dump)], capture_output=True, text=True, check=True)
    assert "TABLE public django_migrations" in listing.stdout
    assert "TABLE DATA public initiatives_initiative" in listing.stdout


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_dump of a real database: PostgreSQL run only (make test-postgresql)")
@pytest.mark.django_db(transaction=True)
def test_failed_dump_of_a_real_server_leaves_nothing_and_prunes_nothing(backup_dir):
    settings_dict = connection.settings_dict
    url = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/no_such_database"
    stale = age(backup_dir / "reformtracker-2026-01-01T023000Z.dump", days=30)

    result = run_backup(backup_dir, url, PG_DUMP=str(PG_BIN / "pg_dump"))

    assert result.returncode != 0
    assert "pg_dump failed" in result.stderr and "no_such_database" in result.stderr
    assert dumps(backup_dir) == [stale.name]


def test_failed_pg_dump_leaves_no_partial_file_and_keeps_old_dumps(backup_dir, fake_pg_dump):
    stale = age(backup_dir / "reformtracker-2026-01-01T023000Z.dump", days=30)

    result = run_backup(backup_dir, "postgres://rt@db.example/reformtracker", PG_DUMP=str(fake_pg_dump), FAIL="1")

    assert result.returncode != 0
    assert "pg_dump failed" in result.stderr and "no old dump removed" in result.stderr
    assert (fake_pg_dump.parent / "argv").exists()  # pg_dump did run and wrote part of a dump
    assert dumps(backup_dir) == [stale.name]


def test_successful_pg_dump_is_renamed_into_place(backup_dir, fake_pg_dump):
    result = run_backup(backup_dir, "postgres://rt@db.example/reformtracker", PG_DUMP=str(fake_pg_dump))

    assert result.returncode == 0, result.stderr
    (name,) = dumps(backup_dir)
    assert name.startswith("reformtracker-20") and name.endswith("Z.dump")
    argv = (fake_pg_dump.parent / "argv").read_text().splitlines()
    assert "--format=custom" in argv
    assert f"--file={backup_dir}/.{name}.partial" in argv


def test_password_reaches_pg_dump_in_the_environment_not_on_its_command_line(backup_dir, fake_pg_dump):
    url = "postgres://rt:s3cr%40t%3Aword@db.example:5432/reformtracker?sslmode=require"

    result = run_backup(backup_dir, url, PG_DUMP=str(fake_pg_dump))

    assert result.returncode == 0, result.stderr
    argv = (fake_pg_dump.parent / "argv").read_text()
    assert "s3cr" not in argv
    assert "--dbname=postgres://rt@db.example:5432/reformtracker?sslmode=require" in argv.splitlines()
    assert (fake_pg_dump.parent / "password").read_text() == "s3cr@t:word"


@pytest.mark.parametrize(("env", "message"), [
    ({"DATABASE_URL": ""}, "DATABASE_URL is not set"),
    ({"DATABASE_URL": "sqlite:////var/lib/reformtracker/db.sqlite3"}, "not a PostgreSQL URL"),
    ({"REFORMTRACKER_BACKUP_DAYS": "two weeks"}, "REFORMTRACKER_BACKUP_DAYS must be a whole number"),
    ({"REFORMTRACKER_BACKUP_DAYS": "0"}, "REFORMTRACKER_BACKUP_DAYS must be a whole number"),
    ({"REFORMTRACKER_BACKUP_DIR": "/nonexistent/backups"}, "/nonexistent/backups does not exist"),
])
def test_misconfiguration_is_refused_before_anything_is_written(backup_dir, fake_pg_dump, env, message):
    stale = age(backup_dir / "reformtracker-2026-01-01T023000Z.dump", days=30)
    environment = {"PG_DUMP": str(fake_pg_dump), **env}
    database_url = environment.pop("DATABASE_URL", "postgres://rt@db.example/reformtracker")

    result = run_backup(backup_dir, database_url, **environment)

    assert result.returncode != 0
    assert message in result.stderr
    assert not (fake_pg_dump.parent / "argv").exists()
    assert dumps(backup_dir) == [stale.name]
