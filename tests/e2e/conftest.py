"""End-to-end tests: Playwright driving Debian's Chromium against pytest-django's live server.

Never downloads a browser: /usr/bin/chromium is installed by `make test` when missing.
Screenshots go to test-artifacts/ (ignored by git) for a person to look at.
"""
import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test
# itself (setting up data, checking results) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    if not Path(CHROMIUM).exists():
        marker = pytest.mark.skip(reason=f"{CHROMIUM} がありません（make test が apt-get でインストールします）")
        for item in items:
            if "tests/e2e/" in str(item.fspath):
                item.add_marker(marker)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ja-JP", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(autouse=True)
def public_page_cache(settings):
    """The browser tests run with the public page cache on, as production does."""
    settings.PUBLIC_PAGE_CACHE = True


@pytest.fixture(autouse=True)
def short_timeouts(request):
    """Fail in seconds, not half a minute, when something is not on the page."""
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(10_000)


# A download that builds an annual report in the live server: the city's 54-initiative PDF takes seconds
# on an idle machine and can take a minute on a busy one.
REPORT_DOWNLOAD_TIMEOUT = 120_000


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def login(live_server):
    """Log a page in through the admin's login form, as a person would."""

    def login(page, username, password="correct-horse-battery"):
        page.goto(f"{live_server.url}/admin/login/")
        page.get_by_label("ユーザー名").fill(username)
        page.get_by_label("パスワード").fill(password)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url(f"{live_server.url}/admin/")

    return login
