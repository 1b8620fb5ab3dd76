"""python manage.py check_ready: the readiness check (/healthz/ready) for a monitoring agent on the host.

Prints the same JSON as /healthz/ready and exits 0 when ready, 1 otherwise.
"""
import json
import sys

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from health.checks import readiness


class Command(BaseCommand):
    help = "データベース・キャッシュ・年次報告の保存先・ワーカー・メール設定を確認し、結果を JSON で出力します（準備完了なら終了コード 0）。"

    def handle(self, *args, **options):
        report = readiness()
        self.stdout.write(json.dumps(report, cls=DjangoJSONEncoder))
        if report["status"] != "ok":
            sys.exit(1)
