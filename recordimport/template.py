"""The Excel template departments fill in, and what it and its reading share.

`build_import_template(user=…, cycle=…)` writes one row per initiative the user may edit,
with the open cycle's record pre-filled: 管理番号 and 取組項目名 locked and grey, the six
editable columns unlocked (進行状況 offers the statuses of the cycle's program as a list), and three
hidden columns (記録ID, 版, 取組の版) that tie each row to the record and the versions it was
downloaded at, for optimistic locking. A record the import may not change (under review, approved,
published: import_refusal) is a grey row, locked throughout, with a note on its 管理番号 saying why.
The reading of the filled-in file is recordimport.imports.
"""
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from accounts import roles
from initiatives.models import Initiative, WorkflowState, YearlyRecord
from initiatives.services import edit_refusal
from programs.spreadsheets import cell_values, keep_texts_as_text

SHEET = "部局別更新"
HEADERS = ["管理番号", "取組項目名", "計画", "実績", "進行状況", "理由", "財源確保額（千円）", "今後の予定",
           "記録ID", "版", "取組の版"]
EDITABLE = ["計画", "実績", "進行状況", "理由", "財源確保額（千円）", "今後の予定"]
HIDDEN = ["記録ID", "版", "取組の版"]
# column header → (model, field) whose max_length bounds it
TEXT_FIELDS = {
    "計画": (YearlyRecord, "plan"),
    "実績": (YearlyRecord, "result"),
    "理由": (YearlyRecord, "delay_reason"),
    "今後の予定": (Initiative, "next_steps"),
}


def editable_records(*, user, cycle):
    """The cycle's records of the initiatives this user may edit (all for the reform office)."""
    initiatives = roles.visible_initiatives(user, Initiative.objects.for_program(cycle.program))
    return (
        YearlyRecord.objects.of_cycle(cycle).filter(initiative__in=initiatives)
        .select_related("initiative__program", "cycle")
        .prefetch_related("initiative__responsibilities")
        .order_by("initiative__number")
    )


def status_by_label(vocabulary) -> dict[str, str]:
    """The program's statuses as the template's list offers them: label → code (the city's Japanese labels)."""
    return {d.label: d.code for d in vocabulary}


def reason_labels(cycle) -> str:
    """「予定より遅れている」「実施不可」: the statuses of the cycle's program that need a reason, for the instructions."""
    vocabulary = cycle.program.vocabulary
    return "".join(f"「{d.label}」" for d in vocabulary if d.code in vocabulary.needing_reason)


def import_refusal(record: YearlyRecord, user) -> str | None:
    """Why the import may not change the record (None: it may). The record's page refuses the same (under review,
    a closed cycle, another department's); an approved or published record is changed on its page only, not in bulk,
    since the change withdraws it from its review."""
    refusal = edit_refusal(record=record, by=user)
    if refusal:
        return refusal
    if record.workflow_state == WorkflowState.APPROVED:
        return _("承認済みのため、一括更新では変更できません。変更するときは取組の画面で編集してください。")
    if record.workflow_state == WorkflowState.PUBLISHED:
        return _("公開済みのため、一括更新では変更できません。変更するときは取組の画面で編集してください。")
    return None



def build_import_template(*, user, cycle) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(HEADERS)
    header_font = Font(bold=True, color="FFFFFF")
    for cell in sheet[1]:
        editable = cell.value in EDITABLE
        cell.font = header_font
        cell.fill = PatternFill("solid", fgColor="2F5D8A" if editable else "6B7785")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    locked_fill = PatternFill("solid", fgColor="E6E8EB")
    wrap = Alignment(vertical="top", wrap_text=True)
    vocabulary = cycle.program.vocabulary
    for record in editable_records(user=user, cycle=cycle):
        initiative = record.initiative
        sheet.append(cell_values([
            initiative.number, initiative.name, record.plan, record.result,
            vocabulary.get(record.status).label if record.status in vocabulary else record.status,
            record.delay_reason, record.secured_amount_thousand_yen, initiative.next_steps,
            record.pk, record.version, initiative.version,
        ]))
        # a record the import may not change (under review …) is a grey, locked row; the note on its number says why
        refusal = import_refusal(record, user)
        for header, cell in zip(HEADERS, sheet[sheet.max_row]):
            cell.alignment = wrap
            if header in EDITABLE and not refusal:
                cell.protection = Protection(locked=False)
            else:
                cell.fill = locked_fill
        if refusal:
            sheet.cell(row=sheet.max_row, column=1).comment = Comment(_("変更できません: %(reason)s") % {"reason": refusal},
                                                                      _("一括更新"))
        sheet.cell(row=sheet.max_row, column=HEADERS.index("財源確保額（千円）") + 1).number_format = "#,##0"
    last = max(sheet.max_row, 2)
    if vocabulary:
        status_list = DataValidation(
            type="list", formula1='"' + ",".join(status_by_label(vocabulary)) + '"', allow_blank=False, showErrorMessage=True,
            errorTitle=_("進行状況"), error=_("一覧から選んでください。"),
        )
        status_list.add(f"{column_letter('進行状況')}2:{column_letter('進行状況')}{last}")
        sheet.add_data_validation(status_list)
    amount = DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True, showErrorMessage=True,
        errorTitle=_("財源確保額"), error=_("千円単位の0以上の整数を入力してください。"),
    )
    amount.add(f"{column_letter('財源確保額（千円）')}2:{column_letter('財源確保額（千円）')}{last}")
    sheet.add_data_validation(amount)
    widths = {"管理番号": 9, "取組項目名": 28, "計画": 40, "実績": 60, "進行状況": 22, "理由": 40,
              "財源確保額（千円）": 16, "今後の予定": 50}
    for header, width in widths.items():
        sheet.column_dimensions[column_letter(header)].width = width
    for header in HIDDEN:
        sheet.column_dimensions[column_letter(header)].hidden = True
    sheet.freeze_panes = "C2"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "1:1"
    keep_texts_as_text(workbook)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def column_letter(header: str) -> str:
    return chr(ord("A") + HEADERS.index(header))
