"""The annual progress report as a PDF, laid out like the city's own (WeasyPrint).

A4 landscape: a first page with the introduction, the status table per pillar and the
ledger; a table of contents; then one sheet per initiative, grouped by perspective and
pillar, with the report's fields in the report's order. Japanese text is set in the
Noto Sans JP font shipped in reports/fonts/ (embedded as a subset), never a system font.
"""
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from initiatives.models import Status

from .selectors import PREVIEW_MARK, AnnualReport, annual_report

FONT = Path(__file__).resolve().parent / "fonts" / "NotoSansJP-Regular.otf"


def toc_columns(report: AnnualReport, columns: int = 2) -> list[list[dict]]:
    """The table of contents as lines split into columns of about equal length, never ending on a heading."""
    lines = [{"kind": "cover", "text": gettext("取組の進行状況・財源確保額")}]
    for section in report.perspectives:
        lines.append({"kind": "perspective", "text": f"{gettext('行財政改革の視点')}　{section.perspective.name}"})
        for pillar_section in section.pillars:
            lines.append({"kind": "pillar", "text": f"{pillar_section.pillar.numeral}　{pillar_section.pillar.name}"})
            lines += [{"kind": "entry", "number": s.number, "text": s.name} for s in pillar_section.initiatives]
    size = -(-len(lines) // columns)
    result, start = [], 0
    for _ in range(columns):
        end = min(start + size, len(lines))
        while end < len(lines) and end > start + 1 and lines[end - 1]["kind"] != "entry":
            end -= 1
        result.append(lines[start:end])
        start = end
    result[-1] += lines[start:]
    return result


def render_annual_html(report: AnnualReport) -> str:
    return render_to_string(
        "reports/annual.html",
        {
            "report": report,
            "program": report.program,
            "cycle": report.cycle,
            "summary": report.summary,
            "statuses": Status.choices,
            "ledger_lines": report.ledger_lines(),
            "toc_columns": toc_columns(report),
            "preview_mark": PREVIEW_MARK,
        },
    )


def build_annual_pdf(cycle) -> bytes:
    """The annual report of a reporting cycle, from its published versions only."""
    report = annual_report(cycle)
    fonts = FontConfiguration()
    stylesheet = CSS(
        string=render_to_string("reports/annual.css", {"font_url": FONT.as_uri()}), font_config=fonts
    )
    document = HTML(string=render_annual_html(report), base_url=str(FONT.parent))
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
