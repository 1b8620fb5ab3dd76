"""The annual PDF (reports/pdf.py), reopened with pdftotext, pdffonts and pypdf."""
import datetime
import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from initiatives import services
from reports.pdf import build_annual_pdf

from .conftest import publish, release

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


# --- two cycles: the cycle's own texts, the four-year schedule, the preview ---------------------------------


def test_texts_come_from_the_cycle_and_the_schedule_has_the_four_years(world):
    services.cycle_update(cycle=world.cycle, by=world.reviewer, data={
        "introduction": "令和８年度当初の前文です。", "as_of": datetime.date(2026, 4, 1),
        "ledger_label": "令和8年度当初予算までの累計額",
    })
    publish(world, 1, result="令和7年度の実績です")
    world.cycle.refresh_from_db()
    preview = pdf_text(build_annual_pdf(world.cycle), "-layout")
    first = preview.split("\f")[0]
    assert "公表前（確認用）" in first
    assert "令和８年度当初の前文です。" in first and "2026年4月1日" in first
    assert "令和8年度当初予算までの累計額" in first
    assert "公表前（確認用）" in preview.split("\f")[2]  # every page's header says so

    release(world.cycle, world.reviewer)
    world.cycle.refresh_from_db()
    text = pdf_text(build_annual_pdf(world.cycle), "-layout")
    assert "公表前" not in text
    flat = squeeze(text)
    # 作業工程 of the four years, the cycle's year included (initiative 1: 検討, 実施, none, none)
    assert squeeze("令和6年度（2024）令和7年度（2025）令和8年度（2026）令和9年度（2027）") in flat
    assert squeeze("検討実施") in flat
    assert "令和7年度の実績です" in flat

    released = pdf_text(build_annual_pdf(world.released)).split("\f")[0]
    assert squeeze(world.program.introduction) in squeeze(released) and "2025年4月1日" in released
    assert "令和7年度当初までの累計" in released and "令和7年度の実績です" not in released
