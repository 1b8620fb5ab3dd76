"""Optimistic locking and history: who changed what since an editor loaded a form.

A record or initiative carries a `version`; a write names the version it was based on and is
refused (with what the others changed) when someone saved in between. django-simple-history
records who and why on the next save().
"""
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from programs.text import strip_illegal_xml


class ConcurrentEditError(ValidationError):
    """Someone else saved the object after it was loaded; carries what they changed."""

    def __init__(self, message, changes):
        super().__init__(message, code="concurrent_edit")
        self.changes = changes



def changes_since(obj, version: int) -> list[dict]:
    """What changed on `obj` after the given version: field, before, after, who, when."""
    loaded = obj.history.filter(version=version).order_by("-history_date").first()
    latest = obj.history.order_by("-history_date").first()
    if loaded is None or latest is None:
        return []
    delta = latest.diff_against(loaded, excluded_fields=["version", "workflow_state", "review_comment"])
    who = latest.history_user.get_username() if latest.history_user else _("不明")
    return [
        {
            "field": obj._meta.get_field(change.field).verbose_name,
            "old": change.old,
            "new": change.new,
            "by": who,
            "at": latest.history_date,
        }
        for change in delta.changes
    ]


def _check_version(obj, expected_version: int | None) -> None:
    """Refuse the write if the object changed since the editor loaded it (optimistic locking)."""
    if expected_version is None:
        return
    current = type(obj).objects.filter(pk=obj.pk).values_list("version", flat=True).first()
    if current != expected_version:
        changes = changes_since(obj, expected_version)
        raise ConcurrentEditError(
            _("この内容は、あなたが開いた後に他の人が更新しました。最新の内容を確認してから、もう一度入力してください。"),
            changes,
        )


def _bump_version(obj, expected_version: int | None) -> None:
    """Increment the version in the database; refuse if someone else did in between."""
    queryset = type(obj).objects.filter(pk=obj.pk)
    if expected_version is not None:
        queryset = queryset.filter(version=expected_version)
    if queryset.update(version=F("version") + 1) != 1:
        _check_version(obj, expected_version)
    obj.version = type(obj).objects.values_list("version", flat=True).get(pk=obj.pk)


def _clean_texts(data: dict) -> dict:
    """Texts lose the characters XML cannot carry (a vertical tab pasted from Word breaks the workbooks)."""
    return {field: strip_illegal_xml(value) if isinstance(value, str) else value for field, value in data.items()}


def _record_history(obj, *, by, reason: str) -> None:
    """Who and why, for the history row django-simple-history writes on the next save()."""
    obj._history_user = by
    obj._change_reason = reason

