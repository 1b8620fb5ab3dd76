"""The dX fixture (旭川市dX加速化方針, 令和7年1月) against its seed text.

No database: the fixture is read as JSON and compared with the seed's plain text. The roadmap
(section 7 of the seed) is a tab-separated table: 取組内容, ～R5, R6, R7, R8, R9, 将来像. Some rows
carry an extra empty cell before the 将来像, so the 将来像 is the last non-empty cell after R9.
"""

import json
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "asahikawa_dx_2025.json"
SEED_NAME = "004_d28b956e814754a7.txt"
SEED_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"  # a copy of the seed

PRIORITIES = {
    "1": "オンラインで24時間365日手続き可能",
    "2": "アナログ世代も便利なdXの推進",
    "3": "選ばれる・続けられる・誇れる職場",
}
ROWS_PER_PRIORITY = {"1": 5, "2": 3, "3": 7}
YEARS = [2024, 2025, 2026, 2027]  # R6..R9


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    return (SEED_DIR / SEED_NAME).read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def roadmap(seed_lines) -> list[dict]:
    """The roadmap rows of the seed, in order: line index, 重点取組 key and the raw cells."""
    start = seed_lines.index("7. ロードマップ")
    rows, group = [], None
    for index in range(start + 1, len(seed_lines)):
        line = seed_lines[index]
        if line.startswith("8. "):
            break
        if not line.strip():
            continue
        cells = line.split("\t")
        if cells[1] == "取組内容":
            assert cells[2:8] == ["～R5", "R6", "R7", "R8", "R9", "将来像"]
            continue
        if cells[0].strip():
            group = cells[0].replace("取組", "").strip()
        rows.append({"line": index, "group": group, "cells": cells})
    return rows


def _initiatives(doc, key):
    return [item for item in doc["initiatives"] if item["pillar"] == key]


def _row_of(roadmap, item):
    matches = [row for row in roadmap if row["cells"][1].strip() == item["name"]]
    assert len(matches) == 1, item["name"]
    return matches[0]


def test_file_is_written_as_agreed(doc):
    text = FIXTURE.read_text(encoding="utf-8")
    assert text == json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    assert doc["format"] == "reformtracker/4"
    assert "ledger" not in doc
    assert doc["departments"] == []


def test_program(doc, seed_lines):
    program = doc["program"]
    assert program["name"] == "旭川市dX加速化方針"
    assert program["slug"] == "dx"
    assert (program["start_fiscal_year"], program["end_fiscal_year"]) == (2024, 2027)
    assert program["fiscal_target_thousand_yen"] is None
    assert (program["as_of"], program["as_of_label"]) == ("2025-01-01", "令和7年1月")
    assert "令和7年（2025年）1月" in seed_lines
    assert program["introduction"].startswith("人口減少の中、私たちは")
    assert program["introduction"].endswith("示したものです。")
    assert program["introduction"] in seed_lines
    assert program["issuing_office"] == ""
    frame = program["frame"]
    assert [level["name"] for level in frame["levels"]] == ["重点取組"]
    assert frame["item"]["name"] == "取組内容"
    assert frame["ledger"] is False and frame["figure"] is None
    assert frame["numbering"] == "level"
    assert frame["statuses"] == []  # a roadmap: the policy reports no progress statuses


def test_three_priorities_named_as_in_section_6(doc, seed_lines):
    section = seed_lines[seed_lines.index("6. dXを推進する3つの重点取組") : seed_lines.index("7. ロードマップ")]
    assert [(p["order"], p["name"]) for p in doc["perspectives"]] == [(int(k), n) for k, n in PRIORITIES.items()]
    for key, name in PRIORITIES.items():
        assert f"取組{key} {name}" in section
        assert f"6-{key}. 取組{key} {name}" in section
    # The table of contents words 取組1 differently; section 6 wins.
    assert " - 6-1 取組1 オンラインで24時間365日申請受付" in seed_lines
    assert all("申請受付" not in p["name"] for p in doc["perspectives"])


def test_one_pillar_per_priority(doc):
    assert [(p["key"], p["numeral"], p["order"], p["name"], p["perspective"]) for p in doc["pillars"]] == [
        (key, "", int(key), name, name) for key, name in PRIORITIES.items()
    ]


def test_row_counts_and_numbers(doc, roadmap):
    for key, count in ROWS_PER_PRIORITY.items():
        items = _initiatives(doc, key)
        assert len(items) == count
        assert [item["number"] for item in items] == list(range(1, count + 1))
        assert len([row for row in roadmap if row["group"] == key]) == count
    assert len(doc["initiatives"]) == len(roadmap) == 15


def test_rows_follow_the_seed_order(doc, roadmap):
    assert [(item["pillar"], item["name"]) for item in doc["initiatives"]] == [
        (row["group"], row["cells"][1].strip()) for row in roadmap
    ]
    lines = [_row_of(roadmap, item)["line"] for item in doc["initiatives"]]
    assert lines == sorted(lines)


def test_every_text_stands_verbatim_on_its_row(doc, roadmap, seed_lines):
    for item in doc["initiatives"]:
        row = _row_of(roadmap, item)
        line = seed_lines[row["line"]]
        cells = [cell.strip() for cell in row["cells"]]
        assert row["group"] == item["pillar"], item["name"]
        texts = [item["name"], item["background"], item["goal"]] + [s["step"] for s in item["schedule"] if s["step"]]
        for text in texts:
            assert text and text in line, (item["name"], text)
            assert text in cells, (item["name"], text)
        assert cells[1] == item["name"]
        assert cells[2] == item["background"]  # ～R5, "—" as printed
        assert [s["fiscal_year"] for s in item["schedule"]] == YEARS
        assert [s["step"] for s in item["schedule"]] == cells[3:7]  # R6..R9, "" where empty
        after = [cell for cell in cells[7:] if cell]
        assert after == [item["goal"]], item["name"]  # 将来像: the only (last) text after R9


def test_shifted_rows_keep_their_goal(doc, roadmap):
    shifted = [row["cells"][1] for row in roadmap if not row["cells"][7].strip()]
    assert shifted == ["電子入札・電子契約システムの導入", "自治体の情報システムの標準化・共通化", "総合窓口の改革"]
    by_name = {item["name"]: item for item in doc["initiatives"]}
    assert by_name["電子入札・電子契約システムの導入"]["goal"].startswith("工事契約に係る事務処理")
    assert [s["step"] for s in by_name["電子入札・電子契約システムの導入"]["schedule"]] == [
        "システム環境設定, 構築",
        "試行",
        "運用開始",
        "",
    ]


def test_nothing_is_invented(doc):
    for item in doc["initiatives"]:
        assert item["departments"] == []
        assert item["years"] == []
        assert item["next_steps"] == ""
        assert item.get("listings", []) == []
    assert doc["program"]["issuing_office"] == "" and doc["program"]["issuing_office_en"] == ""
    assert doc["notes"]


def test_the_policy_is_dated_to_the_month_and_titled_as_it_titles_itself(doc, seed_lines):
    """The policy is dated 令和7年（2025年）1月, a month: the fixture says so, and takes its title from the document
    (「旭川市dX加速化方針」, printed on its cover and under its introduction) with no issuer it does not name."""
    program = doc["program"]
    assert program["as_of_precision"] == "month" and program["as_of"].startswith("2025-01")
    assert program["source_title"] == "旭川市dX加速化方針" and program["source_title"] in seed_lines
    assert program["short_name"] == "dX"
    assert not any("課" in line for line in seed_lines[:12])  # the cover names no issuing office
