"""Scenario 6: a department fills the Excel template, previews and confirms; a broken file changes nothing."""
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from initiatives.models import WorkflowState

pytestmark = pytest.mark.django_db(transaction=True)


def fill_template(path, by_number):
    """Write the given columns into the downloaded template's rows, by 管理番号."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["部局別更新"]
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        changes = by_number.get(row[headers.index("管理番号")].value, {})
        for header, value in changes.items():
            row[headers.index(header)].value = value
    workbook.save(path)


def download_template(page, live_server, path):
    page.goto(f"{live_server.url}/reports/import/")
    with page.expect_download() as download:
        page.get_by_role("link", name="テンプレートをダウンロード").click()
    download.value.save_as(path)


def test_department_uploads_previews_and_confirms_then_a_broken_file_changes_nothing(
    page, live_server, login, world, artifacts, tmp_path
):
    login(page, "editor-somu")
    template = tmp_path / "template.xlsx"
    download_template(page, live_server, template)
    fill_template(template, {1: {"実績": "Excelで入力した実績", "進行状況": "予定より遅れている", "理由": "調整に時間を要した。"}})

    page.locator("input[type=file]").set_input_files(template)
    page.get_by_role("button", name="確認する").click()
    preview = page.locator("#content")
    expect(preview).to_contain_text("変更前")
    expect(preview).to_contain_text("Excelで入力した実績")
    expect(preview).to_contain_text("予定より遅れている")
    page.screenshot(path=artifacts / "staff-import-preview.png", full_page=True)
    assert world.record(1).result != "Excelで入力した実績"  # nothing before confirmation

    page.get_by_role("button", name="更新を確定する").click()
    expect(page.get_by_text(re.compile("1件の取組を更新しました"))).to_be_visible()
    record = world.record(1)
    assert record.result == "Excelで入力した実績"
    assert record.delay_reason == "調整に時間を要した。"
    assert record.workflow_state == WorkflowState.DRAFT
    assert record.history.latest("history_date").history_change_reason == "Excelから一括更新"

    # a broken file: behind without a reason, and an amount that is not a number
    broken = tmp_path / "broken.xlsx"
    download_template(page, live_server, broken)
    fill_template(broken, {
        1: {"実績": "壊れたファイルの実績", "理由": None},
        3: {"財源確保額（千円）": "たくさん"},
    })
    page.locator("input[type=file]").set_input_files(broken)
    page.get_by_role("button", name="確認する").click()
    errors = page.get_by_role("alert")
    expect(errors).to_contain_text("何も変更していません")
    expect(errors).to_contain_text("理由")
    expect(errors).to_contain_text("財源確保額")
    page.screenshot(path=artifacts / "staff-import-refused.png", full_page=True)
    assert world.record(1).result == "Excelで入力した実績"
    assert world.record(3).secured_amount_thousand_yen is None
