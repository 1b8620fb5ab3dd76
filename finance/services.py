"""Writes to the ledger: 財政課 enters a report's figures, confirms them, and may reopen them until the
report is released. One function each, keyword-only, atomic, permission-checked at the top (Django
permissions, which the roles in accounts/roles.py grant), validated with full_clean(); history
is recorded by django-simple-history.

A statement's figures change only while it is a draft and its cycle is not released; the
reform office releases them with the cycle (the release needs them confirmed), and from then
on they are the published report's and final.
"""
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs import money

from .models import LedgerEntry, LedgerStatement, StatementState, Unit, no_ledger_message

EDIT_PERMISSION = "finance.change_ledgerentry"
CONFIRM_PERMISSION = "finance.confirm_ledgerstatement"


class LedgerError(ValidationError):
    pass


def can_edit_figures(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(EDIT_PERMISSION))


def ensure_can_edit_figures(user) -> None:
    if not can_edit_figures(user):
        raise PermissionDenied(_("財源確保額は財政課の担当者が入力します。"))


def edit_refusal(statement: LedgerStatement) -> str | None:
    """Why the statement's figures cannot change now (a message), or None."""
    if statement.is_released:
        return _("%(statement)sの財源確保額は報告とともに公表済みのため変更できません。") % {"statement": statement}
    if statement.is_confirmed:
        return _("%(statement)sの財源確保額は確定済みです。変更するには確定を取り消してください。") % {"statement": statement}
    return None


def _ensure_editable(statement: LedgerStatement) -> None:
    refusal = edit_refusal(statement)
    if refusal:
        raise LedgerError(refusal)


def _history(obj, *, by, reason: str) -> None:
    obj._history_user = by
    obj._change_reason = reason


def parse_amount(value, unit: str) -> int:
    """The amount in 千円 of a figure as entered: '10.1' 億円 → 1,010,000; '1,011,707' 千円 → 1011707."""
    text = str(value).strip().replace(",", "").replace("，", "")
    if unit == Unit.OKU_YEN:
        try:
            return money.oku_to_thousand_yen(text)
        except ValueError as error:
            raise LedgerError(_("億円の額は小数第1位までの数で入力してください（例: 10.1）。")) from error
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise LedgerError(_("千円の額は整数で入力してください（例: 1011707）。")) from error
    if amount != amount.to_integral_value() or amount < 0:
        raise LedgerError(_("千円の額は0以上の整数で入力してください（例: 1011707）。"))
    return int(amount)


@transaction.atomic
def ledger_statement_create(*, program, budget_fiscal_year: int, by) -> LedgerStatement:
    """The (empty, draft) statement of an initial budget, or the existing one; only a program with a ledger has one."""
    ensure_can_edit_figures(by)
    if not program.has_ledger:
        raise LedgerError(no_ledger_message(program))
    statement = LedgerStatement.objects.filter(program=program, budget_fiscal_year=budget_fiscal_year).first()
    if statement is not None:
        return statement
    statement = LedgerStatement(program=program, budget_fiscal_year=budget_fiscal_year)
    statement.full_clean()
    _history(statement, by=by, reason=_("作成"))
    statement.save()
    return statement


def ledger_statement_open(*, program, budget_fiscal_year: int) -> LedgerStatement | None:
    """The statement a new reporting cycle will release, empty for 財政課 to fill in (called by cycle_open,
    which checks its own permission; nothing is carried over from the previous report). None for a program
    without a ledger: it has no figures to state."""
    if not program.has_ledger:
        return None
    statement, _created = LedgerStatement.objects.get_or_create(program=program, budget_fiscal_year=budget_fiscal_year)
    return statement


def _editable_statement(entry: LedgerEntry, by) -> LedgerStatement:
    """The entry's statement, locked, once `by` may change its figures and it is a draft (in a transaction)."""
    ensure_can_edit_figures(by)
    statement = LedgerStatement.objects.select_for_update().get(pk=entry.statement_id)
    _ensure_editable(statement)
    return statement


@transaction.atomic
def ledger_entry_save(*, entry: LedgerEntry, by) -> LedgerEntry:
    """Add or change one figure of a draft statement."""
    entry.statement = _editable_statement(entry, by)
    entry.full_clean()
    _history(entry, by=by, reason=_("財源確保額の入力"))
    entry.save()
    return entry


@transaction.atomic
def ledger_entry_delete(*, entry: LedgerEntry, by) -> None:
    _editable_statement(entry, by)
    _history(entry, by=by, reason=_("財源確保額の削除"))
    entry.delete()


@transaction.atomic
def ledger_statement_confirm(*, statement: LedgerStatement, by) -> LedgerStatement:
    """財政課 confirms the figures: the report may be released with them."""
    if not (by.is_authenticated and by.has_perm(CONFIRM_PERMISSION)):
        raise PermissionDenied(_("財源確保額の確定は財政課の担当者が行います。"))
    statement = LedgerStatement.objects.select_for_update().get(pk=statement.pk)
    _ensure_editable(statement)
    if not statement.entries.exists():
        raise LedgerError(_("%(statement)sの財源確保額が入力されていません。") % {"statement": statement})
    statement.state = StatementState.CONFIRMED
    statement.confirmed_by, statement.confirmed_at = by, timezone.now()
    _history(statement, by=by, reason=_("確定"))
    statement.save()
    return statement


@transaction.atomic
def ledger_statement_reopen(*, statement: LedgerStatement, by) -> LedgerStatement:
    """Back to draft, to correct a figure before the report is released."""
    if not (by.is_authenticated and by.has_perm(CONFIRM_PERMISSION)):
        raise PermissionDenied(_("財源確保額の確定の取消しは財政課の担当者が行います。"))
    statement = LedgerStatement.objects.select_for_update().get(pk=statement.pk)
    if statement.is_released:
        raise LedgerError(edit_refusal(statement))
    statement.state = StatementState.DRAFT
    statement.confirmed_by, statement.confirmed_at = None, None
    _history(statement, by=by, reason=_("確定の取消し"))
    statement.save()
    return statement


def statement_for_release(cycle) -> LedgerStatement | None:
    """The statement the cycle's release makes final, locked until the release commits (None without one)."""
    return LedgerStatement.objects.select_for_update().filter(
        program_id=cycle.program_id, budget_fiscal_year=cycle.budget_fiscal_year
    ).first()


def ledger_statement_keep(*, statement: LedgerStatement) -> None:
    """At the release (which checks its own permission and holds the lock): keep the categories as printed."""
    statement.keep_categories()
    # an update, not a save: the release itself announces the change (one invalidation of the public pages)
    LedgerStatement.objects.filter(pk=statement.pk).update(released_categories=statement.released_categories)


def release_problem(cycle) -> str | None:
    """Why the cycle's ledger keeps it from being released (a message), or None: a program with a ledger
    releases each report with its figures, confirmed by 財政課."""
    if not cycle.program.ledger_categories.exists():
        return None
    statement = LedgerStatement.objects.for_cycle(cycle)
    if statement is None or not statement.entries.exists():
        return _("財源確保額（%(budget)s）が入力されていません（財政課）。") % {"budget": _budget_label(cycle)}
    if not statement.is_confirmed:
        return _("財源確保額（%(budget)s）が財政課で確定されていません。") % {"budget": _budget_label(cycle)}
    return None


def _budget_label(cycle) -> str:
    return cycle.budget_label
