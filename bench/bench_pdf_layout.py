#!/usr/bin/env python3
"""Where the time of the annual PDF goes: WeasyPrint's stages, for the whole report and for its parts.

    .venv/bin/python bench/bench_pdf_layout.py [--scale 0] [--repeat 3]

Builds the city's report (fixtures/asahikawa_2024.json published as 令和7年度当初; with `--scale N`, the
synthetic program of tests/reports/synthetic.py ×N instead) on a throwaway SQLite database, renders its HTML
once, then lays it out and writes it with WeasyPrint in variants of the same document:

- the whole report as `build_annual_pdf` makes it (PDF/UA-1);
- the same without tagging (a plain PDF);
- its front matter alone (page 1 and the contents), and its initiatives alone;
- the initiatives' texts as plain paragraphs (no tables, no classes of the sheet): what the text alone costs.

The front matter alone stops after its first contents page when the contents are longer (the synthetic ×10):
WeasyPrint continues a float column broken across pages only while in-flow content follows. In the whole
report the contents continue, and the whole costs more than its parts (×10: 69-71 s against 52 s for the
initiatives). The contents' page numbers (target-counter) are about 9 s of it (60 s without them; nothing
measurable in the city's report); their float columns are not the cause (as CSS columns: the same 69 s).

For each it prints the best of `--repeat` runs in CPU time (this machine's wall time varies by ±15 % from one
run to the next): parsing (HTML and CSS), layout (styles, boxes, pages), drawing and writing, the pages and
the time per page. bench_reports.py measures the builds themselves against their aims.
"""
import argparse
import gc
import json
import logging
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_reports import ROOT, load, setup_django  # noqa: E402
from pages import machine  # noqa: E402


def as_paragraphs(html: str) -> str:
    """The initiatives' tables as paragraphs: each cell's text a <p>, nothing of the sheet's layout."""
    html = re.sub(r'<table class="sheet">.*?</colgroup>', "<div>", html, flags=re.S)
    html = html.replace("</table>", "</div>")
    html = re.sub(r"<tr[^>]*>|</tr>", "", html)
    html = re.sub(r"<t[dh][^>]*>", "<p>", html)
    return re.sub(r"</t[dh]>", "</p>", html)


def variants(html: str) -> dict[str, tuple[str, str | None]]:
    cover, sheets = html.index('<section class="cover"'), html.index('<main class="sheets">')
    end = html.index("</main>") + len("</main>")
    head, front, body, tail = html[:cover], html[cover:sheets], html[sheets:end], html[end:]
    return {
        "whole report (PDF/UA-1)": (html, "pdf/ua-1"),
        "whole report, untagged": (html, None),
        "front matter (page 1, contents)": (head + front + tail, "pdf/ua-1"),
        "initiatives": (head + body + tail, "pdf/ua-1"),
        "initiatives as paragraphs": (head + as_paragraphs(body) + tail, "pdf/ua-1"),
    }


def measure(html: str, css: str, variant: str | None, base_url: str, repeat: int) -> dict:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    import reports.pdf  # noqa: F401 — its pydyf patch (page references built once per page count)

    best = None
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            fonts = FontConfiguration()
            stylesheet = CSS(string=css, font_config=fonts)
            document = HTML(string=html, base_url=base_url)
            parsed = time.process_time()
            laid_out = document.render(stylesheets=[stylesheet], font_config=fonts, pdf_variant=variant)
            rendered = time.process_time()
            laid_out.write_pdf(pdf_variant=variant)
            written = time.process_time()
        finally:
            gc.enable()
        run = {"total": written - start, "parse": parsed - start, "layout": rendered - parsed,
               "write": written - rendered, "pages": len(laid_out.pages)}
        if best is None or run["total"] < best["total"]:
            best = run
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=0, help="the synthetic program ×N instead of the city's report")
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant (the fastest is printed)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as directory:
        setup_django(Path(directory))
        from django.contrib.auth import get_user_model
        from django.template.loader import render_to_string

        from reports.pdf import FONT, render_annual_html
        from reports.selectors import annual_report

        reviewer = get_user_model().objects.create_superuser("bench", password=None)
        if args.scale:
            from tests.reports.synthetic import document

            cycle = load(document(args.scale), reviewer, rename=f"合成{args.scale}", bulk=True)
            name = f"synthetic ×{args.scale} ({54 * args.scale:,} initiatives)"
        else:
            cycle = load(json.loads((ROOT / "fixtures" / "asahikawa_2024.json").read_text(encoding="utf-8")), reviewer)
            name = "the city's report (54 initiatives)"
        html = render_annual_html(annual_report(cycle))
        css = render_to_string("reports/annual.css", {"font_url": FONT.as_uri()})

        logging.getLogger("weasyprint").setLevel(logging.CRITICAL)  # the front matter alone misses its links' anchors
        print(f"{name}: HTML {len(html):,} characters; CPU seconds, best of {args.repeat}\n")
        header = f"{'variant':<34} {'parse':>7} {'layout':>8} {'write':>7} {'total':>7} {'pages':>6} {'per page':>9}"
        print(header)
        print("-" * len(header))
        for label, (text, variant) in variants(html).items():
            run = measure(text, css, variant, str(FONT.parent), args.repeat)
            print(f"{label:<34} {run['parse']:>7.2f} {run['layout']:>8.2f} {run['write']:>7.2f} {run['total']:>7.2f}"
                  f" {run['pages']:>6} {run['total'] / run['pages']:>9.3f}")
        print(f"\n{machine()}")


if __name__ == "__main__":
    main()
