"""No edit is lost silently, and no save ends in an error page.

The record's page carries the version it was loaded at; a save without it, a save that
lands just after someone else's, and several identical saves at once each end with one
saved and the others told what changed — never a 500, never "database is locked".
"""
import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from initiatives import services
from initiatives.forms import YearlyRecordForm
from tests.initiatives.test_admin import form_data, messages_of, record_url

pytestmark = pytest.mark.django_db


def test_a_save_without_the_loaded_version_is_refused_and_changes_nothing(client, world):
    record = world.record(1)
    client.force_login(world.editor_somu)
    data = form_data(record, result="版なしの保存")
    del data["loaded_version"]
    response = client.post(record_url(record), data)
    assert response.status_code == 200
    assert "ページを開いた時点の版がわからないため保存できません" in response.content.decode()
    assert world.record(1).result == ""
    assert world.record(1).version == record.version


def test_a_save_landing_just_after_another_is_refused_with_the_other_change(client, world, monkeypatch):
    """The other person saves between the form's version check and the service's write (the race)."""
    record = world.record(3)
    checked = YearlyRecordForm.clean

    def clean_then_someone_else_saves(form):
        cleaned = checked(form)
        services.record_update(record=world.record(3), by=world.editor_doboku, data={"result": "土木部が先に保存"})
        return cleaned

    monkeypatch.setattr(YearlyRecordForm, "clean", clean_then_someone_else_saves)
    client.force_login(world.editor_somu)
    response = client.post(record_url(record), form_data(record, result="総務部の入力"))
    assert response.status_code == 302
    text = " ".join(messages_of(response))
    assert "他の人が更新しました" in text
    assert "土木部が先に保存" in text and "editor-doboku" in text
    # ours is not saved (the other save, made inside this test's one transaction, is rolled back with it)
    assert world.record(3).result != "総務部の入力"


@pytest.mark.django_db(transaction=True)
def test_six_identical_saves_at_once_give_one_save_and_five_lost_update_messages(world):
    if connection.vendor == "sqlite":
        pytest.skip("the test database of SQLite lives in memory, shared by threads with table locks; "
                    "a file database with IMMEDIATE transactions and a busy timeout is what the settings give")
    record = world.record(1)
    data = form_data(record, result="同時の保存")
    start = threading.Barrier(6)
    outcomes = []

    def save():
        client = Client()
        client.force_login(world.editor_somu)
        start.wait()
        try:
            response = client.post(record_url(record), data)
            # refused by the form's own check (the page again, 200) or by the service under the row lock (302)
            said = response.content.decode() if response.status_code == 200 else " ".join(messages_of(response))
            outcomes.append((response.status_code, said))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=save) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {status for status, _ in outcomes} <= {200, 302}  # never a 500
    refused = [text for _, text in outcomes if "他の人が更新しました" in text]
    assert len(refused) == 5
    assert world.record(1).version == record.version + 1


def _read_then_write_at_once(options: dict, path) -> list[str]:
    """Two connections each read then update one row inside a transaction, at the same time: what a
    record save does (version check, then write). Returns the errors they met."""
    from django.db import DatabaseError
    from django.db.backends.sqlite3.base import DatabaseWrapper

    def connect():
        wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(path), "OPTIONS": options,
                                   "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "CONN_MAX_AGE": 0,
                                   "CONN_HEALTH_CHECKS": False, "TIME_ZONE": None, "TEST": {}})
        wrapper.ensure_connection()
        return wrapper

    setup = connect()
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, value INTEGER)")
        cursor.execute("INSERT OR REPLACE INTO counter VALUES (1, 0)")
    setup.close()
    errors, start = [], threading.Barrier(2)

    def save():
        wrapper = connect()
        try:
            start.wait()
            with _atomic(wrapper):
                with wrapper.cursor() as cursor:
                    cursor.execute("SELECT value FROM counter WHERE id = 1")
                    value = cursor.fetchone()[0]
                    threading.Event().wait(0.2)
                    cursor.execute("UPDATE counter SET value = %s WHERE id = 1", [value + 1])
        except DatabaseError as error:
            errors.append(str(error))
        finally:
            wrapper.close()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


class _atomic:
    """BEGIN … COMMIT on a connection of its own, as Django's atomic() does for the default one."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def __enter__(self):
        self.wrapper.set_autocommit(False)
        self.wrapper._start_transaction_under_autocommit()  # BEGIN (IMMEDIATE with the settings), as atomic() does

    def __exit__(self, kind, error, trace):
        (self.wrapper.rollback if kind else self.wrapper.commit)()
        self.wrapper.set_autocommit(True)


def test_sqlite_writers_wait_for_the_lock_instead_of_failing(tmp_path):
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {})
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL locks the record's row (select_for_update)")
    assert _read_then_write_at_once(options, tmp_path / "settings.sqlite3") == []
    # without the settings' IMMEDIATE transactions, one of the two fails at once
    deferred = {key: value for key, value in options.items() if key != "transaction_mode"}
    assert any("locked" in error for error in _read_then_write_at_once(deferred, tmp_path / "deferred.sqlite3"))


def test_both_departments_of_a_shared_initiative_can_save_after_one_sets_its_split_status(client, world):
    """After 土木部 sets its own status on a shared initiative, 総務部 can still save the record."""
    record = world.record(3)
    client.force_login(world.editor_doboku)
    page = client.get(record_url(record))
    assert page.status_code == 200
    data = form_data(record, plan="共同の計画", result="共同の実績", status="on_schedule", delay_reason="土木部の工事が遅れたため。")
    data.update({
        "department_statuses-TOTAL_FORMS": 1,
        "department_statuses-0-department": world.doboku.pk,
        "department_statuses-0-label": "土木部",
        "department_statuses-0-status": "behind",
    })
    response = client.post(record_url(record), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    record = world.record(3)
    assert [str(split) for split in record.department_statuses.all()] == ["予定より遅れている（土木部）"]

    client.force_login(world.editor_somu)
    page = client.get(record_url(record)).content.decode()
    assert "他の部局の進行状況" in page and "予定より遅れている（土木部）" in page
    # what the browser sends back: the split-status rows as the page rendered them
    response = client.post(record_url(record), {**form_data(record, result="総務部も記入した実績"), **inline_as_rendered(page)})
    assert response.status_code == 302, response.content.decode()[:2000]
    record = world.record(3)
    assert record.result == "総務部も記入した実績"
    assert [str(split) for split in record.department_statuses.all()] == ["予定より遅れている（土木部）"]
    assert record.effective_status == "behind"


def inline_as_rendered(html: str, prefix: str = "department_statuses") -> dict:
    """The inline formset's fields as a browser would post them: inputs' values, each select's selected option."""
    import re

    data = {}
    for name, value in re.findall(rf'<input[^>]*name="({prefix}-[^"]+)"[^>]*value="([^"]*)"', html):
        data[name] = value
    for name, body in re.findall(rf'<select[^>]*name="({prefix}-[^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = selected.group(1) if selected else ""
    return {name: value for name, value in data.items() if "__prefix__" not in name}
