"""export_data / import_data: the open-data document, its round trip, and bad input."""
import copy
import json

import pytest
from django.core.management import CommandError, call_command

from initiatives.models import Initiative, YearlyRecord
from initiatives.opendata import DataFormatError
from initiatives.opendata.export import export_program
from initiatives.opendata.importer import import_program
from programs.models import Department, Program

pytestmark = pytest.mark.django_db


def export_via_command(tmp_path, *args) -> dict:
    target = tmp_path / "export.json"
    call_command("export_data", "--format", "json", "--output", str(target), *args)
    return json.loads(target.read_text(encoding="utf-8"))


def test_export_reproduces_the_reports_facts(real_program, tmp_path):
    document = export_via_command(tmp_path)
    assert document["program"]["name"] == "旭川市行財政改革推進プログラム２０２４"
    assert document["program"]["fiscal_target_oku_yen"] == "89.0"
    assert document["program"]["as_of_label"] == "令和7年度当初"
    assert len(document["initiatives"]) == 54
    assert [p["numeral"] for p in document["pillars"]] == ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "Ⅵ"]
    first = document["initiatives"][0]
    assert first["number"] == 1
    assert first["name"] == "職員の新しい働き方の実現"
    assert first["departments_display"] == ["行財政改革推進部（行政改革課・情報政策課）", "総務部（人事課・職員厚生課）"]
    assert first["status"] == "on_schedule"
    assert first["years"][0]["plan"] == "実態分析及び制度等の検討"
    total = document["summary"]["total"]
    assert total["counts"] == {"implemented": 0, "on_schedule": 50, "behind": 4, "not_yet_due": 0, "infeasible": 0}
    assert total["percentages"] == {"implemented": "0.00%", "on_schedule": "92.6%", "behind": "7.41%"}
    assert document["ledger"]["totals"]["財源確保目標額"] == {
        "target_thousand_yen": 8_900_000,
        "cumulative_thousand_yen": 3_550_000,
        "cumulative_unit": "oku_yen",
    }


def test_ledger_figures_are_exported_as_entered_with_their_precision(real_program, tmp_path):
    ledger = export_via_command(tmp_path)["ledger"]
    (statement,) = ledger["statements"]
    assert (statement["budget_fiscal_year"], statement["state"]) == (2025, "confirmed")
    public_works = next(e for e in statement["entries"] if e["category"] == "公共事業等の抑制")
    assert public_works == {
        "category": "公共事業等の抑制", "fiscal_year": None, "unit": "oku_yen", "secured_oku_yen": "10.1",
        "secured_thousand_yen": 1_010_000, "precision_thousand_yen": 10_000, "note": "",
    }
    assert "受益者負担の適正化" not in {e["category"] for e in statement["entries"]}  # 「－」 in the report
    categories = {c["name"]: c for c in ledger["categories"]}
    assert categories["公共事業等の抑制"]["cumulative_unit"] == "oku_yen"
    assert "1,011,707千円" in categories["公共事業等の抑制"]["note"]  # why #40 is linked


def test_the_fixture_links_only_the_initiatives_whose_amounts_match_a_category(fixture_document):
    links = {i["number"]: i["ledger_category"] for i in fixture_document["initiatives"] if i["ledger_category"]}
    assert links == {18: "ふるさと納税の推進", 35: "特別会計操出金の抑制", 40: "公共事業等の抑制"}
    (statement,) = fixture_document["ledger"]["statements"]
    printed = {e["category"]: e["secured_oku_yen"] for e in statement["entries"]}
    assert printed == {"ふるさと納税の推進": "3.5", "その他収入の確保": "13.5", "事業等の見直し": "2.7",
                       "公共事業等の抑制": "10.1", "特別会計操出金の抑制": "4.5", "人件費の削減": "1.2"}
    assert all(e["fiscal_year"] is None for e in statement["entries"])  # the report prints the cumulative only
    assert "対応づけていない" in statement["note"]


def test_a_figure_in_oku_yen_with_more_than_one_decimal_is_refused_with_its_place(fixture_document):
    document = copy.deepcopy(fixture_document)
    document["ledger"]["statements"][0]["entries"][0]["secured_oku_yen"] = "3.55"
    with pytest.raises(DataFormatError, match=r"ledger\.statements\[0\]\.entries\[0\]\.secured_oku_yen"):
        import_program(document)


def legacy_ledger(document: dict) -> dict:
    """The ledger as formats 1 and 2 kept it: amounts per fiscal year under each category (the report's
    cumulative figure under FY2025, with the note the old fixture had)."""
    document = copy.deepcopy(document)
    entries = {e["category"]: e for e in document["ledger"].pop("statements")[0]["entries"]}
    note = "令和6年度・令和7年度当初予算の合算（報告書は令和7年度当初までの累計のみを掲載）"
    for category in document["ledger"]["categories"]:
        category.pop("note")
        entry = entries.get(category["name"])
        category["entries"] = [{"fiscal_year": 2025, "secured_thousand_yen": round(float(entry["secured_oku_yen"]) * 100_000),
                                "note": note}] if entry else []
    return document


def test_a_version_2_ledger_becomes_the_reports_cumulative_figures(fixture_document):
    from finance.selectors import ledger_report

    legacy = legacy_ledger(fixture_document)
    legacy["format"] = "reformtracker/2"
    program = import_program(legacy)
    report = ledger_report(program, 2025)
    rows = {row.name: row for row in report.categories()}
    assert report.fiscal_years == [] and report.total.cumulative == 3_550_000
    assert rows["公共事業等の抑制"].cumulative_display == "10.1億円"
    assert rows["受益者負担の適正化"].cumulative is None


def test_split_status_is_exported_with_its_department(real_program, tmp_path):
    document = export_via_command(tmp_path)
    thirty = document["initiatives"][29]
    assert thirty["status"] == "behind"
    assert thirty["status_notes"] == "予定どおり進んでいる / 予定より遅れている（土木部）"
    assert thirty["years"][0]["department_statuses"] == [{"department": "土木部", "label": "土木部", "status": "behind"}]


def test_secured_amounts_are_integers_in_thousand_yen(real_program, tmp_path):
    document = export_via_command(tmp_path)
    amounts = {i["number"]: i["secured_amount_thousand_yen"] for i in document["initiatives"]}
    assert amounts[3] == 253
    assert amounts[40] == 1_011_707
    assert amounts[26] == 360_050
    assert document["initiatives"][25]["years"][0]["secured_amount_note"] == "うち360,000千円再掲"
    assert amounts[1] is None


def test_export_import_export_is_the_same_document(real_program, tmp_path):
    first = export_via_command(tmp_path)
    source = tmp_path / "first.json"
    source.write_text(json.dumps(first, ensure_ascii=False), encoding="utf-8")
    call_command("import_data", str(source), "--replace")
    assert export_via_command(tmp_path) == first


def _project(exported, shape):
    """`exported` reduced to the keys `shape` has, recursively (drops export-only fields)."""
    if isinstance(shape, dict):
        return {key: _project(exported.get(key), value) for key, value in shape.items()}
    if isinstance(shape, list) and isinstance(exported, list) and len(exported) == len(shape):
        return [_project(e, s) for e, s in zip(exported, shape)]
    return exported


def test_loading_the_fixture_and_exporting_gives_the_fixture_back(real_program, fixture_document):
    assert _project(export_program(real_program), fixture_document) == fixture_document


def test_import_refuses_an_existing_program_without_replace(real_program, fixture_document):
    with pytest.raises(DataFormatError, match="既に登録されています"):
        import_program(fixture_document)


def test_export_to_stdout(real_program, capsys):
    call_command("export_data")
    assert json.loads(capsys.readouterr().out)["format"] == "reformtracker/4"


def test_export_refuses_an_unknown_format(real_program):
    with pytest.raises(CommandError, match="--format json"):
        call_command("export_data", "--format", "xml")


def test_export_refuses_an_unknown_program(real_program):
    with pytest.raises(CommandError, match="登録されていません"):
        call_command("export_data", "--program", "存在しないプログラム")


def test_export_says_when_nothing_is_loaded():
    with pytest.raises(CommandError, match="import_data"):
        call_command("export_data")


def test_export_to_an_unwritable_place(real_program, tmp_path):
    with pytest.raises(CommandError, match="書き込めません"):
        call_command("export_data", "--output", str(tmp_path / "missing-dir" / "x.json"))


# --- bad input to import_data changes nothing and says where ------------------


def _broken(document, change):
    broken = copy.deepcopy(document)
    change(broken)
    return broken


BAD_DOCUMENTS = {
    "wrong format": (lambda d: d.update(format="other/9"), r"(^|: )format: "),
    "status not in the vocabulary": (
        lambda d: d["initiatives"][3]["years"][0].update(status="late"),
        r"initiatives\[3\]（管理番号 4）\.years\[0\]\.status: .*'late'",
    ),
    "amount as text": (
        lambda d: d["initiatives"][2]["years"][0].update(secured_amount_thousand_yen="253千円"),
        r"initiatives\[2\]（管理番号 3）\.years\[0\]\.secured_amount_thousand_yen: 整数",
    ),
    "negative amount": (
        lambda d: d["initiatives"][2]["years"][0].update(secured_amount_thousand_yen=-5),
        r"secured_amount_thousand_yen: 0以上",
    ),
    "float amount": (
        lambda d: d["initiatives"][2]["years"][0].update(secured_amount_thousand_yen=253.5),
        r"secured_amount_thousand_yen: 整数",
    ),
    "behind without reason": (
        lambda d: d["initiatives"][48]["years"][0].update(delay_reason=""),
        r"initiatives\[48\]（管理番号 49）\.years\[0\]: .*理由を入力してください",
    ),
    "unknown pillar": (lambda d: d["initiatives"][0].update(pillar="Ⅸ"), r"\.pillar: 柱「Ⅸ」"),
    "unknown department": (
        lambda d: d["initiatives"][0]["departments"][0].update(department="架空部"),
        r"departments\[0\]\.department: 部局「架空部」",
    ),
    "duplicate number": (
        lambda d: d["initiatives"][1].update(number=1),
        r"initiatives\[1\]（管理番号 1）: .*管理番号",
    ),
    "missing name": (lambda d: d["initiatives"][5].pop("name"), r"initiatives\[5\]（管理番号 6）\.name: 必須"),
    "year outside the program": (
        lambda d: d["initiatives"][0]["years"][0].update(fiscal_year=2031),
        r"years\[0\]: .*令和6年度〜令和9年度",
    ),
    "bad date": (lambda d: d["program"].update(as_of="2025/04/01"), r"program\.as_of: 日付"),
}


@pytest.mark.parametrize("case", BAD_DOCUMENTS)
def test_bad_document_changes_nothing_and_names_the_place(case, fixture_document, tmp_path):
    change, message = BAD_DOCUMENTS[case]
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(_broken(fixture_document, change), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import_data", str(source))
    assert not Program.objects.exists()
    assert not Initiative.objects.exists()
    assert not Department.objects.exists()


def test_bad_document_does_not_touch_the_existing_program(real_program, fixture_document, tmp_path):
    change, _ = BAD_DOCUMENTS["behind without reason"]
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(_broken(fixture_document, change), ensure_ascii=False), encoding="utf-8")
    before = export_program(real_program)
    with pytest.raises(CommandError):
        call_command("import_data", str(source), "--replace")
    assert export_program(Program.objects.get()) == before
    assert YearlyRecord.objects.count() == 54


def test_import_refuses_a_file_that_is_not_json(tmp_path):
    source = tmp_path / "bad.json"
    source.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="JSON として読めません（1行"):
        call_command("import_data", str(source))


def test_import_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="見つかりません"):
        call_command("import_data", str(tmp_path / "nope.json"))


def test_import_refuses_a_binary_file(tmp_path):
    source = tmp_path / "bad.json"
    source.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_data", str(source))


def test_import_refuses_a_list_at_the_top(tmp_path):
    source = tmp_path / "bad.json"
    source.write_text("[]", encoding="utf-8")
    with pytest.raises(CommandError, match="最上位"):
        call_command("import_data", str(source))


def test_a_version_1_document_is_read_with_its_schedule_steps(fixture_document):
    legacy = legacy_ledger(fixture_document)
    legacy["format"] = "reformtracker/1"
    for item in legacy["initiatives"]:
        steps = {s["fiscal_year"]: s["step"] for s in item.pop("schedule")}
        for year in item["years"]:
            year["schedule_step"] = steps[year["fiscal_year"]]
    program = import_program(legacy)
    first = Initiative.objects.get(program=program, number=1)
    assert first.schedule()[0] == {"fiscal_year": 2024, "step": "実態分析及び制度等の検討"}
    assert [s["step"] for s in first.schedule()[1:]] == ["", "", ""]
