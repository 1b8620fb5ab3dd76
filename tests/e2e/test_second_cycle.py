"""Scenario 7: the program's second reporting cycle, end to end in the browser.

The city's report (令和7年度当初) is released. The reform office opens 令和8年度当初 in the
admin; 土木部 reports #30 with a status it chooses; the office returns it with a comment,
the department fixes it, the office approves and publishes it. Citizens see it on #30's
page as a preliminary figure (速報) while the summary keeps the released report. Once
every initiative is in, the office closes and releases the cycle in the admin: the
summary, the PDF and the workbook then agree on 令和8年度当初.
"""
import io
import re
import subprocess

import openpyxl
import pytest
from playwright.sync_api import expect

from accounts import roles
from initiatives import services
from initiatives.models import YearlyRecord
from programs.statuses import Status
from programs.models import Department, ReportingCycle
from tests.conftest import enter_ledger
from tests.e2e.conftest import REPORT_DOWNLOAD_TIMEOUT

pytestmark = pytest.mark.django_db(transaction=True)

RESULT = "舗装補修の工法を見直し、3路線で試行した。"
REASON = "資材価格の高騰により発注を見直したため。"


# 財政課's figures for 令和8年度当初予算 (cumulative, in 億円 as the report states them): 41.0 in all
LEDGER_2026 = {"ふるさと納税の推進": 50_000, "その他収入の確保": 1_400_000, "事業等の見直し": 500_000,
               "公共事業等の抑制": 1_200_000, "特別会計操出金の抑制": 600_000, "人件費の削減": 350_000}


def admin_action(page, live_server, label: str, action: str):
    page.goto(f"{live_server.url}/admin/programs/reportingcycle/")
    page.get_by_role("row").filter(has_text=label).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(action)
    page.get_by_role("button", name=re.compile("実行")).click()


def complete_the_others(cycle, reviewer):
    """The other departments' work, done through the services as the admin would."""
    for record in YearlyRecord.objects.filter(cycle=cycle).exclude(initiative__number=30).select_related("initiative"):
        services.record_update(
            record=record, by=reviewer,
            data={"plan": record.plan or "計画どおり", "result": f"令和7年度の実績{record.initiative.number}",
                  "status": Status.ON_SCHEDULE},
        )
        services.record_submit(record=YearlyRecord.objects.get(pk=record.pk), by=reviewer)
        services.record_approve(record=YearlyRecord.objects.get(pk=record.pk), by=reviewer)
        services.record_publish(record=YearlyRecord.objects.get(pk=record.pk), by=reviewer)


def test_second_cycle_from_opening_to_release(page, live_server, login, published_program, reviewer, make_user,
                                              artifacts, settings, tmp_path):
    settings.REPORTS_CACHE_DIR = tmp_path
    make_user("editor-doboku", role=roles.EDITOR, departments=[Department.objects.get(name="土木部")])

    # the reform office opens the next cycle in the admin
    login(page, "reviewer")
    page.goto(f"{live_server.url}/admin/programs/reportingcycle/add/")
    page.get_by_label("プログラム").select_option(label=published_program.name)
    page.get_by_label("報告対象年度（西暦）").fill("2025")
    page.get_by_label("提出期限").fill("2026-03-31")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#result_list")).to_contain_text("令和8年度当初")
    cycle = ReportingCycle.objects.get(program=published_program, fiscal_year=2025)
    record = YearlyRecord.objects.get(cycle=cycle, initiative__number=30)
    assert record.status == ""

    # 土木部 reports #30: nothing is pre-selected; it chooses the status and gives the reason
    page.context.clear_cookies()
    login(page, "editor-doboku")
    page.goto(f"{live_server.url}/admin/initiatives/yearlyrecord/{record.pk}/change/")
    status = page.get_by_label("進行状況:", exact=True)
    expect(status.locator("option:checked")).to_have_text("未報告（選んでください）")
    page.get_by_label("計画:", exact=True).fill("舗装補修の工法の試行")
    page.get_by_label("実績:", exact=True).fill("工法を検討した。")
    status.select_option(label="予定より遅れている")
    page.get_by_label("進行状況が遅れている又は実施不可の理由:", exact=True).fill(REASON)
    page.get_by_role("button", name="保存して編集を続ける").click()
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_text("提出しました。")).to_be_visible()

    # the office returns it with a comment; the department fixes it and submits again
    page.context.clear_cookies()
    login(page, "reviewer")
    page.goto(f"{live_server.url}/admin/initiatives/yearlyrecord/{record.pk}/change/")
    page.get_by_label("差戻しのコメント").fill("試行した路線を書いてください。")
    page.get_by_role("button", name="差し戻す").click()
    expect(page.get_by_text("差し戻しました。")).to_be_visible()
    page.context.clear_cookies()
    login(page, "editor-doboku")
    page.goto(f"{live_server.url}/admin/initiatives/yearlyrecord/{record.pk}/change/")
    expect(page.get_by_role("alert")).to_contain_text("試行した路線を書いてください。")
    page.get_by_label("実績:", exact=True).fill(RESULT)
    page.get_by_role("button", name="保存して編集を続ける").click()
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_text("提出しました。")).to_be_visible()

    # the office approves and publishes: a preliminary figure
    page.context.clear_cookies()
    login(page, "reviewer")
    page.goto(f"{live_server.url}/admin/initiatives/yearlyrecord/{record.pk}/change/")
    page.get_by_role("button", name="承認する").click()
    expect(page.get_by_text("承認しました。")).to_be_visible()
    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_text("公開しました。")).to_be_visible()

    citizen = page.context.browser.new_context(locale="ja-JP").new_page()
    citizen.goto(f"{live_server.url}/gyozaisei-2024/initiatives/30/")
    expect(citizen.locator("#preliminary-label")).to_contain_text("速報：令和8年度当初の報告（54件中1件を公開済み")
    expect(citizen.locator("main")).to_contain_text(RESULT)
    citizen.screenshot(path=artifacts / "second-cycle-preliminary.png", full_page=True)
    citizen.goto(f"{live_server.url}/gyozaisei-2024/")
    expect(citizen.locator("main")).to_contain_text("令和7年度当初")
    expect(citizen.locator("main")).not_to_contain_text(RESULT)
    total = citizen.get_by_role("table").first.get_by_role("row").filter(has_text="合計")
    expect(total).to_contain_text("92.6%")

    # every other initiative is reported; the office closes and releases the cycle in the admin
    complete_the_others(cycle, reviewer)
    admin_action(page, live_server, "令和8年度当初", "close_selected")
    expect(page.get_by_text(re.compile("締め切りました"))).to_be_visible()
    # the release waits for 財政課's ledger figures of 令和8年度当初予算; they enter and confirm them
    admin_action(page, live_server, "令和8年度当初", "release_selected")
    expect(page.get_by_text(re.compile("財源確保額（令和8年度当初予算）が入力されていません"))).to_be_visible()
    enter_ledger(cycle, make_user("finance", role=roles.FINANCE), LEDGER_2026, unit="oku_yen")
    admin_action(page, live_server, "令和8年度当初", "release_selected")
    page.get_by_label(re.compile("公表日")).fill("2026-04-01")
    page.get_by_role("button", name="公表する").click()
    expect(page.get_by_text(re.compile("公表しました"))).to_be_visible()
    cycle.refresh_from_db()
    assert cycle.is_released

    # the summary, the PDF and the workbook agree on the new cycle: 53 on schedule, #30 behind
    citizen.goto(f"{live_server.url}/gyozaisei-2024/")
    expect(citizen.locator("main")).to_contain_text("令和8年度当初")
    total = citizen.get_by_role("table").first.get_by_role("row").filter(has_text="合計")
    expect(total).to_contain_text("53")
    expect(total).to_contain_text("1.85%")  # 1 of 54 behind
    citizen.screenshot(path=artifacts / "second-cycle-released-summary.png", full_page=True)
    with citizen.expect_download(timeout=REPORT_DOWNLOAD_TIMEOUT) as pdf:
        citizen.get_by_role("link", name=re.compile("PDF")).first.click()
    pdf_text = subprocess.run(["pdftotext", pdf.value.path(), "-"], capture_output=True, text=True, check=True).stdout
    assert "令和8年度当初" in pdf_text and "1.85%" in pdf_text
    assert "令和8年度当初までの累計" in pdf_text and "41.0" in pdf_text  # the new figures' total, in 億円
    assert RESULT in pdf_text.replace("\n", "")
    with citizen.expect_download(timeout=REPORT_DOWNLOAD_TIMEOUT) as xlsx:
        citizen.get_by_role("link", name=re.compile("Excel")).first.click()
    book = openpyxl.load_workbook(io.BytesIO(open(xlsx.value.path(), "rb").read()))
    cells = "\n".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value)
    assert "令和8年度当初" in cells and RESULT in cells
    total_row = next(row for row in book["概要"].iter_rows(values_only=True) if row[1] == "合計")
    initiatives, implemented, _, on_schedule, _, behind, behind_share = total_row[3:10]
    assert (initiatives, implemented, on_schedule, behind) == (54, 0, 53, 1)
    assert round(behind_share, 4) == 0.0185
