"""The suite runs on the database DATABASE_URL names: SQLite by default, PostgreSQL in `make test`'s second run."""
import os
from urllib.parse import urlsplit

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

POSTGRESQL_SCHEMES = {"postgres", "postgresql", "pgsql"}


def test_the_connection_is_the_database_that_database_url_names():
    scheme = urlsplit(os.environ.get("DATABASE_URL", "")).scheme
    expected = "postgresql" if scheme in POSTGRESQL_SCHEMES else "sqlite"
    assert connection.vendor == expected


def test_japanese_text_round_trips_through_the_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", ["旭川市行財政改革推進プログラム２０２４"])
        assert cursor.fetchone()[0] == "旭川市行財政改革推進プログラム２０２４"
