"""The background workers' heartbeats: the readiness check (health/checks.py) knows from them whether one runs."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last sign of life of one `db_worker` process, renewed every housekeeping round. The row of a worker that
    stopped stays behind, harmlessly, until it is a day old (health.services.heartbeat_record)."""

    worker_id = models.CharField(_("ワーカーID"), max_length=64, unique=True)
    host = models.CharField(_("ホスト名"), max_length=255)
    pid = models.PositiveIntegerField(_("プロセスID"))
    started_at = models.DateTimeField(_("開始日時"))
    beat_at = models.DateTimeField(_("最終応答日時"), db_index=True)

    class Meta:
        verbose_name = _("ワーカーの稼働記録")
        verbose_name_plural = _("ワーカーの稼働記録")
        ordering = ["-beat_at"]

    def __str__(self):
        return f"{self.host} pid {self.pid}"
