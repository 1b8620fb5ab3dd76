#!/usr/bin/env python3
"""Load benchmark: the portal under gunicorn and behind nginx, against two baselines.

    .venv/bin/python bench/bench_load.py [--duration 10] [--soak 20]

Sets up, all on loopback and removed afterwards: a throwaway PostgreSQL 15 cluster
(scripts/with_postgres.py) with the demo data (the 54 initiatives published), the portal
under gunicorn with production settings (gunicorn.conf.py; shared file cache), the same
gunicorn configuration serving a minimal Django view that returns the same bytes
(bench/minimal_site.py), and nginx serving (a) the summary page saved as a static file and
(b) the portal through the reverse proxy and micro-cache of deploy/nginx.conf.

wrk drives the summary, list and detail pages at 16 and 64 connections for a bounded time
and the script prints req/s, p50, p99 and errors, then the ratios the issue asks for:
portal (cached pages) / minimal Django view, and nginx in front of the portal / static nginx.

Then a soak: readers at 64 connections on the detail page through nginx while this script
publishes a change to that initiative again and again; after each publication the page is
read through gunicorn at once and through nginx once the micro-cache has expired (nginx counts
whole seconds, so an entry of 1 s lives up to 2 s), and must show the change. Prints errors and stale pages (both must be 0).

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
from with_postgres import postgres_cluster  # noqa: E402

PYTHON = sys.executable
PAGES = {"summary": "/", "list": "/initiatives/", "detail": "/initiatives/1/"}
CONNECTIONS = (16, 64)
MICRO_CACHE_SECONDS = 1

NGINX_CONF = """
worker_processes auto;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
user root;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    include /etc/nginx/mime.types;
    proxy_cache_path {dir}/cache levels=1:2 keys_zone=reformtracker:20m max_size=200m inactive=10m use_temp_path=off;
    map $upstream_http_cache_control $reformtracker_private {{ ~*(private|no-store) 1; default 0; }}
    upstream reformtracker {{ server 127.0.0.1:{portal_port}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{static_port};
        root {dir}/static;
        location / {{ try_files /summary.html =404; default_type text/html; }}
    }}
    server {{
        listen 127.0.0.1:{proxy_port};
        location / {{
            proxy_pass http://reformtracker;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto https;
            proxy_cache reformtracker;
            proxy_cache_key $scheme$host$request_uri$cookie_django_language;
            proxy_cache_methods GET HEAD;
            proxy_ignore_headers Cache-Control Expires;
            proxy_cache_valid 200 {micro}s;
            proxy_cache_lock on;
            proxy_cache_bypass $cookie_sessionid $http_authorization;
            proxy_no_cache $cookie_sessionid $http_authorization $reformtracker_private;
            add_header X-Micro-Cache $upstream_cache_status;
        }}
    }}
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
    record = YearlyRecord.objects.filter(initiative__number=1).order_by("-fiscal_year").first()
    services.record_update(record=record, by=reviewer, data={"result": marker})
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
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True)


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
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


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
    print(f"{name:<34} {connections:>5} {figures['rps']:>10.0f} {figures['p50']:>9.2f} {figures['p99']:>9.2f} "
          f"{figures['errors']:>7} {figures['error_detail']}")


def soak(*, proxy: str, portal: str, env: dict, seconds: int, publications: int) -> dict:
    """Readers at 64 connections while publications happen; counts errors and stale pages."""
    stale = {"gunicorn": 0, "nginx": 0}
    url = PAGES["detail"]
    publisher = subprocess.Popen(
        [PYTHON, "-c", PUBLISHER], env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
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
            time.sleep(MICRO_CACHE_SECONDS + 1.1)  # nginx keeps time in whole seconds
            if marker not in fetch(proxy + url):
                stale["nginx"] += 1
        output = readers.communicate()[0]
    finally:
        publisher.stdin.close()
        publisher.wait(timeout=30)
        if readers.poll() is None:
            readers.kill()
    return {"publications": publications, "stale": stale, "rps": requests_per_second(output), **errors_of(output)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--soak", type=int, default=20, help="seconds of the soak (default 20; 0 skips it)")
    parser.add_argument("--publications", type=int, default=5, help="publications during the soak")
    options = parser.parse_args()
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
        manage("collectstatic", "--no-input", env=production)

        log = stack.enter_context(open(workdir / "gunicorn.log", "w"))
        stack.enter_context(process(
            [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "reformtracker.wsgi"],
            env={**production, "GUNICORN_BIND": f"127.0.0.1:{ports['portal']}"}, log=log,
        ))
        portal = f"http://127.0.0.1:{ports['portal']}"
        wait_for(portal + "/healthz")
        summary_html = fetch(portal + PAGES["summary"]).encode()
        (workdir / "static").mkdir()
        (workdir / "static" / "summary.html").write_bytes(summary_html)

        stack.enter_context(process(
            [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--chdir", str(ROOT / "bench"), "minimal_site:application"],
            env={**common, "MINIMAL_BODY": str(workdir / "static" / "summary.html"),
                 "GUNICORN_BIND": f"127.0.0.1:{ports['minimal']}"}, log=log,
        ))
        minimal = f"http://127.0.0.1:{ports['minimal']}"
        wait_for(minimal + "/")

        (workdir / "nginx.conf").write_text(NGINX_CONF.format(
            dir=workdir, portal_port=ports["portal"], static_port=ports["static"],
            proxy_port=ports["proxy"], micro=MICRO_CACHE_SECONDS,
        ))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        stack.enter_context(process([nginx, "-c", str(workdir / "nginx.conf"), "-g", "daemon off;"], log=log))
        static, proxy = f"http://127.0.0.1:{ports['static']}", f"http://127.0.0.1:{ports['proxy']}"
        wait_for(static + "/")
        wait_for(proxy + "/")
        for url in PAGES.values():  # warm the caches
            fetch(portal + url)

        print(f"\nsummary page: {len(summary_html):,} bytes; wrk {options.duration} s per run; "
              f"{os.cpu_count()} cores shared by server and load\n")
        print(f"{'target':<34} {'conns':>5} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
        results = {}
        for connections in CONNECTIONS:
            runs = [("nginx static file", static + "/"), ("minimal Django view (gunicorn)", minimal + "/")]
            runs += [(f"portal {name} (gunicorn)", portal + url) for name, url in PAGES.items()]
            runs += [(f"portal {name} (nginx micro-cache)", proxy + url) for name, url in PAGES.items()]
            for name, url in runs:
                results[name, connections] = figures = wrk(url, connections, options.duration)
                print_row(name, connections, figures)

        print("\nratios (req/s)")
        for connections in CONNECTIONS:
            minimal_rps = results["minimal Django view (gunicorn)", connections]["rps"]
            static_rps = results["nginx static file", connections]["rps"]
            print(f"  {connections} connections: minimal Django / static nginx = {minimal_rps / static_rps:.1%}")
            for name in PAGES:
                own = results[f"portal {name} (gunicorn)", connections]["rps"]
                proxied = results[f"portal {name} (nginx micro-cache)", connections]["rps"]
                print(f"    {name:<8} portal / minimal Django = {own / minimal_rps:6.1%}   "
                      f"nginx+portal / static nginx = {proxied / static_rps:6.1%}")

        if options.soak:
            print(f"\nsoak: 64 connections on {PAGES['detail']} through nginx for {options.soak} s, "
                  f"{options.publications} publications")
            outcome = soak(proxy=proxy, portal=portal, env=demo, seconds=options.soak, publications=options.publications)
            print(f"  {outcome['rps']:.0f} req/s, errors {outcome['errors']} {outcome['error_detail']}")
            print(f"  stale pages after publication: {outcome['stale']['gunicorn']} of {outcome['publications']} read at "
                  f"once from gunicorn, {outcome['stale']['nginx']} of {outcome['publications']} read through nginx "
                  f"{MICRO_CACHE_SECONDS + 1} s later")
    return 0


if __name__ == "__main__":
    sys.exit(main())
