"""The strict reading of the filled-in Excel template (recordimport.template writes it).

`read_import(data, user=…, cycle=…)` checks the file before anything is written: its size,
zip structure and what parsing it would cost (programs.import_limits: member sizes, cells,
string lengths, styles, a deadline — before openpyxl reads anything), that it is an .xlsx
with the template's sheet and exact header, then every cell — number and permission, the program's
status vocabulary, a reason where the status needs one, integer non-negative amounts that fit the
database, text lengths, no formulas, the versions. A row that changes nothing passes whatever the
record's state; a row that would change a record the import may not change is refused with the reason. Texts lose XML-illegal characters
(programs.text) and a date keeps the text its cell shows (recordimport.cell_text). It raises
`ImportRefused` with the problems found (sheet, row, column named; the first 50 listed,
values quoted to 40 characters), or returns the rows as plain data. `changes(rows)` compares them with the records as they are now,
field by field, for the preview; `recordimport.services.workbook_import` applies them.
"""
import io
import re
import zipfile
from dataclasses import dataclass

from django.core.validators import MaxValueValidator
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts import roles
from initiatives.models import Initiative, YearlyRecord
from programs.import_limits import (  # noqa: F401 (MAX_BYTES, MAX_UNCOMPRESSED: the limits, named here too)
    MAX_BYTES,
    MAX_UNCOMPRESSED,
    Deadline,
    ImportRefused,
    check_archive,
    check_size,
    excerpt,
    sheet_rows,
)
from programs.money import format_thousand_yen
from programs.text import strip_illegal_xml

from .cell_text import displayed
from .template import HEADERS, HIDDEN, SHEET, TEXT_FIELDS, column_letter, import_refusal, status_by_label

MAX_ROWS = 2000
MAX_AMOUNT = 2**63 - 1  # PositiveBigIntegerField, when the database names no smaller limit


@dataclass
class Change:
    field: str
    before: str
    after: str



def changed_fields(record: YearlyRecord, data: dict, next_steps: str) -> list[str]:
    """The fields of the record (and 今後の予定, of its initiative) whose value in the row differs from theirs."""
    fields = [f for f, value in data.items() if getattr(record, f) != value]
    return [*fields, "next_steps"] if next_steps != record.initiative.next_steps else fields


def _check_archive(data: bytes, deadline: Deadline) -> None:
    check_size(len(data))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportRefused([_("Excelファイル（.xlsx形式）ではありません。ダウンロードしたテンプレートに入力して保存したファイルを選んでください。")])
    check_archive(data, deadline=deadline)


def _where(row: int, header: str) -> str:
    return _("シート「%(sheet)s」%(row)d行目「%(column)s」列（%(letter)s列）") % {
        "sheet": SHEET, "row": row, "column": header, "letter": column_letter(header),
    }


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return strip_illegal_xml(str(value).replace("\r\n", "\n").replace("\r", "\n"))


def _integer(value):
    """An integer from a cell, or None when empty; ValueError when not a whole number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,3}(,\d{3})+|-?\d+", value.strip()):
        return int(value.strip().replace(",", ""))  # ValueError beyond Python's 4,300 digits
    raise ValueError


def _max_amount() -> int:
    """The largest 財源確保額 the database holds (a 64-bit integer)."""
    field = YearlyRecord._meta.get_field("secured_amount_thousand_yen")
    limits = [v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)]
    return min(limits, default=MAX_AMOUNT)


def _listed(values, limit=10) -> str:
    """Values taken from the file, each cut short, at most `limit` of them."""
    shown = "、".join(excerpt(v) for v in values[:limit])
    if len(values) > limit:
        shown += _("ほか %(count)d 件") % {"count": len(values) - limit}
    return shown


def read_import(data: bytes, *, user, cycle) -> list[dict]:
    """The rows of a filled-in template as plain data, or ImportRefused listing every problem."""
    deadline = Deadline()
    _check_archive(data, deadline)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on broken files
        raise ImportRefused([_("ファイルが壊れているか、Excelの.xlsx形式ではないため読み込めません。")]) from error
    try:
        if SHEET not in workbook.sheetnames:
            raise ImportRefused([_("シート「%(sheet)s」がありません（あるシート: %(names)s）。この画面からダウンロードしたテンプレートを使ってください。")
                                 % {"sheet": SHEET, "names": _listed(workbook.sheetnames)}])
        rows = sheet_rows(workbook[SHEET], deadline=deadline, max_row=MAX_ROWS + 2)  # header, and one to notice more
        header = [c.value for c in next(rows, [])]
        while header and header[-1] is None:
            header.pop()
        if header != HEADERS:
            missing = [h for h in HEADERS if h not in header]
            extra = [h for h in header if h not in HEADERS]
            detail = []
            if missing:
                detail.append(_("足りない列: %(columns)s") % {"columns": "、".join(missing)})
            if extra:
                detail.append(_("余分な列: %(columns)s") % {"columns": _listed(["（空欄）" if h is None else h for h in extra])})
            if not detail:
                detail.append(_("列の順序が違います"))
            raise ImportRefused([_("シート「%(sheet)s」の1行目の見出しがテンプレートと違います（%(detail)s）。見出しは「%(headers)s」です。")
                                 % {"sheet": SHEET, "detail": "。".join(detail), "headers": "、".join(HEADERS)}])
        return _read_rows(rows, user=user, cycle=cycle, epoch=workbook.epoch)
    finally:
        workbook.close()


def _read_rows(rows, *, user, cycle, epoch) -> list[dict]:
    errors: list[str] = []
    records = {
        r.pk: r
        for r in YearlyRecord.objects.of_cycle(cycle)
        .select_related("initiative", "cycle")
        .prefetch_related("initiative__responsibilities")
    }
    statuses = status_by_label(cycle.program.vocabulary)
    needing_reason = cycle.program.vocabulary.needing_reason
    by_number = {r.initiative.number: r for r in records.values()}
    seen: dict[int, int] = {}
    result = []
    for index, cells in enumerate(rows, start=2):
        if index > MAX_ROWS + 1:
            errors.append(_("行が多すぎます（上限 %(limit)d 行）。") % {"limit": MAX_ROWS})
            break
        values = [displayed(c, epoch=epoch) for c in cells[: len(HEADERS)]]
        beyond = [c.value for c in cells[len(HEADERS):]]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values + beyond):
            continue
        if any(v not in (None, "") for v in beyond):
            errors.append(_("シート「%(sheet)s」%(row)d行目: 見出しのない列に値があります。") % {"sheet": SHEET, "row": index})
        formulas = [HEADERS[i] for i, c in enumerate(cells[: len(HEADERS)]) if c.data_type == "f"]
        for header in formulas:
            errors.append(_("%(where)s: 数式は使えません。値を入力してください。") % {"where": _where(index, header)})
        if formulas:
            continue
        row = dict(zip(HEADERS, values[: len(HEADERS)] + [None] * (len(HEADERS) - len(values))))
        errors += _check_row(index, row, user=user, by_number=by_number, records=records, seen=seen, result=result,
                             statuses=statuses, needing_reason=needing_reason)
    if not result and not errors:
        errors.append(_("シート「%(sheet)s」に取組の行がありません。") % {"sheet": SHEET})
    if errors:
        raise ImportRefused(errors)
    return result


def _check_row(index, row, *, user, by_number, records, seen, result, statuses, needing_reason) -> list[str]:
    """The row's problems; a row without any is added to `result`. A row that changes nothing is taken whatever
    the record's state (the preview counts it as 変更なし, the import skips it); one that would change a record
    the import may not change (import_refusal) is refused with the reason."""
    errors = []

    def error(header, message, **params):
        errors.append(f"{_where(index, header)}: {message % params if params else message}")

    try:
        number = _integer(row["管理番号"])
    except ValueError:
        number = None
    if number is None:
        error("管理番号", _("管理番号が正しくありません（%(value)s）。"), value=excerpt(row["管理番号"]))
        return errors
    record = by_number.get(number)
    if record is None:
        error("管理番号", _("管理番号 %(number)d の取組はこの報告期にありません。"), number=number)
        return errors
    if not roles.can_edit(user, record.initiative):
        error("管理番号", _("管理番号 %(number)d（%(name)s）はあなたの部局の取組ではないため更新できません。"),
              number=number, name=record.initiative.name)
        return errors
    if number in seen:
        error("管理番号", _("管理番号 %(number)d が %(first)d行目と重複しています。"), number=number, first=seen[number])
        return errors
    seen[number] = index
    if _text(row["取組項目名"]) != record.initiative.name:
        error("取組項目名", _("取組項目名は変更できません（「%(name)s」のままにしてください）。"), name=record.initiative.name)
    try:
        record_id, version, initiative_version = (_integer(row[h]) for h in HIDDEN)
    except ValueError:
        record_id = version = initiative_version = None
    if record_id != record.pk or version is None or initiative_version is None:
        error("記録ID", _("非表示の列（記録ID・版）が壊れているか、別の報告期のテンプレートです。テンプレートをダウンロードし直してください。"))
        return errors

    texts = {}
    for header, (model, field) in TEXT_FIELDS.items():
        texts[header] = _text(row[header])
        limit = model._meta.get_field(field).max_length
        if len(texts[header]) > limit:
            error(header, _("%(limit)d文字以内で入力してください（%(length)d文字あります）。"), limit=limit, length=len(texts[header]))
    status_label = _text(row["進行状況"]).strip()
    status = statuses.get(status_label, "") if status_label else ""  # blank: still 未報告
    if status_label and not statuses and status_label != record.status:
        error("進行状況", _("このプログラムは進行状況を報告しません。空欄にしてください（%(value)s）。"), value=excerpt(status_label))
    elif status_label and not status and status_label != record.status:
        error("進行状況", _("「%(value)s」は進行状況の選択肢にありません（%(choices)s から選んでください）。"),
              value=excerpt(status_label), choices="、".join(statuses))
    elif status_label and not status:
        status = record.status  # a code the template wrote as it is (not one of the program's): left unchanged
    if status in needing_reason and not texts["理由"].strip():
        error("理由", _("進行状況が「%(status)s」のときは、理由を入力してください。"), status=status_label)
    try:
        amount = _integer(row["財源確保額（千円）"])
        if amount is not None and amount < 0:
            error("財源確保額（千円）", _("0以上の整数（千円単位）を入力してください（%(value)s）。"),
                  value=excerpt(row["財源確保額（千円）"]))
        elif amount is not None and amount > _max_amount():
            error("財源確保額（千円）", _("金額が大きすぎます（%(limit)s 千円まで）。千円単位で入力しているか確認してください（%(value)s）。"),
                  limit=f"{_max_amount():,}", value=excerpt(row["財源確保額（千円）"]))
    except ValueError:
        amount = None
        error("財源確保額（千円）", _("千円単位の整数を入力してください（%(value)s）。"), value=excerpt(row["財源確保額（千円）"]))
    if errors:
        return errors
    data = {"plan": texts["計画"], "result": texts["実績"], "status": status,
            "delay_reason": texts["理由"], "secured_amount_thousand_yen": amount}
    if changed_fields(record, data, texts["今後の予定"]):
        refusal = import_refusal(record, user)
        if refusal:
            error("管理番号", _("管理番号 %(number)d（%(name)s）は変更されていますが、更新できません: %(reason)s"),
                  number=number, name=record.initiative.name, reason=refusal)
        elif version != record.version or initiative_version != record.initiative.version:
            error("管理番号", _("管理番号 %(number)d（%(name)s）は、テンプレートをダウンロードした後に他の人が更新しました。テンプレートをダウンロードし直して、もう一度入力してください。"),
                  number=number, name=record.initiative.name)
    if not errors:
        result.append({
            "record_id": record.pk,
            "number": number,
            "name": record.initiative.name,
            "version": version,
            "initiative_version": initiative_version,
            "data": data,
            "next_steps": texts["今後の予定"],
        })
    return errors


# --- the preview -----------------------------------------------------------------------


def _display(field: str, value, vocabulary) -> str:
    if field == "status":
        return vocabulary.label_of(value)
    if field == "secured_amount_thousand_yen":
        return format_thousand_yen(value)
    return value or ""


def changes(rows: list[dict]) -> list[dict]:
    """For each row that changes something, its record and the changed fields (label, before → after)."""
    records = YearlyRecord.objects.select_related("initiative__program").in_bulk([r["record_id"] for r in rows])
    result = []
    for row in rows:
        record = records[row["record_id"]]
        vocabulary = record.initiative.program.vocabulary
        fields = [
            Change(str(YearlyRecord._meta.get_field(f).verbose_name), _display(f, getattr(record, f), vocabulary),
                   _display(f, row["data"][f], vocabulary))
            if f != "next_steps" else
            Change(str(Initiative._meta.get_field("next_steps").verbose_name), record.initiative.next_steps, row["next_steps"])
            for f in changed_fields(record, row["data"], row["next_steps"])
        ]
        if fields:
            result.append({"row": row, "record": record, "changes": fields})
    return result

