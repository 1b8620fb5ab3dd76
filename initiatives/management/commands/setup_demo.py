"""python manage.py setup_demo — the demo run's data: the real program and demo staff accounts.

Loads fixtures/asahikawa_2024.json when no program is registered yet, creates the demo
users (idempotent) and prints their passwords. Demo only: refuses when DEBUG is off.
"""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from initiatives.opendata import import_program
from programs.demo import DEMO_USERS, ensure_demo_users
from programs.models import Program

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "asahikawa_2024.json"


class Command(BaseCommand):
    help = "デモ用のデータ（旭川市の54取組）とデモ用アカウントを用意します（開発環境専用）。"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("setup_demo はデモ用です。DEBUG が無効な環境では実行できません。")
        if not Program.objects.exists():
            with FIXTURE.open(encoding="utf-8") as handle:
                program = import_program(json.load(handle))
            self.stdout.write(f"{program.name} を読み込みました（取組 {program.initiatives.count()} 件）。")
        ensure_demo_users()
        self.stdout.write("\nデモ用アカウント（デモ専用。本番では使わないでください）:")
        for user in DEMO_USERS:
            departments = "・".join(user.departments) or "全部局"
            self.stdout.write(f"  {user.username:<16} パスワード: {user.password:<24} {user.role}（{departments}）")
        self.stdout.write("\n管理画面: http://127.0.0.1:8000/admin/\n")
