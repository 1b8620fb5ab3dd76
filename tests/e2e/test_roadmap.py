"""The dX roadmap's grid on the summary in the browser: a table at 1280 px and a list per item at 390 px, in
Japanese and English, with no sideways scrolling and no axe violations. Screenshots land in test-artifacts/."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_citizen import VIEWPORTS, WCAG_21_AA_AND_AAA_CONTRAST, reader
from tests.helpers import DX_LATER_STEP, dx_roadmap_in_two_cycles

pytestmark = pytest.mark.django_db(transaction=True)

CAPTION = {"ja": "旭川市dX加速化方針のロードマップ（令和7年度）", "en": "Asahikawa City dX Acceleration Policy"}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_roadmap_fits_the_screen_and_passes_axe(browser, live_server, reviewer, artifacts, language, viewport):
    program, _first, _second = dx_roadmap_in_two_cycles(reviewer)
    context, page = reader(browser, live_server, language, viewport)
    page.goto(f"{live_server.url}/{program.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    table = page.locator("table.roadmap-table")
    expect(table.locator("caption")).to_contain_text(CAPTION[language])
    expect(table.locator('tbody th[scope="row"]')).to_have_count(15)
    expect(table).to_contain_text(DX_LATER_STEP)
    page.screenshot(path=artifacts / f"roadmap-summary-{language}-{viewport}.png", full_page=True)

    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    assert page.evaluate("document.querySelector('table.roadmap-table').getBoundingClientRect().right <= window.innerWidth")
    display = page.evaluate("getComputedStyle(document.querySelector('table.roadmap-table tbody tr')).display")
    if viewport == "desktop":
        assert display == "table-row"
        expect(table.locator("thead th")).to_have_count(7)
        assert page.evaluate("document.querySelector('table.roadmap-table thead').getBoundingClientRect().height") > 10
    else:  # a list per item: each row a block, each year's step under its year, the blank years left out
        assert display == "block"
        assert page.evaluate("getComputedStyle(document.querySelector('table.roadmap-table td.blank')).display") == "none"
        label = page.evaluate("getComputedStyle(document.querySelector('table.roadmap-table td'), '::before').content")
        assert ("令和5年度" if language == "ja" else "FY2023") in label

    results = Axe().run(page, options=WCAG_21_AA_AND_AAA_CONTRAST)
    context.close()
    assert results.violations_count == 0, results.generate_report()
