#!/usr/bin/env python3
"""Time to build the annual reports: the PDF and the Excel workbook, cold and from the cache.

    .venv/bin/python bench/bench_reports.py [--scale 100] [--pdf-scale 10] [--repeat 3]

Runs on a throwaway SQLite database and report cache in a temporary directory (removed
afterwards): the city's report (fixtures/asahikawa_2024.json, 54 initiatives) published
as 令和7年度当初, and the synthetic program of tests/reports/synthetic.py (54 initiatives
with long texts) at scale 1, `--pdf-scale` and `--scale` (×100 = 5,400 initiatives;
their published versions are written in bulk, as `cycle_publish_all` would leave them).

For each data set and format it prints the best of `--repeat` cold builds (the builder
function itself, `build_annual_pdf` / `build_annual_workbook`), a cold request through the
cache (fingerprint, build, write) and a cached request (fingerprint and a file that exists),
with the size of the output. Aim (issue 5): PDF under 5 s and Excel under 1 s for the real
data on the 2-core machine.
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

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
    from initiatives.opendata import export_initiative

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


def load(document: dict, reviewer, *, rename: str | None = None, bulk: bool = False):
    from initiatives.opendata import import_program

    if rename:
        document = {**document, "program": {**document["program"], "name": rename}}
    return publish(import_program(document), reviewer, bulk=bulk)


def timed(function, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="synthetic data for the Excel workbook: copies of the 54 initiatives")
    parser.add_argument("--pdf-scale", type=int, default=10, help="synthetic data for the PDF (0: skip)")
    parser.add_argument("--repeat", type=int, default=3, help="cold builds per measurement (the best is printed)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-reports-") as directory:
        setup_django(Path(directory))
        from django.contrib.auth import get_user_model

        from reports import cache
        from reports.pdf import build_annual_pdf
        from reports.workbook import build_annual_workbook
        from tests.reports.synthetic import document

        reviewer = get_user_model().objects.create_superuser("bench", password=None)
        datasets = []
        start = time.perf_counter()
        real = json.loads((ROOT / "fixtures" / "asahikawa_2024.json").read_text(encoding="utf-8"))
        datasets.append(("real (54)", load(real, reviewer), {"pdf", "xlsx"}))
        datasets.append(("synthetic ×1 (54)", load(document(1), reviewer, rename="合成1"), {"pdf", "xlsx"}))
        if args.pdf_scale > 1:
            n = 54 * args.pdf_scale
            datasets.append((f"synthetic ×{args.pdf_scale} ({n:,})",
                             load(document(args.pdf_scale), reviewer, rename=f"合成{args.pdf_scale}", bulk=True), {"pdf", "xlsx"}))
        if args.scale > 1 and args.scale != args.pdf_scale:
            n = 54 * args.scale
            datasets.append((f"synthetic ×{args.scale} ({n:,})",
                             load(document(args.scale), reviewer, rename=f"合成{args.scale}", bulk=True), {"xlsx"}))
        print(f"data loaded in {time.perf_counter() - start:.1f} s\n")

        builders = {"pdf": build_annual_pdf, "xlsx": build_annual_workbook}
        header = f"{'data':<24} {'format':<6} {'build (cold)':>13} {'via cache, cold':>16} {'cached':>9} {'size':>10}"
        print(header)
        print("-" * len(header))
        for name, cycle, formats in datasets:
            for fmt in ("pdf", "xlsx"):
                if fmt not in formats:
                    continue
                repeat = args.repeat if fmt == "xlsx" or "real" in name or "×1 " in name else 1
                build_time, data = timed(lambda: builders[fmt](cycle), repeat)
                cache.invalidate(cycle.pk)
                cold_time, _ = timed(lambda: cache.report_file(cycle, fmt), 1)
                cached_time, _ = timed(lambda: cache.report_file(cycle, fmt), 5)
                print(f"{name:<24} {fmt:<6} {build_time:>11.2f} s {cold_time:>14.2f} s {cached_time * 1000:>6.1f} ms "
                      f"{len(data) / 1024:>7.0f} KB", flush=True)


if __name__ == "__main__":
    main()
