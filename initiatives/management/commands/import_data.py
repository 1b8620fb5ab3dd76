"""python manage.py import_data FILE [--replace] [--release-as-printed --by USERNAME [--fiscal-year YEAR]]

Loads a program from its open-data document (export_data's format). With --release-as-printed the
document is the city's own published report: it is entered as that report, released (公表) as of
the document's date, in the same transaction as the import (what setup_demo does for the demo).
"""
import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.roles import is_reviewer
from initiatives.opendata import DataFormatError
from initiatives.services import cycle_release_imported, program_import


class Command(BaseCommand):
    help = "export_data の形式（JSON）のファイルからプログラムを読み込みます。誤りがあれば何も変更しません。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="読み込む JSON ファイル")
        parser.add_argument("--replace", action="store_true", help="同じ名前のプログラムがあれば置き換える")
        parser.add_argument("--release-as-printed", action="store_true",
                            help="市が公表した報告として、その日付で公開・公表する（--by が必要）")
        parser.add_argument("--by", metavar="USERNAME", help="公表する行政改革課（審査・公開）の担当者のログイン名")
        parser.add_argument("--fiscal-year", type=int, metavar="YEAR",
                            help="報告する年度（西暦）。省略すると資料の日付の前年度")

    def handle(self, *args, file, replace, release_as_printed, by, fiscal_year, **options):
        if release_as_printed and not by:
            raise CommandError("--release-as-printed には --by（公表する担当者のログイン名）が必要です。何も変更していません。")
        if not release_as_printed and (by or fiscal_year):
            raise CommandError("--by と --fiscal-year は --release-as-printed と一緒に指定します。何も変更していません。")
        reviewer = self.reviewer(by) if release_as_printed else None
        document = self.read(file)
        try:
            with transaction.atomic():
                program = program_import(document=document, by=reviewer, replace=replace)
                released = (cycle_release_imported(program=program, by=reviewer, fiscal_year=fiscal_year)
                            if release_as_printed else None)
        except DataFormatError as error:
            raise CommandError(f"{file}: {error}（何も変更していません）") from None
        except ValidationError as error:
            raise CommandError(f"{file}: {'、'.join(error.messages)}（何も変更していません）") from None
        self.stdout.write(f"{program.name} を読み込みました（取組 {program.initiatives.count()} 件）。")
        if released is not None:
            self.stdout.write(f"「{released.label}」として {released.publications.count()} 件を公開・公表しました。")

    def reviewer(self, username: str):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"ユーザー「{username}」は存在しません（manage.py add_staff で作成できます）。何も変更していません。")
        if not is_reviewer(user):
            raise CommandError(f"ユーザー「{username}」は行政改革課（審査・公開）の担当者ではありません。何も変更していません。")
        return user

    def read(self, file: str) -> dict:
        try:
            with open(file, encoding="utf-8") as handle:
                return json.load(handle)
        except FileNotFoundError:
            raise CommandError(f"ファイル {file} が見つかりません。") from None
        except UnicodeDecodeError:
            raise CommandError(f"ファイル {file} は UTF-8 のテキストではありません。") from None
        except json.JSONDecodeError as error:
            raise CommandError(f"ファイル {file} は JSON として読めません（{error.lineno}行 {error.colno}列: {error.msg}）。") from None
        except OSError as error:
            raise CommandError(f"ファイル {file} を開けません: {error.strerror}") from None
