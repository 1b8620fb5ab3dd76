"""Writes of the record import: applying a department's Excel import."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import roles
from initiatives.models import YearlyRecord
from initiatives.services import ConcurrentEditError, WorkflowError, record_update
from programs.models import ReportingCycle

from .imports import changes, import_refusal


@transaction.atomic
def workbook_import(*, user, cycle: ReportingCycle, rows: list[dict]) -> list[YearlyRecord]:
    """Apply the rows read from a filled-in template (imports.read_import): all of them, or none.

    Each changed record goes through `record_update` — permission-checked, validated,
    recorded in history as 「Excelから一括更新」, and a draft again — with the versions
    the template was downloaded at, so a record someone else saved since refuses the
    whole import (ConcurrentEditError naming the record). Unchanged rows are skipped, whatever the record's state;
    a changed row of a record the import may not change (template.import_refusal) refuses the whole import.
    """
    if not (roles.is_reviewer(user) or roles.is_editor(user)):
        raise PermissionDenied(_("Excelで一括更新できるのは部局の担当者と行政改革課の担当者です。"))
    cycle = ReportingCycle.objects.get(pk=cycle.pk)
    if not cycle.is_open:
        raise WorkflowError(_("報告期「%(label)s」は受付中ではないため更新できません。") % {"label": cycle.label})
    updated = []
    for item in changes(rows):
        row, record = item["row"], item["record"]
        if record.cycle_id != cycle.pk:
            raise WorkflowError(_("管理番号 %(number)d の行は別の報告期のものです。") % {"number": row["number"]})
        refusal = import_refusal(record, user)
        if refusal:  # it changed state since the preview
            raise WorkflowError(_("管理番号 %(number)d（%(name)s）は変更されていますが、更新できません: %(reason)s")
                                % {"number": row["number"], "name": row["name"], "reason": refusal})
        data = {field: value for field, value in row["data"].items() if getattr(record, field) != value}
        next_steps = row["next_steps"] if row["next_steps"] != record.initiative.next_steps else None
        try:
            updated.append(record_update(
                record=record,
                by=user,
                data=data,
                expected_version=row["version"],
                next_steps=next_steps,
                expected_initiative_version=row["initiative_version"],
                reason=_("Excelから一括更新"),
            ))
        except ConcurrentEditError as error:
            raise ConcurrentEditError(
                _("管理番号 %(number)d（%(name)s）は、テンプレートをダウンロードした後に他の人が更新したため、一括更新を中止しました（何も変更していません）。テンプレートをダウンロードし直してください。")
                % {"number": row["number"], "name": row["name"]},
                error.changes,
            ) from error
        except ValidationError as error:
            raise ValidationError(
                [f"{_('管理番号 %(number)d（%(name)s）') % {'number': row['number'], 'name': row['name']}}: {message}"
                 for message in error.messages]
            ) from error
        except PermissionDenied as error:
            raise PermissionDenied(
                f"{_('管理番号 %(number)d（%(name)s）') % {'number': row['number'], 'name': row['name']}}: {error}"
            ) from error
    return updated
