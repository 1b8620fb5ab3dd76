"""python manage.py import_data FILE [--replace]"""
import json

from django.core.management.base import BaseCommand, CommandError

from initiatives.opendata import DataFormatError
from initiatives.services import program_import


class Command(BaseCommand):
    help = "export_data の形式（JSON）のファイルからプログラムを読み込みます。誤りがあれば何も変更しません。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="読み込む JSON ファイル")
        parser.add_argument("--replace", action="store_true", help="同じ名前のプログラムがあれば置き換える")

    def handle(self, *args, file, replace, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                document = json.load(handle)
        except FileNotFoundError:
            raise CommandError(f"ファイル {file} が見つかりません。") from None
        except UnicodeDecodeError:
            raise CommandError(f"ファイル {file} は UTF-8 のテキストではありません。") from None
        except json.JSONDecodeError as error:
            raise CommandError(f"ファイル {file} は JSON として読めません（{error.lineno}行 {error.colno}列: {error.msg}）。") from None
        except OSError as error:
            raise CommandError(f"ファイル {file} を開けません: {error.strerror}") from None
        try:
            program = program_import(document=document, by=None, replace=replace)
        except DataFormatError as error:
            raise CommandError(f"{file}: {error}（何も変更していません）") from None
        self.stdout.write(f"{program.name} を読み込みました（取組 {program.initiatives.count()} 件）。")
