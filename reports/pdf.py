"""The annual progress report as a PDF, laid out like the city's own (WeasyPrint).

A4 landscape: a cover page (the issuing office and release date, the introduction and 基準日,
the status table per pillar and the ledger); a table of contents; then the initiatives, two a
page as the city prints them (an initiative is never split unless it alone is longer than a
page), grouped by perspective and pillar, with the report's fields in the report's order and
the four-year 作業工程. A draft (a cycle not yet released) is marked 「案」 on every page.
A program that reports no statuses is printed as its list, page 1 holding its figures and the contents.
The strategy's list of projects (items with a figure, templates/reports/_figure_list.html) is one table
running on from page 1 as the city prints it: 基本目標 → 施策 → 事業, each 基本目標 closed by its 小計 as
printed (every row, 再掲 too) with its projects counted once beside it, and the 合計. The dX roadmap
(templates/reports/_list.html) has a table per pillar from page 2, one row per item.

The PDF is accessible (JIS X 8341-3 applies to the city's PDFs): PDF/UA-1, i.e. tagged, with
the document language (ja), its title shown as the window title, bookmarks, and tables
tagged as tables whose cells know their headers (th scope="row"/"col"). Japanese text is set
in the Noto Sans JP font shipped in reports/fonts/ (embedded as a subset), never a system font.
"""
from pathlib import Path

import pydyf
from django.template.loader import render_to_string
from django.utils.translation import gettext
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration


from .batch import without_cyclic_gc
from .selectors import PREVIEW_MARK, PREVIEW_NOTE, AnnualReport, annual_report

FONT = Path(__file__).resolve().parent / "fonts" / "NotoSansJP-Regular.otf"
PDF_VARIANT = "pdf/ua-1"  # tagged, with the language and title (WeasyPrint 70: pdf_tags, /Lang, DisplayDocTitle)


def _page_references(pdf) -> tuple:
    """pydyf's PDF.page_references, kept until a page is added. WeasyPrint's tagging asks for it once per
    structure element (thousands a report), and pydyf rebuilds the tuple of every page each time: the
    PDF/UA output took time in the pages times the elements. Same value, built once per page count."""
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_page_references"] = cached
    return cached[1]


pydyf.PDF.page_references = property(_page_references)


def toc_columns(report: AnnualReport, columns: int = 2) -> list[list[dict]]:
    """The table of contents as lines split into columns of about equal length, never ending on a heading: the
    items under their levels, or for a program printed as its list, its pillars (each a table of items)."""
    program = report.program
    if report.is_list:
        cover = f"{program.level1_label}ごとの{program.figure_label if report.figures else program.item_label}"
    else:
        cover = gettext("取組の進行状況・財源確保額")
    lines = [{"kind": "cover", "text": cover}]
    for section in report.perspectives:
        heading = report.perspective_heading
        if report.figures:  # the strategy numbers its levels: 基本目標1
            heading = f"{heading}{section.perspective.order}"
        lines.append({"kind": "perspective", "text": f"{heading}　{section.perspective.name}"})
        for pillar_section in section.pillars:
            pillar = pillar_section.pillar
            if report.is_list:  # the list's contents name its pillars, each a table of its items
                anchor = f"pillar-{pillar.key}"
                text = f"{pillar.numeral}　{pillar.name}" if program.has_two_levels else f"{len(pillar_section.lines)}{program.item_label}"
                lines.append({"kind": "pillar", "text": text, "anchor": anchor})
                continue
            lines.append({"kind": "pillar", "text": f"{pillar.numeral}　{pillar.name}"})
            lines += [{"kind": "entry", "number": s.number, "text": s.name, "anchor": s.anchor} for s in pillar_section.initiatives]
    last_kinds = ("entry", "pillar") if report.is_list else ("entry",)  # what a column may end on: never a heading
    size = -(-len(lines) // columns)
    result, start = [], 0
    for _ in range(columns):
        end = min(start + size, len(lines))
        while end < len(lines) and end > start + 1 and lines[end - 1]["kind"] not in last_kinds:
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
            "ledger_lines": report.ledger_lines(),
            "toc_columns": toc_columns(report),
            "preview_mark": PREVIEW_MARK,
            "preview_note": PREVIEW_NOTE,
        },
    )


def render_annual_document(cycle):
    """The laid-out report (a WeasyPrint Document: its pages and boxes), before it is written as a PDF."""
    report = annual_report(cycle)
    fonts = FontConfiguration()
    stylesheet = CSS(
        string=render_to_string("reports/annual.css", {"font_url": FONT.as_uri()}), font_config=fonts
    )
    html = HTML(string=render_annual_html(report), base_url=str(FONT.parent))
    return html.render(stylesheets=[stylesheet], font_config=fonts, pdf_variant=PDF_VARIANT)


def build_annual_pdf(cycle) -> bytes:
    """The annual report of a reporting cycle, from its published versions only: a tagged PDF (PDF/UA-1)."""
    with without_cyclic_gc():
        return render_annual_document(cycle).write_pdf(pdf_variant=PDF_VARIANT)
