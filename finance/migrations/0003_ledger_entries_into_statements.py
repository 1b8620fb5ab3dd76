"""Existing ledgers become statements: one per reporting cycle's initial budget.

Before, a category's entries were amounts per fiscal year, shared by every report, and each
report was the sum of the entries up to its initial budget. Now each report has its own
statement. For every cycle of a program (and for a later budget year that has entries but no
cycle yet) a statement is made with the entries up to its budget year, so each report shows
what it showed before; the statement of a released cycle is confirmed (it was published).

An entry the data marked as the report's cumulative figure (its note says the report prints
only the cumulative amount, 「…累計のみ…」, as the city's 令和7年度当初 data did) and that sits
at the statement's budget year becomes what it is: the cumulative amount up to that budget,
entered in 億円 with one decimal when it is a whole number of 0.1億円 (the report's unit).
"""
from django.db import migrations

CUMULATIVE_ONLY = "累計のみ"
TENTH_OF_OKU = 10_000


def forwards(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    ReportingCycle = apps.get_model("programs", "ReportingCycle")
    LedgerEntry = apps.get_model("finance", "LedgerEntry")
    LedgerStatement = apps.get_model("finance", "LedgerStatement")
    for program in Program.objects.all():
        entries = list(LedgerEntry.objects.filter(category__program=program, statement__isnull=True).order_by("pk"))
        cycles = {c.fiscal_year + 1: c for c in ReportingCycle.objects.filter(program=program)}
        budgets = set(cycles)
        later = max((e.fiscal_year for e in entries), default=None)
        if later is not None and (not budgets or later > max(budgets)):
            budgets.add(later)
        for budget in sorted(budgets):
            cycle = cycles.get(budget)
            released = cycle is None and budget == later and not cycles or cycle is not None and cycle.state == "released"
            statement = LedgerStatement.objects.create(
                program=program, budget_fiscal_year=budget, state="confirmed" if released else "draft"
            )
            for entry in entries:
                if entry.fiscal_year > budget:
                    continue
                cumulative = entry.fiscal_year == budget and CUMULATIVE_ONLY in entry.note
                LedgerEntry.objects.create(
                    statement=statement,
                    category_id=entry.category_id,
                    fiscal_year=None if cumulative else entry.fiscal_year,
                    secured_thousand_yen=entry.secured_thousand_yen,
                    unit="oku_yen" if cumulative and entry.secured_thousand_yen % TENTH_OF_OKU == 0 else "thousand_yen",
                    note="" if cumulative else entry.note,
                )
        LedgerEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()


def backwards(apps, schema_editor):
    """Back to amounts per fiscal year: the entries of each program's newest statement (a cumulative amount
    under the statement's budget year, with a note saying so)."""
    LedgerEntry = apps.get_model("finance", "LedgerEntry")
    LedgerStatement = apps.get_model("finance", "LedgerStatement")
    newest = {}
    for statement in LedgerStatement.objects.order_by("budget_fiscal_year"):
        newest[statement.program_id] = statement
    keep = []
    for statement in newest.values():
        for entry in LedgerEntry.objects.filter(statement=statement):
            if entry.fiscal_year is None:
                entry.fiscal_year = statement.budget_fiscal_year
                entry.note = entry.note or f"{statement.budget_fiscal_year}年度当初予算までの累計のみを掲載"
            entry.statement = None
            entry.unit = "thousand_yen"
            entry.save()
            keep.append(entry.pk)
    LedgerEntry.objects.exclude(pk__in=keep).delete()
    LedgerStatement.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0002_ledger_statements"),
        ("programs", "0002_cycle_texts_and_release"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
