"""Writes of the health app: a worker's heartbeat."""
import datetime
import os
import socket

from django.db.models.functions import Now
from django.utils import timezone

from .models import WorkerHeartbeat

# Rows of workers that stopped are removed once they are this old; younger ones are harmless (the check reads the
# newest heartbeat only).
FORGET_AFTER = datetime.timedelta(days=1)


def heartbeat_record(*, worker_id: str) -> None:
    """This process is alive: the worker's row, with the database's own clock (the web hosts that read it compare
    with the same clock, whatever the worker host's clock says)."""
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=Now(), pid=os.getpid())
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, host=socket.gethostname()[:255], pid=os.getpid(), started_at=Now(), beat_at=Now()
        )
    WorkerHeartbeat.objects.filter(beat_at__lt=timezone.now() - FORGET_AFTER).delete()
