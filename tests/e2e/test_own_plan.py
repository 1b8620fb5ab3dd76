"""A plan of the city's own, end to end in the browser.

The reform office downloads the plan workbook's template, fills in a one-level plan with three
statuses of its own (未着手 / 取組中 / 完了, 未着手 counted as behind), previews and loads it. A
department's editor finds its items in a list that names the program, beside another program's; the
department reports, the office reviews, closes and releases the first cycle, and opens the next.
Citizens then read the plan on the front page and its summary in its own labels and counting rule,
on a desktop and a phone (axe at 0), and download its PDF and workbook.
"""
import io
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from accounts import roles
from initiatives import services
from initiatives.models import Initiative, Responsibility, YearlyRecord
from programs.models import Department, Program, ReportingCycle
from tests.e2e.conftest import REPORT_DOWNLOAD_TIMEOUT
from tests.e2e.test_citizen import VIEWPORTS, WCAG_21_AA_AND_AAA_CONTRAST
from tests.e2e.test_second_cycle import admin_action
from tests.factories import released_list_of_projects
from tests.programs.test_plan_workbook import plan_book

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PLAN = "旭川市こども計画"
RESULT = "相談窓口を2か所に増やした。"


def report(record, by, status, **texts):
    services.record_update(record=record, by=by, data={"plan": "計画", "result": "実績", "status": status, **texts})
    record = YearlyRecord.objects.get(pk=record.pk)
    services.record_submit(record=record, by=by)


def review_and_publish(cycle, reviewer):
    for record in YearlyRecord.objects.filter(cycle=cycle).order_by("pk"):
        services.record_approve(record=record, by=reviewer)
        services.record_publish(record=YearlyRecord.objects.get(pk=record.pk), by=reviewer)


def test_a_plan_of_the_citys_own_from_the_workbook_to_its_released_report(
    page, browser, live_server, login, reviewer, make_user, artifacts, settings, tmp_path
):
    settings.REPORTS_CACHE_DIR = tmp_path
    other = released_list_of_projects(reviewer, "jigyo")  # another program, whose list the editor also sees
    kosodate = Department.objects.create(name="子育て支援部", order=1)
    Responsibility.objects.create(initiative=Initiative.objects.for_program(other).first(), department=kosodate)

    # the reform office fills in the template and loads it: a preview first, nothing created before confirming
    login(page, "reviewer")
    page.goto(f"{live_server.url}/admin/programs/program/")
    page.get_by_role("link", name="Excelで計画を読み込む").click()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("テンプレート")).click()
    filled = tmp_path / "plan.xlsx"
    filled.write_bytes(plan_book(template=Path(download.value.path()).read_bytes()))
    page.locator("input[type=file]").set_input_files(filled)
    page.get_by_role("button", name="確認する").click()
    preview = page.locator("#content")
    for shown in (PLAN, "未着手", "取組中", "完了", "子育て支援部", "学校教育部"):
        expect(preview).to_contain_text(shown)
    page.screenshot(path=artifacts / "plan-preview.png", full_page=True)
    assert not Program.objects.filter(name=PLAN).exists()
    page.get_by_role("button", name="この内容で登録する").click()
    expect(page.locator(".messagelist")).to_contain_text(PLAN)
    program = Program.objects.get(name=PLAN)
    first = ReportingCycle.objects.get(program=program)
    assert first.is_open

    # its department's editor sees its items in a list that names the program, beside the other program's
    editor = make_user("editor-kosodate", role=roles.EDITOR, departments=[kosodate])
    page.context.clear_cookies()
    login(page, editor.username)
    page.goto(f"{live_server.url}/admin/initiatives/yearlyrecord/")
    rows = page.locator("#result_list tbody tr")
    expect(rows.filter(has_text="相談支援")).to_contain_text(PLAN)
    expect(rows.filter(has_text=other.name)).not_to_have_count(0)
    expect(rows.filter(has_text="学習支援")).to_have_count(0)  # 学校教育部's
    page.screenshot(path=artifacts / "plan-editor-list.png", full_page=True)

    # the department reports 相談支援 in the browser, in the plan's own statuses
    page.locator("#result_list").get_by_role("link", name=re.compile("相談支援")).first.click()
    status = page.get_by_label("進行状況:", exact=True)
    expect(status.locator("option")).to_have_text(["未報告（選んでください）", "未着手", "取組中", "完了"])
    page.get_by_label("計画:", exact=True).fill("相談窓口の拡充")
    page.get_by_label("実績:", exact=True).fill(RESULT)
    status.select_option(label="完了")
    page.get_by_role("button", name="保存して編集を続ける").click()
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_text("提出しました。")).to_be_visible()
    records = {r.initiative.number: r for r in YearlyRecord.objects.filter(cycle=first).select_related("initiative")}
    report(records[2], reviewer, "in_progress")
    report(records[3], reviewer, "not_started", delay_reason="講師の確保を進めている。")
    review_and_publish(first, reviewer)

    # the office closes and releases the first cycle, then opens the next
    page.context.clear_cookies()
    login(page, "reviewer")
    admin_action(page, live_server, first.label, "close_selected")
    expect(page.get_by_text(re.compile("締め切りました"))).to_be_visible()
    admin_action(page, live_server, first.label, "release_selected")
    page.get_by_label(re.compile("公表日")).fill(timezone.localdate().isoformat())  # public at once
    page.get_by_role("button", name="公表する").click()
    expect(page.get_by_text(re.compile("公表しました"))).to_be_visible()
    first.refresh_from_db()
    assert first.is_released
    second = services.cycle_open(program=program, fiscal_year=2027, by=reviewer)

    # citizens: the front page and the summary in the plan's own labels and rule (2 of 3 on track: 未着手 is behind)
    axe, problems = Axe(), {}
    for name, viewport in VIEWPORTS.items():
        context = browser.new_context(locale="ja-JP", viewport=viewport)
        citizen = context.new_page()
        citizen.set_default_timeout(10_000)
        for path in ("/", f"/{program.slug}/", f"/{program.slug}/initiatives/"):
            assert citizen.goto(live_server.url + path).status == 200
            main = citizen.locator("main")
            expect(citizen.locator("body")).to_contain_text(PLAN)
            if path != "/":
                for label in ("未着手", "取組中", "完了"):
                    expect(main).to_contain_text(label)
                expect(main).not_to_contain_text("予定どおり進んでいる")
                expect(main).not_to_contain_text("柱")  # its one level is 重点項目, its items 事業
            overflow = citizen.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
            assert not overflow, f"{path} scrolls sideways at {viewport['width']} px"
            citizen.screenshot(path=artifacts / f"plan-{path.strip('/').replace('/', '-') or 'front'}-{name}.png",
                               full_page=True)
            results = axe.run(citizen, options=WCAG_21_AA_AND_AAA_CONTRAST)
            if results.violations_count:
                problems[f"{path} ({name})"] = results.generate_report()
        citizen.goto(f"{live_server.url}/{program.slug}/")
        expect(citizen.locator("main")).to_contain_text(first.label)
        expect(citizen.locator("main")).to_contain_text("66.7%")
        if name == "desktop":
            with citizen.expect_download(timeout=REPORT_DOWNLOAD_TIMEOUT) as pdf:
                citizen.get_by_role("link", name=re.compile("PDF")).first.click()
            text = subprocess.run(["pdftotext", pdf.value.path(), "-"], capture_output=True, text=True,
                                  check=True).stdout.replace("\n", "")
            assert PLAN in text and RESULT in text and "未着手" in text and "完了" in text
            assert "予定どおり進んでいる" not in text
            with citizen.expect_download(timeout=REPORT_DOWNLOAD_TIMEOUT) as xlsx:
                citizen.get_by_role("link", name=re.compile("Excel")).first.click()
            book = openpyxl.load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
            cells = "\n".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value)
            assert RESULT in cells and "取組中" in cells and "予定どおり進んでいる" not in cells
        context.close()
    assert second.is_open and ReportingCycle.objects.filter(program=program).count() == 2
    assert not problems, "\n\n".join(f"{path}:\n{report}" for path, report in problems.items())
