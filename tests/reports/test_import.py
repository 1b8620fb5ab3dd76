"""Excel import for departments: template, validation (nothing changes on any error), preview, confirm."""
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from initiatives import services as initiative_services
from initiatives.models import WorkflowState
from recordimport import imports, services
from tests.helpers import refused, snapshot, upload

pytestmark = pytest.mark.django_db

HEADERS = imports.HEADERS


def download(client, world, user):
    client.force_login(user)
    response = client.get(reverse("recordimport:template"))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def rows_by_number(book) -> dict[int, int]:
    sheet = book[imports.SHEET]
    return {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}


def put(book, number, header, value):
    sheet = book[imports.SHEET]
    sheet.cell(row=rows_by_number(book)[number], column=HEADERS.index(header) + 1).value = value


def to_bytes(book) -> bytes:
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


# --- the template ---------------------------------------------------------------------------


def test_template_has_the_editors_own_initiatives_with_locked_key_columns_and_a_status_list(client, world):
    book = download(client, world, world.editor_somu)
    sheet = book[imports.SHEET]
    assert [c.value for c in sheet[1]] == HEADERS
    assert set(rows_by_number(book)) == {1, 3}  # 総務部's; 2 is 土木部's
    assert sheet.protection.sheet
    row = rows_by_number(book)[1]
    assert sheet.cell(row=row, column=1).protection.locked and sheet.cell(row=row, column=2).protection.locked
    assert not sheet.cell(row=row, column=HEADERS.index("実績") + 1).protection.locked
    assert all(sheet.column_dimensions[c].hidden for c in "IJK")
    validations = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert "予定より遅れている" in validations["E2"].formula1 and validations["E2"].type == "list"
    assert sheet.cell(row=row, column=HEADERS.index("版") + 1).value == world.record(1).version


def test_reviewer_template_has_every_initiative(client, world):
    assert set(rows_by_number(download(client, world, world.reviewer))) == {1, 2, 3}


def test_import_pages_need_a_staff_login(client, world):
    assert client.get(reverse("recordimport:upload")).status_code == 302
    assert client.get(reverse("recordimport:template")).status_code == 302


# --- happy path -------------------------------------------------------------------------------


def test_editor_round_trip_preview_then_confirm_updates_records_as_drafts_with_history(client, world):
    initiative_services.record_update(record=world.record(1), by=world.editor_somu, data={"result": "前の実績"})
    book = download(client, world, world.editor_somu)
    put(book, 1, "実績", "Excelで入力した実績")
    put(book, 1, "進行状況", "予定より遅れている")
    put(book, 1, "理由", "入札不調のため")
    put(book, 1, "財源確保額（千円）", 12345)
    put(book, 3, "今後の予定", "来年度に制度を見直す")
    before_history = world.record(1).history.count()

    response = upload(client, to_bytes(book))
    assert response.status_code == 200
    page = response.content.decode()
    assert "前の実績" in page and "Excelで入力した実績" in page  # before → after
    assert "12,345千円" in page and "来年度に制度を見直す" in page
    changes = {(i["row"]["number"], c.field): (c.before, c.after) for i in response.context["preview"] for c in i["changes"]}
    assert changes[(1, "実績")] == ("前の実績", "Excelで入力した実績")
    assert changes[(1, "進行状況")][1] == "予定より遅れている"
    assert changes[(3, "今後の予定")] == ("予定", "来年度に制度を見直す")
    assert world.record(1).result == "前の実績"  # nothing changed by the preview

    payload = response.context["confirm_form"].initial["payload"]
    confirmed = client.post(reverse("recordimport:confirm"), {"payload": payload})
    assert confirmed.status_code == 302
    record = world.record(1)
    assert record.result == "Excelで入力した実績" and record.status == "behind" and record.delay_reason == "入札不調のため"
    assert record.secured_amount_thousand_yen == 12345
    assert record.workflow_state == WorkflowState.DRAFT
    assert record.history.count() > before_history
    assert record.history.first().history_change_reason == "Excelから一括更新"
    assert record.history.first().history_user == world.editor_somu
    assert world.initiatives[3].__class__.objects.get(pk=world.initiatives[3].pk).next_steps == "来年度に制度を見直す"


def test_unchanged_template_changes_nothing(client, world):
    book = download(client, world, world.editor_somu)
    response = upload(client, to_bytes(book))
    assert response.status_code == 200
    assert response.context["preview"] == []
    assert "変更された取組はありません" in response.content.decode()


def test_confirm_payload_cannot_be_tampered_with(client, world):
    before = snapshot(world)
    client.force_login(world.editor_somu)
    response = client.post(reverse("recordimport:confirm"), {"payload": "eyJ1c2VyIjo.forged:sig"})
    assert response.status_code == 409 and "もう一度アップロード" in response.content.decode()
    assert snapshot(world) == before


# --- every refusal changes nothing ------------------------------------------------------------


def edited(client, world, *changes, user=None):
    book = download(client, world, user or world.editor_somu)
    for number, header, value in changes:
        put(book, number, header, value)
    return to_bytes(book)


def test_status_outside_the_vocabulary_is_refused(client, world):
    refused(client, world, edited(client, world, (1, "進行状況", "順調")),
            "シート「部局別更新」", "行目", "「進行状況」列（E列）", "「順調」は進行状況の選択肢にありません")


@pytest.mark.parametrize("status", ["予定より遅れている", "実施不可"])
def test_reason_is_required_when_behind_or_infeasible(client, world, status):
    refused(client, world, edited(client, world, (1, "進行状況", status), (1, "理由", "")),
            "「理由」列（F列）", "理由を入力してください")


@pytest.mark.parametrize("amount, message", [
    ("たくさん", "千円単位の整数"), (12.5, "千円単位の整数"), (-100, "0以上の整数"),
])
def test_amount_must_be_a_non_negative_integer(client, world, amount, message):
    refused(client, world, edited(client, world, (1, "財源確保額（千円）", amount)), "「財源確保額（千円）」列（G列）", message)


def test_too_long_text_is_refused(client, world):
    refused(client, world, edited(client, world, (1, "計画", "あ" * 2001), (1, "実績", "新しい実績")),
            "「計画」列（C列）", "2000文字以内")


def test_formulas_are_refused(client, world):
    refused(client, world, edited(client, world, (1, "財源確保額（千円）", "=1+1")), "数式は使えません")


def test_other_departments_initiative_is_refused(client, world):
    book = download(client, world, world.editor_somu)
    sheet = book[imports.SHEET]
    record = world.record(2)  # 土木部's
    sheet.append([2, "取組2", "", "他部局の実績", "予定どおり進んでいる", "", None, "", record.pk, record.version,
                  record.initiative.version])
    put(book, 1, "実績", "自分の部局の変更")
    refused(client, world, to_bytes(book), "管理番号 2（取組2）はあなたの部局の取組ではない")


def test_unknown_number_is_refused(client, world):
    refused(client, world, edited(client, world, (1, "管理番号", 99)), "管理番号 99 の取組はこの報告期にありません")


def test_wrong_sheet_name_is_refused(client, world):
    book = download(client, world, world.editor_somu)
    book[imports.SHEET].title = "Sheet1"
    refused(client, world, to_bytes(book), "シート「部局別更新」がありません")


@pytest.mark.parametrize("mutate, message", [
    (lambda s: s.cell(row=1, column=3, value="計画内容"), "足りない列: 計画"),
    (lambda s: s.cell(row=1, column=12, value="備考"), "余分な列: 備考"),
    (lambda s: s.delete_cols(4), "足りない列: 実績"),
])
def test_different_header_is_refused(client, world, mutate, message):
    book = download(client, world, world.editor_somu)
    mutate(book[imports.SHEET])
    refused(client, world, to_bytes(book), "1行目の見出しがテンプレートと違います", message)


def test_not_an_xlsx_is_refused(client, world):
    client.force_login(world.editor_somu)
    refused(client, world, "管理番号,実績\n1,x\n".encode(), "Excelファイル（.xlsx形式）ではありません", name="data.csv")


def test_corrupt_xlsx_is_refused(client, world):
    client.force_login(world.editor_somu)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("xl/workbook.xml", "<broken")
        archive.writestr("[Content_Types].xml", "<broken")
    refused(client, world, output.getvalue(), "壊れている")


def test_too_big_file_is_refused(client, world):
    client.force_login(world.editor_somu)
    refused(client, world, b"PK" + b"\0" * (imports.MAX_BYTES + 10), "ファイルが大きすぎます")


def test_zip_bomb_is_refused(client, world):
    client.force_login(world.editor_somu)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (imports.MAX_UNCOMPRESSED + 1))
    assert len(output.getvalue()) < imports.MAX_BYTES
    refused(client, world, output.getvalue(), "展開後の大きさが上限を超えています")


def test_another_workbook_without_the_template_sheet_is_refused(client, world):
    client.force_login(world.editor_somu)
    book = Workbook()
    book.active.append(["foo", "bar"])
    refused(client, world, to_bytes(book), "シート「部局別更新」がありません")


def test_all_errors_are_listed_at_once(client, world):
    errors = refused(client, world, edited(client, world, (1, "進行状況", "順調"), (3, "財源確保額（千円）", -1)))
    assert len(errors) == 2


# --- concurrent edits ---------------------------------------------------------------------------


def test_edit_since_download_is_refused_at_upload(client, world):
    data = edited(client, world, (1, "実績", "Excelの実績"))
    initiative_services.record_update(record=world.record(1), by=world.reviewer, data={"result": "画面で直した実績"})
    refused(client, world, data, "管理番号 1（取組1）は、テンプレートをダウンロードした後に他の人が更新しました")
    assert world.record(1).result == "画面で直した実績"


def test_edit_between_preview_and_confirm_refuses_the_whole_import(client, world):
    data = edited(client, world, (1, "実績", "Excelの実績1"), (3, "実績", "Excelの実績3"))
    payload = upload(client, data).context["confirm_form"].initial["payload"]
    initiative_services.record_update(record=world.record(3), by=world.editor_doboku, data={"result": "土木部の実績"})
    before = snapshot(world)
    response = client.post(reverse("recordimport:confirm"), {"payload": payload})
    assert response.status_code == 409
    page = response.content.decode()
    assert "管理番号 3（取組3）" in page and "何も変更していません" in page and "土木部の実績" in page
    assert snapshot(world) == before
    assert world.record(1).result != "Excelの実績1"  # the first row was rolled back too


def test_service_refuses_rows_of_another_department(world):
    record = world.record(2)
    rows = [{"record_id": record.pk, "number": 2, "name": "取組2", "version": record.version,
             "initiative_version": record.initiative.version, "next_steps": record.initiative.next_steps,
             "data": {"plan": "", "result": "他部局", "status": record.status, "delay_reason": "",
                      "secured_amount_thousand_yen": None}}]
    with pytest.raises(Exception, match="管理番号 2"):
        services.workbook_import(user=world.editor_somu, cycle=world.cycle, rows=rows)
    assert world.record(2).result != "他部局"


def test_service_refuses_when_the_cycle_is_closed(world):
    initiative_services.cycle_close(cycle=world.cycle, by=world.reviewer)
    with pytest.raises(ValidationError, match="受付中ではない"):
        services.workbook_import(user=world.editor_somu, cycle=world.cycle, rows=[])


def test_yearly_record_list_links_to_the_import(client, world):
    client.force_login(world.editor_somu)
    page = client.get(reverse("admin:initiatives_yearlyrecord_changelist")).content.decode()
    assert reverse("recordimport:upload") in page


def test_reviewer_may_import_for_any_department(client, world):
    book = download(client, world, world.reviewer)
    put(book, 2, "実績", "行政改革課が入力した実績")
    response = upload(client, to_bytes(book))
    payload = response.context["confirm_form"].initial["payload"]
    assert client.post(reverse("recordimport:confirm"), {"payload": payload}).status_code == 302
    assert world.record(2).result == "行政改革課が入力した実績"


def test_payload_of_another_user_is_refused(client, world):
    data = edited(client, world, (1, "実績", "Excelの実績"))
    payload = upload(client, data).context["confirm_form"].initial["payload"]
    client.force_login(world.editor_doboku)
    response = client.post(reverse("recordimport:confirm"), {"payload": payload})
    assert response.status_code == 409
    assert world.record(1).result != "Excelの実績"
