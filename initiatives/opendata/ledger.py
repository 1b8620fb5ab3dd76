"""The ledger part of a program's document: its categories, and its statements with their figures."""
from finance.models import LedgerCategory, LedgerEntry, LedgerGroup, LedgerStatement, StatementState, Unit
from programs import money
from programs.models import Program

from .reader import Reader


def import_ledger(reader: Reader, document: dict, program: Program) -> dict:
    categories = {}
    ledger = reader.value(document, "ledger", dict)
    with reader.at(".ledger"):
        for _, item in reader.items(ledger, "categories"):
            group = reader.value(item, "group", str)
            if group not in LedgerGroup.values:
                with reader.at(".group"):
                    reader.fail(f"区分は {', '.join(LedgerGroup.values)} のいずれかです（値: {group!r}）。")
            category = reader.save(
                LedgerCategory(
                    program=program,
                    group=group,
                    order=reader.value(item, "order", int),
                    name=reader.value(item, "name", str),
                    target_thousand_yen=reader.value(item, "target_thousand_yen", int),
                    note=reader.value(item, "note", str, required=False, default=""),
                )
            )
            categories[category.name] = category
        budgets = set()
        for _, item in reader.items(ledger, "statements", required=False):
            budget = reader.value(item, "budget_fiscal_year", int)
            if budget in budgets:
                with reader.at(".budget_fiscal_year"):
                    reader.fail(f"当初予算の年度 {budget} の財源確保額が2つあります。")
            budgets.add(budget)
            state = reader.value(item, "state", str, required=False, default=StatementState.CONFIRMED)
            if state not in StatementState.values:
                with reader.at(".state"):
                    reader.fail(f"状態は {', '.join(StatementState.values)} のいずれかです（値: {state!r}）。")
            statement = reader.save(LedgerStatement(
                program=program, budget_fiscal_year=budget, state=state,
                note=reader.value(item, "note", str, required=False, default=""),
            ))
            for _, entry in reader.items(item, "entries"):
                reader.save(_ledger_entry(reader, entry, statement, categories))
    return categories


def _ledger_entry(reader: Reader, entry: dict, statement: LedgerStatement, categories: dict) -> LedgerEntry:
    """One figure as entered: `secured_oku_yen` ("10.1") with unit oku_yen, `secured_thousand_yen` with thousand_yen."""
    name = reader.value(entry, "category", str)
    if name not in categories:
        with reader.at(".category"):
            reader.fail(f"財源確保の項目「{name}」は ledger.categories にありません。")
    unit = reader.value(entry, "unit", str, required=False,
                        default=Unit.OKU_YEN if "secured_oku_yen" in entry else Unit.THOUSAND_YEN)
    if unit not in Unit.values:
        with reader.at(".unit"):
            reader.fail(f"単位は {', '.join(Unit.values)} のいずれかです（値: {unit!r}）。")
    if unit == Unit.OKU_YEN:
        text = reader.value(entry, "secured_oku_yen", str)
        try:
            amount = money.oku_to_thousand_yen(text)
        except ValueError:
            with reader.at(".secured_oku_yen"):
                reader.fail(f"億円の額は小数第1位までの数を文字列で書きます（例: \"10.1\"、値: {text!r}）。")
        given = reader.value(entry, "secured_thousand_yen", int, required=False, default=amount)
        if given != amount:
            with reader.at(".secured_thousand_yen"):
                reader.fail(f"secured_oku_yen（{text}）と一致しません（値: {given!r}）。")
    else:
        amount = reader.value(entry, "secured_thousand_yen", int)
    return LedgerEntry(
        statement=statement,
        category=categories[name],
        fiscal_year=reader.value(entry, "fiscal_year", int, required=False, nullable=True),
        secured_thousand_yen=amount,
        unit=unit,
        note=reader.value(entry, "note", str, required=False, default=""),
    )
