"""Reading a filled-in plan workbook into a program's JSON document, or refusing it with every problem.

The upload limits of the record import come first (programs.import_limits: size, zip members,
cells, strings, a deadline), then the sheets and headers, then every cell. Each problem names its
sheet, row and column. A plan without problems is then tried against the database (the program's
import, rolled back), so that the preview promises only what the confirmation will do.
"""
import io
import re
import zipfile

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from programs.models import RESERVED_SLUGS, Numbering, Program
from programs.import_limits import Deadline, ImportRefused, check_archive, check_size, excerpt

from ..opendata import FORMAT, DataFormatError
from ..opendata.importer import import_program
from . import cells, layout
from .layout import YES

_DEPARTMENT = re.compile(r"([^（）\n]+?)(?:（([^（）\n]*)）)?")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
_CODE = re.compile(r"[-a-zA-Z0-9_]{1,20}")


class _RolledBack(Exception):
    pass


def read_plan_workbook(data: bytes) -> dict:
    """The program's document (docs/data-format.md), or ImportRefused listing every problem in Japanese."""
    deadline = Deadline()
    check_size(len(data))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportRefused([_("Excelファイル（.xlsx形式）ではありません。計画のテンプレートに入力して保存したファイルを選んでください。")])
    check_archive(data, deadline=deadline)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on broken files
        raise ImportRefused([_("ファイルが壊れているか、Excelの.xlsx形式ではないため読み込めません。")]) from error
    try:
        problems: list[str] = []
        rows = cells.read_sheets(workbook, deadline, problems)
        document = _Plan(rows, problems).document()
    finally:
        workbook.close()
    if not problems:
        _try_import(document, problems)
    if problems:
        raise ImportRefused(problems)
    return document


class _Plan:
    """The sheets' rows turned into the document, every problem noted on the way."""

    def __init__(self, rows: dict, problems: list[str]):
        self.rows, self.problems = rows, problems
        self.period, self.has_figure, self.per_level = None, True, False  # until the frame says otherwise

    def document(self) -> dict:
        program, frame = self.frame()
        perspectives, pillars = self.levels(bool(frame["levels"][1:]) if frame else True)
        statuses = self.statuses()
        initiatives, departments = self.items(frame, pillars)
        if frame is not None:
            frame["statuses"] = statuses
            program["frame"] = frame
        return {
            "format": FORMAT, "program": program, "perspectives": perspectives, "pillars": pillars,
            "departments": departments, "initiatives": initiatives, "ledger": {"categories": [], "statements": []},
        }

    # --- helpers ---

    def header(self, sheet: str, expected: list[str], *, extra=None) -> list[str] | None:
        """The sheet's headers when they are the template's (`extra` accepts further columns), else None."""
        rows = self.rows.get(sheet) or [(layout.HEADER_ROW, [])]
        number, values = rows[0]
        headers = ["" if v is None else str(v).strip() for v in values]
        wrong = (headers[: len(expected)] != expected or len(set(headers)) < len(headers)
                 or any(not (extra and extra(h)) for h in headers[len(expected):]))
        if wrong:
            self.problems.append(_("シート「%(sheet)s」%(row)d行目の見出しがテンプレートと違います。見出しは「%(headers)s」です。")
                                 % {"sheet": sheet, "row": number, "headers": "、".join(expected)})
            return None
        return headers

    def records(self, sheet: str, headers: list[str]):
        for number, values in self.rows.get(sheet, [])[1:]:
            values = values + [None] * (len(headers) - len(values))
            if len(values) > len(headers):
                cells.Cell(self.problems, sheet, number, "", len(headers)).fail(_("見出しのない列に値があります。"))
            yield number, {h: (cells.Cell(self.problems, sheet, number, h, i), values[i]) for i, h in enumerate(headers)}

    # --- the sheets ---

    def frame(self):
        headers = self.header(layout.FRAME, layout.FRAME_HEADERS)
        if headers is None:
            return {}, None
        found: dict[str, tuple] = {}
        labels = {label: (key, kind) for label, key, kind in layout.FRAME_ROWS}
        for number, row in self.records(layout.FRAME, headers):
            label = cells.line(row["項目"])
            if label not in labels:
                row["項目"][0].fail(_("「%(label)s」は枠組みの項目ではありません。"), label=excerpt(label))
            elif label in found:
                row["項目"][0].fail(_("「%(label)s」が2回あります。"), label=label)
            else:
                found[label] = (cells.Cell(self.problems, layout.FRAME, number, "値", 1, setting=label), row["値"][1])
        for label in labels:
            if label not in found:
                self.problems.append(_("シート「%(sheet)s」: 「%(label)s」の行がありません。") % {"sheet": layout.FRAME, "label": label})
        if len(found) < len(labels):
            return {}, None
        v = {key: self.value(found[label], kind) for label, (key, kind) in labels.items()}
        self.check_program(v, found)
        two = bool(v["level2"])
        frame = {
            "levels": [{"name": v["level1"], "name_en": v["level1_en"]},
                       *([{"name": v["level2"], "name_en": v["level2_en"]}] if two else [])],
            "item": {"name": v["item"], "name_en": v["item_en"]},
            "ledger": v["ledger"],
            "figure": {"name": v["figure"], "name_en": v["figure_en"]} if v["figure"] else None,
            "numbering": v["numbering"],
        }
        program = {key: v[key] for key in ["name", "name_en", "slug", "short_name", "source_title", "start_fiscal_year",
                                           "end_fiscal_year", "as_of_precision", "as_of_label", "issuing_office",
                                           "issuing_office_en", "introduction", "fiscal_target_thousand_yen"]}
        program["as_of"] = v["as_of"].isoformat() if v["as_of"] else ""
        return program, frame

    def value(self, entry, kind: str):
        if kind == "text!":
            return cells.line(entry, required=True, limit=200)
        if kind == "text":
            return cells.text(entry).strip()
        if kind == "year":
            return cells.integer(entry, required=True, low=1900, high=2200)
        if kind == "amount":
            return cells.integer(entry)
        if kind == "yesno":
            return cells.yes(entry)
        if kind == "precision":
            return cells.choice(entry, layout.PRECISIONS, default=layout.PRECISIONS["日"])
        if kind == "numbering":
            return cells.choice(entry, layout.NUMBERINGS, default=Numbering.PROGRAM.value)
        return cells.date(entry)

    def check_program(self, v: dict, found: dict) -> None:
        def fail(label, message, **params):
            found[label][0].fail(message, **params)

        if v["name"] and Program.objects.filter(name=v["name"]).exists():
            fail("プログラム名", _("プログラム「%(name)s」は既に登録されています。別の名前にしてください。"), name=excerpt(v["name"]))
        slug = v["slug"]
        if slug and not _SLUG.fullmatch(slug):
            fail("URL名", _("半角英数字・ハイフン・下線だけを50文字まで使えます（値: %(value)s）。"), value=excerpt(slug))
        elif slug in RESERVED_SLUGS:
            fail("URL名", _("URL名「%(slug)s」はサイトのページの名前なので使えません。"), slug=slug)
        elif slug and Program.objects.filter(slug=slug).exists():
            fail("URL名", _("URL名「%(slug)s」は別のプログラムが使っています。"), slug=slug)
        if v["start_fiscal_year"] and v["end_fiscal_year"] and v["end_fiscal_year"] < v["start_fiscal_year"]:
            fail("終了年度（西暦）", _("終了年度は開始年度以降にしてください。"))
        if v["ledger"] and v["fiscal_target_thousand_yen"] is None:
            fail("財源確保目標額（千円）", _("財源確保額表があるプログラムには目標額を入力してください。"))
        if not v["level2"] and v["level2_en"]:
            fail("下の階層の名称（英語）", _("下の階層の名称が空欄なので、英語の名称も空欄にしてください。"))
        if not v["figure"] and v["figure_en"]:
            fail("年度ごとの金額の名称（英語）", _("金額の名称が空欄なので、英語の名称も空欄にしてください。"))
        period = range(v["start_fiscal_year"] or 0, (v["end_fiscal_year"] or 0) + 1)
        self.period = period if period and v["start_fiscal_year"] else None
        self.has_figure = bool(v["figure"])
        self.per_level = v["numbering"] == Numbering.LEVEL

    def levels(self, two: bool):
        headers = self.header(layout.LEVELS, layout.LEVEL_HEADERS)
        perspectives, pillars, seen = [], [], set()
        if headers is None:
            return perspectives, pillars
        for _number, row in self.records(layout.LEVELS, headers):
            depth = cells.choice(row["階層"], {"1": 1, "2": 2} if two else {"1": 1})
            key, numeral = cells.line(row["記号"], limit=10), cells.line(row["番号"], limit=4)
            order = cells.integer(row["表示順"], required=True, low=1, high=32767)
            name, name_en = cells.line(row["名称"], required=True, limit=200), cells.line(row["名称（英語）"], limit=200)
            parent = cells.line(row["上の階層"])
            if depth == 1:
                if parent:
                    row["上の階層"][0].fail(_("上の階層の行には入力しません。"))
                self.unique(seen, ("perspective name", name), row["名称"], name)
                self.unique(seen, ("perspective order", order), row["表示順"], order)
                perspectives.append({"order": order, "name": name, "name_en": name_en})
                if two:
                    continue
            elif parent not in {p["name"] for p in perspectives}:
                row["上の階層"][0].fail(_("上の階層（階層=1）の行の名称を、その行より後に入力してください（値: %(value)s）。"), value=excerpt(parent))
            key = key or numeral
            if not key:
                row["記号"][0].fail(_("記号か番号を入力してください（項目の「階層の記号」で使います）。"))
            self.unique(seen, ("key", key), row["記号"], key)
            self.unique(seen, ("pillar order", order), row["表示順"], order)
            if numeral:
                self.unique(seen, ("numeral", parent if two else name, numeral), row["番号"], numeral)
            pillars.append({"key": key, "numeral": numeral, "order": order, "name": name, "name_en": name_en,
                            "perspective": parent if two else name})
        if not pillars:
            self.problems.append(_("シート「%(sheet)s」: 項目を載せる階層の行がありません。") % {"sheet": layout.LEVELS})
        return perspectives, pillars

    def unique(self, seen: set, key, entry, shown) -> None:
        if key[1] in (None, ""):
            return
        if key in seen:
            entry[0].fail(_("「%(value)s」が2回あります。"), value=excerpt(shown))
        seen.add(key)

    def statuses(self) -> list[dict]:
        headers = self.header(layout.STATUSES, layout.STATUS_HEADERS)
        result, seen = [], set()
        if headers is None:
            return result
        for _number, row in self.records(layout.STATUSES, headers):
            code = cells.line(row["コード"], required=True)
            if code and not _CODE.fullmatch(code):
                row["コード"][0].fail(_("半角英数字・ハイフン・下線だけを20文字まで使えます（値: %(value)s）。"), value=excerpt(code))
            definition = {
                "code": code, "label": cells.line(row["名称"], required=True, limit=50),
                "label_en": cells.line(row["名称（英語）"], limit=100),
                "order": cells.integer(row["表示順"], required=True, low=1, high=32767),
                "severity": cells.integer(row["重さ"], required=True, low=0, high=32767),
                **{key: cells.yes(row[header]) for header, key in layout.STATUS_FLAGS.items()},
            }
            for header, key in [("コード", "code"), ("名称", "label"), ("表示順", "order")]:
                self.unique(seen, (key, definition[key]), row[header], definition[key])
            if definition["not_yet_due"]:
                self.unique(seen, ("not yet due", True), row["開始前"], YES)
            result.append(definition)
        return result

    def items(self, frame, pillars: list[dict]):
        keys = {p["key"] for p in pillars}
        headers = self.header(layout.ITEMS, layout.ITEM_HEADERS, extra=layout.FIGURE_HEADER.fullmatch)
        if headers is None or frame is None:
            return [], []
        years = {h: int(layout.FIGURE_HEADER.fullmatch(h).group(1)) for h in headers[len(layout.ITEM_HEADERS):]}
        for index, (header, year) in enumerate(years.items(), start=len(layout.ITEM_HEADERS)):
            if self.period is not None and year not in self.period:
                cells.Cell(self.problems, layout.ITEMS, layout.HEADER_ROW, header, index).fail(
                    _("プログラムの期間（%(start)d〜%(end)d年度）の外の年度です。"), start=self.period[0], end=self.period[-1])
        items, departments, claimed, without = [], {}, set(), []
        for number, row in self.records(layout.ITEMS, headers):
            item_number = cells.integer(row["番号"], required=True, low=1, high=99999)
            key = cells.line(row["階層の記号"], required=True)
            if key and key not in keys:
                row["階層の記号"][0].fail(_("「%(key)s」はシート「%(sheet)s」の記号にありません。"), key=excerpt(key), sheet=layout.LEVELS)
            self.claim(claimed, key, item_number, row["番号"])
            item = {"number": item_number, "name": cells.line(row["名称"], required=True, limit=300), "pillar": key,
                    "departments": self.departments(row["所管部局・課"], departments),
                    **{field: cells.text(row[header]).strip() for header, field in layout.ITEM_TEXTS.items()},
                    "listings": self.listings(row["再掲"], key, keys, claimed), "schedule": []}
            if not item["departments"]:
                without.append(row["所管部局・課"][0])
            item["years"] = [
                {"fiscal_year": year, "status": "", "secured_amount_thousand_yen": amount}
                for header, year in years.items()
                if (amount := self.figure(row[header])) is not None
            ]
            items.append(item)
        if departments:
            for cell in without:
                cell.fail(_("所管部局を入力してください（他の項目に所管部局があるため）。"))
        self.schedule(items)
        return items, [{"name": name, "divisions": divisions} for name, divisions in departments.items()]

    def claim(self, claimed: set, key: str, number, entry) -> None:
        if number is None:
            return
        place = (key if self.per_level else None, number)
        if place in claimed:
            entry[0].fail(_("番号 %(number)d は既に使われています。"), number=number)
        claimed.add(place)

    def figure(self, entry):
        amount = cells.integer(entry)
        if amount is not None and not self.has_figure:
            entry[0].fail(_("シート「%(sheet)s」の「年度ごとの金額の名称」が空欄なので、金額は入力できません。"), sheet=layout.FRAME)
        return amount

    def departments(self, entry, departments: dict) -> list[dict]:
        result = []
        for text in cells.text(entry).split("\n"):
            text = text.strip()
            if not text:
                continue
            match = _DEPARTMENT.fullmatch(text)
            if not match:
                entry[0].fail(_("「部局名（課名・課名）」の形で1行に1つ入力してください（値: %(value)s）。"), value=excerpt(text))
                continue
            name = match.group(1).strip()
            divisions = [d.strip() for d in (match.group(2) or "").split("・") if d.strip()]
            if len(name) > 100 or any(len(d) > 100 for d in divisions):
                entry[0].fail(_("部局名・課名は100文字以内です（値: %(value)s）。"), value=excerpt(text))
                continue
            known = departments.setdefault(name, [])
            known.extend(d for d in divisions if d not in known)
            result.append({"department": name, "divisions": divisions})
        return result

    def listings(self, entry, own_key: str, keys: set, claimed: set) -> list[dict]:
        result = []
        for text in cells.text(entry).split("\n"):
            text = text.strip()
            if not text:
                continue
            key, _dash, number = text.rpartition("-")
            if key not in keys or not number.isdigit():
                entry[0].fail(_("再掲は「階層の記号-番号」の形で1行に1つ入力してください（値: %(value)s）。"), value=excerpt(text))
                continue
            if key == own_key:
                entry[0].fail(_("再掲は、元の階層とは別の階層に載せるものです（値: %(value)s）。"), value=excerpt(text))
                continue
            self.claim(claimed, key, int(number), entry)
            result.append({"pillar": key, "number": int(number)})
        return result

    def schedule(self, items: list[dict]) -> None:
        if layout.SCHEDULE not in self.rows:
            return
        headers = self.header(layout.SCHEDULE, layout.SCHEDULE_HEADERS)
        if headers is None:
            return
        by_place = {(i["pillar"] if self.per_level else None, i["number"]): i for i in items}
        for _number, row in self.records(layout.SCHEDULE, headers):
            number = cells.integer(row["番号"], required=True, low=1, high=99999)
            key = cells.line(row["階層の記号"], required=self.per_level)
            year = cells.integer(row["年度（西暦）"], required=True, low=1900, high=2200)
            step = cells.text(row["工程"], required=True, limit=1000).strip()
            item = by_place.get((key if self.per_level else None, number))
            if number is not None and (item is None or (key and item["pillar"] != key)):
                row["番号"][0].fail(_("この番号の項目はシート「%(sheet)s」にありません。"), sheet=layout.ITEMS)
                continue
            if year is not None and self.period is not None and year not in self.period:
                row["年度（西暦）"][0].fail(_("プログラムの期間（%(start)d〜%(end)d年度）の外の年度です。"),
                                          start=self.period[0], end=self.period[-1])
            if item is None or year is None:
                continue
            if any(s["fiscal_year"] == year for s in item["schedule"]):
                row["年度（西暦）"][0].fail(_("この項目の%(year)d年度の工程が2つあります。"), year=year)
            item["schedule"].append({"fiscal_year": year, "step": step})


def _try_import(document: dict, problems: list[str]) -> None:
    """What the database would still refuse (rolled back: nothing is kept)."""
    try:
        with transaction.atomic():
            import_program(document)
            raise _RolledBack
    except _RolledBack:
        pass
    except DataFormatError as error:
        problems.append(_("内容に誤りがあります: %(error)s") % {"error": error})
