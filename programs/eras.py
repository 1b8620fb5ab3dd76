"""Japanese fiscal years: 令和6年度 ⇄ FY2024.

A fiscal year (年度) runs from 1 April to 31 March and is named by the calendar year in
which it starts: FY2024 = 令和6年度 = April 2024 – March 2025. The Reiwa era began
in 2019 (令和元年度); earlier fiscal years are Heisei (平成30年度 = FY2018).
"""
import datetime
import functools
import re

_ERAS = (
    # (name, first western year of the era's fiscal years)
    ("令和", 2019),
    ("平成", 1989),
)

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_LABEL = re.compile(r"^\s*(令和|平成)\s*(元|\d{1,2})\s*年度\s*$")


def fiscal_year_of(day: datetime.date) -> int:
    """The fiscal year a calendar date falls in (2025-03-31 → 2024, 2025-04-01 → 2025)."""
    return day.year if day.month >= 4 else day.year - 1


def era_year(fiscal_year: int) -> tuple[str, int]:
    """('令和', 6) for 2024."""
    for name, first in _ERAS:
        if fiscal_year >= first:
            return name, fiscal_year - first + 1
    raise ValueError(f"{fiscal_year} is before the Heisei era")


@functools.lru_cache(maxsize=64)
def fiscal_year_label(fiscal_year: int) -> str:
    """令和6年度 for 2024; 令和元年度 for 2019."""
    name, number = era_year(fiscal_year)
    return f"{name}{'元' if number == 1 else number}年度"


def fiscal_year_label_with_western(fiscal_year: int) -> str:
    """令和6年度（2024年度）."""
    return f"{fiscal_year_label(fiscal_year)}（{fiscal_year}年度）"


def parse_fiscal_year_label(label: str) -> int:
    """2024 for 令和6年度 or 令和６年度; ValueError for anything else."""
    match = _LABEL.match(label.translate(_FULLWIDTH_DIGITS))
    if not match:
        raise ValueError(f"年度の表記が正しくありません: {label!r}（例: 令和6年度）")
    name, number = match.groups()
    first = dict(_ERAS)[name]
    return first + (1 if number == "元" else int(number)) - 1


# Calendar eras (for dates, not fiscal years): (first day, name, initial), newest first.
_CALENDAR_ERAS = (
    (datetime.date(2019, 5, 1), "令和", "R"),
    (datetime.date(1989, 1, 8), "平成", "H"),
    (datetime.date(1926, 12, 25), "昭和", "S"),
    (datetime.date(1912, 7, 30), "大正", "T"),
    (datetime.date(1868, 9, 8), "明治", "M"),
)


def calendar_era(day: datetime.date) -> tuple[str, str, int] | None:
    """('令和', 'R', 7) for 2025-04-01, as Japanese date formats show it; None before Meiji."""
    for first, name, initial in _CALENDAR_ERAS:
        if day >= first:
            return name, initial, day.year - first.year + 1
    return None


def era_date(day: datetime.date, precision: str = "day") -> str:
    """令和7年4月1日 for 2025-04-01 (令和元年5月1日 for the era's first year), as the city dates its documents;
    令和7年1月 for a date known to the month only (`precision` "month", programs.models.DatePrecision)."""
    era = calendar_era(day)
    if era is None:
        year = f"{day.year}年"
    else:
        name, _initial, number = era
        year = f"{name}{'元' if number == 1 else number}年"
    if precision == MONTH:
        return f"{year}{day.month}月"
    return f"{year}{day.month}月{day.day}日"


MONTH = "month"  # programs.models.DatePrecision.MONTH (programs.models imports this module)


def display_date(day: datetime.date | None, precision: str = "day", *, era: bool = True) -> str:
    """A date as precisely as its source gives it, in the active language: 令和7年4月1日 or 令和7年1月
    (with `era` False: 2025年4月1日 or 2025年1月); in English April 1, 2025 or January 2025. '' for none."""
    if day is None:
        return ""
    if era and not is_english():
        return era_date(day, precision)
    from django.utils.formats import date_format

    return date_format(day, "YEAR_MONTH_FORMAT" if precision == MONTH else "DATE_FORMAT")


def period_label(start: int, end: int) -> str:
    """A program's period: 令和6年度〜令和9年度; a single year is that year, 令和7年度."""
    if start == end:
        return fiscal_year_label(start)
    return f"{fiscal_year_label(start)}〜{fiscal_year_label(end)}"


def display_period(start: int, end: int, *, western: bool = False) -> str:
    """period_label in the active language (display_fiscal_year): 令和7年度（2025年度）, FY2024 (Reiwa 6) – FY2027 (Reiwa 9)."""
    first = display_fiscal_year(start, western=western)
    if start == end:
        return first
    return f"{first}{' – ' if is_english() else '〜'}{display_fiscal_year(end, western=western)}"


# --- in English: "FY2025 (Reiwa 7)" ------------------------------------------------------

_ERAS_EN = {"令和": "Reiwa", "平成": "Heisei"}


def is_english() -> bool:
    from django.utils import translation

    return (translation.get_language() or "").startswith("en")


def fiscal_year_label_en(fiscal_year: int) -> str:
    """FY2025 (Reiwa 7) for 2025; FY2019 (Reiwa 1) for the era's first year."""
    name, number = era_year(fiscal_year)
    return f"FY{fiscal_year} ({_ERAS_EN[name]} {number})"


def initial_budget_label_en(fiscal_year: int) -> str:
    """A reporting cycle in English: FY2025 initial budget (Reiwa 7) for 令和7年度当初."""
    name, number = era_year(fiscal_year)
    return f"FY{fiscal_year} initial budget ({_ERAS_EN[name]} {number})"


def display_fiscal_year(fiscal_year: int, *, western: bool = False) -> str:
    """The fiscal year in the active language: 令和6年度（2024年度） or FY2024 (Reiwa 6)."""
    if is_english():
        return fiscal_year_label_en(fiscal_year)
    return fiscal_year_label_with_western(fiscal_year) if western else fiscal_year_label(fiscal_year)
