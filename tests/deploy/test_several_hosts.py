"""The portal on several hosts, all on this machine (tests/deploy/hosts.py): two web instances A and B (gunicorn,
production settings) behind one nginx (deploy/nginx.conf with both in its upstream: scripts/nginx_loopback.py),
one background worker, and what they share: the PostgreSQL test database, memcached (the page cache) and an S3
bucket (moto's server: the built reports, through django-storages).

- A publication made by the reform office through A (the admin's action, logged in through A) is seen through B
  at once, although B had the page cached: the page cache's generation is shared.
- The release made through A is built by the worker into the bucket; the worker is killed (SIGKILL) in the middle
  of the PDF, another worker takes the build back once its lease has run out, the release becomes public (B shows
  it at once: the worker's invalidation is shared too), and A and B serve the same bytes as the bucket holds.
- Killing A (SIGKILL to its process group) while a reader reads public pages through nginx loses no request: nginx
  passes what A cannot answer to B. Killing memcached then loses none either: B builds each page uncached, and
  staff work through B.
- A plan (Excel) uploaded through A is confirmed through B: nothing of it is kept on the host that previewed it.

PostgreSQL run only: SQLite is one file on one host.
"""
import html
import re
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from initiatives.models import PublishedVersion
from programs.models import Program, ReportingCycle
from reports.models import BuildState, ReportBuild
from tests import helpers
from tests.programs.test_plan_workbook import plan_book
from tests.security.behind_nginx import NGINX, free_port
from tests.worker import database_url

from . import hosts as h
from .hosts import MEMCACHED, Hosts, StaffSession, fetch

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite is one file on one host: it cannot be shared by several hosts "
                              "(this test runs in the PostgreSQL run: make test-postgresql)"),
    pytest.mark.django_db(transaction=True),  # the hosts are other processes: they read what the test committed
    pytest.mark.skipif(not Path(NGINX).exists(), reason=f"{NGINX} がありません（make test が apt-get install nginx で入れます）"),
    pytest.mark.skipif(not Path(MEMCACHED).exists(),
                       reason=f"{MEMCACHED} がありません（make test が apt-get install memcached で入れます）"),
]

PASSWORD = "reviewer-password-on-several-hosts"
LEASE_SECONDS = 3  # a build whose worker died is taken back within 1.5 × this
GIVE_UP = 90  # seconds: what should happen did not
NEW_RESULT = "削減額は4,321千円となった"


@pytest.fixture
def portal(transactional_db, world, tmp_path):
    """Memcached, the S3 bucket, web instances A and B, nginx in front of both and worker 1, all started; all
    killed afterwards (before the test database is emptied), whatever happened."""
    # a hash the production settings check (the test settings hash with MD5, which production does not accept)
    world.reviewer.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    world.reviewer.save()
    hosts = Hosts(tmp_path)
    try:
        s3 = h.start_s3(hosts)
        cache_url = h.start_memcached(hosts)
        shared = h.shared_settings(workdir=tmp_path, database_url=database_url(), cache_url=cache_url,
                                   s3_endpoint=s3, lease_seconds=LEASE_SECONDS)
        h.manage("collectstatic", "--no-input", env=h.host_env(shared, tmp_path / "release"))
        h.create_bucket(hosts, s3)
        ports = {name: h.start_web(hosts, name, h.host_env(shared, tmp_path / name)) for name in ("a", "b")}
        nginx_dir = tmp_path / "nginx"
        nginx_dir.mkdir()
        ports["nginx"] = free_port()
        config = h.loopback_config(nginx_dir, listen=f"127.0.0.1:{ports['nginx']}", upstream_port=[ports["a"], ports["b"]],
                                   static_root=tmp_path / "staticfiles", workers="1")
        hosts.start("nginx", h.nginx_command(config))
        h.start_worker(hosts, "worker-1", h.host_env(shared, tmp_path / "worker-1"))
        for name, port in ports.items():
            h.wait_for_port(port, process=hosts.processes[name][0])
        for name in ("a", "b"):
            assert fetch(ports[name], "/healthz").status == 200
        yield SimpleNamespace(hosts=hosts, ports=ports, s3=s3, shared=shared, dir=tmp_path)
    finally:
        hosts.close()
        print(hosts.logs())  # shown when the test fails


def page(port: int, path: str) -> h.Response:
    response = fetch(port, path)
    assert response.status == 200, (port, path, response.status, response.text[:500])
    return response


def wait_until(condition, what: str, portal, *, timeout: float = GIVE_UP, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s\n{portal.hosts.logs()}"
        time.sleep(every)


def test_the_portal_runs_on_several_hosts(portal, world):
    a, b, proxy = portal.ports["a"], portal.ports["b"], portal.ports["nginx"]
    cycle = world.cycle  # 令和8年度当初, open; 令和7年度当初 (world.released) is the public report
    slug = world.program.slug
    initiative_page = reverse("public:initiative-detail", args=[slug, 1])
    summary = reverse("public:summary", args=[slug])

    # --- B has the pages cached; the reform office publishes through A; B shows the publication at once ---------
    before = page(b, initiative_page)
    assert NEW_RESULT not in before.text
    assert page(b, initiative_page).headers["X-Page-Cache"] == "hit"

    helpers.approve(world, 1, {"plan": "計画", "result": NEW_RESULT, "status": "on_schedule"})
    for number in (2, 3):
        helpers.approve(world, number, {"plan": "計画", "result": f"取組{number}の実績", "status": "on_schedule"})
    office = StaffSession(a)
    office.log_in("reviewer", PASSWORD)
    published = office.post(reverse("admin:initiatives_initiative_changelist"), {
        "action": "publish_selected", "index": "0", "_selected_action": [i.pk for i in world.initiatives.values()],
    })
    assert published.status == 200 and "報告3件を公開しました" in published.text, published.text[:2000]
    assert PublishedVersion.objects.filter(cycle=cycle).count() == 3

    after = page(b, initiative_page)
    assert NEW_RESULT in after.text, "B still shows the page from before the publication"
    assert after.headers["X-Page-Cache"] == "miss"

    # --- the release through A; the worker is killed in the middle of the PDF; another one finishes it ----------
    cycles = reverse("admin:programs_reportingcycle_changelist")
    closed = office.post(cycles, {"action": "close_selected", "index": "0", "_selected_action": [cycle.pk]})
    assert closed.status == 200 and "締め切りました" in closed.text, closed.text[:2000]
    released = office.post(cycles, {"action": "release_selected", "index": "0", "_selected_action": [cycle.pk],
                                    "confirm": "yes", "released_on": timezone.localdate().isoformat()})
    assert released.status == 200, released.text[:2000]
    cycle = ReportingCycle.objects.get(pk=cycle.pk)
    assert cycle.is_released and not cycle.is_public  # public once its reports are built

    building = ReportBuild.objects.filter(cycle=cycle, format="pdf", released=True, state=BuildState.BUILDING)
    wait_until(building.exists, "worker 1 building the released PDF", portal, every=0.02)
    portal.hosts.kill("worker-1")
    pdf = ReportBuild.objects.get(cycle=cycle, format="pdf", released=True)
    assert pdf.state == BuildState.BUILDING  # left behind by the dead worker
    assert not ReportingCycle.objects.get(pk=cycle.pk).is_public
    waiting = page(b, summary)  # citizens still read 令和7年度当初; B keeps the page
    assert cycle.label not in waiting.text and page(b, summary).headers["X-Page-Cache"] == "hit"

    h.start_worker(portal.hosts, "worker-2", h.host_env(portal.shared, portal.dir / "worker-2"))
    wait_until(lambda: ReportingCycle.objects.get(pk=cycle.pk).is_public, "the release becoming public", portal,
               every=0.2)
    pdf.refresh_from_db()
    assert pdf.state == BuildState.READY and pdf.attempts == 2  # taken back from worker 1

    # the worker made the release public, and B, which had the summary cached, shows the release at once (the
    # worker starts the new generation right after its commit, which the test may see a moment earlier)
    deadline = time.monotonic() + 2
    while cycle.label not in (public := page(b, summary)).text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cycle.label in public.text, "B still shows the summary from before the release became public"
    assert public.headers["X-Page-Cache"] == "miss"

    # the reports are in the bucket, and A and B serve those bytes
    stored = h.s3_objects(portal.s3)
    reports = {fmt: ReportBuild.objects.ready().get(cycle=cycle, format=fmt, released=True) for fmt in ("pdf", "xlsx")}
    assert set(stored) == {report.file_name for report in reports.values()}  # the previews' files were removed
    for fmt, report in reports.items():
        address = reverse(f"public:annual-{fmt}", args=[slug, cycle.pk])
        through_a, through_b = page(a, address).body, page(b, address).body
        assert through_a == through_b == stored[report.file_name]
    assert stored[pdf.file_name].startswith(b"%PDF")
    assert not any((portal.dir / name / "reports").exists() for name in ("a", "b", "worker-1", "worker-2"))

    # --- a plan uploaded through A is confirmed through B (the preview is all the confirmation needs) ------------
    preview = office.post(reverse("admin:programs_program_plan_upload"), {},
                          files={"file": ("計画.xlsx", plan_book())})
    assert preview.status == 200 and "この内容で登録する" in preview.text, preview.text[:2000]
    payload = html.unescape(re.search(r'name="payload" value="([^"]+)"', preview.text).group(1))
    other_desk = StaffSession(b)
    other_desk.log_in("reviewer", PASSWORD)
    confirmed = other_desk.post(reverse("admin:programs_program_plan_confirm"), {"payload": payload})
    assert confirmed.status == 200 and "計画「旭川市こども計画」を登録し" in confirmed.text, confirmed.text[:2000]
    assert Program.objects.filter(name="旭川市こども計画").exists()

    # --- A dies while a reader reads through nginx: every request is answered -----------------------------------
    public_pages = [summary, initiative_page, reverse("public:initiative-list", args=[slug])]
    readings = read_through_nginx(proxy, public_pages, kill=lambda: portal.hosts.kill("a"))
    all_answered(readings)
    with pytest.raises(OSError):
        fetch(a, "/healthz", timeout=2)
    served = {name: (portal.dir / f"{name}-access.log").read_text() for name in ("a", "b")}
    assert "reader=before" in served["a"] and "reader=before" in served["b"]  # nginx balanced both before
    assert "reader=after" in served["b"] and "reader=after" not in served["a"]

    # --- memcached dies: B builds each page for its request instead of failing ---------------------------------
    all_answered(read_through_nginx(proxy, public_pages, kill=lambda: portal.hosts.kill("memcached")))
    assert NEW_RESULT in page(b, initiative_page).text
    listed = other_desk.get(cycles)  # and the reform office works through B
    assert listed.status == 200 and f"{cycle.label}（" in listed.text, (listed.status, listed.text[:1000])


def all_answered(readings: list) -> None:
    statuses = [status for _when, status in readings]
    assert statuses and set(statuses) == {200}, [r for r in readings if r[1] != 200][:10]
    assert sum(1 for when, _status in readings if when == "after") >= 5, readings


def read_through_nginx(port: int, paths: list[str], *, kill, before: float = 1.5, after: float = 2.5) -> list:
    """A reader requests `paths` in turn through nginx (each with a query of its own, so that nginx's
    micro-cache passes every request on to an instance) for `before` seconds, then `kill()` is called while it
    goes on, and it goes on for `after` seconds after that. Returns (before/after, status) of every request; a
    request that failed (refused, reset, cut short) has the error as its status."""
    readings, phase, stop = [], {"now": "before"}, threading.Event()

    def read() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            path = f"{paths[number % len(paths)]}?reader={phase['now']}-{number}"
            when = phase["now"]
            try:
                response = fetch(port, path, timeout=10)
                status = response.status if response.body else f"{response.status} without a body"
            except Exception as error:  # noqa: BLE001 — refused, reset, cut short: a lost request
                status = f"{type(error).__name__}: {error}"
            readings.append((when, status))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        time.sleep(before)
        kill()  # the requests made meanwhile count as before
        phase["now"] = "after"
        time.sleep(after)
    finally:
        stop.set()
        reader.join(timeout=30)
    return readings
