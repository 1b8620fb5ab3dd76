"""A synthetic program in the open-data format, shaped like the city's report.

54 initiatives in the report's pillars (6, 9, 11, 15, 2, 11), four of them behind (one with
a split status), texts of every length (some long enough to break across pages), and a
ledger whose figures equal page 1 of the report (89.0 / 35.5 億円). `scale` repeats the
initiatives (scale=100 gives 5,400) for the benchmarks.
"""
import copy

PERSPECTIVES = ["マネジメント", "財政健全化", "連携・協働"]
PILLARS = [
    ("Ⅰ", "働きがい改革に向けた組織マネジメントと人材育成", "マネジメント", 6),
    ("Ⅱ", "誰一人取り残さないDXの実現", "マネジメント", 9),
    ("Ⅲ", "健全な財政運営のための歳入確保", "財政健全化", 11),
    ("Ⅳ", "持続可能な行政サービスに向けた歳出削減", "財政健全化", 15),
    ("Ⅴ", "新しい時代に向けた公営企業等の経営", "財政健全化", 2),
    ("Ⅵ", "多様な主体との連携・協働", "連携・協働", 11),
]
DEPARTMENTS = [
    ("行財政改革推進部", ["行政改革課", "情報政策課"]),
    ("総務部", ["人事課", "職員厚生課"]),
    ("市民生活部", ["市民課"]),
    ("土木部", ["土木管理課", "土木建設課"]),
    ("市立旭川病院事務局", ["医事課"]),
    ("社会教育部", ["公民館事業課"]),
]
# number: (department index of the split, label) — behind in part
SPLIT = {30: (3, "土木部"), 42: (4, "市立旭川病院"), 50: (5, "公民館事業課")}
BEHIND = {47}
# The ledger of page 1 (千円): name, group, target, cumulative to the FY2025 initial budget.
LEDGER = [
    ("受益者負担の適正化", "revenue", 1_000_000, None),
    ("ふるさと納税の推進", "revenue", 1_880_000, 350_000),
    ("その他収入の確保", "revenue", 1_830_000, 1_350_000),
    ("事業等の見直し", "expenditure", 2_090_000, 270_000),
    ("公共事業等の抑制", "expenditure", 520_000, 1_011_707),
    ("特別会計操出金の抑制", "expenditure", 780_000, 450_066),
    ("人件費の削減", "expenditure", 800_000, 120_000),
]
SENTENCE = "市民サービスの向上と業務の効率化に向けて、関係部局と連携しながら手続の見直しと制度設計を進めた。"
INTRODUCTION = (
    "当プログラムは、第８次旭川市総合計画が掲げる都市像の実現に向けて、将来にわたって持続可能な財政運営と"
    "最適な行政サービスを維持していくために策定しているものです。\n"
    "新たな時代に即した着実な行財政運営のために、これまでのプログラムにおける取組状況を踏まえるとともに、"
    "新たな取組も加え、マネジメント、財政健全化、連携・協働の３つの視点による取組を進めることとしています。\n"
    "これらの取組についての進行状況は、年に一度公表することとしており、令和７年度当初における取組内容は次のとおりです。"
)
LONG = {16, 22, 42, 43}


def _text(number: int, sentences: int, bullet: bool = True) -> str:
    lines = [f"{'・' if bullet else ''}{SENTENCE}（取組{number}の{i + 1}）" for i in range(sentences)]
    return "\n".join(lines)


def _initiative(number: int, numeral: str) -> dict:
    departments = [DEPARTMENTS[number % len(DEPARTMENTS)]]
    if number % 3 == 0 or number in SPLIT:
        departments.append(DEPARTMENTS[(number + 3) % len(DEPARTMENTS)])
    if number in SPLIT:
        departments = [DEPARTMENTS[0], DEPARTMENTS[SPLIT[number][0]]]
    long = number in LONG
    status = "behind" if number in BEHIND else "on_schedule"
    year = {
        "fiscal_year": 2024,
        "schedule_step": "実態分析及び制度等の検討",
        "plan": "実態分析及び制度等の検討",
        "result": _text(number, 40 if long else 2 + number % 4),
        "status": status,
        "department_statuses": [],
        "delay_reason": "",
        "secured_amount_thousand_yen": 253 * number if number % 4 == 0 else None,
        "secured_amount_note": "うち360,000千円再掲" if number == 32 else "",
    }
    if number in SPLIT:
        department, label = DEPARTMENTS[SPLIT[number][0]][0], SPLIT[number][1]
        year["department_statuses"] = [{"department": department, "label": label, "status": "behind"}]
    if number in BEHIND or number in SPLIT:
        year["delay_reason"] = _text(number, 8 if long else 2, bullet=False)
    return {
        "number": number,
        "name": f"取組項目{number}の推進（{'長い記述の例' if long else '標準'}）",
        "pillar": numeral,
        "departments": [{"department": name, "divisions": divisions[:1]} for name, divisions in departments],
        "fiscal_target": "1億円" if number % 5 == 0 else "",
        "background": _text(number, 30 if long else 1 + number % 3),
        "next_steps": _text(number, 20 if long else 2),
        "ledger_category": LEDGER[number % len(LEDGER)][0] if number % 4 == 0 else None,
        "years": [year],
    }


def document(scale: int = 1) -> dict:
    """The program as an open-data document; `scale` copies of each pillar's initiatives."""
    initiatives = []
    number = 0
    for numeral, _name, _perspective, count in PILLARS:
        for _ in range(count * scale):
            number += 1
            initiative = _initiative(number if scale == 1 else (number - 1) % 54 + 1, numeral)
            initiative = copy.deepcopy(initiative)
            initiative["number"] = number
            initiatives.append(initiative)
    return {
        "format": "reformtracker/1",
        "program": {
            "name": "旭川市行財政改革推進プログラム２０２４",
            "start_fiscal_year": 2024,
            "end_fiscal_year": 2027,
            "fiscal_target_thousand_yen": 8_900_000,
            "as_of": "2025-04-01",
            "as_of_label": "令和7年度当初",
            "introduction": INTRODUCTION,
        },
        "perspectives": [{"order": i + 1, "name": name} for i, name in enumerate(PERSPECTIVES)],
        "pillars": [
            {"numeral": numeral, "order": i + 1, "name": name, "perspective": perspective}
            for i, (numeral, name, perspective, _count) in enumerate(PILLARS)
        ],
        "departments": [{"name": name, "divisions": divisions} for name, divisions in DEPARTMENTS],
        "initiatives": initiatives,
        "ledger": {
            "categories": [
                {
                    "group": group,
                    "order": i + 1,
                    "name": name,
                    "target_thousand_yen": target,
                    "entries": [] if secured is None else [{"fiscal_year": 2025, "secured_thousand_yen": secured, "note": ""}],
                }
                for i, (name, group, target, secured) in enumerate(LEDGER)
            ]
        },
    }
