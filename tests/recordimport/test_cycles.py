"""The Excel import per program and cycle: links carrying their cycle, the cycle chooser, rows that change nothing,
rows that would change a record that cannot be changed, read-only rows, the program's own statuses."""
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from initiatives import services as initiative_services
from initiatives.models import YearlyRecord
from recordimport import imports, template

pytestmark = pytest.mark.django_db

HEADERS = imports.HEADERS
UPLOAD = reverse("recordimport:upload")


def import_links(html: str) -> set[str]:
    """The cycle ids the page's links to the import carry ("" for a link without one)."""
    return set(re.findall('href="' + re.escape(UPLOAD) + r'(?:\?cycle=(\d+))?"', html))


def download(client, cycle) -> "load_workbook":
    response = client.get(reverse("recordimport:template"), {"cycle": cycle.pk})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def row_of(book, number) -> int:
    sheet = book[imports.SHEET]
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == number)


def put(book, number, header, value):
    book[imports.SHEET].cell(row=row_of(book, number), column=HEADERS.index(header) + 1).value = value


def submit(world, number):
    """The department fills the record in and submits it: it is under review."""
    record = initiative_services.record_update(
        record=world.record(number), by=world.editor_somu, data={"plan": "計画", "result": "実績", "status": "on_schedule"}
    )
    return initiative_services.record_submit(record=record, by=world.editor_somu)


def upload(client, book, cycle):
    output = io.BytesIO()
    book.save(output)
    output.seek(0)
    output.name = "記入済み.xlsx"
    return client.post(UPLOAD, {"file": output, "cycle": cycle.pk})


# --- every link carries its cycle -------------------------------------------------------------


def test_every_link_to_the_import_carries_its_cycle_with_three_programs_open(client, three_programs):
    w = three_programs
    client.force_login(w.editor_somu)  # has records in all three programs
    cycles = {str(c.pk) for c in (w.cycle, w.strategy_cycle, w.dx_cycle)}
    pages = {
        "record list": client.get(reverse("admin:initiatives_yearlyrecord_changelist")).content.decode(),
        "home page": client.get(reverse("admin:index")).content.decode(),
    }
    for page, html in pages.items():
        assert import_links(html) == cycles, page
    client.force_login(w.reviewer)
    for cycle in (w.cycle, w.strategy_cycle, w.dx_cycle):
        overview = client.get(reverse("admin:programs_reportingcycle_overview", args=[cycle.pk])).content.decode()
        assert import_links(overview) == {str(cycle.pk)}


def test_each_link_opens_the_import_of_its_cycle_named_with_its_program(client, three_programs):
    w = three_programs
    client.force_login(w.editor_somu)
    for cycle, name in [(w.cycle, "令和8年度当初（行革）"), (w.strategy_cycle, "令和8年度当初（総合戦略）"),
                        (w.dx_cycle, "令和8年度当初（dX）")]:
        response = client.get(UPLOAD, {"cycle": cycle.pk})
        assert response.status_code == 200 and response.context["cycle"] == cycle
        assert f"{name}の報告をExcelで一括更新" in response.content.decode()
        numbers = {c.value for c in download(client, cycle)[imports.SHEET]["A"][1:]}
        assert numbers == set(cycle.records.filter(initiative__responsibilities__department=w.somu)
                              .values_list("initiative__number", flat=True))


# --- the cycle chooser ------------------------------------------------------------------------


def test_without_a_cycle_the_page_asks_which_listing_only_open_cycles_holding_the_users_records(client, three_programs):
    w = three_programs
    client.force_login(w.editor_doboku)  # nothing in the dX program
    response = client.get(UPLOAD)
    assert response.status_code == 200
    assert response.context["choices"] == [w.cycle, w.strategy_cycle]
    html = response.content.decode()
    assert "令和8年度当初（行革）" in html and "令和8年度当初（総合戦略）" in html and "dX" not in html
    assert import_links(html) == {str(w.cycle.pk), str(w.strategy_cycle.pk)}
    assert "令和7年度当初" not in html  # released cycles are not offered


def test_the_template_without_a_cycle_asks_which_too(client, three_programs):
    client.force_login(three_programs.editor_doboku)
    response = client.get(reverse("recordimport:template"))
    assert response.status_code == 200 and len(response.context["choices"]) == 2


def test_with_one_open_cycle_holding_the_users_records_the_page_goes_there(client, world):
    client.force_login(world.editor_somu)
    response = client.get(UPLOAD)
    assert response.status_code == 200 and response.context["cycle"] == world.cycle


@pytest.mark.parametrize("wanted", ["abc", "999999", "dx", "released"])
def test_a_cycle_id_naming_no_open_cycle_of_the_users_records_gets_a_message_and_the_choice(client, three_programs, wanted):
    w = three_programs
    value = {"dx": str(w.dx_cycle.pk), "released": str(w.released.pk)}.get(wanted, wanted)
    client.force_login(w.editor_doboku)
    response = client.get(UPLOAD, {"cycle": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"指定された報告期（{value}）は、受付中であなたが更新できる取組のある報告期ではありません。" in html
    assert response.context["choices"] == [w.cycle, w.strategy_cycle]


# --- rows that change nothing, rows that would change what cannot be changed ---------------------


def test_unchanged_rows_of_a_submitted_record_are_skipped_and_counted_as_unchanged(client, three_programs):
    w = three_programs
    client.force_login(w.editor_somu)
    submit(w, 1)
    book = download(client, w.cycle)  # records 1 and 3
    before = YearlyRecord.objects.get(pk=w.record(1).pk)
    put(book, 3, "実績", "半分まで進んだ")
    response = upload(client, book, w.cycle)
    assert response.status_code == 200
    assert [item["row"]["number"] for item in response.context["preview"]] == [3]
    assert "変更なし: 1件（そのままにします）" in response.content.decode()
    payload = response.context["confirm_form"].initial["payload"]
    assert client.post(reverse("recordimport:confirm"), {"payload": payload}).status_code == 302
    after = YearlyRecord.objects.get(pk=w.record(1).pk)
    assert (after.workflow_state, after.version, after.result) == (before.workflow_state, before.version, before.result)
    assert w.record(3).result == "半分まで進んだ"


def test_a_changed_row_of_a_submitted_record_is_refused_naming_the_row_and_the_reason(client, three_programs):
    w = three_programs
    client.force_login(w.editor_somu)
    submit(w, 1)
    book = download(client, w.cycle)
    put(book, 1, "実績", "書き換えた")
    put(book, 3, "実績", "これも書き換えた")
    response = upload(client, book, w.cycle)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"シート「{imports.SHEET}」{row_of(book, 1)}行目「管理番号」列" in html
    assert "管理番号 1（取組1）は変更されていますが、更新できません: 提出済みで審査中のため編集できません。" in html
    assert w.record(1).result != "書き換えた" and w.record(3).result != "これも書き換えた"  # nothing changed


def test_a_changed_row_of_an_approved_record_is_refused_too(client, three_programs):
    w = three_programs
    client.force_login(w.editor_somu)
    submit(w, 1)
    initiative_services.record_approve(record=w.record(1), by=w.reviewer)
    book = download(client, w.cycle)
    put(book, 1, "計画", "書き換えた")
    response = upload(client, book, w.cycle)
    assert response.status_code == 400 and "承認済みのため、一括更新では変更できません。" in response.content.decode()


def test_the_template_marks_records_under_review_as_grey_locked_rows_saying_why(client, three_programs):
    w = three_programs
    client.force_login(w.editor_somu)
    submit(w, 1)
    book = download(client, w.cycle)
    sheet = book[imports.SHEET]
    locked, editable = sheet[row_of(book, 1)], sheet[row_of(book, 3)]
    assert sheet.protection.sheet
    assert all(cell.protection.locked for cell in locked[: len(HEADERS)])
    assert {cell.fill.fgColor.rgb[-6:] for cell in locked[: len(HEADERS)]} == {"E6E8EB"}
    assert "提出済みで審査中" in locked[0].comment.text
    assert not any(cell.protection.locked for header, cell in zip(HEADERS, editable) if header in template.EDITABLE)
    assert editable[0].comment is None


# --- the program's own statuses -----------------------------------------------------------------


def test_the_status_column_offers_and_accepts_the_programs_own_statuses(client, three_programs):
    w = three_programs
    client.force_login(w.editor_somu)
    book = download(client, w.dx_cycle)
    validation = next(v for v in book[imports.SHEET].data_validations.dataValidation if v.type == "list")
    assert validation.formula1 == '"未着手,取組中,遅延"'
    put(book, 1, "進行状況", "予定どおり")  # the reform program's, not the dX program's
    refused = upload(client, book, w.dx_cycle)
    assert refused.status_code == 400
    assert "「予定どおり」は進行状況の選択肢にありません（未着手、取組中、遅延 から選んでください）。" in refused.content.decode()
    put(book, 1, "進行状況", "遅延")
    refused = upload(client, book, w.dx_cycle)
    assert "進行状況が「遅延」のときは、理由を入力してください。" in refused.content.decode()
    put(book, 1, "理由", "調達が遅れた")
    preview = upload(client, book, w.dx_cycle)
    assert preview.status_code == 200
    assert [(c.before, c.after) for c in preview.context["preview"][0]["changes"] if c.after == "遅延"] == [("未報告", "遅延")]
    client.post(reverse("recordimport:confirm"), {"payload": preview.context["confirm_form"].initial["payload"]})
    record = w.dx_cycle.records.get()
    assert (record.status, record.delay_reason) == ("late", "調達が遅れた")
