"""The workers' heartbeats (health/services.py), recorded by db_worker at start and every housekeeping round.

The real worker, in a process of its own, is tested on PostgreSQL in tests/notifications/test_worker.py.
"""
import datetime
import os
import socket

import pytest
from django.utils import timezone

from health.models import WorkerHeartbeat
from health.services import heartbeat_record
from reports import builds
from reports.management.commands import db_worker

pytestmark = pytest.mark.django_db


def test_a_worker_has_one_row_renewed_at_each_beat():
    heartbeat_record(worker_id="worker-a")
    first = WorkerHeartbeat.objects.get()
    assert (first.worker_id, first.host, first.pid) == ("worker-a", socket.gethostname(), os.getpid())
    WorkerHeartbeat.objects.filter(pk=first.pk).update(beat_at=timezone.now() - datetime.timedelta(seconds=40))

    heartbeat_record(worker_id="worker-a")
    again = WorkerHeartbeat.objects.get()
    assert again.pk == first.pk and again.started_at == first.started_at
    assert timezone.now() - again.beat_at < datetime.timedelta(seconds=5)


def test_rows_of_workers_gone_for_a_day_are_forgotten_others_kept():
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    WorkerHeartbeat.objects.create(worker_id="gone", host="old", pid=1, started_at=two_days_ago, beat_at=two_days_ago)
    WorkerHeartbeat.objects.create(worker_id="stopped", host="h", pid=2, started_at=an_hour_ago, beat_at=an_hour_ago)
    heartbeat_record(worker_id="running")
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"stopped", "running"}


def test_a_housekeeping_round_beats_even_when_the_housekeeping_fails(monkeypatch):
    def broken():
        raise RuntimeError("the reports' housekeeping broke")

    monkeypatch.setattr(builds, "housekeeping", broken)
    db_worker._housekeeping_once("worker-b")
    assert WorkerHeartbeat.objects.filter(worker_id="worker-b").exists()


def test_the_housekeeping_still_runs_when_the_beat_fails(monkeypatch):
    ran = []

    def broken(**kwargs):
        raise RuntimeError("heartbeat table missing")

    monkeypatch.setattr(db_worker, "heartbeat_record", broken)
    monkeypatch.setattr(builds, "housekeeping", lambda: ran.append(True))
    db_worker._housekeeping_once("worker-c")
    assert ran == [True]
