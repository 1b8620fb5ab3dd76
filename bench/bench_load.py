#!/usr/bin/env python3
"""Load benchmark: the portal under gunicorn and behind nginx, each against its floor.

    .venv/bin/python bench/bench_load.py [--duration 3] [--soak 15] [--quick]

Sets up, all on loopback and removed afterwards: a throwaway PostgreSQL 15 cluster
(scripts/with_postgres.py) with the demo data (setup_demo: the three programs; their released
reports built by `db_worker --batch`, so that the releases are public), the portal under
gunicorn with production settings (gunicorn.conf.py; shared file cache), the same gunicorn
configuration serving a minimal Django view that returns the same bytes for each page
(bench/minimal_site.py), and nginx serving (a) each measured page saved as a static file under
its own address and (b) the portal through deploy/nginx.conf itself (reverse proxy, micro-cache,
stale copies while a page is refreshed), made runnable on loopback by scripts/nginx_loopback.py.

The pages (bench/pages.py) are the reform program's summary, list and initiative pages and the
summary of each other program. Before anything is timed, each page must answer 200 with its
expected text from all four servers; otherwise the script stops and says which did not.

wrk drives each page at 16, 64 and 256 connections for a bounded time and the script prints
req/s, p50, p99 and errors, then the ratios: portal (cached pages) / minimal Django view (the
floor of a Django page under gunicorn; aim 90 % at 16 and 64), and nginx in front of the portal /
static nginx (aim 95 %), and the worst p99 through nginx (aim: under `P99_GOAL_MS`). The machine
(CPU count, load average) is printed before and after the figures.

Then a soak: readers at 64 connections on the initiative page through nginx while this script
publishes a change to that initiative again and again; after each publication the page is read
through gunicorn at once (it must show the change), and through nginx every 50 ms until it does:
the staleness after publication. nginx counts whole seconds, so an entry of 1 s lives up to 2 s,
and the refresh behind the stale copy takes one page build: the bound is `STALE_BOUND` seconds.
Prints errors, staleness and pages stale beyond the bound (must be 0).

`--quick` (1 s per run, no soak) checks that everything works; it is no source of figures.
wrk and nginx are Debian packages; as root the script installs them when missing.
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from nginx_loopback import command as nginx_command  # noqa: E402
from nginx_loopback import loopback_config  # noqa: E402
from with_postgres import postgres_cluster  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from pages import check_pages, fetch as fetch_page, machine, measured_pages, program_document  # noqa: E402

PYTHON = sys.executable
PAGES = measured_pages()
SOAK_PAGE = next(page for page in PAGES if page.name == "initiative")
REFORM = program_document()["program"]["slug"]
CONNECTIONS = (16, 64, 256)
P99_GOAL_MS = 5
MICRO_CACHE_SECONDS = 1

STALE_BOUND = MICRO_CACHE_SECONDS + 2  # whole seconds of nginx's clock, plus a page build

STATIC_SERVER = """
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ index index.html; default_type text/html; }}
    }}
"""

PUBLISHER = """
import sys, django
django.setup()
from initiatives import services
from initiatives.models import YearlyRecord
from django.contrib.auth import get_user_model
reviewer = get_user_model().objects.get(username="reviewer")
for line in sys.stdin:
    marker = line.strip()
    record = YearlyRecord.objects.filter(initiative__program__slug=sys.argv[1], initiative__number=1).order_by("-fiscal_year").first()
    data = {"plan": "ソーク試験の計画", "result": marker, "status": "on_schedule"}  # what a submission needs
    services.record_update(record=record, by=reviewer, data=data)
    for step in (services.record_submit, services.record_approve, services.record_publish):
        record = YearlyRecord.objects.get(pk=record.pk)
        step(record=record, by=reviewer)
    print("published", marker, flush=True)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_tools() -> None:
    missing = [name for name in ("wrk", "nginx") if not shutil.which(name) and not Path(f"/usr/sbin/{name}").exists()]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"bench_load: {', '.join(missing)} missing; install the Debian packages (apt-get install {' '.join(missing)})")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y", "-qq", *missing], check=True)


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {timeout} s")
            time.sleep(0.2)


def fetch(url: str) -> str:
    status, body = fetch_page(url)
    if status != 200:
        raise RuntimeError(f"{url} answered {status}")
    return body


@contextmanager
def process(command, *, env=None, cwd=ROOT, log=None):
    handle = subprocess.Popen(command, env=env, cwd=cwd, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        yield handle
    finally:
        handle.terminate()
        try:
            handle.wait(timeout=20)
        except subprocess.TimeoutExpired:
            handle.kill()


def manage(*args, env) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(url: str, connections: int, duration: int) -> dict:
    threads = min(connections, 2)
    output = subprocess.run(
        ["wrk", "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", url],
        capture_output=True, text=True, check=True,
    ).stdout

    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        return float(match.group(1)) * UNITS[match.group(2)] if match else float("nan")

    return {"rps": requests_per_second(output), "p50": latency(50), "p99": latency(99), **errors_of(output)}


def requests_per_second(output: str) -> float:
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def errors_of(output: str) -> dict:
    """wrk's errors: responses other than 2xx/3xx, and socket errors by kind."""
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    kinds = {"non-2xx": int(non_2xx.group(1)) if non_2xx else 0}
    if sockets:
        kinds.update(zip(["connect", "read", "write", "timeout"], map(int, sockets.groups())))
    detail = ", ".join(f"{kind} {count}" for kind, count in kinds.items() if count)
    return {"errors": sum(kinds.values()), "error_detail": detail}


def print_row(name: str, connections: int, figures: dict) -> None:
    print(f"{name} {connections:>5} {figures['rps']:>10.0f} {figures['p50']:>9.2f} {figures['p99']:>9.2f} "
          f"{figures['errors']:>7} {figures['error_detail']}")


def staleness(url: str, marker: str, *, give_up: float = 10.0) -> float:
    """Seconds until `url` shows `marker`, read every 50 ms (inf if it never does within `give_up`)."""
    start = time.monotonic()
    while time.monotonic() - start < give_up:
        if marker in fetch(url):
            return time.monotonic() - start
        time.sleep(0.05)
    return float("inf")


def soak(*, proxy: str, portal: str, env: dict, seconds: int, publications: int) -> dict:
    """Readers at 64 connections while publications happen; counts errors and stale pages."""
    stale = {"gunicorn": 0, "nginx": 0}
    delays = []
    url = SOAK_PAGE.path
    publisher = subprocess.Popen(
        [PYTHON, "-c", PUBLISHER, REFORM], env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    readers = subprocess.Popen(
        ["wrk", "-t", "2", "-c", "64", "-d", f"{seconds}s", proxy + url], stdout=subprocess.PIPE, text=True
    )
    try:
        interval = seconds / (publications + 1)
        for number in range(publications):
            time.sleep(interval)
            marker = f"ソーク試験の実績{number}-{time.time_ns()}"
            publisher.stdin.write(marker + "\n")
            publisher.stdin.flush()
            publisher.stdout.readline()
            if marker not in fetch(portal + url):
                stale["gunicorn"] += 1
            delays.append(staleness(proxy + url, marker))
            if delays[-1] > STALE_BOUND:
                stale["nginx"] += 1
        output = readers.communicate()[0]
    finally:
        publisher.stdin.close()
        publisher.wait(timeout=30)
        if readers.poll() is None:
            readers.kill()
    return {"publications": publications, "stale": stale, "delays": delays, "rps": requests_per_second(output),
            **errors_of(output)}


def save_pages(base: str, directory: Path) -> dict[str, int]:
    """Each measured page as gunicorn serves it, saved as `<directory>/<address>/index.html`; sizes by name."""
    sizes = {}
    for page in PAGES:
        body = fetch(base + page.path).encode()
        target = directory / page.path.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        sizes[page.name] = len(body)
    return sizes


def print_ratios(results: dict) -> None:
    print("\nratios (req/s): portal / minimal Django view (aim 90 % at 16 and 64); nginx+portal / static nginx (aim 95 %)")
    for connections in CONNECTIONS:
        print(f"  {connections} connections")
        for page in PAGES:
            figures = {target: results[target, page.name, connections] for target in TARGETS}
            print(f"    {page.name:<18} portal / minimal Django = {figures['portal']['rps'] / figures['minimal']['rps']:6.1%}   "
                  f"nginx+portal / static nginx = {figures['proxy']['rps'] / figures['static']['rps']:6.1%}   "
                  f"p99 nginx+portal {figures['proxy']['p99']:.2f} ms, static {figures['static']['p99']:.2f} ms")
    print(f"\np99 through nginx in front of the portal (aim: under {P99_GOAL_MS} ms)")
    for connections in CONNECTIONS:
        p99s = {page.name: results["proxy", page.name, connections]["p99"] for page in PAGES}
        worst = max(p99s, key=p99s.get)
        print(f"  {connections} connections: worst {worst} {p99s[worst]:.2f} ms "
              f"({'within' if p99s[worst] < P99_GOAL_MS else 'OVER'} the aim)")


TARGETS = {
    "static": "nginx static file",
    "minimal": "minimal Django view (gunicorn)",
    "portal": "portal (gunicorn)",
    "proxy": "portal (nginx micro-cache)",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run (default 3)")
    parser.add_argument("--soak", type=int, default=15, help="seconds of the soak (default 15; 0 skips it)")
    parser.add_argument("--publications", type=int, default=5, help="publications during the soak")
    parser.add_argument("--quick", action="store_true", help="1 s per run and no soak: a check that all works")
    options = parser.parse_args()
    if options.quick:
        options.duration, options.soak = 1, 0
    ensure_tools()

    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench_load-")))
        database_url = stack.enter_context(postgres_cluster())
        ports = {name: free_port() for name in ("portal", "minimal", "static", "proxy")}
        common = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_CACHE_URL": f"filecache://{workdir / 'cache'}",
            "REFORMTRACKER_VAR_DIR": str(workdir / "var"),
            "GUNICORN_ACCESSLOG": "/dev/null",
        }
        common.pop("DJANGO_SETTINGS_MODULE", None)
        demo = {**common, "DJANGO_SETTINGS_MODULE": "reformtracker.settings.base"}
        production = {
            **common,
            "DJANGO_SETTINGS_MODULE": "reformtracker.settings.production",
            "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_STATIC_ROOT": str(workdir / "staticfiles"),
        }
        print("setting up: PostgreSQL, demo data, static files …", flush=True)
        manage("migrate", "--no-input", env=demo)
        manage("setup_demo", env=demo)
        # a release becomes public once its reports are built: build them, then the housekeeping makes it public
        manage("db_worker", "--batch", "--no-reload", env=demo)
        manage("db_worker", "--batch", "--no-reload", env=demo)
        manage("collectstatic", "--no-input", env=production)

        log = stack.enter_context(open(workdir / "gunicorn.log", "w"))
        stack.enter_context(process(
            [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "reformtracker.wsgi"],
            env={**production, "GUNICORN_BIND": f"127.0.0.1:{ports['portal']}"}, log=log,
        ))
        portal = f"http://127.0.0.1:{ports['portal']}"
        wait_for(portal + "/healthz")
        check_pages(portal, PAGES, where="the portal under gunicorn")
        sizes = save_pages(portal, workdir / "static")

        stack.enter_context(process(
            [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--chdir", str(ROOT / "bench"), "minimal_site:application"],
            env={**common, "MINIMAL_ROOT": str(workdir / "static"), "GUNICORN_BIND": f"127.0.0.1:{ports['minimal']}"}, log=log,
        ))
        minimal = f"http://127.0.0.1:{ports['minimal']}"
        wait_for(minimal + PAGES[0].path)

        nginx_dir = workdir / "nginx"
        nginx_dir.mkdir()
        config = loopback_config(
            nginx_dir, listen=f"127.0.0.1:{ports['proxy']}", upstream_port=ports["portal"],
            static_root=workdir / "staticfiles",
            extra=STATIC_SERVER.format(port=ports["static"], root=workdir / "static"),
        )
        stack.enter_context(process(nginx_command(config), log=log))
        bases = {"static": f"http://127.0.0.1:{ports['static']}", "minimal": minimal, "portal": portal,
                 "proxy": f"http://127.0.0.1:{ports['proxy']}"}
        wait_for(bases["static"] + PAGES[0].path)
        wait_for(bases["proxy"] + PAGES[0].path)
        for target, base in bases.items():  # also warms the caches (Django keys pages on the host, which nginx sends without the port)
            check_pages(base, PAGES, where=TARGETS[target])

        print("\npages: " + ", ".join(f"{page.name} {page.path} ({sizes[page.name]:,} bytes)" for page in PAGES))
        print(f"wrk {options.duration} s per run; server and load share the machine")
        print(machine(), flush=True)
        print(f"\n{'target':<32} {'page':<18} {'conns':>5} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
        results = {}
        for connections in CONNECTIONS:
            for page in PAGES:
                for target, base in bases.items():
                    results[target, page.name, connections] = figures = wrk(base + page.path, connections, options.duration)
                    print_row(f"{TARGETS[target]:<32} {page.name:<18}", connections, figures)
        print(machine())
        print_ratios(results)

        if options.soak:
            print(f"\nsoak: 64 connections on {SOAK_PAGE.path} through nginx for {options.soak} s, "
                  f"{options.publications} publications")
            outcome = soak(proxy=bases["proxy"], portal=portal, env=demo, seconds=options.soak, publications=options.publications)
            print(f"  {outcome['rps']:.0f} req/s, errors {outcome['errors']} {outcome['error_detail']}")
            delays = outcome["delays"]
            print(f"  stale pages after publication: {outcome['stale']['gunicorn']} of {outcome['publications']} read at "
                  f"once from gunicorn; through nginx the change showed after "
                  + ", ".join(f"{delay:.2f}" for delay in delays) + " s"
                  + f" (max {max(delays):.2f} s; {outcome['stale']['nginx']} beyond the bound of {STALE_BOUND} s)")
            print(machine())
    return 0

if __name__ == "__main__":
    sys.exit(main())
