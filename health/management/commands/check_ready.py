"""python manage.py check_ready [--wait SECONDS]: the readiness check (/healthz/ready) for a monitoring agent on
the host, and for an administrator who has just started the services.

Prints the same JSON as /healthz/ready and exits 0 when ready, 1 otherwise. With --wait it asks again every
second until the portal is ready or the seconds have passed (a worker just started has not beaten yet).
"""
import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from health.checks import readiness


class Command(BaseCommand):
    help = "データベース・キャッシュ・年次報告の保存先・ワーカー・メール設定を確認し、結果を JSON で出力します（準備完了なら終了コード 0）。"

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=int, default=0, metavar="SECONDS",
                            help="準備完了になるまで、この秒数まで1秒ごとに確認し直す")

    def handle(self, *args, wait, **options):
        if wait < 0:
            raise CommandError("--wait には 0 以上の秒数を指定してください。")
        deadline = time.monotonic() + wait
        report = readiness()
        while report["status"] != "ok" and time.monotonic() < deadline:
            time.sleep(1)
            report = readiness()
        self.stdout.write(json.dumps(report, cls=DjangoJSONEncoder))
        if report["status"] != "ok":
            sys.exit(1)
