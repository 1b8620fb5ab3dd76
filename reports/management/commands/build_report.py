"""python manage.py build_report --cycle <id or label> --format pdf|xlsx --output FILE"""
import os
import shutil

from django.core.management.base import BaseCommand, CommandError

from programs.models import ReportingCycle
from reports import builds, files


class Command(BaseCommand):
    help = "報告期の年次報告（PDF又はExcel）を、公開済みの内容から作成してファイルに書き出します。"

    def add_arguments(self, parser):
        parser.add_argument("--cycle", required=True, help="報告期のID又は名称（例: 令和7年度当初）")
        parser.add_argument("--format", required=True, help="pdf 又は xlsx")
        parser.add_argument("--output", required=True, help="出力先ファイル")

    def handle(self, *args, cycle, format, output, **options):
        if format not in files.FORMATS:
            raise CommandError(f"出力形式 {format!r} には対応していません。--format pdf 又は --format xlsx を指定してください。")
        target = find_cycle(cycle)
        directory = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(directory):
            raise CommandError(f"出力先のフォルダ {directory} がありません。")
        report = builds.report_file(target, format)
        if report is None:
            raise CommandError(f"報告期「{target.label}」には公開された取組がありません。先に公開してください。")
        try:
            with files.open_report(report) as source, open(output, "wb") as destination:
                shutil.copyfileobj(source, destination)
        except OSError as error:
            raise CommandError(f"ファイル {output} に書き込めません: {error.strerror}") from error
        self.stderr.write(f"{target.program.name}（{target.label}）の年次報告を {output} に書き出しました。")


def find_cycle(value: str) -> ReportingCycle:
    cycles = ReportingCycle.objects.select_related("program")
    matches = list(cycles.filter(pk=int(value))) if value.isdigit() else []
    if not matches:
        matches = list(cycles.filter(label=value.strip()))
    if not matches:
        raise CommandError(f"報告期「{value}」は登録されていません（IDか名称、例: 令和7年度当初 を指定してください）。")
    if len(matches) > 1:
        ids = "、".join(f"{c.pk}（{c.program.name}）" for c in matches)
        raise CommandError(f"「{value}」という報告期が複数あります。IDで指定してください: {ids}")
    return matches[0]
