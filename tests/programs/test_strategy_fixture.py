"""The 創生総合戦略 fixture (fixtures/asahikawa_strategy_2025.json) against its seed.

The seed is read here by a parser of its own, not by scripts/seed_strategy.py: a row is its non-empty cells
(番号, 再掲 when present, 事業名, 部局名, 予算事業費, 事業内容), so the rows whose columns are shifted in the
seed read the same as the others.
"""

import json
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURE_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "asahikawa_strategy_2025.json"
SEED_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "001_40f41fd419eb03de.txt"  # a copy of the seed
TOTAL = 20_302_058  # the seed's 合計


@dataclass(frozen=True)
class Row:
    line: str
    goal: int
    pillar: str
    number: int
    reposted: bool
    name: str
    department: str
    budget: int
    description: str


@dataclass
class Seed:
    pillars: list
    rows: list
    subtotals: dict
    total: int


def yen(text):
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", text), text
    return int(text.replace(",", ""))


def read_seed():
    pillars, rows, subtotals, total = [], [], {}, None
    goal = pillar = None
    for line in SEED_PATH.read_text(encoding="utf-8").split("\n"):
        cells = [cell.strip() for cell in line.split("\t") if cell.strip()]
        if not cells:
            continue
        head = cells[0]
        if m := re.fullmatch(r"<b>基本目標(\d+) .+</b>", head):
            goal, pillar = int(m[1]), None
        elif m := re.fullmatch(r"(?:<b>|#+ )([ア-ン]) .+", head):
            pillar = f"{goal}{m[1]}"
            pillars.append(pillar)
        elif m := re.fullmatch(r"小計(\d+)", head):
            assert int(m[1]) == goal and len(cells) == 4, line
            subtotals[goal] = tuple(yen(cell) for cell in cells[1:])
        elif head == "合計":
            assert len(cells) == 2, line
            total = yen(cells[1])
        elif head.isdigit():
            reposted = cells[1] == "再掲"
            body = cells[2:] if reposted else cells[1:]
            assert len(body) == 4 and pillar, line
            name, department, budget, description = body
            rows.append(Row(line, goal, pillar, int(head), reposted, name, department, yen(budget), description))
        else:
            assert head in ("施策体系", "(単位:千円)") or head.startswith("令和7年度旭川市"), line
    return Seed(pillars, rows, subtotals, total)


@pytest.fixture(scope="module")
def seed():
    return read_seed()


@pytest.fixture(scope="module")
def document():
    return json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))


def budget(initiative):
    (year,) = initiative["years"]
    return year["secured_amount_thousand_yen"]


def goal_of(document, pillar_key):
    perspective = next(p["perspective"] for p in document["pillars"] if p["key"] == pillar_key)
    return next(p["order"] for p in document["perspectives"] if p["name"] == perspective)


def test_the_seed_reads_as_expected(seed):
    assert sorted(seed.subtotals) == [1, 2, 3, 4]
    assert len(seed.pillars) == 20
    assert len(seed.rows) == sum(count for count, _, _ in seed.subtotals.values()) == 190
    assert seed.total == TOTAL


@pytest.mark.parametrize("goal", [1, 2, 3, 4])
def test_each_goal_matches_its_subtotal(seed, document, goal):
    count, reposted, subtotal = seed.subtotals[goal]
    rows = [row for row in seed.rows if row.goal == goal]
    assert (len(rows), sum(row.reposted for row in rows), sum(row.budget for row in rows)) == (count, reposted, subtotal)

    own = [i for i in document["initiatives"] if goal_of(document, i["pillar"]) == goal]
    listed = [
        (i, listing) for i in document["initiatives"] for listing in i["listings"]
        if goal_of(document, listing["pillar"]) == goal
    ]
    # The 小計 counts every row, 再掲 rows too, and adds up every row's budget.
    assert len(own) + len(listed) == count
    assert len(listed) == reposted
    assert sum(budget(i) for i in own) + sum(budget(i) for i, _ in listed) == subtotal


def test_total_counts_a_project_once_per_row(seed, document):
    initiatives = document["initiatives"]
    assert sum(subtotal for _, _, subtotal in seed.subtotals.values()) == seed.total == TOTAL
    # The seed's 合計 adds the 再掲 rows' budgets again: a 事業 counts once per row it is printed on.
    assert sum(budget(i) * (1 + len(i["listings"])) for i in initiatives) == TOTAL
    once = sum(budget(i) for i in initiatives)
    reposted = sum(row.budget for row in seed.rows if row.reposted)
    assert once == TOTAL - reposted == 19_526_650


def test_every_initiative_is_verbatim_on_its_row(seed, document):
    rows = {(row.pillar, row.number): row for row in seed.rows}
    initiatives = document["initiatives"]
    for initiative in initiatives:
        row = rows[initiative["pillar"], initiative["number"]]
        (department,) = initiative["departments"]
        (year,) = initiative["years"]
        assert not row.reposted
        assert (initiative["name"], department["department"], year["secured_amount_thousand_yen"], year["plan"]) == (
            row.name, row.department, row.budget, row.description)
        for text in (initiative["name"], department["department"], f"{row.budget:,}", year["plan"]):
            assert text in row.line
        assert year["fiscal_year"] == 2025
    original_rows = [(row.pillar, row.number) for row in seed.rows if not row.reposted]
    assert sorted((i["pillar"], i["number"]) for i in initiatives) == sorted(original_rows)


def test_numbers_restart_per_measure_and_count_reposted_rows(seed, document):
    assert [p["key"] for p in document["pillars"]] == seed.pillars
    assert [p["order"] for p in document["pillars"]] == list(range(1, len(seed.pillars) + 1))
    in_seed = defaultdict(list)
    for row in seed.rows:
        in_seed[row.pillar].append(row.number)
    in_fixture = defaultdict(list)
    for initiative in document["initiatives"]:
        in_fixture[initiative["pillar"]].append(initiative["number"])
        for listing in initiative["listings"]:
            in_fixture[listing["pillar"]].append(listing["number"])
    for pillar in seed.pillars:
        assert in_seed[pillar] == list(range(1, len(in_seed[pillar]) + 1)), pillar
        assert sorted(in_fixture[pillar]) == in_seed[pillar], pillar


def test_every_reposted_row_is_a_listing_of_exactly_one_initiative(seed, document):
    initiatives = document["initiatives"]
    reposted = [row for row in seed.rows if row.reposted]
    for row in reposted:
        holders = [i for i in initiatives if {"pillar": row.pillar, "number": row.number} in i["listings"]]
        assert len(holders) == 1, row
        (holder,) = holders
        assert holder["name"] == row.name
        assert holder["departments"][0]["department"] == row.department
        assert budget(holder) == row.budget
        assert holder["pillar"] != row.pillar
    assert sum(len(i["listings"]) for i in initiatives) == len(reposted) == 32


def test_departments_in_order_of_first_appearance(seed, document):
    seen = []
    for row in seed.rows:
        if row.department not in seen:
            seen.append(row.department)
    assert [d["name"] for d in document["departments"]] == seen
    assert all(d["divisions"] == [] for d in document["departments"])


def test_keys_follow_the_format(document):
    assert list(document) == ["format", "program", "perspectives", "pillars", "departments", "initiatives", "notes"]
    assert document["format"] == "reformtracker/4"
    assert list(document["program"]) == [
        "name", "name_en", "slug", "start_fiscal_year", "end_fiscal_year", "fiscal_target_thousand_yen",
        "as_of", "as_of_label", "introduction", "issuing_office", "issuing_office_en", "source_title", "short_name", "frame"]
    assert list(document["program"]["frame"]) == ["levels", "item", "ledger", "figure", "numbering", "statuses"]
    assert all(list(p) == ["order", "name", "name_en"] for p in document["perspectives"])
    assert all(list(p) == ["key", "numeral", "order", "name", "name_en", "perspective"] for p in document["pillars"])
    for initiative in document["initiatives"]:
        assert list(initiative) == [
            "number", "pillar", "name", "departments", "background", "next_steps", "goal", "schedule", "years",
            "listings"]
        assert list(initiative["years"][0]) == [
            "fiscal_year", "plan", "result", "status", "delay_reason", "secured_amount_thousand_yen",
            "secured_amount_note", "department_statuses"]


def test_the_list_keeps_its_own_title_and_names_no_issuer(document):
    """The list's title is its first line, verbatim; it names no issuing office, so the fixture names none."""
    first_line = next(line.strip() for line in SEED_PATH.read_text(encoding="utf-8").split("\n") if line.strip())
    program = document["program"]
    assert program["source_title"] == first_line == "令和7年度旭川市まち・ひと・しごと創生総合戦略関連事業一覧"
    assert program["issuing_office"] == "" and program["issuing_office_en"] == ""
    assert program["short_name"] == "総合戦略"


def test_the_script_gives_the_fixture_on_disk():
    """scripts/seed_strategy.py writes the fixture: the fixture is what it gives from the seed."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "seed_strategy.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
