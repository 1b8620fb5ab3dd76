"""Money is stored as integers in 千円 (thousand yen); this module formats it.

The city prints initiative amounts in 千円 with thousands separators (1,011,707千円)
and the ledger in 億円 with one decimal (89.0). One 億円 is 100,000 千円.
"""
THOUSAND_YEN_PER_OKU = 100_000


def format_thousand_yen(amount: int | None, *, unit: bool = True) -> str:
    """'1,011,707千円' for 1011707; '－' for None."""
    if amount is None:
        return "－"
    return f"{amount:,}千円" if unit else f"{amount:,}"


def oku_tenths(amount: int) -> int:
    """The amount in tenths of 億円, rounded half up (1,011,707千円 → 101)."""
    if amount < 0:
        return -oku_tenths(-amount)
    return (amount + THOUSAND_YEN_PER_OKU // 20) // (THOUSAND_YEN_PER_OKU // 10)


def format_oku_yen(amount: int | None, *, unit: bool = False) -> str:
    """'10.1' for 1,011,707千円 ('10.1億円' with unit); '－' for None."""
    if amount is None:
        return "－"
    tenths = oku_tenths(amount)
    sign = "-" if tenths < 0 else ""
    text = f"{sign}{abs(tenths) // 10:,}.{abs(tenths) % 10}"
    return f"{text}億円" if unit else text


def oku_to_thousand_yen(text: str) -> int:
    """8900000 for '89.0' (億円 with at most one decimal, as printed in the ledger)."""
    whole, _, decimal = text.strip().partition(".")
    if not whole.isdigit() or (decimal and (len(decimal) > 1 or not decimal.isdigit())):
        raise ValueError(f"億円の金額が正しくありません: {text!r}（例: 89.0）")
    return int(whole) * THOUSAND_YEN_PER_OKU + int(decimal or 0) * (THOUSAND_YEN_PER_OKU // 10)
