"""Builds of the annual reports: one row per cycle, format and state of the cycle's publications.

The file itself is kept in the "reports" storage (STORAGES; files under var/reports by
default, a shared volume or S3-compatible storage with several hosts); the row says where,
and whether it is waiting, being built, ready or failed (and why), so that the admin and
the reform office's home page can show it, and a download serves only a finished file.
A build being made by a worker holds a lease that the worker renews (reports/builds.py).
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from programs.models import ReportingCycle


class BuildState(models.TextChoices):
    QUEUED = "queued", _("作成待ち")
    BUILDING = "building", _("作成中")
    READY = "ready", _("完成")
    FAILED = "failed", _("失敗")


class ReportBuildQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(state=BuildState.READY)


class ReportBuild(models.Model):
    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="+", verbose_name=_("報告期"))
    format = models.CharField(_("形式"), max_length=4, choices=[("pdf", "PDF"), ("xlsx", "Excel")])
    fingerprint = models.CharField(_("内容の指紋"), max_length=64, help_text=_("報告の元になった公開の状態"))
    released = models.BooleanField(
        _("公表後の版"), default=False, help_text=_("公表前の確認用の版は、公表後に市民へ渡しません。")
    )
    state = models.CharField(_("状態"), max_length=10, choices=BuildState.choices, default=BuildState.QUEUED)
    file_name = models.CharField(_("ファイル名（保存先）"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("大きさ（バイト）"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("作成の試行回数"), default=0)
    error = models.TextField(_("失敗の理由"), blank=True)
    enqueued_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成日時"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(
        _("作成の期限"), null=True, blank=True,
        help_text=_("作成中のワーカーが延長し続ける期限。過ぎたら、ワーカーが止まったとみなして作成をやり直します。"),
    )

    objects = ReportBuildQuerySet.as_manager()

    class Meta:
        verbose_name = _("年次報告の作成")
        verbose_name_plural = _("年次報告の作成")
        ordering = ["-enqueued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "format", "fingerprint"], name="one_build_per_report_state"),
        ]

    def __str__(self):
        return f"{self.cycle} {self.get_format_display()}（{self.get_state_display()}）"

    @property
    def is_ready(self) -> bool:
        return self.state == BuildState.READY
