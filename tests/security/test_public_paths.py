"""OWASP basics on the public side: nothing unpublished through any public URL or download,
and hostile text shown as text in HTML, CSV, workbooks and the PDF."""
import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from initiatives import services
from programs.statuses import Status
from tests.reports.conftest import release
from tests import helpers
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example/","クリック")'
DRAFT = "未公開の下書きの実績"
COMMENT = "審査の内部コメント"


def publish(world, number, data, next_steps=None):
    submitter = world.editor_somu if number == 1 else world.editor_doboku
    data = {"status": Status.ON_SCHEDULE, **data}  # the department chooses the status (a new year starts 未報告)
    helpers.publish(world, number, data, by=submitter, next_steps=next_steps)


def public_urls(world, cycle):
    """Every public page and download, with the archive and annual reports of a released `cycle`."""
    return [*helpers.public_urls(departments=[world.somu], cycles=[cycle]),
            reverse("public:initiative-list", args=[REFORM]) + "?q=実績"]


def text_of(response) -> str:
    """What a reader of the response sees: the HTML/JSON/CSV text, the workbook's cells, the PDF's text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response["Content-Type"]
    if "spreadsheetml" in kind:
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        return "\n".join(str(c.value) for s in workbook.worksheets for row in s.iter_rows() for c in row if c.value is not None)
    if "pdf" in kind:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\n", "")
    return content.decode("utf-8-sig")


@pytest.fixture
def published_with_a_draft_behind(world):
    publish(world, 1, {"result": "公開済みの実績"})  # preliminary (速報) in 令和8年度当初; 令和7年度当初 is released
    # a newer draft, submitted and returned with a comment: none of it is public
    services.record_update(record=world.record(1), by=world.editor_somu, data={"result": DRAFT})
    services.record_submit(record=world.record(1), by=world.editor_somu)
    services.record_return(record=world.record(1), by=world.reviewer, comment=COMMENT)
    # 取組2 is never published in 令和8年度当初
    services.record_update(record=world.record(2), by=world.editor_doboku, data={"result": "取組2の未公開の実績"})
    return world


def test_no_public_url_or_download_shows_unpublished_data(client, published_with_a_draft_behind):
    world = published_with_a_draft_behind
    for url in [*public_urls(world, world.released), reverse("public:initiative-detail", args=[REFORM, 2])]:
        response = client.get(url)
        assert response.status_code == 200, url
        text = text_of(response)
        assert DRAFT not in text, url
        assert COMMENT not in text, url
        assert "取組2の未公開の実績" not in text, url
        assert "差戻し" not in text and "提出済み" not in text, url
    assert "公開済みの実績" in text_of(client.get(reverse("public:initiative-detail", args=[REFORM, 1])))
    for url in [reverse("public:archive-cycle", args=[REFORM, world.cycle.pk]), reverse("reports:annual-pdf", args=[world.cycle.pk])]:
        assert client.get(url).status_code == 404, url  # a cycle not yet released has no public report


@pytest.fixture
def hostile_texts(world):
    """Hostile texts published in 令和8年度当初, which is then released: every public output shows them."""
    services.initiative_update(initiative=world.record(1).initiative, by=world.reviewer, data={"name": FORMULA})
    publish(world, 1, {"plan": XSS, "result": FORMULA, "status": Status.BEHIND, "delay_reason": XSS}, next_steps=XSS)
    release(world.cycle, world.reviewer)
    return world


def test_hostile_text_is_escaped_in_every_html_page(client, hostile_texts):
    for url in public_urls(hostile_texts, hostile_texts.cycle):
        response = client.get(url)
        if "text/html" not in response["Content-Type"]:
            continue
        html = response.content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
    detail = client.get(reverse("public:initiative-detail", args=[REFORM, 1])).content.decode()
    assert "&lt;script&gt;alert" in detail


def test_formulas_stay_text_in_csv_downloads(client, hostile_texts):
    for name in ["public:initiative-list-csv", "public:opendata-csv"]:
        rows = list(csv.reader(io.StringIO(client.get(reverse(name, args=[REFORM])).content.decode("utf-8-sig"))))
        cells = [cell for row in rows for cell in row]
        assert not any(cell.startswith("=") for cell in cells), name
        assert "'" + FORMULA in cells, name  # the name, marked as text


def test_formulas_stay_text_in_workbooks(client, hostile_texts):
    for url in [reverse("public:initiative-list-xlsx", args=[REFORM]), reverse("reports:annual-xlsx", args=[hostile_texts.cycle.pk])]:
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        cells = [c for s in workbook.worksheets for row in s.iter_rows() for c in row]
        assert not any(c.data_type == "f" for c in cells), url
        assert any(c.value == FORMULA for c in cells), url  # the text itself, unchanged


def test_hostile_text_is_printed_as_text_in_the_pdf(client, hostile_texts):
    text = text_of(client.get(reverse("reports:annual-pdf", args=[hostile_texts.cycle.pk])))
    assert '<script>alert("xss")</script>' in text
    assert FORMULA in text
