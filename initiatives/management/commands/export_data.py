"""python manage.py export_data --format json [--program NAME] [--output FILE]"""
import json

from django.core.management.base import BaseCommand, CommandError

from initiatives.opendata.export import export_program
from programs.models import Program


class Command(BaseCommand):
    help = "プログラム全体をオープンデータ形式（JSON）で書き出します。形式は docs/data-format.md を参照。"

    def add_arguments(self, parser):
        parser.add_argument("--format", default="json", help="出力形式（現在は json のみ）")
        parser.add_argument("--program", help="プログラム名（登録が1件のときは省略可）")
        parser.add_argument("--output", help="出力先ファイル（省略時は標準出力）")

    def handle(self, *args, format, program, output, **options):
        if format != "json":
            raise CommandError(f"出力形式 {format!r} には対応していません。--format json を指定してください。")
        target = find_program(program)
        text = json.dumps(export_program(target), ensure_ascii=False, indent=1) + "\n"
        if output:
            try:
                with open(output, "w", encoding="utf-8") as file:
                    file.write(text)
            except OSError as error:
                raise CommandError(f"ファイル {output} に書き込めません: {error.strerror}") from error
            self.stderr.write(f"{target.name} を {output} に書き出しました（取組 {target.initiatives.count()} 件）。")
        else:
            self.stdout.write(text, ending="")


def find_program(name: str | None) -> Program:
    if name:  # its name or its URL name
        program = Program.objects.filter(name=name).first() or Program.objects.filter(slug=name).first()
        if program is None:
            raise CommandError(f"プログラム「{name}」は登録されていません。")
        return program
    programs = list(Program.objects.all()[:2])
    if not programs:
        raise CommandError("プログラムが登録されていません。先に import_data でデータを読み込んでください。")
    if len(programs) > 1:
        raise CommandError("プログラムが複数あります。--program で名前かURL名を指定してください。")
    return programs[0]
