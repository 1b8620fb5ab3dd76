"""Template filters for the domain's vocabulary: fiscal years and money.

    {% load reform %}
    {{ 2024|fiscal_year }}            → 令和6年度
    {{ 2024|fiscal_year_western }}    → 令和6年度（2024年度）
                                        (in English both give FY2024 (Reiwa 6))
    {{ amount|thousand_yen }}         → 1,011,707千円
    {{ amount|oku_yen }}              → 10.1
    {{ date|era_date }}               → 令和7年4月1日
    {{ cycle.as_of|era_date_of:cycle }} → 令和7年4月1日, or 令和7年1月 where the source dates to the month
"""
from django import template

from programs import eras, money

register = template.Library()


@register.filter
def fiscal_year(value):
    """令和6年度; in English FY2024 (Reiwa 6)."""
    return eras.display_fiscal_year(int(value)) if value not in (None, "") else ""


@register.filter
def fiscal_year_western(value):
    """令和6年度（2024年度）; in English FY2024 (Reiwa 6)."""
    return eras.display_fiscal_year(int(value), western=True) if value not in (None, "") else ""


@register.filter
def thousand_yen(value):
    return money.format_thousand_yen(None if value in (None, "") else int(value))


@register.filter
def thousand_yen_number(value):
    """28,212 for 28212 (the unit stated in the table's heading); '－' for none."""
    return money.format_thousand_yen(None if value in (None, "") else int(value), unit=False)


@register.filter
def oku_yen(value):
    return money.format_oku_yen(None if value in (None, "") else int(value))


@register.filter
def era_date(value):
    return eras.era_date(value) if value else ""


@register.filter
def get_item(mapping, key):
    """{{ counts|get_item:state }}"""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def era_date_of(day, cycle):
    """{{ cycle.released_on|era_date_of:cycle }} → 令和7年4月1日, or 令和7年1月 where the cycle's source dates it
    to the month (ReportingCycle.date_precision); in English April 1, 2025 or January 2025."""
    return cycle.display_date(day) if day else ""


@register.filter
def date_of(day, cycle):
    """{{ cycle.released_on|date_of:cycle }} → 2025年4月1日, or 2025年1月 where the cycle's source dates it to the month."""
    return cycle.display_date(day, era=False) if day else ""


@register.filter
def iso_date_of(day, cycle):
    """{{ cycle.released_on|iso_date_of:cycle }} → 2025-04-01, or 2025-01 where the cycle's source dates it to the
    month (a <time datetime> as precise as the text it marks)."""
    if not day:
        return ""
    return day.strftime("%Y-%m") if cycle.date_precision(day) == eras.MONTH else day.isoformat()
