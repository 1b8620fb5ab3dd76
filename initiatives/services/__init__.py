"""Writes that matter: editing a record, the review workflow, publication, reporting cycles.

One function each, keyword-only, atomic, permission-checked at the top, validated with
full_clean() before save(); history is recorded by django-simple-history inside the
same transaction. Views, admin actions and commands all call these, through this package:

- `versioning`: optimistic locking (who changed what since a form was loaded);
- `records`: editing a record and its initiative, submit, return, approve;
- `publication`: publishing an approved record;
- `cycles`: opening, closing, reopening and releasing a reporting cycle;
- `programs`: creating a whole program from its document.
"""
from .cycles import (
    close_refusal,
    unpublished_initiatives,
    work_in_review,
    EDITABLE_CYCLE_FIELDS,
    cycle_close,
    cycle_open,
    cycle_open_refusal,
    cycle_publish_all,
    cycle_release,
    cycle_release_imported,
    cycle_reopen,
    cycle_update,
    release_problems,
)
from .programs import plan_import, program_import
from .publication import record_publish
from .records import (
    EDITABLE_RECORD_FIELDS,
    WorkflowError,
    allowed_actions,
    department_statuses_save,
    edit_refusal,
    ensure_cycle_open,
    ensure_record_editable,
    initiative_create,
    initiative_update,
    initiative_withdraw,
    record_approve,
    record_return,
    record_submit,
    record_update,
)
from .versioning import ConcurrentEditError, changes_since

__all__ = [
    "ConcurrentEditError",
    "EDITABLE_CYCLE_FIELDS",
    "EDITABLE_RECORD_FIELDS",
    "WorkflowError",
    "allowed_actions",
    "department_statuses_save",
    "changes_since",
    "close_refusal",
    "cycle_close",
    "cycle_open",
    "cycle_open_refusal",
    "cycle_publish_all",
    "cycle_release",
    "cycle_release_imported",
    "cycle_reopen",
    "cycle_update",
    "edit_refusal",
    "ensure_cycle_open",
    "ensure_record_editable",
    "initiative_create",
    "initiative_update",
    "initiative_withdraw",
    "plan_import",
    "program_import",
    "record_approve",
    "record_publish",
    "record_return",
    "record_submit",
    "record_update",
    "release_problems",
    "unpublished_initiatives",
    "work_in_review",
]
