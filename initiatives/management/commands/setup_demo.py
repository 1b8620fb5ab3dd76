"""python manage.py setup_demo — the demo run's data: the city's three programs and demo staff accounts.

Each program not registered yet is loaded from its fixture:
- the reform program (fixtures/asahikawa_2024.json): published as the cycle 令和7年度当初 (the
  city's published report), closed and released (公表) as of the report's date; then the next
  cycle opens (令和8年度当初, FY2025 records, all 未報告) so that departments can start editing;
- the strategy's list of projects (fixtures/asahikawa_strategy_2025.json): released as printed,
  令和7年度当初 (FY2025: each 事業's 事業内容 and 予算事業費);
- the dX acceleration policy (fixtures/asahikawa_dx_2025.json): its roadmap released as the policy
  printed it (令和7年1月, FY2024: the steps of each year, no status reported in the policy itself), then
  the cycle of 令和7年度 open.
The open cycles' deadline is 30 days after the day the data is created (programs.demo.demo_deadline), so
that the demo is not overdue on its first day; a program already loaded keeps its cycles as they are.
Then creates the demo users (idempotent) and prints their passwords.
Demo only: refuses when DEBUG is off.
"""
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from initiatives import services
from initiatives.services import program_import
from programs.demo import DEMO_USERS, demo_deadline, ensure_demo_users, join_demo_departments
from programs.models import Program

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
REFORM, STRATEGY, DX = "asahikawa_2024.json", "asahikawa_strategy_2025.json", "asahikawa_dx_2025.json"


class Command(BaseCommand):
    help = "デモ用のデータ（旭川市の54取組）とデモ用アカウントを用意します（開発環境専用）。"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("setup_demo はデモ用です。DEBUG が無効な環境では実行できません。")
        ensure_demo_users()  # the reviewer publishes the program
        for fixture in (REFORM, STRATEGY, DX):
            with (FIXTURES / fixture).open(encoding="utf-8") as handle:
                document = json.load(handle)
            if not Program.objects.filter(name=document["program"]["name"]).exists():
                self.load_program(fixture, document)
        self.stdout.write("\nデモ用アカウント（デモ専用。本番では使わないでください）:")
        for user in DEMO_USERS:
            departments = "・".join(user.departments) or "全部局"
            self.stdout.write(f"  {user.username:<16} パスワード: {user.password:<24} {user.role}（{departments}）")
        self.stdout.write("\n市民向けページ: http://127.0.0.1:8000/    管理画面: http://127.0.0.1:8000/admin/\n")

    @transaction.atomic
    def load_program(self, fixture: str, document: dict):
        program = program_import(document=document, by=None)
        join_demo_departments()  # the editors join their departments before the cycle opens, so they are told
        reviewer = get_user_model().objects.get(username="reviewer")
        first_year = {STRATEGY: 2025, DX: 2024}.get(fixture)  # the reform report's is its as_of's year before
        reported = services.cycle_release_imported(program=program, by=reviewer, fiscal_year=first_year)
        self.stdout.write(f"{program.name} を読み込み、「{reported.label}」として {reported.publications.count()} 件を公開・公表しました。")
        deadline = demo_deadline(timezone.localdate())
        if fixture == REFORM:
            current = services.cycle_open(program=program, fiscal_year=2025, by=reviewer, deadline=deadline)
            self.stdout.write(f"報告期「{current.label}」（令和7年度の計画・実績）を受付中にしました（提出期限 {deadline}）。")
        elif fixture == DX:
            current = services.cycle_open(program=program, fiscal_year=2025, by=reviewer, label="令和7年度", deadline=deadline)
            self.stdout.write(f"報告期「{current.label}」を受付中にしました（提出期限 {deadline}）。")
