"""A plan workbook's sheets read as rows of values; each problem noted with its sheet, row and column."""
import datetime
import re

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from programs.import_limits import Deadline, ImportRefused, excerpt, sheet_rows

from . import layout
from .layout import NO, YES

MAX_ROWS = 3000  # rows of one sheet (the strategy has 158 items)


class Cell:
    """Where a value stands, for the messages."""

    def __init__(self, problems, sheet, row, header, column, *, setting=""):
        self.problems, self.sheet, self.row, self.header, self.column = problems, sheet, row, header, column
        self.setting = setting  # the frame sheet's rows are settings: 「プログラム名」の「値」

    def fail(self, message: str, **params) -> None:
        place = {"sheet": self.sheet, "row": self.row, "header": self.header, "letter": get_column_letter(self.column + 1),
                 "setting": self.setting}
        if self.setting:
            where = _("シート「%(sheet)s」%(row)d行目「%(setting)s」の「%(header)s」列（%(letter)s列）") % place
        else:
            where = _("シート「%(sheet)s」%(row)d行目「%(header)s」列（%(letter)s列）") % place
        self.problems.append(f"{where}: {message % params if params else message}")


def text(entry, *, required=False, limit=None) -> str:
    cell, value = entry
    if isinstance(value, datetime.datetime):
        cell.fail(_("文字を入力してください（日付になっています）。"))
        return ""
    result = "" if value is None else (str(int(value)) if isinstance(value, float) and value.is_integer() else str(value))
    if required and not result.strip():
        cell.fail(_("入力してください。"))
    if limit and len(result.strip()) > limit:
        cell.fail(_("%(limit)d文字以内で入力してください。"), limit=limit)
    return result


def line(entry, **kwargs) -> str:
    return text(entry, **kwargs).strip()


def integer(entry, *, required=False, low=0, high=10**15) -> int | None:
    cell, value = entry
    if value is None:
        if required:
            cell.fail(_("入力してください。"))
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and re.fullmatch(r"\d{1,3}(,\d{3})+|\d{1,16}", value.strip()):
        value = int(value.strip().replace(",", ""))
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        cell.fail(_("%(low)d以上%(high)d以下の整数を入力してください（値: %(value)s）。"), low=low, high=high, value=excerpt(value))
        return None
    return value


def choice(entry, choices: dict, default=None):
    cell, value = entry
    if value is None and default is not None:
        return default
    text = str(value).strip() if value is not None else ""
    if text not in choices:
        cell.fail(_("「%(choices)s」のいずれかを入力してください（値: %(value)s）。"), choices="」「".join(choices), value=excerpt(text))
        return default
    return choices[text]


def yes(entry) -> bool:
    return choice(entry, {YES: True, NO: False}, default=False)


def date(entry) -> datetime.date | None:
    cell, value = entry
    if isinstance(value, datetime.datetime):
        return value.date()
    try:
        return datetime.date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        cell.fail(_("日付を入力してください（例: 2025-04-01。値: %(value)s）。"), value=excerpt(value))
        return None


def read_sheets(workbook, deadline: Deadline, problems: list[str]) -> dict:
    names = workbook.sheetnames
    missing = [name for name in layout.REQUIRED_SHEETS if name not in names]
    unknown = [name for name in names if name not in layout.SHEETS]
    if missing or unknown:
        messages = []
        if missing:
            messages.append(_("シート「%(sheets)s」がありません。") % {"sheets": "」「".join(missing)})
        if unknown:
            messages.append(_("シート「%(sheets)s」は計画のテンプレートのものではありません。")
                            % {"sheets": "」「".join(excerpt(n) for n in unknown[:10])})
        messages.append(_("計画のテンプレート（シート「%(sheets)s」）をダウンロードして入力してください。")
                        % {"sheets": "」「".join(layout.SHEETS)})
        raise ImportRefused([" ".join(messages)])
    return {name: _rows(workbook[name], name, deadline, problems) for name in layout.SHEETS if name in names}


def _rows(sheet, name: str, deadline: Deadline, problems: list[str]) -> list[tuple[int, list]]:
    """(row number, values) of the sheet from its header row on; a formula is a problem, not a value."""
    result = []
    rows = sheet_rows(sheet, deadline=deadline, min_row=layout.HEADER_ROW, max_row=MAX_ROWS + layout.FIRST_ROW)
    for number, row in enumerate(rows, start=layout.HEADER_ROW):
        values = []
        for column, cell in enumerate(row):
            if cell.data_type == "f":
                header = result[0][1][column] if result and column < len(result[0][1]) else ""
                Cell(problems, name, number, header or "", column).fail(_("数式は使えません。値を入力してください。"))
                values.append(None)
            else:
                values.append(_clean(cell.value))
        while values and values[-1] is None:
            values.pop()
        if number > MAX_ROWS + layout.HEADER_ROW:
            problems.append(_("シート「%(sheet)s」: 行が多すぎます（上限 %(limit)d 行）。") % {"sheet": name, "limit": MAX_ROWS})
            break
        if values or number == layout.HEADER_ROW:
            result.append((number, values))
    return result


def _clean(value):
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value if value.strip() else None
    return value
