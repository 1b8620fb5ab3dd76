"""Scenario 3, accessibility and screenshots: the public pages as citizens use them.

A citizen (never logged in) sees a publication on the summary, in the filtered list and on
the initiative page, switches to English, and finds the change in the PDF and Excel reports.
axe-core checks every public page type for WCAG 2.1 A/AA violations in Japanese and English,
on a desktop and a 360 px phone; the screenshots land in test-artifacts/.
"""
import io
import re

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from pypdf import PdfReader

from initiatives import services
from initiatives.models import Status

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "関係課との調整に時間を要したため。"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 360, "height": 740}}
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def publish_behind(world):
    """What scenarios 1 and 2 do in the browser: 取組1 reported behind with its reason, then published
    in 令和8年度当初; the others on schedule. All three are preliminary (速報) until the cycle is released."""
    services.record_update(
        record=world.record(1), by=world.editor_somu,
        data={"plan": "制度設計", "result": "試行に向けて制度設計を行った。", "status": Status.BEHIND, "delay_reason": REASON},
    )
    for number in (2, 3):
        services.record_update(
            record=world.record(number), by=world.reviewer,
            data={"plan": "計画どおり", "result": "実施した。", "status": Status.ON_SCHEDULE},
        )
    for number in (1, 2, 3):
        submitter = world.editor_somu if number == 1 else world.editor_doboku
        services.record_submit(record=world.record(number), by=submitter)
        services.record_approve(record=world.record(number), by=world.reviewer)
        services.record_publish(record=world.record(number), by=world.reviewer)


def release(world):
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    services.cycle_release(cycle=world.cycle, by=world.reviewer)


def test_citizen_sees_the_publication_everywhere_and_in_english_and_in_the_reports(page, live_server, world, artifacts):
    page.goto(f"{live_server.url}/")
    expect(page.locator("main")).to_contain_text("令和7年度当初")  # the released report
    publish_behind(world)

    # while 令和8年度当初 is not released, 取組1 shows as a preliminary figure on its own page only
    page.goto(f"{live_server.url}/initiatives/1/")
    expect(page.locator("#preliminary-label")).to_contain_text("速報：令和8年度当初の報告（3件中3件を公開済み")
    expect(page.locator("main")).to_contain_text(REASON)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("link", name=re.compile("取組1"))).to_have_count(0)  # not listed as behind yet

    # the reform office releases the cycle: the summary counts it (the page cache was invalidated)
    release(world)
    page.goto(f"{live_server.url}/")
    expect(page.locator("main")).to_contain_text("令和8年度当初")
    total = page.get_by_role("table").first.get_by_role("row").filter(has_text="合計")
    expect(total).to_contain_text("1")
    expect(page.get_by_role("link", name=re.compile("取組1"))).to_be_visible()  # listed as behind

    # the list, filtered by status with the keyboard-free form
    page.goto(f"{live_server.url}/initiatives/")
    page.get_by_label("進行状況").select_option(label="予定より遅れている")
    page.get_by_role("button", name="この条件で表示").click()
    expect(page).to_have_url(re.compile(r"status=behind"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("取組1")
    page.go_back()
    expect(page.locator("table tbody tr")).to_have_count(3)
    page.go_forward()
    expect(page.locator("table tbody tr")).to_have_count(1)

    # the initiative page
    page.get_by_role("link", name=re.compile("取組1")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("取組1")
    expect(page.locator("main")).to_contain_text("予定より遅れている")
    expect(page.locator("main")).to_contain_text(REASON)
    page.screenshot(path=artifacts / "citizen-initiative-behind.png", full_page=True)

    # the reports from the summary page's download links
    page.goto(f"{live_server.url}/")
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name=re.compile("PDF")).first.click()
    pdf_text = "".join(p.extract_text() for p in PdfReader(pdf_download.value.path()).pages)
    assert REASON in pdf_text.replace("\n", "")
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name=re.compile("Excel")).first.click()
    workbook = openpyxl.load_workbook(io.BytesIO(open(xlsx_download.value.path(), "rb").read()))
    cells = [str(c.value) for row in workbook["取組一覧"].iter_rows() for c in row if c.value is not None]
    assert "予定より遅れている" in cells
    assert any(REASON in c for c in cells)

    # the language switch
    page.get_by_label("表示言語").select_option("en")
    page.get_by_role("button", name="切り替え").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation").first).to_contain_text(re.compile("Initiatives", re.I))
    page.screenshot(path=artifacts / "citizen-summary-en.png", full_page=True)


def test_list_filters_work_with_the_keyboard_alone(page, live_server, world):
    publish_behind(world)
    release(world)
    page.goto(f"{live_server.url}/initiatives/")
    status = page.get_by_label("進行状況")
    status.focus()
    for _ in range(6):  # arrow keys move through the choices of a focused select
        if status.input_value() == "behind":
            break
        page.keyboard.press("ArrowDown")
    assert status.input_value() == "behind"
    for _ in range(12):  # Tab on to the submit button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "この条件で表示":
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"status=behind"))
    expect(page.locator("table tbody tr")).to_have_count(1)
    focus_outline = page.evaluate(
        "() => { const a = document.querySelector('main a'); a.focus(); return getComputedStyle(a).outlineStyle; }"
    )
    assert focus_outline not in ("", "none")


def public_urls(program):
    initiative = program.initiatives.get(number=30)  # a split status: behind for one department
    department = initiative.responsibilities.first().department
    cycle = program.cycles.get(state="released")
    return {
        "summary": "/",
        "list": "/initiatives/",
        "list-filtered": "/initiatives/?status=behind",
        "initiative": f"/initiatives/{initiative.number}/",
        "ledger": "/ledger/",
        "departments": "/departments/",
        "department": f"/departments/{department.pk}/",
        "opendata": "/opendata/",
        "archive": "/archive/",
        "archive-cycle": f"/archive/{cycle.pk}/",
        "not-found": "/initiatives/999/",
    }


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_public_page_type_passes_axe_and_is_screenshotted(browser, live_server, published_program, artifacts, language, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ja-JP")
    if language == "en":
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies([{"name": "django_language", "value": "en", "domain": host, "path": "/"}])
    page = context.new_page()
    axe = Axe()
    problems = {}
    for name, path in public_urls(published_program).items():
        response = page.goto(live_server.url + path)
        assert response.status == (404 if name == "not-found" else 200), path
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.screenshot(path=artifacts / f"public-{name}-{language}-{viewport}.png", full_page=True)
        results = axe.run(page, options=WCAG_21_AA)
        if results.violations_count:
            problems[path] = results.generate_report()
        if name == "ledger":  # every column of the ledger's tables in view, on a desktop and a phone
            scrolling = page.evaluate(
                "Array.from(document.querySelectorAll('main table')).filter(t => { const box = t.parentElement;"
                " return box.scrollWidth > box.clientWidth + 1 || t.getBoundingClientRect().right > window.innerWidth; })"
                ".map(t => t.className)"
            )
            assert not scrolling, f"ledger tables scroll sideways at {viewport}: {scrolling}"
        if viewport == "mobile":
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
            assert not overflow, f"{path} scrolls sideways at 360 px"
    context.close()
    assert not problems, "\n\n".join(f"{path}:\n{report}" for path, report in problems.items())
