"""Scenarios 1, 2, 4 and 5: a department editor and the reform office in the browser."""
import re

import pytest
from playwright.sync_api import expect

from initiatives.models import WorkflowState
from programs.statuses import Status

pytestmark = pytest.mark.django_db(transaction=True)


def open_record(page, live_server, record):
    page.goto(f"{live_server.url}/admin/initiatives/yearlyrecord/{record.pk}/change/")


def test_editor_reports_behind_needs_a_reason_then_submits_and_reviewer_returns_approves_publishes(
    page, live_server, login, world, artifacts
):
    record = world.record(1)
    login(page, "editor-somu")
    page.goto(f"{live_server.url}/admin/initiatives/initiative/")
    page.screenshot(path=artifacts / "staff-initiative-list.png", full_page=True)
    row = page.get_by_role("row").filter(has_text="取組1")
    row.get_by_role("link", name="令和7年度").click()  # the open cycle's record (令和8年度当初 reports FY2025)
    expect(page.get_by_role("heading", name=re.compile("手続: 未報告（令和8年度当初）"))).to_be_visible()
    expect(page.get_by_label("進行状況:", exact=True)).to_have_value("")  # 未報告: nothing chosen for the department

    page.get_by_label("実績:", exact=True).fill("試行に向けて制度設計を行った。")
    page.get_by_label("進行状況:", exact=True).select_option(label="予定より遅れている")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("進行状況が「予定より遅れている」のときは、理由を入力してください。")).to_be_visible()
    page.screenshot(path=artifacts / "staff-validation.png", full_page=True)

    page.get_by_label("進行状況が遅れている又は実施不可の理由:", exact=True).fill("関係課との調整に時間を要したため。")
    page.get_by_role("button", name="保存して編集を続ける").click()
    expect(page.get_by_role("heading", name=re.compile("手続: 下書き"))).to_be_visible()
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_text("提出しました。")).to_be_visible()
    assert world.record(1).workflow_state == WorkflowState.SUBMITTED

    # the reviewer returns it with a comment
    page.context.clear_cookies()
    login(page, "reviewer")
    open_record(page, live_server, record)
    page.get_by_label("差戻しのコメント").fill("遅れの見込み期間を書いてください。")
    page.get_by_role("button", name="差し戻す").click()
    expect(page.get_by_text("差し戻しました。")).to_be_visible()

    # the editor sees the comment, fixes, resubmits
    page.context.clear_cookies()
    login(page, "editor-somu")
    open_record(page, live_server, record)
    expect(page.get_by_role("alert")).to_contain_text("遅れの見込み期間を書いてください。")
    page.get_by_label("進行状況が遅れている又は実施不可の理由:", exact=True).fill("関係課との調整に時間を要したため。3か月程度遅れる見込み。")
    page.get_by_role("button", name="保存して編集を続ける").click()
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_text("提出しました。")).to_be_visible()

    # the reviewer approves and publishes
    page.context.clear_cookies()
    login(page, "reviewer")
    open_record(page, live_server, record)
    page.get_by_role("button", name="承認する").click()
    expect(page.get_by_text("承認しました。")).to_be_visible()
    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_text("公開しました。")).to_be_visible()
    page.screenshot(path=artifacts / "staff-published.png", full_page=True)

    published = world.record(1)
    assert (published.workflow_state, published.status) == (WorkflowState.PUBLISHED, Status.BEHIND)
    page.get_by_role("link", name="履歴").click()
    for step in ["提出", "差戻し: 遅れの見込み期間を書いてください。", "承認", "公開"]:
        expect(page.get_by_text(step, exact=True).first).to_be_visible()


def test_editor_of_another_department_cannot_reach_the_edit_page_by_url(page, live_server, login, world):
    login(page, "editor-doboku")
    response = page.goto(f"{live_server.url}/admin/initiatives/yearlyrecord/{world.record(1).pk}/change/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/admin/initiatives/initiative/{world.initiatives[1].pk}/change/")
    assert response.status == 404


def test_second_of_two_concurrent_edits_is_refused_with_the_other_change_shown(browser, live_server, world):
    record = world.record(3)  # both departments are responsible
    pages = []
    for username in ["editor-somu", "editor-doboku"]:
        context = browser.new_context(locale="ja-JP")
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.get_by_label("ユーザー名").fill(username)
        page.get_by_label("パスワード").fill("correct-horse-battery")
        page.get_by_role("button", name="ログイン").click()
        page.goto(f"{live_server.url}/admin/initiatives/yearlyrecord/{record.pk}/change/")
        pages.append(page)
    first, second = pages
    first.get_by_label("実績:", exact=True).fill("総務部が記入した実績")
    first.get_by_role("button", name="保存して編集を続ける").click()
    expect(first.get_by_text("変更しました")).to_be_visible()

    second.get_by_label("実績:", exact=True).fill("土木部が記入した実績")
    second.get_by_role("button", name="保存して編集を続ける").click()
    expect(second.get_by_text("他の人が更新しました")).to_be_visible()
    expect(second.get_by_text(re.compile("総務部が記入した実績.*editor-somu"))).to_be_visible()
    assert world.record(3).result == "総務部が記入した実績"
