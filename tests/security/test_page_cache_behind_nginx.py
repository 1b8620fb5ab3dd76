"""What nginx's micro-cache (the real deploy/nginx.conf) serves when Django stops serving a page
or cannot be reached: a withdrawn page (404) is gone within 3 seconds, and a stale copy stands
in for a stopped Django for a bounded time only. Also: static files carry nosniff.

A released list of projects is the public page; its program's URL name changes to withdraw it."""
import time
from pathlib import Path

import pytest

from .behind_nginx import NGINX, Portal

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(NGINX).exists(), reason=f"{NGINX} がありません（make test が apt-get install nginx で入れます）"),
]

SLUG = "jigyo-ichiran"
PAGE = f"/{SLUG}/"
WITHDRAWAL_BOUND = 3.0  # seconds within which nginx stops serving a page Django answers 404 for
STALE_IF_ERROR = 8  # the portal's REFORMTRACKER_STALE_IF_ERROR here (600 in production): long enough that a slow stop of
# Django on a loaded machine still leaves a stale copy to see, short enough to see its end
GIVE_UP = 20.0  # polling stops here: the behaviour did not happen

SETUP = f"""
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from tests.factories import released_list_of_projects
reviewer = get_user_model().objects.create_user("reviewer", is_staff=True, is_superuser=True)
released_list_of_projects(reviewer, {SLUG!r})
"""

WITHDRAW = f"""
from programs.models import Program
program = Program.objects.get(slug={SLUG!r})
program.slug = "jigyo-ichiran-2025"
program.save()
"""


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    """The SQLite file with the released program, built once and copied into each test's portal."""
    portal = Portal(tmp_path_factory.mktemp("database"))
    portal.run(SETUP)
    portal.log.close()
    return portal.workdir / "db.sqlite3"


@pytest.fixture
def portal(tmp_path, database):
    portal = Portal(tmp_path, database=database, env={"REFORMTRACKER_STALE_IF_ERROR": str(STALE_IF_ERROR)})
    try:
        portal.start_django()
        portal.start_nginx()
        yield portal
    finally:
        portal.stop()


def cached_by_nginx(portal, path: str) -> str:
    """Reads `path` until nginx answers it from its cache; its body."""
    deadline = time.monotonic() + GIVE_UP
    while time.monotonic() < deadline:
        status, headers, body = portal.get(path)
        assert status == 200, body
        if headers.get("X-Micro-Cache") == "HIT":
            return body
    raise AssertionError(f"nginx never served {path} from its cache")


def test_a_page_django_withdraws_is_no_longer_served_by_nginx_within_3_seconds(portal):
    page = cached_by_nginx(portal, PAGE)
    assert "事業一覧" in page
    portal.run(WITHDRAW)
    withdrawn = time.monotonic()
    answers = []  # (seconds after the withdrawal when asked, status, what nginx did) of a reader reading all along
    while True:
        asked = time.monotonic() - withdrawn
        status, headers, _body = portal.get(PAGE)
        answers.append((round(asked, 2), status, headers.get("X-Micro-Cache")))
        if status == 404 and asked > WITHDRAWAL_BOUND + 1:
            break
        assert asked < GIVE_UP, answers[-5:]
        time.sleep(0.05)
    late = [answer for answer in answers if answer[1] != 404 and answer[0] >= WITHDRAWAL_BOUND]
    assert not late, f"the withdrawn page was still served {WITHDRAWAL_BOUND} s after: {late[:5]}"


def test_with_django_stopped_nginx_serves_its_copy_for_a_bounded_time(portal):
    page = cached_by_nginx(portal, PAGE)
    page_headers = portal.get(PAGE)[1]["Cache-Control"]
    portal.stop_django()
    served = []  # what nginx did for each read while Django was down
    deadline = time.monotonic() + GIVE_UP
    while True:
        status, headers, body = portal.get(PAGE)
        if status != 200:
            break
        assert body == page
        served.append(headers["X-Micro-Cache"])
        assert time.monotonic() < deadline, "nginx kept serving its copy while Django was down, without a limit"
        time.sleep(0.2)
    assert {"STALE", "UPDATING"} & set(served), served  # the copy stood in for Django once it had expired
    assert f"stale-if-error={STALE_IF_ERROR}" in page_headers
    assert status == 502  # the copy has outlived stale-if-error: the reader is told the portal is down

    portal.start_django()
    status, _headers, body = portal.get(PAGE)
    assert status == 200 and "事業一覧" in body


def test_static_files_from_nginx_are_never_sniffed(tmp_path):
    portal = Portal(tmp_path)  # nginx only: /static/ is served from the files themselves
    (portal.workdir / "static-files" / "css").mkdir(parents=True)
    (portal.workdir / "static-files" / "css" / "site.css").write_text("body { color: #222; }\n", encoding="utf-8")
    try:
        portal.start_nginx()
        status, headers, body = portal.get("/static/css/site.css")
    finally:
        portal.stop()
    assert status == 200 and "color" in body
    assert headers["X-Content-Type-Options"] == "nosniff"
