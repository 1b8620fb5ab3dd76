"""The initiative list: filters in the query string, sorting, pagination, downloads of the filtered rows."""
import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from programs.models import Department, Perspective, Pillar

from .conftest import table_numbers
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db

LIST = reverse("public:initiative-list", args=[REFORM])


def all_numbers(response) -> list[int]:
    return [row.record.number for row in response.context["table"].rows]


def test_list_shows_the_54_published_initiatives_on_one_page_or_in_pages_of_the_size_asked(client, published_program):
    first = client.get(LIST)
    assert first.context["table"].paginator.count == 54
    assert table_numbers(first) == list(range(1, 55))
    assert table_numbers(client.get(LIST, {"per_page": 25})) == list(range(1, 26))
    assert table_numbers(client.get(LIST, {"per_page": 25, "page": 3})) == [51, 52, 53, 54]


def test_status_behind_gives_exactly_the_four_initiatives(client, published_program):
    response = client.get(LIST, {"status": "behind"})
    assert all_numbers(response) == [30, 42, 49, 52]
    assert "4件の取組が見つかりました" in response.content.decode()


def test_department_filter(client, published_program):
    hospital = Department.objects.get(name="市立旭川病院事務局")
    numbers = all_numbers(client.get(LIST, {"department": hospital.pk}))
    assert 42 in numbers
    expected = {v["number"] for v in client.get(reverse("public:opendata-json", args=[REFORM])).json()["initiatives"]
                if any(d["department"] == "市立旭川病院事務局" for d in v["departments"])}
    assert set(numbers) == expected


def test_perspective_and_pillar_filters(client, published_program):
    pillar = Pillar.objects.get(program=published_program, numeral="Ⅴ")
    assert len(all_numbers(client.get(LIST, {"pillar": pillar.pk}))) == 2
    perspective = Perspective.objects.get(program=published_program, name="マネジメント")
    assert len(all_numbers(client.get(LIST, {"perspective": perspective.pk}))) == 6 + 9


def test_free_text_search_over_name_plan_result_and_next_steps(client, published_program):
    assert all_numbers(client.get(LIST, {"q": "ふるさと納税"})) == [18, 19, 20, 26]  # 20, 26 in plan/result/next steps
    # every word must match
    assert all_numbers(client.get(LIST, {"q": "ふるさと納税 企業版"})) == [19]
    assert all_numbers(client.get(LIST, {"q": "存在しない言葉"})) == []


def test_has_secured_amount_filter(client, published_program):
    with_amount = all_numbers(client.get(LIST, {"has_amount": "true"}))
    without = all_numbers(client.get(LIST, {"has_amount": "false"}))
    assert len(with_amount) == 14 and 40 in with_amount and 26 in with_amount
    assert len(without) == 40
    assert not set(with_amount) & set(without)


def test_sorting_by_column(client, published_program):
    assert table_numbers(client.get(LIST, {"sort": "-number"}))[:3] == [54, 53, 52]
    by_amount = client.get(LIST, {"sort": "-secured_amount_thousand_yen", "has_amount": "true"})
    assert table_numbers(by_amount)[0] == 40  # 1,011,707千円


def test_sorting_by_status_follows_the_report_order(client, published_program):
    assert table_numbers(client.get(LIST, {"sort": "-status"}))[:4] == [30, 42, 49, 52]  # behind before on schedule


def test_an_invalid_filter_value_is_reported_not_an_error(client, published_program):
    response = client.get(LIST, {"pillar": "abc"})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()


def test_filter_state_survives_paging_and_sorting_links(client, published_program):
    html = client.get(LIST, {"status": "on_schedule", "per_page": 25}).content.decode()
    assert "status=on_schedule&amp;per_page=25&amp;page=2" in html
    assert "status=on_schedule&amp;per_page=25&amp;sort=number" in html or "status=on_schedule&amp;per_page=25&amp;sort=-number" in html


def read_csv(response) -> list[list[str]]:
    content = response.content
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_download_holds_exactly_the_filtered_rows(client, published_program):
    response = client.get(reverse("public:initiative-list-csv", args=[REFORM]), {"status": "behind"})
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0][:2] == ["管理番号", "取組項目名"]
    assert [int(r[0]) for r in rows[1:]] == [30, 42, 49, 52]
    assert rows[1][1] == "公共施設の適切な維持管理の推進"
    assert rows[1][5] == "予定より遅れている"


def test_download_with_an_invalid_filter_holds_what_the_page_shows_nothing(client, published_program):
    assert all_numbers(client.get(LIST, {"pillar": "abc"})) == []
    rows = read_csv(client.get(reverse("public:initiative-list-csv", args=[REFORM]), {"pillar": "abc"}))
    assert rows[1:] == []


def test_download_is_not_limited_to_one_page(client, published_program):
    rows = read_csv(client.get(LIST, {"format": "csv"}))
    assert len(rows) == 1 + 54


def test_excel_download_holds_the_filtered_rows(client, published_program):
    response = client.get(reverse("public:initiative-list-xlsx", args=[REFORM]), {"has_amount": "true", "sort": "-secured_amount_thousand_yen"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "管理番号"
    assert len(rows) == 1 + 14
    assert rows[1][0] == 40 and rows[1][7] == 1011707


def test_download_links_carry_the_filter(client, published_program):
    html = client.get(LIST, {"status": "behind", "page": "1"}).content.decode()
    assert reverse("public:initiative-list-csv", args=[REFORM]) + "?status=behind" in html
    assert reverse("public:initiative-list-xlsx", args=[REFORM]) + "?status=behind" in html


def test_downloads_have_the_page_tables_columns_and_its_export_only_ones(client, published_program):
    response = client.get(LIST)
    table = response.context["table"]
    shown = [str(column.header) for column in table.columns]
    exported = [str(column.header) for column in table.columns.iterall() if not column.column.exclude_from_export]
    header = read_csv(client.get(LIST, {"format": "csv"}))[0]
    assert header == exported and set(shown) <= set(header)
    assert {"報告期", "公開日", "進行状況（記載どおり）"} <= set(header) - set(shown)  # export-only: not on the page
    assert "公開日" not in response.content.decode()
