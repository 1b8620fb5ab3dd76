"""The plan workbook: the city's three programs come out of 「Excelで書き出す」 and go back in unchanged;
a plan of the city's own loads through the admin; every problem is named; hostile files are refused."""
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from accounts import roles
from initiatives.models import Initiative, Listing, PublishedVersion, YearlyRecord
from initiatives.opendata.importer import import_program
from initiatives.planbook.read import read_plan_workbook
from initiatives.planbook.write import plan_template, plan_workbook
from initiatives.services import plan_import
from programs.models import Department, Pillar, Program, ReportingCycle
from programs import import_limits
from programs.import_limits import ImportRefused
from tests.factories import PerspectiveFactory, PillarFactory, ProgramFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def cells(data: bytes) -> dict:
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    finally:
        book.close()


def remove(program: Program) -> None:
    PublishedVersion.objects.filter(initiative__program=program).delete()
    Initiative.objects.filter(program=program).delete()
    Pillar.objects.filter(program=program).delete()
    program.delete()


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["asahikawa_2024.json", "asahikawa_strategy_2025.json", "asahikawa_dx_2025.json"])
def test_a_city_program_round_trips_through_the_plan_workbook(fixture, reviewer):
    program = import_program(json.loads((FIXTURES / fixture).read_text(encoding="utf-8")))
    exported = plan_workbook(program)
    remove(program)
    loaded = plan_import(document=read_plan_workbook(exported), by=reviewer)
    assert cells(plan_workbook(loaded)) == cells(exported)
    assert ReportingCycle.objects.get(program=loaded).fiscal_year == loaded.start_fiscal_year


# --- a plan of the city's own, filled into the template --------------------------------------------------

FRAME = {
    "プログラム名": "旭川市こども計画", "URL名": "kodomo", "開始年度（西暦）": 2026, "終了年度（西暦）": 2028,
    "基準日": "2026-04-01", "基準時点の表記": "令和8年度当初", "上の階層の名称": "重点項目", "項目の名称": "事業",
    "年度ごとの金額の名称": "事業費",
}
LEVELS = [[1, "1", "1", 1, "子育て支援", "Child-rearing", None], [1, "2", "2", 2, "教育", None, None]]
STATUSES = [
    ["not_started", "未着手", "Not started", 1, 3, "はい", "はい", "はい", "いいえ"],
    ["in_progress", "取組中", "In progress", 2, 2, "はい", "いいえ", "いいえ", "いいえ"],
    ["done", "完了", "Done", 3, 1, "はい", "いいえ", "いいえ", "いいえ"],
]
ITEMS = [
    [1, "相談支援", "1", "子育て支援部（子育て支援課・こども家庭課）", "誰もが相談できる", None, None, None, None, 1200],
    [2, "一時預かり", "1", "子育て支援部（子育て支援課）\n総務部（人事課）", None, None, None, None, None, None],
    [3, "学習支援", "2", "学校教育部", None, None, None, None, "1-4", 800],
]
SCHEDULE = [[1, "1", 2026, "検討"], [3, None, 2027, "実施"]]
YEARS = [2026, 2027]


def plan_book(*, frame=None, levels=LEVELS, statuses=STATUSES, items=ITEMS, schedule=SCHEDULE, years=YEARS,
              template: bytes | None = None):
    """The blank template (`template`: as downloaded) filled in with a one-level plan of three statuses of its own
    (and any changes)."""
    book = load_workbook(io.BytesIO(template or plan_template()))
    values = {**FRAME, **(frame or {})}
    for row in book["枠組み"].iter_rows(min_row=3):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    sheet = book["進行状況"]
    sheet.delete_rows(3, sheet.max_row)
    items_sheet = book["項目"]
    for column in range(10, items_sheet.max_column + 1):
        items_sheet.cell(2, column).value = None
    for column, year in enumerate(years, start=10):
        items_sheet.cell(2, column).value = f"{year}年度（千円）"
    for name, rows in [("階層", levels), ("進行状況", statuses), ("項目", items), ("作業工程", schedule)]:
        for index, row in enumerate(rows, start=3):
            for column, value in enumerate(row, start=1):
                book[name].cell(index, column).value = value
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def refusal(data: bytes) -> list[str]:
    with pytest.raises(ImportRefused) as refused:
        read_plan_workbook(data)
    return refused.value.errors


def upload(client, data: bytes):
    return client.post(reverse("admin:programs_program_plan_upload"),
                       {"file": SimpleUploadedFile("計画.xlsx", data)})


def test_a_plan_of_its_own_loads_through_the_admin_with_its_statuses_departments_and_first_cycle(client, reviewer):
    somu = Department.objects.create(name="総務部", order=7)
    client.force_login(reviewer)
    changelist = client.get(reverse("admin:programs_program_changelist")).content.decode()
    assert "Excelで計画を読み込む" in changelist and reverse("admin:programs_program_plan_upload") in changelist
    page = client.get(reverse("admin:programs_program_plan_upload")).content.decode()
    assert reverse("admin:programs_program_plan_template") in page

    preview = upload(client, plan_book())
    text = preview.content.decode()
    assert preview.status_code == 200 and Program.objects.filter(name="旭川市こども計画").count() == 0
    for shown in ["旭川市こども計画", "未着手", "取組中", "完了", "子育て支援部", "学校教育部", "この内容で登録する"]:
        assert shown in text
    assert preview.context["preview"]["departments_new"] == ["子育て支援部", "学校教育部"]
    assert preview.context["preview"]["departments_existing"] == ["総務部"]
    assert [level["items"] for level in preview.context["preview"]["levels"]] == [2, 1]

    payload = preview.context["confirm_form"].initial["payload"]
    response = client.post(reverse("admin:programs_program_plan_confirm"), {"payload": payload})
    program = Program.objects.get(name="旭川市こども計画")
    assert response.status_code == 302 and response.url == reverse("admin:programs_program_change", args=[program.pk])
    assert not program.has_two_levels and program.slug == "kodomo" and program.figure_label == "事業費"
    assert program.vocabulary.codes == ["not_started", "in_progress", "done"]
    assert program.vocabulary.behind == ["not_started"] and program.vocabulary.needing_reason == {"not_started"}
    assert list(Initiative.objects.for_program(program).values_list("number", flat=True)) == [1, 2, 3]
    two = Initiative.objects.get(program=program, number=2)
    assert two.departments_display == ["子育て支援部（子育て支援課）", "総務部（人事課）"]
    somu.refresh_from_db()
    assert somu.order == 7 and somu.divisions.get().name == "人事課"  # known: the same department, in its place
    cycle = ReportingCycle.objects.get(program=program)
    assert cycle.is_open and cycle.fiscal_year == 2026
    records = {r.initiative.number: r for r in YearlyRecord.objects.filter(cycle=cycle).select_related("initiative")}
    assert sorted(records) == [1, 2, 3]
    assert records[1].secured_amount_thousand_yen == 1200 and records[2].plan == ""
    assert list(Initiative.objects.get(program=program, number=1).schedule_steps.values_list("step", flat=True)) == ["検討"]
    assert Listing.objects.get(initiative__program=program).pillar.key == "1"


def test_the_template_offers_the_reform_reports_five_statuses_to_edit():
    statuses = cells(plan_template())["進行状況"][2:]
    assert [row[1] for row in statuses] == ["実施済み", "予定どおり進んでいる", "予定より遅れている", "実施年度未到来", "実施不可"]


def test_every_problem_is_named_with_sheet_row_and_column_and_nothing_is_created(reviewer):
    Department.objects.create(name="総務部")
    before = (Program.objects.count(), Department.objects.count())
    data = plan_book(
        frame={"プログラム名": None, "終了年度（西暦）": 2020, "財源確保額表": "たぶん"},
        levels=[*LEVELS, [1, "2", None, 3, "重複", None, None]],
        statuses=[["未着手", "未着手", None, 1, 3, "はい", "ときどき", "はい", "いいえ"]],
        items=[["一", "名前", "9", "総務部（人事課", None, None, None, None, "x-1", -5]],
        schedule=[[7, None, 2026, "検討"]],
    )
    errors = refusal(data)
    expected = [
        "シート「枠組み」3行目「プログラム名」の「値」列（B列）: 入力してください。",
        "シート「枠組み」9行目「終了年度（西暦）」の「値」列（B列）: 終了年度は開始年度以降にしてください。",
        "シート「枠組み」24行目「財源確保額表」の「値」列（B列）: 「はい」「いいえ」のいずれかを入力してください",
        "シート「階層」5行目「記号」列（B列）: 「2」が2回あります。",
        "シート「進行状況」3行目「コード」列（A列）: 半角英数字",
        "シート「進行状況」3行目「遅れ」列（G列）: 「はい」「いいえ」のいずれか",
        "シート「項目」3行目「番号」列（A列）: 1以上99999以下の整数",
        "シート「項目」3行目「階層の記号」列（C列）: 「9」はシート「階層」の記号にありません。",
        "シート「項目」3行目「所管部局・課」列（D列）: 「部局名（課名・課名）」の形で",
        "シート「項目」3行目「再掲」列（I列）: 再掲は「階層の記号-番号」の形で",
        "シート「項目」3行目「2026年度（千円）」列（J列）: 0以上",
        "シート「作業工程」3行目「番号」列（A列）: この番号の項目はシート「項目」にありません。",
    ]
    for message in expected:
        assert any(error.startswith(message) for error in errors), (message, errors)
    assert (Program.objects.count(), Department.objects.count()) == before


def test_a_program_name_or_url_name_already_registered_is_refused(reviewer):
    ProgramFactory(name="旭川市こども計画", slug="kodomo-old")
    ProgramFactory(slug="kodomo")
    errors = refusal(plan_book())
    assert any(e.startswith("シート「枠組み」3行目「プログラム名」の「値」列（B列）: プログラム「旭川市こども計画」は既に登録されています")
               for e in errors)
    assert any(e.startswith("シート「枠組み」5行目「URL名」の「値」列（B列）: URL名「kodomo」は別のプログラムが使っています") for e in errors)


def test_a_formula_is_refused_with_its_cell():
    book = load_workbook(io.BytesIO(plan_book()))
    book["項目"]["B3"] = "=HYPERLINK(\"http://example.com\")"
    output = io.BytesIO()
    book.save(output)
    assert "シート「項目」3行目「名称」列（B列）: 数式は使えません。値を入力してください。" in refusal(output.getvalue())


def test_a_workbook_without_the_plans_sheets_is_refused():
    book = Workbook()
    book.active.append(["番号", "名称"])
    output = io.BytesIO()
    book.save(output)
    (error,) = refusal(output.getvalue())
    assert "シート「枠組み」「階層」「進行状況」「項目」がありません" in error and "計画のテンプレートのものではありません" in error


def test_a_zip_bomb_is_refused_before_it_is_parsed():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (import_limits.MAX_UNCOMPRESSED + 1))
    assert len(output.getvalue()) < import_limits.MAX_BYTES
    assert "展開後の大きさが上限を超えています" in refusal(output.getvalue())[0]


def test_a_sheet_with_too_many_cells_is_refused():
    book = load_workbook(io.BytesIO(plan_book()))
    sheet = book["項目"]
    for row in range(3, import_limits.MAX_CELLS // 10 + 5):
        for column in range(1, 12):
            sheet.cell(row, column).value = 1
    output = io.BytesIO()
    book.save(output)
    assert "セルが多すぎるため読み込めません" in refusal(output.getvalue())[0]


def test_a_hostile_upload_is_refused_in_the_admin_and_creates_nothing(client, reviewer):
    client.force_login(reviewer)
    response = upload(client, b"PK" + b"\0" * 100)
    assert response.status_code == 400 and "読み込めませんでした。何も登録していません。" in response.content.decode()
    assert not Program.objects.exists()


def test_the_confirmation_takes_the_signed_preview_of_the_same_person_only(client, reviewer, make_user):
    client.force_login(reviewer)
    payload = upload(client, plan_book()).context["confirm_form"].initial["payload"]
    other = make_user("reviewer-2", role=roles.REVIEWER)
    client.force_login(other)
    response = client.post(reverse("admin:programs_program_plan_confirm"), {"payload": payload})
    assert response.status_code == 409 and not Program.objects.exists()
    response = client.post(reverse("admin:programs_program_plan_confirm"), {"payload": payload + "x"})
    assert response.status_code == 409 and not Program.objects.exists()


def test_editors_cannot_load_a_plan(client, make_user, reviewer):
    editor = make_user("editor", role=roles.EDITOR, departments=[Department.objects.create(name="総務部")])
    client.force_login(reviewer)
    payload = upload(client, plan_book()).context["confirm_form"].initial["payload"]
    client.force_login(editor)
    assert client.get(reverse("admin:programs_program_plan_upload")).status_code == 403
    assert client.get(reverse("admin:programs_program_plan_template")).status_code == 403
    assert upload(client, plan_book()).status_code == 403
    assert client.post(reverse("admin:programs_program_plan_confirm"), {"payload": payload}).status_code == 403
    assert not Program.objects.filter(name="旭川市こども計画").exists()


def test_a_programs_change_page_writes_its_plan(client, world):
    client.force_login(world.reviewer)
    page = client.get(reverse("admin:programs_program_change", args=[world.program.pk])).content.decode()
    url = reverse("admin:programs_program_plan_export", args=[world.program.pk])
    assert "Excelで書き出す" in page and url in page
    response = client.get(url)
    assert response.status_code == 200
    assert cells(response.content) == cells(plan_workbook(world.program))


# --- the frame in the admin ---------------------------------------------------------------------------------


def form_fields(client, program) -> set[str]:
    """The editable fields of the program's change page: the program's, and `inline:field` of each inline row."""
    response = client.get(reverse("admin:programs_program_change", args=[program.pk]))
    inlines = {f"{inline.formset.prefix}:{name}" for inline in response.context["inline_admin_formsets"]
               for form in inline.formset.forms for name in form.fields}
    return set(response.context["adminform"].form.fields) | inlines


def test_a_released_report_fixes_the_frame_but_not_the_english_names(client, world):
    """world: 令和7年度当初 released, 令和8年度当初 open."""
    client.force_login(world.reviewer)
    fixed = form_fields(client, world.program)
    assert {"level1_label", "item_label", "numbering", "has_ledger", "figure_label"}.isdisjoint(fixed)
    assert {"level1_label_en", "item_label_en", "name"} <= fixed
    assert "status_set:label_en" in fixed and not {"status_set:code", "status_set:behind", "status_set:counted"} & fixed
    assert "pillars:name" in fixed and "pillars:numeral" not in fixed


def test_a_program_without_a_released_report_has_its_frame_editable(client, world):
    client.force_login(world.reviewer)
    fresh = ProgramFactory()
    PillarFactory(program=fresh, perspective=PerspectiveFactory(program=fresh))
    ReportingCycle.objects.create(program=fresh, fiscal_year=2024, label="令和7年度当初")  # open, not released
    fields = form_fields(client, fresh)
    assert {"level1_label", "item_label", "numbering", "has_ledger", "status_set:code", "status_set:behind",
            "pillars:numeral"} <= fields


def test_a_fiscal_year_outside_the_period_or_twice_in_the_headers_is_refused():
    assert "シート「項目」2行目「2030年度（千円）」列（K列）: プログラムの期間（2026〜2028年度）の外の年度です。" in refusal(
        plan_book(years=[2026, 2030]))
    errors = refusal(plan_book(years=[2026, 2026]))
    assert any(e.startswith("シート「項目」2行目の見出しがテンプレートと違います") for e in errors)


def test_the_plan_workbook_is_written_in_japanese_whatever_the_pages_language(world):
    with translation.override("en"):
        english = cells(plan_workbook(world.program))
    assert english == cells(plan_workbook(world.program))
    assert ["番号の付け方", "プログラム全体で通し番号"] in english["枠組み"]
