"""on_commit_once: work that follows a commit once per transaction, whatever asks for it how often."""
import pytest
from django.db import transaction

from core.transactions import on_commit_once

pytestmark = pytest.mark.django_db


def test_a_key_asked_for_several_times_in_a_transaction_runs_once_after_the_commit(django_capture_on_commit_callbacks):
    ran = []
    with django_capture_on_commit_callbacks(execute=True):
        on_commit_once("cycle-1", lambda: ran.append("first"))
        on_commit_once("cycle-1", lambda: ran.append("second"))
        on_commit_once("cycle-2", lambda: ran.append("other key"))
        assert ran == []  # nothing before the commit
    assert ran == ["first", "other key"]

    with django_capture_on_commit_callbacks(execute=True):  # the next transaction asks again: it runs again
        on_commit_once("cycle-1", lambda: ran.append("next transaction"))
    assert ran == ["first", "other key", "next transaction"]


def test_what_a_rolled_back_savepoint_asked_for_is_asked_for_anew(django_capture_on_commit_callbacks):
    ran = []
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                on_commit_once("cycle-1", lambda: ran.append("rolled back"))
                raise RuntimeError
        on_commit_once("cycle-1", lambda: ran.append("after the rollback"))
    assert ran == ["after the rollback"]
