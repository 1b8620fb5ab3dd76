"""What citizens can read of one released cycle, as comparable data: its pages, open data, workbook and PDF.

`capture(cycle)` is taken when the cycle is released and compared after every later step of the
lifecycle machine (tests/lifecycle/test_lifecycle_machine.py): a released report is a frozen fact.
The PDF itself costs about a second to lay out, so each step compares the HTML it is rendered from
(`report_html`), and `pdf_text` is compared once per example.
"""
import io
import json
import re

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from initiatives.opendata.export import export_published_program
from initiatives.selectors import published_cycles, published_summary, published_versions
from programs.models import ReportingCycle
from public import selectors
from public.tables import initiatives_csv
from reports.pdf import build_annual_pdf, render_annual_html
from reports.selectors import annual_report
from reports.workbook import build_annual_workbook


def capture(cycle: ReportingCycle) -> dict[str, object]:
    """Everything public of a released cycle except the PDF's text (see `pdf_text`), keyed by where it is read."""
    cycle = ReportingCycle.objects.select_related("program").get(pk=cycle.pk)
    program = cycle.program
    captured = {}
    captured.update(_pages(program, cycle))
    captured["ledger page (data)"] = ledger_page(program, cycle)
    captured["summary (data)"] = summary_data(program, cycle)
    captured["open data: program.json"] = json.dumps(
        export_published_program(program, cycle), ensure_ascii=False, sort_keys=True, default=str
    )
    captured["open data: initiatives.csv"] = initiatives_csv(program, published_versions(program, cycle)).decode()
    captured["workbook cells"] = workbook_cells(build_annual_workbook(cycle))
    captured["report HTML (the PDF's source)"] = report_html(cycle)
    return captured


def _pages(program, cycle) -> dict[str, str]:
    """The HTML of the cycle's archive page and of each initiative's page in it (the page cache is off in tests)."""
    client = Client()
    urls = [reverse("public:archive-cycle", args=[program.slug, cycle.pk])]
    for version in published_versions(program, cycle):
        urls.append(reverse("public:archive-initiative", args=[program.slug, cycle.pk, selectors.item_ref(program, version)]))
    pages = {}
    for url in urls:
        response = client.get(url)
        html = EARLIER_REPORTS.sub("", response.content.decode())
        pages[f"page {url}"] = f"{response.status_code}\n" + re.sub(r"\n\s*\n", "\n", html)  # (the section's blank lines)
    return pages


# An initiative's page links to its publications in the program's other reports (過去の報告での内容): the list
# grows as later cycles are released, and is navigation, not what the report said.
EARLIER_REPORTS = re.compile(r'<section aria-labelledby="earlier-heading".*?</section>', re.DOTALL)


def ledger_page(program, cycle) -> object:
    """The ledger page's data for this cycle: names, targets, figures, progress, linked initiatives, its column."""
    if not program.has_ledger:
        return None
    cycles = list(published_cycles(program).filter(fiscal_year__lte=cycle.fiscal_year).order_by("fiscal_year"))
    ledger, columns = selectors.released_ledgers(program, cycles)
    rows = [
        (row.name, row.kind, str(row.group_label), row.target_thousand_yen, row.cumulative_display, row.progress,
         row.by_year, row.note, [dict(c) for c in row.contributors], row.outside_display)
        for row in ledger.report.rows()
    ]
    column = [(c.cycle.pk, c.total.name, c.total.cumulative_display, c.total.progress) for c in columns if c.cycle.pk == cycle.pk]
    return {"rows": rows, "notes": ledger.notes, "unassigned": ledger.unassigned, "column": column,
            "years": ledger.fiscal_years, "up_to": ledger.up_to}


def summary_data(program, cycle) -> object:
    summary = published_summary(program, cycle)
    return [(str(row.label), row.initiatives, row.counts, row.not_reported) for row in [*summary.rows, summary.total]]


def workbook_cells(content: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(content))
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def report_html(cycle: ReportingCycle) -> str:
    return render_annual_html(annual_report(cycle))


def pdf_text(cycle: ReportingCycle) -> str:
    reader = PdfReader(io.BytesIO(build_annual_pdf(cycle)))
    return "\n".join(page.extract_text() for page in reader.pages)


def differences(before: dict, after: dict) -> list[str]:
    """The keys whose values differ, each with the text around its first difference."""
    found = []
    for key in sorted(set(before) | set(after)):
        old, new = str(before.get(key)), str(after.get(key))
        if old == new:
            continue
        at = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
        start = max(0, at - 80)
        found.append(f"{key}:\n- …{old[start:at + 80]}…\n+ …{new[start:at + 80]}…")
    return found
