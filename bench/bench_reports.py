#!/usr/bin/env python3
"""Time to build the annual reports: the PDF and the Excel workbook, cold and from the cache.

    .venv/bin/python bench/bench_reports.py [--scale 100] [--pdf-scale 10] [--repeat 3] [--only-workbook]

Runs on a throwaway SQLite database and report cache in a temporary directory (removed
afterwards): the city's report (fixtures/asahikawa_2024.json, 54 initiatives) published
as 令和7年度当初, and the synthetic program of tests/reports/synthetic.py (54 initiatives
with long texts) at scale 1, `--pdf-scale` and `--scale` (×100 = 5,400 initiatives;
their published versions are written in bulk, as `cycle_publish_all` would leave them).

For each data set and format it prints the best of `--repeat` cold builds (the builder
function itself, `build_annual_pdf` / `build_annual_workbook`), a cold request through the
cache (fingerprint, build, write) and a cached request (fingerprint and a file that exists),
the size of the output and the peak memory of a build (the process's peak resident size
during one build, reset before it, and how much above the size before the build). Aim:
the real PDF under 3 s, the PDF of 540 initiatives under 20 s, the workbook of
5,400 initiatives under 1.5 s, on the 2-core machine.

Then, with a real `db_worker` in a process of its own, on the city's data: the time from a
publication to the new PDF being served, and from the release to the released PDF being
served, while requests keep downloading it every 50 ms; their slowest time shows that no
request waits for a build (`--only-background` runs this part alone). After the release a
citizen keeps opening the program's summary and downloading the PDF it links to, and the
released cycle's own PDF address: the release is public once its reports are built, so the
number of 503 responses after the release, printed last, must be 0. Each download that a
figure is about is checked first: 200, a PDF, of the version it names.
"""
import argparse
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pages import machine  # bench/ is on the path: these scripts run from it

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(directory: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "reformtracker.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.REPORTS_CACHE_DIR = directory / "report-cache"
    call_command("migrate", verbosity=0)


def publish(program, reviewer, *, bulk: bool):
    """Open 令和7年度当初 for FY2024, publish every initiative, close and release it."""
    from initiatives import services

    if bulk:
        return publish_in_bulk(program, reviewer)
    return services.cycle_release_imported(program=program, by=reviewer)


def publish_in_bulk(program, reviewer):
    """What cycle_publish_all leaves behind (versions with search text and departments), written in bulk."""
    from initiatives import services
    from initiatives.models import Initiative, PublishedVersion, WorkflowState, YearlyRecord
    from initiatives.opendata.export import export_initiative

    cycle = services.cycle_open(
        program=program, fiscal_year=2024, by=reviewer, label=program.as_of_label, introduction=program.introduction
    )
    versions, departments = [], []
    for initiative in Initiative.objects.for_program(program).with_structure().with_years().iterator(chunk_size=500):
        data = export_initiative(initiative, cycle.fiscal_year)
        versions.append(PublishedVersion(
            initiative=initiative, cycle=cycle, published_by=reviewer, data=data, number=initiative.number,
            name=initiative.name, pillar=initiative.pillar, status=data["status"],
            secured_amount_thousand_yen=data["secured_amount_thousand_yen"],
            search_text="\n".join([initiative.name, initiative.next_steps, *(f"{y['plan']}\n{y['result']}" for y in data["years"])]),
        ))
        departments.append([r.department_id for r in initiative.responsibilities.all()])
    PublishedVersion.objects.bulk_create(versions, batch_size=500)
    Through = PublishedVersion.departments.through
    Through.objects.bulk_create(
        [Through(publishedversion_id=v.pk, department_id=d) for v, ids in zip(versions, departments, strict=True) for d in ids],
        batch_size=1000,
    )
    YearlyRecord.objects.filter(initiative__program=program, fiscal_year=2024).update(workflow_state=WorkflowState.PUBLISHED)
    services.cycle_close(cycle=cycle, by=reviewer)
    return services.cycle_release(cycle=cycle, by=reviewer, released_on=program.as_of)


def enter_ledger_figures(cycle, by) -> None:
    """The cycle's ledger statement as 財政課 would leave it for the release: the previous report's figures again,
    confirmed."""
    from finance import services as ledger_services
    from finance.models import LedgerEntry, LedgerStatement

    statement = LedgerStatement.objects.for_cycle(cycle)
    previous = LedgerStatement.objects.get(program=cycle.program, budget_fiscal_year=cycle.budget_fiscal_year - 1)
    for entry in previous.entries.all():
        figure = LedgerEntry(statement=statement, category=entry.category, fiscal_year=entry.fiscal_year,
                             secured_thousand_yen=entry.secured_thousand_yen, unit=entry.unit)
        ledger_services.ledger_entry_save(entry=figure, by=by)
    ledger_services.ledger_statement_confirm(statement=statement, by=by)


def load(document: dict, reviewer, *, rename: str | None = None, bulk: bool = False):
    from initiatives.opendata.importer import import_program

    if rename:
        document = {**document, "program": {**document["program"], "name": rename}}
    return publish(import_program(document), reviewer, bulk=bulk)


def peak_memory(function) -> tuple[float, float]:
    """(peak resident MB during one call, MB above the resident size before it). Linux: the peak (VmHWM) is reset
    through /proc/self/clear_refs; elsewhere the figures are the process's peak so far."""
    def status(field: str) -> float:
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    before = status("VmRSS")
    function()
    peak = status("VmHWM")
    return peak, peak - before


def timed(function, repeat: int) -> tuple[float, object]:
    best, _cpu, result = timed_with_cpu(function, repeat)
    return best, result


def timed_with_cpu(function, repeat: int) -> tuple[float, float, object]:
    """(best wall time, the CPU time of that run, result). The CPU time is what the build costs whatever
    else the machine is doing: on a busy machine it is the figure to compare with the aims."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        if wall < best:
            best, best_cpu = wall, cpu
    return best, best_cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="synthetic data for the Excel workbook: copies of the 54 initiatives")
    parser.add_argument("--pdf-scale", type=int, default=10, help="synthetic data for the PDF (0: skip)")
    parser.add_argument("--repeat", type=int, default=3, help="cold builds per measurement (the best is printed)")
    parser.add_argument("--only-background", action="store_true", help="only the background builds with db_worker")
    parser.add_argument("--only-workbook", action="store_true", help="only the workbooks: the real data and `--scale`")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-reports-") as directory:
        setup_django(Path(directory))
        from django.contrib.auth import get_user_model

        from reports import builds
        from reports.pdf import build_annual_pdf
        from reports.workbook import build_annual_workbook
        from tests.reports.synthetic import document

        reviewer = get_user_model().objects.create_superuser("bench", password=None)
        if args.only_background:
            background(Path(directory), reviewer)
            return
        datasets = []
        start = time.perf_counter()
        real = json.loads((ROOT / "fixtures" / "asahikawa_2024.json").read_text(encoding="utf-8"))
        formats = {"xlsx"} if args.only_workbook else {"pdf", "xlsx"}
        datasets.append(("real (54)", load(real, reviewer), formats))
        if not args.only_workbook:
            datasets.append(("synthetic ×1 (54)", load(document(1), reviewer, rename="合成1"), formats))
        if args.pdf_scale > 1 and not args.only_workbook:
            n = 54 * args.pdf_scale
            datasets.append((f"synthetic ×{args.pdf_scale} ({n:,})",
                             load(document(args.pdf_scale), reviewer, rename=f"合成{args.pdf_scale}", bulk=True), {"pdf", "xlsx"}))
        if args.scale > 1 and (args.scale != args.pdf_scale or args.only_workbook):
            n = 54 * args.scale
            datasets.append((f"synthetic ×{args.scale} ({n:,})",
                             load(document(args.scale), reviewer, rename=f"合成{args.scale}", bulk=True), {"xlsx"}))
        print(f"data loaded in {time.perf_counter() - start:.1f} s\n")

        builders = {"pdf": build_annual_pdf, "xlsx": build_annual_workbook}
        header = (f"{'data':<24} {'format':<6} {'build (cold)':>13} {'(CPU)':>9} {'via cache, cold':>16} {'cached':>9} {'size':>10}"
                  f" {'peak memory (+ during build)':>30}")
        print(header)
        print("-" * len(header))
        for name, cycle, formats in datasets:
            for fmt in ("pdf", "xlsx"):
                if fmt not in formats:
                    continue
                repeat = args.repeat if fmt == "xlsx" or "real" in name or "×1 " in name else 1
                build_time, build_cpu, data = timed_with_cpu(lambda: builders[fmt](cycle), repeat)
                builds.invalidate(cycle.pk)
                cold_time, _ = timed(lambda: builds.report_file(cycle, fmt), 1)
                cached_time, _ = timed(lambda: builds.report_file(cycle, fmt), 5)
                peak, above = peak_memory(lambda: builders[fmt](cycle))
                print(f"{name:<24} {fmt:<6} {build_time:>11.2f} s {build_cpu:>7.2f} s {cold_time:>14.2f} s {cached_time * 1000:>6.1f} ms "
                      f"{len(data) / 1024:>7.0f} KB {peak:>15.0f} MB (+{above:.0f} MB)", flush=True)
        print(f"\n{machine()}\n")
        if not args.only_workbook:
            background(Path(directory), reviewer)


def background(directory: Path, reviewer) -> None:
    """Publication → new PDF served, and release → released PDF served, with db_worker building in the background."""
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from initiatives import services
    from initiatives.models import YearlyRecord
    from initiatives.opendata.importer import import_program
    from programs.models import ReportingCycle
    from reports import builds

    real = json.loads((ROOT / "fixtures" / "asahikawa_2024.json").read_text(encoding="utf-8"))
    # a copy beside the city's own program: its own name and URL name
    program = import_program({**real, "program": {**real["program"], "name": "背景での作成", "slug": "haikei"}})
    previous = services.cycle_release_imported(program=program, by=reviewer)
    cycle = services.cycle_open(program=program, fiscal_year=2025, by=reviewer)
    records = list(YearlyRecord.objects.of_cycle(cycle).order_by("initiative__number"))
    on_track = program.vocabulary.on_track[-1]  # a status of the program's own (the reform report's 予定どおり)
    for record in records:
        services.record_update(record=record, by=reviewer, data={"plan": "計画", "result": "実績", "status": on_track})
    for record in records[:-1]:
        for step in (services.record_submit, services.record_approve, services.record_publish):
            step(record=YearlyRecord.objects.get(pk=record.pk), by=reviewer)

    enter_ledger_figures(cycle, reviewer)  # 財政課's figures, confirmed: the release needs them

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"], cwd=ROOT,
        env={**os.environ, "REFORMTRACKER_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
             "REFORMTRACKER_REPORTS_DIR": str(directory / "report-cache")},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    staff, anonymous = Client(), Client()
    staff.force_login(reviewer)
    url = reverse("reports:annual-pdf", args=[cycle.pk])
    try:
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            # the previous report, as citizens read it before the release (its first build, not counted)
            watch(anonymous, reverse("reports:annual-pdf", args=[previous.pk]), builds.fingerprint(previous))
            watch(staff, url, builds.fingerprint(cycle))  # the preview of 53 publications, built once
            for step in (services.record_submit, services.record_approve, services.record_publish):
                step(record=YearlyRecord.objects.get(pk=records[-1].pk), by=reviewer)
            report("publication (54th, staff preview)", *watch(staff, url, builds.fingerprint(cycle)))
            services.cycle_close(cycle=cycle, by=reviewer)
            services.cycle_release(cycle=cycle, by=reviewer)
            cycle = ReportingCycle.objects.get(pk=cycle.pk)
            logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404s of the cycle not yet public
            elapsed, requests, build_seconds = after_release(anonymous, program, cycle)
            report("release (public PDF, 54)", elapsed, requests, build_seconds)
            print(f"503 responses after the release: {sum(1 for status, _seconds in requests if status == 503)}"
                  f" (of {len(requests)} downloads)", flush=True)
            print(machine())
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def download(client, url: str) -> tuple[object, bytes, float]:
    began = time.perf_counter()
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body, time.perf_counter() - began


def check_served(url: str, response, body: bytes, version: str) -> None:
    """The download measured is the one named: 200, a PDF, of `version`."""
    if response.status_code != 200 or not body.startswith(b"%PDF") or response.get("X-Report-Version") != version:
        raise SystemExit(f"{url}: expected the PDF of version {version}, got {response.status_code} "
                         f"{response.get('Content-Type')} {response.get('X-Report-Version')}")


def build_time(version: str) -> float:
    from reports.models import ReportBuild

    build = ReportBuild.objects.get(fingerprint=version, format="pdf")
    return (build.finished_at - build.started_at).total_seconds()


def watch(client, url: str, version: str, timeout: float = 120.0):
    """Download every 50 ms until the file of `version` is served: (seconds, [(status, seconds)], build seconds)."""
    start = time.perf_counter()
    requests = []
    while time.perf_counter() - start < timeout:
        response, body, seconds = download(client, url)
        requests.append((response.status_code, seconds))
        if response.get("X-Report-Version") == version:
            check_served(url, response, body, version)
            return time.perf_counter() - start, requests, build_time(version)
        time.sleep(0.05)
    raise SystemExit(f"{url}: version {version} not served within {timeout:.0f} s")


def after_release(client, program, cycle, timeout: float = 120.0):
    """What a citizen does after the release, every 50 ms until the released PDF is what the summary links to:
    open the summary, download the PDF it links to, and the released cycle's own PDF address (404 while the
    cycle is not public). (seconds, [(status, seconds)] of the downloads, build seconds)."""
    from django.urls import reverse

    from reports import builds

    summary = reverse("public:summary", args=[program.slug])
    released = reverse("reports:annual-pdf", args=[cycle.pk])
    version = builds.fingerprint(cycle)
    start = time.perf_counter()
    requests = []
    while time.perf_counter() - start < timeout:
        page = client.get(summary)
        if page.status_code != 200:
            raise SystemExit(f"{summary}: {page.status_code}")
        links = re.findall(rf'href="({re.escape(f"/{program.slug}/archive/")}\d+/annual\.pdf)"', page.content.decode())
        if not links:
            raise SystemExit(f"{summary}: no link to an annual report")
        linked = links[0]
        for url in (linked, released):
            response, body, seconds = download(client, url)
            requests.append((response.status_code, seconds))
        if linked.endswith(f"/{cycle.pk}/annual.pdf"):
            response, body, _seconds = download(client, linked)
            check_served(linked, response, body, version)
            return time.perf_counter() - start, requests, build_time(version)
        time.sleep(0.05)
    raise SystemExit(f"{summary}: the released report was not linked within {timeout:.0f} s")


def report(what: str, elapsed: float, requests: list, build_seconds: float) -> None:
    times = [seconds for _status, seconds in requests]
    statuses = {}
    for status, _seconds in requests:
        statuses[status] = statuses.get(status, 0) + 1
    print(f"{what:<36} served after {elapsed:5.2f} s (build {build_seconds:4.2f} s); "
          f"{len(requests)} requests meanwhile {dict(sorted(statuses.items()))}, "
          f"slowest {max(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms", flush=True)


if __name__ == "__main__":
    main()
