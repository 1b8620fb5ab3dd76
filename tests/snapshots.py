"""Data sets that take seconds to build, built once per test session and replayed into each test.

Importing the city's 54 initiatives (import_program validates and saves each row) and publishing
them through the services takes seconds; writing the same rows again takes milliseconds. So
each data set the session's tests ask for (the city's program, the program published, the
synthetic program) is built once per session (per xdist worker), at its start, through the very
code the fixtures call, in a transaction that is then rolled back. What the build did (rows
created, changed, deleted) is kept as a `Change` and written, with the same primary keys, into
each test's own transaction.

- While a data set is built, every table's ids start at OFFSET, so its rows never take the ids
  of rows a test creates itself (before or after), on SQLite and PostgreSQL alike.
- A change is only replayed onto the state it was recorded from: the same number of rows in
  every table it writes to. Otherwise (a test created departments first, say), and in
  transactional tests (live server, browser: their data is committed, and their commit
  callbacks run), the fixture builds the data the slow way, as before.
- The reviewer who published during the build is replaced by the test's own `reviewer`.
"""
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction

OFFSET = 1_000_000_000


def _models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]


def _row(obj) -> tuple:
    return tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)


def _state(models) -> dict:
    return {model: {obj.pk: obj for obj in model._base_manager.order_by("pk")} for model in models}


@dataclass
class Change:
    """What one build wrote: per model, the rows it created or changed (as saved) and the keys it deleted."""

    result: tuple  # (model, pk) of the object the fixture returns
    base: tuple | None = None  # (model, pk) of the object of the data set it builds on
    counts: dict = field(default_factory=dict)  # model → rows before the build (the state it applies to)
    written: dict = field(default_factory=dict)  # model → [instances], created or changed
    deleted: dict = field(default_factory=dict)  # model → [pks]
    by_user: list = field(default_factory=list)  # (instance, attname) holding the building reviewer's id

    def applies(self) -> bool:
        return all(model._base_manager.count() == count for model, count in self.counts.items())

    def replay(self, reviewer=None):
        if self.by_user:
            for obj, attname in self.by_user:
                setattr(obj, attname, reviewer.pk)
        for model, pks in self.deleted.items():
            model._base_manager.filter(pk__in=pks)._raw_delete(connection.alias)
        for model, objs in self.written.items():
            model._base_manager.filter(pk__in=[obj.pk for obj in objs])._raw_delete(connection.alias)
            fields = model._meta.concrete_fields
            size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
            for start in range(0, len(objs), size):
                model._base_manager._insert(objs[start:start + size], fields=fields, raw=True, using=connection.alias)
        model, pk = self.result
        return model._base_manager.get(pk=pk)


def _diff(before: dict, after: dict, result, reviewer, base=None) -> Change:
    change = Change(result=(type(result), result.pk), base=(type(base), base.pk) if base is not None else None)
    user_model = get_user_model()
    for model, rows in after.items():
        old = before[model]
        written = [obj for pk, obj in rows.items() if pk not in old or _row(old[pk]) != _row(obj)]
        deleted = [pk for pk in old if pk not in rows]
        if not (written or deleted):
            continue
        if model is user_model or model._meta.auto_created and user_model in {
            f.related_model for f in model._meta.concrete_fields if f.is_relation
        }:
            raise AssertionError(f"a data set's build changed {model._meta.label}: it cannot be replayed")
        change.counts[model] = len(old)
        change.written[model] = written
        change.deleted[model] = deleted
        for obj in written:
            for f in model._meta.concrete_fields:
                value = getattr(obj, f.attname)
                if not f.is_relation or value is None:
                    continue
                if f.related_model is user_model and reviewer is not None and value == reviewer.pk:
                    change.by_user.append((obj, f.attname))
                elif value < OFFSET:
                    # a row that existed before the build: it may not exist in a test (transactional tests
                    # flush the database), so the change could not be replayed
                    raise AssertionError(f"{model._meta.label}.{f.name} refers to a row the build did not create")
    return change


def _start_ids_at_offset(models):
    with connection.cursor() as cursor:
        for model in models:
            pk = model._meta.pk
            if not pk.get_internal_type().endswith("AutoField"):
                continue
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                               [connection.ops.quote_name(table), pk.column, OFFSET])
            elif connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, OFFSET - 1])
            else:
                raise NotImplementedError(connection.vendor)


@dataclass
class DataSet:
    """A data set a fixture builds: prepare(base) makes the state it starts from, from the object the data
    set it builds on returned (or None), and returns the reviewer who acts (or None); build(base, reviewer)
    makes the data set and returns the object the fixture returns. Both do exactly what the fixtures do."""

    name: str
    build: object
    prepare: object = lambda base: None
    on: str | None = None  # the data set this one is built on top of


def record(data_sets) -> dict:
    """Build each data set once and keep what it wrote, by name; nothing stays in the database.

    A data set built on another is recorded right after it, in the same transaction: on top of exactly
    the rows (and ids) that the other's change writes."""
    models = _models()
    changes = {}

    def run(data_set, base):
        reviewer = data_set.prepare(base)
        before = _state(models)
        result = data_set.build(base, reviewer)
        changes[data_set.name] = _diff(before, _state(models), result, reviewer, base)
        for child in data_sets:
            if child.on == data_set.name:
                with transaction.atomic():
                    run(child, result)
                    transaction.set_rollback(True)

    for data_set in data_sets:
        if data_set.on is None:
            with transaction.atomic():
                _start_ids_at_offset(models)
                run(data_set, None)
                transaction.set_rollback(True)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    return changes


recorded: dict = {}  # name → Change, for this session (filled by django_db_setup in tests/conftest.py)


def replayed(name: str, *, reviewer=None, on=None):
    """The data set `name` written into the running test's transaction, or None when the fixture must build it
    (not recorded, a transactional test, or the database is not in the state the data set was recorded from;
    `on`, the object a data set built on top of another one starts from, must be that one's)."""
    change = recorded.get(name)
    if change is None or not connection.in_atomic_block:
        return None
    if on is not None and (type(on), on.pk) != change.base:
        return None
    if not change.applies():
        return None
    return change.replay(reviewer)
