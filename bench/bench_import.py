#!/usr/bin/env python3
"""Cost of reading hostile uploads in the Excel import: peak memory and time per shape.

    .venv/bin/python bench/bench_import.py [--only NAME ...] [--timeout 60] [--memory-limit 2048]

Runs on a throwaway SQLite database in a temporary directory (removed afterwards): the
city's report (fixtures/asahikawa_2024.json, 54 initiatives) with the FY2025 cycle open
and a reviewer, who may import every initiative. Each shape is built here (with
tests/security/hostile_xlsx.py or from the real template) and read by
`recordimport.imports.read_import` in a fresh child process, which prints:

- the upload's size and what happened (accepted, or refused and the first message, cut),
- the time of the read (wall clock and the child's CPU time), best of --repeat,
- the child's peak resident memory (ru_maxrss) while reading, above what it held before
  (Django, the database, the upload), and the Python allocations' peak (tracemalloc,
  in a second read, since tracing slows it),
- the size of the errors listed, which the refusal page repeats.

A child runs with an address-space limit (--memory-limit MB) and a time limit
(--timeout s), so a shape that would take the machine down is reported as killed.
Goal: any upload the server accepts for parsing costs under 300 MB
peak memory and under 5 s. The shapes marked "at limit" are the largest the limits of
programs/import_limits.py let through to openpyxl.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from pages import machine  # bench/ is on the path: these scripts run from it

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(directory: Path, *, migrate: bool) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "reformtracker.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def make_world() -> dict:
    """The real program, its FY2025 cycle open, and a reviewer (the reform office imports every initiative)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts import roles
    from initiatives import services
    from initiatives.opendata.importer import import_program

    roles.ensure_roles()
    reviewer = get_user_model().objects.create_user("bench-reviewer", password=None, is_staff=True)
    reviewer.groups.add(Group.objects.get(name=roles.REVIEWER))
    document = json.loads((ROOT / "fixtures" / "asahikawa_2024.json").read_text(encoding="utf-8"))
    program = import_program(document)
    services.cycle_release_imported(program=program, by=reviewer)  # 令和7年度当初 (FY2024), as `make run` has it
    cycle = services.cycle_open(program=program, fiscal_year=2025, by=reviewer)
    return {"user": reviewer.pk, "cycle": cycle.pk}


# --- the shapes ---------------------------------------------------------------------------------


def shapes(template: bytes) -> dict:
    """name → (description, bytes)."""
    from openpyxl.utils import get_column_letter

    from programs import import_limits as limits
    from recordimport.imports import HEADERS
    from tests.security import hostile_xlsx as x

    wide = len(HEADERS)
    xf = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    styles_head = f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{x.MAIN}"><cellXfs>'

    def rows_of(count, values):
        return "".join(x.row(r, values(r)) for r in range(2, count + 2))

    def echo(length, cells=100):
        """`cells` rows whose every column points at one shared string of `length` characters."""
        return x.workbook(x.sheet_xml(x.header_row() + rows_of(cells, lambda r: [("s", 0)] * wide)),
                          strings=x.Repeated('<sst xmlns="%s"><si><t>' % x.MAIN, "x", length, "</t></si></sst>"))

    at_limit_strings = limits.MAX_SHARED_STRINGS - 100
    string_rows = at_limit_strings // 25
    long_count = (limits.MAX_PART_BYTES - 4096) // (limits.MAX_TEXT_CHARS + 30)
    return {
        "template": ("the real template, 54 rows, unchanged (accepted)", template),
        "echo 4 MB string": ("100 rows × 11 cells → one 4 MB shared string (before the limits: 3.75 GB)", echo(4 * 1024 * 1024)),
        "8 MB string": ("100 rows × 11 cells → one 8 MB shared string (before the limits: killed at 60 s)", echo(8 * 1024 * 1024)),
        "styles bomb": ("styles.xml of 45 MB compressed (before the limits: timeout at 60 s)",
                        x.workbook(x.sheet_xml(x.header_row()), style_sheet=x.Repeated(
                            styles_head, xf, 45 * 1024 * 1024 // len(xf), "</cellXfs></styleSheet>"))),
        "styles elements": ("styles.xml of 1.9 MB: 31,000 cell formats",
                            x.workbook(x.sheet_xml(x.header_row()), style_sheet=x.Repeated(
                                styles_head, xf, 31_000, "</cellXfs></styleSheet>"))),
        "many cells": ("2,000 rows × 250 numbers (500,000 cells)",
                       x.workbook(x.Repeated(x.sheet_xml(x.header_row())[:-len("</sheetData></worksheet>")],
                                             "<row>" + "<c><v>1</v></c>" * 250 + "</row>", 2000,
                                             "</sheetData></worksheet>"))),
        "huge header": ("header: the 11 columns, then 245 columns named by one 30,000-character string",
                        x.workbook(x.sheet_xml(x.row(1, HEADERS + [("s", 0)] * 245)),
                                   strings=x.shared_strings(["見" * 30_000]))),
        "many members": ("40,000 empty zip members",
                         x.workbook(x.sheet_xml(x.header_row()), members={f"m/{i}": "" for i in range(40_000)})),
        "deep nesting": ("a worksheet 250,000 elements deep",
                         x.workbook(x.Repeated(x.sheet_xml(x.header_row())[:-len("</worksheet>")] + "<extLst>",
                                               "<a>", 250_000, "</a>" * 250_000 + "</extLst></worksheet>"))),
        # The largest shapes the limits let through to openpyxl:
        "at limit: cells": (f"{limits.MAX_CELLS - 200:,} cells: 2,000 rows × 29 numbers, one error per row",
                            x.workbook(x.Repeated(x.sheet_xml(x.header_row())[:-len("</sheetData></worksheet>")],
                                                  "<row>" + "<c><v>1</v></c>" * 29 + "</row>", (limits.MAX_CELLS - 200) // 29,
                                                  "</sheetData></worksheet>"))),
        "at limit: strings": (f"{at_limit_strings:,} distinct shared strings of ~120 bytes in {string_rows:,} rows × 25",
                              x.workbook(x.sheet_xml(x.header_row() + rows_of(string_rows, lambda r: [("s", (r - 2) * 25 + i) for i in range(25)])),
                                         strings=x.shared_strings(f"{i:06d}" + "文" * 38 for i in range(at_limit_strings)))),
        "at limit: merged cells": (f"{limits.MAX_OTHER_ELEMENTS - 100:,} merged ranges in the sheet, the template's header",
                                   x.workbook(x.sheet_xml(x.header_row(), after_data="<mergeCells>" + '<mergeCell ref="A1:B2"/>'
                                                          * (limits.MAX_OTHER_ELEMENTS - 100) + "</mergeCells>"))),
        "at limit: cell data": (f"{limits.MAX_SHEET_DATA_ELEMENTS - 2000:,} elements of cell data: inline strings of two runs",
                                x.workbook(x.sheet_xml(x.header_row() + rows_of(
                                    (limits.MAX_SHEET_DATA_ELEMENTS - 2000) // (11 * 6 + 1),
                                    lambda r: [("is", "<is>" + "<r><t>ab</t></r>" * 2 + "</is>")] * wide)))),
        "at limit: long strings": (f"{long_count} shared strings of 32,767 characters, 2,000 rows × 11 cells",
                                   x.workbook(x.sheet_xml(x.header_row() + rows_of(2000, lambda r: [("s", r % long_count)] * wide)),
                                              strings=f'<sst xmlns="{x.MAIN}">' + "".join(
                                                  f"<si><t>{i:05d}{'x' * (limits.MAX_TEXT_CHARS - 5)}</t></si>" for i in range(long_count)) + "</sst>")),
        "at limit: styles": (f"{limits.MAX_STYLE_ELEMENTS - 10:,} cell formats in styles.xml, the real template's rows",
                             _with_member(template, "xl/styles.xml", styles_head + xf * (limits.MAX_STYLE_ELEMENTS - 10) + "</cellXfs></styleSheet>")),
        "many sheets": (f"{limits.MAX_SHEETS} sheets naming one part of 2,000 rows",
                        x.workbook(x.sheet_xml(x.header_row() + rows_of(2000, lambda r: [r] + [""] * 10)),
                                   sheet_names=["部局別更新"] + [f"S{i}" for i in range(limits.MAX_SHEETS - 1)])),
        "at limit: sheets": (f"{limits.MAX_SHEETS} sheets naming one part of 70 rows",
                             x.workbook(x.sheet_xml(x.header_row() + rows_of(70, lambda r: [r] + [""] * 10)),
                                        sheet_names=["部局別更新"] + [f"S{i}" for i in range(limits.MAX_SHEETS - 1)])),
        "at limit: wide row": ("a row of 16,384 empty styled cells; a dimension of A1:XFD1048576",
                               x.workbook(x.sheet_xml(x.header_row() + '<row r="2">' + "".join(
                                   f'<c r="{get_column_letter(c)}2" s="0"/>' for c in range(1, 16385)) + "</row>",
                                   before_data='<dimension ref="A1:XFD1048576"/>'))),
        "at limit: row gap": ("one value in row 1,048,576",
                              x.workbook(x.sheet_xml(x.header_row() + x.row(1048576, [1])))),
        "at limit: all at once": ("15,000 shared strings of two runs, 15,000 styles, 10,000 merged ranges, 22,000 cells",
                                  x.workbook(
                                      x.sheet_xml(x.header_row() + rows_of(2000, lambda r: [("s", (r * 11 + i) % 15_000) for i in range(wide)]),
                                                  after_data="<mergeCells>" + '<mergeCell ref="A1:B2"/>' * 10_000 + "</mergeCells>"),
                                      strings=f'<sst xmlns="{x.MAIN}">' + "".join(
                                          f"<si><r><t>{i}</t></r><r><t>文字列</t></r></si>" for i in range(15_000)) + "</sst>",
                                      style_sheet=styles_head + xf * 15_000 + "</cellXfs></styleSheet>")),
    }


def _with_member(data: bytes, name: str, content: str) -> bytes:
    """The .xlsx with one member replaced."""
    import io
    import zipfile

    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info))
    return output.getvalue()


# --- one measurement, in a child process -----------------------------------------------------------


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(directory: Path, name: str, repeat: int) -> None:
    setup_django(directory, migrate=False)
    from django.contrib.auth import get_user_model

    from programs.models import ReportingCycle
    from recordimport.imports import ImportRefused, read_import

    world = json.loads((directory / "world.json").read_text())
    user = get_user_model().objects.get(pk=world["user"])
    cycle = ReportingCycle.objects.select_related("program").get(pk=world["cycle"])
    data = (directory / "shapes" / f"{name}.xlsx").read_bytes()
    read_import(_plain_template(directory), user=user, cycle=cycle)  # warm: imports, queries, caches
    before = maxrss_mb()

    def run():
        try:
            rows = read_import(data, user=user, cycle=cycle)
            return "accepted", f"{len(rows)} rows", 0
        except ImportRefused as refused:
            return "refused", refused.errors[0], sum(len(e) for e in refused.errors)

    best = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        outcome, message, listed = run()
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    peak = maxrss_mb()
    tracemalloc.start()
    run()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"outcome": outcome, "message": message, "seconds": best, "cpu": cpu, "rss_before": before,
                      "rss_peak": peak, "traced": traced / 1024 / 1024, "listed": listed}))


def _plain_template(directory: Path) -> bytes:
    return (directory / "shapes" / "template.xlsx").read_bytes()


def measure(directory: Path, name: str, *, timeout: float, memory_limit: int, repeat: int) -> dict:
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit * 1024 * 1024, memory_limit * 1024 * 1024))

    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", name, "--dir", str(directory), "--repeat", str(repeat)],
            capture_output=True, text=True, timeout=timeout, preexec_fn=limit,
        )
    except subprocess.TimeoutExpired:
        return {"outcome": f"killed after {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"outcome": f"died ({last[:60]}) after {time.perf_counter() - start:.1f} s"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="shape names (default: all)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a child is killed")
    parser.add_argument("--memory-limit", type=int, default=2048, help="a child's address space, MB")
    parser.add_argument("--repeat", type=int, default=3, help="reads per shape (the best time is printed)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(Path(args.dir), args.child, args.repeat)

    with tempfile.TemporaryDirectory(prefix="bench-import-") as name:
        directory = Path(name)
        setup_django(directory, migrate=True)
        world = make_world()
        (directory / "world.json").write_text(json.dumps(world))
        from django.contrib.auth import get_user_model

        from programs.models import ReportingCycle
        from recordimport.template import build_import_template

        template = build_import_template(user=get_user_model().objects.get(pk=world["user"]),
                                         cycle=ReportingCycle.objects.get(pk=world["cycle"]))
        (directory / "shapes").mkdir()
        (directory / "shapes" / "template.xlsx").write_bytes(template)
        table = shapes(template)
        wanted = args.only or list(table)
        header = (f"{'shape':<24} {'upload':>9} {'time':>8} {'CPU':>8} {'RSS +':>7} {'RSS':>7} {'traced':>7} {'listed':>8}  outcome")
        print(header)
        print("-" * 110)
        for shape in wanted:
            description, data = table[shape]
            (directory / "shapes" / f"{shape}.xlsx").write_bytes(data)
            result = measure(directory, shape, timeout=args.timeout, memory_limit=args.memory_limit, repeat=args.repeat)
            upload = f"{len(data) / 1024:,.0f} KB"
            if "seconds" not in result:
                print(f"{shape:<24} {upload:>9} {'':>8} {'':>8} {'':>7} {'':>7} {'':>7} {'':>8}  {result['outcome']}  [{description}]")
                continue
            growth = result["rss_peak"] - result["rss_before"]
            listed = f"{result['listed'] / 1024:.1f} KB"
            message = result["message"] if len(result["message"]) <= 60 else result["message"][:60] + "…"
            print(f"{shape:<24} {upload:>9} {result['seconds']:>6.2f} s {result['cpu']:>6.2f} s {growth:>4.0f} MB {result['rss_peak']:>4.0f} MB "
                  f"{result['traced']:>4.0f} MB "
                  f"{listed:>8}  {result['outcome']}: {message}  [{description}]", flush=True)
        print(f"\n{machine()}")
        print("time: wall clock, best of --repeat; CPU: the child's"
              " CPU time for that read (less sensitive to the machine's load);")
        print("RSS +: the child's peak resident memory (ru_maxrss) while reading, above what it held before (Django, data);"
              " RSS: that peak; traced: tracemalloc's peak of Python allocations; listed: the errors the refusal page repeats.")


if __name__ == "__main__":
    main()
