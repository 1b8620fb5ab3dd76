"""Scenario 3, accessibility and screenshots: the public pages as citizens use them.

A citizen (never logged in) sees a publication on the summary, in the filtered list and on
the initiative page, switches to English, and finds the change in the PDF and Excel reports.
axe-core checks every public page type of the city's three programs for WCAG 2.1 A/AA violations and AAA
text contrast (7:1) in Japanese and English, on a 1280 px desktop and a 390 px phone, where nothing may
scroll sideways but a phone's labelled table region; the same visits check the public face:
the headline figures, the cards on a phone, the English names, the change comparison, the feed, the
sitemap, robots.txt and the search of ＤＸ and of a 管理番号. The screenshots land in test-artifacts/.
"""
import io
import json
import re

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from pypdf import PdfReader

from initiatives import services
from initiatives.selectors import published_versions, report_cycle
from programs.models import Department
from programs.statuses import Status
from tests.addresses import REFORM
from tests.e2e.conftest import ARTIFACTS, REPORT_DOWNLOAD_TIMEOUT
from tests.factories import released_list_of_projects, released_roadmap

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "関係課との調整に時間を要したため。"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 390, "height": 844}}
WCAG_21_AA_AND_AAA_CONTRAST = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "rules": {"color-contrast-enhanced": {"enabled": True}},  # AAA: 7:1 for text (4.5:1 for large text)
}


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
    page.goto(f"{live_server.url}/gyozaisei-2024/")
    expect(page.locator("main")).to_contain_text("令和7年度当初")  # the released report
    publish_behind(world)

    # while 令和8年度当初 is not released, 取組1 shows as a preliminary figure on its own page only
    page.goto(f"{live_server.url}/gyozaisei-2024/initiatives/1/")
    expect(page.locator("#preliminary-label")).to_contain_text("速報：令和8年度当初の報告（3件中3件を公開済み")
    expect(page.locator("main")).to_contain_text(REASON)
    page.goto(f"{live_server.url}/gyozaisei-2024/")
    expect(page.get_by_role("link", name=re.compile("取組1"))).to_have_count(0)  # not listed as behind yet

    # the reform office releases the cycle: the summary counts it (the page cache was invalidated)
    release(world)
    page.goto(f"{live_server.url}/gyozaisei-2024/")
    expect(page.locator("main")).to_contain_text("令和8年度当初")
    total = page.get_by_role("table").first.get_by_role("row").filter(has_text="合計")
    expect(total).to_contain_text("1")
    expect(page.get_by_role("link", name=re.compile("取組1"))).to_be_visible()  # listed as behind

    # the list, filtered by status with the form folded behind its button (<details>)
    page.goto(f"{live_server.url}/gyozaisei-2024/initiatives/")
    expect(page.get_by_label("進行状況")).to_be_hidden()
    page.get_by_text("絞り込みの条件").click()
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
    page.goto(f"{live_server.url}/gyozaisei-2024/")
    with page.expect_download(timeout=REPORT_DOWNLOAD_TIMEOUT) as pdf_download:
        page.get_by_role("link", name=re.compile("PDF")).first.click()
    pdf_text = "".join(p.extract_text() for p in PdfReader(pdf_download.value.path()).pages)
    assert REASON in pdf_text.replace("\n", "")
    with page.expect_download(timeout=REPORT_DOWNLOAD_TIMEOUT) as xlsx_download:
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
    page.goto(f"{live_server.url}/gyozaisei-2024/initiatives/")
    page.locator(".more-filters > summary").focus()
    page.keyboard.press("Enter")  # unfolds the filters
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


def open_next_cycle_with_a_change(program, reviewer):
    """令和8年度当初 opened beside the released report, initiative 30 published in it (速報) with a new result:
    its page compares the two publications."""
    from initiatives.models import Initiative

    services.cycle_open(program=program, fiscal_year=2025, by=reviewer)
    record = Initiative.objects.get(program=program, number=30).years.get(fiscal_year=2025)
    services.record_update(record=record, by=reviewer, data={"plan": "点検・修繕", "result": "ＤＸで点検を効率化した。", "status": "on_schedule"})
    for action in (services.record_submit, services.record_approve, services.record_publish):
        action(record=record, by=reviewer)


# What each language shows on the summary and the initiative page with the change.
TEXTS = {
    "ja": {"on_schedule": "予定どおり進んでいる取組", "pillar": "Ⅱ 誰一人取り残さないDXの実現（",
           "cycle": "令和7年度当初", "changes": "前回の公表からの変更", "result": "実績（令和7年度）"},
    "en": {"on_schedule": "Initiatives on schedule", "pillar": "Ⅱ Digital transformation",
           "cycle": "FY2025 initial budget (Reiwa 7)", "changes": "Changes since the previous publication",
           "result": "Result (FY2025 (Reiwa 7))"},
}


def check_summary(page, language, viewport):
    """The headline figures come first; on a phone the summary table is read as stacked rows."""
    text = TEXTS[language]
    headline = page.locator(".headline")
    expect(headline).to_contain_text(text["on_schedule"])
    expect(headline.locator(".figure-value").first).to_have_text("92.6%")
    expect(headline).to_contain_text("(50 / 54)")
    expect(headline.locator(".figure-value").last).to_have_text("35.5")
    expect(headline.locator(".figure-detail").last).to_contain_text(re.compile(r"^/ 89\.0 .*39\.9%"))
    expect(headline.get_by_role("link")).to_have_count(4)  # the initiatives behind, each linked
    expect(page.locator("svg.status-chart").first).to_contain_text(text["pillar"])
    expect(page.locator(".as-of")).to_contain_text(text["cycle"])
    assert page.evaluate("document.querySelector('.headline').getBoundingClientRect().top") < page.evaluate(
        "document.querySelector('.summary-table').getBoundingClientRect().top")
    if viewport == "mobile":
        check_stacked(page, ".summary-table")


def check_stacked(page, table):
    """Cards: each row a block, its cells under their column's name, nothing wider than the screen."""
    assert page.evaluate(f"getComputedStyle(document.querySelector('{table} tbody tr')).display") in ("block", "grid")
    assert page.evaluate(f"document.querySelector('{table}').scrollWidth <= window.innerWidth")


def check_initiative(page, language):
    """The preliminary publication of 30 against the released one, field by field."""
    text = TEXTS[language]
    changes = page.locator("section.changes")
    expect(changes.get_by_role("heading", level=2)).to_have_text(text["changes"])
    expect(changes.get_by_role("row").filter(has_text=text["result"])).to_contain_text("ＤＸで点検を効率化した。")
    assert page.locator('meta[property="og:title"]').get_attribute("content").startswith("30. 公共施設の適切な維持管理の推進")


def check_feed_sitemap_robots(page, live_server):
    feed = page.request.get(f"{live_server.url}/gyozaisei-2024/feeds/updates.atom")
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    assert "30. 公共施設の適切な維持管理の推進" in feed.text()
    sitemap = page.request.get(f"{live_server.url}/sitemap.xml")
    assert sitemap.ok and f"{live_server.url}/gyozaisei-2024/initiatives/54/" in sitemap.text()
    robots = page.request.get(f"{live_server.url}/robots.txt")
    assert robots.ok and f"Sitemap: {live_server.url}/sitemap.xml" in robots.text()


def check_search(page, live_server, language, viewport):
    """Full-width ＤＸ finds the initiatives written with DX; a 管理番号 (full-width too) opens its page."""
    page.goto(f"{live_server.url}/gyozaisei-2024/initiatives/")
    search = page.locator("#id_q")
    search.fill("ＤＸ")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"q=%EF%BC%A4%EF%BC%B8"))
    rows = page.locator("table.list-table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 3
    if viewport == "mobile":
        check_stacked(page, ".list-table")
    page.screenshot(path=ARTIFACTS / f"public-search-{language}-{viewport}.png", full_page=True)
    search = page.locator("#id_q")
    search.fill("１２")
    search.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/gyozaisei-2024/initiatives/12/")


def reader(browser, live_server, language: str, viewport: str):
    """A citizen's browser (a context and its page) with a Japanese system, reading in `language` on `viewport`."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ja-JP")
    if language == "en":
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies([{"name": "django_language", "value": "en", "domain": host, "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def city_programs(reviewer):
    """The strategy's list of projects and the dX roadmap as the city printed them, each released as `setup_demo`
    releases it, beside the reform program: {slug: program}."""
    import json

    from django.conf import settings

    from initiatives.services import program_import

    programs = {}
    for fixture, fiscal_year in (("asahikawa_strategy_2025.json", 2025), ("asahikawa_dx_2025.json", 2024)):
        document = json.loads((settings.BASE_DIR / "fixtures" / fixture).read_text(encoding="utf-8"))
        program = program_import(document=document, by=None)
        services.cycle_release_imported(program=program, by=reviewer, fiscal_year=fiscal_year)
        programs[program.slug] = program
    return programs


def widest_items(program, cycle, count: int) -> list[str]:
    """The URL names of the report's `count` items with the most text: the widest item pages."""
    from public.selectors import item_ref

    versions = sorted(published_versions(program, cycle), key=lambda version: -len(json.dumps(version.data, ensure_ascii=False)))
    return [item_ref(program, version) for version in versions[:count]]


def every_page(program, items: list[str], filtered: str) -> dict[str, str]:
    """Every page type of `program` a reader sees (no downloads, no feeds), by the name its screenshot carries."""
    base = f"/{program.slug}/"
    cycle = program.cycles.filter(state="released").order_by("-fiscal_year").first()
    department = Department.objects.filter(responsibilities__initiative__program=program).first()
    pages = {
        "summary": base,  # with its glossary (ことばの説明)
        "list": f"{base}initiatives/",
        "list-filtered": f"{base}initiatives/?{filtered}",
        **{f"initiative-{ref}": f"{base}initiatives/{ref}/" for ref in items},  # with its changes (前回の公表からの変更)
        "departments": f"{base}departments/",
        "opendata": f"{base}opendata/",
        "archive": f"{base}archive/",
        "archive-cycle": f"{base}archive/{cycle.pk}/",
        "archive-initiative": f"{base}archive/{cycle.pk}/initiatives/{items[0]}/",
        "not-found": f"{base}initiatives/{'9-999' if program.numbered_per_level else '999'}/",
    }
    if department is not None:  # the dX roadmap names no department
        pages["department"] = f"{base}departments/{department.pk}/"
    if program.has_ledger:
        pages["ledger"] = f"{base}ledger/"
    return pages


# What scrolls sideways: the page, and each element with a scroll bar that hides some of its content; a
# scrolling element that is a labelled region reachable by the keyboard is reported as such.
SIDEWAYS = """() => {
  const page = document.scrollingElement.scrollWidth > window.innerWidth;
  const boxes = Array.from(document.querySelectorAll('body *')).filter(e => {
    const style = getComputedStyle(e);
    return ['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1;
  }).map(e => ({
    name: e.className || e.tagName,
    tables: Array.from(e.querySelectorAll('table')).map(t => t.className).join(' '),
    region: e.getAttribute('role') === 'region' && e.tabIndex === 0
      && !!(e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')),
  }));
  const wrappers = Array.from(document.querySelectorAll('main table')).map(t => t.parentElement)
    .filter(box => box.scrollWidth > box.clientWidth + 1).map(box => box.className);
  return {page, boxes, wrappers};
}"""


def sideways(page, viewport: str) -> list[str]:
    """What scrolls sideways and may not: at 1280 px nothing (neither the page nor a table's box); at 390 px
    not the page, and a box only where it is a focusable, labelled region holding no ledger table."""
    found = page.evaluate(SIDEWAYS)
    problems = ["the page"] if found["page"] else []
    if viewport == "desktop":
        return problems + [f"box {box['name']} ({box['tables']})" for box in found["boxes"]] + [
            f"table box {name}" for name in found["wrappers"]]
    return problems + [
        f"box {box['name']} ({box['tables']})" for box in found["boxes"] if not box["region"] or "ledger-table" in box["tables"]
    ]


@pytest.mark.slow
def test_no_public_page_of_any_program_scrolls_sideways_and_every_one_passes_axe(browser, live_server, published_program, reviewer, artifacts):
    """Every page type of the city's three programs (the reform program's widest initiative pages, 30 and 40,
    with a change since the released report; the two widest of the others), in Japanese and English, at 1280
    and 390 px: nothing scrolls sideways that may not, and axe finds no violation. Each page is loaded once per
    language and checked at both widths."""
    open_next_cycle_with_a_change(published_program, reviewer)
    others = city_programs(reviewer)
    strategy, dx = others["sousei"], others["dx"]
    pages = {"index": "/", "not-found-program": "/no-such-program/"}
    for program, items, filtered in (
        (published_program, ["30", "40"], "status=behind"),
        (strategy, widest_items(strategy, report_cycle(strategy), 2), "q=%E5%AD%90%E8%82%B2%E3%81%A6"),  # 子育て
        (dx, widest_items(dx, report_cycle(dx), 2), f"pillar={dx.pillars.order_by('order').last().pk}"),
    ):
        pages.update({f"{program.slug}-{name}": path for name, path in every_page(program, items, filtered).items()})
    axe = Axe()
    problems = {}
    for language in ("ja", "en"):
        context, page = reader(browser, live_server, language, "desktop")
        for name, path in pages.items():
            response = page.goto(live_server.url + path)
            assert response.status == (404 if name.startswith("not-found") or name.endswith("not-found") else 200), path
            expect(page.locator("html")).to_have_attribute("lang", language)
            for viewport, size in VIEWPORTS.items():
                page.set_viewport_size(size)
                page.screenshot(path=artifacts / f"public-{name}-{language}-{viewport}.png", full_page=True)
                found = sideways(page, viewport)
                if found:
                    problems[f"{path} {language} {viewport}: scrolls sideways"] = ", ".join(found)
                results = axe.run(page, options=WCAG_21_AA_AND_AAA_CONTRAST)
                if results.violations_count:
                    problems[f"{path} {language} {viewport}: axe"] = results.generate_report()
                if name == f"{REFORM}-summary":
                    check_summary(page, language, viewport)
                    assert "color-contrast-enhanced" in {rule["id"] for rule in results.response["passes"]}
                elif name == f"{REFORM}-initiative-30":
                    check_initiative(page, language)
                elif name.endswith("-list") and viewport == "mobile":
                    check_stacked(page, ".list-table")
            page.set_viewport_size(VIEWPORTS["desktop"])
        check_feed_sitemap_robots(page, live_server)
        for viewport in VIEWPORTS:
            page.set_viewport_size(VIEWPORTS[viewport])
            check_search(page, live_server, language, viewport)
        context.close()
    assert not problems, "\n\n".join(f"{where}:\n{report}" for where, report in problems.items())


# What the front page leads to, per program: its list's name in the navigation and a word of its item page.
PROGRAM_WALK = {
    "ja": {REFORM: ("取組一覧", "管理番号"), "sousei": ("事業一覧", "予算事業費"), "dx": ("取組内容一覧", "作業工程")},
    "en": {REFORM: ("Initiatives", "Amount secured (initial budget)"), "sousei": ("Projects", "Project budget"), "dx": ("Actions", "Work schedule")},
}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_front_page_leads_to_each_programs_summary_list_and_item(browser, live_server, world, artifacts, language):
    """The reform program beside a list of projects (the strategy's frame) and a roadmap (the dX policy's):
    from the front page to each program's summary, its list and its first item, each page passing axe."""
    released_list_of_projects(world.reviewer, "sousei")
    released_roadmap(world.reviewer, "dx")
    context, page = reader(browser, live_server, language, "desktop")
    axe = Axe()
    problems = {}

    def check(name):
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.screenshot(path=artifacts / f"programs-{name}-{language}.png", full_page=True)
        results = axe.run(page, options=WCAG_21_AA_AND_AAA_CONTRAST)
        if results.violations_count:
            problems[page.url] = results.generate_report()

    for slug, (list_name, item_word) in PROGRAM_WALK[language].items():
        page.goto(f"{live_server.url}/")
        expect(page.locator(".program-card")).to_have_count(3)
        check("index")
        page.locator(f'.program-card h2 a[href="/{slug}/"]').click()
        expect(page).to_have_url(f"{live_server.url}/{slug}/")
        check(f"{slug}-summary")
        page.get_by_role("navigation").get_by_role("link", name=list_name, exact=True).click()
        expect(page).to_have_url(f"{live_server.url}/{slug}/initiatives/")
        check(f"{slug}-list")
        page.locator(".list-table tbody a").first.click()
        expect(page.locator("main")).to_contain_text(item_word)
        assert page.url.startswith(f"{live_server.url}/{slug}/initiatives/")
        check(f"{slug}-item")
    context.close()
    assert not problems, "\n\n".join(f"{url}:\n{report}" for url, report in problems.items())
