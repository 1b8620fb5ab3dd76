"""One coherent public report at a time: the latest released cycle, whatever is published in the next one.

Publications in a cycle not yet released (速報) show on their initiative's page only, labelled
as preliminary; the summary, list (and its downloads), ledger, departments, open data, PDF and
workbook describe the released report until the next cycle is released as a whole.
"""
import csv
import datetime
import io
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from initiatives import services
from initiatives.models import Initiative
from programs.statuses import Status
from tests.conftest import enter_ledger
from tests.reports.conftest import publish, release
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db

LEDGER_2025 = {"ふるさと納税の推進": 350_000, "その他収入の確保": 1_350_000, "事業等の見直し": 270_000, "公共事業等の抑制": 1_010_000,
               "特別会計操出金の抑制": 450_000, "人件費の削減": 120_000}  # 令和7年度当初までの累計
COUNTS_2024 = {"implemented": 0, "on_schedule": 50, "behind": 4, "not_yet_due": 0, "infeasible": 0}
BEHIND_2024 = [30, 42, 49, 52]


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def pdf_first_page(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def workbook_total(data: bytes) -> dict:
    """The 概要 sheet's total row, by header, and the sheet's preamble lines."""
    sheet = load_workbook(io.BytesIO(data))["概要"]
    first = int(sheet.freeze_panes[1:]) - 1
    headers = [c.value for c in sheet[first]]
    rows = [dict(zip(headers, (c.value for c in row))) for row in sheet.iter_rows(min_row=first + 1)]
    return {**rows[-1], "preamble": [sheet.cell(row=r, column=1).value for r in range(1, first)]}


def summary_report_downloads(client) -> tuple[bytes, bytes]:
    """The annual report PDF and workbook the summary page links to."""
    links = [link["url"] for link in client.get(reverse("public:summary", args=[REFORM])).context["report_links"]]
    pdf_url, xlsx_url = links
    return content(client.get(pdf_url)), content(client.get(xlsx_url))


# --- the city's report while departments work on the next year ---------------------------------------------


def assert_the_city_report(client, released):
    """Everything public describes 令和7年度当初 exactly: 54 / 0 / 50 (92.6%) / 4 (7.41%) / 0 / 0, 89.0 / 35.5 億円."""
    response = client.get(reverse("public:summary", args=[REFORM]))
    summary = response.context["summary"]
    assert response.context["cycle"] == released
    assert summary.total.initiatives == 54 and summary.total.counts == COUNTS_2024
    assert summary.total.percent("on_schedule") == "92.6%" and summary.total.percent("behind") == "7.41%"
    assert [v["number"] for v in response.context["headline"].behind] == BEHIND_2024
    html = response.content.decode()
    assert "最新の報告：令和7年度当初" in html and "令和8年度当初" not in html
    assert '<time datetime="2025-04-01">' in html
    assert [link["url"] for link in response.context["report_links"]] == [
        reverse("public:annual-pdf", args=[REFORM, released.pk]), reverse("public:annual-xlsx", args=[REFORM, released.pk]),
    ]

    listing = client.get(reverse("public:initiative-list", args=[REFORM]), {"status": "behind"})
    assert [row.record.number for row in listing.context["table"].rows] == BEHIND_2024
    assert client.get(reverse("public:initiative-list", args=[REFORM])).context["table"].paginator.count == 54
    rows = list(csv.reader(io.StringIO(client.get(reverse("public:initiative-list-csv", args=[REFORM])).content.decode("utf-8-sig"))))
    assert len(rows) == 55 and {row[8] for row in rows[1:]} == {"令和7年度当初"}
    row_30 = next(row for row in rows if row[0] == "30")
    assert row_30[5] == "予定より遅れている" and row_30[9] == "2025-04-01"
    book = load_workbook(io.BytesIO(client.get(reverse("public:initiative-list-xlsx", args=[REFORM])).content))
    assert sum(1 for row in book.active.iter_rows(min_row=2) if row[8].value == "令和7年度当初") == 54

    ledger = client.get(reverse("public:ledger", args=[REFORM])).context["ledger"]
    assert ledger.cycle == released
    assert ledger.total.target_thousand_yen == 8_900_000 and ledger.total.cumulative == 3_550_000

    document = client.get(reverse("public:opendata-json", args=[REFORM])).json()
    assert document["program"]["as_of_label"] == "令和7年度当初" and document["program"]["as_of"] == "2025-04-01"
    assert document["summary"]["fiscal_year"] == 2024
    assert document["summary"]["total"]["counts"] == COUNTS_2024
    assert document["summary"]["total"]["percentages"]["on_schedule"] == "92.6%"
    assert document["ledger"]["totals"]["財源確保目標額"]["cumulative_thousand_yen"] == 3_550_000
    initiative_30 = next(i for i in document["initiatives"] if i["number"] == 30)
    assert [y["fiscal_year"] for y in initiative_30["years"]] == [2024] and initiative_30["status"] == "behind"
    opendata_csv = client.get(reverse("public:opendata-csv", args=[REFORM])).content.decode("utf-8-sig")
    assert "令和8年度当初" not in opendata_csv

    pdf, workbook = summary_report_downloads(client)
    first = pdf_first_page(pdf)
    for figure in ["令和7年度当初", "54", "50 (92.6%)", "4 (7.41%)", "89.0", "35.5", "令和7年度当初までの累計"]:
        assert figure in first
    assert "令和８年度当初" not in first and "公表前" not in first
    total = workbook_total(workbook)
    assert total["取組数"] == 54
    assert total["予定どおり進んでいる\n（件数）"] == 50 and total["予定より遅れている\n（件数）"] == 4
    assert "令和7年度当初" in total["preamble"][0] and "2025年4月1日" in total["preamble"][1]


@pytest.mark.slow
def test_a_preliminary_publication_leaves_the_released_report_as_it_was_until_the_next_release(
    client, published_program, reviewer, finance
):
    released = published_program.cycles.get()
    assert_the_city_report(client, released)

    # 令和8年度当初 opens; 土木部 reports #30's result and chooses its status itself
    current = services.cycle_open(program=published_program, fiscal_year=2025, by=reviewer)
    record = Initiative.objects.get(program=published_program, number=30).years.get(fiscal_year=2025)
    assert record.status == ""  # 未報告: nothing carried forward
    services.record_update(
        record=record, by=reviewer, data={"result": "橋梁の点検を予定どおり実施した。", "status": Status.ON_SCHEDULE}
    )
    with pytest.raises(ValidationError, match="計画を入力してください"):
        services.record_submit(record=record, by=reviewer)
    services.record_update(record=record, by=reviewer, data={"plan": "点検・修繕等の計画的実施"})
    for action in (services.record_submit, services.record_approve, services.record_publish):
        action(record=record, by=reviewer)

    # 財政課 prepares 令和8年度当初's ledger (ふるさと納税の推進 4.0億円, the rest as last year): not public yet
    enter_ledger(current, finance, {**LEDGER_2025, "ふるさと納税の推進": 400_000}, unit="oku_yen", confirm=False)
    assert_the_city_report(client, released)
    page = client.get(reverse("public:initiative-detail", args=[REFORM, 30])).content.decode()
    assert "速報：令和8年度当初の報告（54件中1件を公開済み・全体の公表前）" in page
    assert "橋梁の点検を予定どおり実施した。" in page
    assert reverse("public:archive-initiative", args=[REFORM, released.pk, 30]) in page
    assert [item["cycle"] for item in client.get(reverse("public:archive-index", args=[REFORM])).context["cycles"]] == [released]

    # the rest is published, the ledger confirmed, the cycle closed and released: everything moves to 令和8年度当初 together
    enter_ledger(current, finance, {})
    release(current, reviewer, released_on=datetime.date(2026, 4, 1))
    response = client.get(reverse("public:summary", args=[REFORM]))
    summary = response.context["summary"]
    assert response.context["cycle"] == current and summary.fiscal_year == 2025
    assert summary.total.counts == {**COUNTS_2024, "on_schedule": 54, "behind": 0}
    html = response.content.decode()
    assert "最新の報告：令和8年度当初" in html and '<time datetime="2026-04-01">' in html
    assert [column.cycle for column in response.context["columns"]] == [released, current]
    mix = {row["key"]: [cell["count"] for cell in row["cells"]] for row in response.context["status_mix"]}
    assert mix["on_schedule"] == [50, 54] and mix["behind"] == [4, 0]
    table = html.split('class="data-table status-mix-table"', 1)[1].split("</table>", 1)[0]
    assert table.count('<th scope="col" class="num">') == 2

    pdf, workbook = summary_report_downloads(client)
    first = pdf_first_page(pdf)
    for figure in ["令和8年度当初", "令和８年度当初における", "54 (100%)", "0 (0.00%)", "令和8年度当初までの累計", "36.0"]:
        assert figure in first
    assert "公表前" not in first
    total = workbook_total(workbook)
    assert total["予定どおり進んでいる\n（件数）"] == 54 == summary.total.counts["on_schedule"]
    assert total["予定より遅れている\n（件数）"] == 0 == summary.total.counts["behind"]
    assert "令和8年度当初" in total["preamble"][0] and "2026年4月1日" in total["preamble"][1]

    assert [item["cycle"] for item in client.get(reverse("public:archive-index", args=[REFORM])).context["cycles"]] == [current, released]
    page = client.get(reverse("public:initiative-detail", args=[REFORM, 30]))
    assert "速報" not in page.content.decode()
    assert [year.fiscal_year for year in page.context["initiative"].years] == [2024, 2025]
    document = client.get(reverse("public:opendata-json", args=[REFORM])).json()
    assert document["program"]["as_of_label"] == "令和8年度当初" and document["summary"]["fiscal_year"] == 2025
    assert document["ledger"]["totals"]["財源確保目標額"]["cumulative_thousand_yen"] == 3_600_000
    ledger = client.get(reverse("public:ledger", args=[REFORM])).context
    assert ledger["ledger"].total.cumulative == 3_600_000
    assert [(c.cycle.label, c.total.cumulative) for c in ledger["columns"]] == [("令和7年度当初", 3_550_000), ("令和8年度当初", 3_600_000)]


# --- the same rule on a small program (fast) ---------------------------------------------------------------


def test_every_public_output_keeps_the_released_report_during_a_preliminary_publication(client, world):
    publish(world, 1, result="令和7年度の実績（速報）", status=Status.BEHIND, delay_reason="遅れの理由")
    assert client.get(reverse("public:summary", args=[REFORM])).context["summary"].total.counts["behind"] == 0
    for url in [
        reverse("public:summary", args=[REFORM]),
        reverse("public:initiative-list", args=[REFORM]),
        reverse("public:initiative-list", args=[REFORM]) + "?q=速報",
        reverse("public:initiative-list-csv", args=[REFORM]),
        reverse("public:ledger", args=[REFORM]),
        reverse("public:department-detail", args=[REFORM, world.somu.pk]),
        reverse("public:opendata-json", args=[REFORM]),
        reverse("public:opendata-csv", args=[REFORM]),
        reverse("public:archive-index", args=[REFORM]),
        reverse("public:archive-initiative", args=[REFORM, world.released.pk, 1]),
    ]:
        text = client.get(url).content.decode("utf-8-sig")
        assert "令和7年度の実績（速報）" not in text and "遅れの理由" not in text, url
    assert "令和7年度の実績（速報）" in client.get(reverse("public:initiative-detail", args=[REFORM, 1])).content.decode()
    assert client.get(reverse("public:initiative-list", args=[REFORM]), {"q": "速報"}).context["table"].paginator.count == 0


def test_after_the_release_summary_pdf_and_workbook_agree_on_the_new_cycle(client, world):
    publish(world, 2, result="遅れた", status=Status.BEHIND, delay_reason="理由")
    release(world.cycle, world.reviewer, released_on=datetime.date(2026, 4, 1))
    response = client.get(reverse("public:summary", args=[REFORM]))
    counts = response.context["summary"].total.counts
    assert response.context["cycle"] == world.cycle
    assert counts["behind"] == 1 and counts["on_schedule"] == 2
    assert [column.cycle.label for column in response.context["columns"]] == ["令和7年度当初", "令和8年度当初"]
    pdf, workbook = summary_report_downloads(client)
    first = pdf_first_page(pdf)
    assert "令和8年度当初" in first and "1 (33.3%)" in first and "2 (66.7%)" in first
    total = workbook_total(workbook)
    assert total["予定より遅れている\n（件数）"] == 1 and total["予定どおり進んでいる\n（件数）"] == 2
    archive = client.get(reverse("public:archive-index", args=[REFORM])).context["cycles"]
    assert [item["cycle"] for item in archive] == [world.cycle, world.released]
