"""Build the fixture of the 旭川市まち・ひと・しごと創生総合戦略 (FY2025 list of projects) from its seed.

Usage (from the repository root):

    .venv/bin/python scripts/seed_strategy.py                # writes fixtures/asahikawa_strategy_2025.json
    .venv/bin/python scripts/seed_strategy.py --check        # exits 1 if the fixture on disk is not what the seed gives
    .venv/bin/python scripts/seed_strategy.py --seed PATH --out PATH

The seed is fixtures/seeds/001_40f41fd419eb03de.txt (a copy of the city's document): 令和7年度旭川市まち・ひと・しごと創生総合戦略関連事業一覧,
tab-separated text extracted from the PDF. The output follows the open-data format "reformtracker/4"
(notes/format4.md): 基本目標 → perspectives, 施策 → pillars (key "1ア"), 事業 → initiatives, each 再掲 row →
a listing of the original 事業. Standard library only.

The parser is strict: any line it does not recognise, any 再掲 row without exactly one original, and any
mismatch with the seed's 小計 and 合計 lines stops it. What it had to interpret is written to "notes".
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

from strategy_english import DEPARTMENTS_EN, GOALS_EN, MEASURES_EN  # beside this script: English names of ours

ROOT = Path(__file__).resolve().parent.parent
SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seeds" / "001_40f41fd419eb03de.txt"
OUT = ROOT / "fixtures" / "asahikawa_strategy_2025.json"

FISCAL_YEAR = 2025  # 令和7年度
NUMERALS = "アイウエオカキクケコサシスセソ"
HEADER = ["施策体系", "番号", "再掲", "事業名", "部局名", "予算 事業費", "事業内容"]
TITLE = "令和7年度旭川市まち・ひと・しごと創生総合戦略関連事業一覧"
UNIT = "(単位:千円)"
AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})*")
GOAL = re.compile(r"<b>基本目標(\d+) (.+)</b>")
MEASURE_BOLD = re.compile(r"<b>([" + NUMERALS + r"]) (.+)</b>")
MEASURE_MARKDOWN = re.compile(r"(#+) ([" + NUMERALS + r"]) (.+)")

PROGRAM = {
    "name": "旭川市まち・ひと・しごと創生総合戦略",
    "name_en": "Asahikawa City Regional Revitalisation Strategy (Town, People and Jobs)",
    "slug": "sousei",
    "start_fiscal_year": FISCAL_YEAR,
    "end_fiscal_year": FISCAL_YEAR,
    "fiscal_target_thousand_yen": None,
    "as_of": "2025-04-01",
    "as_of_label": "令和7年度当初",
    "introduction": "",
    "issuing_office": "",  # the list names no issuer
    "issuing_office_en": "",
    "source_title": TITLE,
    "short_name": "総合戦略",
    "frame": {
        "levels": [{"name": "基本目標", "name_en": "Basic goal"}, {"name": "施策", "name_en": "Measure"}],
        "item": {"name": "事業", "name_en": "Project"},
        "ledger": False,
        "figure": {"name": "予算事業費", "name_en": "Project budget"},
        "numbering": "level",
        "statuses": [],
    },
}



class SeedError(Exception):
    pass


def amount(text: str, where: str) -> int:
    if not AMOUNT.fullmatch(text):
        raise SeedError(f"{where}: not an amount: {text!r}")
    return int(text.replace(",", ""))


def fmt(n: int) -> str:
    return f"{n:,}"


def parse(text: str) -> dict:
    """Read the seed into goals, measures, rows, subtotals and the total, recording every deviation."""
    goals, measures, rows, subtotals = [], [], [], {}
    total = None
    quirks = {"markdown_heading": [], "number_in_first_column": [], "shifted_left": [], "subtotal_column": [],
              "pages": 0}
    goal = measure = None
    for lineno, line in enumerate(text.split("\n"), 1):
        cells = line.split("\t")
        first = cells[0].strip()
        if not line.strip() or line.strip() == TITLE:
            continue
        if line.strip() == UNIT:
            quirks["pages"] += 1
            continue
        if [c.strip() for c in cells] == HEADER:
            continue
        where = f"seed line {lineno}"
        rest = [c.strip() for c in cells[1:]]
        if m := GOAL.fullmatch(first):
            if any(rest):
                raise SeedError(f"{where}: text beside a 基本目標 heading")
            number = int(m.group(1))
            if number != len(goals) + 1:
                raise SeedError(f"{where}: 基本目標{number} out of order")
            goal = {"number": number, "name": m.group(2).strip(), "line": lineno}
            goals.append(goal)
            measure = None
            continue
        m = MEASURE_BOLD.fullmatch(first)
        md = MEASURE_MARKDOWN.fullmatch(first)
        if m or md:
            if any(rest):
                raise SeedError(f"{where}: text beside a 施策 heading")
            if goal is None:
                raise SeedError(f"{where}: 施策 before any 基本目標")
            numeral, name = (m.group(1), m.group(2)) if m else (md.group(2), md.group(3))
            siblings = [x for x in measures if x["goal"] == goal["number"]]
            if numeral != NUMERALS[len(siblings)]:
                raise SeedError(f"{where}: 施策 {numeral} out of order")
            measure = {"goal": goal["number"], "numeral": numeral, "name": name.strip(), "line": lineno,
                       "key": f"{goal['number']}{numeral}"}
            measures.append(measure)
            if md:
                quirks["markdown_heading"].append((measure["key"], md.group(1), lineno))
            continue
        if m := re.fullmatch(r"小計(\d+)", first):
            number = int(m.group(1))
            figures = [(i, c) for i, c in enumerate(cells) if c.strip()][1:]
            if goal is None or number != goal["number"] or len(figures) != 3:
                raise SeedError(f"{where}: unexpected 小計 line")
            (ci, count), (ri, reposted), (bi, budget) = figures
            if (ci, ri) != (1, 2):
                raise SeedError(f"{where}: 小計 counts not in the 番号 and 再掲 columns")
            if bi != 5:
                quirks["subtotal_column"].append((number, HEADER[bi], budget.strip(), lineno))
            subtotals[number] = {"count": amount(count.strip(), where), "reposted": amount(reposted.strip(), where),
                                 "budget": amount(budget.strip(), where), "line": lineno}
            continue
        if first == "合計":
            figures = [c.strip() for c in cells[1:] if c.strip()]
            if len(figures) != 1:
                raise SeedError(f"{where}: unexpected 合計 line")
            total = amount(figures[0], where)
            continue
        # A 事業 row: 施策体系 (empty), 番号, 再掲, 事業名, 部局名, 予算事業費, 事業内容.
        if len(cells) == 7 and first == "" and cells[1].strip().isdigit():
            row = cells
        elif len(cells) == 7 and first.isdigit() and cells[1].strip() == "" and cells[2].strip() in ("", "再掲"):
            # The 番号 printed in the 施策体系 column, the 番号 column empty.
            row = ["", cells[0], cells[2]] + cells[3:]
            quirks["number_in_first_column"].append(lineno)
        elif len(cells) == 6 and first.isdigit():
            # The leading tab is missing: every column one to the left.
            row = [""] + cells
            quirks["shifted_left"].append(lineno)
        else:
            raise SeedError(f"{where}: unrecognised line {line[:60]!r}")
        if measure is None:
            raise SeedError(f"{where}: 事業 before any 施策")
        row = [c.strip() for c in row]
        if row[2] not in ("", "再掲") or not all(row[3:]):
            raise SeedError(f"{where}: incomplete 事業 row")
        rows.append({"goal": goal["number"], "pillar": measure["key"], "number": int(row[1]),
                     "reposted": row[2] == "再掲", "name": row[3], "department": row[4],
                     "budget": amount(row[5], where), "budget_text": row[5], "description": row[6], "line": lineno})
    if total is None or sorted(subtotals) != [g["number"] for g in goals]:
        raise SeedError("the seed lacks a 小計 per 基本目標 or the 合計")
    return {"goals": goals, "measures": measures, "rows": rows, "subtotals": subtotals, "total": total,
            "quirks": quirks}


def describe_difference(original: str, repost: str) -> str:
    parts = []
    matcher = difflib.SequenceMatcher(None, original, repost, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        before, after = original[a1:a2], repost[b1:b2]
        if before.strip() == "" and after.strip() == "":
            context = (original[max(0, a1 - 5):a1], original[a2:a2 + 5])
            if before:
                parts.append(f'the original has a space in "{context[0]} {context[1]}", the 再掲 row has none')
            else:
                parts.append(f'the 再掲 row has a space in "{context[0]} {context[1]}", the original has none')
        else:
            left, right = original[max(0, a1 - 4):a1], original[a2:a2 + 4]
            parts.append(f'the original reads "{left}{before}{right}", the 再掲 row "{left}{after}{right}"')
    return "; ".join(parts)


def build(seed_text: str) -> dict:
    seed = parse(seed_text)
    goals, measures, rows = seed["goals"], seed["measures"], seed["rows"]

    # Numbers restart under every 施策 and run 1..n, 再掲 rows included.
    for measure in measures:
        numbers = [r["number"] for r in rows if r["pillar"] == measure["key"]]
        if numbers != list(range(1, len(numbers) + 1)):
            raise SeedError(f"施策 {measure['key']}: numbers {numbers} are not 1..n")

    # The seed's own checks: 小計 per 基本目標 and the 合計.
    for goal in goals:
        own = [r for r in rows if r["goal"] == goal["number"]]
        sub = seed["subtotals"][goal["number"]]
        got = (len(own), sum(r["reposted"] for r in own), sum(r["budget"] for r in own))
        if got != (sub["count"], sub["reposted"], sub["budget"]):
            raise SeedError(f"基本目標{goal['number']}: rows give {got}, 小計 says {sub}")
    if sum(s["budget"] for s in seed["subtotals"].values()) != seed["total"]:
        raise SeedError("the 小計 do not add up to the 合計")

    originals = {}
    for row in rows:
        if not row["reposted"]:
            key = (row["name"], row["department"])
            if key in originals:
                raise SeedError(f"seed line {row['line']}: {key} listed twice without 再掲")
            originals[key] = row

    departments = []
    for row in rows:
        if row["department"] not in departments:
            departments.append(row["department"])

    initiatives = {}
    for row in rows:
        if row["reposted"]:
            continue
        initiatives[(row["name"], row["department"])] = {
            "number": row["number"],
            "pillar": row["pillar"],
            "name": row["name"],
            "departments": [{"department": row["department"], "divisions": []}],
            "background": "",
            "next_steps": "",
            "goal": "",
            "schedule": [],
            "years": [{
                "fiscal_year": FISCAL_YEAR,
                "plan": row["description"],
                "result": "",
                "status": "",
                "delay_reason": "",
                "secured_amount_thousand_yen": row["budget"],
                "secured_amount_note": "",
                "department_statuses": [],
            }],
            "listings": [],
        }

    differences = []
    for row in rows:
        if not row["reposted"]:
            continue
        key = (row["name"], row["department"])
        original = originals.get(key)
        if original is None:
            raise SeedError(f"seed line {row['line']}: 再掲 {key} has no original")
        if original["budget"] != row["budget"]:
            raise SeedError(f"seed line {row['line']}: 再掲 {key} budget differs from the original")
        if original["pillar"] == row["pillar"]:
            raise SeedError(f"seed line {row['line']}: 再掲 {key} in the original's own 施策")
        initiatives[key]["listings"].append({"pillar": row["pillar"], "number": row["number"]})
        if original["description"] != row["description"]:
            differences.append(
                f"{row['pillar']} {row['number']} 再掲 {row['name']} (seed line {row['line']}) against the original "
                f"{original['pillar']} {original['number']} (line {original['line']}): "
                + describe_difference(original["description"], row["description"]) + "."
            )

    notes = make_notes(seed, differences, originals)

    return {
        "format": "reformtracker/4",
        "program": PROGRAM,
        "perspectives": [{"order": g["number"], "name": g["name"], "name_en": GOALS_EN[g["name"]]} for g in goals],
        "pillars": [
            {"key": m["key"], "numeral": m["numeral"], "order": order, "name": m["name"],
             "name_en": MEASURES_EN[m["name"]], "perspective": goals[m["goal"] - 1]["name"]}
            for order, m in enumerate(measures, 1)
        ],
        "departments": [{"name": d, "name_en": DEPARTMENTS_EN.get(d, ""), "divisions": []} for d in departments],
        "initiatives": list(initiatives.values()),
        "notes": notes,
    }


def line_span(lines: list[int]) -> str:
    return f"{lines[0]}–{lines[-1]}" if len(lines) > 1 else str(lines[0])


def rows_at(rows: list[dict], lines: list[int]) -> str:
    picked = [r for r in rows if r["line"] in lines]
    keys = sorted({r["pillar"] for r in picked})
    return ", ".join(
        f"{k} {min(r['number'] for r in picked if r['pillar'] == k)}–{max(r['number'] for r in picked if r['pillar'] == k)}"
        for k in keys
    )


def make_notes(seed: dict, differences: list[str], originals: dict) -> list[str]:
    q, rows = seed["quirks"], seed["rows"]
    notes = []
    if q["markdown_heading"]:
        listed = ", ".join(f"{key} (\"{marks} …\", seed line {line})" for key, marks, line in q["markdown_heading"])
        notes.append(f"Some 施策 headings are printed as Markdown headings instead of <b>…</b>: {listed}. "
                     "They are read as 施策 headings like the others.")
    if q["number_in_first_column"]:
        lines = q["number_in_first_column"]
        notes.append(f"Rows {rows_at(rows, lines)} (seed lines {line_span(lines)}) have the 番号 in the 施策体系 column "
                     "and an empty 番号 column; read as those 番号, none of them 再掲.")
    if q["shifted_left"]:
        lines = q["shifted_left"]
        notes.append(f"Rows {rows_at(rows, lines)} (seed lines {line_span(lines)}) lack the leading tab, so every "
                     "column is one to the left; read as 番号, 再掲, 事業名, 部局名, 予算事業費, 事業内容.")
    for number, column, text, line in q["subtotal_column"]:
        notes.append(f"小計{number} (seed line {line}): the budget {text} sits in the {column} column instead of "
                     "the 予算事業費 column.")
    notes.append(f"The table header and {UNIT} repeat on each of the {q['pages']} pages; they are skipped. A 施策 "
                 "continues across a page break with its 番号 running on (e.g. 1ア 1–35 over three pages).")
    reposted = [r for r in rows if r["reposted"]]
    once = sum(r["budget"] for r in rows if not r["reposted"])
    notes.append("The 小計 lines count 再掲 rows as 事業 (小計2: 31 rows, 2 of them 再掲), and their budget sums "
                 "include the 再掲 rows' budgets; the 合計 " + fmt(seed["total"]) + " is the sum of the four 小計. "
                 "So the 合計 counts a 事業 once for every row it is printed on; with each 事業 counted once the "
                 f"budget is {fmt(once)} (the {len(reposted)} 再掲 rows add {fmt(seed['total'] - once)}).")
    later = [r for r in reposted if originals[(r["name"], r["department"])]["line"] > r["line"]]
    placed = "printed earlier" if not later else f"printed earlier ({len(later)} of them later)"
    notes.append(f"Each of the {len(reposted)} 再掲 rows is matched to its original by 事業名 and 部局名: every one "
                 f"has exactly one original row without 再掲, {placed} and under another 施策, with the same "
                 "budget. It becomes a listing of that initiative, whose plan is the original row's text.")
    if differences:
        notes.append(f"{len(differences)} 再掲 rows print a description that differs from the original's; the "
                     "fixture keeps the original row's text. " + " ".join(differences))
    notes.append("Descriptions are kept as printed, with the single space before a second sentence "
                 "「令和7年度は、…」 where the seed has one; names keep their 「(新)」 mark (new in FY2025).")
    odd = [m for m in seed["measures"] if ", " in m["name"]]
    for m in odd:
        notes.append(f"The heading of 施策 {m['key']} is printed with ASCII commas and spaces "
                     f"(「{m['name']}」); kept as printed.")
    suspicious = {"優優良織": "優佳良織", "シティブロモーション": "シティプロモーション"}
    for wrong, right in suspicious.items():
        hits = [r for r in rows if wrong in r["name"] or wrong in r["description"]]
        if hits:
            where = ", ".join(f"{r['pillar']} {r['number']}" for r in hits)
            notes.append(f"「{wrong}」 ({where}) looks like a misprint of 「{right}」; kept as printed.")
    notes.append("The seed names no issuing office and has no introduction; English names of goals, measures "
                 "and departments are the fixture's own translations.")
    return notes


def render(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=Path, default=SEED)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with the file on disk instead of writing")
    args = parser.parse_args(argv)
    try:
        document = build(args.seed.read_text(encoding="utf-8"))
    except SeedError as error:
        print(f"seed_strategy: {error}", file=sys.stderr)
        return 2
    text = render(document)
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'differs from the seed'}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    initiatives = document["initiatives"]
    listings = sum(len(i["listings"]) for i in initiatives)
    print(f"{args.out}: {len(initiatives)} initiatives, {listings} 再掲 listings, "
          f"{len(document['pillars'])} 施策, {len(document['departments'])} departments")
    return 0


if __name__ == "__main__":
    sys.exit(main())
