#!/usr/bin/env python3
"""Time the public pages (uncached) with the real data and with 100× synthetic data.

    .venv/bin/python bench/bench_public.py [--scale 100] [--repeat 7]

Runs on a throwaway SQLite database in a temporary directory (removed afterwards), with the
page cache off so that every request builds the page: first the city's report
(fixtures/asahikawa_2024.json, 54 initiatives) published as 令和7年度当初 through the
services, then the synthetic program of tests/reports/synthetic.py at `--scale` (×100 =
5,400 initiatives) in its place, its published versions written in bulk as
`record_publish` would leave them.

The pages are the reform program's (summary, list with filters, an initiative, ledger,
departments, archive, CSV) and the summary of each other program (the strategy, dX), loaded from
their fixtures and released as printed. Before timing, every page must answer 200 with text that
only it shows (bench/pages.py); otherwise the script stops and says which page did not.

For each page it prints the median of `--repeat` requests through Django's test client
(ms), the number of SQL queries and the size of the response. The query counts must be the
same for both data sets (tests/public/test_query_counts.py asserts it). The last line names the
machine: CPU count and load average.
"""
import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_reports import publish_in_bulk, setup_django  # noqa: E402  (throwaway SQLite database, migrated)
from pages import OTHER_FIXTURES, Page, machine, other_pages, problem, program_document  # noqa: E402

def timed_pages(slug, department, cycle) -> list[Page]:
    """The reform program's pages (each with text only it shows), then one page of each other program."""
    title = f" | {program_document()['program']['name']} |"
    listed = (f"<title>取組一覧{title}",)
    return [
        Page("summary", f"/{slug}/", (f"<title>概要{title}",)),
        Page("list", f"/{slug}/initiatives/", listed),
        Page("list, page 3", f"/{slug}/initiatives/?page=3", listed),
        Page("list, behind + keyword", f"/{slug}/initiatives/?status=behind&q=の", listed),
        Page("list, sorted by name", f"/{slug}/initiatives/?sort=-name", listed),
        Page("detail", f"/{slug}/initiatives/30/", ("<title>30. ", title)),
        Page("ledger", f"/{slug}/ledger/", ("財源確保額</h1>", title)),
        Page("departments index", f"/{slug}/departments/", ("部局ごとの取組</h1>", title)),
        Page("department", f"/{slug}/departments/{department.pk}/", (f"{department.name}</h1>", title)),
        Page("archive of the cycle", f"/{slug}/archive/{cycle.pk}/", (f"{cycle.label}", title)),
        Page("list CSV (all rows)", f"/{slug}/initiatives.csv", ("管理番号,取組項目名",)),
        *other_pages(),
    ]


def reviewer_user():
    from django.contrib.auth.models import Group, User

    from accounts import roles

    roles.ensure_roles()
    user = User.objects.create_user("bench-reviewer", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.REVIEWER))
    return user


def publish_through_services(program, reviewer):
    from initiatives import services

    services.cycle_release_imported(program=program, by=reviewer)


def measure(client, url: str, repeat: int) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, size = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        queries, size = len(captured), len(response.content)
    return statistics.median(times), queries, size


def run(label: str, repeat: int) -> list[tuple]:
    from django.test import Client

    from initiatives.models import PublishedVersion
    from programs.models import Program, ReportingCycle

    program = Program.objects.get(name=program_document()["program"]["name"])  # the synthetic one takes its name
    version = PublishedVersion.objects.current().filter(number=1, cycle__program=program).first()
    pages = timed_pages(program.slug, version.departments.first(), ReportingCycle.objects.get(pk=version.cycle_id))
    client = Client()
    problems = [problem(page, (response := client.get(page.path)).status_code, response.content.decode()) for page in pages]
    if any(problems):
        sys.exit("not timed: these pages do not answer as expected:\n  " + "\n  ".join(filter(None, problems)))
    rows = []
    for page in pages:
        ms, queries, size = measure(client, page.path, repeat)
        rows.append((label, page.name, page.path, ms, queries, size))
        print(f"  {label:<22} {page.name:<24} {ms:9.1f} ms {queries:4d} queries {size / 1024:9.1f} KiB", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="copies of the 54 synthetic initiatives (100 = 5,400)")
    parser.add_argument("--repeat", type=int, default=7, help="requests per page; the median is printed")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-public-") as directory:
        setup_django(Path(directory))
        from django.conf import settings

        settings.PUBLIC_PAGE_CACHE = False
        from initiatives import services
        from initiatives.opendata.importer import import_program

        sys.path.insert(0, str(ROOT / "tests" / "reports"))
        from synthetic import document

        reviewer = reviewer_user()
        fixture = json.loads((ROOT / "fixtures" / "asahikawa_2024.json").read_text(encoding="utf-8"))
        start = time.perf_counter()
        publish_through_services(import_program(fixture), reviewer)
        print(f"real data: loaded and published 54 initiatives in {time.perf_counter() - start:.1f} s")
        for other in OTHER_FIXTURES:  # released as printed, as setup_demo does
            year = {"asahikawa_strategy_2025.json": 2025, "asahikawa_dx_2025.json": 2024}[other.name]
            services.cycle_release_imported(program=import_program(program_document(other)), by=reviewer, fiscal_year=year)
        rows = run("real (54)", args.repeat)

        start = time.perf_counter()
        synthetic = import_program(document(args.scale), replace=True)  # same program name: replaces the real one
        publish_in_bulk(synthetic, reviewer)
        n = 54 * args.scale
        print(f"synthetic ×{args.scale}: loaded and published {n:,} initiatives in {time.perf_counter() - start:.1f} s")
        rows += run(f"synthetic ×{args.scale} ({n:,})", args.repeat)

    print(f"\n{machine()}")
    print(f"\n| data | page | median ms (of {args.repeat}) | queries | KiB |")
    print("|---|---|---:|---:|---:|")
    for label, name, _url, ms, queries, size in rows:
        print(f"| {label} | {name} | {ms:.1f} | {queries} | {size / 1024:.1f} |")


if __name__ == "__main__":
    main()
