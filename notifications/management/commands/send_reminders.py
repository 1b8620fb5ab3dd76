"""python manage.py send_reminders [--date YYYY-MM-DD] — the notifications that are due today.

Yesterday's digest of submissions for the reviewers, and the deadline reminders (14, 7 and
1 days before, and overdue the day after) for each open cycle. Safe to run every hour:
each notification exists once (its key is unique), so a second run sends nothing more.
`--date` runs it as of another day (to catch up on a missed day, or to try it out).
"""
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications import services
from notifications.models import Delivery


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"日付は YYYY-MM-DD で指定してください: {value}") from error


class Command(BaseCommand):
    help = "今日送る通知（前日の提出のまとめ、提出期限のお知らせ・期限超過）を送信待ちにします。毎時実行して構いません。"

    def add_arguments(self, parser):
        parser.add_argument("--date", type=iso_date, help="この日として実行する（YYYY-MM-DD、既定は今日）")

    def handle(self, *args, date=None, **options):
        today = date or timezone.localdate()
        created = services.send_daily(today=today)
        by_kind = {}
        for notification in created:
            by_kind.setdefault(notification.get_kind_display(), []).append(notification)
        if not created:
            self.stdout.write(f"{today:%Y-%m-%d}: 送る通知はありません。")
        for kind, notifications in by_kind.items():
            failed = sum(1 for n in notifications if n.delivery == Delivery.FAILED)
            note = f"（うち{failed}件は送信できず: 通知の記録を参照）" if failed else ""
            self.stdout.write(f"{today:%Y-%m-%d}: {kind} {len(notifications)}件{note}")
