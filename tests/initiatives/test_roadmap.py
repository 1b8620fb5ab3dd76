"""The year grid (initiatives.roadmap) of the dX policy against its document's roadmap (section 7 of the seed).

No database: the grid is built from the fixture's items read as publications, and every cell is compared with
the seed's tab-separated table (取組内容, ～R5, R6, R7, R8, R9, 将来像; the 将来像 is the last non-empty cell,
some rows carrying an extra empty cell before it)."""
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import translation

from initiatives.publication import Publication
from initiatives.roadmap import era_abbreviation, is_year_roadmap, roadmap_of

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "fixtures" / "seeds" / "004_d28b956e814754a7.txt"


def read(name: str) -> dict:
    return json.loads((ROOT / "fixtures" / name).read_text(encoding="utf-8"))


def entries(document: dict) -> list[tuple]:
    pillars = {}
    for p in document["pillars"]:
        key = p.get("key", p["numeral"])  # the reform program's pillars are known by their numeral
        pillars[key] = SimpleNamespace(pk=key, order=p["order"], key=key, numeral=p["numeral"], name=p["name"])
    return [(pillars[item["pillar"]], Publication(item)) for item in document["initiatives"]]


def years(document: dict) -> range:
    return range(document["program"]["start_fiscal_year"], document["program"]["end_fiscal_year"] + 1)


@pytest.fixture(scope="module")
def dx() -> dict:
    return read("asahikawa_dx_2025.json")


@pytest.fixture(scope="module")
def grid(dx):
    return roadmap_of(entries(dx), years(dx))


@pytest.fixture(scope="module")
def seed_rows() -> list[dict]:
    """The roadmap's rows as the document prints them: 取組 group, name, ～R5, R6–R9, 将来像."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    rows, group = [], None
    for line in lines[lines.index("7. ロードマップ") + 1:]:
        if line.startswith("8. "):
            break
        cells = line.split("\t")
        if not line.strip() or cells[1] == "取組内容":
            continue
        if cells[0].strip():
            group = cells[0].replace("取組", "").strip()
        goal = [cell.strip() for cell in cells[7:] if cell.strip()]
        rows.append({"group": group, "name": cells[1].strip(), "before": cells[2].strip(),
                     "steps": [cell.strip() for cell in cells[3:7]], "goal": goal[-1]})
    return rows


def test_the_columns_are_the_documents_up_to_r5_r6_to_r9_and_the_future(grid):
    assert [column.label for column in grid.columns] == ["～R5", "R6", "R7", "R8", "R9", "将来像"]
    assert grid.fiscal_years == [2024, 2025, 2026, 2027]
    assert [column.title for column in grid.columns][:2] == ["令和5年度（2023年度）まで", "令和6年度（2024年度）"]


def test_the_rows_are_the_three_priorities_with_5_3_and_7_actions_in_the_documents_order(grid, seed_rows):
    assert [group.pillar.name for group in grid.groups] == [
        "オンラインで24時間365日手続き可能", "アナログ世代も便利なdXの推進", "選ばれる・続けられる・誇れる職場"]
    assert [len(group.rows) for group in grid.groups] == [5, 3, 7]
    assert [(row.pillar.key, row.name) for row in grid.rows] == [(row["group"], row["name"]) for row in seed_rows]


def test_every_cell_is_the_documents_text_and_a_blank_stays_blank(grid, seed_rows):
    for row, printed in zip(grid.rows, seed_rows, strict=True):
        assert row.text("before", 2023) == printed["before"]
        assert row.steps == printed["steps"]
        assert row.text("after") == printed["goal"]
    cells = {row.name: row for row in grid.rows}
    assert cells["電子入札・電子契約システムの導入"].steps == ["システム環境設定, 構築", "試行", "運用開始", ""]
    assert cells["人事給与・庶務事務システムの機能強化"].text("year", 2025) == "運用開始(R7.3)"
    assert cells["全庁ネットワーク基盤整備(グループウェア・ファイルサーバ)"].text("before", 2023) == "—"
    filled = sum(1 for row in grid.rows for step in row.steps if step)
    assert filled == 9 + 3 + 2 + 3 + 2 + 2 + 2  # nine rows with R6 only; the others as the fixture's notes count


def test_the_column_headings_follow_the_language_and_the_data_does_not(grid):
    with translation.override("en"):
        assert [column.label for column in grid.columns][1:5] == ["FY2024", "FY2025", "FY2026", "FY2027"]
        assert grid.rows[0].text("year", 2024).startswith("行政手続きのオンライン化推進")


def test_the_printed_widths_fill_the_page_and_give_the_fullest_year_the_most_room(grid):
    widths = dict(zip(["name"] + [column.label for column in grid.columns], grid.widths()))
    assert sum(widths.values()) == pytest.approx(100, abs=0.5)
    assert min(widths.values()) >= 7
    assert widths["R6"] == max(widths[year] for year in ["R6", "R7", "R8", "R9"])


def test_a_program_without_a_future_state_is_no_roadmap():
    reform, strategy = read("asahikawa_2024.json"), read("asahikawa_strategy_2025.json")
    assert any(step["step"] for item in reform["initiatives"] for step in item["schedule"])  # a 作業工程, no 将来像
    assert roadmap_of(entries(reform), years(reform)) is None
    assert roadmap_of(entries(strategy), years(strategy)) is None


def test_a_roadmap_needs_both_a_step_and_a_future_state(dx):
    items = [Publication(item) for item in dx["initiatives"]]
    assert is_year_roadmap(items, years(dx))
    assert not is_year_roadmap([Publication({**item.data, "goal": ""}) for item in items], years(dx))
    assert not is_year_roadmap([Publication({**item.data, "schedule": []}) for item in items], years(dx))


def test_the_era_abbreviations_are_the_roadmaps():
    assert (era_abbreviation(2023), era_abbreviation(2027), era_abbreviation(2018)) == ("R5", "R9", "H30")
