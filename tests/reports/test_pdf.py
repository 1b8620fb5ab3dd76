"""The annual PDF (reports/pdf.py), reopened with pdftotext, pdffonts and pypdf."""
import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from reports.pdf import build_annual_pdf

from .conftest import publish

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, *args) -> str:
    return subprocess.run(["pdftotext", *args, "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_real_report_has_every_initiative_the_summary_the_ledger_and_page_numbers(real_cycle):
    data = build_annual_pdf(real_cycle)
    reader = PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    text = pdf_text(data, "-layout")
    flat = squeeze(text)
    for version in real_cycle.publications.all():
        assert squeeze(version.name) in flat
        assert re.search(rf"管理番号\s+{version.number}\b", text) or f"\n{version.number}" in text
    first = pdf_text(data, "-layout", "-f", "1", "-l", "1")
    for figure in ["54", "50 (92.6%)", "4 (7.41%)", "89.0", "35.5", "47.1", "17.0"]:
        assert figure in first
    assert "1 / " + str(pages) in first
    assert f"{pages} / {pages}" in pdf_text(data, "-f", str(pages), "-l", str(pages))
    for label in ["取組項目名", "管理番号", "所管部局", "財源確保目標額", "令和5年度までの経過や背景", "作業工程",
                  "令和9年度", "計画", "実績", "進行状況", "実施不可の理由", "財源確保額（当初予算時）", "今後の予定", "目次"]:
        assert label in text
    assert "予定より遅れている（土木部）" in flat
    assert "1,011,707千円" in flat


def test_japanese_font_is_embedded_and_text_is_selectable(real_cycle):
    data = build_annual_pdf(real_cycle)
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True).stdout.decode()
    if not fonts:  # older poppler cannot read stdin
        fonts = ""
    reader = PdfReader(io.BytesIO(data))
    names = {
        str(font["/BaseFont"])
        for page in reader.pages[:3]
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Report-Sans-JP" in name for name in names), names
    for page in reader.pages[:3]:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile3" in descendant["/FontDescriptor"] or "/FontFile2" in descendant["/FontDescriptor"]
    assert "旭川市行財政改革推進プログラム" in pdf_text(data, "-f", "1", "-l", "1")


def test_user_text_is_escaped_and_printed_as_text(world):
    payload = '<script>alert("x")</script><b>太字</b>&amp;'
    publish(world, 1, result=payload)
    data = build_annual_pdf(world.cycle)
    assert squeeze(payload) in squeeze(pdf_text(data))


def test_long_texts_break_across_pages_without_losing_text(synthetic_cycle):
    data = build_annual_pdf(synthetic_cycle)
    text = squeeze(pdf_text(data))
    # initiative 16 has 40 result sentences, 30 background sentences: more than a page
    for i in (1, 30, 40):
        assert f"（取組16の{i}）" in text
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 54 + 2
    assert "予定より遅れている（市立旭川病院）" in text
