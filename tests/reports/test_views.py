"""Downloads (reports:annual-pdf, reports:annual-xlsx), the cache, the build_report command."""
import io
import subprocess
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from initiatives import services
from programs.models import Program
from reports import builds, files
from reports.pdf import build_annual_pdf
from reports.workbook import build_annual_workbook

from .conftest import publish, release
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value is not None)


@pytest.mark.parametrize("name, content_type, ext", [
    ("reports:annual-pdf", "application/pdf", "pdf"),
    ("reports:annual-xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
])
def test_anonymous_download_with_a_japanese_filename(client, real_cycle, name, content_type, ext):
    response = client.get(reverse(name, args=[real_cycle.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    filename = f"旭川市行財政改革推進プログラム2024_令和7年度当初.{ext}"
    assert f"filename*=utf-8''{quote(filename)}" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    data = content(response)
    assert data.startswith(b"%PDF" if ext == "pdf" else b"PK")


@pytest.mark.parametrize("name", ["reports:annual-pdf", "reports:annual-xlsx"])
def test_unknown_cycle_or_nothing_published_is_404(client, world, name):
    assert client.get(reverse(name, args=[999999])).status_code == 404
    response = client.get(reverse(name, args=[world.cycle.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["reports:annual-pdf", "reports:annual-xlsx"])
def test_a_cycle_not_yet_released_has_no_public_report_only_a_draft_for_the_reform_office_and_finance(
    client, world, finance, name
):
    publish(world, 1)  # 令和8年度当初: one preliminary publication
    response = client.get(reverse(name, args=[world.cycle.pk]))
    assert response.status_code == 404
    assert "まだ公表されていない" in response.content.decode()
    assert client.get(reverse(name, args=[world.released.pk])).status_code == 200

    client.force_login(world.editor_somu)  # staff, but neither the reform office nor 財政課
    assert client.get(reverse(name, args=[world.cycle.pk])).status_code == 404

    for person in (world.reviewer, finance):
        client.force_login(person)
        draft = client.get(reverse(name, args=[world.cycle.pk]))
        assert draft.status_code == 200
        assert quote("令和8年度当初_案") in draft["Content-Disposition"]
        assert "no-store" in draft["Cache-Control"] and "private" in draft["Cache-Control"]
        data = content(draft)
        text = pdf_text(data) if name.endswith("pdf") else xlsx_text(data)
        assert "【案】" in text


def test_every_page_of_the_draft_pdf_is_marked_and_the_released_one_is_not(client, world):
    publish(world, 1)
    publish(world, 2)
    data = build_annual_pdf(world.cycle)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    for page in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-", "-"], input=data,
                              capture_output=True, check=True).stdout.decode()
        assert "【案】" in text, page
    assert PdfReader(io.BytesIO(data)).metadata.title.startswith("【案】")
    release(world.cycle, world.reviewer)
    world.cycle.refresh_from_db()
    released = build_annual_pdf(world.cycle)
    assert "【案】" not in pdf_text(released) and "案" not in PdfReader(io.BytesIO(released)).metadata.title


@pytest.mark.parametrize("name", ["reports:annual-pdf", "reports:annual-xlsx"])
def test_the_report_is_japanese_whoever_asks_first(client, world, name):
    """The official report is the city's Japanese document: an English reader asking first gets it too,
    and the file kept for everyone is the same Japanese one."""
    client.cookies["django_language"] = "en"
    first = content(client.get(reverse(name, args=[world.released.pk]), HTTP_ACCEPT_LANGUAGE="en"))
    text = pdf_text(first) if name.endswith("pdf") else xlsx_text(first)
    assert "取組項目名" in text or "管理番号" in text
    assert "Initiative" not in text and "Status" not in text
    client.cookies["django_language"] = "ja"
    assert content(client.get(reverse(name, args=[world.released.pk]))) == first


def test_reports_show_published_versions_only_and_are_rebuilt_after_a_publication_and_the_release(
    client, world, django_capture_on_commit_callbacks, report_cache_dir
):
    client.force_login(world.reviewer)  # the open cycle's report is a staff preview until it is released
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, 1, result="公開した実績です")
    pdf_url = reverse("reports:annual-pdf", args=[world.cycle.pk])
    xlsx_url = reverse("reports:annual-xlsx", args=[world.cycle.pk])
    assert "公開した実績です" in pdf_text(content(client.get(pdf_url)))
    assert "公開した実績です" in xlsx_text(content(client.get(xlsx_url)))
    built = sorted(report_cache_dir.iterdir())
    assert len(built) == 2

    # an unpublished edit (a draft) changes nothing: the same files are served
    with django_capture_on_commit_callbacks(execute=True):
        services.record_update(record=world.record(1), by=world.editor_somu, data={"result": "下書きの実績です"})
    assert "下書きの実績です" not in pdf_text(content(client.get(pdf_url)))
    assert "下書きの実績です" not in xlsx_text(content(client.get(xlsx_url)))
    assert sorted(report_cache_dir.iterdir()) == built

    # publishing it deletes the cycle's files (signal) and the next download has the new text
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, 1)
    assert list(report_cache_dir.iterdir()) == []
    assert "下書きの実績です" in pdf_text(content(client.get(pdf_url)))
    assert "下書きの実績です" in xlsx_text(content(client.get(xlsx_url)))
    previews = sorted(report_cache_dir.iterdir())

    # the release changes the cycle's state, hence the files' key: the public report is built anew, unmarked
    with django_capture_on_commit_callbacks(execute=True):
        release(world.cycle, world.reviewer)
    client.logout()
    public_pdf = client.get(pdf_url)
    assert public_pdf.status_code == 200
    assert quote("令和8年度当初.pdf") in public_pdf["Content-Disposition"]
    text = pdf_text(content(public_pdf))
    assert "下書きの実績です" in text and "公表前" not in text
    assert "公表前" not in xlsx_text(content(client.get(xlsx_url)))
    assert not set(previews) & set(report_cache_dir.iterdir())


def test_second_download_is_served_from_the_cache(world, django_assert_max_num_queries):
    publish(world, 1)
    first = builds.report_file(world.cycle, "xlsx")
    calls = []
    with django_assert_max_num_queries(6):
        second = files.cached_report(world.cycle, "xlsx", lambda cycle: calls.append(cycle))
    assert second == first and calls == []


@pytest.fixture
def small_world(world):
    """The small program under another URL name than the city's program loaded beside it."""
    Program.objects.filter(pk=world.program.pk).update(slug="small")
    return world


@pytest.mark.parametrize("build", [build_annual_pdf, build_annual_workbook])
def test_building_a_report_takes_a_bounded_number_of_queries(small_world, real_cycle, build, django_assert_max_num_queries):
    world = small_world
    publish(world, 1)
    with django_assert_max_num_queries(12):
        build(world.cycle)  # 1 initiative
    with django_assert_max_num_queries(12):
        build(real_cycle)  # 54 initiatives


# --- build_report ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt, magic", [("pdf", b"%PDF"), ("xlsx", b"PK")])
def test_build_report_by_label_or_id(real_cycle, tmp_path, fmt, magic):
    output = tmp_path / f"report.{fmt}"
    call_command("build_report", "--cycle", "令和7年度当初", "--format", fmt, "--output", str(output))
    assert output.read_bytes().startswith(magic)
    output.unlink()
    call_command("build_report", "--cycle", str(real_cycle.pk), "--format", fmt, "--output", str(output))
    assert output.read_bytes().startswith(magic)


@pytest.mark.parametrize("args, message", [
    (["--cycle", "令和99年度当初", "--format", "pdf"], "登録されていません"),
    (["--cycle", "令和7年度当初", "--format", "docx"], "対応していません"),
])
def test_build_report_refuses_unknown_cycle_or_format(real_cycle, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("build_report", *args, "--output", str(tmp_path / "out"))


def test_build_report_refuses_an_unwritable_output(real_cycle, tmp_path):
    with pytest.raises(CommandError, match="フォルダ"):
        call_command("build_report", "--cycle", "令和7年度当初", "--format", "xlsx", "--output", str(tmp_path / "no" / "x.xlsx"))
    with pytest.raises(CommandError, match="書き込めません"):
        call_command("build_report", "--cycle", "令和7年度当初", "--format", "xlsx", "--output", str(tmp_path))


def test_build_report_refuses_a_cycle_with_nothing_published(world, tmp_path):
    with pytest.raises(CommandError, match="公開された取組がありません"):
        call_command("build_report", "--cycle", world.cycle.label, "--format", "pdf", "--output", str(tmp_path / "x.pdf"))


def test_build_report_exits_non_zero_from_the_command_line(tmp_path):
    result = subprocess.run(
        [".venv/bin/python", "manage.py", "build_report", "--cycle", "x", "--format", "pdf", "--output", str(tmp_path / "x")],
        capture_output=True, env={"DJANGO_SETTINGS_MODULE": "reformtracker.settings.test", "PATH": "/usr/bin:/bin",
                                  "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"},
    )
    assert result.returncode != 0


def test_admin_cycle_list_and_overview_link_to_the_reports(client, world):
    client.force_login(world.reviewer)
    changelist = client.get(reverse("admin:programs_reportingcycle_changelist")).content.decode()
    assert reverse("reports:annual-pdf", args=[world.cycle.pk]) in changelist
    assert reverse("reports:annual-xlsx", args=[world.cycle.pk]) in changelist
    overview = client.get(reverse("admin:programs_reportingcycle_overview", args=[world.cycle.pk])).content.decode()
    assert reverse("reports:annual-pdf", args=[world.cycle.pk]) in overview


def test_a_draft_reports_file_name_names_the_cycle_with_its_program_where_there_are_several(three_programs):
    w = three_programs
    assert files.filename(w.strategy_cycle, "pdf") == "令和8年度当初(総合戦略)_案.pdf"
    assert files.filename(w.cycle, "xlsx") == "令和8年度当初(行革)_案.xlsx"
    released = files.filename(w.strategy_released, "pdf")  # a released report keeps its public name
    assert released == "まち・ひと・しごと創生総合戦略_令和7年度当初.pdf"


def test_a_single_programs_draft_keeps_the_programs_name(world):
    assert files.filename(world.cycle, "pdf") == f"{world.program.name}_令和8年度当初_案.pdf"
