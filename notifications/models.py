"""What the portal tells staff by e-mail, and what each person chose to receive.

Every mail is one `Notification` row before it is sent: who, what kind, about which cycle
or record, the rendered mail, and whether it was delivered or why not. Its `key` is unique
(e.g. ``reminder:12:7:user-5``), so a notification that exists is never created, and never
sent, again: the hourly `send_reminders` relies on that.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from initiatives.models import YearlyRecord
from programs.models import ReportingCycle


class Kind(models.TextChoices):
    CYCLE_OPENED = "cycle_opened", _("報告期の開始")
    RECORD_RETURNED = "record_returned", _("差戻し")
    SUBMISSIONS_DIGEST = "submissions_digest", _("提出のまとめ（1日分）")
    REMINDER = "reminder", _("提出期限のお知らせ")
    OVERDUE = "overdue", _("提出期限の超過")
    CYCLE_RELEASED = "cycle_released", _("報告書の公表")

    @classmethod
    def optional(cls) -> dict[str, str]:
        """The kinds a person may switch off, and the preference that switches each; the others always arrive."""
        return {cls.SUBMISSIONS_DIGEST: "digests", cls.REMINDER: "reminders", cls.OVERDUE: "reminders"}


class Delivery(models.TextChoices):
    QUEUED = "queued", _("送信待ち")
    SENT = "sent", _("送信済み")
    FAILED = "failed", _("送信できず")


class Preference(models.Model):
    """One person's choices; a person without a row receives everything."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference", verbose_name=_("職員")
    )
    digests = models.BooleanField(_("提出のまとめ（毎日）を受け取る"), default=True)
    reminders = models.BooleanField(_("提出期限のお知らせ・期限超過の通知を受け取る"), default=True)
    home_seen_at = models.DateTimeField(_("ホーム画面を最後に開いた日時"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("通知の設定")
        verbose_name_plural = _("通知の設定")

    def __str__(self):
        return str(self.user)

    def wants(self, kind: str) -> bool:
        field = Kind.optional().get(kind)
        return field is None or getattr(self, field)


class NotificationQuerySet(models.QuerySet):
    def failed(self):
        return self.filter(delivery=Delivery.FAILED)


class Notification(models.Model):
    key = models.CharField(_("識別キー"), max_length=200, unique=True, help_text=_("同じ通知を二度送らないためのキー"))
    kind = models.CharField(_("種類"), max_length=30, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="notifications", verbose_name=_("宛先の職員")
    )
    address = models.CharField(_("宛先アドレス"), max_length=254, blank=True)
    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("報告期")
    )
    record = models.ForeignKey(
        YearlyRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("年度別の計画・実績")
    )
    subject = models.CharField(_("件名"), max_length=200)
    body_text = models.TextField(_("本文"))
    body_html = models.TextField(_("本文（HTML）"))
    delivery = models.CharField(_("送信状況"), max_length=10, choices=Delivery.choices, default=Delivery.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("送信の試行回数"), default=0)
    error = models.TextField(_("送信できなかった理由"), blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知の記録")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["delivery", "-created_at"], name="notification_delivery_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"
